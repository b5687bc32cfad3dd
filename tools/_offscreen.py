"""Shared by the screenshot tools: import first. Qt offscreen (set before PySide6 is
imported), the work tree on sys.path, and ``spin`` to let the apps work until a condition."""

from __future__ import annotations

import os
import pathlib
import sys
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from PySide6 import QtWidgets


def spin(app: QtWidgets.QApplication, done: Callable[[], bool], seconds: float = 10.0) -> None:
    """Process events until ``done()`` or ``seconds`` pass (a screenshot, not a test: no failure)."""
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)


def main_with_server(
    shoot: Callable[[QtWidgets.QApplication, Any, pathlib.Path], None],
    style: Callable[[QtWidgets.QApplication], None],
) -> None:
    """A screenshot tool's whole main: ``style`` the application, serve a fresh database (the
    test's demo catalogue and accounts), then ``shoot(app, server, out)``. ``out`` is the first
    argument, docs/screenshots by default."""
    import tempfile

    from tests import live

    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QtWidgets.QApplication([])
    style(app)
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        with (
            live.fresh_database(folder) as url,
            live.run_server(data_dir=folder / "data", database_url=url, clock=live.Clock()) as server,
        ):
            shoot(app, server, out)
    print(f"saved in {out}")
