"""The kiosk's one window: header, status banner, and the pages in a stack."""

from __future__ import annotations

import datetime as dt

from PySide6 import QtCore, QtGui, QtWidgets

from kiosk_app import texts
from kiosk_app.views import dossier, home, keyboard, priority, procedures, ticket
from onestop import calendar
from qtkit import widgets


class KioskWindow(QtWidgets.QMainWindow):
    """Signals:
    language_toggled(): the citizen touched the language button.
    admin_wanted(): the settings button, Esc, or closing the window (asks for the PIN).
    """

    language_toggled = QtCore.Signal()
    admin_wanted = QtCore.Signal()

    def __init__(self, text: texts.Texts, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = text
        self.may_close = False
        self._screen: QtGui.QScreen | None = None
        self.setWindowTitle("Ki-ốt lấy số thứ tự")
        central = QtWidgets.QWidget()
        box = QtWidgets.QVBoxLayout(central)
        box.setContentsMargins(24, 16, 24, 16)
        header = QtWidgets.QHBoxLayout()
        titles = QtWidgets.QVBoxLayout()
        self.centre_title = widgets.label(name="header_title", wrap=False)
        self.centre_name = widgets.label(wrap=False)
        self.clock = widgets.label(wrap=False)
        for part in (self.centre_title, self.centre_name, self.clock):
            # Long names must not widen the window past a portrait screen.
            part.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred)
            titles.addWidget(part)
        header.addLayout(titles, 1)
        self.language = widgets.button("", kind="secondary", name="language")
        self.language.clicked.connect(self.language_toggled)
        header.addWidget(self.language, 0, QtCore.Qt.AlignmentFlag.AlignTop)
        self.settings = widgets.button("⚙", kind="secondary", name="settings")
        self.settings.clicked.connect(self.admin_wanted)
        header.addWidget(self.settings, 0, QtCore.Qt.AlignmentFlag.AlignTop)
        box.addLayout(header)
        self.banner = widgets.label(name="alarm", centre=True)
        self.banner.hide()
        box.addWidget(self.banner)
        self.stack = QtWidgets.QStackedWidget()
        self.home = home.HomePage(text)
        self.priority = priority.PriorityPage(text)
        self.ticket = ticket.TicketPage(text)
        self.procedures = procedures.ProceduresPage(text)
        self.dossier = dossier.DossierPage(text)
        for page in (self.home, self.priority, self.ticket, self.procedures, self.dossier):
            self.stack.addWidget(page)
        box.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._clock_timer = QtCore.QTimer(self)
        self._clock_timer.timeout.connect(self._tick)
        self._clock_timer.start(1000)
        self._tick()
        self.retranslate()

    def retranslate(self) -> None:
        self.centre_title.setText(self._text.get("centre"))
        self.language.setText(self._text.get("language"))
        for page in (self.home, self.priority, self.ticket, self.procedures, self.dossier):
            page.retranslate()

    def show_page(self, page: QtWidgets.QWidget) -> None:
        self.stack.setCurrentWidget(page)

    def set_banner(self, message: str | None) -> None:
        self.banner.setText(message or "")
        self.banner.setVisible(bool(message))

    def set_portrait(self, portrait: bool) -> None:
        """Lay the pages out for a portrait (1080×1920) or landscape (1920×1080) screen. Call it
        before resizing to the other shape: a window never shrinks below its pages' minimum."""
        self.home.set_columns(2 if portrait else 3)
        self.ticket.set_portrait(portrait)
        for board in (self.procedures.keyboard, self.dossier.keyboard):
            board.set_columns(keyboard.COLUMNS if portrait else keyboard.WIDE_COLUMNS)

    def fit_screen(self) -> None:
        """Follow the screen's shape, now and when it turns. Not the window's: a window held
        at its minimum size by one layout would flip to the other and back."""
        screen = self.screen()
        if screen is not self._screen:
            if self._screen is not None:
                self._screen.geometryChanged.disconnect(self.fit_screen)
            screen.geometryChanged.connect(self.fit_screen)
            self._screen = screen
        geometry = screen.availableGeometry()
        self.set_portrait(geometry.height() > geometry.width())

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802 (Qt API)
        if event.key() == QtCore.Qt.Key.Key_Escape:
            self.admin_wanted.emit()
        else:
            super().keyPressEvent(event)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 (Qt API)
        if self.may_close:
            event.accept()
        else:  # Alt+F4 and the like: only with the PIN
            event.ignore()
            self.admin_wanted.emit()

    def _tick(self) -> None:
        now = dt.datetime.now(calendar.VN_TZ)
        self.clock.setText(f"{now:%H:%M} · {now:%d/%m/%Y}")
