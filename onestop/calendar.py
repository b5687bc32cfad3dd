"""Working days, office hours and dossier due times for a Vietnamese one-stop centre.

A working day is a weekday that is not a public holiday, or a weekend day the Government
swapped to be worked; the centre's admin can add days off and working days on top, and those
overrides win. One working day of processing time is the office time of one day, so due times
are counted in office time: skipping nights, the lunch break and non-working days.

Every datetime in and out is timezone-aware; the arithmetic runs on Vietnamese wall-clock time,
which is safe because Vietnam has no daylight saving time.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import re
import zoneinfo
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal

import holidays

from onestop import enums, errors

VN_TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

PROVINCE_DAY_OFF_NAME = "Ngày nghỉ do tỉnh quy định"

_ONE_DAY = datetime.timedelta(days=1)
_ONE_MICROSECOND = datetime.timedelta(microseconds=1)
_PERIOD_RE = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")
_OFFICE_HOURS_EXAMPLE = "07:00-11:30,13:30-17:00"

Period = tuple[datetime.time, datetime.time]


def _span(start: datetime.time, end: datetime.time) -> datetime.timedelta:
    """Length of the wall-clock interval [start, end) within one day."""
    day = datetime.date.min
    return datetime.datetime.combine(day, end) - datetime.datetime.combine(day, start)


@dataclasses.dataclass(frozen=True)
class OfficeHours:
    """The daily office periods, sorted and disjoint, in Vietnamese wall-clock time."""

    periods: tuple[Period, ...] = (
        (datetime.time(7, 0), datetime.time(11, 30)),
        (datetime.time(13, 30), datetime.time(17, 0)),
    )

    def __post_init__(self) -> None:
        if not self.periods:
            raise errors.InvalidValue("office_hours", "Phải có ít nhất một buổi làm việc.")
        previous_end: datetime.time | None = None
        for start, end in self.periods:
            for moment in (start, end):
                # Whole minutes keep minutes_per_day exact; an offset would make the
                # wall clock ambiguous, since every time here is Vietnamese time.
                if moment.tzinfo is not None or moment.second or moment.microsecond:
                    raise errors.InvalidValue(
                        "office_hours", "Giờ làm việc phải là giờ:phút, không kèm múi giờ."
                    )
            if start >= end:
                raise errors.InvalidValue("office_hours", "Mỗi buổi làm việc phải kết thúc sau khi bắt đầu.")
            if previous_end is not None and start < previous_end:
                raise errors.InvalidValue(
                    "office_hours",
                    "Các buổi làm việc phải theo thứ tự thời gian và không chồng lên nhau.",
                )
            previous_end = end

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """Read the admin setting, e.g. ``"07:00-11:30,13:30-17:00"``."""
        periods: list[Period] = []
        for chunk in text.split(","):
            match = _PERIOD_RE.fullmatch(chunk)
            if match is None:
                raise errors.InvalidValue("office_hours", _bad_office_hours_message(text))
            hour1, minute1, hour2, minute2 = (int(group) for group in match.groups())
            try:
                periods.append((datetime.time(hour1, minute1), datetime.time(hour2, minute2)))
            except ValueError:  # e.g. 25:00 or 07:60
                raise errors.InvalidValue("office_hours", _bad_office_hours_message(text)) from None
        return cls(periods=tuple(periods))

    def format(self) -> str:
        """The text that :meth:`parse` reads back into equal office hours."""
        return ",".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in self.periods)

    @property
    def day_length(self) -> datetime.timedelta:
        """Office time in one working day: the length of one working day of processing."""
        return sum((_span(start, end) for start, end in self.periods), datetime.timedelta())

    @property
    def minutes_per_day(self) -> int:
        """Office minutes in one working day (480 with the default hours)."""
        return self.day_length // datetime.timedelta(minutes=1)

    @property
    def closing(self) -> datetime.time:
        return self.periods[-1][1]


def _bad_office_hours_message(text: str) -> str:
    return f"Giờ làm việc không hợp lệ: «{text}». Ví dụ đúng: {_OFFICE_HOURS_EXAMPLE}."


@dataclasses.dataclass(frozen=True)
class _NationalYear:
    """One year of the national calendar, as python-holidays sees it."""

    days_off: frozenset[datetime.date]
    names: Mapping[datetime.date, str]


@functools.cache
def _national_year(year: int) -> _NationalYear:
    """Build a year's days off once; the calendar is asked about the same years all day.

    python-holidays keeps the swapped working weekend days in ``weekend_workdays`` and honours
    them in ``is_working_day``. A swap may cross the new year (e.g. 27/12/2014 worked for
    2/1/2015), and some library versions record it only when the neighbouring year is
    populated, hence the three years.
    """
    national = holidays.country_holidays("VN", language="vi", years=range(year - 1, year + 2))
    first = datetime.date(year, 1, 1)
    days = (first + _ONE_DAY * offset for offset in range(366))
    days_off = frozenset(day for day in days if day.year == year and not national.is_working_day(day))
    names = {day: name for day, name in national.items() if day.year == year}
    return _NationalYear(days_off=days_off, names=names)


class WorkCalendar:
    """Working days and office-time arithmetic of one centre."""

    def __init__(
        self,
        *,
        office_hours: OfficeHours = OfficeHours(),
        extra_days_off: Iterable[datetime.date] = (),
        extra_working_days: Iterable[datetime.date] = (),
    ) -> None:
        self.office_hours = office_hours
        self.extra_days_off = frozenset(extra_days_off)
        self.extra_working_days = frozenset(extra_working_days)
        # A day in both lists has no meaning the admin could have intended.
        clash = self.extra_days_off & self.extra_working_days
        if clash:
            day = min(clash)
            raise errors.InvalidValue(
                "extra_working_days",
                f"Ngày {day:%d/%m/%Y} không thể vừa là ngày nghỉ vừa là ngày làm việc.",
            )

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off:
            return False
        return day not in _national_year(day.year).days_off

    def holiday_name(self, day: datetime.date) -> str | None:
        """Why ``day`` is off, in Vietnamese; None for working days and plain weekends."""
        if self.is_working_day(day):
            return None
        name = _national_year(day.year).names.get(day)
        if name is None and day in self.extra_days_off:
            return PROVINCE_DAY_OFF_NAME
        return name

    def next_opening(self, moment: datetime.datetime) -> datetime.datetime:
        """``moment`` itself if the office is open then, else the start of the next period."""
        local = _to_local(moment, field="moment")
        return self._opening_from(local).replace(tzinfo=VN_TZ)

    def due_at(
        self,
        *,
        received_at: datetime.datetime,
        working_days: Decimal | float,
        cutoff: datetime.time | None = None,
    ) -> datetime.datetime:
        """When a dossier received at ``received_at`` with a ``working_days`` limit is due.

        ``working_days == 0`` means "within the day": due at closing time of the day the
        dossier counts from. A dossier received on a working day after ``cutoff`` counts
        from the next working day's opening.
        """
        local = _to_local(received_at, field="received_at")
        office_time = _office_time(working_days, self.office_hours.day_length)
        start = self._counting_start(local, cutoff)
        if not office_time:
            due = datetime.datetime.combine(start.date(), self.office_hours.closing)
        else:
            due = self._add_office_time(start, office_time)
        return due.replace(tzinfo=VN_TZ)

    def classify(self, *, due_at: datetime.datetime, done_at: datetime.datetime) -> enums.Timeliness:
        """Early means returned on an earlier calendar day (Vietnamese time) than the due day."""
        due_local = _to_local(due_at, field="due_at")
        done_local = _to_local(done_at, field="done_at")
        if done_local.date() < due_local.date():
            return enums.Timeliness.EARLY
        if done_local <= due_local:
            return enums.Timeliness.ON_TIME
        return enums.Timeliness.LATE

    def _next_working_day(self, day: datetime.date) -> datetime.date:
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def _opening_from(self, local: datetime.datetime) -> datetime.datetime:
        """First office moment at or after ``local`` (naive Vietnamese wall-clock time)."""
        day, clock = local.date(), local.time()
        if self.is_working_day(day):
            for start, end in self.office_hours.periods:
                # Periods are half-open: at 11:30 sharp the morning is already over.
                if clock < end:
                    return local if clock >= start else datetime.datetime.combine(day, start)
        first_start = self.office_hours.periods[0][0]
        return datetime.datetime.combine(self._next_working_day(day), first_start)

    def _counting_start(self, local: datetime.datetime, cutoff: datetime.time | None) -> datetime.datetime:
        if cutoff is None:
            return self._opening_from(local)
        if cutoff.tzinfo is not None:
            # A naive and an aware time cannot be compared, and the rule is in local time.
            raise errors.InvalidValue("cutoff", "Giờ chốt nhận hồ sơ là giờ Việt Nam, không kèm múi giờ.")
        day = local.date()
        if self.is_working_day(day) and local.time() > cutoff:
            first_start = self.office_hours.periods[0][0]
            return datetime.datetime.combine(self._next_working_day(day), first_start)
        return self._opening_from(local)

    def _add_office_time(
        self, start: datetime.datetime, office_time: datetime.timedelta
    ) -> datetime.datetime:
        """Walk office periods day by day from ``start``, an office moment, until time runs out."""
        day, clock = start.date(), start.time()
        while True:
            for period_start, period_end in self.office_hours.periods:
                if period_end <= clock:
                    continue
                begin = max(period_start, clock)
                available = _span(begin, period_end)
                # "<=" so time that runs out exactly at a period end is due at that end,
                # not at the next opening.
                if office_time <= available:
                    return datetime.datetime.combine(day, begin) + office_time
                office_time -= available
            day, clock = self._next_working_day(day), datetime.time.min


def _to_local(moment: datetime.datetime, *, field: str) -> datetime.datetime:
    """Naive Vietnamese wall-clock time of an aware datetime; naive input is refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise errors.InvalidValue(field, "Thời điểm phải kèm múi giờ (ví dụ +07:00).")
    return moment.astimezone(VN_TZ).replace(tzinfo=None)


def _office_time(working_days: Decimal | float, day_length: datetime.timedelta) -> datetime.timedelta:
    """Office time of ``working_days`` days, exact to the microsecond (no float drift)."""
    # bool is an int subclass, but True days is a caller's bug, not one day.
    if isinstance(working_days, bool) or not isinstance(working_days, Decimal | float | int):
        raise errors.InvalidValue("working_days", "Số ngày làm việc phải là một số.")
    # str() turns 0.1 into Decimal("0.1"), what the caller wrote, not its binary approximation.
    amount = Decimal(str(working_days)) if isinstance(working_days, float) else Decimal(working_days)
    if not amount.is_finite():
        raise errors.InvalidValue("working_days", "Số ngày làm việc phải là một số hữu hạn.")
    if amount < 0:
        raise errors.InvalidValue("working_days", "Số ngày làm việc không được âm.")
    microseconds = amount * (day_length // _ONE_MICROSECOND)
    return datetime.timedelta(microseconds=int(microseconds.to_integral_value(ROUND_HALF_EVEN)))
