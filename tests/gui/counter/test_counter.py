"""The calling desk against a real server: a whole round by keys, live updates, two counters
at once, sign-in and its errors, and a dropped then restored server."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6 import QtCore

from counter_app.views import transfer
from onestop import calendar
from tests import live
from tests.gui.counter.conftest import WAIT_MS, ready

A, B = 1, 2  # demo services; counter 1 serves A, counter 8 serves F, E, A
Key = QtCore.Qt.Key


def issue(server: live.LiveServer, service_id: int = A, group: str | None = None) -> dict[str, Any]:
    reply = server.device("kiosk-1").post(
        "/tickets", json={"service_id": service_id, "priority_group": group}
    )
    assert reply.status_code == 201, reply.text
    result: dict[str, Any] = reply.json()
    return result


def press(qtbot, app, key: Key) -> None:
    qtbot.keyClick(app.window.desk, key)


def shown(app) -> str:
    return app.window.desk.number.text()


def enabled(app) -> set[str]:
    return {action for action, button in app.window.desk.buttons.items() if button.isEnabled()}


def idle(app) -> None:
    assert not app.desk.busy


def lines(app) -> dict[str, tuple[str, str]]:
    table = app.window.desk.lines
    return {
        table.item(row, 0).text(): (table.item(row, 1).text(), table.item(row, 2).text())
        for row in range(table.rowCount())
    }


def test_sign_in_through_the_form(make_counter, qtbot, server):
    app = make_counter()
    page = app.window.sign_in
    qtbot.waitUntil(lambda: page.counter.count() == 8, timeout=WAIT_MS)
    assert page.counter.itemText(0).startswith("Quầy 1 — ")
    qtbot.keyClicks(page.username, "canbo1")
    qtbot.keyClicks(page.password, "sai-mat-khau")
    qtbot.mouseClick(page.submit, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "mật khẩu" in page.note.text().lower(), timeout=WAIT_MS)
    assert app.window.stack.currentWidget() is page
    assert page.submit.isEnabled()

    page.password.clear()
    qtbot.keyClicks(page.password, live.PASSWORD)
    page.counter.setCurrentIndex(page.counter.findData(3))
    qtbot.keyClick(page.password, Key.Key_Return)
    qtbot.waitUntil(lambda: ready(app), timeout=WAIT_MS)
    assert app.window.desk.title.text() == "Quầy số 3"
    assert "Cán bộ canbo1" in app.window.desk.officer.text()
    counter = server.client().get("/counters").json()[2]
    assert (counter["number"], counter["status"], counter["officer_name"]) == (3, "open", "Cán bộ canbo1")


def test_a_whole_round_by_keys(signed_in, qtbot, server, monkeypatch):
    app = signed_in
    assert shown(app) == "—"
    assert enabled(app) == {"next", "pause", "return"}
    first, second = issue(server), issue(server)
    # Live: the kiosk's tickets show in the counter's line without any action here.
    qtbot.waitUntil(lambda: lines(app).get("A — " + _name(app, A), ("",))[0] == "2", timeout=WAIT_MS)
    assert lines(app)["A — " + _name(app, A)][1] == "A001, A002"

    press(qtbot, app, Key.Key_F1)  # Gọi tiếp
    qtbot.waitUntil(lambda: shown(app) == first["number"] and not app.desk.busy, timeout=WAIT_MS)
    assert "đã gọi 1/3 lần" in app.window.desk.state.text()
    assert enabled(app) == {"recall", "start", "transfer", "pause", "return"}  # no no-show before 3 calls
    for calls in (2, 3):
        press(qtbot, app, Key.Key_F2)  # Gọi lại
        qtbot.waitUntil(lambda c=calls: f"đã gọi {c}/3 lần" in app.window.desk.state.text(), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: idle(app), timeout=WAIT_MS)
    assert "no_show" in enabled(app)
    press(qtbot, app, Key.Key_F3)  # Vắng mặt
    qtbot.waitUntil(lambda: shown(app) == "—" and app.window.desk.no_shows.count() == 1, timeout=WAIT_MS)
    assert app.window.desk.no_shows.item(0).text() == first["number"]

    # The citizen turns up after all: taken back into their original place in the line.
    app.window.desk.no_shows.setCurrentRow(0)
    qtbot.waitUntil(lambda: idle(app), timeout=WAIT_MS)
    press(qtbot, app, Key.Key_F8)
    qtbot.waitUntil(lambda: app.window.desk.no_shows.count() == 0, timeout=WAIT_MS)
    assert f"Số {first['number']} đã được xếp lại" in app.window.desk.message.text()
    press(qtbot, app, Key.Key_F1)
    qtbot.waitUntil(lambda: shown(app) == first["number"] and not app.desk.busy, timeout=WAIT_MS)

    press(qtbot, app, Key.Key_F4)  # Bắt đầu
    qtbot.waitUntil(lambda: app.window.desk.state.text() == "Đang phục vụ", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: idle(app), timeout=WAIT_MS)
    assert enabled(app) == {"transfer", "finish", "pause", "intake", "return"}
    assert "phục vụ" in app.window.desk.times.text()
    press(qtbot, app, Key.Key_F6)  # Hoàn thành
    qtbot.waitUntil(lambda: shown(app) == "—" and not app.desk.busy, timeout=WAIT_MS)
    assert server.device("display-1").get(f"/tickets/{first['id']}").json()["status"] == "done"

    press(qtbot, app, Key.Key_F1)
    qtbot.waitUntil(lambda: shown(app) == second["number"] and not app.desk.busy, timeout=WAIT_MS)
    offered: list[list[int]] = []

    def choose_b(parent, services, *, number):
        offered.append([s["id"] for s in services])
        assert number == second["number"]
        return B

    monkeypatch.setattr(transfer.TransferDialog, "ask", classmethod(lambda cls, *a, **k: choose_b(*a, **k)))
    press(qtbot, app, Key.Key_F5)  # Chuyển
    qtbot.waitUntil(lambda: shown(app) == "—" and not app.desk.busy, timeout=WAIT_MS)
    assert A not in offered[0] and B in offered[0]
    moved = server.device("display-1").get(f"/tickets/{second['id']}").json()
    assert (moved["status"], moved["service_id"]) == ("transferred", B)

    press(qtbot, app, Key.Key_F7)  # Tạm dừng
    qtbot.waitUntil(
        lambda: "TẠM DỪNG" in app.window.desk.officer.text() and not app.desk.busy, timeout=WAIT_MS
    )
    assert app.window.desk.buttons["pause"].text().startswith("Tiếp tục")
    assert "next" not in enabled(app)
    issue(server)
    press(qtbot, app, Key.Key_F1)  # ignored while paused: nothing is called
    press(qtbot, app, Key.Key_F7)  # Tiếp tục
    qtbot.waitUntil(lambda: "next" in enabled(app), timeout=WAIT_MS)
    assert shown(app) == "—"
    assert server.client().get("/counters/1").json()["status"] == "open"

    qtbot.mouseClick(app.window.desk.close_counter, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.window.stack.currentWidget() is app.window.sign_in, timeout=WAIT_MS)
    assert app.window.sign_in.note.text() == "Đã đóng quầy."
    assert server.client().get("/counters/1").json()["status"] == "closed"


def _name(app, service_id: int) -> str:
    qt_app_services = {s["id"]: s["name"] for s in app.services}
    return qt_app_services.get(service_id, "")


def test_a_ticket_another_counter_calls_leaves_this_line(make_counter, qtbot, server):
    here = make_counter(user="canbo1", counter=1)
    there = make_counter(user="canbo2", counter=8)  # serves F, E and A
    for app in (here, there):
        qtbot.waitUntil(lambda a=app: ready(a), timeout=WAIT_MS)
    tickets = [issue(server)["number"] for _ in range(3)]
    qtbot.waitUntil(lambda: app_line(here) == ("3", ", ".join(tickets)), timeout=WAIT_MS)
    press(qtbot, there, Key.Key_F1)
    qtbot.waitUntil(lambda: shown(there) == tickets[0], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: app_line(here) == ("2", ", ".join(tickets[1:])), timeout=WAIT_MS)
    assert not here.window.desk.message.isVisible()  # no error: it is simply gone


def app_line(app) -> tuple[str, str] | None:
    return next(iter(lines(app).values()), None)


def test_two_counters_calling_at_once_never_share_a_ticket(make_counter, qtbot, server):
    one = make_counter(user="canbo1", counter=1)
    two = make_counter(user="canbo2", counter=8)
    for app in (one, two):
        qtbot.waitUntil(lambda a=app: ready(a), timeout=WAIT_MS)
    issued = {issue(server)["number"] for _ in range(8)}
    called: list[str] = []
    for _ in range(4):
        # Both requests are in flight together: the server settles who gets which number.
        press(qtbot, one, Key.Key_F1)
        press(qtbot, two, Key.Key_F1)
        for app in (one, two):
            qtbot.waitUntil(lambda a=app: shown(a) != "—" and not a.desk.busy, timeout=WAIT_MS)
            called.append(shown(app))
            press(qtbot, app, Key.Key_F4)
            qtbot.waitUntil(
                lambda a=app: a.window.desk.state.text() == "Đang phục vụ" and not a.desk.busy,
                timeout=WAIT_MS,
            )
            press(qtbot, app, Key.Key_F6)
            qtbot.waitUntil(lambda a=app: shown(a) == "—" and not a.desk.busy, timeout=WAIT_MS)
    assert len(called) == len(set(called)) == 8
    assert set(called) == issued


def test_disconnected_then_back(signed_in, qtbot, server):
    app = signed_in
    issue(server)
    qtbot.waitUntil(lambda: "next" in enabled(app), timeout=WAIT_MS)
    server.stop()
    qtbot.waitUntil(lambda: app.window.desk.connection.text().startswith("● Mất kết nối"), timeout=WAIT_MS)
    assert enabled(app) == set()
    press(qtbot, app, Key.Key_F1)  # does nothing while down, and raises nothing
    assert not app.desk.busy
    server.start()
    qtbot.waitUntil(lambda: ready(app), timeout=15000)
    qtbot.waitUntil(lambda: "next" in enabled(app), timeout=WAIT_MS)
    press(qtbot, app, Key.Key_F1)
    qtbot.waitUntil(lambda: shown(app) == "A001", timeout=WAIT_MS)


def test_an_expired_session_goes_back_to_sign_in_with_the_reason(signed_in, qtbot, server):
    app = signed_in
    issue(server)
    qtbot.waitUntil(lambda: "next" in enabled(app), timeout=WAIT_MS)
    server.clock.set(dt.datetime.now(calendar.VN_TZ) + dt.timedelta(hours=13))  # tokens last 12 h
    press(qtbot, app, Key.Key_F1)
    qtbot.waitUntil(lambda: app.window.stack.currentWidget() is app.window.sign_in, timeout=WAIT_MS)
    assert "đăng nhập lại" in app.window.sign_in.note.text()
    assert app.window.sign_in.username.text() == "canbo1"  # the officer only types the password
    assert app.desk.data is None and not app.desk.feed.running


def test_a_change_made_elsewhere_shows_at_once(signed_in, qtbot, server):
    """The counter paused from elsewhere (the officer's keypad on another PC, a script): the
    desk follows from the event stream, so its buttons never offer a refused action."""
    app = signed_in
    issue(server)
    qtbot.waitUntil(lambda: "next" in enabled(app), timeout=WAIT_MS)
    assert server.user("canbo1").post("/counters/1/pause").status_code == 200
    qtbot.waitUntil(lambda: "TẠM DỪNG" in app.window.desk.officer.text(), timeout=WAIT_MS)
    assert "next" not in enabled(app) and "pause" in enabled(app)  # F7 now resumes


def test_the_periodic_resync_catches_up_and_restarts_a_dead_stream(make_counter, qtbot, server):
    app = make_counter(user="canbo1", counter=1, resync_seconds=0.3)
    qtbot.waitUntil(lambda: ready(app), timeout=WAIT_MS)
    app.desk.feed.stop()  # as if the stream's thread had died: no event will arrive
    issue(server)
    qtbot.waitUntil(lambda: app_line(app) == ("1", "A001"), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: app.desk.feed.running, timeout=WAIT_MS)


def test_a_pc_that_signs_in_by_itself_waits_for_the_server_and_tries_again(make_counter, qtbot, server):
    server.stop()  # the counter PC starts before the server (a power cut, the morning rush)
    app = make_counter(user="canbo1", counter=1)
    page = app.window.sign_in
    qtbot.waitUntil(lambda: "Đang thử lại" in page.note.text(), timeout=WAIT_MS)
    server.start()
    qtbot.waitUntil(lambda: ready(app), timeout=WAIT_MS)
    assert app.desk.user["username"] == "canbo1"
