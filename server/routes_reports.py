"""/api/v1/reports/*: the managers' periodic reports, as JSON or as a CSV file for Excel.

Supervisors see their own centre only; an admin picks a centre or, leaving it out, gets all
centres. Every report takes start and end (YYYY-MM-DD, Vietnamese dates, both included, at most
366 days), centre_id, group_by and format=json|csv.
"""

from __future__ import annotations

import csv
import dataclasses
import enum
import io
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from onestop import exports
from server import report_days, reports, waits
from server.auth import Principal
from server.deps import AppState, Manager, State

router = APIRouter(prefix="/reports")

Format = Literal["json", "csv"]
_DATE = {"format": "date", "examples": ["2026-11-01"]}
Start = Annotated[str, Query(max_length=10, description="First day (YYYY-MM-DD)", json_schema_extra=_DATE)]
End = Annotated[
    str, Query(max_length=10, description="Last day, included (YYYY-MM-DD)", json_schema_extra=_DATE)
]
CentreId = Annotated[int | None, Query(ge=1, le=2_147_483_647, description="Admins only; omit for all")]
# format=csv answers the same figures as a spreadsheet-friendly table.
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}}}}
Output = Annotated[Format, Query(alias="format", description="json, or csv (UTF-8 with BOM, for Excel)")]


def _period(start: Start, end: End) -> reports.Period:
    return reports.period(start, end)


PeriodArg = Annotated[reports.Period, Depends(_period)]


def _summarise(app: AppState, period: reports.Period) -> None:
    """Summarise the finished days of the period not summarised yet, each month in a write
    transaction of its own, before the report reads them (report_days)."""
    now = app.settings.clock()
    report_days.summarise(app.db, start=period.start, end=period.end, today=waits.business_day(now), now=now)


def _centre(principal: Principal, requested: int | None) -> int | None:
    """The centre the report covers: a supervisor's own, whatever they ask; an admin's choice."""
    if principal.sees_all_centres:
        return requested
    if principal.centre_id is None or (requested is not None and requested != principal.centre_id):
        raise HTTPException(403, "Giám sát viên chỉ xem được báo cáo của trung tâm mình.")
    return principal.centre_id


# Column titles of the CSV files, in order: (field, Vietnamese title).
_FIRST = [("key", "Mã"), ("name", "Tên")]
QUEUE_COLUMNS = [
    *_FIRST,
    ("issued", "Số vé đã cấp"),
    ("served", "Đã phục vụ"),
    ("no_show", "Vắng mặt"),
    ("cancelled", "Đã hủy"),
    ("transferred_out", "Chuyển đi"),
    ("avg_wait_minutes", "Chờ trung bình (phút)"),
    ("p90_wait_minutes", "Chờ P90 (phút)"),
    ("avg_service_minutes", "Phục vụ trung bình (phút)"),
    ("p90_service_minutes", "Phục vụ P90 (phút)"),
    ("service_level", "Tỷ lệ chờ không quá mục tiêu"),
]
DOSSIER_COLUMNS = [
    *_FIRST,
    ("received", "Tiếp nhận"),
    ("returned", "Đã trả kết quả"),
    ("returned_early", "Trước hạn"),
    ("returned_on_time", "Đúng hạn"),
    ("returned_late", "Quá hạn"),
    ("overdue_now", "Đang quá hạn"),
    ("supplement_requests", "Yêu cầu bổ sung"),
    ("refusals", "Từ chối"),
    ("extensions", "Gia hạn"),
]
SATISFACTION_COLUMNS = [
    *_FIRST,
    ("very_satisfied", "Rất hài lòng"),
    ("satisfied", "Hài lòng"),
    ("dissatisfied", "Không hài lòng"),
    ("total", "Tổng số đánh giá"),
    ("satisfied_share", "Tỷ lệ hài lòng"),
]
OFFICER_COLUMNS = [
    *_FIRST,
    ("served", "Đã phục vụ"),
    ("avg_service_minutes", "Phục vụ trung bình (phút)"),
    ("open_hours", "Giờ mở quầy"),
    ("served_per_hour", "Lượt phục vụ mỗi giờ"),
    ("very_satisfied", "Rất hài lòng"),
    ("satisfied", "Hài lòng"),
    ("dissatisfied", "Không hài lòng"),
]
_FILE_NAMES = {
    "queue": "bao-cao-hang-doi",
    "dossiers": "bao-cao-ho-so",
    "satisfaction": "bao-cao-muc-do-hai-long",
    "officers": "bao-cao-can-bo",
}


