"""The citizen's pages behind the QR codes, over real HTTP: found only by token, no walking."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from tests import live
from tests.server.checks import DOSSIER


def ok(reply: httpx.Response, status: int = 200) -> Any:
    assert reply.status_code == status, reply.text
    return reply.json()


@pytest.fixture
def web(server: live.LiveServer) -> httpx.Client:
    client = httpx.Client(base_url=server.base_url, timeout=30)
    server.clients.append(client)
    return client


def test_a_ticket_page_follows_the_ticket_from_waiting_to_done(server: live.LiveServer, web: httpx.Client):
    kiosk, officer = server.device("kiosk-1"), server.user("canbo1")
    first = ok(kiosk.post("/tickets", json={"service_id": 1}), 201)
    mine = ok(kiosk.post("/tickets", json={"service_id": 1}), 201)
    token = mine["public_token"]
    assert len(token) == 16 and token != first["public_token"]

    page = web.get(f"/tra-cuu/so/{token}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store" and "noindex" in page.headers["x-robots-tag"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    # Not to be framed by another site, nor read as another type than it says.
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    text = page.text
    assert (
        'lang="vi"' in text and ">A002<" in text and "Trung tâm Phục vụ hành chính công tỉnh Phú Thọ" in text
    )
    assert "Còn 1 người trước bạn." in text and "/tra-cuu/trang.js" in text
    assert 'data-status-url="/tra-cuu/so/' in text

    state = ok(web.get(f"/tra-cuu/so/{token}/trang-thai"))
    assert state["headline"] == "Đang chờ đến lượt" and state["detail"].startswith("Còn 1 người trước bạn.")
    ok(officer.post("/counters/1/open"))
    ok(officer.post("/counters/1/call-next"))  # A001
    assert ok(web.get(f"/tra-cuu/so/{token}/trang-thai"))["detail"].startswith("Bạn là người tiếp theo.")
    ok(officer.post(f"/tickets/{first['id']}/start"))
    ok(officer.post(f"/tickets/{first['id']}/finish"))
    ok(officer.post("/counters/1/call-next"))  # mine
    state = ok(web.get(f"/tra-cuu/so/{token}/trang-thai"))
    assert (state["status"], state["headline"], state["big"]) == ("called", "Mời bạn đến quầy", "QUẦY 1")
    assert ">QUẦY 1<" in web.get(f"/tra-cuu/so/{token}").text
    ok(officer.post(f"/tickets/{mine['id']}/start"))
    assert ok(web.get(f"/tra-cuu/so/{token}/trang-thai"))["headline"] == "Đang được phục vụ tại quầy 1"
    ok(officer.post(f"/tickets/{mine['id']}/finish"))
    state = ok(web.get(f"/tra-cuu/so/{token}/trang-thai"))
    assert state["headline"] == "Đã hoàn thành" and state["final"] is True


def test_yesterdays_ticket_says_it_has_expired(server: live.LiveServer, web: httpx.Client):
    token = ok(server.device("kiosk-1").post("/tickets", json={"service_id": 1}), 201)["public_token"]
    server.clock.set(server.clock() + dt.timedelta(days=1))
    state = ok(web.get(f"/tra-cuu/so/{token}/trang-thai"))
    assert state["headline"].endswith("đã hết hiệu lực.") and state["final"] is True


def test_nobody_walks_tickets_by_number_or_guesses_tokens(server: live.LiveServer, web: httpx.Client):
    ticket = ok(server.device("kiosk-1").post("/tickets", json={"service_id": 1}), 201)
    # The API's ticket read is for staff and devices now; the page needs the token.
    assert server.client().get(f"/tickets/{ticket['id']}").status_code == 401
    assert ok(server.device("display-1").get(f"/tickets/{ticket['id']}"))["number"] == "A001"
    missing = web.get("/tra-cuu/so/AAAAAAAAAAAAAAAA")
    assert missing.status_code == 404 and "Không tìm thấy số thứ tự này." in missing.text
    assert web.get("/tra-cuu/so/AAAAAAAAAAAAAAAA/trang-thai").status_code == 404
    assert web.get("/tra-cuu/so/<script>").status_code in (404, 422)
    # Boards and counters hear of tickets through events: the token is never in them.
    board = ok(server.device("display-1").get("/board"))
    assert ticket["public_token"] not in str(board)


def test_the_receipts_page_shows_the_dossier_masked(server: live.LiveServer, web: httpx.Client):
    officer = server.user("canbo1")
    dossier = ok(officer.post("/dossiers", json=DOSSIER, headers={"Idempotency-Key": "citizen-page-1"}), 201)
    token = dossier["public_token"]
    assert token and len(token) == 16
    page = web.get(f"/tra-cuu/ho-so/{dossier['code']}/{token}")
    assert page.status_code == 200, page.text
    text = page.text
    assert "Đã tiếp nhận, đang giải quyết" in text and "Trong hạn, đang giải quyết" in text
    assert dossier["code"] in text and dossier["procedure_name"] in text
    full_name = DOSSIER["applicant"]["full_name"]
    assert full_name not in text and DOSSIER["applicant"]["id_number"] not in text
    assert full_name.split()[-1] in text  # the given name is kept, the rest masked
    # A wrong token is the same "not found" as no dossier at all.
    for url in (f"/tra-cuu/ho-so/{dossier['code']}/AAAAAAAAAAAAAAAA", f"/tra-cuu/ho-so/000-000/{token}"):
        wrong = web.get(url)
        assert wrong.status_code == 404 and "Không tìm thấy hồ sơ này." in wrong.text
    # Late once its due time has passed.
    server.clock.set(dt.datetime.fromisoformat(dossier["due_at"]) + dt.timedelta(hours=1))
    assert "Quá hạn, đang giải quyết" in web.get(f"/tra-cuu/ho-so/{dossier['code']}/{token}").text


def test_the_script_is_served_and_small(web: httpx.Client):
    script = web.get("/tra-cuu/trang.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert script.headers["x-content-type-options"] == "nosniff"
    assert len(script.content) < 3000
