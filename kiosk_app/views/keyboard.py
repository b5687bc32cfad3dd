"""An on-screen keyboard for a touch kiosk: letters in alphabetical order (people who never
type find A–Z faster than QWERTY), no accents needed (search ignores them), digits and the
dossier code's "." and "-" when asked for. Seven keys a row keep every key ≥ 120 px wide even
on a 1080-px portrait screen."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from qtkit import widgets

COLUMNS = 7
WIDE_COLUMNS = 14  # landscape: the keyboard spans the screen below the answers
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CODE_KEYS = "1234567890.-"
BACKSPACE = "⌫"


class Keyboard(QtWidgets.QWidget):
    """Types into the QLineEdit given to ``attach``.

    Signals:
        typed(): the text changed through a key.
    """

    typed = QtCore.Signal()

    def __init__(self, *, digits: bool, space_text: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._target: QtWidgets.QLineEdit | None = None
        self._grid = QtWidgets.QGridLayout(self)
        self._grid.setSpacing(8)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._keys = [self._key(key, key) for key in (CODE_KEYS if digits else "") + LETTERS]
        self.space = self._key(space_text, " ")
        self.backspace = self._key(BACKSPACE, "\b")
        self._columns = 0
        self.set_columns(COLUMNS)

    def set_columns(self, columns: int) -> None:
        """Seven keys a row on a portrait screen; fourteen (half the rows) on a landscape one."""
        if columns == self._columns:
            return
        self._columns = columns
        for key in (*self._keys, self.space, self.backspace):
            self._grid.removeWidget(key)
        for index, key in enumerate(self._keys):
            self._grid.addWidget(key, index // columns, index % columns)
        row, col = divmod(len(self._keys), columns)
        if col + 3 > columns:  # space needs two cells, backspace one
            row, col = row + 1, 0
        self._grid.addWidget(self.space, row, col, 1, max(2, columns - col - 1))
        self._grid.addWidget(self.backspace, row, columns - 1)

    def attach(self, target: QtWidgets.QLineEdit) -> None:
        self._target = target

    def set_space_text(self, text: str) -> None:
        self.space.setText(text)

    def _key(self, text: str, value: str) -> QtWidgets.QPushButton:
        key = widgets.button(text, kind="key")
        key.setObjectName(f"key-{value!r}")
        key.clicked.connect(lambda: self._press(value))
        return key

    def _press(self, value: str) -> None:
        if self._target is None:
            return
        if value == "\b":
            self._target.backspace()
        else:
            self._target.insert(value)
        self.typed.emit()
