"""/api/v1 routes of the queue: tickets, counters, the board and the live event stream."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from sqlalchemy import orm

from onestop import errors
from server import counters as counter_ops
from server import events, models, replies, schemas, tickets, views
from server.auth import Principal
from server.deps import AppState, Canceller, Issuer, Staff, State, Watcher, check_rate

router = APIRouter()
CentreId = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
IDS = r"^[0-9]{1,9}(,[0-9]{1,9})*$"
NO_TICKET: dict[int | str, dict[str, Any]] = {204: {"description": "Không còn ai chờ ở các dịch vụ của quầy"}}


def _ticket_action(
    app: State, principal: Principal, func: Callable[..., models.Ticket], **kwargs: Any
) -> schemas.TicketOut:
    now = app.settings.clock()
    with app.db.write() as session:
        ticket = func(session, principal=principal, now=now, **kwargs)
        return views.ticket_out(session, ticket, now)


@router.post("/tickets", status_code=201, response_model=schemas.TicketOut)
def issue_ticket(
    body: schemas.TicketIn, app: State, principal: Issuer, request: Request, key: replies.OptionalKey = None
) -> schemas.TicketOut | Response:
    """A new ticket. With an Idempotency-Key (a kiosk makes a fresh one per tap), a resend
    whose first reply was lost gets that first reply back (201, with Idempotency-Replayed:
    true) and no second ticket; the key is the issuer's own: the same key with another body,
    or from another device or user, is a 422. ``GET /tickets/by-key/{key}`` tells, without
    issuing, whether a key made a ticket."""
    now = app.settings.clock()
    if principal.device is not None:
        _check_kiosk_rate(app, principal.device, now)

    def act(session: orm.Session) -> schemas.TicketOut:
        ticket, ahead, wait = tickets.issue(
            session,
            principal=principal,
            service_id=body.service_id,
            priority_group=body.priority_group,
            now=now,
        )
        return views.ticket_out(session, ticket, now, position=(ahead, wait))

    if key is None:
        with app.db.write() as session:
            return act(session)
    # The issuer is part of the request: a key never answers with another device's ticket.
    sent = replies.Request.of(
        key=key,
        method=request.method,
        path=request.url.path,
        body={"ticket": body.model_dump(mode="json"), "issuer": _issuer(principal)},
    )
    return replies.once(app.db, sent, act, user_id=principal.user_id, now=now, status=201)


KIOSK_FLOOD = "Ki-ốt đang cấp số quá nhanh. Vui lòng chờ giây lát rồi bấm lại."


def _check_kiosk_rate(app: AppState, device: models.Device, now: dt.datetime) -> None:
    """A kiosk issues at a citizen's pace (server/ratelimit.py); a key scripted in a loop is
    refused, and the centre's supervisor sees the burst on the overview."""
    try:
        check_rate(app.issuing, f"device:{device.id}", KIOSK_FLOOD)
    except HTTPException:
        if app.flood_marks.take(f"device:{device.id}") is None:  # written once a minute at most
            with app.db.write() as session:
                tickets.mark_flood(session, device=session.get_one(models.Device, device.id), now=now)
        raise


def _issuer(principal: Principal) -> str:
    return f"device:{principal.device.id}" if principal.device is not None else f"user:{principal.user_id}"


@router.get(
    "/tickets/by-key/{key:path}",
    response_model=schemas.TicketOut,
    responses={404: {"description": "Không có số nào được cấp với khóa này cho thiết bị này"}},
)
def ticket_by_key(
    key: Annotated[str, Path(min_length=8, max_length=128)], app: State, principal: Issuer, request: Request
) -> schemas.TicketOut:
    """The ticket the caller issued with this Idempotency-Key, as it is now; 404 when the
    key made no ticket (or made another device's or user's). Only looks: never issues.

    A kiosk whose issue request went unanswered (no reply even after resending) asks this
    once the server is back: a ticket found was issued but never printed, so it cancels it.
    A resend of the POST would instead issue a ticket if the first send never arrived."""
    now = app.settings.clock()
    with app.db.read() as session:
        ticket = tickets.issued_with_key(
            session, principal=principal, key=key, path=request.url_for("issue_ticket").path
        )
        return views.ticket_out(session, ticket, now)


@router.get("/tickets/{ticket_id}", response_model=schemas.TicketOut)
def get_ticket(ticket_id: int, app: State, principal: Watcher) -> schemas.TicketOut:
    """A ticket's live position, for staff and devices. The citizen's page is reached by the
    ticket's public token (/tra-cuu/so/…), so nobody can walk other people's tickets by id."""
    now = app.settings.clock()
    with app.db.read() as session:
        ticket = tickets.get_ticket(session, ticket_id)
        tickets.check_ticket_centre(principal, ticket)
        return views.ticket_out(session, ticket, now)


