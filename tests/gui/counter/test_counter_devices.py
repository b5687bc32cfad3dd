"""The counter app with its LED display and call keypad on a socat pty pair (the fake qms device
on the other end): keys act like the F-keys, and the board shows what the hall should see."""

from __future__ import annotations

import collections.abc
import queue

import pytest
from PySide6 import QtCore

from tests.gui.counter.conftest import WAIT_MS, ready
from tests.gui.counter.test_counter import enabled, issue, shown
from tests.hardware import fakedevice

ADDRESS = 1  # counter 1's display address in the demo catalogue


@pytest.fixture
def board(pty_pair: tuple[str, str]) -> collections.abc.Iterator[tuple[str, fakedevice.FakeDevice]]:
    with fakedevice.FakeDevice(pty_pair[1], addresses=(ADDRESS,)) as fake:
        yield pty_pair[0], fake


class Seen:
    """The frames the fake board received, collected without blocking the Qt event loop."""

    def __init__(self, fake: fakedevice.FakeDevice) -> None:
        self.fake = fake
        self.frames: list[tuple[int, str, str]] = []

    def __call__(self) -> list[tuple[int, str, str]]:
        while True:
            try:
                self.frames.append(self.fake.frames.get_nowait())
            except queue.Empty:
                return self.frames

    def wait_for(self, qtbot, *expected: tuple[str, str]) -> None:
        """Wait until the board got exactly these (command, payload) frames since the last wait."""

        def arrived() -> None:
            assert [(c, p) for _, c, p in self()] == list(expected)

        qtbot.waitUntil(arrived, timeout=WAIT_MS)
        assert {address for address, _, _ in self.frames} == {ADDRESS}
        self.frames.clear()


def key(fake: fakedevice.FakeDevice, name: str, seq: int) -> None:
    fake.send(fakedevice.frame(ADDRESS, "K", f"{name};{seq}"))


def test_keypad_and_board_follow_the_counter(make_counter, qtbot, server, board):
    host, fake = board
    seen = Seen(fake)
    app = make_counter(user="canbo1", counter=1, display=host, keypad=host)
    qtbot.waitUntil(lambda: ready(app), timeout=WAIT_MS)
    seen.wait_for(qtbot, ("P", ""))  # the start-up ping: the board is there
    first = issue(server)
    qtbot.waitUntil(lambda: "next" in enabled(app), timeout=WAIT_MS)

    key(fake, "NEXT", 1)
    qtbot.waitUntil(lambda: shown(app) == first["number"], timeout=WAIT_MS)
    seen.wait_for(qtbot, ("N", f"{first['number']};1"), ("B", "3"))
    qtbot.keyClick(app.window.desk, QtCore.Qt.Key.Key_F2)  # a recall from the keyboard
    seen.wait_for(qtbot, ("N", f"{first['number']};1"), ("B", "3"))
    qtbot.waitUntil(lambda: "đã gọi 2/3 lần" in app.window.desk.state.text(), timeout=WAIT_MS)

    key(fake, "START", 2)
    qtbot.waitUntil(lambda: app.window.desk.state.text() == "Đang phục vụ", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not app.desk.busy, timeout=WAIT_MS)
    key(fake, "FINISH", 3)
    qtbot.waitUntil(lambda: shown(app) == "—", timeout=WAIT_MS)
    seen.wait_for(qtbot, ("C", ""))
    assert server.device("display-1").get(f"/tickets/{first['id']}").json()["status"] == "done"

    qtbot.waitUntil(lambda: not app.desk.busy, timeout=WAIT_MS)
    key(fake, "PAUSE", 4)
    seen.wait_for(qtbot, ("T", "Tam dung"))
    assert server.client().get("/counters/1").json()["status"] == "paused"
    key(fake, "RESUME", 5)
    seen.wait_for(qtbot, ("C", ""))
    qtbot.waitUntil(lambda: "next" in enabled(app), timeout=WAIT_MS)
    assert not app.window.desk.devices.isVisible()


def test_keypad_transfer_to_another_counter(make_counter, qtbot, server, board):
    host, fake = board
    app = make_counter(user="canbo1", counter=1, display=host, keypad=host)
    qtbot.waitUntil(lambda: ready(app), timeout=WAIT_MS)
    ticket = issue(server)
    qtbot.waitUntil(lambda: "next" in enabled(app), timeout=WAIT_MS)
    key(fake, "NEXT", 1)
    qtbot.waitUntil(lambda: shown(app) == ticket["number"] and not app.desk.busy, timeout=WAIT_MS)
    for seq, name in enumerate(("TRANSFER", "2", "ENTER"), start=2):  # counter 2 serves B
        key(fake, name, seq)
    qtbot.waitUntil(lambda: shown(app) == "—", timeout=WAIT_MS)
    moved = server.device("display-1").get(f"/tickets/{ticket['id']}").json()
    assert (moved["status"], moved["service_id"]) == ("transferred", 2)


def test_a_silent_board_is_shown_to_the_officer(make_counter, qtbot, server, board):
    host, fake = board
    fake.default = "SILENT"
    app = make_counter(user="canbo1", counter=1, display=host)
    qtbot.waitUntil(lambda: ready(app), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: app.window.desk.devices.text() == "Bảng LED quầy không trả lời.", timeout=WAIT_MS)
    assert app.window.desk.devices.isVisible()
    fake.default = "ACK"
    issue(server)
    qtbot.waitUntil(lambda: "next" in enabled(app), timeout=WAIT_MS)
    qtbot.keyClick(app.window.desk, QtCore.Qt.Key.Key_F1)  # the calls still work, and the board is back
    qtbot.waitUntil(lambda: not app.window.desk.devices.isVisible(), timeout=WAIT_MS)
    assert shown(app) == "A001"
