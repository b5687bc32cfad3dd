"""Counters: an officer opens, pauses (and resumes) and closes the counter they work at."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import orm

from onestop import errors
from onestop.enums import CounterStatus
from server import events, models, tickets
from server.auth import Principal


def _counter_event(
    session: orm.Session, *, principal: Principal, now: dt.datetime, counter: models.Counter, action: str
) -> None:
    payload = {
        "counter_id": counter.id,
        "number": counter.number,
        "status": counter.status.value,
        "officer_id": counter.officer_id,
    }
    tickets.audit(
        session,
        now=now,
        actor=principal.actor,
        action=f"counter.{action}",
        target=f"counter:{counter.number}",
        details=payload,
    )
    events.append(
        session,
        type=f"counter.{action}",
        now=now,
        payload=payload,
        centre_id=counter.centre_id,
        counter_id=counter.id,
    )


def open_(session: orm.Session, *, principal: Principal, counter_id: int, now: dt.datetime) -> models.Counter:
    """Open a closed counter, or resume a paused one, for the signed-in officer."""
    if principal.user is None:
        raise errors.Forbidden("Chỉ cán bộ đã đăng nhập mới mở được quầy.")
    counter = tickets.get_counter(session, counter_id, lock=True)
    user = principal.user
    tickets.check_counter_centre(principal, counter)
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


def pause(session: orm.Session, *, principal: Principal, counter_id: int, now: dt.datetime) -> models.Counter:
    counter = tickets.get_counter(session, counter_id, lock=True)
    tickets.check_officer_counter(principal, counter)
    if counter.status is not CounterStatus.OPEN:
        raise errors.IllegalTransition(f"Quầy số {counter.number} không ở trạng thái đang mở.")
    counter.status = CounterStatus.PAUSED
    session.flush()
    _counter_event(session, principal=principal, now=now, counter=counter, action="paused")
    return counter


def close(session: orm.Session, *, principal: Principal, counter_id: int, now: dt.datetime) -> models.Counter:
    counter = tickets.get_counter(session, counter_id, lock=True)
    tickets.check_officer_counter(principal, counter)
    if counter.status is CounterStatus.CLOSED:
        raise errors.IllegalTransition(f"Quầy số {counter.number} đã đóng.")
    active = tickets.active_ticket(session, counter.id)
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
