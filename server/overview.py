"""The supervisor's overview of one centre: one read of everything the live page shows.

A handful of grouped queries whatever the number of counters or tickets, so the page can
re-read it after every burst of events. Times are the server's: the client ticks serving
times and waits on from ``server_time``, whatever its own clock says.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from onestop import calendar, identity, queue
from onestop.enums import DossierStatus, TicketStatus
from server import models, schemas, tickets, waits

# A device that has not reported for this long is shown as silent (kiosks report every
# minute or so, boards on every change and at least as often).
SILENT_AFTER = dt.timedelta(minutes=3)
DOSSIERS_SHOWN = 50
WAITING_SHOWN = 500  # today's waiting tickets listed for the actions (the counts are exact)


def _local(value: dt.datetime | None) -> str | None:
    return schemas._local(value) if value is not None else None


def snapshot(session: orm.Session, centre: models.Centre, now: dt.datetime) -> dict[str, Any]:
    """The whole overview. ``last_event_id`` is read first: following the stream after it
    may repeat a change the snapshot shows, never miss one."""
    last_event_id = session.scalar(sa.select(sa.func.max(models.Event.id))) or 0
    day = waits.business_day(now)
    return {
        "server_time": schemas._local(now),
        "business_day": day.isoformat(),
        "last_event_id": last_event_id,
        "centre": {"id": centre.id, "name": centre.name, "notice": centre.notice},
        "counters": counters(session, centre.id, day),
        "services": services(session, centre.id, day, now),
        "waiting": waiting(session, centre.id, day),
        "devices": devices(session, centre.id, now),
        "dossiers": dossiers(session, centre.id, now),
    }


def counters(session: orm.Session, centre_id: int, day: dt.date) -> list[dict[str, Any]]:
    rows = session.scalars(
        sa.select(models.Counter)
        .options(orm.selectinload(models.Counter.links))  # service_ids, in one query for all
        .where(models.Counter.centre_id == centre_id)
        .order_by(models.Counter.number)
    ).all()
    ids = [row.id for row in rows]
    active = {
        t.counter_id: t
        for t in session.scalars(
            sa.select(models.Ticket).where(
                models.Ticket.counter_id.in_(ids), models.Ticket.status.in_(queue.ACTIVE)
            )
        )
    }
    served = dict(
        session.execute(
            sa.select(models.Ticket.counter_id, sa.func.count())
            .where(
                models.Ticket.counter_id.in_(ids),
                models.Ticket.business_day == day,
                models.Ticket.status == TicketStatus.DONE,
            )
            .group_by(models.Ticket.counter_id)
        ).all()
    )
    officers = {
        u.id: u
        for u in session.scalars(
            sa.select(models.User).where(
                models.User.id.in_([row.officer_id for row in rows if row.officer_id is not None])
            )
        )
    }
    agencies = {a.id: a.name for a in session.scalars(sa.select(models.Agency))}
    out = []
    for row in rows:
        officer = officers.get(row.officer_id) if row.officer_id is not None else None
        ticket = active.get(row.id)
        out.append(
            {
                "id": row.id,
                "number": row.number,
                "name": row.name,
                "agency_name": agencies.get(row.agency_id) if row.agency_id is not None else None,
                "service_ids": row.service_ids,
                "status": row.status.value,
                "officer_id": row.officer_id,
                "officer_name": (officer.full_name or officer.username) if officer else None,
                "opened_at": _local(row.opened_at),
                "ticket": _active_ticket(ticket) if ticket else None,
                "served_today": served.get(row.id, 0),
            }
        )
    return out


def _active_ticket(ticket: models.Ticket) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "number": ticket.number,
        "status": ticket.status.value,
        "service_id": ticket.service_id,
        "called_at": _local(ticket.called_at),
        "started_at": _local(ticket.started_at),
    }


def _waiting_clause(centre_id: int, day: dt.date) -> sa.ColumnElement[bool]:
    return sa.and_(
        models.Ticket.centre_id == centre_id,
        models.Ticket.business_day == day,
        models.Ticket.status.in_(queue.CALLABLE),
    )


def services(session: orm.Session, centre_id: int, day: dt.date, now: dt.datetime) -> list[dict[str, Any]]:
    """Active services with how many wait and how long the longest has waited, in seconds.

    A ticket's wait counts from when it was issued: one moved to another service keeps it.
    """
    lines = {
        service_id: (count, oldest)
        for service_id, count, oldest in session.execute(
            sa.select(models.Ticket.service_id, sa.func.count(), sa.func.min(models.Ticket.issued_at))
            .where(_waiting_clause(centre_id, day))
            .group_by(models.Ticket.service_id)
        ).all()
    }
    rows = session.scalars(
        sa.select(models.QueueService)
        .where(models.QueueService.centre_id == centre_id, models.QueueService.active)
        .order_by(models.QueueService.letter)
    ).all()
    out = []
    for row in rows:
        count, oldest = lines.get(row.id, (0, None))
        longest = max(0, round((now - oldest).total_seconds())) if oldest is not None else None
        out.append(
            {
                "id": row.id,
                "letter": row.letter,
                "name": row.name,
                "waiting": count,
                "oldest_issued_at": _local(oldest),
                "longest_wait_seconds": longest,
            }
        )
    return out


def waiting(session: orm.Session, centre_id: int, day: dt.date) -> list[dict[str, Any]]:
    rows = session.execute(
        sa.select(
            models.Ticket.id,
            models.Ticket.number,
            models.Ticket.service_id,
            models.Ticket.priority_group,
            models.Ticket.issued_at,
            models.Ticket.status,
        )
        .where(_waiting_clause(centre_id, day))
        .order_by(models.Ticket.service_id, models.Ticket.queue_key, models.Ticket.id)
        .limit(WAITING_SHOWN)
    ).all()
    return [
        {
            "id": row.id,
            "number": row.number,
            "service_id": row.service_id,
            "priority_group": row.priority_group,
            "issued_at": _local(row.issued_at),
            "transferred": row.status is TicketStatus.TRANSFERRED,
        }
        for row in rows
    ]


def devices(session: orm.Session, centre_id: int, now: dt.datetime) -> list[dict[str, Any]]:
    """Every device of the centre; ``silent`` when an active one has not reported lately
    (or never): it may be off, or its network gone."""
    rows = session.scalars(
        sa.select(models.Device).where(models.Device.centre_id == centre_id).order_by(models.Device.name)
    ).all()
    floods = _floods(session, now)
    return [
        {
            "id": row.id,
            "name": row.name,
            "kind": row.kind.value,
            "active": row.active,
            "last_seen_at": _local(row.last_seen_at),
            "fault": row.fault,
            "silent": row.active and (row.last_seen_at is None or now - row.last_seen_at > SILENT_AFTER),
            "flooded_at": _local(floods.get(f"device:{row.id}")),
        }
        for row in rows
    ]


FLOOD_SHOWN = dt.timedelta(hours=1)


def _floods(session: orm.Session, now: dt.datetime) -> dict[str, dt.datetime]:
    """The last time within the hour each kiosk issued faster than allowed, by audit target."""
    audit = models.table(models.AuditEntry)
    rows = session.execute(
        sa.select(audit.c.target, sa.func.max(audit.c.at))
        .where(audit.c.action == tickets.FLOODED, audit.c.at > now - FLOOD_SHOWN)
        .group_by(audit.c.target)
    ).all()
    return {target: at for target, at in rows}


def dossiers(session: orm.Session, centre_id: int, now: dt.datetime) -> dict[str, Any]:
    """Dossiers being processed (status received) that are overdue or due before today ends.

    One waiting for papers the citizen must bring is not counted, as in the reports.
    """
    # The end of the local day, whatever zone ``now`` is in.
    day_end = dt.datetime.combine(waits.business_day(now) + dt.timedelta(days=1), dt.time(), calendar.VN_TZ)
    d = models.Dossier
    base = (d.centre_id == centre_id, d.status == DossierStatus.RECEIVED, d.due_at < day_end)
    overdue_count = (
        session.scalar(sa.select(sa.func.count()).select_from(d).where(*base, d.due_at < now)) or 0
    )
    total = session.scalar(sa.select(sa.func.count()).select_from(d).where(*base)) or 0
    rows = session.scalars(
        sa.select(d)
        .options(orm.joinedload(d.procedure))
        .where(*base)
        .order_by(d.due_at, d.id)
        .limit(DOSSIERS_SHOWN)
    ).all()
    return {
        "due_today": total - overdue_count,
        "overdue": overdue_count,
        "items": [
            {
                "code": row.code,
                "procedure_name": row.procedure.name,
                "applicant": {
                    "full_name": identity.mask_name(row.applicant["full_name"]),
                    "id_number": identity.mask_id_number(row.applicant["id_number"]),
                },
                "due_at": schemas._local(row.due_at),
                "status": row.status.value,
                "overdue": row.due_at < now,
            }
            for row in rows
        ],
    }