@router.post("/tickets/{ticket_id}/recall", response_model=schemas.TicketOut)
def recall(ticket_id: int, app: State, principal: Staff) -> schemas.TicketOut:
    return _ticket_action(app, principal, tickets.recall, ticket_id=ticket_id)


@router.post("/tickets/{ticket_id}/no-show", response_model=schemas.TicketOut)
def no_show(ticket_id: int, app: State, principal: Staff) -> schemas.TicketOut:
    return _ticket_action(app, principal, tickets.no_show, ticket_id=ticket_id)


@router.post("/tickets/{ticket_id}/reactivate", response_model=schemas.TicketOut)
def reactivate(ticket_id: int, app: State, principal: Staff) -> schemas.TicketOut:
    return _ticket_action(app, principal, tickets.reactivate, ticket_id=ticket_id)


@router.post("/tickets/{ticket_id}/start", response_model=schemas.TicketOut)
def start(ticket_id: int, app: State, principal: Staff) -> schemas.TicketOut:
    return _ticket_action(app, principal, tickets.start, ticket_id=ticket_id)


@router.post("/tickets/{ticket_id}/finish", response_model=schemas.TicketOut)
def finish(ticket_id: int, app: State, principal: Staff) -> schemas.TicketOut:
    return _ticket_action(app, principal, tickets.finish, ticket_id=ticket_id)


@router.post("/tickets/{ticket_id}/transfer", response_model=schemas.TicketOut)
def transfer(ticket_id: int, body: schemas.TransferIn, app: State, principal: Staff) -> schemas.TicketOut:
    return _ticket_action(app, principal, tickets.transfer, ticket_id=ticket_id, service_id=body.service_id)


@router.post("/tickets/{ticket_id}/cancel", response_model=schemas.TicketOut)
def cancel(
    ticket_id: int, app: State, principal: Canceller, body: schemas.CancelIn | None = None
) -> schemas.TicketOut:
    return _ticket_action(
        app, principal, tickets.cancel, ticket_id=ticket_id, reason=body.reason if body else None
    )


# ---------------------------------------------------------------- counters


@router.get("/counters", response_model=list[schemas.CounterOut])
def list_counters(app: State, centre_id: int | None = None) -> list[schemas.CounterOut]:
    with app.db.read() as session:
        return views.counters(session, views.default_centre(session, centre_id).id)


@router.get("/counters/{counter_id}", response_model=schemas.CounterOut)
def get_counter(counter_id: int, app: State) -> schemas.CounterOut:
    with app.db.read() as session:
        return views.counter_out(session, tickets.get_counter(session, counter_id))


@router.get("/counters/{counter_id}/queue", response_model=schemas.CounterQueueOut)
def counter_queue(counter_id: int, app: State, principal: Staff) -> schemas.CounterQueueOut:
    """The counter's desk: its state, current ticket, its services' lines and today's no-shows."""
    with app.db.read() as session:
        counter = tickets.get_counter(session, counter_id)
        tickets.check_counter_centre(principal, counter)
        return views.counter_queue(session, counter, app.settings.clock())


def _counter_action(
    app: State, principal: Principal, func: Callable[..., models.Counter], counter_id: int
) -> schemas.CounterOut:
    with app.db.write() as session:
        counter = func(session, principal=principal, counter_id=counter_id, now=app.settings.clock())
        return views.counter_out(session, counter)


@router.post("/counters/{counter_id}/open", response_model=schemas.CounterOut)
def open_counter(counter_id: int, app: State, principal: Staff) -> schemas.CounterOut:
    """Open a closed counter, or resume a paused one."""
    return _counter_action(app, principal, counter_ops.open_, counter_id)


@router.post("/counters/{counter_id}/pause", response_model=schemas.CounterOut)
def pause_counter(counter_id: int, app: State, principal: Staff) -> schemas.CounterOut:
    return _counter_action(app, principal, counter_ops.pause, counter_id)


@router.post("/counters/{counter_id}/close", response_model=schemas.CounterOut)
def close_counter(counter_id: int, app: State, principal: Staff) -> schemas.CounterOut:
    return _counter_action(app, principal, counter_ops.close, counter_id)


@router.post("/counters/{counter_id}/call-next", response_model=schemas.TicketOut, responses=NO_TICKET)
def call_next(counter_id: int, app: State, principal: Staff) -> schemas.TicketOut | Response:
    now = app.settings.clock()
    with app.db.write() as session:
        ticket = tickets.call_next(session, principal=principal, counter_id=counter_id, now=now)
        return views.ticket_out(session, ticket, now) if ticket else Response(status_code=204)


# ---------------------------------------------------------------- board and events


@router.get("/services", response_model=list[schemas.ServiceOut])
def list_services(app: State, centre_id: int | None = None) -> list[schemas.ServiceOut]:
    with app.db.read() as session:
        centre = views.default_centre(session, centre_id)
        return views.services(session, centre.id, app.settings.clock())


