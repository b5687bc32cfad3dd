"""Ticket and counter operations: load rows, apply onestop.queue rules, save, log events.

Every function runs inside the caller's write transaction and either completes or
raises a onestop error (the transaction is then rolled back whole).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql, sqlite

from onestop import calendar, errors, queue
from onestop.enums import CounterStatus, TicketStatus
from server import events, models, replies, waits
from server.auth import Principal


def _sequence_upsert(dialect: str) -> sa.Executable:
    table = models.table(models.DailySequence)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(table)
        .values(scope=sa.bindparam("scope"), day=sa.bindparam("day"), last=1)
        .on_conflict_do_update(index_elements=["scope", "day"], set_={"last": table.c.last + 1})
        .returning(table.c.last)
    )


def _line_clock_upsert(dialect: str) -> sa.Executable:
    table = models.table(models.DailySequence)
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table).values(
        scope=sa.bindparam("scope"), day=sa.bindparam("day"), last=sa.bindparam("now_ms")
    )
    later = (sa.func.greatest if dialect == "postgresql" else sa.func.max)(
        table.c.last + 1, insert.excluded.last
    )
    return insert.on_conflict_do_update(index_elements=["scope", "day"], set_={"last": later}).returning(
        table.c.last
    )


# Statements of the hottest path, built once (building one costs more than running it).
_SEQUENCE = {dialect: _sequence_upsert(dialect) for dialect in ("sqlite", "postgresql")}
_LINE_CLOCK = {dialect: _line_clock_upsert(dialect) for dialect in ("sqlite", "postgresql")}
_INSERT_TICKET = sa.insert(models.table(models.Ticket)).returning(models.table(models.Ticket).c.id)
_INSERT_AUDIT = sa.insert(models.table(models.AuditEntry))


def public_token() -> str:
    """96 random bits, URL-safe: the key of a citizen's page (a ticket's or a dossier's)."""
    return secrets.token_urlsafe(12)


def next_sequence(session: orm.Session, *, scope: str, day: dt.date) -> int:
    """The next number in (scope, day): never repeated, never skipped, under any load.

    One upsert: it creates the row at 1 or increments it, holding the row lock on
    PostgreSQL until commit; SQLite runs one writer at a time anyway.
    """
    statement = _SEQUENCE[session.get_bind().dialect.name]
    return int(session.execute(statement, {"scope": scope, "day": day}).scalar_one())


def line_place(session: orm.Session, *, service_id: int, day: dt.date, now: dt.datetime) -> dt.datetime:
    """The queue key of a ticket joining the service's line now: behind every ticket that
    joined it before, whatever the wall clock does.

    The line keeps its own clock (milliseconds since the business day's local midnight, in
    daily_sequence): the wall clock's time, or one millisecond past the line's last, whichever
    is later. When NTP steps the server's clock back, tickets keep the order they came in.
    """
    start = dt.datetime.combine(day, dt.time(), tzinfo=calendar.VN_TZ)
    now_ms = max(0, int((now - start).total_seconds() * 1000))
    statement = _LINE_CLOCK[session.get_bind().dialect.name]
    last = session.execute(statement, {"scope": f"line:{service_id}", "day": day, "now_ms": now_ms})
    return start + dt.timedelta(milliseconds=int(last.scalar_one()))


def get_ticket(session: orm.Session, ticket_id: int, *, lock: bool = False) -> models.Ticket:
    stmt = sa.select(models.Ticket).where(models.Ticket.id == ticket_id)
    ticket = session.scalar(stmt.with_for_update() if lock else stmt)
    if ticket is None:
        raise errors.NotFound(f"Không tìm thấy vé số hiệu {ticket_id}.")
    return ticket


def get_counter(session: orm.Session, counter_id: int, *, lock: bool = False) -> models.Counter:
    stmt = sa.select(models.Counter).where(models.Counter.id == counter_id)
    counter = session.scalar(stmt.with_for_update() if lock else stmt)
    if counter is None:
        raise errors.NotFound(f"Không tìm thấy quầy số hiệu {counter_id}.")
    return counter


