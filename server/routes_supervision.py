"""/api/v1/supervision: the supervisor's live overview of a centre, and the actions it offers
that the queue routes do not already give a manager.

Cancelling a ticket (POST /tickets/{id}/cancel) and setting the board's notice line
(PUT /centres/{id}/notice) already admit supervisors and are used as they are.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Path, Query
from sqlalchemy import orm

from onestop import errors, queue
from onestop.enums import TicketStatus, TransferPosition
from server import counters as counter_ops
from server import events, models, overview, schemas, tickets, views, waits
from server.auth import Principal
from server.deps import Manager, State

router = APIRouter(prefix="/supervision", tags=["supervision"])
MAX_ID = 2**31 - 1  # ids are INTEGER columns: larger is a 422 naming the parameter
Id = Annotated[int, Path(le=MAX_ID)]


def _check_centre(principal: Principal, centre_id: int) -> None:
    """A supervisor oversees their own centre; an admin any."""
    if not principal.oversees(centre_id):
        raise errors.Forbidden("Bạn chỉ giám sát được trung tâm của mình.")


@router.get("/overview")
def get_overview(
    app: State, principal: Manager, centre_id: Annotated[int | None, Query(le=MAX_ID)] = None
) -> dict[str, Any]:
    """Counters, lines, devices and dossiers due of one centre (default: the caller's)."""
    with app.db.read() as session:
        if centre_id is None and principal.user is not None:
            centre_id = principal.user.centre_id
        centre = views.default_centre(session, centre_id)
        _check_centre(principal, centre.id)
        return overview.snapshot(session, centre, app.settings.clock())


@router.post("/tickets/{ticket_id}/move", response_model=schemas.TicketOut)
def move_ticket(ticket_id: Id, body: schemas.TransferIn, app: State, principal: Manager) -> schemas.TicketOut:
    """Move a ticket waiting today to another active service of its centre.

    It keeps its number and issue time and waits there as "transferred". Where it stands
    follows the centre's ``transfer_position``: ``front`` puts it just ahead of the earliest
    ticket waiting in the new service, ``back`` (the default) behind everyone waiting there.
    A ticket already called to a counter is not moved from here: its counter transfers it.
    """
    now = app.settings.clock()
    with app.db.write() as session:
        ticket = tickets.get_ticket(session, ticket_id, lock=True)
        _check_centre(principal, ticket.centre_id)
        _check_waiting_today(ticket, now)
        moved = tickets.transfer(
            session, principal=principal, ticket_id=ticket.id, service_id=body.service_id, now=now
        )
        return views.ticket_out(session, moved, now)


def _check_waiting_today(ticket: models.Ticket, now: dt.datetime) -> None:
    if ticket.status not in queue.CALLABLE:
        raise errors.IllegalTransition(
            f"Số {ticket.number} {queue.STATUS_NAMES_VI[ticket.status]}, không còn trong hàng chờ."
        )
    if ticket.business_day != waits.business_day(now):
        raise errors.IllegalTransition(f"Số {ticket.number} đã hết hiệu lực (chỉ dùng trong ngày cấp).")


@router.post("/counters/{counter_id}/close", response_model=schemas.CounterOut)
def close_counter(counter_id: Id, app: State, principal: Manager) -> schemas.CounterOut:
    """Close a counter left open or paused (by anyone).

    A ticket still called to it or being served there is not lost: it goes back to the
    front of its own service's line (status "transferred", so the next counter of that
    service calls it first), with a ``ticket.transferred`` event marked ``requeued``.
    """
    now = app.settings.clock()
    with app.db.write() as session:
        counter = tickets.get_counter(session, counter_id, lock=True)
        _check_centre(principal, counter.centre_id)
        active = tickets.active_ticket(session, counter.id)
        if active is not None:
            _requeue(session, principal=principal, ticket=active, now=now)
        closed = counter_ops.close(session, principal=principal, counter_id=counter.id, now=now)
        return views.counter_out(session, closed)


def _requeue(session: orm.Session, *, principal: Principal, ticket: models.Ticket, now: dt.datetime) -> None:
    """Put a counter's ticket back at the front of its service's line."""
    queue.check_transition(ticket.number, ticket.status, TicketStatus.TRANSFERRED)
    front = session.scalar(
        sa.select(sa.func.min(models.Ticket.queue_key)).where(
            waits.waiting_clause(ticket.service_id, ticket.business_day)
        )
    )
    from_counter = ticket.counter_id
    back = tickets.line_place(session, service_id=ticket.service_id, day=ticket.business_day, now=now)
    ticket.queue_key = queue.transfer_queue_key(
        position=TransferPosition.FRONT, back=back, target_front=front
    )
    ticket.status = TicketStatus.TRANSFERRED
    ticket.counter_id = None
    ticket.officer_id = None
    ticket.call_count = 0
    session.flush()
    payload = tickets.ticket_payload(session, ticket)
    payload |= {"from_counter_id": from_counter, "from_service_id": ticket.service_id, "requeued": True}
    tickets.audit(
        session,
        now=now,
        actor=principal.actor,
        action="ticket.requeued",
        target=ticket.number,
        details=payload,
    )
    events.append(
        session,
        type="ticket.transferred",
        now=now,
        payload=payload,
        centre_id=ticket.centre_id,
        counter_id=from_counter,
        service_id=ticket.service_id,
    )


@router.post("/tickets/{ticket_id}/reprint", response_model=schemas.TicketOut)
def reprint_ticket(ticket_id: Id, app: State, principal: Manager) -> schemas.TicketOut:
    """A ticket of today still waiting or at a counter, with its public token, for printing
    again (the citizen lost it). Changes nothing but leaves an audit line."""
    now = app.settings.clock()
    with app.db.write() as session:
        ticket = tickets.get_ticket(session, ticket_id)
        _check_centre(principal, ticket.centre_id)
        if ticket.status not in queue.CALLABLE | queue.ACTIVE:
            raise errors.IllegalTransition(
                f"Số {ticket.number} {queue.STATUS_NAMES_VI[ticket.status]}, không in lại được."
            )
        if ticket.business_day != waits.business_day(now):
            raise errors.IllegalTransition(f"Số {ticket.number} đã hết hiệu lực (chỉ dùng trong ngày cấp).")
        tickets.audit(
            session,
            now=now,
            actor=principal.actor,
            action="ticket.reprinted",
            target=ticket.number,
            details={"ticket_id": ticket.id, "number": ticket.number, "status": ticket.status.value},
        )
        return views.ticket_out(session, ticket, now)
