"""Ticket and counter operations: load rows, apply onestop.queue rules, save, log events.

Every function runs inside the caller's write transaction and either completes or
raises a onestop error (the transaction is then rolled back whole).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql, sqlite

from onestop import calendar, errors, queue
from onestop.enums import CounterStatus, TicketStatus
from server import events, models
from server.auth import Principal

SERVICE_TIME_SAMPLE = 20  # finished tickets that make the "recent average" service time
SERVICE_TIME_WINDOW = dt.timedelta(days=7)


def business_day(now: dt.datetime) -> dt.date:
    return now.astimezone(calendar.VN_TZ).date()


def next_sequence(session: orm.Session, *, scope: str, day: dt.date) -> int:
    """The next number in (scope, day): never repeated, never skipped, under any load.

    The row is created if missing (a no-op when another transaction made it first), then
    incremented with UPDATE … RETURNING, which takes its row lock on PostgreSQL; SQLite
    runs one writer at a time anyway.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(models.DailySequence)
        .values(scope=scope, day=day, last=0)
        .on_conflict_do_nothing(index_elements=["scope", "day"])
    )
    value = session.execute(
        sa.update(models.DailySequence)
        .where(models.DailySequence.scope == scope, models.DailySequence.day == day)
        .values(last=models.DailySequence.last + 1)
        .returning(models.DailySequence.last)
    ).scalar_one()
    return int(value)


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


# ---------------------------------------------------------------- wait estimates


def waiting_clause(service_id: int, day: dt.date) -> sa.ColumnElement[bool]:
    return sa.and_(
        models.Ticket.service_id == service_id,
        models.Ticket.business_day == day,
        models.Ticket.status.in_(queue.CALLABLE),
    )


def count_tickets(session: orm.Session, *conditions: sa.ColumnElement[bool]) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(models.Ticket).where(*conditions)) or 0


def normal_since_priority(session: orm.Session, service_id: int, day: dt.date) -> int:
    """Normal tickets called in this service since its last priority ticket was called."""
    called = sa.and_(
        models.Ticket.service_id == service_id,
        models.Ticket.business_day == day,
        models.Ticket.called_at.is_not(None),
    )
    last_priority = session.scalar(
        sa.select(sa.func.max(models.Ticket.called_at)).where(
            called, models.Ticket.priority_group.is_not(None)
        )
    )
    conditions = [called, models.Ticket.priority_group.is_(None)]
    if last_priority is not None:
        conditions.append(models.Ticket.called_at > last_priority)
    return count_tickets(session, *conditions)


def average_service_minutes(session: orm.Session, service: models.QueueService, now: dt.datetime) -> float:
    rows = session.execute(
        sa.select(models.Ticket.started_at, models.Ticket.finished_at)
        .where(
            models.Ticket.service_id == service.id,
            models.Ticket.status == TicketStatus.DONE,
            models.Ticket.finished_at > now - SERVICE_TIME_WINDOW,
            models.Ticket.started_at.is_not(None),
        )
        .order_by(models.Ticket.finished_at.desc())
        .limit(SERVICE_TIME_SAMPLE)
    ).all()
    spans = [(end - start).total_seconds() / 60 for start, end in rows if start and end]
    return sum(spans) / len(spans) if spans else float(service.default_service_minutes)


def open_counters(session: orm.Session, service_id: int) -> int:
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(models.Counter)
            .join(models.CounterService)
            .where(
                models.CounterService.service_id == service_id,
                models.Counter.status == CounterStatus.OPEN,
            )
        )
        or 0
    )