def get_service(session: orm.Session, service_id: int) -> models.QueueService:
    service = session.get(models.QueueService, service_id)
    if service is None or not service.active:
        raise errors.NotFound(f"Không tìm thấy dịch vụ số hiệu {service_id}.")
    return service


# ---------------------------------------------------------------- ticket life cycle


def _record(
    session: orm.Session,
    *,
    principal: Principal,
    now: dt.datetime,
    action: str,
    ticket: models.Ticket,
    extra: dict[str, Any] | None = None,
) -> None:
    """Audit entry plus live event for one ticket change."""
    payload = ticket_payload(session, ticket)
    payload.update(extra or {})
    audit(
        session,
        now=now,
        actor=principal.actor,
        action=f"ticket.{action}",
        target=ticket.number,
        details=payload,
    )
    events.append(
        session,
        type=f"ticket.{action}",
        now=now,
        payload=payload,
        centre_id=ticket.centre_id,
        counter_id=ticket.counter_id,
        service_id=ticket.service_id,
    )


def audit(
    session: orm.Session, *, now: dt.datetime, actor: str, action: str, target: str, details: dict[str, Any]
) -> None:
    session.execute(
        _INSERT_AUDIT, {"at": now, "actor": actor, "action": action, "target": target, "details": details}
    )


def ticket_payload(session: orm.Session, ticket: models.Ticket) -> dict[str, Any]:
    counter = session.get(models.Counter, ticket.counter_id) if ticket.counter_id else None
    return {
        "ticket_id": ticket.id,
        "number": ticket.number,
        "status": ticket.status.value,
        "service_id": ticket.service_id,
        "priority_group": ticket.priority_group,
        "counter_id": ticket.counter_id,
        "counter_number": counter.number if counter else None,
        "call_count": ticket.call_count,
    }


def issue(
    session: orm.Session,
    *,
    principal: Principal,
    service_id: int,
    priority_group: str | None,
    now: dt.datetime,
) -> tuple[models.Ticket, int, int]:
    """A new ticket, with the people ahead of it and its estimated wait in minutes.

    This is the busiest write of the system, so it runs a few Core statements only.
    """
    service = waits.service_config(session, service_id)
    if service is None:
        raise errors.NotFound(f"Không tìm thấy dịch vụ số hiệu {service_id}.")
    if not principal.oversees(service.centre_id):
        raise errors.NotFound(f"Không tìm thấy dịch vụ số hiệu {service_id} tại trung tâm này.")
    if priority_group is not None and not session.scalar(
        sa.select(sa.exists().where(models.PriorityGroup.code == priority_group))
    ):
        raise errors.InvalidValue("priority_group", f"Không có nhóm ưu tiên “{priority_group}”.")
    day = waits.business_day(now)
    # Everyone waiting now stands ahead of the new ticket within its class.
    counts = waits.class_counts(session, service.id, day)
    seq = next_sequence(session, scope=f"ticket:{service.centre_id}:{service.id}", day=day)
    values: dict[str, Any] = {
        "centre_id": service.centre_id,
        "origin_service_id": service.id,
        "service_id": service.id,
        "business_day": day,
        "seq": seq,
        "number": queue.format_number(service.letter, seq, service.number_width),
        "priority_group": priority_group,
        "status": TicketStatus.WAITING,
        "queue_key": line_place(session, service_id=service.id, day=day, now=now),
        "issued_at": now,
        "device_id": principal.device.id if principal.device else None,
        "call_count": 0,
        "public_token": public_token(),
    }
    ticket_id = session.execute(_INSERT_TICKET, values).scalar_one()
    ticket = models.Ticket(id=ticket_id, **values)  # not attached: the row is already written
    _record(session, principal=principal, now=now, action="issued", ticket=ticket)
    ahead, wait = waits.estimate(
        session, service=service, day=day, now=now, is_priority=priority_group is not None, counts=counts
    )
    return ticket, ahead, wait


FLOODED = "device.flooded"


