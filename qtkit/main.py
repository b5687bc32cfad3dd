"""The event loop of a Qt app run by a service manager or a person: quits on SIGTERM/SIGINT."""

from __future__ import annotations

import signal
from collections.abc import Callable

from PySide6 import QtCore, QtWidgets


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
