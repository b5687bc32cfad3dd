"""The wire schema of /api/v1: request bodies are validated here, so a bad field is a 422
that names it; responses show every time in Asia/Ho_Chi_Minh (+07:00)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic import Strict as PydanticStrict

from onestop import calendar, errors, identity, textfold
from onestop.enums import (
    Channel,
    CounterStatus,
    DeviceKind,
    DocumentKind,
    DossierStatus,
    Rating,
    ReturnMethod,
    Role,
    TicketStatus,
)


def _local(value: dt.datetime) -> str:
    return value.astimezone(calendar.VN_TZ).isoformat()


def _aware(value: dt.datetime) -> dt.datetime:
    # A time without an offset is read as Vietnamese local time, as an officer would mean it.
    if value.tzinfo is None:
        return value.replace(tzinfo=calendar.VN_TZ)
    return value


LocalTime = Annotated[dt.datetime, AfterValidator(_aware), PlainSerializer(_local, return_type=str)]


def _domain_check(func: Any) -> Any:
    """Run a domain validator; its InvalidValue becomes a pydantic error on this field."""

    def check(value: Any) -> Any:
        try:
            return func(value)
        except errors.InvalidValue as exc:
            raise ValueError(exc.message) from exc

    return check


_CONTROL_CATEGORIES = frozenset({"Cc", "Cs"})
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def _clean_text(value: str) -> str:
    """NFC and trimmed, without control characters or lone surrogates.

    No name, address or reason contains them, PostgreSQL text cannot hold NUL and UTF-8
    cannot encode a lone surrogate: refusing them here makes a 422 on the field, not a 500.
    """
    text = textfold.nfc(value)
    for char in text:
        if unicodedata.category(char) in _CONTROL_CATEGORIES and char not in _ALLOWED_CONTROLS:
            raise ValueError(f"Không được chứa ký tự điều khiển (U+{ord(char):04X}).")
    return text


Text = Annotated[str, AfterValidator(_clean_text), StringConstraints(min_length=1, max_length=255)]
LongText = Annotated[str, AfterValidator(_clean_text), StringConstraints(min_length=1, max_length=2000)]
Phone = Annotated[str, AfterValidator(_domain_check(identity.normalize_phone))]
Email = Annotated[
    str,
    StringConstraints(max_length=254),
    AfterValidator(_clean_text),
    AfterValidator(_domain_check(identity.normalize_email)),
]


class Strict(BaseModel):
    """A request body: no unknown field, and numbers and yes/no only as JSON numbers and
    booleans, so ``"1"`` or ``true`` for an id is a 422 on the field rather than a guess."""

    model_config = ConfigDict(extra="forbid", strict=True)


# FastAPI validates the parsed JSON in pydantic's Python mode, where strict would also refuse
# a date or an enum value given as a JSON string: fields of those types carry this.
FROM_TEXT = PydanticStrict(False)


# ---------------------------------------------------------------- auth


class LoginIn(Strict):
    username: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class UserOut(BaseModel):
    id: int
    username: str
    full_name: str
    role: Role
    centre_id: int | None


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the OAuth2 type name)
    expires_at: LocalTime
    user: UserOut


# ---------------------------------------------------------------- catalogue


class CentreOut(BaseModel):
    id: int
    code: str
    name: str
    short_name: str
    address: str
    phone: str
    office_hours: str
    notice: str


class DocumentOut(BaseModel):
    name: str
    kind: DocumentKind
    copies: int


class ProcedureOut(BaseModel):
    id: int
    code: str
    name: str
    agency_id: int
    agency_name: str
    field_id: int
    field_name: str
    processing_days: float  # working days; 0.5 and 0 ("within the day") occur
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
    priority_policy: str
    priority_every: int
    field_ids: list[int]
    waiting: int
    estimated_wait_minutes: int
    open_counters: int


class TicketBrief(BaseModel):
    id: int
    number: str
    service_id: int
    priority_group: str | None
    status: TicketStatus
    issued_at: LocalTime
    called_at: LocalTime | None
    started_at: LocalTime | None


class CounterOut(BaseModel):
    id: int
    centre_id: int
    number: int
    name: str
    agency_id: int | None
    agency_name: str | None
    display_address: int | None
    service_ids: list[int]
    status: CounterStatus
    officer_id: int | None
    officer_name: str | None
    current_ticket: TicketBrief | None


class WaitingServiceOut(BaseModel):
    """One service of a counter: how many wait and the numbers first in line."""

    id: int
    code: str
    name: str
    letter: str
    waiting: int
    next: list[TicketBrief]


class PriorityGroupOut(BaseModel):
    code: str
    name: str


# ---------------------------------------------------------------- tickets


class TicketIn(Strict):
    service_id: int
    priority_group: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = None


class TransferIn(Strict):
    service_id: int


class CancelIn(Strict):
    reason: Annotated[str, StringConstraints(max_length=255)] | None = None


class TicketOut(BaseModel):
    id: int
    centre_id: int
    number: str
    service_id: int
    origin_service_id: int
    priority_group: str | None
    status: TicketStatus
    counter_id: int | None
    counter_number: int | None
    call_count: int
    issued_at: LocalTime
    called_at: LocalTime | None
    started_at: LocalTime | None
    finished_at: LocalTime | None
    waiting_before: int | None
    estimated_wait_minutes: int | None
    public_token: str | None = None  # the citizen's page: /tra-cuu/so/{public_token}


class CounterQueueOut(BaseModel):
    """Everything the counter's desk shows, in one read (start-up and each resync)."""

    last_event_id: int
    counter: CounterOut
    current: TicketOut | None
    no_show_after_calls: int
    services: list[WaitingServiceOut]
    no_shows: list[TicketBrief]  # today's no-shows at this counter, newest first