def mark_flood(session: orm.Session, *, device: models.Device, now: dt.datetime) -> None:
    """A kiosk asked for tickets faster than a citizen can: on record, and on the screens of
    its centre's supervisors (the overview shows it for an hour)."""
    details = {"device_id": device.id, "name": device.name}
    audit(
        session,
        now=now,
        actor=f"device:{device.name}",
        action=FLOODED,
        target=f"device:{device.id}",
        details=details,
    )
    payload = {"device_id": device.id, "name": device.name, "kind": device.kind.value, "fault": device.fault}
    events.append(
        session,
        type="device.status",
        now=now,
        centre_id=device.centre_id,
        payload=payload | {"flooded": True},
    )


def issued_with_key(session: orm.Session, *, principal: Principal, key: str, path: str) -> models.Ticket:
    """The ticket ``principal`` issued by POSTing to ``path`` with Idempotency-Key ``key``;
    NotFound if that key made no ticket, or made someone else's."""
    missing = errors.NotFound("Không có số nào được cấp với khóa này từ thiết bị hoặc tài khoản này.")
    reply = replies.stored(session, key)
    if reply is None or (reply.method, reply.path) != ("POST", path) or not isinstance(reply.body, dict):
        raise missing
    ticket_id = reply.body.get("id")
    ticket = session.get(models.Ticket, ticket_id) if isinstance(ticket_id, int) else None
    if ticket is None:
        raise missing
    if principal.device is not None:
        mine = ticket.device_id == principal.device.id
    else:
        mine = ticket.device_id is None and reply.user_id is not None and reply.user_id == principal.user_id
    if not mine:
        raise missing
    return ticket


def check_counter_centre(principal: Principal, counter: models.Counter) -> None:
    if not principal.oversees(counter.centre_id):
        raise errors.Forbidden(f"Quầy số {counter.number} thuộc trung tâm khác.")


def check_officer_counter(principal: Principal, counter: models.Counter) -> None:
    """An officer acts only at the counter they opened; a supervisor at the counters of their
    own centre; an administrator at any."""
    check_counter_centre(principal, counter)
    if principal.is_manager:
        return
    if principal.user is None or counter.officer_id != principal.user.id:
        raise errors.Forbidden(f"Bạn không phụ trách quầy số {counter.number}.")


def active_ticket(session: orm.Session, counter_id: int) -> models.Ticket | None:
    return session.scalar(
        sa.select(models.Ticket).where(
            models.Ticket.counter_id == counter_id, models.Ticket.status.in_(queue.ACTIVE)
        )
    )


def _head(priority: bool) -> sa.Select[int, dt.datetime]:
    """The first waiting ticket of one class (priority or normal) in a service."""
    group = models.Ticket.priority_group
    return (
        sa.select(models.Ticket.id, models.Ticket.queue_key)
        .where(
            waits.waiting_clause(sa.bindparam("service_id"), sa.bindparam("day")),  # type: ignore[arg-type]
            group.is_not(None) if priority else group.is_(None),
        )
        .order_by(models.Ticket.queue_key, models.Ticket.id)
        .limit(1)
    )


# Built once: call-next runs these for every service of the counter on every call.
_HEADS = {priority: _head(priority) for priority in (True, False)}


def _service_queue(session: orm.Session, service: waits.ServiceConfig, day: dt.date) -> queue.ServiceQueue:
    def head(priority: bool) -> queue.Candidate | None:
        row = session.execute(_HEADS[priority], {"service_id": service.id, "day": day}).first()
        return queue.Candidate(row[0], row[1], priority) if row else None

    return queue.ServiceQueue(
        service_id=service.id,
        policy=service.priority_policy,
        every_n=service.priority_every,
        normal_since_priority=waits.normal_since_priority(session, service.id, day),
        priority_head=head(True),
        normal_head=head(False),
    )


