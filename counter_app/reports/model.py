"""What the reports screen shows, without Qt: the four report kinds, their columns and group-by
choices in Vietnamese, the period presets, the Vietnamese number formats, and the table and
chart data made from a report as the server sends it (GET /api/v1/reports/*)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Callable
from typing import Any

from onestop import formatting

NO_VALUE = "–"
TOTAL_NAME = "Tổng cộng"
CENTRE_GROUP = "centre"  # not a server group: the centre's total as the one row


class Kind(enum.StrEnum):
    QUEUE = "queue"
    DOSSIERS = "dossiers"
    SATISFACTION = "satisfaction"
    OFFICERS = "officers"


KIND_NAMES = {
    Kind.QUEUE: "Hàng đợi",
    Kind.DOSSIERS: "Hồ sơ",
    Kind.SATISFACTION: "Mức độ hài lòng",
    Kind.OFFICERS: "Hiệu suất cán bộ",
}
TITLES = {
    Kind.QUEUE: "BÁO CÁO TÌNH HÌNH PHỤC VỤ CÔNG DÂN THEO SỐ THỨ TỰ",
    Kind.DOSSIERS: "BÁO CÁO TÌNH HÌNH TIẾP NHẬN VÀ GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH",
    Kind.SATISFACTION: "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG",
    Kind.OFFICERS: "BÁO CÁO HIỆU SUẤT LÀM VIỆC CỦA CÁN BỘ",
}
FILE_NAMES = {  # the same names the server gives its CSV files
    Kind.QUEUE: "bao-cao-hang-doi",
    Kind.DOSSIERS: "bao-cao-ho-so",
    Kind.SATISFACTION: "bao-cao-muc-do-hai-long",
    Kind.OFFICERS: "bao-cao-can-bo",
}

# (group_by value, Vietnamese name), the first the default; the endpoints accept all but "centre".
GROUPS: dict[Kind, list[tuple[str, str]]] = {
    Kind.QUEUE: [
        ("service", "Dịch vụ"),
        (CENTRE_GROUP, "Trung tâm"),
        ("agency", "Cơ quan"),
        ("counter", "Quầy"),
        ("officer", "Cán bộ"),
        ("day", "Ngày"),
        ("hour", "Giờ trong ngày"),
    ],
    Kind.DOSSIERS: [
        ("agency", "Cơ quan"),
        (CENTRE_GROUP, "Trung tâm"),
        ("field", "Lĩnh vực"),
        ("procedure", "Thủ tục"),
        ("officer", "Cán bộ"),
    ],
    Kind.SATISFACTION: [("officer", "Cán bộ"), (CENTRE_GROUP, "Trung tâm"), ("field", "Lĩnh vực")],
    Kind.OFFICERS: [("officer", "Cán bộ")],
}
_SERVER_DEFAULT = {Kind.QUEUE: "service", Kind.DOSSIERS: "agency", Kind.SATISFACTION: "officer"}


class Preset(enum.StrEnum):
    TODAY = "today"
    THIS_WEEK = "this_week"
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"
    THIS_QUARTER = "this_quarter"
    FIRST_HALF = "first_half"
    THIS_YEAR = "this_year"
    CUSTOM = "custom"


PRESET_NAMES = {
    Preset.TODAY: "Hôm nay",
    Preset.THIS_WEEK: "Tuần này",
    Preset.THIS_MONTH: "Tháng này",
    Preset.LAST_MONTH: "Tháng trước",
    Preset.THIS_QUARTER: "Quý này",
    Preset.FIRST_HALF: "6 tháng đầu năm",
    Preset.THIS_YEAR: "Năm nay",
    Preset.CUSTOM: "Tùy chọn",
}


def preset_period(preset: Preset, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of a preset; the current week, month, quarter and year end today
    (nothing later has happened yet); the first half is 1 January to 30 June; a custom period
    starts as today."""
    month_start, year_start = today.replace(day=1), dt.date(today.year, 1, 1)
    last_month_end = month_start - dt.timedelta(days=1)
    starts = {
        Preset.TODAY: (today, today),
        Preset.THIS_WEEK: (today - dt.timedelta(days=today.weekday()), today),
        Preset.THIS_MONTH: (month_start, today),
        Preset.LAST_MONTH: (last_month_end.replace(day=1), last_month_end),
        Preset.THIS_QUARTER: (dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today),
        Preset.FIRST_HALF: (year_start, dt.date(today.year, 6, 30)),
        Preset.THIS_YEAR: (year_start, today),
        Preset.CUSTOM: (today, today),
    }
    return starts[preset]


