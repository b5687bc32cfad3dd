"""Bodies built to hurt: JSON nested beyond any parser's stack, numbers and yes/no sent as
text or booleans, and device fault text full of control characters."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests import live
from tests.server import checks
from tests.server.checks import DOSSIER

DEEP = 100_000


def deep_json(depth: int = DEEP) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def deep_list(depth: int = DEEP) -> bytes:
    return b"[" * depth + b"]" * depth


# (who, method, path, extra headers): admin routes read the body themselves (routes_admin._json),
# the others through FastAPI; dossier intake also has its Idempotency-Key header.
ROUTES: list[tuple[str, str, str, dict[str, str]]] = [
    ("admin", "POST", "/admin/agencies", {}),
    ("admin", "PUT", "/admin/agencies/1", {}),
    ("admin", "POST", "/admin/catalogue", {}),
    ("kiosk-1", "POST", "/tickets", {}),
    ("canbo1", "POST", "/dossiers", {"Idempotency-Key": "deep-json-0001"}),
    ("anonymous", "POST", "/auth/login", {}),
    ("kiosk-1", "POST", "/devices/status", {}),
]


def client_for(server: live.LiveServer, who: str) -> httpx.Client:
    if who == "anonymous":
        return server.client()
    return server.device(who) if who.startswith("kiosk") else server.user(who)


@pytest.mark.parametrize("body", [deep_json(), deep_list()], ids=["objects", "lists"])
@pytest.mark.parametrize("route", ROUTES, ids=[f"{method} {path}" for _, method, path, _ in ROUTES])
def test_json_nested_100000_deep_is_a_422_not_a_500(
    server: live.LiveServer, route: tuple[str, str, str, dict[str, str]], body: bytes
) -> None:
    who, method, path, headers = route
    client = client_for(server, who)
    reply = client.request(
        method, path, content=body, headers={**headers, "Content-Type": "application/json"}
    )
    assert reply.status_code == 422, reply.text  # as for any JSON that does not parse
    (problem,) = reply.json()["detail"]
    assert problem["loc"][0] == "body" and problem["type"] == "json_invalid"
    assert problem["msg"] == "Nội dung gửi lên không phải JSON hợp lệ."
    # The server is still well.
    assert server.client().get("/centres").status_code == 200


def test_json_nested_moderately_deep_is_refused_by_the_model(server: live.LiveServer) -> None:
    """Deep enough to pass the parser (500 levels), not to pass the model: a plain 422."""
    reply = server.device("kiosk-1").post(
        "/tickets",
        content=b'{"service_id":' + deep_json(500) + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert reply.status_code == 422, reply.text
    assert reply.json()["detail"][0]["loc"] == ["body", "service_id"]


# ---------------------------------------------------------------- numbers are numbers


def locs(reply: httpx.Response) -> list[list[Any]]:
    assert reply.status_code == 422, reply.text
    detail = reply.json()["detail"]
    assert all(checks.is_vietnamese(item["msg"]) for item in detail), detail
    return [item["loc"] for item in detail]


@pytest.mark.parametrize("service_id", ["1", True, 1.0], ids=["text", "bool", "float"])
def test_a_service_id_that_is_not_a_json_integer_is_a_422(server: live.LiveServer, service_id: Any) -> None:
    kiosk = server.device("kiosk-1")
    assert locs(kiosk.post("/tickets", json={"service_id": service_id})) == [["body", "service_id"]]
    assert kiosk.post("/tickets", json={"service_id": 1}).status_code == 201


def test_numbers_and_yes_no_as_text_are_refused_across_the_api(server: live.LiveServer) -> None:
    officer, admin = server.user("canbo1"), server.user("admin")
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    body = {**DOSSIER, "procedure_id": "1", "sets": True, "fee_collected": "50000"}
    assert sorted(locs(officer.post("/dossiers", json=body, headers=headers))) == [
        ["body", "fee_collected"],
        ["body", "procedure_id"],
        ["body", "sets"],
    ]
    service = admin.get("/admin/services/1").json()
    changed = {**service, "active": "false", "priority_every": "2"}
    for read_only in ("id",):
        changed.pop(read_only)
    assert sorted(locs(admin.put("/admin/services/1", json=changed))) == [
        ["body", "active"],
        ["body", "priority_every"],
    ]
    assert admin.get("/admin/services/1").json() == service  # nothing changed
    calendar = {"day": "2026-12-24", "working": "yes", "note": ""}
    assert locs(admin.post("/admin/calendar", json=calendar)) == [["body", "working"]]


def test_dates_and_choices_still_come_as_json_strings(server: live.LiveServer) -> None:
    """Strict numbers must not make the strings JSON carries for dates and enums a 422."""
    officer, admin = server.user("canbo1"), server.user("admin")
    body = {**DOSSIER, "channel": "post", "received_at": "2026-11-20T09:00:00+07:00"}
    made = officer.post("/dossiers", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert made.status_code == 201, made.text
    assert made.json()["channel"] == "post" and made.json()["return_method"] == DOSSIER["return_method"]
    reply = admin.post("/admin/calendar", json={"day": "2026-12-24", "working": False, "note": "Nghỉ"})
    assert reply.status_code == 201, reply.text
    user = {"username": "canbo9", "role": "officer", "centre_id": 1, "password": "mat-khau-9"}
    assert admin.post("/admin/users", json=user).status_code == 201


# ---------------------------------------------------------------- a device's fault text


def test_device_fault_text_reaches_the_overview_clean_and_short(server: live.LiveServer) -> None:
    kiosk = server.device("kiosk-1")
    raw = "Máy in\x00 phiếu:\x1b[31m hết\x85 giấy\r\n\tgọi\u202e kỹ thuật\x7f"
    reply = kiosk.post("/devices/status", json={"fault": raw})
    assert reply.status_code == 200, reply.text
    shown = "Máy in phiếu: [31m hết giấy gọi kỹ thuật"
    assert reply.json()["fault"] == shown

    def kiosk_on_overview() -> dict[str, Any]:
        devices = server.user("giamsat").get("/supervision/overview").json()["devices"]
        return next(d for d in devices if d["name"] == "kiosk-1")

    assert kiosk_on_overview()["fault"] == shown
    assert kiosk.post("/devices/status", json={"fault": "Lỗi " + "x" * 1500}).status_code == 200
    long = kiosk_on_overview()["fault"]
    assert len(long) == 200 and long.startswith("Lỗi xxx") and long.endswith("…")
    assert kiosk.post("/devices/status", json={"fault": "\x00\x1b \r\n"}).status_code == 200
    assert kiosk_on_overview()["fault"] is None  # nothing readable is no fault
    assert locs(kiosk.post("/devices/status", json={"fault": "x" * 2001})) == [["body", "fault"]]
