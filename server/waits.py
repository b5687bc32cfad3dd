"""How many people are ahead of a ticket and how long it will wait.

These run on every ticket issued and every look-up of a ticket's position, so each is a
handful of cheap queries; the slow-moving "recent average service time" is cached briefly.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time

import sqlalchemy as sa
from sqlalchemy import orm

from onestop import calendar, queue
from onestop.enums import CounterStatus, PriorityPolicy, TicketStatus
from server import models

SERVICE_TIME_SAMPLE = 20  # finished tickets that make the "recent average" service time
SERVICE_TIME_WINDOW = dt.timedelta(days=7)
SERVICE_TIME_CACHE_SECONDS = 30.0

SERVICE_CACHE_SECONDS = 10.0

_cache_lock = threading.Lock()
# (database URL, service id) -> (monotonic expiry, value)
_service_minutes: dict[tuple[str, int], tuple[float, float]] = {}
_services: dict[tuple[str, int], tuple[float, ServiceConfig | None]] = {}


@dataclasses.dataclass(frozen=True)
class ServiceConfig:
    """What issuing a ticket needs of its service; cached briefly (it changes rarely)."""

    id: int
    centre_id: int
    letter: str
    number_width: int
    priority_policy: PriorityPolicy
    priority_every: int
    default_service_minutes: int


_SERVICE = sa.select(
    *(getattr(models.QueueService, f.name) for f in dataclasses.fields(ServiceConfig))
).where(models.QueueService.id == sa.bindparam("id"), models.QueueService.active)


def service_config(session: orm.Session, service_id: int) -> ServiceConfig | None:
    """The active service with this id, or None; at most SERVICE_CACHE_SECONDS old."""
    key = (str(session.get_bind().engine.url), service_id)
    with _cache_lock:
        cached = _services.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    row = session.execute(_SERVICE, {"id": service_id}).first()
    config = ServiceConfig(*row) if row is not None else None
    with _cache_lock:
        _services[key] = (time.monotonic() + SERVICE_CACHE_SECONDS, config)
    return config


def forget_services() -> None:
    """Drop the cached service settings (an administrator changed a service)."""
    with _cache_lock:
        _services.clear()


def business_day(now: dt.datetime) -> dt.date:
    return now.astimezone(calendar.VN_TZ).date()


def waiting_clause(service_id: int, day: dt.date) -> sa.ColumnElement[bool]:
    return sa.and_(
        models.Ticket.service_id == service_id,
        models.Ticket.business_day == day,
        models.Ticket.status.in_(queue.CALLABLE),
    )


def count_tickets(session: orm.Session, *conditions: sa.ColumnElement[bool]) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(models.Ticket).where(*conditions)) or 0


_IS_PRIORITY = models.Ticket.priority_group.is_not(None)
# Built once with bind parameters: these run on every ticket issued, and building a
# statement costs more than SQLite takes to run it.
_CLASS_COUNTS = (
    sa.select(_IS_PRIORITY, sa.func.count())
    .where(waiting_clause(sa.bindparam("service_id"), sa.bindparam("day")))  # type: ignore[arg-type]
    .group_by(_IS_PRIORITY)
)
_OPEN_COUNTERS = (
    sa.select(sa.func.count())
    .select_from(models.Counter)
    .join(models.CounterService)
    .where(
        models.CounterService.service_id == sa.bindparam("service_id"),
        models.Counter.status == CounterStatus.OPEN,
    )
)


def class_counts(
    session: orm.Session, service_id: int, day: dt.date, *extra: sa.ColumnElement[bool]
) -> tuple[int, int]:
    """(priority, normal) tickets waiting in a service, in one query."""
    statement = _CLASS_COUNTS.where(*extra) if extra else _CLASS_COUNTS
    rows = session.execute(statement, {"service_id": service_id, "day": day}).all()
    counts = {bool(flag): int(n) for flag, n in rows}
    return counts.get(True, 0), counts.get(False, 0)


_CALLED = sa.and_(
    models.Ticket.service_id == sa.bindparam("service_id"),
    models.Ticket.business_day == sa.bindparam("day"),
    models.Ticket.called_at.is_not(None),
)
_LAST_PRIORITY_CALL = (
    sa.select(sa.func.max(models.Ticket.called_at)).where(_CALLED, _IS_PRIORITY).scalar_subquery()
)
_NORMAL_SINCE_PRIORITY = (
    sa.select(sa.func.count())
    .select_from(models.Ticket)
    .where(
        _CALLED,
        models.Ticket.priority_group.is_(None),
        sa.or_(_LAST_PRIORITY_CALL.is_(None), models.Ticket.called_at > _LAST_PRIORITY_CALL),
    )
)


def normal_since_priority(session: orm.Session, service_id: int, day: dt.date) -> int:
    """Normal tickets called in this service since its last priority ticket was called."""
    return session.scalar(_NORMAL_SINCE_PRIORITY, {"service_id": service_id, "day": day}) or 0


def average_service_minutes(
    session: orm.Session, service: models.QueueService | ServiceConfig, now: dt.datetime
) -> float:
    """Mean start-to-finish time of the service's recent tickets, or its configured default."""
    key = (str(session.get_bind().engine.url), service.id)
    with _cache_lock:
        cached = _service_minutes.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
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
    minutes = sum(spans) / len(spans) if spans else float(service.default_service_minutes)
    with _cache_lock:
        _service_minutes[key] = (time.monotonic() + SERVICE_TIME_CACHE_SECONDS, minutes)
    return minutes