# ---------------------------------------------------------------- Vietnamese numbers


def integer(value: float) -> str:
    """1234 -> "1.234"."""
    return f"{round(value):,}".replace(",", ".")


def number(value: float, places: int = 2) -> str:
    """1234.5 -> "1.234,50" (dots between thousands, a decimal comma)."""
    text = f"{value:,.{places}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def percent(share: float) -> str:
    """0.875 -> "87,5 %"."""
    return number(share * 100, 1) + " %"


def clock_minutes(minutes: float) -> str:
    """An average duration in minutes as mm:ss: 18.8 -> "18:48"."""
    seconds = round(minutes * 60)
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def whole_minutes(minutes: float) -> str:
    """A duration in whole minutes, as people say it: "12 phút", "1 giờ 05 phút"."""
    return formatting.duration(minutes * 60)


class Format(enum.Enum):
    INTEGER = (integer, "#,##0")
    DECIMAL = (number, "#,##0.00")
    PERCENT = (percent, "0.0%")
    CLOCK = (clock_minutes, "[mm]:ss")  # stored in the spreadsheet as a fraction of a day
    MINUTES = (whole_minutes, '0 "phút"')

    def __init__(self, show: Callable[[float], str], excel: str) -> None:
        self.show = show
        self.excel = excel

    def text(self, value: Any) -> str:
        return NO_VALUE if value is None else self.show(value)

    def cell(self, value: Any) -> Any:
        """The value as the spreadsheet keeps it (durations in days, as Excel times are)."""
        if value is None:
            return None
        return value / 1440 if self is Format.CLOCK else value


@dataclasses.dataclass(frozen=True)
class Column:
    field: str
    title: str
    format: Format = Format.INTEGER


def _columns(kind: Kind, target_wait_minutes: int) -> list[Column]:
    c, m, p, d = Format.CLOCK, Format.MINUTES, Format.PERCENT, Format.DECIMAL
    return {
        Kind.QUEUE: [
            Column("issued", "Số vé đã cấp"),
            Column("served", "Đã phục vụ"),
            Column("no_show", "Vắng mặt"),
            Column("cancelled", "Đã hủy"),
            Column("transferred_out", "Chuyển đi"),
            Column("avg_wait_minutes", "Chờ trung bình (phút:giây)", c),
            Column("p90_wait_minutes", "Chờ P90", m),
            Column("avg_service_minutes", "Phục vụ trung bình (phút:giây)", c),
            Column("p90_service_minutes", "Phục vụ P90", m),
            Column("service_level", f"Tỷ lệ chờ không quá {target_wait_minutes} phút", p),
        ],
        Kind.DOSSIERS: [
            Column("received", "Tiếp nhận"),
            Column("returned", "Đã trả kết quả"),
            Column("returned_early", "Trước hạn"),
            Column("returned_on_time", "Đúng hạn"),
            Column("returned_late", "Quá hạn"),
            Column("timely_share", "Tỷ lệ trước và đúng hạn", p),
            Column("overdue_now", "Đang quá hạn"),
            Column("supplement_requests", "Yêu cầu bổ sung"),
            Column("refusals", "Từ chối"),
            Column("extensions", "Gia hạn"),
        ],
        Kind.SATISFACTION: [
            Column("very_satisfied", "Rất hài lòng"),
            Column("satisfied", "Hài lòng"),
            Column("dissatisfied", "Không hài lòng"),
            Column("total", "Tổng số đánh giá"),
            Column("satisfied_share", "Tỷ lệ hài lòng", p),
        ],
        Kind.OFFICERS: [
            Column("served", "Đã phục vụ"),
            Column("avg_service_minutes", "Phục vụ trung bình (phút:giây)", c),
            Column("open_hours", "Giờ mở quầy", d),
            Column("served_per_hour", "Lượt phục vụ mỗi giờ", d),
            Column("very_satisfied", "Rất hài lòng"),
            Column("satisfied", "Hài lòng"),
            Column("dissatisfied", "Không hài lòng"),
        ],
    }[kind]


