"""apiclient.client.Client against a live server: every endpoint once, and the error mapping."""

from __future__ import annotations

import datetime as dt
import json
import socket
import time
import uuid
from typing import Any

import pytest

from apiclient import client, errors
from onestop import calendar
from onestop import errors as domain
from tests import live
from tests.apiclient import tcpproxy
from tests.apiclient.conftest import Clients

TUESDAY_MORNING = dt.datetime(2026, 11, 24, 9, 0, tzinfo=calendar.VN_TZ)


def dossier_body(
    procedure_id: int, *, ticket_id: int | None = None, phone: str = "0912 345 678"
) -> dict[str, Any]:
    return {
        "ticket_id": ticket_id,
        "procedure_id": procedure_id,
        "channel": "counter",
        "applicant": {
            "full_name": "Nguyễn Văn An",
            "id_number": "025085001234",
            "phone": phone,
            "address": "Phường Việt Trì, tỉnh Phú Thọ",
        },
        "documents": [{"name": "Tờ khai cấp Phiếu lý lịch tư pháp", "kind": "original", "copies": 1}],
        "sets": 1,
        "fee_collected": 200000,
        "return_method": "counter",
    }


def _sequence(code: str) -> int:
    """000.00.25.H42-261124-0007 → 7."""
    return int(code.rsplit("-", 1)[1])


def test_catalogue_and_health(clients: Clients) -> None:
    public = clients.anonymous()
    assert public.healthz()["status"] == "ok"
    [centre] = public.centres()
    assert centre["code"] == "PVHCC-PT"
    assert "elderly" in {g["code"] for g in public.priority_groups()}
    agencies = public.agencies()
    assert agencies and all(a["fields"] for a in agencies)
    services = public.services()
    assert [s["id"] for s in public.services(centre["id"])] == [s["id"] for s in services]
    counters = public.counters()
    assert public.counters(centre_id=centre["id"]) == counters
    counter = public.counter(1)
    assert counter["service_ids"] == [1]
    assert counter["status"] == "closed"
    found = public.procedures("ly lich tu phap", limit=3)
    assert 1 <= len(found) <= 3
    assert all("lý lịch tư pháp" in p["name"].lower() for p in found)
    assert public.procedure(found[0]["id"])["code"] == found[0]["code"]
    field_id = found[0]["field_id"]
    assert {p["field_id"] for p in public.procedures(field_id=field_id)} == {field_id}


def test_a_full_round_at_the_counter(server: live.LiveServer, clients: Clients) -> None:
    server.clock.set(TUESDAY_MORNING)
    officer = clients.anonymous()
    signed_in = officer.login("canbo1", live.PASSWORD)
    assert signed_in["user"]["username"] == "canbo1"
    assert officer.secret == signed_in["access_token"]
    kiosk = clients.device("kiosk-1")

    assert officer.open_counter(1)["status"] == "open"
    normal = kiosk.issue_ticket(1)
    elderly = kiosk.issue_ticket(1, "elderly")
    assert (normal["status"], elderly["priority_group"]) == ("waiting", "elderly")
    assert clients.device("display-1").ticket(elderly["id"])["number"] == elderly["number"]
    with pytest.raises(errors.Unauthorized):  # citizens reach a ticket by its token, not its id
        clients.anonymous().ticket(elderly["id"])

    first = officer.call_next(1)
    assert first is not None
    assert first["status"] == "called"
    assert officer.recall(first["id"])["call_count"] == 2
    assert officer.start(first["id"])["status"] == "serving"
    assert officer.finish(first["id"])["status"] == "done"

    second = officer.call_next(1)
    assert second is not None
    assert {first["id"], second["id"]} == {normal["id"], elderly["id"]}
    moved = officer.transfer(second["id"], 2)
    assert (moved["status"], moved["service_id"]) == ("transferred", 2)

    unwanted = kiosk.issue_ticket(1)
    cancelled = kiosk.cancel(unwanted["id"], reason="Công dân không chờ nữa")
    assert cancelled["status"] == "cancelled"

    late = kiosk.issue_ticket(1)
    assert officer.call_next(1)["id"] == late["id"]  # type: ignore[index]
    officer.recall(late["id"])
    officer.recall(late["id"])
    assert officer.no_show(late["id"])["status"] == "no_show"
    assert officer.reactivate(late["id"])["status"] == "waiting"
    assert officer.call_next(1)["id"] == late["id"]  # type: ignore[index]
    _dossier_life_cycle(server, clients, officer, ticket_id=late["id"])
    officer.start(late["id"])
    officer.finish(late["id"])
    assert officer.call_next(1) is None  # the transferred one waits at service 2

    assert officer.pause_counter(1)["status"] == "paused"
    assert officer.open_counter(1)["status"] == "open"
    assert officer.close_counter(1)["status"] == "closed"

    board = clients.device("display-1").board()
    assert board["last_event_id"] > 0
    assert clients.device("display-1").board(server.ids["centre"])["centre"]["id"] == server.ids["centre"]
    assert kiosk.report_device_status(fault="Hết giấy in")["fault"] == "Hết giấy in"
    reported = {d["name"]: d for d in clients.officer("giamsat").devices()}
    assert reported["kiosk-1"]["fault"] == "Hết giấy in"
    assert kiosk.report_device_status()["fault"] is None


