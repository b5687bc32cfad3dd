"""Agency and centre codes against their grammar (onestop.dossier) on every way in: the admin
API, the catalogue as JSON and as a spreadsheet. An agency id code heads its dossiers' codes,
which are path segments of the API and file names at the counter: a "/" in it made every
dossier of the agency a 404 and sent the counter's receipts out of their folder."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import httpx
import pytest

from tests import live
from tests.server import checks
from tests.server.checks import DOSSIER
from tests.server.test_catalogue_io import XLSX, saved, send, workbook

BAD_AGENCY_CODES = ["000.18/25.H42", "../../000.18.25.H42", "000.18.25.H42/x", "000..25.H42", "Sở Tư pháp"]


@pytest.fixture
def admin(server: live.LiveServer) -> httpx.Client:
    return server.user("admin")


def problems(reply: httpx.Response) -> list[dict[str, Any]]:
    assert reply.status_code == 422, reply.text
    detail: list[dict[str, Any]] = reply.json()["detail"]
    assert all(checks.is_vietnamese(item["msg"]) for item in detail), detail
    return detail


def locs(reply: httpx.Response) -> list[list[Any]]:
    return [item["loc"] for item in problems(reply)]


@pytest.mark.parametrize("bad", BAD_AGENCY_CODES)
def test_an_agency_id_code_off_the_grammar_is_a_422_on_id_code(admin: httpx.Client, bad: str) -> None:
    before = admin.get("/admin/agencies").json()
    body = {"code": "BQLKCN", "name": "Ban Quản lý các khu công nghiệp", "id_code": bad}
    assert locs(admin.post("/admin/agencies", json=body)) == [["body", "id_code"]]
    agency = before[0]
    changed = {k: v for k, v in agency.items() if k != "id"} | {"id_code": bad}
    assert locs(admin.put(f"/admin/agencies/{agency['id']}", json=changed)) == [["body", "id_code"]]
    assert admin.get("/admin/agencies").json() == before


def test_a_good_id_code_is_kept_in_capitals_and_its_dossiers_are_reachable(
    server: live.LiveServer, admin: httpx.Client
) -> None:
    agency = admin.post(
        "/admin/agencies", json={"code": "BQLKCN", "name": "Ban Quản lý KCN", "id_code": " 000.16.25.h42 "}
    )
    assert agency.status_code == 201, agency.text
    assert agency.json()["id_code"] == "000.16.25.H42"
    assert admin.post("/admin/agencies", json={"code": "KHAC", "name": "Cơ quan khác"}).status_code == 201
    field = admin.post(
        "/admin/fields", json={"agency_id": agency.json()["id"], "code": "KCN-DT", "name": "Đầu tư"}
    )
    assert field.status_code == 201, field.text
    procedure = admin.post(
        "/admin/procedures",
        json={
            "field_id": field.json()["id"],
            "code": "2.000001",
            "name": "Cấp giấy chứng nhận",
            "processing_days": 5,
        },
    )
    assert procedure.status_code == 201, procedure.text
    officer = server.user("canbo1")
    body = {**DOSSIER, "procedure_id": procedure.json()["id"]}
    made = officer.post("/dossiers", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert made.status_code == 201, made.text
    code = made.json()["code"]
    assert code.startswith("000.16.25.H42-")
    assert officer.get(f"/dossiers/{code}").status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "PVHCC/XA"}, "code"),
        ({"code": "../PVHCC"}, "code"),
        ({"code": ".an"}, "code"),
        ({"code": "PVHCC XA"}, "code"),
        ({"agency_code": "000.00/25.H42"}, "agency_code"),
        ({"agency_code": "X"}, "agency_code"),
    ],
)
def test_a_centre_code_or_agency_code_off_the_grammar_is_a_422_on_it(
    admin: httpx.Client, change: dict[str, str], field: str
) -> None:
    body = {"code": "PVHCC-XA-HYCUONG", "name": "Trung tâm xã Hy Cương", "agency_code": "000.00.25.H42"}
    assert locs(admin.post("/admin/centres", json=body | change)) == [["body", field]]
    centre = admin.get("/admin/centres").json()[0]
    same = {k: v for k, v in centre.items() if k != "id"} | change
    assert locs(admin.put(f"/admin/centres/{centre['id']}", json=same)) == [["body", field]]


def test_the_catalogue_as_json_refuses_bad_codes_naming_each(admin: httpx.Client) -> None:
    doc = admin.get("/admin/catalogue").json()
    before = copy.deepcopy(doc)
    doc["centre"]["code"] = "PVHCC/PT"
    doc["centre"]["agency_code"] = "000.00.25.H42/.."
    doc["agencies"][1]["id_code"] = "000.21/25.H42"
    assert sorted(locs(admin.post("/admin/catalogue", json=doc))) == [
        ["body", "agencies", 1, "id_code"],
        ["body", "centre", "agency_code"],
        ["body", "centre", "code"],
    ]
    assert admin.get("/admin/catalogue").json() == before


def test_the_catalogue_as_a_spreadsheet_refuses_a_bad_id_code_naming_its_cell(admin: httpx.Client) -> None:
    before = admin.get("/admin/catalogue").json()
    book = workbook(admin.get("/admin/catalogue", params={"format": "xlsx"}).content)
    sheet = book["Cơ quan"]
    column = [cell.value for cell in sheet[1]].index("Mã định danh")
    sheet.cell(3, column + 1).value = "000.21.25.H42/../x"
    (problem,) = problems(send(admin, saved(book), XLSX))
    assert (problem["sheet"], problem["row"], problem["column"]) == ("Cơ quan", 3, "Mã định danh")
    assert problem["msg"].startswith("Trang «Cơ quan», dòng 3, cột «Mã định danh»: Mã định danh")
    assert admin.get("/admin/catalogue").json() == before