def call_next(
    session: orm.Session, *, principal: Principal, counter_id: int, now: dt.datetime
) -> models.Ticket | None:
    counter = get_counter(session, counter_id, lock=True)
    check_officer_counter(principal, counter)
    if counter.status is not CounterStatus.OPEN:
        raise errors.IllegalTransition(f"Quầy số {counter.number} chưa mở hoặc đang tạm dừng.")
    active = active_ticket(session, counter.id)
    if active is not None:
        raise errors.IllegalTransition(
            f"Quầy đang phục vụ số {active.number}; hãy hoàn thành, chuyển hoặc đánh vắng mặt trước."
        )
    day = waits.business_day(now)
    while True:
        # A service made inactive is not called from (its config is None).
        services = [waits.service_config(session, sid) for sid in counter.service_ids]
        queues = [_service_queue(session, service, day) for service in services if service is not None]
        picked = queue.choose_next(queues)
        if picked is None:
            return None
        # Claim it only if still callable: a counter that raced us to it wins, we pick again.
        claimed: sa.CursorResult[Any] = session.execute(  # type: ignore[assignment]
            sa.update(models.Ticket)
            .where(models.Ticket.id == picked.ticket_id, models.Ticket.status.in_(queue.CALLABLE))
            .values(
                status=TicketStatus.CALLED,
                counter_id=counter.id,
                officer_id=principal.user.id if principal.user else None,
                call_count=1,
                called_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount:
            ticket = get_ticket(session, picked.ticket_id)
            session.refresh(ticket)
            _record(session, principal=principal, now=now, action="called", ticket=ticket)
            return ticket


def _counter_ticket(
    session: orm.Session, principal: Principal, ticket_id: int
) -> tuple[models.Ticket, models.Counter]:
    ticket = get_ticket(session, ticket_id, lock=True)
    if ticket.counter_id is None:
        raise errors.IllegalTransition(f"Số {ticket.number} chưa được gọi tại quầy nào.")
    counter = get_counter(session, ticket.counter_id)
    check_officer_counter(principal, counter)
    return ticket, counter


def recall(session: orm.Session, *, principal: Principal, ticket_id: int, now: dt.datetime) -> models.Ticket:
    ticket, _ = _counter_ticket(session, principal, ticket_id)
    queue.check_transition(ticket.number, ticket.status, TicketStatus.CALLED)
    ticket.call_count += 1
    ticket.called_at = ticket.called_at or now
    session.flush()
    _record(session, principal=principal, now=now, action="recalled", ticket=ticket)
    return ticket


def no_show(session: orm.Session, *, principal: Principal, ticket_id: int, now: dt.datetime) -> models.Ticket:
    ticket, _ = _counter_ticket(session, principal, ticket_id)
    queue.check_transition(ticket.number, ticket.status, TicketStatus.NO_SHOW)
    centre = session.get_one(models.Centre, ticket.centre_id)
    queue.no_show_allowed(call_count=ticket.call_count, required_calls=centre.no_show_after_calls)
    ticket.status = TicketStatus.NO_SHOW
    ticket.ended_at = now
    session.flush()
    _record(session, principal=principal, now=now, action="no_show", ticket=ticket)
    return ticket


def start(session: orm.Session, *, principal: Principal, ticket_id: int, now: dt.datetime) -> models.Ticket:
    ticket, _ = _counter_ticket(session, principal, ticket_id)
    queue.check_transition(ticket.number, ticket.status, TicketStatus.SERVING)
    ticket.status = TicketStatus.SERVING
    ticket.started_at = now
    session.flush()
    _record(session, principal=principal, now=now, action="started", ticket=ticket)
    return ticket


def finish(session: orm.Session, *, principal: Principal, ticket_id: int, now: dt.datetime) -> models.Ticket:
    ticket, _ = _counter_ticket(session, principal, ticket_id)
    queue.check_transition(ticket.number, ticket.status, TicketStatus.DONE)
    ticket.status = TicketStatus.DONE
    ticket.finished_at = now
    session.flush()
    waits.forget_service_minutes(session, ticket.service_id)
    _record(session, principal=principal, now=now, action="finished", ticket=ticket)
    return ticket


def reactivate(
    session: orm.Session, *, principal: Principal, ticket_id: int, now: dt.datetime
) -> models.Ticket:
    """A no-show who turns up later the same day waits again in their original place."""
    ticket, _ = _counter_ticket(session, principal, ticket_id)
    queue.check_transition(ticket.number, ticket.status, TicketStatus.WAITING)
    if ticket.business_day != waits.business_day(now):
        raise errors.IllegalTransition(f"Số {ticket.number} đã hết hiệu lực (chỉ dùng trong ngày cấp).")
    prev_counter = ticket.counter_id
    ticket.status = TicketStatus.WAITING
    ticket.counter_id = None
    ticket.officer_id = None
    ticket.call_count = 0
    ticket.ended_at = None
    session.flush()
    _record(
        session,
        principal=principal,
        now=now,
        action="reactivated",
        ticket=ticket,
        extra={"from_counter_id": prev_counter},
    )
    return ticket


def check_ticket_centre(principal: Principal, ticket: models.Ticket) -> None:
    """Staff and devices see and act on the tickets of their own centre only (an administrator on any)."""
    if not principal.oversees(ticket.centre_id):
        raise errors.Forbidden("Vé này thuộc trung tâm khác.")


def transfer(
    session: orm.Session, *, principal: Principal, ticket_id: int, service_id: int, now: dt.datetime
) -> models.Ticket:
    ticket = get_ticket(session, ticket_id, lock=True)
    if ticket.counter_id is not None and ticket.status in queue.ACTIVE:
        check_officer_counter(principal, get_counter(session, ticket.counter_id))
    elif not principal.is_manager:
        raise errors.Forbidden("Chỉ giám sát viên được chuyển vé đang chờ sang dịch vụ khác.")
    else:
        check_ticket_centre(principal, ticket)
    target = get_service(session, service_id)
    if target.centre_id != ticket.centre_id:
        raise errors.NotFound(f"Không tìm thấy dịch vụ số hiệu {service_id} tại trung tâm này.")
    if target.id == ticket.service_id:
        raise errors.IllegalTransition(f"Số {ticket.number} đã ở dịch vụ “{target.name}”.")
    queue.check_transition(ticket.number, ticket.status, TicketStatus.TRANSFERRED)
    centre = session.get_one(models.Centre, ticket.centre_id)
    front = session.scalar(
        sa.select(sa.func.min(models.Ticket.queue_key)).where(
            waits.waiting_clause(target.id, ticket.business_day)
        )
    )
    from_counter, from_service = ticket.counter_id, ticket.service_id
    ticket.queue_key = queue.transfer_queue_key(
        position=centre.transfer_position,
        back=line_place(session, service_id=target.id, day=ticket.business_day, now=now),
        target_front=front,
    )
    ticket.status = TicketStatus.TRANSFERRED
    ticket.service_id = target.id
    ticket.counter_id = None
    ticket.officer_id = None
    ticket.call_count = 0
    session.flush()
    _record(
        session,
        principal=principal,
        now=now,
        action="transferred",
        ticket=ticket,
        extra={"from_counter_id": from_counter, "from_service_id": from_service},
    )
    return ticket


def cancel(
    session: orm.Session, *, principal: Principal, ticket_id: int, reason: str | None, now: dt.datetime
) -> models.Ticket:
    ticket = get_ticket(session, ticket_id, lock=True)
    own_kiosk = principal.device is not None and ticket.device_id == principal.device.id
    if not (own_kiosk or principal.is_manager):
        raise errors.Forbidden("Chỉ ki-ốt đã cấp vé hoặc giám sát viên được hủy vé.")
    if not own_kiosk:
        check_ticket_centre(principal, ticket)
    queue.check_transition(ticket.number, ticket.status, TicketStatus.CANCELLED)
    ticket.status = TicketStatus.CANCELLED
    ticket.ended_at = now
    ticket.cancel_reason = reason
    session.flush()
    _record(session, principal=principal, now=now, action="cancelled", ticket=ticket)
    return ticket