# ---------------------------------------------------------------- dossiers


def _personal_id(value: str) -> str:
    return identity.parse_personal_id(value).number


PersonalId = Annotated[str, AfterValidator(_domain_check(_personal_id))]
# Row ids are 32-bit integers in the database: a bigger one is a 422 on its field, not a 500.
RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]
# Free text that may be left out: the same cleaning, no minimum.
Note = Annotated[str, AfterValidator(_clean_text), StringConstraints(max_length=1000)]

_EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def _plausible(value: dt.datetime) -> dt.datetime:
    # Postmarks and due dates live in this century; a year 1 or 9999 would also overflow
    # when converted to UTC for storage.
    if not _EARLIEST <= value < _LATEST:
        raise ValueError("Thời điểm phải nằm trong khoảng từ năm 2000 đến năm 2099.")
    return value


# Serialised in +07:00 like LocalTime, so one instant written two ways hashes the same
# for Idempotency-Key retries.
InputTime = Annotated[
    dt.datetime,
    FROM_TEXT,
    AfterValidator(_aware),
    AfterValidator(_plausible),
    PlainSerializer(_local, return_type=str),
]


class ApplicantIn(Strict):
    kind: Literal["person", "organisation"] = "person"
    full_name: Text
    # A personal ID number for a person, a tax/enterprise code for an organisation.
    id_number: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    phone: Phone
    address: Text
    email: Email | None = None

    @field_validator("id_number")
    @classmethod
    def _check_id(cls, value: str, info: ValidationInfo) -> str:
        check = _personal_id if info.data.get("kind", "person") == "person" else identity.normalize_tax_code
        return str(_domain_check(check)(value))


class RepresentativeIn(Strict):
    full_name: Text
    id_number: PersonalId
    phone: Phone | None = None
    authorisation: Annotated[Note, StringConstraints(max_length=255)] | None = None


class DocumentIn(Strict):
    name: Text
    kind: Annotated[DocumentKind, FROM_TEXT]
    copies: int = Field(ge=1, le=100)


class DossierIn(Strict):
    ticket_id: RowId | None = None
    procedure_id: RowId
    channel: Annotated[Channel, FROM_TEXT]
    # Required for post (the postmark); for online, the portal's submission time if given.
    received_at: InputTime | None = Field(default=None, validate_default=True)
    # When the officer recorded it on the counter PC, for an intake sent later from its outbox:
    # the time received when there is no postmark or portal time (the server checks its bounds).
    recorded_at: InputTime | None = None
    applicant: ApplicantIn
    representative: RepresentativeIn | None = None
    documents: list[DocumentIn] = Field(min_length=1, max_length=100)
    sets: int = Field(ge=1, le=50)
    fee_collected: int = Field(ge=0, le=10_000_000_000)
    return_method: Annotated[ReturnMethod, FROM_TEXT]

    @field_validator("received_at")
    @classmethod
    def _postmark(cls, value: dt.datetime | None, info: ValidationInfo) -> dt.datetime | None:
        channel = info.data.get("channel")
        if channel is Channel.POST and value is None:
            raise ValueError("Hồ sơ gửi qua bưu chính phải có ngày giờ theo dấu bưu điện.")
        if channel is Channel.COUNTER and value is not None:
            raise ValueError("Hồ sơ nộp tại quầy lấy thời điểm tiếp nhận của hệ thống.")
        return value


