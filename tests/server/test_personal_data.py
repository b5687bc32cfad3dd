"""Citizens' personal data kept only while it serves, and given out or erased on request
(server/personal_data.py, `qms-server personal-data`), in every centre of the province."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import uuid
from typing import Any

import httpx
import sqlalchemy as sa

from onestop import calendar
from server import models, personal_data
from server.db import open_database
from tests import live
from tests.server import checks
from tests.server.test_centres import add_commune_centre
from tests.server.test_cli import qms_server

PERSON = "025085001789"  # the one who asks
OTHER = "001090012345"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=calendar.VN_TZ)


def ok(reply: httpx.Response, status: int = 200) -> Any:
    assert reply.status_code == status, reply.text
    return reply.json() if reply.content else None


def take_in(officer: httpx.Client, id_number: str, **extra: Any) -> dict[str, Any]:
    applicant = checks.DOSSIER["applicant"] | {"id_number": id_number, "email": "an@example.vn"}
    body = checks.DOSSIER | {"applicant": applicant} | extra
    return dict(ok(officer.post("/dossiers", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}), 201))


def hand_back(officer: httpx.Client, code: str) -> None:
    ok(officer.post(f"/dossiers/{code}/ready"))
    ok(officer.post(f"/dossiers/{code}/return", json={"returned_to": "Nguyễn Văn An"}))


def purge(server: live.LiveServer) -> personal_data.Purged:
    db = open_database(server.settings.resolved_database_url())
    try:
        return personal_data.purge(db, now=server.clock(), days=server.settings.retention_days)
    finally:
        db.dispose()


def events(server: live.LiveServer) -> int:
    db = open_database(server.settings.resolved_database_url())
    try:
        with db.read() as session:
            return int(session.scalar(sa.select(sa.func.count()).select_from(models.Event)) or 0)
    finally:
        db.dispose()


def test_what_has_served_its_time_is_forgotten_in_every_centre(server: live.LiveServer) -> None:
    commune, commune_key = add_commune_centre(server)
    officer, commune_officer = server.user("canbo1"), server.user("canbo_xa")
    server.clock.set(at("2026-11-02T10:00"))
    kiosk = server.device("kiosk-1")
    old_ticket = ok(kiosk.post("/tickets", json={"service_id": 1}), 201)
    ok(kiosk.post(f"/tickets/{old_ticket['id']}/cancel", json={"reason": "Bà Lan gọi điện xin hủy"}))
    commune_service = server.client().get("/services", params={"centre_id": commune["id"]}).json()[0]["id"]
    commune_ticket = ok(
        server.client(commune_key).post("/tickets", json={"service_id": commune_service}), 201
    )
    returned = take_in(officer, PERSON)
    hand_back(officer, returned["code"])
    refused = take_in(commune_officer, OTHER, procedure_id=1)
    ok(
        commune_officer.post(
            f"/dossiers/{refused['code']}/refuse", json={"reason": "Không thuộc thẩm quyền."}
        )
    )
    still_open = take_in(officer, OTHER)

    server.clock.set(at("2026-12-21T09:00"))  # seven weeks on: past every due time of November
    officer, commune_officer = server.user("canbo1"), server.user("canbo_xa")  # new day, new sign-in
    today = ok(kiosk.post("/tickets", json={"service_id": 1}), 201)
    before = events(server)
    done = purge(server)
    assert (done.tickets, done.dossiers) == (2, 2)
    assert done.events == before - 1  # a week's events at most; the newest always stays

    page = httpx.get(f"{server.base_url}/tra-cuu/so/{old_ticket['public_token']}")
    assert page.status_code == 404
    assert httpx.get(f"{server.base_url}/tra-cuu/so/{commune_ticket['public_token']}").status_code == 404
    assert httpx.get(f"{server.base_url}/tra-cuu/so/{today['public_token']}").status_code == 200
    db = open_database(server.settings.resolved_database_url())
    try:
        with db.read() as session:
            assert session.get_one(models.Ticket, old_ticket["id"]).cancel_reason is None
    finally:
        db.dispose()

    for reader, code in ((officer, returned["code"]), (commune_officer, refused["code"])):
        applicant = ok(reader.get(f"/dossiers/{code}"))["applicant"]
        assert "phone" not in applicant and "email" not in applicant
        assert applicant["full_name"] == "Nguyễn Văn An"  # the record itself is kept
    assert ok(officer.get(f"/dossiers/{still_open['code']}"))["applicant"]["phone"] == "0912345678"
    assert purge(server) == personal_data.Purged(tickets=0, dossiers=0, events=0)


def test_a_person_gets_everything_held_about_them_then_has_it_erased(
    server: live.LiveServer, tmp_path: pathlib.Path
) -> None:
    add_commune_centre(server)
    officer, commune_officer = server.user("canbo1"), server.user("canbo_xa")
    mine = take_in(officer, PERSON)
    theirs = take_in(commune_officer, PERSON, procedure_id=1)
    on_behalf = take_in(officer, OTHER, representative={"full_name": "Trần Văn Bình", "id_number": PERSON})
    someone_else = take_in(officer, OTHER)
    url, data_dir = server.settings.resolved_database_url(), tmp_path / "cli"

    target = tmp_path / "du-lieu.json"
    exported = qms_server(
        "personal-data",
        "export",
        "--id-number",
        PERSON,
        "--to",
        str(target),
        database_url=url,
        data_dir=data_dir,
    )
    assert exported.returncode == 0, exported.stderr
    assert target.stat().st_mode & 0o077 == 0
    found = json.loads(target.read_text(encoding="utf-8"))
    assert [d["code"] for d in found["dossiers"]] == [mine["code"], theirs["code"], on_behalf["code"]]
    assert found["dossiers"][1]["centre"] == "Trung tâm Phục vụ hành chính công xã Thanh Sơn"
    assert found["dossiers"][0]["history"][0]["action_name"] == "Tiếp nhận hồ sơ"
    assert someone_else["code"] not in target.read_text(encoding="utf-8")

    unconfirmed = qms_server(
        "personal-data", "erase", "--id-number", PERSON, database_url=url, data_dir=data_dir
    )
    assert unconfirmed.returncode == 2
    assert "--yes" in unconfirmed.stderr
    busy = qms_server(
        "personal-data", "erase", "--id-number", PERSON, "--yes", database_url=url, data_dir=data_dir
    )
    assert busy.returncode == 1
    assert mine["code"] in busy.stderr
    assert "đang giải quyết" in busy.stderr
    hand_back(officer, mine["code"])
    hand_back(commune_officer, theirs["code"])
    hand_back(officer, on_behalf["code"])
    erased = qms_server(
        "personal-data", "erase", "--id-number", PERSON, "--yes", database_url=url, data_dir=data_dir
    )
    assert erased.returncode == 0, erased.stderr
    assert "khỏi 3 hồ sơ" in erased.stdout
    assert PERSON not in erased.stdout + erased.stderr  # the number is shown masked

    gone = ok(officer.get(f"/dossiers/{mine['code']}"))
    assert gone["applicant"] == {"kind": "person", "full_name": "(đã xóa theo yêu cầu)", "id_number": ""}
    assert gone["returned_to"] is None
    assert gone["status"] == "returned"  # the centre's record stays
    returned_step = [
        s for s in ok(officer.get(f"/dossiers/{mine['code']}/history")) if s["action"] == "returned"
    ]
    assert returned_step[0]["note"] is None
    represented = ok(officer.get(f"/dossiers/{on_behalf['code']}"))
    assert represented["representative"] is None
    assert represented["applicant"]["id_number"] == OTHER  # someone else's data is theirs
    again = qms_server("personal-data", "export", "--id-number", PERSON, database_url=url, data_dir=data_dir)
    assert json.loads(again.stdout)["dossiers"] == []
