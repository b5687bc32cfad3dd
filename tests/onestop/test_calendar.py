"""Working days and due times, checked against the 2026-2027 calendar worked out by hand.

Calendar facts the expectations rely on, as python-holidays 0.109 gives them:
- 2026: 1/1 Thu; Tết Mon 16/2 (giao thừa) .. Fri 20/2; Giỗ Tổ Sun 26/4, made up Mon 27/4;
  30/4 Thu, 1/5 Fri; Sat 22/8 worked in exchange for Mon 31/8 off; 2/9 Wed with Tue 1/9.
- 2027: 1/1 Fri; Tết (Lunar New Year Sat 6/2) off Thu 4/2 .. Wed 10/2; Giỗ Tổ Fri 16/4;
  30/4 Fri, 1/5 Sat made up Mon 3/5; 2/9 Thu with Fri 3/9.
- March 2026 is an ordinary month: Mon 9/3, Wed 11/3, Sat 7/3 and 14/3.
Office hours by default: 07:00-11:30 (270 min) and 13:30-17:00 (210 min), 480 min a day.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest

from onestop import calendar, enums, errors

D = datetime.date


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def cal() -> calendar.WorkCalendar:
    return calendar.WorkCalendar()


# --- working days ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # Ordinary weeks.
        (D(2026, 3, 9), True),  # Monday
        (D(2026, 3, 13), True),  # Friday
        (D(2026, 3, 7), False),  # Saturday
        (D(2026, 3, 8), False),  # Sunday
        # New Year's Day.
        (D(2026, 1, 1), False),
        (D(2026, 1, 2), True),
        (D(2027, 1, 1), False),
        # Giỗ Tổ Hùng Vương: a Sunday in 2026, made up on the Monday.
        (D(2026, 4, 26), False),
        (D(2026, 4, 27), False),
        (D(2026, 4, 28), True),
        (D(2027, 4, 16), False),
        # 30/4 and 1/5.
        (D(2026, 4, 30), False),
        (D(2026, 5, 1), False),
        (D(2026, 5, 4), True),
        (D(2027, 4, 30), False),
        (D(2027, 5, 1), False),  # Saturday ...
        (D(2027, 5, 3), False),  # ... made up on Monday
        (D(2027, 5, 4), True),
        # 2/9 and the day next to it.
        (D(2026, 9, 1), False),
        (D(2026, 9, 2), False),
        (D(2026, 9, 3), True),
        (D(2027, 9, 1), True),
        (D(2027, 9, 2), False),
        (D(2027, 9, 3), False),
        # The Government's swap: Saturday 22/8/2026 worked, Monday 31/8/2026 off.
        (D(2026, 8, 22), True),
        (D(2026, 8, 29), False),
        (D(2026, 8, 31), False),
        # Earlier swapped Saturdays.
        (D(2024, 5, 4), True),
        (D(2025, 4, 26), True),
    ],
)
def test_is_working_day(cal: calendar.WorkCalendar, day: datetime.date, working: bool) -> None:
    assert cal.is_working_day(day) is working


def test_tet_2027_break_is_all_off(cal: calendar.WorkCalendar) -> None:
    # 29 Tết (Thu 4/2) to mùng năm (Wed 10/2); the weekend inside makes the break 7 days.
    break_days = [D(2027, 2, 4) + datetime.timedelta(days=n) for n in range(7)]
    assert [cal.is_working_day(day) for day in break_days] == [False] * 7
    assert cal.is_working_day(D(2027, 2, 3))
    assert cal.is_working_day(D(2027, 2, 11))


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (D(2027, 2, 4), "29 Tết"),
        (D(2027, 2, 5), "Giao thừa Tết Nguyên Đán"),
        (D(2027, 2, 6), "Tết Nguyên Đán"),
        (D(2027, 2, 7), "Mùng hai Tết Nguyên Đán"),
        (D(2027, 2, 8), "Mùng ba Tết Nguyên Đán"),
        (D(2027, 2, 9), "Mùng bốn Tết Nguyên Đán"),
        (D(2027, 2, 10), "Mùng năm Tết Nguyên Đán"),
        (D(2026, 1, 1), "Tết Dương lịch"),
        (D(2026, 4, 26), "Ngày Giỗ Tổ Hùng Vương"),
        (D(2026, 4, 27), "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"),
        (D(2026, 4, 30), "Ngày Chiến thắng"),
        (D(2026, 5, 1), "Ngày Quốc tế Lao động"),
        (D(2026, 8, 31), "Ngày nghỉ (thay cho ngày 22/08/2026)"),
        (D(2026, 9, 2), "Quốc khánh"),
        (D(2026, 9, 9), None),  # ordinary Wednesday
        (D(2026, 3, 7), None),  # plain Saturday
        (D(2026, 8, 22), None),  # swapped working Saturday
    ],
)
def test_holiday_name(cal: calendar.WorkCalendar, day: datetime.date, name: str | None) -> None:
    assert cal.holiday_name(day) == name


@pytest.mark.parametrize(
    ("day", "working", "name"),
    [
        (D(2026, 3, 10), False, "Ngày nghỉ do tỉnh quy định"),  # Tuesday made a day off
        (D(2026, 8, 22), False, "Ngày nghỉ do tỉnh quy định"),  # the swapped Saturday, undone
        (D(2026, 4, 30), False, "Ngày Chiến thắng"),  # the national name is the better one
        (D(2026, 3, 14), True, None),  # Saturday made a working day
        (D(2027, 2, 10), True, None),  # a Tết day made a working day
    ],
)
def test_overrides_win(day: datetime.date, working: bool, name: str | None) -> None:
    cal = calendar.WorkCalendar(
        extra_days_off=[D(2026, 3, 10), D(2026, 8, 22), D(2026, 4, 30)],
        extra_working_days=[D(2026, 3, 14), D(2027, 2, 10)],
    )
    assert cal.is_working_day(day) is working
    assert cal.holiday_name(day) == name


def test_same_day_in_both_overrides_is_refused() -> None:
    with pytest.raises(errors.InvalidValue) as caught:
        calendar.WorkCalendar(extra_days_off=[D(2026, 3, 10)], extra_working_days=[D(2026, 3, 10)])
    assert caught.value.field == "extra_working_days"


# --- next opening ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "opening"),
    [
        ("2026-03-09T09:10:00+07:00", "2026-03-09T09:10:00+07:00"),  # open: itself
        ("2026-03-09T07:00:00+07:00", "2026-03-09T07:00:00+07:00"),
        ("2026-03-09T06:00:00+07:00", "2026-03-09T07:00:00+07:00"),
        ("2026-03-09T11:30:00+07:00", "2026-03-09T13:30:00+07:00"),  # the morning is over
        ("2026-03-09T12:15:00+07:00", "2026-03-09T13:30:00+07:00"),
        ("2026-03-09T17:00:00+07:00", "2026-03-10T07:00:00+07:00"),
        ("2026-03-13T18:00:00+07:00", "2026-03-16T07:00:00+07:00"),  # Friday evening
        ("2026-03-07T10:00:00+07:00", "2026-03-09T07:00:00+07:00"),  # Saturday
        ("2026-03-09T00:30:00+00:00", "2026-03-09T07:30:00+07:00"),  # UTC input
        ("2027-02-03T17:30:00+07:00", "2027-02-11T07:00:00+07:00"),  # eve of the Tết break
    ],
)
def test_next_opening(cal: calendar.WorkCalendar, moment: str, opening: str) -> None:
    assert cal.next_opening(at(moment)).isoformat() == opening


# --- due times ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        # Wednesday 09:10 + 5 days: Thu, Fri, Mon, Tue, Wed at 09:10.
        ("2026-03-04T09:10:00+07:00", 5, "2026-03-11T09:10:00+07:00"),
        # Before opening: counts from 07:00; 240 min fit in the morning.
        ("2026-03-09T06:30:00+07:00", Decimal("0.5"), "2026-03-09T11:00:00+07:00"),
        # At lunch: counts from 13:30; 210 min today, 270 min = the whole next morning.
        ("2026-03-09T12:15:00+07:00", 1, "2026-03-10T11:30:00+07:00"),
        ("2026-03-09T12:15:00+07:00", Decimal("0.5"), "2026-03-10T07:30:00+07:00"),
        # After closing, and at closing sharp: counts from Tuesday 07:00.
        ("2026-03-09T17:45:00+07:00", 1, "2026-03-10T17:00:00+07:00"),
        ("2026-03-09T17:00:00+07:00", 1, "2026-03-10T17:00:00+07:00"),
        # On a Saturday: counts from Monday 07:00.
        ("2026-03-07T10:00:00+07:00", 2, "2026-03-10T17:00:00+07:00"),
        # Wednesday before Tết 2027, 3 days: 300 min left Wed, 4/2-10/2 off, Thu 11, Fri 12,
        # then 180 min on Monday 15/2.
        ("2027-02-03T10:00:00+07:00", 3, "2027-02-15T10:00:00+07:00"),
        # Tết 2026 (14/2-22/2 off) in the middle of 10 days from Monday 2/2.
        ("2026-02-02T09:00:00+07:00", 10, "2026-02-23T09:00:00+07:00"),
        # Thursday 29/4/2027: 30/4, 1/5 (Sat), 2/5, 3/5 (made up) off; Tue 4/5, Wed 5/5.
        ("2027-04-29T14:00:00+07:00", 2, "2027-05-05T14:00:00+07:00"),
        # Friday 28/8/2026: weekend, 31/8 (swap), 1/9 and 2/9 off; Thursday 3/9.
        ("2026-08-28T09:00:00+07:00", 1, "2026-09-03T09:00:00+07:00"),
        # Friday 21/8/2026: the swapped Saturday 22/8 is a working day.
        ("2026-08-21T09:00:00+07:00", 1, "2026-08-22T09:00:00+07:00"),
        ("2026-08-21T09:00:00+07:00", 2, "2026-08-24T09:00:00+07:00"),
        # Across the new year: 1/1/2027 is a Friday off, then the weekend.
        ("2026-12-31T10:00:00+07:00", 1, "2027-01-04T10:00:00+07:00"),
        # Received in UTC (02:10Z = 09:10 in Vietnam); the answer is in Vietnamese time.
        ("2026-03-04T02:10:00+00:00", 5, "2026-03-11T09:10:00+07:00"),
    ],
)
def test_due_at(cal: calendar.WorkCalendar, received: str, days: Decimal | float, due: str) -> None:
    assert cal.due_at(received_at=at(received), working_days=days).isoformat() == due


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        # 240 min from 09:00: 150 to 11:30, 90 from 13:30.
        ("2026-03-09T09:00:00+07:00", Decimal("0.5"), "2026-03-09T15:00:00+07:00"),
        ("2026-03-09T09:00:00+07:00", 0.5, "2026-03-09T15:00:00+07:00"),
        # 720 min from 09:00: 360 on Monday, 270 Tuesday morning, 90 from 13:30.
        ("2026-03-09T09:00:00+07:00", Decimal("1.5"), "2026-03-10T15:00:00+07:00"),
        # 1080 min from 07:00: Monday, Tuesday, then 120 min on Wednesday.
        ("2026-03-09T07:00:00+07:00", Decimal("2.25"), "2026-03-11T09:00:00+07:00"),
        # 0.1 day = 48 min exactly, whether written as a float or a Decimal.
        ("2026-03-09T07:00:00+07:00", 0.1, "2026-03-09T07:48:00+07:00"),
        ("2026-03-09T07:00:00+07:00", Decimal("0.1"), "2026-03-09T07:48:00+07:00"),
        # 1/3 day = 160 min; 3 thirds make one day to the microsecond.
        ("2026-03-09T07:00:00+07:00", Decimal(1) / 3, "2026-03-09T09:40:00+07:00"),
    ],
)
def test_due_at_fractional_days(
    cal: calendar.WorkCalendar, received: str, days: Decimal | float, due: str
) -> None:
    assert cal.due_at(received_at=at(received), working_days=days).isoformat() == due


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        # Time that runs out at a period end is due then, never at the next opening.
        ("2026-03-09T07:00:00+07:00", 1, "2026-03-09T17:00:00+07:00"),
        ("2026-03-09T07:00:00+07:00", Decimal("0.5625"), "2026-03-09T11:30:00+07:00"),  # 270
        ("2026-03-09T09:00:00+07:00", Decimal("0.3125"), "2026-03-09T11:30:00+07:00"),  # 150
        # Friday from 07:00, 1 day: Friday 17:00, not Monday 07:00.
        ("2026-03-13T07:00:00+07:00", 1, "2026-03-13T17:00:00+07:00"),
    ],
)
def test_due_at_exact_period_end(
    cal: calendar.WorkCalendar, received: str, days: Decimal | float, due: str
) -> None:
    assert cal.due_at(received_at=at(received), working_days=days).isoformat() == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2026-03-09T09:00:00+07:00", "2026-03-09T17:00:00+07:00"),
        ("2026-03-09T06:00:00+07:00", "2026-03-09T17:00:00+07:00"),
        ("2026-03-09T18:00:00+07:00", "2026-03-10T17:00:00+07:00"),  # counts from Tuesday
        ("2026-03-07T10:00:00+07:00", "2026-03-09T17:00:00+07:00"),  # Saturday
        ("2027-02-04T09:00:00+07:00", "2027-02-11T17:00:00+07:00"),  # inside the Tết break
    ],
)
def test_due_at_zero_days_is_closing_time(cal: calendar.WorkCalendar, received: str, due: str) -> None:
    assert cal.due_at(received_at=at(received), working_days=0).isoformat() == due


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        # Before the 15:00 cut-off: counts today (1 day = same time tomorrow).
        ("2026-03-09T14:00:00+07:00", 1, "2026-03-10T14:00:00+07:00"),
        # At the cut-off sharp: not later than it, still today.
        ("2026-03-09T15:00:00+07:00", 1, "2026-03-10T15:00:00+07:00"),
        # After it: counts from Tuesday 07:00.
        ("2026-03-09T16:00:00+07:00", 1, "2026-03-10T17:00:00+07:00"),
        ("2026-03-09T16:00:00+07:00", 0, "2026-03-10T17:00:00+07:00"),
        # Friday after the cut-off: counts from Monday.
        ("2026-03-13T15:30:00+07:00", 1, "2026-03-16T17:00:00+07:00"),
        # A Saturday is not a working day: the cut-off does not apply, Monday 07:00 does.
        ("2026-03-07T16:00:00+07:00", 1, "2026-03-09T17:00:00+07:00"),
        # After the cut-off on the eve of the Tết 2027 break.
        ("2027-02-03T15:30:00+07:00", 1, "2027-02-11T17:00:00+07:00"),
    ],
)
def test_due_at_cutoff(cal: calendar.WorkCalendar, received: str, days: int, due: str) -> None:
    result = cal.due_at(received_at=at(received), working_days=days, cutoff=datetime.time(15))
    assert result.isoformat() == due


def test_due_at_without_cutoff_counts_the_late_afternoon(cal: calendar.WorkCalendar) -> None:
    # 16:00 Monday + 480 min: 60 Monday, 270 Tuesday morning, 150 from 13:30.
    result = cal.due_at(received_at=at("2026-03-09T16:00:00+07:00"), working_days=1)
    assert result.isoformat() == "2026-03-10T16:00:00+07:00"


@pytest.mark.parametrize(
    ("hours", "received", "days", "due"),
    [
        # 07:30-11:30 (240) and 14:00-17:00 (180): 420 min a day.
        ("07:30-11:30,14:00-17:00", "2026-03-09T09:00:00+07:00", 1, "2026-03-10T09:00:00+07:00"),
        # 210 min from 09:00: 150 to 11:30, 60 from 14:00.
        ("07:30-11:30,14:00-17:00", "2026-03-09T09:00:00+07:00", 0.5, "2026-03-09T15:00:00+07:00"),
        ("07:30-11:30,14:00-17:00", "2026-03-09T12:00:00+07:00", 0, "2026-03-09T17:00:00+07:00"),
        ("07:30-11:30,14:00-17:00", "2026-03-09T07:00:00+07:00", 1, "2026-03-09T17:00:00+07:00"),
        # One period of 600 min: 900 min from 12:00 = 300 Monday + 600 Tuesday, ending at 17:00.
        ("07:00-17:00", "2026-03-09T12:00:00+07:00", 1.5, "2026-03-10T17:00:00+07:00"),
        ("07:00-17:00", "2026-03-09T12:00:00+07:00", 1, "2026-03-10T12:00:00+07:00"),
    ],
)
def test_due_at_custom_office_hours(hours: str, received: str, days: float, due: str) -> None:
    cal = calendar.WorkCalendar(office_hours=calendar.OfficeHours.parse(hours))
    assert cal.due_at(received_at=at(received), working_days=days).isoformat() == due


@pytest.mark.parametrize(
    ("received", "days", "due", "extra_days_off", "extra_working_days"),
    [
        # Tuesday 10/3 off by the province: Wed 11, Thu 12.
        ("2026-03-09T09:00:00+07:00", 2, "2026-03-12T09:00:00+07:00", [D(2026, 3, 10)], []),
        # Saturday 14/3 worked by the province.
        ("2026-03-13T09:00:00+07:00", 1, "2026-03-14T09:00:00+07:00", [], [D(2026, 3, 14)]),
    ],
)
def test_due_at_with_overrides(
    received: str,
    days: int,
    due: str,
    extra_days_off: list[datetime.date],
    extra_working_days: list[datetime.date],
) -> None:
    cal = calendar.WorkCalendar(extra_days_off=extra_days_off, extra_working_days=extra_working_days)
    assert cal.due_at(received_at=at(received), working_days=days).isoformat() == due


def test_due_at_returns_vietnam_time(cal: calendar.WorkCalendar) -> None:
    result = cal.due_at(received_at=at("2026-03-09T02:00:00+00:00"), working_days=1)
    assert result.tzinfo is calendar.VN_TZ
    assert result.utcoffset() == datetime.timedelta(hours=7)


# --- bad input ------------------------------------------------------------------------------


NAIVE = datetime.datetime(2026, 3, 9, 9)  # noqa: DTZ001 (naive on purpose: it must be rejected)
AWARE = at("2026-03-09T09:00:00+07:00")
Call = Callable[[calendar.WorkCalendar], object]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.due_at(received_at=NAIVE, working_days=1), "received_at"),
        (lambda c: c.next_opening(NAIVE), "moment"),
        (lambda c: c.classify(due_at=NAIVE, done_at=AWARE), "due_at"),
        (lambda c: c.classify(due_at=AWARE, done_at=NAIVE), "done_at"),
    ],
)
def test_naive_datetime_is_refused(cal: calendar.WorkCalendar, call: Call, field: str) -> None:
    with pytest.raises(errors.InvalidValue) as caught:
        call(cal)
    assert caught.value.field == field
    assert "múi giờ" in caught.value.message


@pytest.mark.parametrize(
    "days",
    [-1, -0.5, Decimal("-0.5"), Decimal("NaN"), float("inf"), True, "1"],
)
def test_bad_working_days_are_refused(cal: calendar.WorkCalendar, days: object) -> None:
    with pytest.raises(errors.InvalidValue) as caught:
        cal.due_at(
            received_at=at("2026-03-09T09:00:00+07:00"),
            working_days=days,  # type: ignore[arg-type]
        )
    assert caught.value.field == "working_days"


def test_negative_days_message_is_vietnamese(cal: calendar.WorkCalendar) -> None:
    with pytest.raises(errors.InvalidValue) as caught:
        cal.due_at(received_at=at("2026-03-09T09:00:00+07:00"), working_days=-1)
    assert caught.value.message == "Số ngày làm việc không được âm."


def test_aware_cutoff_is_refused(cal: calendar.WorkCalendar) -> None:
    with pytest.raises(errors.InvalidValue) as caught:
        cal.due_at(
            received_at=at("2026-03-09T09:00:00+07:00"),
            working_days=1,
            cutoff=datetime.time(15, tzinfo=datetime.UTC),
        )
    assert caught.value.field == "cutoff"


# --- office hours ---------------------------------------------------------------------------


T = datetime.time


@pytest.mark.parametrize(
    ("text", "periods", "formatted", "minutes"),
    [
        (
            "07:00-11:30,13:30-17:00",
            ((T(7), T(11, 30)), (T(13, 30), T(17))),
            "07:00-11:30,13:30-17:00",
            480,
        ),
        (
            " 7:30 - 11:30 , 14:00-17:00 ",
            ((T(7, 30), T(11, 30)), (T(14), T(17))),
            "07:30-11:30,14:00-17:00",
            420,
        ),
        ("07:00-17:00", ((T(7), T(17)),), "07:00-17:00", 600),
        # Touching periods are allowed: nothing overlaps.
        (
            "07:00-11:30,11:30-12:00",
            ((T(7), T(11, 30)), (T(11, 30), T(12))),
            "07:00-11:30,11:30-12:00",
            300,
        ),
    ],
)
def test_office_hours_parse(
    text: str,
    periods: tuple[tuple[datetime.time, datetime.time], ...],
    formatted: str,
    minutes: int,
) -> None:
    hours = calendar.OfficeHours.parse(text)
    assert hours.periods == periods
    assert hours.format() == formatted
    assert hours.minutes_per_day == minutes
    assert calendar.OfficeHours.parse(hours.format()) == hours


def test_default_office_hours() -> None:
    hours = calendar.OfficeHours()
    assert hours == calendar.OfficeHours.parse("07:00-11:30,13:30-17:00")
    assert hours.format() == "07:00-11:30,13:30-17:00"
    assert hours.minutes_per_day == 480


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "07:00-11:30;13:30-17:00",
        "07:00-11:30,",
        "0700-1130",
        "25:00-26:00",
        "07:60-08:00",
        "11:30-07:00",  # ends before it starts
        "07:00-07:00",  # empty
        "07:00-12:00,11:30-17:00",  # overlapping
        "13:30-17:00,07:00-11:30",  # not in order
    ],
)
def test_office_hours_parse_refuses_bad_text(text: str) -> None:
    with pytest.raises(errors.InvalidValue) as caught:
        calendar.OfficeHours.parse(text)
    assert caught.value.field == "office_hours"
    assert caught.value.message


@pytest.mark.parametrize(
    "periods",
    [
        (),
        ((T(7, 0, 30), T(11)),),  # seconds would make a day a fraction of minutes
        ((T(7, tzinfo=datetime.UTC), T(11)),),
    ],
)
def test_office_hours_refuses_bad_periods(
    periods: tuple[tuple[datetime.time, datetime.time], ...],
) -> None:
    with pytest.raises(errors.InvalidValue) as caught:
        calendar.OfficeHours(periods=periods)
    assert caught.value.field == "office_hours"


# --- classification -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("done", "timeliness"),
    [
        ("2026-03-10T16:00:00+07:00", enums.Timeliness.EARLY),  # the day before
        ("2026-03-10T16:59:00+00:00", enums.Timeliness.EARLY),  # 23:59 on 10/3 in Vietnam
        ("2026-03-10T17:30:00+00:00", enums.Timeliness.ON_TIME),  # 00:30 on 11/3 in Vietnam
        ("2026-03-11T08:00:00+07:00", enums.Timeliness.ON_TIME),  # due day, before due time
        ("2026-03-11T09:10:00+07:00", enums.Timeliness.ON_TIME),  # at the due time
        ("2026-03-11T09:11:00+07:00", enums.Timeliness.LATE),
        ("2026-03-12T07:00:00+07:00", enums.Timeliness.LATE),
    ],
)
def test_classify(cal: calendar.WorkCalendar, done: str, timeliness: enums.Timeliness) -> None:
    due = at("2026-03-11T09:10:00+07:00")
    assert cal.classify(due_at=due, done_at=at(done)) is timeliness