@router.get("/board")
def board(app: State, principal: Watcher, centre_id: CentreId = None) -> dict[str, Any]:
    """The whole current state of the caller's centre (an administrator names any centre)."""
    with app.db.read() as session:
        centre = views.default_centre(session, _watched_centre(principal, centre_id))
        return views.board(session, centre, app.settings.clock())


def _watched_centre(principal: Principal, requested: int | None) -> int | None:
    """The centre a board or stream shows: the caller's own; another only for an administrator."""
    if requested is not None and not principal.oversees(requested):
        raise errors.Forbidden("Chỉ xem được trung tâm của mình.")
    return requested if requested is not None else principal.centre_id


def _ids(text: str | None) -> frozenset[int] | None:
    return frozenset(int(part) for part in text.split(",")) if text else None


def _sse(row: dict[str, Any]) -> ServerSentEvent:
    return ServerSentEvent(id=str(row["id"]), event=row["type"], raw_data=json.dumps(row, ensure_ascii=False))


@dataclasses.dataclass(frozen=True)
class _Admitted:
    centre_id: int | None
    owner: events.Owner


def _admit_stream(app: State, principal: Watcher, centre_id: CentreId = None) -> _Admitted:
    """Checked before the stream's 200 is sent (nothing can be refused after it): the centre
    it may watch, and room for one more stream of this caller (429 otherwise)."""
    watched = _watched_centre(principal, centre_id)
    owner = events.Owner(
        user_id=principal.user_id, token_id=principal.token_id, device_id=_device_id(principal)
    )
    try:
        app.hub.admit(owner)
    except events.Refused as refused:
        raise HTTPException(429, str(refused), {"Retry-After": str(STREAM_RETRY_SECONDS)}) from None
    return _Admitted(centre_id=watched, owner=owner)


def _device_id(principal: Principal) -> int | None:
    return principal.device.id if principal.device is not None else None


STREAM_RETRY_SECONDS = 30


@router.get("/events", response_class=EventSourceResponse)
async def stream_events(
    app: State,
    admitted: Annotated[_Admitted, Depends(_admit_stream)],
    # Validated by pattern before the stream starts: once the 200 is sent, no 422 can follow.
    counters: Annotated[str | None, Query(pattern=IDS, description="counter ids, comma separated")] = None,
    services: Annotated[str | None, Query(pattern=IDS, description="service ids, comma separated")] = None,
    last_event_id: Annotated[int | None, Header(ge=0)] = None,
    after: Annotated[int | None, Query(ge=0, description="same as Last-Event-ID")] = None,
) -> AsyncIterator[ServerSentEvent]:
    """Server-sent events: every change of the caller's centre, resuming after Last-Event-ID
    with nothing missed. A resume point more than ``stream_catchup_events`` back gets one
    ``stream.resync`` event instead of the replay: re-read ``/board``.
    A user or device may hold a few streams at once and the server a bounded number: beyond
    them, 429 with Retry-After."""
    hub = app.hub
    # A change of access after this point ends the stream; one before it was (but for the
    # moment between the credentials check and this read) seen by the check itself.
    joined = await asyncio.to_thread(events.last_id, app.db)
    sub = hub.subscribe(
        counters=_ids(counters),
        services=_ids(services),
        centre_id=admitted.centre_id,
        owner=admitted.owner,
        joined=joined,
    )
    try:
        asked = last_event_id if last_event_id is not None else after
        newest = await asyncio.to_thread(events.last_id, app.db)  # read after subscribing
        sent = newest if asked is None else asked
        if asked is not None and newest - asked > app.settings.stream_catchup_events:
            sent = newest
            yield _sse(_resync(newest, app.settings.clock()))
        while True:  # catch up from the table, page by page
            rows = await asyncio.to_thread(events.fetch_after, app.db, sent)
            for row in rows:
                sent = row["id"]
                if row["type"] not in events.INTERNAL and sub.wants(row):
                    yield _sse(row)
            if len(rows) < events.PAGE:
                break
        # Carries the resume point: a client that drops before any event still resumes
        # without a gap.
        yield ServerSentEvent(comment="connected", retry=1000, id=str(sent))
        while True:
            try:
                item = await asyncio.wait_for(sub.queue.get(), app.settings.heartbeat_seconds)
            except TimeoutError:
                yield ServerSentEvent(comment="heartbeat")
                continue
            if item is None:
                return  # the hub dropped us or is stopping: the client resumes from `sent`
            if item["id"] <= sent:
                continue
            sent = item["id"]
            yield _sse(item)  # the hub offers a stream only the events it wants
    finally:
        hub.unsubscribe(sub)


def _resync(newest: int, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": newest,
        "type": events.RESYNC,
        "created_at": now.isoformat(),
        "centre_id": None,
        "counter_id": None,
        "service_id": None,
        "payload": {},
    }
