"""The counter app's supervisor mode against a real server: sign-in, the live overview, the
actions from it, a reprint on a fake network printer, and a server that goes away and back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6 import QtCore

from counter_app import app as counter_app
from counter_app import config as counter_config
from counter_app import supervision
from counter_app.views import overview, transfer
from hardware import printer as printer_mod
from hardware import raster, transports
from onestop import calendar
from server import models, tickets
from server.db import open_database
from tests import live
from tests.gui.counter.conftest import WAIT_MS
from tests.hardware import fakeprinter

A, B = 1, 2  # demo services; counter 1 serves A
TEN_AM = dt.datetime(2026, 3, 2, 10, 0, tzinfo=calendar.VN_TZ)


def issue(server: live.LiveServer, service_id: int = A) -> dict[str, Any]:
    reply = server.device("kiosk-1").post("/tickets", json={"service_id": service_id})
    assert reply.status_code == 201, reply.text
    result: dict[str, Any] = reply.json()
    return result


def sign_in(qtbot, app: counter_app.CounterApp, username: str) -> None:
    page = app.window.sign_in
    qtbot.keyClicks(page.username, username)
    qtbot.keyClicks(page.password, live.PASSWORD)
    page.supervise.setChecked(True)
    assert not page.counter.isEnabled() and page.submit.text() == "Đăng nhập giám sát"
    qtbot.mouseClick(page.submit, QtCore.Qt.MouseButton.LeftButton)


def online(app: counter_app.CounterApp) -> None:
    assert app.window.stack.currentWidget() is app.window.supervisor
    assert app.overview.online, app.overview.stream
    assert app.window.supervisor.connection.text() == "● Đã kết nối máy chủ"
    assert not app.window.overview.banner.isVisible()


def cells(table, row: int) -> list[str]:
    return [table.item(row, c).text() for c in range(table.columnCount())]


def row_of(table, first: str) -> list[str]:
    for row in range(table.rowCount()):
        if table.item(row, 0).text().startswith(first):
            return cells(table, row)
    raise AssertionError(f"no row {first!r} in {table.objectName()}")


def numbers(app: counter_app.CounterApp) -> list[str]:
    table = app.window.overview.waiting
    return [table.item(row, 0).text() for row in range(table.rowCount())]


@pytest.fixture
def watching(make_counter, qtbot) -> counter_app.CounterApp:
    """The supervisor signed in through the form, the overview live."""
    app = make_counter()
    sign_in(qtbot, app, "giamsat")
    qtbot.waitUntil(lambda: online(app), timeout=WAIT_MS)
    return app


def test_an_officer_cannot_supervise_and_the_supervisor_signs_in_and_out(make_counter, qtbot, server):
    app = make_counter()
    sign_in(qtbot, app, "canbo1")
    page = app.window.sign_in
    qtbot.waitUntil(lambda: page.note.text() == "Tài khoản này không có quyền giám sát.", timeout=WAIT_MS)
    assert app.window.stack.currentWidget() is page and page.submit.isEnabled()
    assert app.api.secret is None

    page.username.clear()
    page.password.clear()
    sign_in(qtbot, app, "giamsat")
    qtbot.waitUntil(lambda: online(app), timeout=WAIT_MS)
    header = app.window.supervisor
    assert header.user.text() == "Giám sát viên: Cán bộ giamsat"
    assert header.centre.text().startswith("Giám sát — Trung tâm Phục vụ hành chính công")
    assert header.tabs.tabText(0) == "Tổng quan" and header.tabs.count() >= 1
    assert app.window.overview.counters.rowCount() == 8

    token = app.api.secret
    qtbot.mouseClick(header.sign_out, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.window.stack.currentWidget() is page, timeout=WAIT_MS)
    assert page.note.text() == "Đã đăng xuất." and app.api.secret is None
    # Signed out on the server too: the token no longer works anywhere.
    qtbot.waitUntil(lambda: server.client(token).get("/devices").status_code == 401, timeout=WAIT_MS)


def test_the_overview_follows_calls_tickets_and_device_faults_live(watching, qtbot, server):
    app, page = watching, watching.window.overview
    assert row_of(page.counters, "Quầy 1")[1:4] == ["Đóng", "—", ""]
    first = issue(server)
    # A ticket issued: the waiting count and the longest wait of A change without any action here.
    qtbot.waitUntil(lambda: row_of(page.services, "A — ")[1] == "1", timeout=WAIT_MS)
    assert row_of(page.services, "A — ")[2] != "—"
    assert numbers(app) == [first["number"]]

    officer = server.user("canbo1")
    officer.post("/counters/1/open").raise_for_status()
    officer.post("/counters/1/call-next").raise_for_status()
    qtbot.waitUntil(
        lambda: row_of(page.counters, "Quầy 1")[3] == f"{first['number']} (Đang mời)", timeout=WAIT_MS
    )
    assert row_of(page.counters, "Quầy 1")[1:3] == ["Đang mở", "Cán bộ canbo1"]
    assert row_of(page.services, "A — ")[1:] == ["0", "—"]
    # The time at the counter ticks on from the server's clock, with no reload.
    reads = app.runner.in_flight
    qtbot.waitUntil(lambda: row_of(page.counters, "Quầy 1")[4] not in ("", "00:00"), timeout=WAIT_MS)
    assert app.runner.in_flight == reads

    server.device("kiosk-1").post(
        "/devices/status", json={"fault": "Máy in phiếu: Hết giấy"}
    ).raise_for_status()
    qtbot.waitUntil(lambda: row_of(page.devices, "kiosk-1")[1] == "Máy in phiếu: Hết giấy", timeout=WAIT_MS)
    assert "Thiết bị cần xử lý" in page.summary.text()


def test_a_long_wait_and_a_device_gone_quiet_are_shown_in_red(make_counter, qtbot, server):
    server.clock.set(TEN_AM)
    server.device("kiosk-2").post("/devices/status", json={}).raise_for_status()
    issue(server)
    server.clock.advance(minutes=35)
    app = make_counter()
    sign_in(qtbot, app, "giamsat")
    qtbot.waitUntil(lambda: online(app), timeout=WAIT_MS)
    page = app.window.overview
    line = page.services.item(0, 2)
    assert line.text().startswith("35:") and line.background().color().name() == overview.ALERT[0].lower()
    assert row_of(page.devices, "kiosk-2")[1] == "Mất kết nối 35 phút"
    assert row_of(page.devices, "display-1")[1] == "Chưa từng kết nối"


def test_move_cancel_close_and_notice_from_the_overview(watching, qtbot, server, monkeypatch):
    app, page = watching, watching.window.overview
    first, second = issue(server), issue(server)
    qtbot.waitUntil(lambda: numbers(app) == [first["number"], second["number"]], timeout=WAIT_MS)

    offered: list[list[int]] = []

    def choose_b(parent, services, *, number):
        offered.append([s["id"] for s in services])
        return B

    monkeypatch.setattr(transfer.TransferDialog, "ask", choose_b)
    page.select_ticket(first["number"])
    qtbot.mouseClick(page.move_button, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: row_of(page.waiting, first["number"])[1].startswith("B — "), timeout=WAIT_MS)
    assert A not in offered[0] and B in offered[0]
    assert page.feedback.text().startswith(f"Đã chuyển số {first['number']} sang dịch vụ B")
    assert server.device("display-1").get(f"/tickets/{first['id']}").json()["service_id"] == B

    monkeypatch.setattr(overview.CancelDialog, "ask", lambda parent, number: "Công dân lấy nhầm số")
    page.select_ticket(second["number"])
    qtbot.mouseClick(page.cancel_button, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: second["number"] not in numbers(app), timeout=WAIT_MS)
    assert server.device("display-1").get(f"/tickets/{second['id']}").json()["status"] == "cancelled"

    officer = server.user("canbo1")
    officer.post("/counters/1/open").raise_for_status()
    third = issue(server)
    officer.post("/counters/1/call-next").raise_for_status()
    qtbot.waitUntil(lambda: row_of(page.counters, "Quầy 1")[3].startswith(third["number"]), timeout=WAIT_MS)
    asked: list[int] = []
    monkeypatch.setattr(
        overview.CloseDialog, "ask", lambda parent, counter: asked.append(counter["number"]) or True
    )
    page.select_counter(1)
    qtbot.waitUntil(page.close_button.isEnabled, timeout=WAIT_MS)
    qtbot.mouseClick(page.close_button, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: row_of(page.counters, "Quầy 1")[1:4] == ["Đóng", "—", ""], timeout=WAIT_MS)
    assert asked == [1]
    # Its ticket was not lost: it waits again, first in its line.
    qtbot.waitUntil(lambda: numbers(app) == [third["number"], first["number"]], timeout=WAIT_MS)
    assert row_of(page.waiting, third["number"])[1].startswith("A — ")

    page.notice.setText("Hôm nay trung tâm làm việc đến 17 giờ 00")
    qtbot.mouseClick(page.save_notice, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.feedback.text() == "Đã lưu dòng thông báo.", timeout=WAIT_MS)
    assert server.client().get("/centres").json()[0]["notice"] == "Hôm nay trung tâm làm việc đến 17 giờ 00"


def test_a_refused_action_is_shown_in_vietnamese_and_the_picture_refreshes(
    watching, qtbot, server, monkeypatch
):
    app, page = watching, watching.window.overview
    ticket = issue(server)
    qtbot.waitUntil(lambda: numbers(app) == [ticket["number"]], timeout=WAIT_MS)
    page.select_ticket(ticket["number"])
    officer = server.user("canbo1")
    officer.post("/counters/1/open").raise_for_status()
    officer.post("/counters/1/call-next").raise_for_status()
    app.overview.move(ticket["id"], B)  # the picture is a moment old: the ticket was just called
    qtbot.waitUntil(lambda: "không còn trong hàng chờ" in page.feedback.text(), timeout=WAIT_MS)
    assert page.feedback.property("failed") == "true"
    qtbot.waitUntil(lambda: numbers(app) == [], timeout=WAIT_MS)


def test_reprint_prints_the_ticket_again_marked_as_a_copy(make_counter, qtbot, server):
    server.clock.set(TEN_AM)
    with fakeprinter.FakePrinter() as fake:
        app = make_counter(ticket_printer=fake.url)
        sign_in(qtbot, app, "giamsat")
        qtbot.waitUntil(lambda: online(app), timeout=WAIT_MS)
        page = app.window.overview
        ticket = issue(server)
        qtbot.waitUntil(lambda: numbers(app) == [ticket["number"]], timeout=WAIT_MS)
        page.select_ticket(ticket["number"])
        assert page.reprint_button.isEnabled()
        qtbot.mouseClick(page.reprint_button, QtCore.Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.feedback.text() == f"Đã in lại số {ticket['number']}.", timeout=WAIT_MS)
        fake.wait_closed(len(fake.connections))
        job = next(fake.job(i) for i in reversed(range(len(fake.connections))) if fake.job(i))
    printed = raster.decode(job)
    services = {s["id"]: s["name"] for s in app.overview.data["services"]}
    again = server.user("giamsat").post(f"/supervision/tickets/{ticket['id']}/reprint").json()
    expected = supervision.ticket_data(
        again,
        centre=app.overview.centre["name"],
        services=services,
        groups={},
        server=server.base_url,
        now=TEN_AM,
    )
    assert expected.number == ticket["number"] and expected.reprint_mark == "IN LẠI 10:00 02/03/2026"
    drawn = printer_mod.Printer(transports.parse_url(fake.url)).ticket_image(expected)
    # What reached the printer is, pixel for pixel, the kiosk's ticket of that number marked IN LẠI.
    assert printed.convert("1").tobytes() == drawn.convert("1").tobytes()
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp reads the QR back")
    assert [r.text for r in zxingcpp.read_barcodes(printed)] == [
        f"{server.base_url}/tra-cuu/so/{ticket['public_token']}"
    ]


def test_without_a_ticket_printer_reprint_is_off_and_says_why(watching, qtbot, server):
    app, page = watching, watching.window.overview
    ticket = issue(server)
    qtbot.waitUntil(lambda: numbers(app) == [ticket["number"]], timeout=WAIT_MS)
    page.select_ticket(ticket["number"])
    assert page.move_button.isEnabled() and not page.reprint_button.isEnabled()
    assert "chưa cấu hình máy in" in page.reprint_button.toolTip()


def test_a_server_gone_shows_mat_ket_noi_and_recovers_without_restart(watching, qtbot, server):
    app, page = watching, watching.window.overview
    server.stop()
    qtbot.waitUntil(page.banner.isVisible, timeout=WAIT_MS * 2)
    assert "Mất kết nối" in page.banner.text()
    assert app.window.supervisor.connection.text() == "● Mất kết nối máy chủ"
    assert not page.save_notice.isEnabled()
    server.start()
    qtbot.waitUntil(lambda: online(app), timeout=WAIT_MS * 3)
    ticket = issue(server)
    qtbot.waitUntil(lambda: numbers(app) == [ticket["number"]], timeout=WAIT_MS)


def test_the_ticket_printer_setting_takes_the_kiosk_url_forms(tmp_path):
    made = counter_config.load(
        ["--server", "http://127.0.0.1:8000", "--ticket-printer", f"preview://{tmp_path}"]
    )
    assert made.ticket_printer == f"preview://{tmp_path}"
    with pytest.raises(counter_config.ConfigError, match="ticket_printer"):
        counter_config.CounterConfig(server="http://127.0.0.1:8000", ticket_printer="fax://0912")


def test_reports_for_managers_and_administration_only_for_administrators(watching, make_counter, qtbot):
    tabs = watching.window.supervisor.tabs
    titles = [tabs.tabText(i) for i in range(tabs.count()) if tabs.isTabVisible(i)]
    assert titles == ["Tổng quan", "Báo cáo"]  # a supervisor: no administration
    # The reports tab reads the supervisor's centre.
    tabs.setCurrentWidget(watching.reports)
    with qtbot.waitSignal(watching.reports.loaded, timeout=WAIT_MS):
        qtbot.mouseClick(watching.reports.show_button, QtCore.Qt.MouseButton.LeftButton)
    assert "Trung tâm Phục vụ hành chính công" in watching.reports.heading.text()

    admin = make_counter()
    sign_in(qtbot, admin, "admin")
    qtbot.waitUntil(lambda: online(admin), timeout=WAIT_MS)
    tabs = admin.window.supervisor.tabs
    assert [tabs.tabText(i) for i in range(tabs.count()) if tabs.isTabVisible(i)] == [
        "Tổng quan",
        "Báo cáo",
        "Quản trị",
    ]
    # Opened, the administration lists the centre's set-up from the server.
    with qtbot.waitSignal(admin.admin.loaded, timeout=WAIT_MS):
        tabs.setCurrentWidget(admin.admin)


def test_a_kiosk_issuing_too_fast_is_shown_live(watching, qtbot, server):
    page = watching.window.overview
    server.clock.set(TEN_AM)
    # What the server records when it refuses a kiosk's burst (tests/server/test_floods.py).
    db = open_database(server.settings.resolved_database_url())
    try:
        with db.write() as session:
            kiosk = session.scalars(sa.select(models.Device).where(models.Device.name == "kiosk-2")).one()
            tickets.mark_flood(session, device=kiosk, now=server.clock())
    finally:
        db.dispose()
    qtbot.waitUntil(
        lambda: row_of(page.devices, "kiosk-2")[1] == "Cấp số dồn dập lúc 10:00, đã chặn bớt", timeout=WAIT_MS
    )
    assert "Thiết bị cần xử lý: " in page.summary.text()
