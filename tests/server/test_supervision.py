"""The supervisor's overview and actions (/api/v1/supervision) against a real server."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from onestop import calendar
from server import models
from server.db import open_database
from tests import live
from tests.server.checks import DOSSIER, Api, detail, is_vietnamese
from tests.server.test_centres import add_commune_centre
from tests.server.test_events import Reader

A, B = 1, 2  # demo services; counter 1 serves A, counter 2 serves B, counter 8 serves F, E, A
MONDAY_9AM = dt.datetime(2026, 3, 2, 9, 0, tzinfo=calendar.VN_TZ)


def ok(reply: httpx.Response, status: int = 200) -> Any:
    assert reply.status_code == status, reply.text
    return reply.json()


def issue(server: live.LiveServer, service_id: int = A) -> dict[str, Any]:
    return ok(server.device("kiosk-1").post("/tickets", json={"service_id": service_id}), 201)


def overview(server: live.LiveServer, user: str = "giamsat", **params: Any) -> dict[str, Any]:
    return ok(server.user(user).get("/supervision/overview", params=params))


def by_number(items: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    return {item["number"]: item for item in items}


def dossier_due(server: live.LiveServer, due_at: dt.datetime, *, status: str = "received", name: str) -> str:
    """A dossier taken in now, then given this due time (and status) straight in the database."""
    body = dict(DOSSIER, applicant=dict(DOSSIER["applicant"], full_name=name))
    code = ok(
        server.user("canbo2").post("/dossiers", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}), 201
    )["code"]
    db = open_database(server.settings.resolved_database_url())
    try:
        with db.write() as session:
            session.execute(
                sa.update(models.Dossier)
                .where(models.Dossier.code == code)
                .values(due_at=due_at, status=status)
            )
    finally:
        db.dispose()
    return str(code)


def audit_actions(server: live.LiveServer, target: str) -> list[str]:
    db = open_database(server.settings.resolved_database_url())
    try:
        with db.read() as session:
            return list(
                session.scalars(
                    sa.select(models.AuditEntry.action)
                    .where(models.AuditEntry.target == target)
                    .order_by(models.AuditEntry.id)
                )
            )
    finally:
        db.dispose()


def test_the_overview_shows_counters_lines_devices_and_dossiers_due(server: live.LiveServer) -> None:
    server.clock.set(MONDAY_9AM)
    first = issue(server)
    server.clock.advance(minutes=2)
    second = issue(server)
    server.clock.advance(minutes=1)
    issue(server)
    issue(server, B)
    officer = server.user("canbo1")
    ok(officer.post("/counters/1/open"))
    called = ok(officer.post("/counters/1/call-next"))
    assert called["number"] == first["number"]
    ok(server.user("canbo2").post("/counters/2/open"))
    ok(server.user("canbo2").post("/counters/2/pause"))
    overdue = dossier_due(server, MONDAY_9AM - dt.timedelta(days=1), name="Nguyễn Văn An")
    today = dossier_due(server, MONDAY_9AM.replace(hour=16), name="Trần Thị Bình")
    dossier_due(server, MONDAY_9AM + dt.timedelta(days=7), name="Lê Văn Cường")  # not due yet
    dossier_due(
        server, MONDAY_9AM - dt.timedelta(days=2), status="supplement_requested", name="Phạm Thị Dung"
    )
    server.clock.advance(minutes=7)
    ok(server.device("kiosk-1").post("/devices/status", json={"fault": "Máy in phiếu: Hết giấy"}))

    data = overview(server)

    assert data["server_time"].startswith("2026-03-02T09:10:00")
    assert data["centre"]["id"] == 1 and data["centre"]["notice"] == ""
    counters = by_number(data["counters"])
    assert len(counters) == 8
    one = counters[1]
    assert (one["status"], one["officer_name"], one["agency_name"]) == ("open", "Cán bộ canbo1", "Sở Tư pháp")
    assert one["opened_at"].startswith("2026-03-02T09:03:00")
    assert one["ticket"]["number"] == first["number"] and one["ticket"]["status"] == "called"
    assert one["ticket"]["called_at"].startswith("2026-03-02T09:03:00")
    assert one["served_today"] == 0
    assert (counters[2]["status"], counters[2]["officer_name"], counters[2]["ticket"]) == (
        "paused",
        "Cán bộ canbo2",
        None,
    )
    assert counters[3]["status"] == "closed" and counters[3]["officer_name"] is None

    services = {s["letter"]: s for s in data["services"]}
    # The longest wait in A is now the second ticket's (the first was called): 8 minutes.
    assert services["A"]["waiting"] == 2 and services["A"]["longest_wait_seconds"] == 8 * 60
    assert services["B"]["waiting"] == 1 and services["B"]["longest_wait_seconds"] == 7 * 60
    assert services["C"]["waiting"] == 0 and services["C"]["longest_wait_seconds"] is None
    assert [t["number"] for t in data["waiting"]] == [second["number"], "A003", "B001"]

    devices = {d["name"]: d for d in data["devices"]}
    assert devices["kiosk-1"]["fault"] == "Máy in phiếu: Hết giấy" and not devices["kiosk-1"]["silent"]
    assert devices["display-1"]["fault"] is None and devices["display-1"]["silent"]  # never reported
    server.clock.advance(minutes=4)
    assert by_number_name(overview(server)["devices"])["kiosk-1"]["silent"]  # 4 minutes without a report

    dossiers = data["dossiers"]
    assert (dossiers["overdue"], dossiers["due_today"]) == (1, 1)
    assert [(d["code"], d["overdue"]) for d in dossiers["items"]] == [(overdue, True), (today, False)]
    item = dossiers["items"][0]
    assert item["applicant"] == {"full_name": "N. V. An", "id_number": "001******345"}
    assert item["due_at"].startswith("2026-03-01T09:00:00") and item["status"] == "received"
    assert item["procedure_name"]
    assert data["last_event_id"] > 0


def by_number_name(devices: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in devices}


def test_the_overview_is_for_managers_of_the_centre(server: live.LiveServer) -> None:
    api = Api(server)
    commune, _ = add_commune_centre(server)
    assert api.user("canbo1").get("/supervision/overview").status_code == 403
    assert api.device("display-1").get("/supervision/overview").status_code == 403
    assert api.client().get("/supervision/overview").status_code == 401
    refused = api.user("giamsat").get("/supervision/overview", params={"centre_id": commune["id"]})
    assert refused.status_code == 403 and is_vietnamese(detail(refused))
    # An admin oversees any centre.
    other = ok(api.user("admin").get("/supervision/overview", params={"centre_id": commune["id"]}))
    assert other["centre"]["id"] == commune["id"] and len(other["counters"]) == 2
    assert api.user("giamsat").get("/supervision/overview", params={"centre_id": 999}).status_code == 404
    bad = api.user("giamsat").get("/supervision/overview", params={"centre_id": "mot"})
    assert bad.status_code == 422 and detail(bad)[0]["loc"] == ["query", "centre_id"]


def test_moving_a_waiting_ticket_keeps_its_number_and_follows_the_transfer_position(
    server: live.LiveServer,
) -> None:
    api = Api(server)
    supervisor = api.user("giamsat")
    ahead = issue(server, B)
    ticket = issue(server)
    reader = Reader(server, server.token("giamsat"))
    try:
        moved = ok(supervisor.post(f"/supervision/tickets/{ticket['id']}/move", json={"service_id": B}))
        event = reader.take(1)[0]
    finally:
        reader.close()
    assert (moved["number"], moved["status"], moved["service_id"]) == (ticket["number"], "transferred", B)
    # The demo centre's transfer_position is "back": behind the one already waiting in B.
    assert moved["waiting_before"] == 1
    assert event["type"] == "ticket.transferred" and event["payload"]["from_service_id"] == A
    assert "ticket.transferred" in audit_actions(server, ticket["number"])
    ok(api.user("canbo2").post("/counters/2/open"))
    assert ok(api.user("canbo2").post("/counters/2/call-next"))["number"] == ahead["number"]


def test_moving_is_refused_with_reasons(server: live.LiveServer) -> None:
    api = Api(server)
    supervisor = api.user("giamsat")
    ticket = issue(server)
    url = f"/supervision/tickets/{ticket['id']}/move"
    assert api.user("canbo1").post(url, json={"service_id": B}).status_code == 403
    assert supervisor.post("/supervision/tickets/99999/move", json={"service_id": B}).status_code == 404
    assert supervisor.post(url, json={"service_id": 999}).status_code == 404
    same = supervisor.post(url, json={"service_id": A})
    assert same.status_code == 409 and is_vietnamese(detail(same))
    missing = supervisor.post(url, json={})
    assert missing.status_code == 422 and detail(missing)[0]["loc"] == ["body", "service_id"]
    officer = api.user("canbo1")
    ok(officer.post("/counters/1/open"))
    ok(officer.post("/counters/1/call-next"))
    called = supervisor.post(url, json={"service_id": B})
    assert called.status_code == 409 and "không còn trong hàng chờ" in detail(called)


def test_closing_a_counter_left_open_puts_its_ticket_back_at_the_front(server: live.LiveServer) -> None:
    api = Api(server)
    first, second = issue(server), issue(server)
    officer = api.user("canbo1")
    ok(officer.post("/counters/1/open"))
    ok(officer.post("/counters/1/call-next"))
    ok(officer.post(f"/tickets/{first['id']}/start"))
    reader = Reader(server, server.token("giamsat"))
    try:
        closed = ok(api.user("giamsat").post("/supervision/counters/1/close"))
        events = reader.take(2)
    finally:
        reader.close()
    assert (closed["status"], closed["officer_id"], closed["current_ticket"]) == ("closed", None, None)
    assert [e["type"] for e in events] == ["ticket.transferred", "counter.closed"]
    assert events[0]["payload"]["requeued"] and events[0]["payload"]["from_counter_id"] == 1
    back = ok(api.device("display-1").get(f"/tickets/{first['id']}"))
    assert (back["status"], back["counter_id"], back["waiting_before"]) == ("transferred", None, 0)
    assert audit_actions(server, "counter:1")[-1] == "counter.closed"
    # The next counter serving A calls it before the one who was behind it.
    other = api.user("canbo2")
    ok(other.post("/counters/8/open"))
    assert ok(other.post("/counters/8/call-next"))["number"] == first["number"]
    assert ok(api.device("display-1").get(f"/tickets/{second['id']}"))["status"] == "waiting"


def test_closing_a_counter_is_refused_with_reasons(server: live.LiveServer) -> None:
    api = Api(server)
    assert api.user("canbo1").post("/supervision/counters/1/close").status_code == 403
    assert api.user("giamsat").post("/supervision/counters/999/close").status_code == 404
    already = api.user("giamsat").post("/supervision/counters/1/close")
    assert already.status_code == 409 and "đã đóng" in detail(already)
    big = api.user("giamsat").post(f"/supervision/counters/{2**40}/close")
    assert big.status_code == 422 and detail(big)[0]["loc"] == ["path", "counter_id"]


def test_reprint_gives_the_ticket_with_its_token_and_is_audited(server: live.LiveServer) -> None:
    api = Api(server)
    supervisor = api.user("giamsat")
    ticket = issue(server)
    reprinted = ok(supervisor.post(f"/supervision/tickets/{ticket['id']}/reprint"))
    assert reprinted["number"] == ticket["number"] and reprinted["public_token"] == ticket["public_token"]
    assert reprinted["status"] == "waiting" and reprinted["waiting_before"] == 0
    assert audit_actions(server, ticket["number"]) == ["ticket.issued", "ticket.reprinted"]
    assert api.user("canbo1").post(f"/supervision/tickets/{ticket['id']}/reprint").status_code == 403
    assert supervisor.post("/supervision/tickets/99999/reprint").status_code == 404
    ok(supervisor.post(f"/tickets/{ticket['id']}/cancel", json={"reason": "Công dân bỏ về"}))
    gone = supervisor.post(f"/supervision/tickets/{ticket['id']}/reprint")
    assert gone.status_code == 409 and "đã hủy" in detail(gone)


@pytest.mark.parametrize("user", ["giamsat", "admin"])
def test_a_manager_cancels_a_waiting_ticket_with_a_reason_and_the_lines_change(
    server: live.LiveServer, user: str
) -> None:
    api = Api(server)
    ticket = issue(server)
    assert {s["letter"]: s["waiting"] for s in overview(server, user)["services"]}["A"] == 1
    cancelled = ok(api.user(user).post(f"/tickets/{ticket['id']}/cancel", json={"reason": "Lấy nhầm số"}))
    assert cancelled["status"] == "cancelled"
    data = overview(server, user)
    assert {s["letter"]: s["waiting"] for s in data["services"]}["A"] == 0
    assert data["waiting"] == []


def test_a_supervisor_acts_on_the_tickets_of_their_own_centre_only(server: live.LiveServer) -> None:
    api = Api(server)
    commune, kiosk_key = add_commune_centre(server)
    first, second = (s["id"] for s in ok(api.client().get("/services", params={"centre_id": commune["id"]})))
    theirs = ok(server.client(kiosk_key).post("/tickets", json={"service_id": first}), 201)
    supervisor = api.user("giamsat")  # of the provincial centre
    cancelled = supervisor.post(f"/tickets/{theirs['id']}/cancel", json={"reason": "thử"})
    assert cancelled.status_code == 403 and detail(cancelled) == "Vé này thuộc trung tâm khác."
    moved = supervisor.post(f"/supervision/tickets/{theirs['id']}/move", json={"service_id": second})
    assert moved.status_code == 403
    # An administrator oversees every centre.
    cancel = api.user("admin").post(f"/tickets/{theirs['id']}/cancel", json={"reason": "thử"})
    assert ok(cancel)["status"] == "cancelled"
