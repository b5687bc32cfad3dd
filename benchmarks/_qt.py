"""Shared by the benchmarks that drive a Qt app offscreen."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from PySide6 import QtCore, QtWidgets


def quiet_offscreen(mode: QtCore.QtMsgType, context: QtCore.QMessageLogContext, message: str) -> None:
    if "propagateSizeHints" not in message:  # the offscreen platform's note on each size change
        print(message, file=sys.stderr)


def wait_for(app: QtWidgets.QApplication, done: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out after {timeout:g} s waiting for {what}")
        app.processEvents()
        time.sleep(0.001)  # let the worker and server threads run; a poll with a deadline
