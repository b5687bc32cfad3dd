"""How screens and slips write money, dates and durations in Vietnamese (domain.md)."""

from __future__ import annotations

import datetime as dt

from onestop import calendar


def money(amount: int) -> str:
    """``200000`` -> ``"200.000 đ"`` (dot between thousands, the đồng sign after a space)."""
    if amount < 0:
        return "-" + money(-amount)
    return f"{amount:,}".replace(",", ".") + " đ"


def date(value: dt.date | dt.datetime) -> str:
    """dd/mm/yyyy; an aware datetime is read in Vietnamese time first."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(calendar.VN_TZ)
    return f"{value:%d/%m/%Y}"


WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def long_date(value: dt.date) -> str:
    """The date as a hall screen heads it: ``"Thứ Sáu, 27/11/2026"``."""
    return f"{WEEKDAYS[value.weekday()]}, {date(value)}"


def date_time(value: dt.datetime) -> str:
    """``HH:MM dd/mm/yyyy``, 24-hour, in Vietnamese time."""
    if value.tzinfo is not None:
        value = value.astimezone(calendar.VN_TZ)
    return f"{value:%H:%M} {value:%d/%m/%Y}"


def working_days(days: float, *, english: bool = False) -> str:
    """Processing time: ``0`` is "within the day", ``0.5`` half a day, else n working days."""
    if days <= 0:
        return "Within the working day" if english else "Trong ngày làm việc"
    amount = f"{days:g}".replace(".", ",") if not english else f"{days:g}"
    return f"{amount} working day{'s' if days > 1 else ''}" if english else f"{amount} ngày làm việc"


def duration(seconds: float) -> str:
    """A wait or service time as an officer reads it: "dưới 1 phút", "12 phút", "1 giờ 05 phút"."""
    minutes = max(0, int(seconds // 60))
    if minutes < 1:
        return "dưới 1 phút"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} giờ {minutes:02d} phút" if hours else f"{minutes} phút"
