"""Client: one typed method per endpoint of the server's /api/v1.

Methods return the decoded JSON (dicts and lists, as server/schemas.py describes them) and
raise only onestop errors (apiclient.errors explains the mapping). Every request has a
timeout. One Client may serve a whole worker pool: it holds one requests.Session.

Usage::

    api = client.Client("http://127.0.0.1:8000")
    api.login("canbo1", password)
    api.open_counter(1)
    ticket = api.call_next(1)  # None when nobody waits
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib import parse

import requests

from apiclient import admin, errors, events, supervision, transport

log = logging.getLogger(__name__)

# Waits before each resend of a dossier intake whose reply was lost (then it gives up).
CREATE_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)
JsonObject = dict[str, Any]


def _object(value: Any) -> JsonObject:
    if not isinstance(value, dict):
        raise errors.ServerUnavailable(errors.BAD_REPLY, reason=f"expected an object, got {value!r:.80}")
    return value


def _objects(value: Any) -> list[JsonObject]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise errors.ServerUnavailable(errors.BAD_REPLY, reason=f"expected a list, got {value!r:.80}")
    return value


class Client(admin.AdminCalls, supervision.SupervisionCalls):
    """The API of one server. ``secret`` is an officer's access token or a device key."""

    def __init__(
        self,
        base_url: str,
        *,
        secret: str | None = None,
        timeout: float = 10.0,
        session: requests.Session | None = None,
        retry_delays: Sequence[float] = CREATE_RETRY_DELAYS,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = transport.Transport(transport.api_root(base_url), timeout=timeout, session=session)
        self._http.secret = secret
        self._retry_delays = tuple(retry_delays)
        self._sleep = sleep

    @property
    def secret(self) -> str | None:
        return self._http.secret

    @secret.setter
    def secret(self, value: str | None) -> None:
        self._http.secret = value

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # ------------------------------------------------------------ plumbing

    def _get(self, path: str, **params: str | int | None) -> Any:
        # Reads are safe to resend when a pooled connection turns out to be dead.
        return self._http.request("GET", path, params=params, retry_connect=True)

    def _post(self, path: str, body: Any = None, *, headers: dict[str, str] | None = None) -> Any:
        return self._http.request("POST", path, body=body, headers=headers)

    def _put(self, path: str, body: Any) -> Any:
        # PUT sets a whole value: sending it twice leaves the same state, so a dead pooled
        # connection may be retried.
        return self._http.request("PUT", path, body=body, retry_connect=True)

    def _get_bytes(self, path: str, **params: str | int | None) -> bytes:
        result: bytes = self._http.request("GET", path, params=params, retry_connect=True, raw=True)
        return result

    def _delete(self, path: str) -> Any:
        return self._http.request("DELETE", path)

    # ------------------------------------------------------------ sign-in, catalogue, health

    def healthz(self) -> JsonObject:
        return _object(self._get("/healthz"))

    def login(self, username: str, password: str) -> JsonObject:
        """Sign in; the token becomes this client's secret. Wrong password → Unauthorized."""
        reply = _object(self._post("/auth/login", {"username": username, "password": password}))
        self.secret = str(reply["access_token"])
        return reply

    def logout(self, token: str | None = None) -> None:
        """Sign out the session ``token`` (default: this client's): the server ends it, so the
        token no longer works anywhere. This client forgets it if it is its own, even when
        the server cannot be reached."""
        token = token or self.secret
        if token is not None and token == self.secret:
            self.secret = None
        if token is not None:
            self._http.request("POST", "/auth/logout", headers=transport.auth_headers(token))

    def centres(self) -> list[JsonObject]:
        return _objects(self._get("/centres"))

    def set_notice(self, centre_id: int, notice: str) -> JsonObject:
        """The scrolling line of the centre's hall screens ("" clears it); supervisors and admins."""
        return _object(self._put(f"/centres/{centre_id}/notice", {"notice": notice}))

    def priority_groups(self) -> list[JsonObject]:
        return _objects(self._get("/priority-groups"))

    def agencies(self) -> list[JsonObject]:
        return _objects(self._get("/agencies"))

    def procedures(
        self,
        q: str = "",
        limit: int = 50,
        *,
        agency_id: int | None = None,
        field_id: int | None = None,
    ) -> list[JsonObject]:
        """Search ignoring diacritics ("ly lich tu phap" finds "Lý lịch tư pháp")."""
        return _objects(self._get("/procedures", q=q, limit=limit, agency_id=agency_id, field_id=field_id))

    def procedure(self, procedure_id: int) -> JsonObject:
        return _object(self._get(f"/procedures/{procedure_id}"))

    def services(self, centre_id: int | None = None) -> list[JsonObject]:
        return _objects(self._get("/services", centre_id=centre_id))

    # ------------------------------------------------------------ counters

    def counters(self, *, centre_id: int | None = None) -> list[JsonObject]:
        return _objects(self._get("/counters", centre_id=centre_id))

    def counter(self, counter_id: int) -> JsonObject:
        return _object(self._get(f"/counters/{counter_id}"))

    def counter_queue(self, counter_id: int) -> JsonObject:
        """Staff: the counter, its current ticket, its services' lines and today's no-shows."""
        return _object(self._get(f"/counters/{counter_id}/queue"))

    def open_counter(self, counter_id: int) -> JsonObject:
        """Open a closed counter, or resume a paused one, for the signed-in officer."""
        return _object(self._post(f"/counters/{counter_id}/open"))

    def pause_counter(self, counter_id: int) -> JsonObject:
        return _object(self._post(f"/counters/{counter_id}/pause"))

    def close_counter(self, counter_id: int) -> JsonObject:
        return _object(self._post(f"/counters/{counter_id}/close"))

    def call_next(self, counter_id: int) -> JsonObject | None:
        """The ticket called to this counter, or None when nobody waits for its services."""
        reply = self._post(f"/counters/{counter_id}/call-next")
        return None if reply is None else _object(reply)

    # ------------------------------------------------------------ tickets

    def issue_ticket(
        self, service_id: int, priority_group: str | None = None, *, idempotency_key: str | None = None
    ) -> JsonObject:
        """A new ticket. With ``idempotency_key`` (a fresh one per tap), resending after
        ServerUnavailable returns the ticket the first send made, never a second one."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key is not None else None
        body = {"service_id": service_id, "priority_group": priority_group}
        return _object(self._post("/tickets", body, headers=headers))

    def ticket_by_key(self, idempotency_key: str) -> JsonObject:
        """The ticket this caller issued with ``idempotency_key``, as it is now; NotFound if that
        key made none. Only looks, never issues: the way to learn what a lost request did."""
        return _object(self._get(f"/tickets/by-key/{parse.quote(idempotency_key, safe='')}"))

    def ticket(self, ticket_id: int) -> JsonObject:
        """A ticket's state and live position (staff and devices; citizens use its page)."""
        return _object(self._get(f"/tickets/{ticket_id}"))

    def _ticket_action(self, ticket_id: int, action: str, body: Any = None) -> JsonObject:
        return _object(self._post(f"/tickets/{ticket_id}/{action}", body))

    def recall(self, ticket_id: int) -> JsonObject:
        return self._ticket_action(ticket_id, "recall")

    def no_show(self, ticket_id: int) -> JsonObject:
        return self._ticket_action(ticket_id, "no-show")

    def start(self, ticket_id: int) -> JsonObject:
        return self._ticket_action(ticket_id, "start")

    def finish(self, ticket_id: int) -> JsonObject:
        return self._ticket_action(ticket_id, "finish")

    def reactivate(self, ticket_id: int) -> JsonObject:
        return self._ticket_action(ticket_id, "reactivate")

    def transfer(self, ticket_id: int, service_id: int) -> JsonObject:
        return self._ticket_action(ticket_id, "transfer", {"service_id": service_id})

    def cancel(self, ticket_id: int, reason: str | None = None) -> JsonObject:
        """By the kiosk that issued the ticket, or a supervisor."""
        return self._ticket_action(ticket_id, "cancel", {"reason": reason})

    # ------------------------------------------------------------ board, devices, events

    def board(self, centre_id: int | None = None) -> JsonObject:
        return _object(self._get("/board", centre_id=centre_id))

    def report_device_status(self, fault: str | None = None) -> JsonObject:
        """A kiosk or board (device key as secret) says it is alive, with its fault if any."""
        return _object(self._post("/devices/status", {"fault": fault}))

    def devices(self) -> list[JsonObject]:
        """Supervisors and admins: every device and its last report."""
        return _objects(self._get("/devices"))

    def events(
        self,
        *,
        counters: Iterable[int] | None = None,
        services: Iterable[int] | None = None,
        centre_id: int | None = None,
        last_event_id: int | str | None = None,
        on_status: Callable[[events.Status], object] | None = None,
    ) -> events.EventStream:
        """The live event stream with this client's server and secret (see EventStream)."""
        return events.EventStream(
            self.base_url,
            secret=self.secret,
            counters=counters,
            services=services,
            centre_id=centre_id,
            last_event_id=last_event_id,
            on_status=on_status,
        )

    # ------------------------------------------------------------ dossiers

    def create_dossier(self, body: JsonObject, *, idempotency_key: str | None = None) -> JsonObject:
        """Receive a dossier (body as server/schemas.py DossierIn); the server assigns its code.

        A dossier recorded earlier on the counter PC carries ``"recorded_at"`` (a datetime, sent
        as ISO 8601; within the last 72 hours): its due time counts from then.

        Resent with the same Idempotency-Key while the server is unreachable, so a lost reply
        neither makes a second dossier nor loses the first. To retry later yourself (after
        ServerUnavailable), pass the key you made once for this dossier.
        """
        headers = {"Idempotency-Key": idempotency_key or str(uuid.uuid4())}
        for delay in (*self._retry_delays, None):
            try:
                return _object(self._post("/dossiers", body, headers=headers))
            except errors.ServerUnavailable as exc:
                if delay is None:
                    raise
                log.warning("dossier intake: %s; resending in %.1f s", exc.reason, delay)
                # Equal jitter: kiosks and counters that lost the server together come back apart.
                self._sleep(delay / 2 + random.uniform(0, delay / 2))
        raise AssertionError("unreachable: the last try returns or raises")

    def dossier(self, code: str, *, token: str | None = None) -> JsonObject:
        """A dossier by code: in full for staff of its centre; masked for a kiosk of its
        centre or with the receipt's ``token``; otherwise only its status and due time."""
        return _object(self._get(f"/dossiers/{code}", token=token))

    def dossiers_by_id_number(self, id_number: str) -> list[JsonObject]:
        """Staff: the applicant's newest dossiers (at most 20); spaces in the number are ignored."""
        return _objects(self._get("/dossiers", id_number=id_number))

    def tracking_book(self, start: dt.date, end: dt.date, *, field_id: int | None = None) -> list[JsonObject]:
        """Staff: dossiers received from ``start`` to ``end`` (both included), in order received."""
        return _objects(
            self._get(
                "/dossiers/tracking-book", start=start.isoformat(), end=end.isoformat(), field_id=field_id
            )
        )

    def dossier_history(self, code: str) -> list[JsonObject]:
        """Staff: the dossier's steps in order: {at, action, action_name, actor, note}."""
        return _objects(self._get(f"/dossiers/{code}/history"))

    def _dossier_action(
        self, code: str, action: str, body: Any = None, *, idempotency_key: str | None = None
    ) -> JsonObject:
        # One try: a caller that resends (the counter's outbox) passes the key it keeps per action.
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key is not None else None
        return _object(self._post(f"/dossiers/{code}/{action}", body, headers=headers))

    def supplement_request(
        self, code: str, items: list[JsonObject], reason: str, *, idempotency_key: str | None = None
    ) -> JsonObject:
        """Ask for more papers; ``items`` are {name, kind, copies, note?}."""
        body = {"items": items, "reason": reason}
        return self._dossier_action(code, "supplement-request", body, idempotency_key=idempotency_key)

    def supplemented(self, code: str, *, idempotency_key: str | None = None) -> JsonObject:
        return self._dossier_action(code, "supplemented", idempotency_key=idempotency_key)

    def refuse(self, code: str, reason: str, *, idempotency_key: str | None = None) -> JsonObject:
        return self._dossier_action(code, "refuse", {"reason": reason}, idempotency_key=idempotency_key)

    def extend(
        self, code: str, reason: str, new_due_at: dt.datetime, *, idempotency_key: str | None = None
    ) -> JsonObject:
        """A naive ``new_due_at`` is read by the server as Vietnamese local time."""
        body = {"reason": reason, "new_due_at": new_due_at}
        return self._dossier_action(code, "extend", body, idempotency_key=idempotency_key)

    def ready(self, code: str, *, idempotency_key: str | None = None) -> JsonObject:
        return self._dossier_action(code, "ready", idempotency_key=idempotency_key)

    def return_result(
        self,
        code: str,
        returned_to: str,
        method: str = "counter",
        *,
        returned_at: dt.datetime | None = None,
        idempotency_key: str | None = None,
    ) -> JsonObject:
        """``returned_at``: when the counter PC recorded it (within the last 72 hours); None: now."""
        body = {"returned_to": returned_to, "method": method, "returned_at": returned_at}
        return self._dossier_action(code, "return", body, idempotency_key=idempotency_key)

    def rate(
        self,
        code: str,
        level: str,
        reason: str | None = None,
        *,
        rated_at: dt.datetime | None = None,
        idempotency_key: str | None = None,
    ) -> JsonObject:
        """``level``: rat_hai_long, hai_long or khong_hai_long (which needs a reason)."""
        body = {"level": level, "reason": reason, "rated_at": rated_at}
        return self._dossier_action(code, "rating", body, idempotency_key=idempotency_key)

    # ------------------------------------------------------------ reports

    def queue_report(
        self,
        start: dt.date,
        end: dt.date,
        *,
        group_by: str = "service",
        centre_id: int | None = None,
        target_wait_minutes: int = 15,
    ) -> JsonObject:
        """Managers: {report, start, end, centre_id, group_by, rows, total, busiest_hours, ...}."""
        return _object(
            self._get(
                "/reports/queue",
                start=start.isoformat(),
                end=end.isoformat(),
                group_by=group_by,
                centre_id=centre_id,
                target_wait_minutes=target_wait_minutes,
            )
        )

    def dossier_report(
        self, start: dt.date, end: dt.date, *, group_by: str = "agency", centre_id: int | None = None
    ) -> JsonObject:
        """Managers: received, returned early / on time / late, overdue now, supplements, refusals..."""
        return _object(
            self._get(
                "/reports/dossiers",
                start=start.isoformat(),
                end=end.isoformat(),
                group_by=group_by,
                centre_id=centre_id,
            )
        )

    def satisfaction_report(
        self, start: dt.date, end: dt.date, *, group_by: str = "officer", centre_id: int | None = None
    ) -> JsonObject:
        """Managers: ratings per officer or field, and the reasons of the dissatisfied."""
        return _object(
            self._get(
                "/reports/satisfaction",
                start=start.isoformat(),
                end=end.isoformat(),
                group_by=group_by,
                centre_id=centre_id,
            )
        )

    def officer_report(self, start: dt.date, end: dt.date, *, centre_id: int | None = None) -> JsonObject:
        """Managers: per officer, served, service time, open hours, served per hour, ratings."""
        return _object(
            self._get("/reports/officers", start=start.isoformat(), end=end.isoformat(), centre_id=centre_id)
        )