def position(session: orm.Session, ticket: models.Ticket, now: dt.datetime) -> tuple[int | None, int | None]:
    """(people ahead, estimated wait in minutes) for a waiting ticket; (None, None) otherwise."""
    if ticket.status not in queue.CALLABLE or ticket.business_day != business_day(now):
        return None, None
    service = get_service(session, ticket.service_id)
    waiting = waiting_clause(service.id, ticket.business_day)
    earlier = models.Ticket.queue_key < ticket.queue_key
    is_priority = ticket.priority_group is not None
    has_priority = models.Ticket.priority_group.is_not(None)
    has_none = models.Ticket.priority_group.is_(None)
    ahead = queue.people_ahead(
        policy=service.priority_policy,
        every_n=service.priority_every,
        normal_since_priority=normal_since_priority(session, service.id, ticket.business_day),
        is_priority=is_priority,
        priority_before=count_tickets(session, waiting, has_priority, *([earlier] if is_priority else [])),
        normal_before=count_tickets(session, waiting, has_none, *([] if is_priority else [earlier])),
    )
    wait = queue.estimated_wait_minutes(
        ahead=ahead,
        average_service_minutes=average_service_minutes(session, service, now),
        open_counters=open_counters(session, service.id),
    )
    return ahead, wait


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
    session.add(
        models.AuditEntry(
            at=now, actor=principal.actor, action=f"ticket.{action}", target=ticket.number, details=payload
        )
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
) -> models.Ticket:
    service = get_service(session, service_id)
    if (
        priority_group is not None
        and session.scalar(sa.select(models.PriorityGroup).where(models.PriorityGroup.code == priority_group))
        is None
    ):
        raise errors.InvalidValue("priority_group", f"Không có nhóm ưu tiên “{priority_group}”.")
    day = business_day(now)
    seq = next_sequence(session, scope=f"ticket:{service.centre_id}:{service.id}", day=day)
    ticket = models.Ticket(
        centre_id=service.centre_id,
        origin_service_id=service.id,
        service_id=service.id,
        business_day=day,
        seq=seq,
        number=queue.format_number(service.letter, seq, service.number_width),
        priority_group=priority_group,
        status=TicketStatus.WAITING,
        queue_key=now,
        issued_at=now,
        device_id=principal.device.id if principal.device else None,
    )
    session.add(ticket)
    session.flush()
    _record(session, principal=principal, now=now, action="issued", ticket=ticket)
    return ticket


def _check_officer_counter(principal: Principal, counter: models.Counter) -> None:
    """An officer acts only at the counter they opened; supervisors and admins anywhere."""
    if principal.is_manager:
        return
    if principal.user is None or counter.officer_id != principal.user.id:
        raise errors.Forbidden(f"Bạn không phụ trách quầy số {counter.number}.")


def _active_ticket(session: orm.Session, counter_id: int) -> models.Ticket | None:
    return session.scalar(
        sa.select(models.Ticket).where(
            models.Ticket.counter_id == counter_id, models.Ticket.status.in_(queue.ACTIVE)
        )
    )


def _service_queue(session: orm.Session, service: models.QueueService, day: dt.date) -> queue.ServiceQueue:
    def head(priority: bool) -> queue.Candidate | None:
        cls = (
            models.Ticket.priority_group.is_not(None) if priority else models.Ticket.priority_group.is_(None)
        )
        row = session.execute(
            sa.select(models.Ticket.id, models.Ticket.queue_key)
            .where(waiting_clause(service.id, day), cls)
            .order_by(models.Ticket.queue_key, models.Ticket.id)
            .limit(1)
        ).first()
        return queue.Candidate(row[0], row[1], priority) if row else None

    return queue.ServiceQueue(
        service_id=service.id,
        policy=service.priority_policy,
        every_n=service.priority_every,
        normal_since_priority=normal_since_priority(session, service.id, day),
        priority_head=head(True),
        normal_head=head(False),
    )


def call_next(
    session: orm.Session, *, principal: Principal, counter_id: int, now: dt.datetime
) -> models.Ticket | None:
    counter = get_counter(session, counter_id, lock=True)
    _check_officer_counter(principal, counter)
    if counter.status is not CounterStatus.OPEN:
        raise errors.IllegalTransition(f"Quầy số {counter.number} chưa mở hoặc đang tạm dừng.")
    active = _active_ticket(session, counter.id)
    if active is not None:
        raise errors.IllegalTransition(
            f"Quầy đang phục vụ số {active.number}; hãy hoàn thành, chuyển hoặc đánh vắng mặt trước."
        )
    day = business_day(now)
    while True:
        queues = [_service_queue(session, get_service(session, sid), day) for sid in counter.service_ids]
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
    _check_officer_counter(principal, counter)
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
    _record(session, principal=principal, now=now, action="finished", ticket=ticket)
    return ticket


def reactivate(
    session: orm.Session, *, principal: Principal, ticket_id: int, now: dt.datetime
) -> models.Ticket:
    """A no-show who turns up later the same day waits again in their original place."""
    ticket, _ = _counter_ticket(session, principal, ticket_id)
    queue.check_transition(ticket.number, ticket.status, TicketStatus.WAITING)
    if ticket.business_day != business_day(now):
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


