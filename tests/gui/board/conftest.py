"""Hall boards against a real server on 127.0.0.1, with sound outputs that record."""

from __future__ import annotations

import collections.abc
import datetime as dt
from typing import Any

import pytest
from PySide6 import QtCore, QtWidgets

from display_board import app as board_app
from display_board.config import BoardConfig
from qtkit import theme
from tests import live
from tests.server import checks

WAIT_MS = 5000
COUNTER_SERVICES = {1: "A", 2: "B", 3: "C", 4: "C", 5: "D", 6: "D", 7: "E", 8: "F"}  # demo catalogue


class RecordingOutput(QtCore.QObject):
    """A sound device that keeps what it is given and takes ``seconds`` to "play" it."""

    finished = QtCore.Signal()
    failed = QtCore.Signal(str)

    def __init__(self, seconds: float = 0.15) -> None:
        super().__init__()
        self.played: list[bytes] = []
        self.playing = False
        self.overlapped = False
        self.volume: float | None = None
        self._timer = QtCore.QTimer(self, singleShot=True, interval=round(seconds * 1000))
        self._timer.timeout.connect(self._done)

    def available(self) -> bool:
        return True

    def set_volume(self, volume: float) -> None:
        self.volume = volume

    def play(self, wav: bytes) -> None:
        self.overlapped |= self.playing
        self.playing = True
        self.played.append(wav)
        self._timer.start()

    def stop(self) -> None:
        if self.playing:
            self._timer.stop()
            self._done()

    def _done(self) -> None:
        self.playing = False
        self.finished.emit()


class Clock:
    """The board's own clock: real time plus what a test adds."""

    def __init__(self) -> None:
        self.shift = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC).astimezone() + self.shift


@pytest.fixture
def make_board(
    qtbot, qapp: QtWidgets.QApplication, server: live.LiveServer
) -> collections.abc.Iterator[collections.abc.Callable[..., board_app.BoardApp]]:
    """Builds started boards (windowed, 1920×1080 unless told) and shuts them down after.

    Each has ``.said``: (Call, plan) for every announcement started, and ``.output``.
    """
    theme.load_fonts()
    made: list[board_app.BoardApp] = []

    def make(
        *, size: tuple[int, int] = (1920, 1080), clock: Any = None, **overrides: Any
    ) -> board_app.BoardApp:
        values: dict[str, Any] = {
            "server": server.base_url,
            "device_key": server.device_keys["display-1"],
            "windowed": True,
            "feature_seconds": 0.3,
        }
        values.update(overrides)
        output = RecordingOutput()
        extra = {"clock": clock} if clock is not None else {}
        app = board_app.BoardApp(BoardConfig(**values), wav_output=output, **extra)
        app.output = output  # type: ignore[attr-defined]
        app.said = []  # type: ignore[attr-defined]
        app.announcer.started.connect(lambda call, plan: app.said.append((call, plan)))  # type: ignore[attr-defined]
        made.append(app)
        qtbot.addWidget(app.window, before_close_func=lambda _window: app.shutdown())
        app.start()
        app.window.resize(*size)
        return app

    yield make
    for app in made:
        app.shutdown()


def connected(app: board_app.BoardApp) -> None:
    """Loaded and streaming (for qtbot.waitUntil)."""
    assert app.board.state.loaded
    assert app.board.status.connected, app.board.status
    assert app.board.feed.running


class Hall:
    """Officers at counters and a kiosk, through the real API."""

    def __init__(self, server: live.LiveServer) -> None:
        self.server = server
        api = checks.Api(server)
        self.kiosk = api.device("kiosk-1")
        self.counter_ids = api.counters()
        self.service_ids = api.services()  # by code, which is the letter in the demo catalogue
        self.officers: dict[int, Any] = {}

    def open(self, number: int, username: str) -> None:
        officer = self.server.user(username)
        reply = officer.post(f"/counters/{self.counter_ids[number]}/open")
        assert reply.status_code == 200, reply.text
        self.officers[number] = officer

    def issue(self, letter: str, priority_group: str | None = None) -> dict[str, Any]:
        body = {"service_id": self.service_ids[letter], "priority_group": priority_group}
        reply = self.kiosk.post("/tickets", json=body)
        assert reply.status_code == 201, reply.text
        return reply.json()

    def call_next(self, number: int) -> dict[str, Any]:
        reply = self.officers[number].post(f"/counters/{self.counter_ids[number]}/call-next")
        assert reply.status_code == 200, reply.text
        return reply.json()

    def ticket_action(self, number: int, ticket_id: int, action: str) -> dict[str, Any]:
        reply = self.officers[number].post(f"/tickets/{ticket_id}/{action}")
        assert reply.status_code == 200, reply.text
        return reply.json()


@pytest.fixture
def hall(server: live.LiveServer) -> Hall:
    return Hall(server)
