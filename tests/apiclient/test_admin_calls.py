"""apiclient's admin calls against a live server: the shapes the admin screens rely on, and
the server's refusals as the onestop errors the screens catch."""

from __future__ import annotations

import io
import json
import pathlib

import openpyxl
import pytest

from apiclient import errors
from onestop import errors as domain
from tests import live
from tests.apiclient.conftest import Clients

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SAMPLE = pathlib.Path(__file__).parent.parent / "server" / "data" / "catalogue-sample.xlsx"
AGENCY = {
    "code": "BQLKCN",
    "name": "Ban Quản lý các khu công nghiệp tỉnh Phú Thọ",
    "id_code": "000.16.25.H42",
}


def test_create_list_get_update_delete(clients: Clients) -> None:
    api = clients.officer("admin")
    made = api.admin_create("agencies", AGENCY)
    assert made == {"id": made["id"], **AGENCY}
    assert made in api.admin_list("agencies")
    assert api.admin_get("agencies", made["id"]) == made
    changed = api.admin_update("agencies", made["id"], {**AGENCY, "name": "Ban Quản lý KCN"})
    assert changed["name"] == "Ban Quản lý KCN"
    api.admin_delete("agencies", made["id"])
    with pytest.raises(domain.NotFound):
        api.admin_get("agencies", made["id"])


def test_calendar_days_are_their_own_ids(clients: Clients) -> None:
    api = clients.officer("admin")
    day = api.admin_create("calendar", {"day": "2026-08-22", "working": True, "note": "Làm bù"})
    assert day["id"] == "2026-08-22"
    assert (
        api.admin_update("calendar", "2026-08-22", {**day, "note": "Thứ Bảy làm bù"})["note"]
        == "Thứ Bảy làm bù"
    )
    api.admin_delete("calendar", "2026-08-22")
    assert api.admin_list("calendar") == []


def test_refusals_are_onestop_errors(clients: Clients) -> None:
    api = clients.officer("admin")
    with pytest.raises(errors.InvalidRequest) as bad:
        api.admin_create("services", {"centre_id": 1, "code": "K", "name": "Khu công nghiệp", "letter": "k"})
    assert bad.value.field == "letter"
    with pytest.raises(domain.IllegalTransition) as taken:
        api.admin_create("agencies", {**AGENCY, "code": "STP"})
    assert "STP" in taken.value.message
    with pytest.raises(domain.IllegalTransition, match="lĩnh vực"):
        api.admin_delete("agencies", 1)
    with pytest.raises(domain.NotFound):
        api.admin_list("printers")
    with pytest.raises(domain.Forbidden):
        clients.officer("giamsat").admin_list("users")


def test_a_device_key_is_shown_on_creation_and_replaced(clients: Clients) -> None:
    api = clients.officer("admin")
    device = api.admin_create(
        "devices", {"name": "display-sanh", "kind": "display", "centre_id": 1, "active": True}
    )
    board = clients.anonymous(secret=device["key"])
    assert board.report_device_status(None)["name"] == "display-sanh"
    renewed = api.admin_new_device_key(device["id"])
    assert renewed["key"] != device["key"] and renewed["id"] == device["id"]
    with pytest.raises(errors.Unauthorized):
        board.report_device_status(None)


def test_the_catalogue_goes_out_and_back_in(clients: Clients) -> None:
    api = clients.officer("admin")
    document = api.export_catalogue(None, "json")
    assert json.loads(document)["centre"]["code"] == "PVHCC-PT"
    reply = api.import_catalogue(document, "application/json", centre_id=None, dry_run=False)
    assert not any(reply["created"].values()) and not any(reply["updated"].values())
    sheet = api.export_catalogue(1, "xlsx")
    assert "Thủ tục" in openpyxl.load_workbook(io.BytesIO(sheet)).sheetnames
    reply = api.import_catalogue(sheet, XLSX, centre_id=1, dry_run=True)
    assert reply["dry_run"] is True and not any(reply["updated"].values())


def test_a_sample_import_and_its_problems(clients: Clients, server: live.LiveServer) -> None:
    api = clients.officer("admin")
    tried = api.import_catalogue(SAMPLE.read_bytes(), XLSX, centre_id=None, dry_run=True)
    assert tried["created"]["procedures"] == 6
    assert "BQLKCN" not in {a["code"] for a in api.admin_list("agencies")}
    book = openpyxl.load_workbook(SAMPLE)
    book["Quầy"]["A2"].value = "chín"
    data = io.BytesIO()
    book.save(data)
    with pytest.raises(errors.InvalidRequest) as bad:
        api.import_catalogue(data.getvalue(), XLSX, centre_id=None, dry_run=False)
    assert bad.value.field == "Quầy.2.Số quầy"
    assert bad.value.message.startswith("Trang «Quầy», dòng 2, cột «Số quầy»: ")
    done = api.import_catalogue(SAMPLE.read_bytes(), XLSX, centre_id=None, dry_run=False)
    assert done["created"]["counters"] == 1
