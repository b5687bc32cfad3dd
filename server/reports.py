"""Periodic reports for managers: the queue, dossiers, satisfaction and officers.

Every report covers Vietnamese dates ``start``..``end`` (both included). The queue and officer
reports read tickets of finished business days from their daily summaries (server/report_days.py,
filled by the routes before the report) and today's from the tickets themselves; the summaries
lose nothing, so the figures are the same either way. Dossiers change after their day (returned
later, overdue now): those reports count them with indexed SQL (GROUP BY) every time. Averages
are exact; the 90th percentiles are nearest-rank over whole minutes ("p90 to the minute").

Where a ticket or dossier belongs:
- a ticket to its business_day, and to the service where it ended (where it was served, after
  any transfer); ``transferred_out`` counts transfers away from a service (counter, officer),
  read from the audit log;
- a ticket's agency is the agency of the counter that called it (none if never called), as
  the counter belongs to an agency now;
- a dossier to the day of received_at for ``received`` (a supplemented dossier counts from the
  day it was supplemented, as its processing time does), to the day of returned_at for the
  returned counts; supplement requests, refusals and extensions to the day they were recorded.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import enum
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from onestop import calendar
from onestop.enums import DossierStatus, Rating
from server import db, dossier_lookup, models, report_days

MAX_DAYS = 366
# Vietnam keeps UTC+7 all year (no daylight saving), so SQL can shift UTC by a constant.
_VN_OFFSET = dt.timedelta(hours=7)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TOTAL_NAME = "Tổng cộng"

Key = int | str | None


class QueueGroup(enum.StrEnum):
    SERVICE = "service"
    COUNTER = "counter"
    OFFICER = "officer"
    AGENCY = "agency"
    DAY = "day"
    HOUR = "hour"


class DossierGroup(enum.StrEnum):
    AGENCY = "agency"
    FIELD = "field"
    PROCEDURE = "procedure"
    OFFICER = "officer"


class SatisfactionGroup(enum.StrEnum):
    OFFICER = "officer"
    FIELD = "field"


# ---------------------------------------------------------------- the period


@dataclasses.dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def first(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), tzinfo=calendar.VN_TZ)

    @property
    def after(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=calendar.VN_TZ)


def parse_date(text: str, field: str) -> dt.date:
    """A YYYY-MM-DD date, or a 422 naming ``field``."""
    try:
        if _ISO_DATE.fullmatch(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise dossier_lookup.InvalidQuery(field, "Ngày phải có dạng YYYY-MM-DD, ví dụ 2026-11-01.")


def period(start: str, end: str) -> Period:
    """The checked period: end not before start, at most MAX_DAYS days."""
    first, last = parse_date(start, "start"), parse_date(end, "end")
    dossier_lookup.check_period(first, last, max_days=MAX_DAYS, what="Mỗi báo cáo")
    return Period(first, last)


def _count_if(condition: Any) -> Any:
    return sa.func.sum(sa.case((condition, sa.literal_column("1")), else_=sa.literal_column("0")))


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _average_minutes(seconds: float, histogram: collections.Counter[int]) -> float | None:
    n = sum(histogram.values())
    return round(seconds / n / 60, 1) if n else None


def _p90(histogram: collections.Counter[int]) -> int | None:
    """Nearest rank: the smallest minute value with at least 90 % of durations at or below it."""
    n = sum(histogram.values())
    if not n:
        return None
    rank, seen = math.ceil(0.9 * n), 0
    for minutes in sorted(histogram):
        seen += histogram[minutes]
        if seen >= rank:
            return minutes
    raise AssertionError("unreachable: the counts add up to n")


def _ordered(keys: Iterable[Key]) -> list[Key]:
    """Keys in their natural order, the unknown (None) last."""
    return sorted(set(keys), key=lambda key: (key is None, str(type(key)), key if key is not None else 0))


def _names(session: orm.Session, model: type[db.Base], keys: Iterable[Key]) -> dict[Key, str]:
    ids = [key for key in keys if isinstance(key, int)]
    if model is models.User:
        rows = session.execute(
            sa.select(models.User.id, models.User.full_name, models.User.username).where(
                models.User.id.in_(ids)
            )
        ).all()
        return {user_id: full_name or username for user_id, full_name, username in rows}
    table = models.table(model)
    return {
        key: name
        for key, name in session.execute(sa.select(table.c.id, table.c.name).where(table.c.id.in_(ids)))
    }


def _label(names: Mapping[Key, str], key: Key, unknown: str) -> str:
    if key is None:
        return unknown
    return names.get(key, f"#{key}")


# ---------------------------------------------------------------- 1. the queue


@dataclasses.dataclass
class QueueRow:
    key: Key
    name: str
    issued: int = 0
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    transferred_out: int = 0
    avg_wait_minutes: float | None = None
    p90_wait_minutes: int | None = None
    avg_service_minutes: float | None = None
    p90_service_minutes: int | None = None
    service_level: float | None = None


@dataclasses.dataclass
class HourCount:
    hour: int
    issued: int


@dataclasses.dataclass
class QueueReport:
    report: str
    start: dt.date
    end: dt.date
    centre_id: int | None
    group_by: str
    target_wait_minutes: int
    rows: list[QueueRow]
    total: QueueRow
    busiest_hours: list[HourCount]  # every hour (Vietnamese time) with tickets issued, in clock order


def _queue_row(figures: report_days.Figures, key: Key, name: str, target_wait_minutes: int) -> QueueRow:
    return QueueRow(
        key=key,
        name=name,
        issued=figures.issued,
        served=figures.served,
        no_show=figures.no_show,
        cancelled=figures.cancelled,
        avg_wait_minutes=_average_minutes(figures.wait_seconds, figures.wait_minutes),
        p90_wait_minutes=_p90(figures.wait_minutes),
        avg_service_minutes=_average_minutes(figures.service_seconds, figures.service_minutes),
        p90_service_minutes=_p90(figures.service_minutes),
        service_level=_share(figures.served_within(target_wait_minutes), figures.served),
    )


_QUEUE_UNKNOWN = {
    QueueGroup.COUNTER: "Chưa được gọi tại quầy",
    QueueGroup.OFFICER: "Chưa có cán bộ phục vụ",
    QueueGroup.AGENCY: "Chưa xác định cơ quan",
}
# The summary dimension each grouping reads: agencies from counters, days from services.
_QUEUE_DIMENSION = {
    QueueGroup.SERVICE: "service",
    QueueGroup.COUNTER: "counter",
    QueueGroup.OFFICER: "officer",
    QueueGroup.AGENCY: "counter",
    QueueGroup.DAY: "service",
    QueueGroup.HOUR: "hour",
}


def queue(
    session: orm.Session,
    *,
    period: Period,
    centre_id: int | None,
    group_by: QueueGroup,
    target_wait_minutes: int,
) -> QueueReport:
    """Tickets of the period: issued, outcomes, waits (called − issued) and service times
    (finished − started, for done tickets), and the share of served tickets called within
    ``target_wait_minutes``. Averages exact, p90 to the minute (nearest rank over waits rounded
    to whole minutes), whether the days were summarised (report_days) or read from the tickets.
    Call report_days.summarise first for the days to be read from their summaries."""
    dimension = _QUEUE_DIMENSION[group_by]
    days = report_days.Reader(session, start=period.start, end=period.end, centre_id=centre_id)
    agency_of: dict[Key, Key] = {}
    if group_by is QueueGroup.AGENCY:
        counters = session.execute(sa.select(models.Counter.id, models.Counter.agency_id))
        agency_of = {counter: agency for counter, agency in counters}

    def group(day: dt.date, key: report_days.Key) -> Key:
        if group_by is QueueGroup.AGENCY:
            return agency_of.get(key)
        return day.isoformat() if group_by is QueueGroup.DAY else key

    accs = days.figures(dimension, group)
    transfers = _transfers(session, period=period, centre_id=centre_id, group_by=group_by)
    for moved in transfers:  # a group with transfers away and no ticket of its own still shows
        accs.setdefault(moved, report_days.Figures())
    names = _queue_names(session, group_by, accs.keys())
    rows = [
        _queue_row(accs[key], key, _label(names, key, _QUEUE_UNKNOWN.get(group_by, "")), target_wait_minutes)
        for key in _ordered(accs)
    ]
    for row in rows:
        row.transferred_out = transfers[row.key]
    total = report_days.Figures()
    for acc in accs.values():
        total.merge(acc)
    hours = days.issued_by_hour()
    return QueueReport(
        report="queue",
        start=period.start,
        end=period.end,
        centre_id=centre_id,
        group_by=group_by.value,
        target_wait_minutes=target_wait_minutes,
        rows=rows,
        total=dataclasses.replace(
            _queue_row(total, None, TOTAL_NAME, target_wait_minutes), transferred_out=sum(transfers.values())
        ),
        busiest_hours=[HourCount(hour=hour, issued=hours[hour]) for hour in sorted(hours)],
    )


def _transfers(
    session: orm.Session, *, period: Period, centre_id: int | None, group_by: QueueGroup
) -> collections.Counter[Key]:
    """Transfers away, from the audit log: the service and counter the ticket left, the
    officer who moved it (only when it was at a counter), the day and hour it happened."""
    a = models.table(models.AuditEntry)
    entries = session.execute(
        sa.select(a.c.at, a.c.actor, a.c.details).where(
            a.c.action == "ticket.transferred", a.c.at >= period.first, a.c.at < period.after
        )
    ).all()
    result: collections.Counter[Key] = collections.Counter()
    if not entries:
        return result
    services = {
        key: centre
        for key, centre in session.execute(sa.select(models.QueueService.id, models.QueueService.centre_id))
    }
    counters = {
        row.id: row for row in session.execute(sa.select(models.Counter.id, models.Counter.agency_id))
    }
    users = _user_ids(session, {actor for _, actor, _ in entries})
    for at, actor, details in entries:
        from_service, from_counter = details.get("from_service_id"), details.get("from_counter_id")
        if centre_id is not None and services.get(from_service) != centre_id:
            continue
        local = at.astimezone(calendar.VN_TZ)
        key: Key = {
            QueueGroup.SERVICE: from_service,
            QueueGroup.COUNTER: from_counter,
            QueueGroup.OFFICER: users.get(actor) if from_counter is not None else None,
            QueueGroup.AGENCY: counters[from_counter].agency_id if from_counter in counters else None,
            QueueGroup.DAY: local.date().isoformat(),
            QueueGroup.HOUR: local.hour,
        }[group_by]
        result[key] += 1
    return result


def _user_ids(session: orm.Session, actors: Iterable[str]) -> dict[str, int]:
    usernames = {actor.removeprefix("user:") for actor in actors if actor.startswith("user:")}
    rows = session.execute(
        sa.select(models.User.username, models.User.id).where(models.User.username.in_(usernames))
    )
    return {f"user:{username}": user_id for username, user_id in rows}


def _queue_names(session: orm.Session, group_by: QueueGroup, keys: Iterable[Key]) -> dict[Key, str]:
    if group_by is QueueGroup.DAY:
        return {key: f"{dt.date.fromisoformat(key):%d/%m/%Y}" for key in keys if isinstance(key, str)}
    if group_by is QueueGroup.HOUR:
        return {key: f"{key:02d}:00–{key + 1:02d}:00" for key in keys if isinstance(key, int)}
    model: type[db.Base] = {
        QueueGroup.SERVICE: models.QueueService,
        QueueGroup.COUNTER: models.Counter,
        QueueGroup.OFFICER: models.User,
        QueueGroup.AGENCY: models.Agency,
    }[group_by]
    return _names(session, model, keys)


# ---------------------------------------------------------------- 2. dossiers


@dataclasses.dataclass
class DossierRow:
    key: Key
    name: str
    received: int = 0
    returned: int = 0
    returned_early: int = 0
    returned_on_time: int = 0
    returned_late: int = 0
    overdue_now: int = 0
    supplement_requests: int = 0
    refusals: int = 0
    extensions: int = 0


@dataclasses.dataclass
class DossierReport:
    report: str
    start: dt.date
    end: dt.date
    centre_id: int | None
    group_by: str
    # overdue_now counts dossiers still being processed whose due time had passed at this
    # moment, whatever the period.
    overdue_as_of: dt.datetime
    rows: list[DossierRow]
    total: DossierRow


_AUDITED = {
    "dossier.supplement_requested": "supplement_requests",
    "dossier.refused": "refusals",
    "dossier.extended": "extensions",
}
_DOSSIER_MODELS: dict[DossierGroup, type[db.Base]] = {
    DossierGroup.AGENCY: models.Agency,
    DossierGroup.FIELD: models.Field,
    DossierGroup.PROCEDURE: models.Procedure,
    DossierGroup.OFFICER: models.User,
}


def _dossier_group(group_by: DossierGroup | SatisfactionGroup, source: Any) -> tuple[Any, Any]:
    """The grouping column and the FROM clause it needs, built on ``source`` (holding dossier)."""
    d, p = models.table(models.Dossier), models.table(models.Procedure)
    if group_by in (DossierGroup.AGENCY, DossierGroup.FIELD, SatisfactionGroup.FIELD):
        source = source.join(p, d.c.procedure_id == p.c.id)
    if group_by is DossierGroup.AGENCY:
        f = models.table(models.Field)
        return f.c.agency_id, source.join(f, p.c.field_id == f.c.id)
    if group_by in (DossierGroup.FIELD, SatisfactionGroup.FIELD):
        return p.c.field_id, source
    if group_by is DossierGroup.PROCEDURE:
        return d.c.procedure_id, source
    return d.c.officer_id, source


def dossiers(
    session: orm.Session, *, period: Period, centre_id: int | None, group_by: DossierGroup, now: dt.datetime
) -> DossierReport:
    """The province's periodic report. Timeliness follows onestop.dossier.classify_timeliness
    with the time the result was done (ready_at, else returned_at), as every dossier view does:
    early if done on a day before the due day, on time up to the due time, late after it.
    ``overdue_now``: dossiers being processed (status received) whose due time is before
    ``now``, whatever the period; one waiting for papers the citizen must bring is not overdue,
    its processing time starts again when they come."""
    sql, d = report_days.Sql(session), models.table(models.Dossier)
    group, source = _dossier_group(group_by, d)
    counts: dict[Key, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    centre = [d.c.centre_id == centre_id] if centre_id is not None else []

    # Two range reads, each over an index that covers it (received_at, returned_at: migration 0005).
    received = (
        sa.select(group, sa.func.count())
        .select_from(source)
        .where(d.c.received_at >= period.first, d.c.received_at < period.after, *centre)
        .group_by(group)
    )
    for key, count in session.execute(received):
        counts[key]["received"] += count
    done = sa.func.coalesce(d.c.ready_at, d.c.returned_at)
    returned = (
        sa.select(
            group,
            sa.func.count(),
            _count_if(sql.local_date(done) < sql.local_date(d.c.due_at)),
            _count_if(done > d.c.due_at),
        )
        .select_from(source)
        .where(d.c.returned_at >= period.first, d.c.returned_at < period.after, *centre)
        .group_by(group)
    )
    for key, count, early, late in session.execute(returned):
        counts[key].update(
            returned=count, returned_early=early, returned_late=late, returned_on_time=count - early - late
        )

    overdue = (
        sa.select(group, sa.func.count())
        .select_from(source)
        .where(d.c.status == DossierStatus.RECEIVED, d.c.due_at < now, *centre)
        .group_by(group)
    )
    for key, count in session.execute(overdue):
        counts[key]["overdue_now"] += count

    a = models.table(models.AuditEntry)
    _, audited_source = _dossier_group(group_by, a.join(d, a.c.target == d.c.code))
    audited = (
        sa.select(group, a.c.action, sa.func.count())
        .select_from(audited_source)
        .where(a.c.action.in_(_AUDITED), a.c.at >= period.first, a.c.at < period.after, *centre)
        .group_by(group, a.c.action)
    )
    for key, action, count in session.execute(audited):
        counts[key][_AUDITED[action]] += count

    names = _names(session, _DOSSIER_MODELS[group_by], counts)
    unknown = "Chưa xác định cán bộ" if group_by is DossierGroup.OFFICER else "Chưa xác định"
    rows = [DossierRow(key, _label(names, key, unknown), **counts[key]) for key in _ordered(counts)]
    total: collections.Counter[str] = collections.Counter()
    for figures_of in counts.values():
        total.update(figures_of)
    return DossierReport(
        report="dossiers",
        start=period.start,
        end=period.end,
        centre_id=centre_id,
        group_by=group_by.value,
        overdue_as_of=now,
        rows=rows,
        total=DossierRow(None, TOTAL_NAME, **total),
    )


# ---------------------------------------------------------------- 3. satisfaction


@dataclasses.dataclass
class SatisfactionRow:
    key: Key
    name: str
    very_satisfied: int = 0
    satisfied: int = 0
    dissatisfied: int = 0
    total: int = 0
    satisfied_share: float | None = None  # (very satisfied + satisfied) / total


@dataclasses.dataclass
class ReasonCount:
    reason: str
    count: int


@dataclasses.dataclass
class SatisfactionReport:
    report: str
    start: dt.date
    end: dt.date
    centre_id: int | None
    group_by: str
    rows: list[SatisfactionRow]
    total: SatisfactionRow
    reasons: list[ReasonCount]


_RATING_FIELDS = {
    Rating.VERY_SATISFIED: "very_satisfied",
    Rating.SATISFIED: "satisfied",
    Rating.DISSATISFIED: "dissatisfied",
}


def _satisfaction_row(key: Key, name: str, counts: Mapping[str, int]) -> SatisfactionRow:
    row = SatisfactionRow(key, name, **{field: counts.get(field, 0) for field in _RATING_FIELDS.values()})
    row.total = row.very_satisfied + row.satisfied + row.dissatisfied
    row.satisfied_share = _share(row.very_satisfied + row.satisfied, row.total)
    return row


def _rating_counts(
    session: orm.Session, *, period: Period, centre_id: int | None, group_by: DossierGroup | SatisfactionGroup
) -> dict[Key, collections.Counter[str]]:
    """Ratings given in the period (created_at), per group and level."""
    r, d = models.table(models.DossierRating), models.table(models.Dossier)
    group, source = _dossier_group(group_by, r.join(d, r.c.dossier_id == d.c.id))
    if group_by in (DossierGroup.OFFICER, SatisfactionGroup.OFFICER):
        group = r.c.officer_id  # who served the citizen, as the rating records it
    stmt = (
        sa.select(group, r.c.level, sa.func.count())
        .select_from(source)
        .where(r.c.created_at >= period.first, r.c.created_at < period.after)
        .group_by(group, r.c.level)
    )
    if centre_id is not None:
        stmt = stmt.where(d.c.centre_id == centre_id)
    counts: dict[Key, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for key, level, count in session.execute(stmt):
        counts[key][_RATING_FIELDS[Rating(level)]] += count
    return counts


def satisfaction(
    session: orm.Session, *, period: Period, centre_id: int | None, group_by: SatisfactionGroup
) -> SatisfactionReport:
    """Ratings given in the period, per officer or field, and the reasons of the dissatisfied
    (the same text, spaces trimmed, counted together; most frequent first)."""
    counts = _rating_counts(session, period=period, centre_id=centre_id, group_by=group_by)
    model = models.User if group_by is SatisfactionGroup.OFFICER else models.Field
    names = _names(session, model, counts)
    rows = [
        _satisfaction_row(key, _label(names, key, "Chưa xác định"), counts[key]) for key in _ordered(counts)
    ]
    total: collections.Counter[str] = collections.Counter()
    for figures in counts.values():
        total.update(figures)
    return SatisfactionReport(
        report="satisfaction",
        start=period.start,
        end=period.end,
        centre_id=centre_id,
        group_by=group_by.value,
        rows=rows,
        total=_satisfaction_row(None, TOTAL_NAME, total),
        reasons=_reasons(session, period=period, centre_id=centre_id),
    )


def _reasons(session: orm.Session, *, period: Period, centre_id: int | None) -> list[ReasonCount]:
    r, d = models.table(models.DossierRating), models.table(models.Dossier)
    stmt = (
        sa.select(r.c.reason, sa.func.count())
        .select_from(r.join(d, r.c.dossier_id == d.c.id))
        .where(
            r.c.level == Rating.DISSATISFIED, r.c.created_at >= period.first, r.c.created_at < period.after
        )
        .group_by(r.c.reason)
    )
    if centre_id is not None:
        stmt = stmt.where(d.c.centre_id == centre_id)
    merged: collections.Counter[str] = collections.Counter()
    for reason, count in session.execute(stmt):
        merged[" ".join((reason or "").split()) or "(không ghi lý do)"] += count
    return [
        ReasonCount(reason, count) for reason, count in sorted(merged.items(), key=lambda i: (-i[1], i[0]))
    ]


# ---------------------------------------------------------------- 4. officers


@dataclasses.dataclass
class OfficerRow:
    key: Key
    name: str
    served: int = 0
    avg_service_minutes: float | None = None
    open_hours: float | None = None
    served_per_hour: float | None = None
    very_satisfied: int = 0
    satisfied: int = 0
    dissatisfied: int = 0


@dataclasses.dataclass
class OfficerReport:
    report: str
    start: dt.date
    end: dt.date
    centre_id: int | None
    group_by: str
    rows: list[OfficerRow]
    total: OfficerRow


_COUNTER_ACTIONS = ("counter.opened", "counter.resumed", "counter.paused", "counter.closed")
_OPENING = frozenset({"counter.opened", "counter.resumed"})


def officers(
    session: orm.Session, *, period: Period, centre_id: int | None, now: dt.datetime
) -> OfficerReport:
    """One row per officer: tickets served (done), average service time, the hours they had a
    counter open and tickets served per such hour, and the ratings they received.

    Open hours come from the audit log: a counter opened or resumed by an officer until it was
    paused or closed (a stretch still open counts up to the end of its day, or now). On a day
    the log shows no opening for an officer who served tickets, that day counts from their
    first call to their last finish. A stretch begun before the period is not counted.
    Tickets come from the daily summaries as in queue()."""
    hours = _open_hours(session, period=period, centre_id=centre_id, now=now)
    served: dict[Key, tuple[int, int, float]] = {}
    reader = report_days.Reader(session, start=period.start, end=period.end, centre_id=centre_id)
    per_day = reader.figures("officer", lambda day, officer: (officer, day), waits=False)
    for (officer, day), figures in per_day.items():
        if officer is None or not figures.served:
            continue
        before = served.get(officer, (0, 0, 0.0))
        n_timed = sum(figures.service_minutes.values())
        served[officer] = (
            before[0] + figures.served,
            before[1] + n_timed,
            before[2] + figures.service_seconds,
        )
        first_call, last_finish = figures.first_call_at, figures.last_finish_at
        if (officer, day) not in hours and first_call is not None and last_finish is not None:
            hours[(officer, day)] = max(0.0, (last_finish - first_call).total_seconds() / 3600)
    per_officer: dict[Key, float] = collections.defaultdict(float)
    for (who, _), value in hours.items():
        per_officer[who] += value
    ratings = _rating_counts(session, period=period, centre_id=centre_id, group_by=SatisfactionGroup.OFFICER)
    keys = _ordered(key for key in (*served, *per_officer, *ratings) if key is not None)
    names = _names(session, models.User, keys)
    rows = [
        _officer_row(key, names.get(key, f"#{key}"), served.get(key), per_officer.get(key), ratings.get(key))
        for key in keys
    ]
    sums = [sum(v[i] for k, v in served.items() if k in keys) for i in range(3)]
    all_ratings: collections.Counter[str] = collections.Counter()
    for key in keys:
        all_ratings.update(ratings.get(key, {}))
    total = _officer_row(
        None,
        TOTAL_NAME,
        (int(sums[0]), int(sums[1]), sums[2]),
        sum(per_officer.get(k, 0.0) for k in keys),
        all_ratings,
    )
    return OfficerReport(
        report="officers",
        start=period.start,
        end=period.end,
        centre_id=centre_id,
        group_by="officer",
        rows=rows,
        total=total,
    )


def _officer_row(
    key: Key,
    name: str,
    served: tuple[int, int, float] | None,
    hours: float | None,
    ratings: Mapping[str, int] | None,
) -> OfficerRow:
    n, n_timed, seconds = served or (0, 0, 0.0)
    ratings = ratings or {}
    return OfficerRow(
        key=key,
        name=name,
        served=n,
        avg_service_minutes=round(seconds / n_timed / 60, 1) if n_timed else None,
        open_hours=round(hours, 2) if hours else None,
        served_per_hour=round(n / hours, 2) if hours else None,
        **{field: ratings.get(field, 0) for field in _RATING_FIELDS.values()},
    )


def _open_hours(
    session: orm.Session, *, period: Period, centre_id: int | None, now: dt.datetime
) -> dict[tuple[Key, dt.date], float]:
    """Hours each officer had a counter open, per Vietnamese day, from the audit log."""
    a = models.table(models.AuditEntry)
    found = session.execute(
        sa.select(a.c.at, a.c.id, a.c.actor, a.c.action, a.c.details).where(
            a.c.action.in_(_COUNTER_ACTIONS), a.c.at >= period.first, a.c.at < period.after
        )
    ).all()
    # Sorted here, not by ORDER BY at: that would steer the database to the index on at alone.
    entries: list[tuple[dt.datetime, str, str, dict[str, Any]]] = [
        (at, actor, action, details)
        for at, _, actor, action, details in sorted(found, key=lambda e: (e[0], e[1]))
    ]
    hours: dict[tuple[Key, dt.date], float] = collections.defaultdict(float)
    if not entries:
        return hours
    centres: dict[Any, int] = {
        key: centre for key, centre in session.execute(sa.select(models.Counter.id, models.Counter.centre_id))
    }
    users = _user_ids(session, {actor for _, actor, _, _ in entries})
    open_since: dict[Any, tuple[Key, dt.datetime]] = {}

    def close(counter: Any, end: dt.datetime) -> None:
        officer, start = open_since.pop(counter)
        local = start.astimezone(calendar.VN_TZ)
        day_end = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), tzinfo=calendar.VN_TZ)
        seconds = (min(end, day_end, now) - start).total_seconds()
        if officer is not None and seconds > 0:
            hours[(officer, local.date())] += seconds / 3600

    for at, actor, action, details in entries:
        counter = details.get("counter_id")
        if centre_id is not None and centres.get(counter) != centre_id:
            continue
        if counter in open_since:
            close(counter, at)
        if action in _OPENING:
            open_since[counter] = (users.get(actor), at)
    for counter in list(open_since):
        close(counter, period.after)
    return hours
