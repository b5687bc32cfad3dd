"""/api/v1 routes of the queue: tickets, counters, the board and the live event stream."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
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


STREAM_RETRY_SECONDS = 30
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}  # nginx: do not buffer
STREAM_REPLY: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "text/event-stream: id, event (its type) and data (its JSON) per event",
        "content": {"text/event-stream": {}},
    },
    429: {"description": "Quá nhiều kết nối trực tiếp: thử lại sau Retry-After giây"},
}


@router.get("/events", response_class=StreamingResponse, responses=STREAM_REPLY)
async def stream_events(
    app: State,
    principal: Watcher,
    counters: Annotated[str | None, Query(pattern=IDS, description="counter ids, comma separated")] = None,
    services: Annotated[str | None, Query(pattern=IDS, description="service ids, comma separated")] = None,
    centre_id: CentreId = None,
    last_event_id: Annotated[int | None, Header(ge=0)] = None,
    after: Annotated[int | None, Query(ge=0, description="same as Last-Event-ID")] = None,
) -> StreamingResponse:
    """Server-sent events: every change of the caller's centre, resuming after Last-Event-ID
    with nothing missed. A resume point more than ``stream_catchup_events`` back gets one
    ``stream.resync`` event instead of the replay: re-read ``/board``.
    A user or device may hold a few streams at once and the server a bounded number: beyond
    them, 429 with Retry-After.

    Everything that may refuse is checked here, before the 200 goes out. Each event is
    encoded once by the hub for every stream that wants it, and written as it is."""
    watched = _watched_centre(principal, centre_id)
    owner = events.Owner(
        user_id=principal.user_id, token_id=principal.token_id, device_id=_device_id(principal)
    )
    try:
        sub = app.hub.admit(counters=_ids(counters), services=_ids(services), centre_id=watched, owner=owner)
    except events.Refused as refused:
        raise HTTPException(429, str(refused), {"Retry-After": str(STREAM_RETRY_SECONDS)}) from None
    asked = last_event_id if last_event_id is not None else after
    return _EventStream(_stream(app, sub, asked), ended=lambda: app.hub.unsubscribe(sub))


class _EventStream(StreamingResponse):
    """The stream's response, which gives its place back however it ends, even when the
    client leaves before its first byte (its body is then never read)."""

    def __init__(self, body: AsyncIterator[bytes], *, ended: Callable[[], None]) -> None:
        super().__init__(body, media_type="text/event-stream", headers=STREAM_HEADERS)
        self._ended = ended

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._ended()


def _device_id(principal: Principal) -> int | None:
    return principal.device.id if principal.device is not None else None


async def _stream(app: AppState, sub: events.Subscriber, asked: int | None) -> AsyncIterator[bytes]:
    # Read before the hub starts offering: it offers every event after its position then
    # (sub.offered_after); the table gives the missed ones before it, and up to ``newest``
    # (the hub may be behind the table), so "connected" comes once caught up. An access
    # change after ``newest`` ends the stream.
    newest = await asyncio.to_thread(events.last_id, app.db)
    app.hub.offer_to(sub, admitted_at=newest)
    try:
        sent = newest if asked is None else asked
        if asked is not None and newest - asked > app.settings.stream_catchup_events:
            sent = newest
            yield events.frame(_resync(sent, app.settings.clock()))
        while sent < max(sub.offered_after, newest):  # from the table, page by page
            rows = await asyncio.to_thread(events.fetch_after, app.db, sent)
            if not rows:
                break
            sent = rows[-1]["id"]
            missed = [events.frame(r) for r in rows if r["type"] not in events.INTERNAL and sub.wants(r)]
            if missed:
                yield b"".join(missed)
        # Carries the resume point: a client that drops before any event still resumes
        # without a gap.
        yield events.comment("connected", last_id=sent, retry_ms=1000)
        async for chunk in _live(sub, sent, app.settings.heartbeat_seconds):
            yield chunk
    finally:
        app.hub.unsubscribe(sub)  # at once: the response's own end may come later


async def _live(sub: events.Subscriber, sent: int, heartbeat: float) -> AsyncIterator[bytes]:
    """What the hub offers the stream, each event once, until the hub ends it; a heartbeat
    comment after ``heartbeat`` seconds of nothing."""
    while True:
        try:
            async with asyncio.timeout(heartbeat):  # no task per wait, as wait_for would make
                items = [await sub.queue.get()]
        except TimeoutError:
            yield events.comment("heartbeat")
            continue
        while not sub.queue.empty():  # what piled up meanwhile goes out in one write
            items.append(sub.queue.get_nowait())
        fresh = []
        for item in items:
            if item is None:  # the hub dropped us or is stopping: the client resumes from `sent`
                break
            if item[0] > sent:  # the hub offers a stream only the events it wants
                sent = item[0]
                fresh.append(item[1])
        if fresh:
            yield b"".join(fresh)
        if None in items:
            return


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
