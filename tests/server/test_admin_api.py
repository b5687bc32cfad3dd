"""/api/v1/admin over real HTTP: every kind created, listed, changed and deleted; what is
refused (422 naming the field, 404, 409 with the reason, 403 for anyone but an admin)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from onestop import calendar
from server import models
from server.db import open_database
from tests import live
from tests.server import checks

Body = dict[str, Any]
WEEKDAY = dt.datetime(2026, 11, 25, 9, 0, tzinfo=calendar.VN_TZ)  # a Wednesday, office open


@pytest.fixture
def api(server: live.LiveServer) -> checks.Api:
    return checks.Api(server)


@pytest.fixture
def admin(api: checks.Api) -> httpx.Client:
    return api.user("admin")


def ok(reply: httpx.Response, status: int = 200) -> Any:
    assert reply.status_code == status, reply.text
    return reply.json() if status != 204 else None


def refused(reply: httpx.Response, status: int) -> Any:
    assert reply.status_code == status, reply.text
    detail = reply.json()["detail"]
    text = detail if isinstance(detail, str) else " ".join(item["msg"] for item in detail)
    assert checks.is_vietnamese(text), text
    return detail


def fields_named(reply: httpx.Response) -> list[str]:
    return [".".join(str(p) for p in item["loc"][1:]) for item in refused(reply, 422)]


# Per kind: a body to create, the change a PUT makes, and the id of an object the demo has.
KINDS: dict[str, tuple[Body, Body]] = {
    "centres": (
        {
            "code": "PVHCC-XA-HYCUONG",
            "name": "Trung tâm Phục vụ hành chính công xã Hy Cương",
            "short_name": "TTPVHCC Hy Cương",
            "address": "Xã Hy Cương, tỉnh Phú Thọ",
            "phone": "0210 3 860 000",
            "agency_code": "000.00.25.H42",
            "office_hours": "07:30-11:30,13:30-17:00",
            "no_show_after_calls": 3,
            "transfer_position": "back",
            "notice": "",
        },
        {"office_hours": "07:00-11:00", "transfer_position": "front", "no_show_after_calls": 2},
    ),
    "priority-groups": (
        {"code": "veteran", "name": "Cựu chiến binh"},
        {"name": "Cựu chiến binh, cựu quân nhân"},
    ),
    "agencies": (
        {"code": "BQLKCN", "name": "Ban Quản lý các khu công nghiệp", "id_code": "000.16.25.H42"},
        {"name": "Ban Quản lý các khu công nghiệp tỉnh Phú Thọ"},
    ),
    "fields": (
        {"agency_id": 1, "code": "STP-TGPL", "name": "Trợ giúp pháp lý"},
        {"name": "Trợ giúp pháp lý nhà nước"},
    ),
    "procedures": (
        {
            "field_id": 1,
            "code": "2.002165",
            "name": "Đăng ký hành nghề quản tài viên với tư cách cá nhân",
            "processing_days": 5,
            "fee": 0,
            "fee_note": None,
            "online_level": None,
            "sets": 1,
            "cutoff": None,
            "documents": [{"name": "Giấy đề nghị đăng ký hành nghề", "kind": "original", "copies": 1}],
        },
        {"processing_days": 0.5, "fee": 500000, "online_level": "mot_phan", "cutoff": "15:30"},
    ),
    "services": (
        {
            "centre_id": 1,
            "code": "K",
            "name": "Khu công nghiệp",
            "letter": "K",
            "number_width": 3,
            "priority_policy": "strict",
            "priority_every": 3,
            "default_service_minutes": 10,
            "active": True,
            "field_ids": [1, 2],
        },
        {"name": "Khu công nghiệp – Đầu tư", "letter": "KC", "field_ids": [2]},
    ),
    "counters": (
        {
            "centre_id": 1,
            "number": 12,
            "name": "Quầy số 12",
            "agency_id": 1,
            "display_address": 12,
            "service_ids": [2, 1],
        },
        {"name": "Quầy số 12 – Tư pháp", "service_ids": [1, 3, 2], "agency_id": None},
    ),
    "users": (
        {
            "username": "tiepnhan.12",
            "full_name": "Lê Thị Mai",
            "role": "officer",
            "centre_id": 1,
            "active": True,
            "password": "mat-khau-moi-1",
        },
        {"full_name": "Lê Thị Mai Anh", "role": "supervisor"},
    ),
    "devices": (
        {"name": "kiosk-tang-2", "kind": "kiosk", "centre_id": 1, "active": True},
        {"name": "kiosk-sanh-b", "active": False},
    ),
    "calendar": ({"day": "2026-09-01", "working": False, "note": "Nghỉ bù Quốc khánh"}, {"note": "Nghỉ"}),
}
READ_ONLY = {"counters": {"status", "officer_id"}, "devices": {"last_seen_at", "fault"}}


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_is_created_listed_changed_and_deleted(admin: httpx.Client, kind: str) -> None:
    create, change = KINDS[kind]
    made = ok(admin.post(f"/admin/{kind}", json=create), 201)
    expected = {k: v for k, v in create.items() if k != "password"}
    assert {k: made[k] for k in expected} == expected
    assert "password" not in made and "password_hash" not in made
    assert set(made) == set(expected) | {"id"} | READ_ONLY.get(kind, set()) | (
        {"key"} if kind == "devices" else set()
    )
    item_id = made["id"]
    listed = ok(admin.get(f"/admin/{kind}"))
    assert [item for item in listed if item["id"] == item_id] == [
        {k: v for k, v in made.items() if k != "key"}
    ]

    body = {**expected, **change}
    updated = ok(admin.put(f"/admin/{kind}/{item_id}", json=body))
    assert {k: updated[k] for k in body} == body
    assert ok(admin.get(f"/admin/{kind}/{item_id}")) == updated

    ok(admin.delete(f"/admin/{kind}/{item_id}"), 204)
    refused(admin.get(f"/admin/{kind}/{item_id}"), 404)
    assert item_id not in [item["id"] for item in ok(admin.get(f"/admin/{kind}"))]


def test_lists_are_in_a_sensible_order(admin: httpx.Client) -> None:
    codes = [a["code"] for a in ok(admin.get("/admin/agencies"))]
    assert codes == sorted(codes) and "STP" in codes
    assert [c["number"] for c in ok(admin.get("/admin/counters"))] == list(range(1, 9))
    names = [u["username"] for u in ok(admin.get("/admin/users"))]
    assert names == sorted(names)


def test_a_put_may_send_back_the_object_as_it_came(admin: httpx.Client) -> None:
    counter = ok(admin.get("/admin/counters/1"))
    again = ok(admin.put("/admin/counters/1", json={**counter, "name": "Quầy số 1 – Lý lịch tư pháp"}))
    assert again["name"] == "Quầy số 1 – Lý lịch tư pháp"
    assert again["service_ids"] == counter["service_ids"]


def test_a_procedure_is_found_under_its_new_name_and_its_fields_new_name(
    api: checks.Api, admin: httpx.Client
) -> None:
    procedure = ok(admin.get("/admin/procedures", params={})).pop(0)
    renamed = {**procedure, "name": "Thủ tục thử nghiệm đổi tên Hương Sơn"}
    ok(admin.put(f"/admin/procedures/{procedure['id']}", json=renamed))
    found = ok(api.client().get("/procedures", params={"q": "huong son"}))
    assert [p["id"] for p in found] == [procedure["id"]]
    field = ok(admin.get(f"/admin/fields/{procedure['field_id']}"))
    ok(admin.put(f"/admin/fields/{field['id']}", json={**field, "name": "Lĩnh vực Phù Ninh"}))
    found = ok(api.client().get("/procedures", params={"q": "phu ninh"}))
    assert procedure["id"] in [p["id"] for p in found]
    assert {p["field_name"] for p in found} == {"Lĩnh vực Phù Ninh"}


def test_a_service_made_inactive_leaves_the_kiosk_and_a_new_one_appears(
    api: checks.Api, admin: httpx.Client
) -> None:
    services = ok(admin.get("/admin/services"))
    first = services[0]
    ok(admin.put(f"/admin/services/{first['id']}", json={**first, "active": False}))
    ok(admin.post("/admin/services", json=KINDS["services"][0]), 201)
    public = {s["code"] for s in ok(api.client().get("/services"))}
    assert first["code"] not in public and "K" in public
    reply = api.device("kiosk-1").post("/tickets", json={"service_id": first["id"]})
    assert reply.status_code == 404


def test_a_new_priority_rule_applies_from_the_next_call(api: checks.Api, admin: httpx.Client) -> None:
    """Services' settings are cached for seconds; an administrator's change is not kept waiting."""
    service = ok(admin.get("/admin/services/1"))
    ok(admin.put("/admin/services/1", json={**service, "priority_policy": "strict"}))
    kiosk, officer = api.device("kiosk-1"), api.user("canbo1")
    issued = [
        ok(kiosk.post("/tickets", json={"service_id": 1, "priority_group": group}), 201)["number"]
        for group in (None, "elderly", None, "elderly")
    ]
    ok(officer.post("/counters/1/open"))
    first = ok(officer.post("/counters/1/call-next"))
    assert first["number"] == issued[1]  # strict: the priority ticket first
    ok(officer.post(f"/tickets/{first['id']}/start"))
    ok(officer.post(f"/tickets/{first['id']}/finish"))
    rule = {**service, "priority_policy": "one_in_n", "priority_every": 2}
    ok(admin.put("/admin/services/1", json=rule))
    # One priority after each two normal ones: a normal ticket now, not the other priority one.
    assert ok(officer.post("/counters/1/call-next"))["number"] == issued[0]


# ---------------------------------------------------------------- 422 naming the field


def _with(kind_name: str, /, **changes: Any) -> Body:
    return {**copy.deepcopy(KINDS[kind_name][0]), **changes}


BAD: list[tuple[str, Body, str]] = [
    ("centres", _with("centres", office_hours="17:00-07:30"), "office_hours"),
    ("centres", _with("centres", office_hours="sáng 7 giờ"), "office_hours"),
    ("centres", _with("centres", no_show_after_calls=11), "no_show_after_calls"),
    ("centres", _with("centres", transfer_position="middle"), "transfer_position"),
    ("centres", _with("centres", code=""), "code"),
    ("priority-groups", _with("priority-groups", code="x" * 33), "code"),
    ("agencies", _with("agencies", name="  "), "name"),
    ("fields", _with("fields", agency_id=999_999), "agency_id"),
    ("procedures", _with("procedures", field_id=999_999), "field_id"),
    ("procedures", _with("procedures", processing_days=-1), "processing_days"),
    ("procedures", _with("procedures", processing_days=1.255), "processing_days"),
    ("procedures", _with("procedures", processing_days=10_000), "processing_days"),
    ("procedures", _with("procedures", fee=-5), "fee"),
    ("procedures", _with("procedures", online_level="mot phan"), "online_level"),
    ("procedures", _with("procedures", cutoff="15h"), "cutoff"),
    ("procedures", _with("procedures", sets=0), "sets"),
    (
        "procedures",
        _with("procedures", documents=[{"name": "", "kind": "original", "copies": 1}]),
        "documents.0.name",
    ),
    (
        "procedures",
        _with("procedures", documents=[{"name": "Tờ khai", "kind": "scan", "copies": 1}]),
        "documents.0.kind",
    ),
    (
        "procedures",
        _with("procedures", documents=[{"name": "Tờ khai", "kind": "original", "copies": 0}]),
        "documents.0.copies",
    ),
    ("services", _with("services", letter="k"), "letter"),
    ("services", _with("services", letter="ABCDE"), "letter"),
    ("services", _with("services", number_width=6), "number_width"),
    ("services", _with("services", priority_policy="random"), "priority_policy"),
    ("services", _with("services", priority_every=21), "priority_every"),
    ("services", _with("services", default_service_minutes=0), "default_service_minutes"),
    ("services", _with("services", centre_id=999_999), "centre_id"),
    ("services", _with("services", field_ids=[1, 999_999]), "field_ids"),
    ("services", _with("services", code="x" * 17), "code"),
    ("counters", _with("counters", number=1000), "number"),
    ("counters", _with("counters", display_address=100), "display_address"),
    ("counters", _with("counters", agency_id=999_999), "agency_id"),
    ("counters", _with("counters", service_ids=[999_999]), "service_ids"),
    ("counters", _with("counters", service_ids=[1, 1]), "service_ids"),
    ("users", _with("users", username="Le Mai"), "username"),
    ("users", _with("users", username="ab"), "username"),
    ("users", _with("users", password="ngan"), "password"),
    ("users", {k: v for k, v in KINDS["users"][0].items() if k != "password"}, "password"),
    ("users", _with("users", role="root"), "role"),
    ("users", _with("users", centre_id=999_999), "centre_id"),
    ("devices", _with("devices", kind="printer"), "kind"),
    ("devices", _with("devices", centre_id=999_999), "centre_id"),
    ("calendar", _with("calendar", day="01/09/2026"), "day"),
    ("calendar", _with("calendar", day="2026-02-30"), "day"),
    ("calendar", {"day": "2026-09-01"}, "working"),
    ("agencies", {**KINDS["agencies"][0], "colour": "xanh"}, "colour"),
]


@pytest.mark.parametrize(("kind", "body", "field"), BAD, ids=[f"{k}-{f}" for k, _, f in BAD])
def test_a_bad_value_is_a_422_naming_its_field(
    admin: httpx.Client, kind: str, body: Body, field: str
) -> None:
    assert field in fields_named(admin.post(f"/admin/{kind}", json=body))
    assert ok(admin.get(f"/admin/{kind}")) == ok(admin.get(f"/admin/{kind}"))  # and nothing was made


def test_a_counter_may_call_only_its_own_centres_services(admin: httpx.Client) -> None:
    centre = ok(admin.post("/admin/centres", json=KINDS["centres"][0]), 201)
    service = ok(admin.post("/admin/services", json={**KINDS["services"][0], "centre_id": centre["id"]}), 201)
    body = {**KINDS["counters"][0], "service_ids": [1, service["id"]]}
    assert fields_named(admin.post("/admin/counters", json=body)) == ["service_ids"]
    # The same code in another centre is fine; in the same centre it is not.
    ok(admin.post("/admin/services", json=KINDS["services"][0]), 201)


def test_a_body_that_is_not_json_or_not_an_object_is_a_422(admin: httpx.Client) -> None:
    reply = admin.post(
        "/admin/agencies", content=b'{"code": "X",', headers={"Content-Type": "application/json"}
    )
    refused(reply, 422)
    refused(admin.post("/admin/agencies", json=["STP"]), 422)
    refused(admin.post("/admin/agencies"), 422)


# ---------------------------------------------------------------- 404


@pytest.mark.parametrize(
    "path",
    [
        "/admin/printers",
        "/admin/printers/1",
        "/admin/agencies/999999",
        "/admin/agencies/abc",
        "/admin/agencies/99999999999999999999",
        "/admin/calendar/2026-12-31",
        "/admin/calendar/31-12-2026",
    ],
)
def test_unknown_kind_or_id_is_a_404(admin: httpx.Client, path: str) -> None:
    refused(admin.get(path), 404)
    if path.count("/") == 3:  # an object's URL
        refused(admin.put(path, json={}), 404)
        refused(admin.delete(path), 404)
    else:
        refused(admin.post(path, json={}), 404)


def test_new_key_for_an_unknown_device_is_a_404(admin: httpx.Client) -> None:
    refused(admin.post("/admin/devices/999999/new-key"), 404)


# ---------------------------------------------------------------- 409


DUPLICATES: list[tuple[str, Body, str]] = [
    ("centres", _with("centres", code="PVHCC-PT"), "PVHCC-PT"),
    ("priority-groups", _with("priority-groups", code="elderly"), "elderly"),
    ("agencies", _with("agencies", code="STP"), "STP"),
    ("fields", _with("fields", code="STP-HT"), "STP-HT"),
    ("procedures", _with("procedures", code="1.001234"), "1.001234"),
    ("services", _with("services", code="A"), "«A»"),
    ("counters", _with("counters", number=1), "Quầy số 1"),
    ("users", _with("users", username="canbo1"), "canbo1"),
    ("devices", _with("devices", name="kiosk-1"), "kiosk-1"),
]


@pytest.mark.parametrize(("kind", "body", "named"), DUPLICATES, ids=[d[0] for d in DUPLICATES])
def test_a_taken_code_is_a_409_naming_it(admin: httpx.Client, kind: str, body: Body, named: str) -> None:
    assert named in refused(admin.post(f"/admin/{kind}", json=body), 409)


def test_a_taken_code_on_update_and_a_day_twice_are_409(admin: httpx.Client) -> None:
    agency = ok(admin.post("/admin/agencies", json=KINDS["agencies"][0]), 201)
    assert "STP" in refused(admin.put(f"/admin/agencies/{agency['id']}", json={**agency, "code": "STP"}), 409)
    ok(admin.post("/admin/calendar", json=KINDS["calendar"][0]), 201)
    assert "01/09/2026" in refused(admin.post("/admin/calendar", json=KINDS["calendar"][0]), 409)


def _served_ticket(api: checks.Api, server: live.LiveServer) -> None:
    """canbo1 serves one A ticket at counter 1 (which stays open)."""
    server.clock.set(WEEKDAY)
    officer = api.user("canbo1")
    ticket = ok(api.device("kiosk-1").post("/tickets", json={"service_id": api.services()["A"]}), 201)
    ok(officer.post(f"/counters/{api.counters()[1]}/open"))
    ok(officer.post(f"/counters/{api.counters()[1]}/call-next"))
    ok(officer.post(f"/tickets/{ticket['id']}/start"))
    ok(officer.post(f"/tickets/{ticket['id']}/finish"))


def test_what_is_in_use_cannot_be_deleted(
    api: checks.Api, server: live.LiveServer, admin: httpx.Client
) -> None:
    _served_ticket(api, server)
    users = {u["username"]: u["id"] for u in ok(admin.get("/admin/users"))}
    agencies = {a["code"]: a["id"] for a in ok(admin.get("/admin/agencies"))}
    fields = {f["code"]: f["id"] for f in ok(admin.get("/admin/fields"))}
    service_a = api.services()["A"]

    assert "ngừng sử dụng (active = false) thay vì xoá" in refused(
        admin.delete(f"/admin/services/{service_a}"), 409
    )
    assert "ngừng sử dụng (active = false) thay vì xoá" in refused(
        admin.delete(f"/admin/users/{users['canbo1']}"), 409
    )
    assert "ngừng sử dụng (active = false) thay vì xoá" in refused(admin.delete("/admin/devices/1"), 409)
    assert "lĩnh vực" in refused(admin.delete(f"/admin/agencies/{agencies['STP']}"), 409)
    assert "thủ tục" in refused(admin.delete(f"/admin/fields/{fields['STP-HT']}"), 409)
    assert "đang mở" in refused(admin.delete(f"/admin/counters/{api.counters()[1]}"), 409)
    assert "còn" in refused(admin.delete("/admin/centres/1"), 409)
    # Still all there.
    assert ok(admin.get(f"/admin/services/{service_a}"))["code"] == "A"
    assert ok(admin.get(f"/admin/users/{users['canbo1']}"))["active"] is True


def test_a_procedure_with_dossiers_cannot_be_deleted(
    api: checks.Api, server: live.LiveServer, admin: httpx.Client
) -> None:
    server.clock.set(WEEKDAY)
    procedure = ok(admin.get("/admin/procedures"))[0]
    dossier = {**checks.DOSSIER, "procedure_id": procedure["id"]}
    reply = api.user("canbo1").post("/dossiers", json=dossier, headers={"Idempotency-Key": uuid.uuid4().hex})
    ok(reply, 201)
    assert "hồ sơ" in refused(admin.delete(f"/admin/procedures/{procedure['id']}"), 409)


def test_an_unused_service_goes_and_its_counters_stop_calling_it(
    api: checks.Api, admin: httpx.Client
) -> None:
    service = ok(admin.post("/admin/services", json=KINDS["services"][0]), 201)
    counter = ok(admin.get("/admin/counters/1"))
    ok(
        admin.put(
            "/admin/counters/1", json={**counter, "service_ids": [*counter["service_ids"], service["id"]]}
        )
    )
    ok(admin.delete(f"/admin/services/{service['id']}"), 204)
    assert ok(admin.get("/admin/counters/1"))["service_ids"] == counter["service_ids"]


# ---------------------------------------------------------------- who may


@pytest.mark.parametrize("who", ["giamsat", "canbo1", "kiosk-1", "display-1"])
def test_only_an_admin_may(api: checks.Api, who: str) -> None:
    client = api.device(who) if "-" in who else api.user(who)
    refused(client.get("/admin/agencies"), 403)
    refused(client.get("/admin/agencies/1"), 403)
    refused(client.post("/admin/agencies", json=KINDS["agencies"][0]), 403)
    refused(client.put("/admin/agencies/1", json=KINDS["agencies"][0]), 403)
    refused(client.delete("/admin/agencies/1"), 403)
    refused(client.get("/admin/catalogue"), 403)
    refused(client.post("/admin/catalogue", json={}), 403)
    refused(client.post("/admin/devices/1/new-key"), 403)


def test_nobody_signed_in_is_a_401(api: checks.Api) -> None:
    assert api.client().get("/admin/users").status_code == 401
    assert (
        api.client()
        .post("/admin/users", content=b"{", headers={"Content-Type": "application/json"})
        .status_code
        == 401
    )


# ---------------------------------------------------------------- accounts and keys


def test_a_user_made_inactive_loses_access_at_once(
    api: checks.Api, server: live.LiveServer, admin: httpx.Client
) -> None:
    officer = api.user("canbo2")
    assert officer.get("/board").status_code == 200  # its token is now cached
    user = next(u for u in ok(admin.get("/admin/users")) if u["username"] == "canbo2")
    ok(admin.put(f"/admin/users/{user['id']}", json={**user, "active": False}))
    assert officer.get("/board").status_code == 401
    login = api.client().post("/auth/login", json={"username": "canbo2", "password": live.PASSWORD})
    assert login.status_code == 401
    ok(admin.put(f"/admin/users/{user['id']}", json={**user, "active": True}))
    assert officer.get("/board").status_code == 401  # the old token stays gone
    assert api.user("canbo2").get("/board").status_code == 200


def test_a_new_password_works_and_the_old_one_does_not(api: checks.Api, admin: httpx.Client) -> None:
    user = next(u for u in ok(admin.get("/admin/users")) if u["username"] == "canbo3")
    ok(admin.put(f"/admin/users/{user['id']}", json={**user, "password": "mat-khau-moi-2026"}))
    client = api.client()
    assert (
        client.post("/auth/login", json={"username": "canbo3", "password": live.PASSWORD}).status_code == 401
    )
    assert (
        client.post("/auth/login", json={"username": "canbo3", "password": "mat-khau-moi-2026"}).status_code
        == 200
    )


def test_the_last_active_admin_stays(api: checks.Api, admin: httpx.Client) -> None:
    me = next(u for u in ok(admin.get("/admin/users")) if u["username"] == "admin")
    assert "quản trị cuối cùng" in refused(
        admin.put(f"/admin/users/{me['id']}", json={**me, "role": "officer"}), 409
    )
    assert "quản trị cuối cùng" in refused(
        admin.put(f"/admin/users/{me['id']}", json={**me, "active": False}), 409
    )
    assert "quản trị cuối cùng" in refused(admin.delete(f"/admin/users/{me['id']}"), 409)
    second = ok(admin.post("/admin/users", json={**KINDS["users"][0], "role": "admin"}), 201)
    ok(admin.put(f"/admin/users/{second['id']}", json={**second, "active": False}))
    refused(
        admin.put(f"/admin/users/{me['id']}", json={**me, "role": "officer"}), 409
    )  # the other is inactive
    ok(admin.put(f"/admin/users/{second['id']}", json={**second, "active": True}))
    assert (
        ok(admin.put(f"/admin/users/{me['id']}", json={**me, "role": "supervisor"}))["role"] == "supervisor"
    )


def test_a_device_gets_a_new_key_and_the_old_one_stops(
    api: checks.Api, server: live.LiveServer, admin: httpx.Client
) -> None:
    old = api.device("kiosk-2")
    assert old.get("/services").status_code == 200
    device = next(d for d in ok(admin.get("/admin/devices")) if d["name"] == "kiosk-2")
    reply = ok(admin.post(f"/admin/devices/{device['id']}/new-key"))
    assert reply["key"].startswith("qmsd_") and reply["name"] == "kiosk-2"
    assert old.post("/devices/status", json={"fault": None}).status_code == 401
    assert api.client(reply["key"]).post("/devices/status", json={"fault": None}).status_code == 200


def test_a_new_device_works_with_the_key_shown_once(api: checks.Api, admin: httpx.Client) -> None:
    made = ok(admin.post("/admin/devices", json=KINDS["devices"][0]), 201)
    assert api.client(made["key"]).post("/devices/status", json={"fault": "Hết giấy"}).status_code == 200
    shown = ok(admin.get(f"/admin/devices/{made['id']}"))
    assert "key" not in shown and shown["fault"] == "Hết giấy" and shown["last_seen_at"]
    ok(admin.put(f"/admin/devices/{made['id']}", json={**KINDS["devices"][0], "active": False}))
    assert api.client(made["key"]).post("/devices/status", json={"fault": None}).status_code == 401


# ---------------------------------------------------------------- audit and events


def _events(server: live.LiveServer, after: int) -> list[dict[str, Any]]:
    """The catalogue.changed events after an id, read from the live stream until it is caught up."""
    found = []
    with server.device("display-1").stream("GET", "/events", params={"after": after}, timeout=15) as reply:
        for line in reply.iter_lines():
            if line.startswith("data:"):
                event = json.loads(line.removeprefix("data:"))
                if event["type"] == "catalogue.changed":
                    found.append(event)
            elif line.startswith(": connected"):
                break
    return found


def _audit(server: live.LiveServer) -> list[tuple[str, str, str]]:
    db = open_database(server.settings.resolved_database_url())
    try:
        with db.read() as session:
            rows = session.scalars(
                sa.select(models.AuditEntry)
                .where(models.AuditEntry.action.like("admin.%"))
                .order_by(models.AuditEntry.id)
            )
            return [(r.actor, r.action, r.target) for r in rows]
    finally:
        db.dispose()


def test_every_write_is_audited_and_announced(server: live.LiveServer, admin: httpx.Client) -> None:
    made = ok(admin.post("/admin/agencies", json=KINDS["agencies"][0]), 201)
    ok(admin.put(f"/admin/agencies/{made['id']}", json={**KINDS["agencies"][0], "name": "Ban Quản lý KCN"}))
    ok(admin.delete(f"/admin/agencies/{made['id']}"), 204)
    day = ok(admin.post("/admin/calendar", json=KINDS["calendar"][0]), 201)
    service = ok(
        admin.put("/admin/services/1", json={**ok(admin.get("/admin/services/1")), "name": "Tư pháp"})
    )
    target = f"agencies:{made['id']}"
    assert _audit(server) == [
        ("user:admin", "admin.create", target),
        ("user:admin", "admin.update", target),
        ("user:admin", "admin.delete", target),
        ("user:admin", "admin.create", "calendar:2026-09-01"),
        ("user:admin", "admin.update", "services:1"),
    ]
    payloads = [(e["payload"], e["centre_id"], e["service_id"]) for e in _events(server, 0)]
    assert payloads == [
        ({"kind": "agencies", "id": made["id"]}, None, None),
        ({"kind": "agencies", "id": made["id"]}, None, None),
        ({"kind": "agencies", "id": made["id"]}, None, None),
        ({"kind": "calendar", "id": day["id"]}, None, None),
        ({"kind": "services", "id": service["id"]}, 1, 1),
    ]


def test_reads_are_not_announced(server: live.LiveServer, admin: httpx.Client) -> None:
    for kind in KINDS:
        ok(admin.get(f"/admin/{kind}"))
    ok(admin.get("/admin/catalogue"))
    assert _events(server, 0) == []
    assert _audit(server) == []
