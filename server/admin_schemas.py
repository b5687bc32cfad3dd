"""The wire schema of /api/v1/admin: one input model per kind (POST and PUT send every editable
field) and one output model (the editable fields, the id and a few read-only extras)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, StringConstraints

from onestop import calendar, dossier
from onestop.enums import DeviceKind, DocumentKind, PriorityPolicy, Role, TransferPosition
from server.schemas import FROM_TEXT, DocumentOut, LocalTime, Strict, _clean_text, _domain_check

MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


_CLEAN = AfterValidator(_clean_text)


def _matching(pattern: str, message: str) -> Any:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(message)
        return value

    return AfterValidator(check)


def _office_hours(value: str) -> str:
    return calendar.OfficeHours.parse(value).format()


def _day(value: Any) -> Any:
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return dt.date.fromisoformat(value)
        except ValueError:
            pass
        raise ValueError("Ngày phải có dạng YYYY-MM-DD, ví dụ 2026-09-01.")
    return value


def _two_decimals(value: float) -> float:
    if round(value, 2) != value:
        raise ValueError("Chỉ được có tối đa hai chữ số thập phân.")
    return value


# Trimmed NFC text without control characters; codes and names may not be empty, "Blank" may.
Code16 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16), _CLEAN]
Code32 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32), _CLEAN]
Code64 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), _CLEAN]
Name128 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128), _CLEAN]
Name255 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255), _CLEAN]
LongName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), _CLEAN]
Blank32 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32), _CLEAN]
Blank64 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64), _CLEAN]
Blank128 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=128), _CLEAN]
Blank255 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255), _CLEAN]
Blank500 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), _CLEAN]
# A centre's code names its files; an agency id code heads its dossiers' codes, which are path
# segments of the API and file names at the counter: each is checked against its grammar
# (onestop.dossier) on every way in (admin API, catalogue JSON and spreadsheet).
CentreCode = Annotated[Code64, AfterValidator(_domain_check(dossier.check_centre_code))]
AgencyCode = Annotated[Code64, AfterValidator(_domain_check(dossier.check_agency_code))]


def _agency_id_code(value: str) -> str:
    return dossier.check_agency_code(value) if value else value  # blank: the centre's code is used


AgencyIdCode = Annotated[Blank64, AfterValidator(_domain_check(_agency_id_code))]
OfficeHoursText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=128),
    AfterValidator(_domain_check(_office_hours)),
]
HourMinute = Annotated[
    str, _matching(r"(?:[01]\d|2[0-3]):[0-5]\d", "Giờ phải có dạng HH:MM (24 giờ), ví dụ 15:00.")
]
Letter = Annotated[str, _matching(r"[A-Z]{1,4}", "Chữ cái phải là 1 đến 4 chữ in hoa không dấu (A–Z).")]
Username = Annotated[
    str,
    StringConstraints(min_length=3, max_length=64),
    _matching(r"[a-z0-9._-]+", "Tên đăng nhập chỉ gồm chữ thường không dấu, chữ số và . _ -"),
]
Password = Annotated[str, StringConstraints(min_length=8, max_length=256)]
Day = Annotated[dt.date, BeforeValidator(_day)]
Days = Annotated[float, Field(ge=0, le=9999), AfterValidator(_two_decimals)]
OnlineLevel = Literal["mot_phan", "toan_trinh"]
UniqueIds = Annotated[list[Id], Field(max_length=200)]


def _unique(values: list[int]) -> list[int]:
    if len(set(values)) != len(values):
        raise ValueError("Danh sách có số hiệu bị lặp.")
    return values


# ---------------------------------------------------------------- input


class CentreIn(Strict):
    code: CentreCode
    name: Name255
    short_name: Blank128 = ""
    address: Blank255 = ""
    phone: Blank32 = ""
    agency_code: AgencyCode
    office_hours: OfficeHoursText = "07:00-11:30,13:30-17:00"
    no_show_after_calls: Annotated[int, Field(ge=1, le=10)] = 3
    transfer_position: Annotated[TransferPosition, FROM_TEXT] = TransferPosition.BACK
    notice: Blank500 = ""


class PriorityGroupIn(Strict):
    code: Code32
    name: Name128


class AgencyIn(Strict):
    code: Code32
    name: Name255
    id_code: AgencyIdCode = ""


class FieldIn(Strict):
    agency_id: Id
    code: Code32
    name: Name255


class DocumentIn(Strict):
    name: LongName
    kind: Annotated[DocumentKind, FROM_TEXT]
    copies: Annotated[int, Field(ge=1, le=100)] = 1


class ProcedureIn(Strict):
    field_id: Id
    code: Code32
    name: LongName
    processing_days: Days
    fee: Annotated[int, Field(ge=0, le=10**12)] = 0
    fee_note: LongName | None = None
    online_level: OnlineLevel | None = None
    sets: Annotated[int, Field(ge=1, le=100)] = 1
    cutoff: HourMinute | None = None
    documents: Annotated[list[DocumentIn], Field(max_length=200)] = Field(default_factory=list)


class ServiceIn(Strict):
    centre_id: Id
    code: Code16
    name: Name255
    letter: Letter
    number_width: Annotated[int, Field(ge=2, le=5)] = 3
    priority_policy: Annotated[PriorityPolicy, FROM_TEXT] = PriorityPolicy.STRICT
    priority_every: Annotated[int, Field(ge=1, le=20)] = 3
    default_service_minutes: Annotated[int, Field(ge=1, le=240)] = 8
    active: bool = True
    field_ids: Annotated[UniqueIds, AfterValidator(_unique)] = Field(default_factory=list)


class CounterIn(Strict):
    centre_id: Id
    number: Annotated[int, Field(ge=1, le=999)]
    name: Name255
    agency_id: Id | None = None
    display_address: Annotated[int, Field(ge=1, le=99)] | None = None
    service_ids: Annotated[UniqueIds, AfterValidator(_unique)] = Field(default_factory=list)


class UserIn(Strict):
    username: Username
    full_name: Blank128 = ""
    role: Annotated[Role, FROM_TEXT]
    centre_id: Id | None = None
    active: bool = True
    password: Password | None = None


class DeviceIn(Strict):
    name: Name128
    kind: Annotated[DeviceKind, FROM_TEXT]
    centre_id: Id
    active: bool = True


class CalendarIn(Strict):
    day: Day
    working: bool
    note: Blank255 = ""


# ---------------------------------------------------------------- output


class CentreOut(BaseModel):
    id: int
    code: str
    name: str
    short_name: str
    address: str
    phone: str
    agency_code: str
    office_hours: str
    no_show_after_calls: int
    transfer_position: TransferPosition
    notice: str


class PriorityGroupOut(BaseModel):
    id: int
    code: str
    name: str


class AgencyOut(BaseModel):
    id: int
    code: str
    name: str
    id_code: str


class FieldOut(BaseModel):
    id: int
    agency_id: int
    code: str
    name: str


class ProcedureOut(BaseModel):
    id: int
    field_id: int
    code: str
    name: str
    processing_days: float
    fee: int
    fee_note: str | None
    online_level: str | None
    sets: int
    cutoff: str | None
    documents: list[DocumentOut]


class ServiceOut(BaseModel):
    id: int
    centre_id: int
    code: str
    name: str
    letter: str
    number_width: int
    priority_policy: PriorityPolicy
    priority_every: int
    default_service_minutes: int
    active: bool
    field_ids: list[int]


class CounterOut(BaseModel):
    id: int
    centre_id: int
    number: int
    name: str
    agency_id: int | None
    display_address: int | None
    service_ids: list[int]
    status: str
    officer_id: int | None


class UserOut(BaseModel):
    id: int
    username: str
    full_name: str
    role: Role
    centre_id: int | None
    active: bool


class DeviceOut(BaseModel):
    id: int
    name: str
    kind: DeviceKind
    centre_id: int
    active: bool
    last_seen_at: LocalTime | None
    fault: str | None


class CalendarOut(BaseModel):
    id: str
    day: str
    working: bool
    note: str
