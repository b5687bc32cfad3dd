"""The whole catalogue in and out (/api/v1/admin/catalogue): JSON and spreadsheet round trips,
the sample spreadsheet a province would load, and problems that write nothing."""

from __future__ import annotations

import copy
import io
import pathlib
from typing import Any

import httpx
import openpyxl
import pytest

from tests import live
from tests.server import checks

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SAMPLE = pathlib.Path(__file__).parent / "data" / "catalogue-sample.xlsx"
SHEETS = ["Cơ quan", "Lĩnh vực", "Thủ tục", "Giấy tờ", "Dịch vụ xếp hàng", "Quầy", "Nhóm ưu tiên"]
KINDS = ["centres", "priority-groups", "agencies", "fields", "procedures", "services", "counters"]
NOTHING = dict.fromkeys(KINDS, 0)


@pytest.fixture
def api(server: live.LiveServer) -> checks.Api:
    return checks.Api(server)


@pytest.fixture
def admin(api: checks.Api) -> httpx.Client:
    return api.user("admin")


def ok(reply: httpx.Response, status: int = 200) -> Any:
    assert reply.status_code == status, reply.text
    return reply.json()


def send(admin: httpx.Client, data: bytes, content_type: str = XLSX, **params: Any) -> httpx.Response:
    return admin.post("/admin/catalogue", content=data, headers={"Content-Type": content_type}, params=params)