# ---------------------------------------------------------------- the query and the report


@dataclasses.dataclass(frozen=True)
class Query:
    """One report as asked for on the screen."""

    kind: Kind
    start: dt.date
    end: dt.date
    group_by: str
    target_wait_minutes: int = 15

    def server_group(self) -> str | None:
        """The group_by sent to the server (None for the officers' report, which has one)."""
        if self.kind is Kind.OFFICERS:
            return None
        return _SERVER_DEFAULT[self.kind] if self.group_by == CENTRE_GROUP else self.group_by

    def group_name(self) -> str:
        return dict(GROUPS[self.kind]).get(self.group_by, self.group_by)

    def period_text(self) -> str:
        return f"{formatting.date(self.start)} – {formatting.date(self.end)}"

    def file_stem(self) -> str:
        return f"{FILE_NAMES[self.kind]}-{self.start.isoformat()}-{self.end.isoformat()}"


def fetch(api: Any, query: Query, *, centre_id: int | None = None) -> dict[str, Any]:
    """Ask the server (runs on a worker: blocking HTTP)."""
    first, last, group = query.start, query.end, query.server_group()
    if query.kind is Kind.QUEUE:
        target = query.target_wait_minutes
        reply = api.queue_report(first, last, group_by=group, centre_id=centre_id, target_wait_minutes=target)
    elif query.kind is Kind.DOSSIERS:
        reply = api.dossier_report(first, last, group_by=group, centre_id=centre_id)
    elif query.kind is Kind.SATISFACTION:
        reply = api.satisfaction_report(first, last, group_by=group, centre_id=centre_id)
    else:
        reply = api.officer_report(first, last, centre_id=centre_id)
    return dict(reply)


@dataclasses.dataclass(frozen=True)
class Series:
    name: str
    values: list[float]
    color: str
    field: str = ""  # the column the values come from (of the extra table when the chart says so)


@dataclasses.dataclass(frozen=True)
class Chart:
    """A bar chart: one bar (or stack) per category, one set of bars per series."""

    title: str
    categories: list[str]
    series: list[Series]
    stacked: bool = False
    axis_title: str = ""
    from_extra: bool = False  # drawn from the second table (busiest hours), not the main one


@dataclasses.dataclass
class Report:
    """A report ready to show and export: the table (rows, then the total), the charts, and
    the second table some reports have (busiest hours, reasons of the dissatisfied)."""

    query: Query
    centre_name: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    total: dict[str, Any]
    charts: list[Chart]
    extra_title: str = ""
    extra_headers: tuple[str, str] = ("", "")
    extra_rows: list[tuple[str, int]] = dataclasses.field(default_factory=list)
    note: str = ""

    @property
    def title(self) -> str:
        return TITLES[self.query.kind]

    def headers(self) -> list[str]:
        return [self.query.group_name(), *(column.title for column in self.columns)]

    def text_rows(self) -> list[list[str]]:
        """Every row as shown, the total last."""
        return [self._texts(row) for row in [*self.rows, self.total]]

    def _texts(self, row: dict[str, Any]) -> list[str]:
        return [str(row["name"]), *(column.format.text(row.get(column.field)) for column in self.columns)]


BLUE, GREEN, AMBER, RED, GREY = "#0b4f9c", "#2e7d32", "#f2a900", "#c8102e", "#7a8794"


def build(query: Query, reply: dict[str, Any], centre_name: str) -> Report:
    """The report to show from the server's reply."""
    rows = [_with_shares(row) for row in reply["rows"]]
    total = _with_shares(dict(reply["total"]))
    total["name"] = TOTAL_NAME
    if query.group_by == CENTRE_GROUP:
        rows = [dict(total, name=centre_name or "Trung tâm")] if total_has_data(total) else []
    target = int(reply.get("target_wait_minutes") or query.target_wait_minutes)
    report = Report(query, centre_name, _columns(query.kind, target), rows, total, [])
    _ADD_CHARTS[query.kind](report, reply)
    return report


