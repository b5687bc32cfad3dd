"""Tickets of finished business days, added up once for the queue and officer reports.

A report over a year would otherwise read every ticket of the year (600,000 at a busy centre).
Tickets of a past business day no longer change, so each such day is added up once, per centre,
along each dimension the reports group by (service, counter, officer, hour of issue) and kept
in report_day_figures; a report_day row marks the day as summarised. A report reads those rows
for the summarised days, computes the other days of its period (today, and any day not yet
summarised) from the tickets with the same code (collect), and merges both.

The rule: a business day is summarised only once it is over (it is before today, Vietnamese
time), for every centre at once, and never again. A ticket changed after that (it should not
happen; an admin cancelling an old ticket would) does not change the reports.

Precision: nothing is lost. Counts and sums of seconds are exact, so averages are. Waits and
service times are kept as histograms of whole minutes, rounded as the reports' p90 ("to the
minute") rounds them, so p90 over any number of days is the same as over the tickets; the waits
of done tickets are also kept rounded up to the minute (exactly: the smallest T with
wait <= T min + 1 ms), so the share served within any whole-minute target is exact too.

Filling: summarise() computes the missing days in a read transaction and writes each month in
a write transaction of its own; a day another filler wrote meanwhile is skipped (its marker is
inserted with ON CONFLICT DO NOTHING), so concurrent fills never fail. The routes call it before
a report; `qms-server summarise` fills ahead of time.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql, sqlite

from onestop.enums import TicketStatus
from server import db, models

# The dimensions kept: a ticket is counted once in each. Agency and day are read from counter
# and service rows (the agency of a counter as it is now, as the live report joins it).
DIMENSIONS = ("service", "counter", "officer", "hour")
EPSILON = 0.001  # seconds: float noise of the databases' date arithmetic
_CHUNK_DAYS = 31  # days computed and written per transaction

Key = int | None


class Sql:
    """Date arithmetic on UTC timestamps, for SQLite and PostgreSQL."""

    def __init__(self, session: orm.Session) -> None:
        self.sqlite = session.get_bind().dialect.name == "sqlite"

    def _local(self, column: Any) -> Any:
        return column + sa.literal_column("interval '7 hours'", sa.Interval)

    def seconds(self, begin: Any, end: Any) -> Any:
        if self.sqlite:
            return (sa.func.julianday(end) - sa.func.julianday(begin)) * 86400.0
        # date_part gives a double; extract() gives numeric on PostgreSQL 14+, several times slower.
        return sa.func.date_part("epoch", end - begin, type_=sa.Float)

    def minutes(self, seconds: Any) -> Any:
        """Whole minutes, rounded: the histogram bucket."""
        return sa.cast(sa.func.round(seconds / sa.literal_column("60.0")), sa.Integer)

    def local_hour(self, column: Any) -> Any:
        if self.sqlite:
            return sa.cast(sa.func.strftime("%H", column, "+7 hours"), sa.Integer)
        return sa.cast(sa.func.date_part("hour", self._local(column), type_=sa.Float), sa.Integer)

    def local_date(self, column: Any) -> Any:
        if self.sqlite:
            return sa.func.date(column, "+7 hours")
        return sa.cast(self._local(column), sa.Date)


def minutes_up(seconds: float) -> int:
    """The smallest whole number of minutes T with ``seconds`` <= T * 60 + EPSILON."""
    minutes = math.ceil((seconds - EPSILON) / 60)
    while minutes * 60 + EPSILON < seconds:  # float rounding in the division, either way
        minutes += 1
    while (minutes - 1) * 60 + EPSILON >= seconds:
        minutes -= 1
    return minutes


@dataclasses.dataclass
class Figures:
    """Tickets added up: counts, sums of seconds and histograms of minutes."""

    issued: int = 0
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    wait_seconds: float = 0.0
    wait_minutes: collections.Counter[int] = dataclasses.field(default_factory=collections.Counter)
    served_wait_minutes: collections.Counter[int] = dataclasses.field(default_factory=collections.Counter)
    service_seconds: float = 0.0
    service_minutes: collections.Counter[int] = dataclasses.field(default_factory=collections.Counter)
    first_call_at: dt.datetime | None = None  # of done tickets
    last_finish_at: dt.datetime | None = None

    def merge(self, other: Figures) -> None:
        self.issued += other.issued
        self.served += other.served
        self.no_show += other.no_show
        self.cancelled += other.cancelled
        self.wait_seconds += other.wait_seconds
        self.wait_minutes.update(other.wait_minutes)
        self.served_wait_minutes.update(other.served_wait_minutes)
        self.service_seconds += other.service_seconds
        self.service_minutes.update(other.service_minutes)
        self.first_call_at = _earliest(self.first_call_at, other.first_call_at)
        self.last_finish_at = _latest(self.last_finish_at, other.last_finish_at)

    def add_stored(self, values: Sequence[Any]) -> None:
        """Add one report_day_figures row (its columns from issued on)."""
        (
            issued,
            served,
            no_show,
            cancelled,
            wait_s,
            wait_m,
            served_wait_m,
            service_s,
            service_m,
            first,
            last,
        ) = values
        self.issued += issued
        self.served += served
        self.no_show += no_show
        self.cancelled += cancelled
        self.wait_seconds += wait_s
        self.service_seconds += service_s
        for stored, histogram in (
            (wait_m, self.wait_minutes),
            (served_wait_m, self.served_wait_minutes),
            (service_m, self.service_minutes),
        ):
            for minutes, count in (stored or {}).items():
                histogram[int(minutes)] += count
        self.first_call_at = _earliest(self.first_call_at, first)
        self.last_finish_at = _latest(self.last_finish_at, last)

    def served_within(self, minutes: int) -> int:
        """Done tickets called at most ``minutes`` (+ EPSILON) after they were issued."""
        return sum(count for up, count in self.served_wait_minutes.items() if up <= minutes)


def _earliest(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _latest(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return b if a is None else a if b is None else max(a, b)


# (business day, centre, dimension, key)
Slot = tuple[dt.date, int, str, Key]
# The dimension keys of a ticket: its service, counter, officer and hour of issue.
_Cell = tuple[dt.date, int, int, Key, Key, int]


def collect(session: orm.Session, *, days: Sequence[dt.date], centre_id: int | None) -> dict[Slot, Figures]:
    """The tickets of ``days`` added up per day, centre and dimension, from the ticket table."""
    if not days:
        return {}
    cells = _cells(session, days=days, centre_id=centre_id)
    result: dict[Slot, Figures] = collections.defaultdict(Figures)
    for (day, centre, service, counter, officer, hour), figures in cells.items():
        for dimension, key in (
            ("service", service),
            ("counter", counter),
            ("officer", officer),
            ("hour", hour),
        ):
            result[(day, centre, dimension, key)].merge(figures)
    for day, centre, officer, first_call, last_finish in _officer_days(
        session, days=days, centre_id=centre_id
    ):
        figures = result[(day, centre, "officer", officer)]
        figures.first_call_at, figures.last_finish_at = first_call, last_finish
    return dict(result)


def _cells(session: orm.Session, *, days: Sequence[dt.date], centre_id: int | None) -> dict[_Cell, Figures]:
    """One pass over the tickets, added up per day, centre, service, counter, officer and hour."""
    sql, t = Sql(session), models.table(models.Ticket)
    wait, service = sql.seconds(t.c.issued_at, t.c.called_at), sql.seconds(t.c.started_at, t.c.finished_at)
    stmt = sa.select(
        t.c.business_day,
        t.c.centre_id,
        t.c.service_id,
        t.c.counter_id,
        t.c.officer_id,
        sql.local_hour(t.c.issued_at),
        sa.type_coerce(t.c.status, sa.String),  # plain text: no enum conversion per row
        wait,
        sql.minutes(wait),
        service,
        sql.minutes(service),
    ).where(*_days_clause(t.c.business_day, days))
    if centre_id is not None:
        stmt = stmt.where(t.c.centre_id == centre_id)
    done, no_show, cancelled = (
        TicketStatus.DONE.value,
        TicketStatus.NO_SHOW.value,
        TicketStatus.CANCELLED.value,
    )
    cells: dict[_Cell, Figures] = {}
    for (
        day,
        centre,
        service_id,
        counter,
        officer,
        hour,
        status,
        wait_s,
        wait_m,
        service_s,
        service_m,
    ) in session.execute(stmt):
        cell = (day, centre, service_id, counter, officer, hour)
        figures = cells.get(cell)
        if figures is None:
            figures = cells[cell] = Figures()
        figures.issued += 1
        if status == done:
            figures.served += 1
        elif status == no_show:
            figures.no_show += 1
        elif status == cancelled:
            figures.cancelled += 1
        if wait_m is not None:
            figures.wait_seconds += wait_s
            figures.wait_minutes[wait_m] += 1
            if status == done:
                figures.served_wait_minutes[minutes_up(wait_s)] += 1
        if status == done and service_m is not None:
            figures.service_seconds += service_s
            figures.service_minutes[service_m] += 1
    return cells


def _officer_days(session: orm.Session, *, days: Sequence[dt.date], centre_id: int | None) -> list[Any]:
    """Per day, centre and officer: the first call and the last finish of their done tickets."""
    t = models.table(models.Ticket)
    stmt = (
        sa.select(
            t.c.business_day,
            t.c.centre_id,
            t.c.officer_id,
            sa.func.min(t.c.called_at),
            sa.func.max(t.c.finished_at),
        )
        .where(*_days_clause(t.c.business_day, days), t.c.status == TicketStatus.DONE)
        .group_by(t.c.business_day, t.c.centre_id, t.c.officer_id)
    )
    if centre_id is not None:
        stmt = stmt.where(t.c.centre_id == centre_id)
    return list(session.execute(stmt).all())


def _days_clause(column: Any, days: Sequence[dt.date]) -> list[Any]:
    """``column`` in ``days``: a range when they follow each other, as they mostly do."""
    first, last = min(days), max(days)
    if (last - first).days + 1 == len(set(days)):
        return [column >= first, column <= last]
    return [column.in_(sorted(set(days)))]


# ---------------------------------------------------------------- reading


def summarised_days(session: orm.Session, *, start: dt.date, end: dt.date) -> set[dt.date]:
    r = models.table(models.ReportDay)
    return set(session.scalars(sa.select(r.c.business_day).where(r.c.business_day.between(start, end))))


Group = TypeVar("Group", bound=Hashable)


class Reader:
    """The days start..end of one centre (or of all): the summarised ones from their rows, the
    others from the tickets (collected once per reader, with the same code as the summaries)."""

    def __init__(self, session: orm.Session, *, start: dt.date, end: dt.date, centre_id: int | None) -> None:
        self.session, self.start, self.end, self.centre_id = session, start, end, centre_id
        self.summarised = summarised_days(session, start=start, end=end)
        self._live: dict[Slot, Figures] | None = None

    def live(self) -> dict[Slot, Figures]:
        if self._live is None:
            days = [day for day in _days(self.start, self.end) if day not in self.summarised]
            self._live = collect(self.session, days=days, centre_id=self.centre_id)
        return self._live

    def _where(self, f: sa.Table, dimension: str) -> list[Any]:
        where = [f.c.dimension == dimension, f.c.business_day.between(self.start, self.end)]
        return where + ([f.c.centre_id == self.centre_id] if self.centre_id is not None else [])

    def figures(
        self, dimension: str, group: Callable[[dt.date, Key], Group], *, waits: bool = True
    ) -> dict[Group, Figures]:
        """The figures of one dimension added up per ``group(day, key)``; without the histograms
        of waits unless ``waits`` (from the summaries: the officer report needs none)."""
        result: dict[Group, Figures] = collections.defaultdict(Figures)
        if self.summarised:
            f = models.table(models.ReportDayFigures)
            none = sa.null()
            stmt = sa.select(
                f.c.business_day,
                f.c.key,
                f.c.issued,
                f.c.served,
                f.c.no_show,
                f.c.cancelled,
                f.c.wait_seconds,
                f.c.wait_minutes if waits else none,
                f.c.served_wait_minutes if waits else none,
                f.c.service_seconds,
                f.c.service_minutes,
                f.c.first_call_at,
                f.c.last_finish_at,
            ).where(*self._where(f, dimension))
            for day, key, *values in self.session.execute(stmt):
                result[group(day, key)].add_stored(values)
        for (day, _, found, key), figures in self.live().items():
            if found == dimension:
                result[group(day, key)].merge(figures)
        return dict(result)

    def issued_by_hour(self) -> collections.Counter[int]:
        """Tickets issued per hour of the day (Vietnamese time)."""
        result: collections.Counter[int] = collections.Counter()
        if self.summarised:
            f = models.table(models.ReportDayFigures)
            stmt = (
                sa.select(f.c.key, sa.func.sum(f.c.issued)).where(*self._where(f, "hour")).group_by(f.c.key)
            )
            result.update({int(hour): int(issued) for hour, issued in self.session.execute(stmt)})
        for (_, _, dimension, hour), figures in self.live().items():
            if dimension == "hour" and hour is not None:
                result[hour] += figures.issued
        return +result  # hours with tickets only


def _days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


# ---------------------------------------------------------------- writing


def summarise(
    database: db.Database, *, start: dt.date, end: dt.date, today: dt.date, now: dt.datetime
) -> int:
    """Summarise the days start..end that are over (before ``today``) and not summarised yet,
    a month per write transaction; the number of days this call wrote."""
    last = min(end, today - dt.timedelta(days=1))
    if last < start:
        return 0
    with database.read() as session:
        done = summarised_days(session, start=start, end=last)
    missing = [day for day in _days(start, last) if day not in done]
    written = 0
    for chunk in (missing[i : i + _CHUNK_DAYS] for i in range(0, len(missing), _CHUNK_DAYS)):
        with database.read() as session:  # computed outside the write lock: writers go on meanwhile
            figures = collect(session, days=chunk, centre_id=None)
        with database.write() as session:
            written += _store(session, days=chunk, figures=figures, now=now)
    return written


def _store(
    session: orm.Session, *, days: Sequence[dt.date], figures: dict[Slot, Figures], now: dt.datetime
) -> int:
    """Mark ``days`` summarised and write their figures; days another filler marked are skipped."""
    r, f = models.table(models.ReportDay), models.table(models.ReportDayFigures)
    dialect: Any = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    claim = (
        dialect.insert(r)
        .values([{"business_day": day, "summarised_at": now} for day in days])
        .on_conflict_do_nothing(index_elements=[r.c.business_day])
        .returning(r.c.business_day)
    )
    mine = set(session.scalars(claim))
    rows = [
        {
            "business_day": day,
            "centre_id": centre,
            "dimension": dimension,
            "key": key,
            "issued": fig.issued,
            "served": fig.served,
            "no_show": fig.no_show,
            "cancelled": fig.cancelled,
            "wait_seconds": fig.wait_seconds,
            "wait_minutes": _stored(fig.wait_minutes),
            "served_wait_minutes": _stored(fig.served_wait_minutes),
            "service_seconds": fig.service_seconds,
            "service_minutes": _stored(fig.service_minutes),
            "first_call_at": fig.first_call_at,
            "last_finish_at": fig.last_finish_at,
        }
        for (day, centre, dimension, key), fig in figures.items()
        if day in mine
    ]
    if rows:
        session.execute(sa.insert(f), rows)
    return len(mine)


def _stored(histogram: collections.Counter[int]) -> dict[str, int]:
    return {str(minutes): count for minutes, count in sorted(histogram.items())}
