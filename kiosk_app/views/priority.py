"""The optional priority step: the configured groups, or a regular number."""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets

from kiosk_app import texts
from qtkit import widgets


class PriorityPage(QtWidgets.QWidget):
    """Signals:
    chosen(object): (code, name) of the group touched, or None for a regular number.
    back(): the citizen changed their mind.
    """

    chosen = QtCore.Signal(object)
    back = QtCore.Signal()

    def __init__(self, text: texts.Texts, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = text
        self._groups: tuple[tuple[str, str], ...] = ()
        self.group_buttons: dict[str, QtWidgets.QPushButton] = {}
        box = QtWidgets.QVBoxLayout(self)
        box.setSpacing(20)
        top = QtWidgets.QHBoxLayout()
        self.back_button = widgets.button("", kind="secondary", name="back")
        self.back_button.clicked.connect(self.back)
        self.service = widgets.label(name="subtitle", centre=True)
        top.addWidget(self.back_button)
        top.addWidget(self.service, 1)
        self.title = widgets.label(name="title", centre=True)
        self.hint = widgets.label(name="subtitle", centre=True)
        self._grid = QtWidgets.QGridLayout()
        self._grid.setSpacing(16)
        self.regular = widgets.button("", name="regular")
        self.regular.setMinimumHeight(160)
        self.regular.clicked.connect(lambda: self.chosen.emit(None))
        box.addLayout(top)
        for widget in (self.title, self.hint):
            box.addWidget(widget)
        box.addLayout(self._grid)
        box.addWidget(self.regular)
        box.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self._text.get("priority_title"))
        self.hint.setText(self._text.get("priority_hint"))
        self.regular.setText(self._text.get("priority_none"))
        self.back_button.setText(self._text.get("back"))

    def show_for(self, service: dict[str, Any], groups: tuple[tuple[str, str], ...]) -> None:
        self.service.setText(f"{service['letter']} · {service['name']}")
        if groups != self._groups:
            self._groups = groups
            widgets.clear_layout(self._grid)
            self.group_buttons = {}
            for index, (code, name) in enumerate(groups):
                button = widgets.button(name, kind="secondary", name=f"group-{code}")
                button.clicked.connect(lambda _=False, g=(code, name): self.chosen.emit(g))
                self.group_buttons[code] = button
                self._grid.addWidget(button, index // 2, index % 2)