def transfer(
    session: orm.Session, *, principal: Principal, ticket_id: int, service_id: int, now: dt.datetime
) -> models.Ticket:
    ticket = get_ticket(session, ticket_id, lock=True)
    if ticket.counter_id is not None and ticket.status in queue.ACTIVE:
        _check_officer_counter(principal, get_counter(session, ticket.counter_id))
    elif not principal.is_manager:
        raise errors.Forbidden("Chỉ giám sát viên được chuyển vé đang chờ sang dịch vụ khác.")
    target = get_service(session, service_id)
    if target.centre_id != ticket.centre_id:
        raise errors.NotFound(f"Không tìm thấy dịch vụ số hiệu {service_id} tại trung tâm này.")
    if target.id == ticket.service_id:
        raise errors.IllegalTransition(f"Số {ticket.number} đã ở dịch vụ “{target.name}”.")
    queue.check_transition(ticket.number, ticket.status, TicketStatus.TRANSFERRED)
    centre = session.get_one(models.Centre, ticket.centre_id)
    front = session.scalar(
        sa.select(sa.func.min(models.Ticket.queue_key)).where(waiting_clause(target.id, ticket.business_day))
    )
    from_counter, from_service = ticket.counter_id, ticket.service_id
    ticket.queue_key = queue.transfer_queue_key(
        position=centre.transfer_position, now=now, target_front=front
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
    queue.check_transition(ticket.number, ticket.status, TicketStatus.CANCELLED)
    ticket.status = TicketStatus.CANCELLED
    ticket.ended_at = now
    ticket.cancel_reason = reason
    session.flush()
    _record(session, principal=principal, now=now, action="cancelled", ticket=ticket)
    return ticket


# ---------------------------------------------------------------- counters


def _counter_event(
    session: orm.Session, *, principal: Principal, now: dt.datetime, counter: models.Counter, action: str
) -> None:
    payload = {
        "counter_id": counter.id,
        "number": counter.number,
        "status": counter.status.value,
        "officer_id": counter.officer_id,
    }
    session.add(
        models.AuditEntry(
            at=now,
            actor=principal.actor,
            action=f"counter.{action}",
            target=f"counter:{counter.number}",
            details=payload,
        )
    )
    events.append(
        session,
        type=f"counter.{action}",
        now=now,
        payload=payload,
        centre_id=counter.centre_id,
        counter_id=counter.id,
    )


def open_counter(
    session: orm.Session, *, principal: Principal, counter_id: int, now: dt.datetime
) -> models.Counter:
    """Open a closed counter, or resume a paused one, for the signed-in officer."""
    if principal.user is None:
        raise errors.Forbidden("Chỉ cán bộ đã đăng nhập mới mở được quầy.")
    counter = get_counter(session, counter_id, lock=True)
    user = principal.user
    if counter.status is not CounterStatus.CLOSED and counter.officer_id != user.id:
        raise errors.IllegalTransition(f"Quầy số {counter.number} đang do cán bộ khác phụ trách.")
    elsewhere = session.scalar(
        sa.select(models.Counter).where(
            models.Counter.officer_id == user.id,
            models.Counter.id != counter.id,
            models.Counter.status != CounterStatus.CLOSED,
        )
    )
    if elsewhere is not None:
        raise errors.IllegalTransition(f"Bạn đang mở quầy số {elsewhere.number}; hãy đóng quầy đó trước.")
    if counter.status is CounterStatus.OPEN:
        return counter
    action = "resumed" if counter.status is CounterStatus.PAUSED else "opened"
    if counter.status is CounterStatus.CLOSED:
        counter.opened_at = now
    counter.status = CounterStatus.OPEN
    counter.officer_id = user.id
    session.flush()
    _counter_event(session, principal=principal, now=now, counter=counter, action=action)
    return counter


def pause_counter(
    session: orm.Session, *, principal: Principal, counter_id: int, now: dt.datetime
) -> models.Counter:
    counter = get_counter(session, counter_id, lock=True)
    _check_officer_counter(principal, counter)
    if counter.status is not CounterStatus.OPEN:
        raise errors.IllegalTransition(f"Quầy số {counter.number} không ở trạng thái đang mở.")
    counter.status = CounterStatus.PAUSED
    session.flush()
    _counter_event(session, principal=principal, now=now, counter=counter, action="paused")
    return counter


def close_counter(
    session: orm.Session, *, principal: Principal, counter_id: int, now: dt.datetime
) -> models.Counter:
    counter = get_counter(session, counter_id, lock=True)
    _check_officer_counter(principal, counter)
    if counter.status is CounterStatus.CLOSED:
        raise errors.IllegalTransition(f"Quầy số {counter.number} đã đóng.")
    active = _active_ticket(session, counter.id)
    if active is not None:
        raise errors.IllegalTransition(
            f"Quầy đang phục vụ số {active.number}; hãy hoàn thành hoặc chuyển trước khi đóng quầy."
        )
    counter.status = CounterStatus.CLOSED
    counter.officer_id = None
    counter.opened_at = None
    session.flush()
    _counter_event(session, principal=principal, now=now, counter=counter, action="closed")
    return counter
