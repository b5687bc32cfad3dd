"""Queue rules: ticket states, who is called next, and how long a citizen waits.

Plain functions over dataclasses. The server loads rows into these, applies a rule and
saves the result in one transaction; apps never compute queue state themselves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from onestop import errors
from onestop.enums import PriorityPolicy, TicketStatus, TransferPosition

# Which states each state may move to. Anything else is an IllegalTransition (HTTP 409).
TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.WAITING: frozenset({TicketStatus.CALLED, TicketStatus.TRANSFERRED, TicketStatus.CANCELLED}),
    TicketStatus.TRANSFERRED: frozenset(
        {TicketStatus.CALLED, TicketStatus.TRANSFERRED, TicketStatus.CANCELLED}
    ),
    TicketStatus.CALLED: frozenset(
        {
            TicketStatus.CALLED,  # a recall
            TicketStatus.SERVING,
            TicketStatus.NO_SHOW,
            TicketStatus.TRANSFERRED,
            TicketStatus.CANCELLED,
        }
    ),
    TicketStatus.SERVING: frozenset({TicketStatus.DONE, TicketStatus.TRANSFERRED}),
    TicketStatus.NO_SHOW: frozenset({TicketStatus.WAITING}),
    TicketStatus.DONE: frozenset(),
    TicketStatus.CANCELLED: frozenset(),
}

# Tickets that wait in a service queue and can be called.
CALLABLE = frozenset({TicketStatus.WAITING, TicketStatus.TRANSFERRED})
# Tickets that occupy a counter.
ACTIVE = frozenset({TicketStatus.CALLED, TicketStatus.SERVING})

STATUS_NAMES_VI: dict[TicketStatus, str] = {
    TicketStatus.WAITING: "đang chờ",
    TicketStatus.CALLED: "đã được gọi",
    TicketStatus.SERVING: "đang được phục vụ",
    TicketStatus.DONE: "đã hoàn thành",
    TicketStatus.NO_SHOW: "vắng mặt",
    TicketStatus.TRANSFERRED: "đã chuyển quầy, đang chờ",
    TicketStatus.CANCELLED: "đã hủy",
}


def check_transition(number: str, current: TicketStatus, target: TicketStatus) -> None:
    """Raise IllegalTransition with a Vietnamese reason unless current → target is allowed."""
    if target not in TRANSITIONS[current]:
        raise errors.IllegalTransition(
            f"Số {number} {STATUS_NAMES_VI[current]}, không thể chuyển sang "
            f"trạng thái “{STATUS_NAMES_VI[target]}”."
        )


def format_number(letter: str, seq: int, width: int) -> str:
    """The printed ticket number: letter + zero-padded daily sequence, e.g. A007."""
    return f"{letter}{seq:0{width}d}"


@dataclasses.dataclass(frozen=True)
class Candidate:
    """The head of one priority class of one service's queue."""

    ticket_id: int
    queue_key: dt.datetime
    priority: bool


@dataclasses.dataclass(frozen=True)
class ServiceQueue:
    """What call-next needs to know about one service a counter serves."""

    service_id: int
    policy: PriorityPolicy
    every_n: int
    normal_since_priority: int  # normal calls in this service since its last priority call
    priority_head: Candidate | None
    normal_head: Candidate | None


def priority_turn(*, policy: PriorityPolicy, every_n: int, normal_since_priority: int) -> bool:
    """Whether a waiting priority ticket should be called before the next normal one."""
    if policy is PriorityPolicy.STRICT:
        return True
    return normal_since_priority >= max(every_n, 1)


def pick_in_service(queue: ServiceQueue) -> Candidate | None:
    """The ticket this service's queue offers next, by its priority policy."""
    if queue.priority_head is None:
        return queue.normal_head
    if queue.normal_head is None:
        return queue.priority_head
    turn = priority_turn(
        policy=queue.policy,
        every_n=queue.every_n,
        normal_since_priority=queue.normal_since_priority,
    )
    return queue.priority_head if turn else queue.normal_head


def choose_next(queues: Sequence[ServiceQueue]) -> Candidate | None:
    """Call-next: the counter's services in their serving order, first one with a ticket wins."""
    for queue in queues:
        picked = pick_in_service(queue)
        if picked is not None:
            return picked
    return None


def people_ahead(
    *,
    policy: PriorityPolicy,
    every_n: int,
    normal_since_priority: int,
    is_priority: bool,
    priority_before: int,
    normal_before: int,
) -> int:
    """How many tickets of the same service will be called before this one.

    ``priority_before`` and ``normal_before`` count the waiting tickets of each class that
    stand ahead of this ticket: for a priority ticket, the priority tickets queued before it
    and every waiting normal ticket (any of them may get a turn first); for a normal ticket,
    the normal tickets before it and every waiting priority ticket.
    """
    since = normal_since_priority
    # Both classes counted with this ticket included: it is the last of its own class.
    priorities = priority_before + (1 if is_priority else 0)
    normals = normal_before + (0 if is_priority else 1)
    ahead = 0
    while True:
        turn = priority_turn(policy=policy, every_n=every_n, normal_since_priority=since)
        if priorities > 0 and (turn or normals == 0):
            if is_priority and priorities == 1:
                return ahead
            priorities, since = priorities - 1, 0
        else:
            if not is_priority and normals == 1:
                return ahead
            normals, since = normals - 1, since + 1
        ahead += 1


def estimated_wait_minutes(*, ahead: int, average_service_minutes: float, open_counters: int) -> int:
    """People ahead × recent average service time ÷ open counters serving the service.

    With no counter open yet we divide by one: the estimate is then what one counter would
    take, which is what the citizen will see once the first counter opens.
    """
    if ahead <= 0:
        return 0
    minutes = ahead * average_service_minutes / max(open_counters, 1)
    return max(1, round(minutes))


def transfer_queue_key(
    *,
    position: TransferPosition,
    back: dt.datetime,
    target_front: dt.datetime | None,
) -> dt.datetime:
    """Where a transferred ticket stands in its new queue, given the place behind everyone who
    joined it so far (``back``) and the earliest ticket waiting there (``target_front``).

    FRONT puts it just ahead of the earliest ticket waiting there; BACK behind everyone.
    """
    if position is TransferPosition.BACK or target_front is None:
        return back
    return min(target_front - dt.timedelta(milliseconds=1), back)


def no_show_allowed(*, call_count: int, required_calls: int) -> None:
    """An officer may mark a no-show only after calling the number the configured times."""
    if call_count < required_calls:
        raise errors.IllegalTransition(
            f"Cần gọi đủ {required_calls} lần trước khi đánh dấu vắng mặt (mới gọi {call_count} lần)."
        )
