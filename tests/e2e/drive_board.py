"""The real hall board (``display_board.app.BoardApp``): every call it features goes to the test
as an event line, as does every change of its connection."""

from __future__ import annotations

from typing import Any

from PySide6 import QtWidgets

from display_board import app as board_app
from display_board.config import BoardConfig
from display_board.state import Call
from qtkit import theme
from tests.e2e import channel
from tests.gui.board.conftest import RecordingOutput


class BoardDriver:
    def __init__(self, application: QtWidgets.QApplication, *, server: str, device_key: str, out: Any):
        theme.load_fonts()
        # Calls are featured one after another, each this long: short, so none waits long.
        config = BoardConfig(
            server=server, device_key=device_key, windowed=True, voice="off", feature_seconds=0.05
        )
        # No sound card on CI: an output that plays nothing and is done at once.
        self.app = board_app.BoardApp(config, wav_output=RecordingOutput(seconds=0))
        self.out = out
        self.app.board.featured.connect(self.on_board_featured)
        self.app.board.connection.connect(self.on_board_connection)
        self.handlers: dict[str, channel.Handler] = {"state": self.state}

    def start(self) -> None:
        self.app.start()
        self.app.window.resize(1920, 1080)

    def shutdown(self) -> None:
        self.app.shutdown()

    def on_board_featured(self, call: Call | None) -> None:
        if call is not None:
            self.out.tell(
                "featured",
                number=call.number,
                counter=call.counter_number,
                ticket_id=call.ticket_id,
                recall=call.recall,
                event_id=call.event_id,
            )

    def on_board_connection(self, status: Any) -> None:
        self.out.tell("connection", connected=status.connected, reason=status.reason)

    def state(self, request: channel.Request) -> None:
        board = self.app.board
        request.reply(
            loaded=board.state.loaded,
            connected=board.status.connected,
            streaming=board.feed.running,
            recent=[call.number for call in board.state.recent],
        )
