"""The board's picture of the hall: a snapshot, then events on top, never turned back."""

from __future__ import annotations

import copy
from typing import Any

from display_board.state import BoardState

T0 = "2026-11-27T08:00:00+07:00"


def counter(cid: int, number: int, services: list[int], *, agency_id: int = 1, status: str = "open") -> dict:
    return {
        "id": cid,
        "number": number,
        "name": f"Quầy số {number}",
        "agency_id": agency_id,
        "agency_name": "Sở Tư pháp",
        "service_ids": services,
        "status": status,
        "current_ticket": None,
    }


SNAPSHOT: dict[str, Any] = {
    "centre": {"id": 1, "name": "Trung tâm", "notice": "", "office_hours": "07:00-11:30"},
    "business_day": "2026-11-27",
    "server_time": T0,
    "last_event_id": 10,
    "counters": [counter(1, 1, [1]), counter(2, 2, [2], agency_id=2), counter(3, 3, [1, 3], agency_id=3)],
    "services": [
        {"id": 1, "letter": "A", "name": "Tư pháp", "waiting": 4},
        {"id": 2, "letter": "B", "name": "Công an", "waiting": 2},
        {"id": 3, "letter": "C", "name": "Kinh doanh", "waiting": 1},
    ],
    "recent_calls": [],
}


def call_event(eid: int, ticket_id: int, number: str, counter_id: int, *, recall: bool = False, **extra: Any):
    payload = {
        "ticket_id": ticket_id,
        "number": number,
        "status": "called",
        "service_id": 1,
        "priority_group": None,
        "counter_id": counter_id,
        "counter_number": counter_id,
        "call_count": 2 if recall else 1,
        **extra,
    }
    return {
        "id": eid,
        "type": "ticket.recalled" if recall else "ticket.called",
        "created_at": T0,
        "centre_id": 1,
        "counter_id": counter_id,
        "service_id": 1,
        "payload": payload,
    }


def ticket_event(eid: int, ticket_id: int, status: str, counter_id: int | None) -> dict:
    event = call_event(eid, ticket_id, "A001", counter_id or 0)
    event["type"] = f"ticket.{status}"
    event["payload"].update(status=status, counter_id=counter_id)
    return event


def test_a_call_sets_the_counter_and_tops_the_recent_list():
    state = BoardState()
    state.load(copy.deepcopy(SNAPSHOT))
    call = state.apply(call_event(11, 100, "A001", 1))
    assert call is not None and (call.number, call.counter_number, call.recall) == ("A001", 1, False)
    assert state.counter(1)["current_ticket"]["number"] == "A001"
    state.apply(call_event(12, 101, "B001", 2))
    state.apply(call_event(13, 100, "A001", 1, recall=True))
    assert [(c.number, c.recall) for c in state.recent] == [("A001", True), ("B001", False)]
    assert state.last_event_id == 13


def test_a_finished_or_transferred_ticket_leaves_its_counter_a_paused_counter_says_so():
    state = BoardState()
    state.load(copy.deepcopy(SNAPSHOT))
    state.apply(call_event(11, 100, "A001", 1))
    state.apply(ticket_event(12, 100, "serving", 1))
    assert state.counter(1)["current_ticket"]["status"] == "serving"
    state.apply(ticket_event(13, 100, "transferred", None))
    assert state.counter(1)["current_ticket"] is None
    state.apply(
        {
            "id": 14,
            "type": "counter.paused",
            "created_at": T0,
            "payload": {"counter_id": 1, "status": "paused"},
        }
    )
    assert state.counter(1)["status"] == "paused"
    state.apply(
        {"id": 15, "type": "centre.notice", "created_at": T0, "payload": {"centre_id": 1, "notice": "Chào"}}
    )
    assert state.centre["notice"] == "Chào"


def test_a_snapshot_older_than_the_events_seen_does_not_turn_the_screen_back():
    state = BoardState()
    state.load(copy.deepcopy(SNAPSHOT))
    state.apply(call_event(11, 100, "A001", 1))
    state.apply(call_event(12, 101, "A002", 3))
    stale = copy.deepcopy(SNAPSHOT)
    stale["last_event_id"] = 11  # read before event 12 was written
    stale["counters"][0]["current_ticket"] = {
        "id": 100,
        "number": "A001",
        "priority_group": None,
        "status": "called",
    }
    state.load(stale)
    assert state.counter(3)["current_ticket"]["number"] == "A002"
    assert state.counter(1)["current_ticket"]["number"] == "A001"
    # An event the snapshot already holds changes nothing but is still reported as a call.
    assert state.apply(call_event(11, 100, "A001", 1)) is not None


def test_a_board_for_some_counters_shows_only_them_and_their_lines():
    state = BoardState(counter_numbers=[2])
    state.load(copy.deepcopy(SNAPSHOT))
    assert [c["number"] for c in state.counters] == [2]
    assert [s["letter"] for s in state.services] == ["B"] and state.waiting == 2
    assert state.apply(call_event(11, 100, "A001", 1)) is None
    assert state.recent == []
    by_agency = BoardState(agency_codes=["STC"])
    by_agency.load(copy.deepcopy(SNAPSHOT), {1: "STP", 2: "CAT", 3: "STC"})
    assert [c["number"] for c in by_agency.counters] == [3]
    assert [s["letter"] for s in by_agency.services] == ["A", "C"]


def test_the_snapshots_recent_calls_fill_the_list_one_per_ticket():
    snapshot = copy.deepcopy(SNAPSHOT)
    newest_first = [call_event(9, 100, "A001", 1, recall=True), call_event(8, 101, "B001", 2)]
    newest_first.append(call_event(7, 100, "A001", 1))
    snapshot["recent_calls"] = [
        {
            "event_id": e["id"],
            "called_at": e["created_at"],
            "recall": e["type"] == "ticket.recalled",
            **e["payload"],
        }
        for e in newest_first
    ]
    state = BoardState(recent_limit=6)
    state.load(snapshot)
    assert [(c.number, c.recall) for c in state.recent] == [("A001", True), ("B001", False)]
