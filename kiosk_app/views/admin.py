"""The admin PIN and the small admin panel (test print, quit) behind it."""

from __future__ import annotations

import hmac

from PySide6 import QtWidgets

from kiosk_app import texts
from qtkit import widgets


class PinDialog(QtWidgets.QDialog):
    """Asks for the admin PIN on an on-screen number pad."""

    def __init__(self, text: texts.Texts, pin: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._pin = pin
        self._text = text
        self.setWindowTitle(text.get("pin_title"))
        box = QtWidgets.QVBoxLayout(self)
        box.addWidget(widgets.label(text.get("pin_title"), name="title", centre=True))
        self.entry = QtWidgets.QLineEdit()
        self.entry.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.entry.returnPressed.connect(self.check)
        box.addWidget(self.entry)
        self.error = widgets.label("", name="alarm", centre=True)
        self.error.hide()
        box.addWidget(self.error)
        pad = QtWidgets.QGridLayout()
        for index, key in enumerate("123456789"):
            pad.addWidget(self._key(key), index // 3, index % 3)
        pad.addWidget(self._key("⌫"), 3, 0)
        pad.addWidget(self._key("0"), 3, 1)
        ok = widgets.button(text.get("pin_ok"), name="pin-ok")
        ok.clicked.connect(self.check)
        pad.addWidget(ok, 3, 2)
        box.addLayout(pad)
        cancel = widgets.button(text.get("cancel"), kind="secondary", name="pin-cancel")
        cancel.clicked.connect(self.reject)
        box.addWidget(cancel)

    @classmethod
    def ask(cls, parent: QtWidgets.QWidget, text: texts.Texts, pin: str) -> bool:
        """True when the right PIN was entered (tests monkeypatch this)."""
        return cls(text, pin, parent).exec() == QtWidgets.QDialog.DialogCode.Accepted

    def check(self) -> None:
        if hmac.compare_digest(self.entry.text().encode(), self._pin.encode()):
            self.accept()
        else:
            self.entry.clear()
            self.error.setText(self._text.get("pin_wrong"))
            self.error.show()

    def _key(self, key: str) -> QtWidgets.QPushButton:
        button = widgets.button(key, kind="key")
        button.clicked.connect(lambda: self.entry.backspace() if key == "⌫" else self.entry.insert(key))
        return button


class AdminDialog(QtWidgets.QDialog):
    """What the person who looks after the kiosk may do. ``choice`` is "test", "quit" or ""."""

    def __init__(self, text: texts.Texts, printer_line: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice = ""
        self.setWindowTitle(text.get("admin_title"))
        box = QtWidgets.QVBoxLayout(self)
        box.addWidget(widgets.label(text.get("admin_title"), name="title", centre=True))
        box.addWidget(widgets.label(printer_line))
        for key, choice in (("admin_test", "test"), ("admin_quit", "quit")):
            button = widgets.button(text.get(key), name=f"admin-{choice}")
            button.clicked.connect(lambda _=False, c=choice: self._choose(c))
            box.addWidget(button)
        cancel = widgets.button(text.get("cancel"), kind="secondary")
        cancel.clicked.connect(self.reject)
        box.addWidget(cancel)

    @classmethod
    def ask(cls, parent: QtWidgets.QWidget, text: texts.Texts, printer_line: str) -> str:
        dialog = cls(text, printer_line, parent)
        dialog.exec()
        return dialog.choice

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()