def _cell(value: Any) -> str:
    """A value as CSV text; a name or reason that a spreadsheet would run as a formula gets a
    quote before it (numbers, negative ones too, stay numbers)."""
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, int | float):
        return str(value)
    return exports.csv_text(str(value))


def _reply(report: Any, output: Format, columns: Sequence[tuple[str, str]]) -> Any:
    """The report itself (FastAPI renders JSON), or a CSV attachment: titles, rows, the total."""
    if output == "json":
        return report
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([title for _, title in columns])
    for row in [*report.rows, report.total]:
        values = dataclasses.asdict(row)
        writer.writerow([_cell(values[field]) for field, _ in columns])
    name = f"{_FILE_NAMES[report.report]}-{report.start.isoformat()}-{report.end.isoformat()}.csv"
    return Response(
        # The BOM makes Excel read the file as UTF-8, so Vietnamese letters show.
        content=("\ufeff" + buffer.getvalue()).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/queue", response_model=reports.QueueReport, responses=CSV_RESPONSE)
def queue_report(
    app: State,
    principal: Manager,  # before the period, so a stranger gets 401/403, not a date check
    period: PeriodArg,
    centre_id: CentreId = None,
    group_by: reports.QueueGroup = reports.QueueGroup.SERVICE,
    target_wait_minutes: Annotated[int, Query(ge=1, le=240)] = 15,
    output: Output = "json",
) -> Any:
    """Managers: tickets issued, served, no-show, cancelled, transferred away; waits and service
    times (average, p90 to the minute); the share served within ``target_wait_minutes``."""
    centre = _centre(principal, centre_id)
    _summarise(app, period)
    with app.db.read() as session:
        report = reports.queue(
            session,
            period=period,
            centre_id=centre,
            group_by=group_by,
            target_wait_minutes=target_wait_minutes,
        )
    return _reply(report, output, QUEUE_COLUMNS)


@router.get("/dossiers", response_model=reports.DossierReport, responses=CSV_RESPONSE)
def dossier_report(
    app: State,
    principal: Manager,
    period: PeriodArg,
    centre_id: CentreId = None,
    group_by: reports.DossierGroup = reports.DossierGroup.AGENCY,
    output: Output = "json",
) -> Any:
    """Managers: the periodic report of dossiers received, returned early / on time / late,
    overdue now (at the time of the report, whatever the period), supplement requests,
    refusals and extensions."""
    centre = _centre(principal, centre_id)
    now = app.settings.clock()
    with app.db.read() as session:
        report = reports.dossiers(session, period=period, centre_id=centre, group_by=group_by, now=now)
    return _reply(report, output, DOSSIER_COLUMNS)


@router.get("/satisfaction", response_model=reports.SatisfactionReport, responses=CSV_RESPONSE)
def satisfaction_report(
    app: State,
    principal: Manager,
    period: PeriodArg,
    centre_id: CentreId = None,
    group_by: reports.SatisfactionGroup = reports.SatisfactionGroup.OFFICER,
    output: Output = "json",
) -> Any:
    """Managers: the citizens' ratings given in the period and the reasons of the dissatisfied."""
    centre = _centre(principal, centre_id)
    with app.db.read() as session:
        report = reports.satisfaction(session, period=period, centre_id=centre, group_by=group_by)
    return _reply(report, output, SATISFACTION_COLUMNS)


@router.get("/officers", response_model=reports.OfficerReport, responses=CSV_RESPONSE)
def officer_report(
    app: State,
    principal: Manager,
    period: PeriodArg,
    centre_id: CentreId = None,
    group_by: Annotated[Literal["officer"], Query()] = "officer",
    output: Output = "json",
) -> Any:
    """Managers: per officer, tickets served, average service time, hours with a counter open,
    served per open hour, and the ratings received."""
    centre = _centre(principal, centre_id)
    now = app.settings.clock()
    _summarise(app, period)
    with app.db.read() as session:
        report = reports.officers(session, period=period, centre_id=centre, now=now)
    return _reply(report, output, OFFICER_COLUMNS)
