"""Queue rules without a database: who is called next, people ahead, waits, transitions."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from onestop import errors, queue
from onestop.enums import PriorityPolicy, TicketStatus, TransferPosition

T0 = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)


def cand(ticket_id: int, minute: int, *, priority: bool = False) -> queue.Candidate:
    return queue.Candidate(ticket_id, T0 + dt.timedelta(minutes=minute), priority)


def service(
    service_id: int,
    *,
    normal: queue.Candidate | None = None,
    prio: queue.Candidate | None = None,
    policy: PriorityPolicy = PriorityPolicy.STRICT,
    every_n: int = 3,
    since: int = 0,
) -> queue.ServiceQueue:
    return queue.ServiceQueue(service_id, policy, every_n, since, prio, normal)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (TicketStatus.WAITING, TicketStatus.CALLED, True),
        (TicketStatus.WAITING, TicketStatus.SERVING, False),
        (TicketStatus.WAITING, TicketStatus.DONE, False),
        (TicketStatus.CALLED, TicketStatus.CALLED, True),  # recall
        (TicketStatus.CALLED, TicketStatus.SERVING, True),
        (TicketStatus.CALLED, TicketStatus.NO_SHOW, True),
        (TicketStatus.CALLED, TicketStatus.DONE, False),
        (TicketStatus.SERVING, TicketStatus.DONE, True),
        (TicketStatus.SERVING, TicketStatus.NO_SHOW, False),
        (TicketStatus.SERVING, TicketStatus.CANCELLED, False),
        (TicketStatus.NO_SHOW, TicketStatus.WAITING, True),
        (TicketStatus.NO_SHOW, TicketStatus.CALLED, False),
        (TicketStatus.TRANSFERRED, TicketStatus.CALLED, True),
        (TicketStatus.DONE, TicketStatus.WAITING, False),
        (TicketStatus.CANCELLED, TicketStatus.CALLED, False),
    ],
)
def test_transitions(current: TicketStatus, target: TicketStatus, allowed: bool) -> None:
    if allowed:
        queue.check_transition("A001", current, target)
    else:
        with pytest.raises(errors.IllegalTransition, match="A001"):
            queue.check_transition("A001", current, target)


def test_every_state_has_a_vietnamese_name() -> None:
    assert set(queue.STATUS_NAMES_VI) == set(TicketStatus)
    assert set(queue.TRANSITIONS) == set(TicketStatus)


@pytest.mark.parametrize(
    ("letter", "seq", "width", "expected"),
    [("A", 1, 3, "A001"), ("B", 42, 3, "B042"), ("C", 1234, 3, "C1234"), ("D", 7, 4, "D0007")],
)
def test_format_number(letter: str, seq: int, width: int, expected: str) -> None:
    assert queue.format_number(letter, seq, width) == expected


def test_counter_serves_its_services_in_order() -> None:
    first_empty = service(1)
    second = service(2, normal=cand(20, 0))
    third = service(3, normal=cand(30, -50))  # waited longer, but comes later in the order
    assert queue.choose_next([first_empty, second, third]) == cand(20, 0)
    assert queue.choose_next([first_empty]) is None


def test_strict_priority_goes_first() -> None:
    queue_ = service(1, normal=cand(1, 0), prio=cand(2, 30, priority=True))
    assert queue.choose_next([queue_]) == cand(2, 30, priority=True)


@pytest.mark.parametrize(("since", "expect_priority"), [(0, False), (2, False), (3, True), (7, True)])
def test_one_in_n_gives_priority_a_turn_after_n_normal_calls(since: int, expect_priority: bool) -> None:
    queue_ = service(
        1, normal=cand(1, 0), prio=cand(2, 5, priority=True), policy=PriorityPolicy.ONE_IN_N, since=since
    )
    picked = queue.choose_next([queue_])
    assert picked is not None
    assert picked.priority is expect_priority


def test_one_in_n_calls_priority_when_no_normal_waits() -> None:
    queue_ = service(1, prio=cand(2, 5, priority=True), policy=PriorityPolicy.ONE_IN_N, since=0)
    assert queue.choose_next([queue_]) == cand(2, 5, priority=True)


def simulate(policy: PriorityPolicy, every_n: int, since: int, classes: list[bool]) -> list[int]:
    """Call order of a whole queue (indexes into classes, True = priority), by choose_next."""
    normals = [i for i, p in enumerate(classes) if not p]
    prios = [i for i, p in enumerate(classes) if p]
    order: list[int] = []
    while normals or prios:
        q = service(
            1,
            normal=cand(normals[0], normals[0]) if normals else None,
            prio=cand(prios[0], prios[0], priority=True) if prios else None,
            policy=policy,
            every_n=every_n,
            since=since,
        )
        picked = queue.choose_next([q])
        assert picked is not None
        order.append(picked.ticket_id)
        if picked.priority:
            prios.pop(0)
            since = 0
        else:
            normals.pop(0)
            since += 1
    return order


@pytest.mark.parametrize("policy", list(PriorityPolicy))
@pytest.mark.parametrize("every_n", [1, 2, 3])
@pytest.mark.parametrize("since", [0, 1, 3])
def test_people_ahead_matches_the_real_call_order(policy: PriorityPolicy, every_n: int, since: int) -> None:
    """For every small queue shape, people_ahead agrees with simulating choose_next."""
    for classes in itertools.chain.from_iterable(
        itertools.product([False, True], repeat=n) for n in range(1, 7)
    ):
        order = simulate(policy, every_n, since, list(classes))
        for index, is_priority in enumerate(classes):
            same_class_before = sum(1 for j in range(index) if classes[j] == is_priority)
            other_class_total = sum(1 for c in classes if c != is_priority)
            ahead = queue.people_ahead(
                policy=policy,
                every_n=every_n,
                normal_since_priority=since,
                is_priority=is_priority,
                priority_before=same_class_before if is_priority else other_class_total,
                normal_before=other_class_total if is_priority else same_class_before,
            )
            assert ahead == order.index(index), (classes, index)


@pytest.mark.parametrize(
    ("ahead", "minutes", "counters", "expected"),
    [(0, 8, 2, 0), (1, 8, 1, 8), (10, 8, 2, 40), (3, 5, 0, 15), (1, 0.2, 4, 1)],
)
def test_estimated_wait(ahead: int, minutes: float, counters: int, expected: int) -> None:
    assert (
        queue.estimated_wait_minutes(ahead=ahead, average_service_minutes=minutes, open_counters=counters)
        == expected
    )


def test_transfer_to_the_front_goes_ahead_of_everyone_waiting() -> None:
    now = T0 + dt.timedelta(hours=2)
    front = T0 + dt.timedelta(minutes=10)
    key = queue.transfer_queue_key(position=TransferPosition.FRONT, back=now, target_front=front)
    assert key < front
    assert queue.transfer_queue_key(position=TransferPosition.FRONT, back=now, target_front=None) == now
    assert queue.transfer_queue_key(position=TransferPosition.BACK, back=now, target_front=front) == now


def test_no_show_needs_the_configured_calls() -> None:
    with pytest.raises(errors.IllegalTransition, match="3 lần"):
        queue.no_show_allowed(call_count=2, required_calls=3)
    queue.no_show_allowed(call_count=3, required_calls=3)