def _queue_charts(report: Report, reply: dict[str, Any]) -> None:
    rows, group = report.rows, report.query.group_name().lower()
    busiest = reply["busiest_hours"]
    hours = [(f"{h['hour']:02d}:00–{h['hour'] + 1:02d}:00", int(h["issued"])) for h in busiest]
    report.charts = [
        Chart(
            f"Phục vụ và vắng mặt theo {group}",
            _names(rows),
            [_series("Đã phục vụ", rows, "served", GREEN), _series("Vắng mặt", rows, "no_show", RED)],
            axis_title="Số vé",
        ),
        Chart(
            "Số vé cấp theo giờ",
            [f"{h['hour']:02d}:00" for h in busiest],
            [Series("Số vé đã cấp", [float(n) for _, n in hours], BLUE, "issued")],
            axis_title="Số vé",
            from_extra=True,
        ),
    ]
    report.extra_title, report.extra_headers, report.extra_rows = "Giờ cao điểm", ("Giờ", "Số vé"), hours


def _dossier_charts(report: Report, reply: dict[str, Any]) -> None:
    rows = report.rows
    series = [
        _series("Trước hạn", rows, "returned_early", GREEN),
        _series("Đúng hạn", rows, "returned_on_time", BLUE),
        _series("Quá hạn", rows, "returned_late", RED),
    ]
    title = f"Hồ sơ đã trả kết quả theo {report.query.group_name().lower()}"
    report.charts = [Chart(title, _names(rows), series, stacked=True, axis_title="Số hồ sơ")]
    if reply.get("overdue_as_of"):
        moment = dt.datetime.fromisoformat(str(reply["overdue_as_of"]))
        report.note = f"Số hồ sơ đang quá hạn tính đến {formatting.date_time(moment)}."


def _satisfaction_charts(report: Report, reply: dict[str, Any]) -> None:
    rows = report.rows
    series = [
        _series("Rất hài lòng", rows, "very_satisfied", GREEN),
        _series("Hài lòng", rows, "satisfied", BLUE),
        _series("Không hài lòng", rows, "dissatisfied", RED),
    ]
    title = f"Mức độ hài lòng theo {report.query.group_name().lower()}"
    report.charts = [Chart(title, _names(rows), series, stacked=True, axis_title="Số đánh giá")]
    report.extra_title, report.extra_headers = "Lý do không hài lòng", ("Lý do", "Số lượt")
    report.extra_rows = [(str(r["reason"]), int(r["count"])) for r in reply.get("reasons", [])]


def _officer_charts(report: Report, reply: dict[str, Any]) -> None:
    rows = report.rows
    series = [_series("Lượt phục vụ mỗi giờ", rows, "served_per_hour", BLUE)]
    report.charts = [Chart("Lượt phục vụ mỗi giờ mở quầy", _names(rows), series, axis_title="Lượt/giờ")]


_ADD_CHARTS: dict[Kind, Callable[[Report, dict[str, Any]], None]] = {
    Kind.QUEUE: _queue_charts,
    Kind.DOSSIERS: _dossier_charts,
    Kind.SATISFACTION: _satisfaction_charts,
    Kind.OFFICERS: _officer_charts,
}


def _names(rows: list[dict[str, Any]]) -> list[str]:
    return [str(row["name"]) for row in rows]


def total_has_data(total: dict[str, Any]) -> bool:
    return any(isinstance(value, int | float) and value for value in total.values())


def _with_shares(row: dict[str, Any]) -> dict[str, Any]:
    """Adds the share of returned dossiers returned early or on time (the province's figure)."""
    row = dict(row)
    if "returned" in row:
        returned = int(row["returned"] or 0)
        timely = int(row.get("returned_early") or 0) + int(row.get("returned_on_time") or 0)
        row["timely_share"] = round(timely / returned, 4) if returned else None
    return row


def _series(name: str, rows: list[dict[str, Any]], field: str, color: str) -> Series:
    return Series(name, [float(row.get(field) or 0) for row in rows], color, field)
