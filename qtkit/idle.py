"""Inactivity: a signal after some time without a touch, click or key anywhere in the app."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

_ACTIVITY = frozenset(
    {
        QtCore.QEvent.Type.MouseButtonPress,
        QtCore.QEvent.Type.TouchBegin,
        QtCore.QEvent.Type.KeyPress,
        QtCore.QEvent.Type.Wheel,
    }
)


class IdleWatcher(QtCore.QObject):
    """Watches every event of the application.

    Signals:
        idle(): ``seconds`` passed with no input since the last activity (or ``poke()``).
    """

    idle = QtCore.Signal()

    def __init__(self, seconds: float, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(int(seconds * 1000))
        self._timer.timeout.connect(self.idle)
        app = QtWidgets.QApplication.instance()
        assert app is not None, "create the QApplication first"
        app.installEventFilter(self)
        self._timer.start()

    def poke(self) -> None:
        """Count as activity (e.g. a scan arrived, or a screen was just shown)."""
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        app = QtWidgets.QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() in _ACTIVITY:
            self._timer.start()
        return False