def workbook(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def saved(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def snapshot(admin: httpx.Client) -> dict[str, Any]:
    return {kind: ok(admin.get(f"/admin/{kind}")) for kind in KINDS}


def test_json_export_then_import_changes_nothing(admin: httpx.Client) -> None:
    doc = ok(admin.get("/admin/catalogue", params={"format": "json"}))
    assert doc["centre"]["code"] == "PVHCC-PT"
    assert set(doc) == {"centre", "priority_groups", "agencies", "services", "counters"}
    procedure = doc["agencies"][0]["fields"][0]["procedures"][0]
    assert isinstance(procedure["processing_days"], int | float)
    before = snapshot(admin)
    reply = ok(admin.post("/admin/catalogue", json=doc))
    assert reply["created"] == NOTHING and reply["updated"] == NOTHING and reply["dry_run"] is False
    assert reply["unchanged"]["procedures"] == sum(
        len(f["procedures"]) for a in doc["agencies"] for f in a["fields"]
    )
    assert reply["unchanged"]["counters"] == 8 and reply["unchanged"]["centres"] == 1
    assert snapshot(admin) == before


def test_the_spreadsheet_has_one_sheet_per_kind_and_imports_back_unchanged(admin: httpx.Client) -> None:
    reply = admin.get("/admin/catalogue", params={"format": "xlsx"})
    assert reply.status_code == 200
    assert reply.headers["content-type"] == XLSX
    assert reply.headers["content-disposition"] == 'attachment; filename="danh-muc-PVHCC-PT.xlsx"'
    book = workbook(reply.content)
    assert book.sheetnames == SHEETS
    headers = [c.value for c in book["Thủ tục"][1]]
    assert headers[:3] == ["Mã thủ tục", "Tên thủ tục", "Mã lĩnh vực"]
    rows = {row[0]: row for row in book["Thủ tục"].iter_rows(min_row=2, values_only=True)}
    assert rows["1.001234"][1].startswith("Cấp Phiếu lý lịch tư pháp")
    assert rows["1.001234"][4] == 200000
    assert "Bản chính" in {row[2] for row in book["Giấy tờ"].iter_rows(min_row=2, values_only=True)}
    before = snapshot(admin)
    counts = ok(send(admin, reply.content))
    assert counts["created"] == NOTHING and counts["updated"] == NOTHING
    assert counts["unchanged"]["procedures"] == len(rows)
    assert snapshot(admin) == before


def test_the_sample_spreadsheet_loads_the_new_procedures(api: checks.Api, admin: httpx.Client) -> None:
    data = SAMPLE.read_bytes()
    before = snapshot(admin)
    tried = ok(send(admin, data, dry_run="true"))
    assert tried["dry_run"] is True
    assert snapshot(admin) == before  # a dry run writes nothing
    done = ok(send(admin, data))
    expected = {
        **NOTHING,
        "priority-groups": 1,
        "agencies": 1,
        "fields": 2,
        "procedures": 6,
        "services": 1,
        "counters": 1,
    }
    assert done["created"] == tried["created"] == expected
    assert done["updated"] == NOTHING and done["dry_run"] is False

    found = ok(api.client().get("/procedures", params={"q": "khu cong nghiep"}))
    assert {p["agency_name"] for p in found} == {"Ban Quản lý các khu công nghiệp tỉnh Phú Thọ"}
    permit = ok(api.client().get("/procedures", params={"q": "2.000205"}))[0]
    assert permit["fee"] == 600000 and permit["online_level"] == "toan_trinh"
    assert [d["kind"] for d in permit["documents"]] == ["original", "certified_copy", "original"]
    assert permit["documents"][2]["copies"] == 2
    rules = ok(api.client().get("/procedures", params={"q": "noi quy lao dong"}))[0]
    assert (rules["processing_days"], rules["cutoff"]) == (0.5, "15:00")
    building = ok(api.client().get("/procedures", params={"q": "1.009974"}))[0]
    assert building["agency_name"] == "Sở Xây dựng"  # an existing field, named only by its code
    service = next(s for s in ok(api.client().get("/services")) if s["code"] == "K")
    assert service["name"] == "Khu công nghiệp – Đầu tư, Lao động"
    counter = next(c for c in ok(api.client().get("/counters")) if c["number"] == 9)
    assert counter["service_ids"] == [service["id"]]
    assert counter["agency_name"] == "Ban Quản lý các khu công nghiệp tỉnh Phú Thọ"

    again = ok(send(admin, data))
    assert again["created"] == NOTHING and again["updated"] == NOTHING


def test_an_edited_spreadsheet_updates_by_code(api: checks.Api, admin: httpx.Client) -> None:
    book = workbook(admin.get("/admin/catalogue", params={"format": "xlsx"}).content)
    sheet = book["Thủ tục"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "1.001234")
    row[4].value = 150000
    row[3].value = "7,5"  # as a Vietnamese types a decimal
    book["Dịch vụ xếp hàng"]["H2"].value = "Không"  # service A no longer in use
    counts = ok(send(admin, saved(book)))
    assert counts["updated"] == {**NOTHING, "procedures": 1, "services": 1}
    procedure = ok(api.client().get("/procedures", params={"q": "1.001234"}))[0]
    assert (procedure["fee"], procedure["processing_days"]) == (150000, 7.5)
    assert "A" not in {s["code"] for s in ok(api.client().get("/services"))}


def test_a_bad_row_is_named_by_sheet_row_and_column_and_nothing_is_written(admin: httpx.Client) -> None:
    book = workbook(SAMPLE.read_bytes())
    book["Thủ tục"]["E3"].value = "miễn phí"
    book["Giấy tờ"]["C4"].value = "bản scan"
    book["Dịch vụ xếp hàng"]["I2"].value = "BQLKCN-DT, KHONG-CO"
    before = snapshot(admin)
    reply = send(admin, saved(book))
    assert reply.status_code == 422, reply.text
    problems = reply.json()["detail"]
    places = {(p["sheet"], p["row"], p["column"]) for p in problems}
    assert places == {
        ("Thủ tục", 3, "Phí, lệ phí (đồng)"),
        ("Giấy tờ", 4, "Loại bản"),
    }
    for problem in problems:
        assert problem["msg"].startswith(f"Trang «{problem['sheet']}», dòng {problem['row']}, cột «")
        assert checks.is_vietnamese(problem["msg"])
    assert snapshot(admin) == before
    # Once each row is right, what a row names is checked too.
    book["Thủ tục"]["E3"].value = 0
    book["Giấy tờ"]["C4"].value = "Bản chụp"
    reply = send(admin, saved(book))
    assert reply.status_code == 422, reply.text
    [problem] = reply.json()["detail"]
    assert (problem["sheet"], problem["row"], problem["column"]) == ("Dịch vụ xếp hàng", 2, "Các mã lĩnh vực")
    assert "KHONG-CO" in problem["msg"]
    assert snapshot(admin) == before


def test_a_missing_column_and_a_file_that_is_no_spreadsheet_are_422(admin: httpx.Client) -> None:
    book = workbook(SAMPLE.read_bytes())
    book["Cơ quan"].delete_cols(2)
    reply = send(admin, saved(book))
    assert reply.status_code == 422
    assert any("Tên cơ quan" in p["msg"] and p["sheet"] == "Cơ quan" for p in reply.json()["detail"])
    reply = send(admin, b"PK\x03\x04 not really a zip")
    assert reply.status_code == 422
    assert checks.is_vietnamese(reply.json()["detail"][0]["msg"])


def test_a_bad_json_document_is_named_by_its_path(admin: httpx.Client) -> None:
    doc = ok(admin.get("/admin/catalogue"))
    bad = copy.deepcopy(doc)
    bad["agencies"][0]["fields"][1]["procedures"][0]["fee"] = -1
    bad["services"][0]["letter"] = "a"
    reply = admin.post("/admin/catalogue", json=bad)
    assert reply.status_code == 422
    problems = reply.json()["detail"]
    assert [p["loc"] for p in problems] == [
        ["body", "agencies", 0, "fields", 1, "procedures", 0, "fee"],
        ["body", "services", 0, "letter"],
    ]
    assert problems[0]["msg"].startswith("agencies[0].fields[1].procedures[0].fee: ")
    bad = copy.deepcopy(doc)
    bad["counters"][0]["service_codes"] = ["Z"]
    bad["agencies"][1]["code"] = bad["agencies"][0]["code"]
    problems = admin.post("/admin/catalogue", json=bad).json()["detail"]
    assert {tuple(p["loc"]) for p in problems} == {
        ("body", "agencies", 1, "code"),
        ("body", "counters", 0, "service_codes"),
    }


def test_a_json_change_is_counted_and_written(api: checks.Api, admin: httpx.Client) -> None:
    doc = ok(admin.get("/admin/catalogue"))
    doc["agencies"][0]["fields"][0]["procedures"][0]["fee"] = 123000
    doc["counters"][0]["service_codes"] = ["B", "A"]
    doc["centre"]["phone"] = "0210 3 999 999"
    counts = ok(admin.post("/admin/catalogue", json=doc, params={"dry_run": "false"}))
    assert counts["updated"] == {**NOTHING, "procedures": 1, "counters": 1, "centres": 1}
    code = doc["agencies"][0]["fields"][0]["procedures"][0]["code"]
    assert ok(api.client().get("/procedures", params={"q": code}))[0]["fee"] == 123000
    counter = next(
        c for c in ok(api.client().get("/counters")) if c["number"] == doc["counters"][0]["number"]
    )
    assert counter["service_ids"] == [api.services()["B"], api.services()["A"]]


def test_another_centres_catalogue_goes_to_that_centre(api: checks.Api, admin: httpx.Client) -> None:
    centre = ok(
        admin.post(
            "/admin/centres",
            json={
                "code": "PVHCC-XA-TANSON",
                "name": "Trung tâm Phục vụ hành chính công xã Tân Sơn",
                "agency_code": "000.00.26.H42",
            },
        ),
        201,
    )
    doc = ok(admin.get("/admin/catalogue"))
    counts = ok(admin.post("/admin/catalogue", json=doc, params={"centre_id": centre["id"]}))
    assert counts["created"] == {**NOTHING, "services": 6, "counters": 8}
    assert counts["unchanged"]["centres"] == 0  # the document's centre is another one
    mine = ok(admin.get("/admin/catalogue", params={"centre_id": centre["id"]}))
    assert mine["centre"]["code"] == "PVHCC-XA-TANSON"
    assert [c["number"] for c in mine["counters"]] == list(range(1, 9))
    assert len(ok(api.client().get("/services", params={"centre_id": centre["id"]}))) == 6
    assert admin.get("/admin/catalogue", params={"centre_id": 999999}).status_code == 404


def test_only_json_or_a_spreadsheet_is_accepted(admin: httpx.Client) -> None:
    reply = send(admin, b"ma,ten\nSTP,So Tu phap", "text/csv")
    assert reply.status_code == 415
    assert checks.is_vietnamese(reply.json()["detail"])
    assert admin.get("/admin/catalogue", params={"format": "csv"}).status_code == 422
