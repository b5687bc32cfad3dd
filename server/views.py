"""Read models: rows turned into the API's response shapes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from onestop import errors, queue
from onestop.enums import PriorityPolicy, TicketStatus
from server import models, schemas, tickets, waits


def default_centre(session: orm.Session, centre_id: int | None) -> models.Centre:
    """The centre asked for, or the first one (a single-centre install needs no id)."""
    stmt = sa.select(models.Centre).order_by(models.Centre.id).limit(1)
    if centre_id is not None:
        stmt = sa.select(models.Centre).where(models.Centre.id == centre_id)
    centre = session.scalar(stmt)
    if centre is None:
        raise errors.NotFound("Không tìm thấy trung tâm.")
    return centre


def centre_out(centre: models.Centre) -> schemas.CentreOut:
    return schemas.CentreOut.model_validate(centre, from_attributes=True)


def ticket_out(
    session: orm.Session,
    ticket: models.Ticket,
    now: dt.datetime,
    *,
    position: tuple[int | None, int | None] | None = None,
) -> schemas.TicketOut:
    """The ticket as the API shows it; ``position`` when the caller computed it already."""
    if position is None:
        position = waits.position(session, ticket, tickets.get_service(session, ticket.service_id), now)
    ahead, wait = position
    counter = session.get(models.Counter, ticket.counter_id) if ticket.counter_id else None
    return schemas.TicketOut(
        id=ticket.id,
        centre_id=ticket.centre_id,
        number=ticket.number,
        service_id=ticket.service_id,
        origin_service_id=ticket.origin_service_id,
        priority_group=ticket.priority_group,
        status=ticket.status,
        counter_id=ticket.counter_id,
        counter_number=counter.number if counter else None,
        call_count=ticket.call_count,
        issued_at=ticket.issued_at,
        called_at=ticket.called_at,
        started_at=ticket.started_at,
        finished_at=ticket.finished_at,
        waiting_before=ahead,
        estimated_wait_minutes=wait,
        public_token=ticket.public_token,
    )


def _brief(ticket: models.Ticket | None) -> schemas.TicketBrief | None:
    return _brief_of(ticket) if ticket else None


def counter_out(session: orm.Session, counter: models.Counter) -> schemas.CounterOut:
    active = session.scalar(
        sa.select(models.Ticket).where(
            models.Ticket.counter_id == counter.id, models.Ticket.status.in_(queue.ACTIVE)
        )
    )
    officer = session.get(models.User, counter.officer_id) if counter.officer_id else None
    agency = session.get(models.Agency, counter.agency_id) if counter.agency_id else None
    return schemas.CounterOut(
        id=counter.id,
        centre_id=counter.centre_id,
        number=counter.number,
        name=counter.name,
        agency_id=counter.agency_id,
        agency_name=agency.name if agency else None,
        display_address=counter.display_address,
        service_ids=counter.service_ids,
        status=counter.status,
        officer_id=counter.officer_id,
        officer_name=(officer.full_name or officer.username) if officer else None,
        current_ticket=_brief(active),
    )


def counters(session: orm.Session, centre_id: int) -> list[schemas.CounterOut]:
    rows = session.scalars(
        sa.select(models.Counter).where(models.Counter.centre_id == centre_id).order_by(models.Counter.number)
    ).all()
    return [counter_out(session, row) for row in rows]


def service_out(session: orm.Session, service: models.QueueService, now: dt.datetime) -> schemas.ServiceOut:
    day = waits.business_day(now)
    waiting = waits.count_tickets(session, waits.waiting_clause(service.id, day))
    open_count = waits.open_counters(session, service.id)
    wait = queue.estimated_wait_minutes(
        ahead=waiting,
        average_service_minutes=waits.average_service_minutes(session, service, now),
        open_counters=open_count,
    )
    return schemas.ServiceOut(
        id=service.id,
        centre_id=service.centre_id,
        code=service.code,
        name=service.name,
        letter=service.letter,
        number_width=service.number_width,
        priority_policy=service.priority_policy.value,
        priority_every=service.priority_every,
        field_ids=[f.id for f in service.fields],
        waiting=waiting,
        estimated_wait_minutes=wait,
        open_counters=open_count,
    )


def services(session: orm.Session, centre_id: int, now: dt.datetime) -> list[schemas.ServiceOut]:
    rows = session.scalars(
        sa.select(models.QueueService)
        .where(models.QueueService.centre_id == centre_id, models.QueueService.active)
        .order_by(models.QueueService.letter)
    ).all()
    return [service_out(session, row, now) for row in rows]


def procedure_out(procedure: models.Procedure) -> schemas.ProcedureOut:
    return schemas.ProcedureOut(
        id=procedure.id,
        code=procedure.code,
        name=procedure.name,
        agency_id=procedure.field.agency_id,
        agency_name=procedure.field.agency.name,
        field_id=procedure.field_id,
        field_name=procedure.field.name,
        processing_days=float(procedure.processing_days),
        fee=procedure.fee,
        fee_note=procedure.fee_note,
        online_level=procedure.online_level,
        sets=procedure.sets,
        cutoff=procedure.cutoff.strftime("%H:%M") if procedure.cutoff else None,
        documents=[schemas.DocumentOut(**d) for d in procedure.documents],
    )


CALL_EVENTS = ("ticket.called", "ticket.recalled")


def board(session: orm.Session, centre: models.Centre, now: dt.datetime) -> dict[str, Any]:
    """The whole current state a hall screen needs, for start-up and periodic resync.

    ``last_event_id`` is read first: resuming the stream from it may repeat an event the
    snapshot already shows, but can never miss one.
    """
    last_event_id = session.scalar(sa.select(sa.func.max(models.Event.id))) or 0
    day_start = dt.datetime.combine(waits.business_day(now), dt.time(), tzinfo=now.tzinfo)
    calls = session.scalars(
        sa.select(models.Event)
        .where(
            models.Event.centre_id == centre.id,
            models.Event.type.in_(CALL_EVENTS),
            models.Event.created_at >= day_start,
        )
        .order_by(models.Event.id.desc())
        .limit(10)
    ).all()
    return {
        "centre": centre_out(centre).model_dump(mode="json"),
        "business_day": waits.business_day(now).isoformat(),
        # Lets a board tell a call made a moment ago from one it missed while away, whatever
        # its own clock says.
        "server_time": schemas._local(now),
        "last_event_id": last_event_id,
        "counters": [c.model_dump(mode="json") for c in counters(session, centre.id)],
        "services": [s.model_dump(mode="json") for s in services(session, centre.id, now)],
        "recent_calls": [
            {
                "event_id": e.id,
                "called_at": schemas._local(e.created_at),
                "recall": e.type == "ticket.recalled",
                **e.payload,
            }
            for e in calls
        ],
    }


NEXT_SHOWN = 5
NO_SHOWS_SHOWN = 10


def _upcoming(session: orm.Session, service: models.QueueService, day: dt.date) -> list[models.Ticket]:
    """The first numbers in a service's line: priority first under the strict policy,
    otherwise in arrival order (one-in-N may still take a priority number earlier)."""
    order: list[Any] = [models.Ticket.queue_key, models.Ticket.id]
    if service.priority_policy is PriorityPolicy.STRICT:
        order.insert(0, models.Ticket.priority_group.is_(None))
    return list(
        session.scalars(
            sa.select(models.Ticket)
            .where(waits.waiting_clause(service.id, day))
            .order_by(*order)
            .limit(NEXT_SHOWN)
        )
    )


def counter_queue(session: orm.Session, counter: models.Counter, now: dt.datetime) -> schemas.CounterQueueOut:
    """The desk of one counter: its state, the ticket at it, its services' lines, its no-shows."""
    last_event_id = session.scalar(sa.select(sa.func.max(models.Event.id))) or 0
    day = waits.business_day(now)
    out = counter_out(session, counter)
    current = tickets.active_ticket(session, counter.id)
    services = []
    for service_id in counter.service_ids:
        service = tickets.get_service(session, service_id)
        services.append(
            schemas.WaitingServiceOut(
                id=service.id,
                code=service.code,
                name=service.name,
                letter=service.letter,
                waiting=waits.count_tickets(session, waits.waiting_clause(service.id, day)),
                next=[_brief_of(t) for t in _upcoming(session, service, day)],
            )
        )
    no_shows = session.scalars(
        sa.select(models.Ticket)
        .where(
            models.Ticket.counter_id == counter.id,
            models.Ticket.business_day == day,
            models.Ticket.status == TicketStatus.NO_SHOW,
        )
        .order_by(models.Ticket.ended_at.desc(), models.Ticket.id.desc())
        .limit(NO_SHOWS_SHOWN)
    )
    centre = session.get_one(models.Centre, counter.centre_id)
    return schemas.CounterQueueOut(
        last_event_id=last_event_id,
        counter=out,
        current=ticket_out(session, current, now) if current else None,
        no_show_after_calls=centre.no_show_after_calls,
        services=services,
        no_shows=[_brief_of(t) for t in no_shows],
    )


def _brief_of(ticket: models.Ticket) -> schemas.TicketBrief:
    return schemas.TicketBrief.model_validate(ticket, from_attributes=True)
