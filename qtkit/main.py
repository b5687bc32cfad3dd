"""The event loop of a Qt app run by a service manager or a person: quits on SIGTERM/SIGINT."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from PySide6 import QtCore, QtWidgets

from qtkit import settings

Config = TypeVar("Config")


class App(Protocol):
    def start(self) -> None: ...
    def shutdown(self) -> None: ...


def launch(
    prog: str,
    argv: list[str] | None,
    *,
    load: Callable[[list[str] | None], Config],
    style: Callable[[QtWidgets.QApplication], Any],
    build: Callable[[Config], App],
) -> int:
    """The whole of an app's ``main``: settings (exit 2 naming the mistake), the Qt
    application and its style, the app started, then :func:`run` until told to stop."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = load(argv)
    except settings.ConfigError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    application = QtWidgets.QApplication(sys.argv[:1])
    style(application)
    app = build(config)
    app.start()
    return run(application, shutdown=app.shutdown)


def run(application: QtWidgets.QApplication, *, shutdown: Callable[[], object]) -> int:
    """``application.exec()``; SIGTERM or Ctrl+C quit the loop; ``shutdown()`` runs in any case."""
    for number in (signal.SIGTERM, signal.SIGINT):
        # exit(), not quit(): since Qt 6 quit() first asks every window to close, and a kiosk
        # window refuses (it wants the admin PIN), so a service manager could never stop it.
        signal.signal(number, lambda *_: application.exit(0))
    # Python runs signal handlers between bytecodes only: a timer lets it in while Qt waits.
    wake = QtCore.QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(500)
    try:
        return application.exec()
    finally:
        wake.stop()
        shutdown()
