"""Scanned codes, from a keyboard-wedge scanner (a fast burst of keys ending in Enter, seen
anywhere in the app) or a scanner in serial mode."""

from __future__ import annotations

import logging
import time

from PySide6 import QtCore, QtGui, QtWidgets

from hardware import display, scanner
from onestop import dossier

log = logging.getLogger(__name__)


class ScanWatcher(QtCore.QObject):
    """Signals:
    scanned(str): the text of a scan (typing by hand never gives one).
    """

    scanned = QtCore.Signal(str)

    def __init__(self, *, serial_url: str | None = None, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._bursts = scanner.BurstDetector(accept=lambda text: dossier.find_code(text) is not None)
        self._serial: scanner.SerialScanner | None = None
        app = QtWidgets.QApplication.instance()
        assert app is not None, "create the QApplication first"
        app.installEventFilter(self)
        if serial_url:
            self.open_serial(serial_url)

    def open_serial(self, url: str) -> None:
        try:
            port = display.open_port(url, timeout=0.2)
        except display.DeviceError as exc:
            log.error("scanner %s: %s", url, exc)
            return
        # on_scan runs on the reader thread: a signal carries it to the GUI thread.
        self._serial = scanner.SerialScanner(port=port, on_scan=self.scanned.emit, name=url)

    def stop(self) -> None:
        app = QtWidgets.QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        if self._serial is not None:
            self._serial.close()
            self._serial = None

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() != QtCore.QEvent.Type.KeyPress or not _receiver(watched):
            return False
        assert isinstance(event, QtGui.QKeyEvent)
        key = event.text() or (
            "\r" if event.key() in (QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter) else ""
        )
        code = self._bursts.feed(key, time.monotonic())
        if code is None:
            return False
        self.scanned.emit(code)
        return True  # the Enter that ended the scan: no widget should act on it as well


def _receiver(watched: QtCore.QObject) -> bool:
    """True once per key: the filter also sees the key on its way through the QWindow and
    again at each parent it propagates to; only the widget it is meant for counts."""
    if not isinstance(watched, QtWidgets.QWidget):
        return False
    focus = QtWidgets.QApplication.focusWidget()
    return watched is focus or (focus is None and watched.isWindow())