def _dossier_life_cycle(
    server: live.LiveServer, clients: Clients, officer: client.Client, *, ticket_id: int
) -> None:
    [procedure] = officer.procedures("Cấp Phiếu lý lịch tư pháp cho công dân", limit=1)
    created = officer.create_dossier(dossier_body(procedure["id"], ticket_id=ticket_id))
    code = created["code"]
    assert (created["status"], created["ticket_id"]) == ("received", ticket_id)
    assert clients.anonymous().dossier(code)["applicant"] is None  # by the code alone: the status
    masked = clients.anonymous().dossier(code, token=created["public_token"])["applicant"]
    assert masked["id_number"] == "025******234"  # with the receipt's token: masked
    assert officer.dossier(code)["applicant"]["id_number"] == "025085001234"

    items = [{"name": "Bản sao sổ hộ khẩu", "kind": "certified_copy", "copies": 1, "note": None}]
    asked = officer.supplement_request(code, items, "Thiếu giấy tờ chứng minh nơi cư trú.")
    assert asked["status"] == "supplement_requested"
    assert officer.supplemented(code)["status"] == "received"
    due = dt.datetime.fromisoformat(officer.dossier(code)["due_at"])
    extended = officer.extend(code, "Cần xác minh thêm tại địa phương.", due + dt.timedelta(days=3))
    assert dt.datetime.fromisoformat(extended["due_at"]) == due + dt.timedelta(days=3)
    assert officer.ready(code)["status"] == "ready"
    assert officer.return_result(code, "Nguyễn Văn An")["status"] == "returned"
    rated = officer.rate(code, "khong_hai_long", reason="Phải đi lại hai lần.")
    assert rated["rating"]["level"] == "khong_hai_long"

    other = officer.create_dossier(dossier_body(procedure["id"]))
    refused = officer.refuse(other["code"], "Thủ tục không thuộc thẩm quyền giải quyết.")
    assert refused["status"] == "refused"


# ---------------------------------------------------------------- errors


def test_not_found(clients: Clients) -> None:
    with pytest.raises(domain.NotFound, match="999999"):
        clients.device("display-1").ticket(999999)


def test_conflict_carries_the_servers_reason(clients: Clients) -> None:
    with pytest.raises(domain.IllegalTransition) as caught:
        clients.officer("giamsat").pause_counter(1)  # supervisors act at any counter
    assert caught.value.message == "Quầy số 1 không ở trạng thái đang mở."


def test_forbidden(clients: Clients) -> None:
    clients.officer("canbo1").open_counter(1)
    with pytest.raises(domain.Forbidden, match="quầy số 1"):
        clients.officer("canbo2").call_next(1)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda api: api.issue_ticket(1, "khong-co-nhom-nay"), "priority_group"),  # a domain 422
        (lambda api: api.transfer(1, "hai"), "service_id"),  # a schema 422
        (lambda api: api.procedures(limit=0), "limit"),
    ],
)
def test_invalid_value_names_the_field(clients: Clients, call: Any, field: str) -> None:
    with pytest.raises(domain.InvalidValue) as caught:
        call(clients.officer("giamsat"))
    assert caught.value.field == field
    assert caught.value.message


def test_invalid_dossier_lists_every_field(clients: Clients) -> None:
    officer = clients.officer("canbo1")
    body = dossier_body(1, phone="12345")
    body["sets"] = 0
    with pytest.raises(errors.InvalidRequest) as caught:
        officer.create_dossier(body)
    assert {e.field for e in caught.value.errors} == {"applicant.phone", "sets"}
    assert caught.value.field in {"applicant.phone", "sets"}


