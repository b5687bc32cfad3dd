"""How the forms read a dossier dict (DossierOut as JSON) and write its values in Vietnamese."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from onestop import calendar, dossier, formatting
from onestop.enums import DocumentKind, ReturnMethod, Timeliness

KIND_NAMES = dossier.DOCUMENT_KIND_NAMES_VI
RETURN_NAMES = dossier.RETURN_METHOD_NAMES_VI
TIMELINESS_NAMES = dossier.TIMELINESS_NAMES_VI
BLANK = "…………………"  # a line left for the pen when the dossier has no value


def esc(value: object) -> str:
    """Text for the HTML templates; None becomes the dotted blank of a paper form."""
    return BLANK if value is None or value == "" else html.escape(str(value), quote=True)


def moment(value: str | dt.datetime | None) -> dt.datetime | None:
    """An ISO time from the server (``2026-11-27T09:10:00+07:00``) in Vietnamese time."""
    if value is None or value == "":
        return None
    parsed = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        # The server always sends an offset; a naive time is taken as already local.
        return parsed.replace(tzinfo=calendar.VN_TZ)
    return parsed.astimezone(calendar.VN_TZ)


def date_time(value: str | dt.datetime | None) -> str | None:
    """``HH:MM dd/mm/yyyy`` or None."""
    local = moment(value)
    return None if local is None else formatting.date_time(local)


def kind_name(kind: str) -> str:
    try:
        return KIND_NAMES[DocumentKind(kind)]
    except ValueError:
        return str(kind)


def return_name(method: str | None) -> str | None:
    if method is None:
        return None
    try:
        return RETURN_NAMES[ReturnMethod(method)]
    except ValueError:
        return str(method)


def timeliness_name(value: str | None) -> str:
    try:
        return TIMELINESS_NAMES[Timeliness(value)] if value else ""
    except ValueError:
        return str(value)


def sequence(code: str) -> str:
    """The daily sequence at the end of a dossier code: ``…-261126-0007`` -> ``0007``."""
    return code.rsplit("-", 1)[-1]


def vn_date_line(place: str, day: dt.date) -> str:
    """``Phú Thọ, ngày 27 tháng 11 năm 2026``: days 1-9 and months 1-2 take a leading zero, as
    official documents are dated (Decree 30/2020/NĐ-CP)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def today() -> dt.date:
    return dt.datetime.now(calendar.VN_TZ).date()


def applicant(dossier: dict[str, Any]) -> dict[str, Any]:
    return dict(dossier.get("applicant") or {})


def is_organisation(person: dict[str, Any]) -> bool:
    return person.get("kind") == "organisation"
