"""What the hall screen shows, kept from the board snapshot and the live events (no Qt).

The snapshot (GET /board) is the truth as of its ``last_event_id``; events after it are
applied on top. Events that arrived while a snapshot was on its way are kept and applied
again over it, so a slow snapshot never turns the screen back.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
from collections.abc import Collection
from typing import Any

CALLS = frozenset({"ticket.called", "ticket.recalled"})
# A ticket in one of these states is no longer at its counter.
GONE = frozenset({"finished", "no_show", "cancelled", "waiting"})
KEEP_EVENTS = 500  # events kept to re-apply over a snapshot; far more than arrive in its round trip


@dataclasses.dataclass(frozen=True)
class Call:
    """One call of a ticket to a counter, as the board features and announces it."""

    event_id: int
    ticket_id: int
    number: str
    counter_id: int
    counter_number: int
    priority: bool
    recall: bool
    called_at: dt.datetime


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def call_of(event_id: int, created_at: str, payload: dict[str, Any], *, recall: bool) -> Call:
    return Call(
        event_id=event_id,
        ticket_id=payload["ticket_id"],
        number=payload["number"],
        counter_id=payload["counter_id"],
        counter_number=payload["counter_number"],
        priority=payload.get("priority_group") is not None,
        recall=recall,
        called_at=_time(created_at),
    )


class BoardState:
    """The counters, waiting lines, recent calls and notice of the part of the hall shown.

    ``counter_numbers`` / ``agency_codes`` choose the counters (a floor, an agency); empty
    means all. Waiting lines shown are those the chosen counters serve.
    """

    def __init__(
        self,
        *,
        counter_numbers: Collection[int] = (),
        agency_codes: Collection[str] = (),
        recent_limit: int = 6,
    ) -> None:
        self._numbers = frozenset(counter_numbers)
        self._agency_codes = frozenset(agency_codes)
        self._recent_limit = recent_limit
        self.loaded = False
        self.centre: dict[str, Any] = {}
        self.business_day: dt.date | None = None
        self.server_time: dt.datetime | None = None
        self.counters: list[dict[str, Any]] = []
        self.services: list[dict[str, Any]] = []
        self.recent: list[Call] = []
        self.snapshot_event_id = 0
        self.last_event_id = 0
        self._events: collections.deque[dict[str, Any]] = collections.deque(maxlen=KEEP_EVENTS)

    # ------------------------------------------------------------ snapshot

    def load(self, snapshot: dict[str, Any], agencies: dict[int, str] | None = None) -> None:
        """Replace everything with ``snapshot``, then re-apply the newer events already seen.

        ``agencies`` maps agency id -> code, needed only when agencies choose the counters.
        """
        self.loaded = True
        self.centre = snapshot["centre"]
        self.business_day = dt.date.fromisoformat(snapshot["business_day"])
        self.server_time = _time(snapshot["server_time"])
        self.snapshot_event_id = snapshot["last_event_id"]
        self.last_event_id = max(self.last_event_id, self.snapshot_event_id)
        self.counters = [dict(c) for c in snapshot["counters"] if self._chosen(c, agencies or {})]
        served = {sid for c in self.counters for sid in c["service_ids"]}
        everything = not self._numbers and not self._agency_codes
        self.services = [s for s in snapshot["services"] if everything or s["id"] in served]
        calls = [
            call_of(c["event_id"], c["called_at"], c, recall=c["recall"])
            for c in reversed(snapshot["recent_calls"])
        ]
        self.recent = []
        for call in calls:
            if self.shows(call.counter_id):
                self._remember(call)
        for event in self._events:
            if event["id"] > self.snapshot_event_id:
                self._apply(event)

    def _chosen(self, counter: dict[str, Any], agencies: dict[int, str]) -> bool:
        if not self._numbers and not self._agency_codes:
            return True
        return counter["number"] in self._numbers or agencies.get(counter["agency_id"]) in self._agency_codes

    def shows(self, counter_id: int | None) -> bool:
        return any(c["id"] == counter_id for c in self.counters)

    def counter(self, counter_id: int | None) -> dict[str, Any] | None:
        return next((c for c in self.counters if c["id"] == counter_id), None)

    @property
    def waiting(self) -> int:
        return sum(s["waiting"] for s in self.services)

    # ------------------------------------------------------------ events

    def apply(self, event: dict[str, Any]) -> Call | None:
        """Apply one live event; the call it makes at a shown counter, if it is one."""
        if event["id"] <= self.snapshot_event_id:
            # Already in the snapshot: nothing to change, but a call still counts as one
            # the board has not featured yet (the caller dedupes by event id).
            return self._call(event)
        self.last_event_id = max(self.last_event_id, event["id"])
        self._events.append(event)
        return self._apply(event)

    def _call(self, event: dict[str, Any]) -> Call | None:
        if event["type"] not in CALLS or not self.shows(event["payload"].get("counter_id")):
            return None
        return call_of(
            event["id"], event["created_at"], event["payload"], recall=event["type"] == "ticket.recalled"
        )

    def _apply(self, event: dict[str, Any]) -> Call | None:
        kind, payload = event["type"], event["payload"]
        if kind == "centre.notice":
            self.centre = {**self.centre, "notice": payload["notice"]}
            return None
        if kind.startswith("counter."):
            counter = self.counter(payload["counter_id"])
            if counter is not None:
                counter["status"] = payload["status"]
                if payload["status"] == "closed":
                    counter["current_ticket"] = None
            return None
        if not kind.startswith("ticket."):
            return None
        call = self._call(event)
        if call is not None:
            counter = self.counter(call.counter_id)
            assert counter is not None
            counter["current_ticket"] = {
                "id": call.ticket_id,
                "number": call.number,
                "priority_group": payload.get("priority_group"),
                "status": payload["status"],
            }
            self._remember(call)
            return call
        for counter in self.counters:
            current = counter.get("current_ticket")
            if current and current["id"] == payload.get("ticket_id"):
                if payload["status"] in GONE or payload.get("counter_id") != counter["id"]:
                    counter["current_ticket"] = None
                else:
                    current["status"] = payload["status"]
        return None

    def _remember(self, call: Call) -> None:
        """Newest first, one line per ticket (a recall moves it back to the top)."""
        self.recent = [c for c in self.recent if c.ticket_id != call.ticket_id]
        self.recent.insert(0, call)
        del self.recent[self._recent_limit :]
