"""Wiring: the API client, the announcer, the board model and the window.

``BoardApp(config)`` builds everything (tests pass their own API client and sound outputs);
``start()`` shows the window and begins reading; ``shutdown()`` stops the stream, the
timers and the workers before the window goes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6 import QtCore

from apiclient import client as api_client
from display_board import announcer as announcer_mod
from display_board import board as board_mod
from display_board.config import BoardConfig
from display_board.views.window import BoardWindow
from qtkit import tasks


class BoardApp(QtCore.QObject):
    def __init__(
        self,
        config: BoardConfig,
        *,
        api: api_client.Client | None = None,
        wav_output: Any = None,
        speech_output: Any = None,
        clock: Callable[[], dt.datetime] = board_mod._now,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.config = config
        self.api = api or api_client.Client(config.server, secret=config.device_key, timeout=5.0)
        self.runner = tasks.Runner(workers=2, parent=self)
        self.announcer = announcer_mod.Announcer(
            config, wav_output=wav_output, speech_output=speech_output, clock=clock, parent=self
        )
        self.board = board_mod.Board(
            config, api=self.api, announcer=self.announcer, runner=self.runner, clock=clock, parent=self
        )
        self.window = BoardWindow(self.board, clock=clock)

    def start(self) -> None:
        if self.config.windowed:
            self.window.resize(1280, 720)
            self.window.show()
        else:
            self.window.showFullScreen()
        self.board.start()
        self.board.resync()  # the first "alive" report at once, not a minute later

    def shutdown(self) -> None:
        self.board.stop()
        self.runner.close()
        self.api.close()
        self.window.close()