@pytest.mark.parametrize("secret", [None, "khoa-sai"])
def test_unauthorized(clients: Clients, secret: str | None) -> None:
    with pytest.raises(errors.Unauthorized):
        clients.anonymous(secret=secret).issue_ticket(1)


def test_wrong_password(clients: Clients) -> None:
    api = clients.anonymous()
    with pytest.raises(errors.Unauthorized, match="Sai tên đăng nhập"):
        api.login("canbo1", "sai-mat-khau")
    assert api.secret is None


def test_server_down_is_reported_quickly(clients: Clients, closed_port: int) -> None:
    api = clients.anonymous(f"http://127.0.0.1:{closed_port}")
    started = time.monotonic()
    with pytest.raises(errors.ServerUnavailable) as caught:
        api.centres()
    assert time.monotonic() - started < 2
    assert caught.value.message.startswith("Không kết nối được máy chủ")
    assert "ConnectionError" in caught.value.reason


def test_no_answer_times_out(clients: Clients) -> None:
    # A listening socket nobody accepts on: the connection is made, no reply ever comes.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        api = clients.anonymous(f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.3)
        started = time.monotonic()
        with pytest.raises(errors.ServerUnavailable, match="Không kết nối được máy chủ"):
            api.ticket(1)
        assert time.monotonic() - started < 3


def test_server_errors_and_garbage(clients: Clients, proxy: tcpproxy.Proxy) -> None:
    away = json.dumps({"detail": "Cơ sở dữ liệu tạm thời không sẵn sàng, vui lòng thử lại."}).encode()
    proxy.canned = [
        tcpproxy.http_reply("503 Service Unavailable", away),
        tcpproxy.http_reply("500 Internal Server Error", b"Internal Server Error", "text/plain"),
        tcpproxy.http_reply("200 OK", b"<html>captive portal</html>", "text/html"),
    ]
    api = clients.anonymous(proxy.base_url)
    with pytest.raises(errors.ServerUnavailable, match="Cơ sở dữ liệu tạm thời"):
        api.centres()
    with pytest.raises(errors.ServerUnavailable, match="Không kết nối được máy chủ"):
        api.centres()
    with pytest.raises(errors.ServerUnavailable, match="không đúng định dạng"):
        api.centres()
    assert api.centres()  # relayed to the real server


# ---------------------------------------------------------------- idempotent intake


def test_a_lost_reply_makes_one_dossier(clients: Clients, proxy: tcpproxy.Proxy) -> None:
    pauses: list[float] = []
    officer = clients.anonymous(proxy.base_url, sleep=pauses.append)
    officer.login("canbo1", live.PASSWORD)
    proxy.drop_replies = 1
    key = str(uuid.uuid4())
    body = dossier_body(1)

    created = officer.create_dossier(body, idempotency_key=key)

    assert proxy.dropped == 1
    assert len(pauses) == 1  # one resend, after a short pause
    assert officer.dossier(created["code"])["code"] == created["code"]
    assert officer.create_dossier(body, idempotency_key=key)["code"] == created["code"]
    # The next dossier takes the very next number: the lost try made none of its own.
    following = officer.create_dossier(body)
    assert _sequence(following["code"]) == _sequence(created["code"]) + 1


def test_a_key_reused_for_another_dossier_is_refused(clients: Clients) -> None:
    officer = clients.officer("canbo1")
    officer.create_dossier(dossier_body(1), idempotency_key="khoa-dung-mot-lan")
    with pytest.raises(domain.IllegalTransition, match="Idempotency-Key"):
        officer.create_dossier(dossier_body(1, phone="0987654321"), idempotency_key="khoa-dung-mot-lan")


def test_intake_gives_up_after_its_retries(clients: Clients, closed_port: int) -> None:
    pauses: list[float] = []
    api = clients.anonymous(f"http://127.0.0.1:{closed_port}", sleep=pauses.append, retry_delays=(0.5, 1, 2))
    with pytest.raises(errors.ServerUnavailable):
        api.create_dossier(dossier_body(1))
    assert len(pauses) == 3
    assert all(d / 2 <= p <= d for p, d in zip(pauses, (0.5, 1, 2), strict=True))
