"""Supervision calls (/api/v1/supervision): the centre's live overview and the supervisor's actions.

Cancelling a ticket and setting the board's notice line are ``Client.cancel`` and
``Client.set_notice``: the queue routes already admit supervisors.
"""

from __future__ import annotations

from typing import Any

from apiclient import errors
from apiclient.calls import Calls, JsonObject


def _object(value: Any) -> JsonObject:
    if not isinstance(value, dict):
        raise errors.ServerUnavailable(errors.BAD_REPLY, reason=f"expected an object, got {value!r:.80}")
    return value


class SupervisionCalls(Calls):
    def overview(self, centre_id: int | None = None) -> JsonObject:
        """Managers: counters, lines (with the longest wait), devices, dossiers due, and the
        ``last_event_id`` to follow the event stream from; default centre: the caller's."""
        return _object(self._get("/supervision/overview", centre_id=centre_id))

    def move_ticket(self, ticket_id: int, service_id: int) -> JsonObject:
        """Move a ticket waiting today to another service of its centre (it keeps its number)."""
        return _object(self._post(f"/supervision/tickets/{ticket_id}/move", {"service_id": service_id}))

    def supervisor_close_counter(self, counter_id: int) -> JsonObject:
        """Close a counter left open or paused; its ticket goes back to the front of its line."""
        return _object(self._post(f"/supervision/counters/{counter_id}/close"))

    def reprint_ticket(self, ticket_id: int) -> JsonObject:
        """The ticket with its public token, to print again; audited on the server."""
        return _object(self._post(f"/supervision/tickets/{ticket_id}/reprint"))
