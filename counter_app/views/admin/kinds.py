"""What the administration screen edits, declared once per kind: its title, its table's columns
and its editor's fields. page.py and form.py read these; adding a field is one line here.

The kinds and their fields follow /api/v1/admin (apiclient/admin.py). ``lookup`` names another
kind whose rows supply the choices (and the names shown instead of ids).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Callable
from typing import Any

from onestop import formatting

Row = dict[str, Any]
Lookups = dict[str, list[Row]]


class Widget(enum.Enum):
    TEXT = "text"  # one line
    LONG_TEXT = "long_text"  # several lines (notice, fee note)
    INT = "int"
    DECIMAL = "decimal"  # two decimals (processing days)
    MONEY = "money"  # whole đồng, shown 200.000 đ
    CHOICE = "choice"  # one of ``choices``
    BOOL = "bool"
    LOOKUP = "lookup"  # one row of another kind (``optional``: may be none)
    CHECKLIST = "checklist"  # a set of rows of another kind
    ORDERED = "ordered"  # an ordered list of rows of another kind, with up/down
    DOCUMENTS = "documents"  # the procedure's papers
    PASSWORD = "password"  # noqa: S105 (a widget's name, not a secret): write-only, masked
    TIME = "time"  # "HH:MM" or empty (no time)
    DATE = "date"  # the calendar's day, ISO on the wire


@dataclasses.dataclass(frozen=True)
class Field:
    key: str
    label: str
    widget: Widget = Widget.TEXT
    lookup: str = ""  # kind of the rows behind LOOKUP / CHECKLIST / ORDERED
    choices: tuple[tuple[str | None, str], ...] = ()  # (wire value, Vietnamese label)
    optional: bool = False  # LOOKUP / TIME / CHOICE may be left empty (sent as null)
    minimum: int = 0
    maximum: int = 1_000_000_000
    hint: str = ""  # shown under the field: the expected format
    default: Any = None
    create_only: bool = False  # the calendar's day is its id: fixed once made


@dataclasses.dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[Row, Lookups], str]
    right: bool = False  # numbers and money line up on the right


@dataclasses.dataclass(frozen=True)
class Kind:
    key: str  # the path segment of /api/v1/admin/<key>
    title: str
    singular: str
    columns: tuple[Column, ...]
    fields: tuple[Field, ...]
    caption: Callable[[Row], str]  # how a row of this kind is named in other kinds' lookups
    lookups: tuple[str, ...] = ()  # kinds whose rows the table and editor need
    deactivate: bool = False  # has "active": offer Ngừng sử dụng / Dùng lại
    new_key: bool = False  # devices: Cấp khoá mới
    unlock: bool = False  # users: Mở khóa đăng nhập (forget their failed sign-ins)


ROLES = (("admin", "Quản trị"), ("supervisor", "Giám sát"), ("officer", "Cán bộ một cửa"))
DEVICE_KINDS = (("kiosk", "Ki-ốt lấy số"), ("display", "Màn hình"), ("counter", "Thiết bị quầy"))
ONLINE_LEVELS = ((None, "Không"), ("mot_phan", "Một phần"), ("toan_trinh", "Toàn trình"))
DOCUMENT_KINDS = (
    ("original", "Bản chính"),
    ("certified_copy", "Bản sao chứng thực"),
    ("photocopy", "Bản chụp"),
)
POLICIES = (("one_in_n", "Một ưu tiên sau mỗi N số thường"), ("strict", "Ưu tiên luôn trước"))
TRANSFER_POSITIONS = (("front", "Đầu hàng"), ("back", "Cuối hàng"))
COUNTER_STATUSES = {"open": "Đang mở", "paused": "Tạm dừng", "closed": "Đóng"}


def choice_label(choices: tuple[tuple[str | None, str], ...], value: Any) -> str:
    return next((label for wire, label in choices if wire == value), "" if value is None else str(value))


def _get(key: str) -> Callable[[Row, Lookups], str]:
    return lambda row, _lookups: "" if row.get(key) is None else str(row[key])


def _name_of(kind: str, key: str) -> Callable[[Row, Lookups], str]:
    def text(row: Row, lookups: Lookups) -> str:
        return caption_of(kind, row.get(key), lookups)

    return text


def _names_of(kind: str, key: str) -> Callable[[Row, Lookups], str]:
    def text(row: Row, lookups: Lookups) -> str:
        return ", ".join(caption_of(kind, item, lookups) for item in row.get(key) or [])

    return text


def _choice(key: str, choices: tuple[tuple[str | None, str], ...]) -> Callable[[Row, Lookups], str]:
    return lambda row, _lookups: choice_label(choices, row.get(key))


def _yes_no(key: str, yes: str = "Đang dùng", no: str = "Ngừng sử dụng") -> Callable[[Row, Lookups], str]:
    return lambda row, _lookups: yes if row.get(key) else no


def _money(row: Row, _lookups: Lookups) -> str:
    return formatting.money(int(row.get("fee") or 0))


def _days(row: Row, _lookups: Lookups) -> str:
    return formatting.working_days(float(row.get("processing_days") or 0))


def _seen(row: Row, _lookups: Lookups) -> str:
    value = row.get("last_seen_at")
    return formatting.date_time(dt.datetime.fromisoformat(value)) if value else "Chưa kết nối"


def _day(row: Row, _lookups: Lookups) -> str:
    day = dt.date.fromisoformat(str(row.get("day") or row["id"]))
    return formatting.long_date(day)


def caption_of(kind: str, row_id: Any, lookups: Lookups) -> str:
    """The name shown for ``row_id`` of ``kind`` (the id itself while the rows are not loaded)."""
    if row_id is None:
        return "—"
    row = next((r for r in lookups.get(kind, []) if r.get("id") == row_id), None)
    return KINDS[kind].caption(row) if row is not None else f"#{row_id}"


def _code_name(row: Row) -> str:
    return f"{row['code']} — {row['name']}"


def _service_caption(row: Row) -> str:
    return f"{row['letter']} — {row['name']}"


CENTRES = Kind(
    key="centres",
    title="Trung tâm",
    singular="trung tâm",
    columns=(
        Column("Mã", _get("code")),
        Column("Tên", _get("name")),
        Column("Tên ngắn", _get("short_name")),
        Column("Giờ làm việc", _get("office_hours")),
    ),
    fields=(
        Field("code", "Mã"),
        Field("name", "Tên trung tâm"),
        Field("short_name", "Tên ngắn"),
        Field("address", "Địa chỉ"),
        Field("phone", "Điện thoại"),
        Field("agency_code", "Mã định danh đơn vị"),
        Field(
            "office_hours",
            "Giờ làm việc",
            hint="Các buổi cách nhau bằng dấu phẩy, ví dụ: 07:00-11:30,13:30-17:00",
            default="07:00-11:30,13:30-17:00",
        ),
        Field("no_show_after_calls", "Vắng mặt sau số lần gọi", Widget.INT, minimum=1, maximum=10, default=3),
        Field("transfer_position", "Chuyển quầy: xếp vào", Widget.CHOICE, choices=TRANSFER_POSITIONS),
        Field("notice", "Dòng thông báo trên màn hình", Widget.LONG_TEXT, default=""),
    ),
    caption=lambda row: str(row.get("short_name") or row["name"]),
)

PRIORITY_GROUPS = Kind(
    key="priority-groups",
    title="Nhóm ưu tiên",
    singular="nhóm ưu tiên",
    columns=(Column("Mã", _get("code")), Column("Tên", _get("name"))),
    fields=(Field("code", "Mã"), Field("name", "Tên nhóm")),
    caption=lambda row: str(row["name"]),
)

AGENCIES = Kind(
    key="agencies",
    title="Cơ quan",
    singular="cơ quan",
    columns=(
        Column("Mã", _get("code")),
        Column("Tên", _get("name")),
        Column("Mã định danh", _get("id_code")),
    ),
    fields=(Field("code", "Mã"), Field("name", "Tên cơ quan"), Field("id_code", "Mã định danh", default="")),
    caption=lambda row: str(row["name"]),
)

FIELDS = Kind(
    key="fields",
    title="Lĩnh vực",
    singular="lĩnh vực",
    columns=(
        Column("Mã", _get("code")),
        Column("Tên", _get("name")),
        Column("Cơ quan", _name_of("agencies", "agency_id")),
    ),
    fields=(
        Field("agency_id", "Cơ quan", Widget.LOOKUP, lookup="agencies"),
        Field("code", "Mã"),
        Field("name", "Tên lĩnh vực"),
    ),
    caption=lambda row: str(row["name"]),
    lookups=("agencies",),
)

PROCEDURES = Kind(
    key="procedures",
    title="Thủ tục",
    singular="thủ tục",
    columns=(
        Column("Mã", _get("code")),
        Column("Tên thủ tục", _get("name")),
        Column("Lĩnh vực", _name_of("fields", "field_id")),
        Column("Thời hạn", _days),
        Column("Lệ phí", _money, right=True),
        Column("Trực tuyến", _choice("online_level", ONLINE_LEVELS)),
    ),
    fields=(
        Field("field_id", "Lĩnh vực", Widget.LOOKUP, lookup="fields"),
        Field("code", "Mã thủ tục"),
        Field("name", "Tên thủ tục", Widget.LONG_TEXT),
        Field(
            "processing_days", "Thời hạn giải quyết (ngày làm việc)", Widget.DECIMAL, maximum=999, default=1
        ),
        Field("fee", "Phí, lệ phí", Widget.MONEY, default=0),
        Field("fee_note", "Ghi chú lệ phí (mức giảm, miễn)", Widget.LONG_TEXT, optional=True),
        Field("online_level", "Dịch vụ công trực tuyến", Widget.CHOICE, choices=ONLINE_LEVELS, optional=True),
        Field("sets", "Số bộ hồ sơ", Widget.INT, minimum=1, maximum=99, default=1),
        Field(
            "cutoff",
            "Giờ tiếp nhận tính trong ngày",
            Widget.TIME,
            optional=True,
            hint="Dạng GG:PP, ví dụ 15:00; để trống nếu không có",
        ),
        Field("documents", "Thành phần hồ sơ", Widget.DOCUMENTS, default=[]),
    ),
    caption=_code_name,
    lookups=("fields",),
)

SERVICES = Kind(
    key="services",
    title="Dịch vụ xếp hàng",
    singular="dịch vụ xếp hàng",
    columns=(
        Column("Chữ", _get("letter")),
        Column("Mã", _get("code")),
        Column("Tên", _get("name")),
        Column("Trung tâm", _name_of("centres", "centre_id")),
        Column("Lĩnh vực", _names_of("fields", "field_ids")),
        Column("Trạng thái", _yes_no("active")),
    ),
    fields=(
        Field("centre_id", "Trung tâm", Widget.LOOKUP, lookup="centres"),
        Field("code", "Mã"),
        Field("name", "Tên dịch vụ"),
        Field("letter", "Chữ đầu số", hint="1 đến 4 chữ cái in hoa, ví dụ A hoặc HT"),
        Field("number_width", "Số chữ số", Widget.INT, minimum=2, maximum=5, default=3),
        Field("priority_policy", "Cách gọi số ưu tiên", Widget.CHOICE, choices=POLICIES),
        Field(
            "priority_every",
            "N (số thường giữa hai số ưu tiên)",
            Widget.INT,
            minimum=1,
            maximum=20,
            default=3,
        ),
        Field(
            "default_service_minutes",
            "Thời gian phục vụ dự kiến (phút)",
            Widget.INT,
            minimum=1,
            maximum=240,
            default=8,
        ),
        Field("active", "Đang dùng", Widget.BOOL, default=True),
        Field("field_ids", "Lĩnh vực", Widget.CHECKLIST, lookup="fields", default=[]),
    ),
    caption=_service_caption,
    lookups=("centres", "fields"),
    deactivate=True,
)

COUNTERS = Kind(
    key="counters",
    title="Quầy",
    singular="quầy",
    columns=(
        Column("Số", _get("number")),
        Column("Tên", _get("name")),
        Column("Cơ quan", _name_of("agencies", "agency_id")),
        Column("Dịch vụ (thứ tự gọi)", _names_of("services", "service_ids")),
        Column("Địa chỉ bảng LED", _get("display_address")),
        Column("Trạng thái", lambda row, _l: COUNTER_STATUSES.get(str(row.get("status")), "")),
    ),
    fields=(
        Field("centre_id", "Trung tâm", Widget.LOOKUP, lookup="centres"),
        Field("number", "Số quầy", Widget.INT, minimum=1, maximum=999, default=1),
        Field("name", "Tên quầy"),
        Field("agency_id", "Cơ quan", Widget.LOOKUP, lookup="agencies", optional=True),
        Field("display_address", "Địa chỉ bảng LED", Widget.INT, minimum=1, maximum=99, optional=True),
        Field("service_ids", "Dịch vụ (theo thứ tự gọi)", Widget.ORDERED, lookup="services", default=[]),
    ),
    caption=lambda row: f"Quầy {row['number']}",
    lookups=("centres", "agencies", "services"),
)

USERS = Kind(
    key="users",
    title="Tài khoản",
    singular="tài khoản",
    columns=(
        Column("Tên đăng nhập", _get("username")),
        Column("Họ và tên", _get("full_name")),
        Column("Vai trò", _choice("role", ROLES)),
        Column("Trung tâm", _name_of("centres", "centre_id")),
        Column("Trạng thái", _yes_no("active")),
    ),
    fields=(
        Field("username", "Tên đăng nhập"),
        Field("full_name", "Họ và tên"),
        Field("role", "Vai trò", Widget.CHOICE, choices=ROLES, default="officer"),
        Field("centre_id", "Trung tâm", Widget.LOOKUP, lookup="centres", optional=True),
        Field("active", "Đang dùng", Widget.BOOL, default=True),
        Field("password", "Mật khẩu", Widget.PASSWORD, hint="Ít nhất 8 ký tự"),
    ),
    caption=lambda row: str(row.get("full_name") or row["username"]),
    lookups=("centres",),
    deactivate=True,
    unlock=True,
)

DEVICES = Kind(
    key="devices",
    title="Thiết bị",
    singular="thiết bị",
    columns=(
        Column("Tên", _get("name")),
        Column("Loại", _choice("kind", DEVICE_KINDS)),
        Column("Trung tâm", _name_of("centres", "centre_id")),
        Column("Trạng thái", _yes_no("active")),
        Column("Lần cuối kết nối", _seen),
        Column("Lỗi", _get("fault")),
    ),
    fields=(
        Field("name", "Tên thiết bị"),
        Field("kind", "Loại", Widget.CHOICE, choices=DEVICE_KINDS),
        Field("centre_id", "Trung tâm", Widget.LOOKUP, lookup="centres"),
        Field("active", "Đang dùng", Widget.BOOL, default=True),
    ),
    caption=lambda row: str(row["name"]),
    lookups=("centres",),
    deactivate=True,
    new_key=True,
)

CALENDAR = Kind(
    key="calendar",
    title="Ngày nghỉ / ngày làm bù",
    singular="ngày",
    columns=(
        Column("Ngày", _day),
        Column("Loại", _yes_no("working", "Ngày làm bù", "Ngày nghỉ")),
        Column("Ghi chú", _get("note")),
    ),
    fields=(
        Field("day", "Ngày", Widget.DATE, create_only=True),
        Field("working", "Là ngày làm việc (làm bù)", Widget.BOOL, default=False),
        Field("note", "Ghi chú", default=""),
    ),
    caption=lambda row: formatting.date(dt.date.fromisoformat(str(row["day"]))),
)

KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        CENTRES,
        PRIORITY_GROUPS,
        AGENCIES,
        FIELDS,
        PROCEDURES,
        SERVICES,
        COUNTERS,
        USERS,
        DEVICES,
        CALENDAR,
    )
}