class SupplementItem(Strict):
    name: Text
    kind: Annotated[DocumentKind, FROM_TEXT]
    copies: int = Field(ge=1, le=100)
    note: Annotated[Note, StringConstraints(max_length=500)] | None = None


class SupplementIn(Strict):
    items: list[SupplementItem] = Field(min_length=1, max_length=100)
    reason: LongText


class ReasonIn(Strict):
    reason: LongText


class ExtendIn(Strict):
    reason: LongText
    new_due_at: InputTime


class ReturnIn(Strict):
    returned_to: Text
    # Left out: the way the applicant chose at intake.
    method: Annotated[ReturnMethod, FROM_TEXT] | None = None
    # When the counter PC recorded the return, if it is sent later; left out: now.
    returned_at: InputTime | None = None


class RatingIn(Strict):
    level: Annotated[Rating, FROM_TEXT]
    reason: Note | None = None
    # When the citizen rated, if the counter PC sends it later; left out: now.
    rated_at: InputTime | None = None


class RatingOut(BaseModel):
    level: Rating
    reason: str | None
    created_at: LocalTime


class DossierOut(BaseModel):
    """A dossier as its reader may see it: in full for the staff of its centre; masked for a
    kiosk of its centre or a citizen holding the receipt's token; to anyone else only its code,
    status and due time (the other fields are then null)."""

    code: str
    status: DossierStatus
    status_name: str
    due_at: LocalTime
    procedure_id: int | None = None
    procedure_name: str | None = None
    agency_name: str | None = None
    channel: Channel | None = None
    received_at: LocalTime | None = None
    original_due_at: LocalTime | None = None
    ready_at: LocalTime | None = None
    returned_at: LocalTime | None = None
    timeliness: str | None = None
    # Personal data: full for staff, masked for the public.
    applicant: dict[str, Any] | None = None
    representative: dict[str, Any] | None = None
    documents: list[DocumentOut] | None = None
    sets: int | None = None
    fee_collected: int | None = None
    return_method: ReturnMethod | None = None
    ticket_id: int | None = None
    supplement_items: list[dict[str, Any]] | None = None
    reason: str | None = None
    extension_reason: str | None = None
    returned_to: str | None = None
    rating: RatingOut | None = None
    public_token: str | None = None  # staff only: the receipt's QR opens /tra-cuu/ho-so/{code}/{token}


HistoryAction = Literal[
    "received", "supplement_requested", "supplemented", "refused", "extended", "ready", "returned", "rated"
]


class HistoryEntryOut(BaseModel):
    """One step of a dossier's life, as its control sheet (Mẫu 05) lists them."""

    at: LocalTime
    action: HistoryAction
    action_name: str
    actor: str  # the officer's full name, or username when it has none
    note: str | None


# ---------------------------------------------------------------- devices, users


class NoticeIn(Strict):
    # Empty clears the line. One line on a hall screen: newlines are refused, not folded.
    notice: Annotated[
        str, AfterValidator(_clean_text), StringConstraints(max_length=500, pattern=r"^[^\r\n]*$")
    ]


FAULT_MAX = 200
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _fault_text(value: str) -> str | None:
    """A device's fault as one readable line for the supervisor: control characters (C0, C1;
    a printer's raw status may hold any) and line breaks as spaces, bidirectional overrides
    dropped, runs of spaces as one, at most FAULT_MAX characters; nothing left is no fault."""
    kept = (
        " " if unicodedata.category(char) in _CONTROL_CATEGORIES else char
        for char in value
        if char not in _BIDI_CONTROLS
    )
    text = " ".join(textfold.nfc("".join(kept)).split())
    if len(text) > FAULT_MAX:
        text = text[: FAULT_MAX - 1].rstrip() + "…"
    return text or None


class DeviceStatusIn(Strict):
    # Refused beyond 2,000 characters; what is kept is cleaned and cut (_fault_text).
    fault: Annotated[str, StringConstraints(max_length=2000), AfterValidator(_fault_text)] | None = None


class DeviceOut(BaseModel):
    id: int
    name: str
    kind: DeviceKind
    centre_id: int
    fault: str | None
    last_seen_at: LocalTime | None