def forget_service_minutes(session: orm.Session, service_id: int) -> None:
    """A ticket of the service finished here: the next estimate measures again."""
    with _cache_lock:
        _service_minutes.pop((str(session.get_bind().engine.url), service_id), None)


def open_counters(session: orm.Session, service_id: int) -> int:
    return int(session.execute(_OPEN_COUNTERS, {"service_id": service_id}).scalar_one())


def estimate(
    session: orm.Session,
    *,
    service: models.QueueService | ServiceConfig,
    day: dt.date,
    now: dt.datetime,
    is_priority: bool,
    counts: tuple[int, int],
) -> tuple[int, int]:
    """(people ahead, minutes) given the waiting (priority, normal) counts ahead of a ticket."""
    priority_before, normal_before = counts
    since = 0
    # The call history only matters when priority and normal tickets compete for turns.
    if service.priority_policy is PriorityPolicy.ONE_IN_N and (priority_before or is_priority):
        since = normal_since_priority(session, service.id, day)
    ahead = queue.people_ahead(
        policy=service.priority_policy,
        every_n=service.priority_every,
        normal_since_priority=since,
        is_priority=is_priority,
        priority_before=priority_before,
        normal_before=normal_before,
    )
    wait = queue.estimated_wait_minutes(
        ahead=ahead,
        average_service_minutes=average_service_minutes(session, service, now),
        open_counters=open_counters(session, service.id) if ahead else 0,
    )
    return ahead, wait


def position(
    session: orm.Session, ticket: models.Ticket, service: models.QueueService, now: dt.datetime
) -> tuple[int | None, int | None]:
    """(people ahead, estimated wait in minutes) for a waiting ticket; (None, None) otherwise."""
    if ticket.status not in queue.CALLABLE or ticket.business_day != business_day(now):
        return None, None
    is_priority = ticket.priority_group is not None
    # Same order as call-next: queue key, then id (two tickets can share a timestamp).
    earlier = sa.or_(
        models.Ticket.queue_key < ticket.queue_key,
        sa.and_(models.Ticket.queue_key == ticket.queue_key, models.Ticket.id < ticket.id),
    )
    own_class_before = class_counts(session, service.id, ticket.business_day, earlier)
    all_waiting = class_counts(session, service.id, ticket.business_day)
    counts = (own_class_before[0], all_waiting[1]) if is_priority else (all_waiting[0], own_class_before[1])
    return estimate(
        session, service=service, day=ticket.business_day, now=now, is_priority=is_priority, counts=counts
    )
