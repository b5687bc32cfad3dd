"""Many centres of one province on one server: a commune centre beside the provincial one."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx

from onestop.enums import DeviceKind, Role
from server import auth, seed
from server.db import open_database
from tests import live


def add_commune_centre(server: live.LiveServer) -> tuple[dict[str, Any], str]:
    """A second centre sharing the province's catalogue, with its own kiosk and officer."""
    data = copy.deepcopy(json.loads(seed.DEMO_CATALOGUE.read_text(encoding="utf-8")))
    data["centre"].update(code="PVHCC-XA-THANHSON", name="Trung tâm Phục vụ hành chính công xã Thanh Sơn")
    data["services"] = data["services"][:2]
    data["counters"] = [
        {"number": 1, "name": "Quầy số 1", "service_codes": [data["services"][0]["code"]]},
        {"number": 2, "name": "Quầy số 2", "service_codes": [data["services"][1]["code"]]},
    ]
    db = open_database(server.settings.resolved_database_url())
    try:
        with db.write() as session:
            centre = seed.load_catalogue(session, data)
            auth.create_user(
                session, username="canbo_xa", password=live.PASSWORD, role=Role.OFFICER, centre_id=centre.id
            )
            _, key = auth.create_device(session, name="kiosk-xa", kind=DeviceKind.KIOSK, centre_id=centre.id)
            ids = {"id": centre.id}
    finally:
        db.dispose()
    return ids, key


def ok(reply: httpx.Response, status: int = 200) -> Any:
    assert reply.status_code == status, reply.text
    return reply.json()


def test_each_centre_numbers_its_own_tickets_and_keeps_its_counters(server: live.LiveServer) -> None:
    commune, key = add_commune_centre(server)
    anonymous = server.client()
    centres = ok(anonymous.get("/centres"))
    assert [c["name"] for c in centres][1] == "Trung tâm Phục vụ hành chính công xã Thanh Sơn"
    # The catalogue is shared: the same procedures serve both centres.
    assert len(ok(anonymous.get("/procedures", params={"limit": 500}))) >= 40
    commune_services = ok(anonymous.get("/services", params={"centre_id": commune["id"]}))
    assert len(commune_services) == 2
    commune_counters = ok(anonymous.get("/counters", params={"centre_id": commune["id"]}))
    assert [c["number"] for c in commune_counters] == [1, 2]

    province_kiosk, commune_kiosk = server.device("kiosk-1"), server.client(key)
    assert ok(province_kiosk.post("/tickets", json={"service_id": 1}), 201)["number"] == "A001"
    first_commune = ok(commune_kiosk.post("/tickets", json={"service_id": commune_services[0]["id"]}), 201)
    assert first_commune["number"] == "A001"
    assert first_commune["centre_id"] == commune["id"]
    # A kiosk only issues for its own centre.
    assert commune_kiosk.post("/tickets", json={"service_id": 1}).status_code == 404

    officer = server.user("canbo_xa")
    assert officer.post("/counters/1/open").status_code == 403  # the provincial counter 1
    counter = ok(officer.post(f"/counters/{commune_counters[0]['id']}/open"))
    called = ok(officer.post(f"/counters/{counter['id']}/call-next"))
    assert called["id"] == first_commune["id"]

    # The provincial supervisor does not watch the commune's hall; the province's admin does.
    assert server.user("giamsat").get("/board", params={"centre_id": commune["id"]}).status_code == 403
    board = ok(server.user("admin").get("/board", params={"centre_id": commune["id"]}))
    assert board["centre"]["code"] == "PVHCC-XA-THANHSON"
    assert [c["current_ticket"]["number"] for c in board["counters"] if c["current_ticket"]] == ["A001"]
    province_board = ok(server.device("display-1").get("/board"))
    assert all(c["current_ticket"] is None for c in province_board["counters"])
