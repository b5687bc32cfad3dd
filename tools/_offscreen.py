"""Shared by the screenshot tools: import first. Qt offscreen (set before PySide6 is
imported), the work tree on sys.path, and ``spin`` to let the apps work until a condition."""

from __future__ import annotations

import os
import pathlib
import sys
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from PySide6 import QtWidgets


def spin(app: QtWidgets.QApplication, done: Callable[[], bool], seconds: float = 10.0) -> None:
    """Process events until ``done()`` or ``seconds`` pass (a screenshot, not a test: no failure)."""
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
