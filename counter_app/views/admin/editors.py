"""One small editor per kind of field (kinds.Widget): a widget, ``value()`` and ``set_value()``.

Values are what the API sends and takes (ids, ISO days, "HH:MM" or None). Spin boxes keep
numbers in range as they are typed; what only the server can judge comes back as a 422 and
is shown beside the field (form.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6 import QtCore, QtWidgets

from counter_app.views.admin import kinds

VI = QtCore.QLocale(QtCore.QLocale.Language.Vietnamese, QtCore.QLocale.Country.Vietnam)
INT32_MAX = 2_147_483_647
NONE_LABEL = "— Không —"


class Editor:
    """Base: ``widget`` goes into the form; ``focus`` gets the cursor when the field is wrong."""

    widget: QtWidgets.QWidget

    def __init__(self, field: kinds.Field, lookups: kinds.Lookups) -> None:
        self.field = field
        self.lookups = lookups

    @property
    def focus(self) -> QtWidgets.QWidget:
        return self.widget

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError


class TextEditor(Editor):
    def __init__(self, field: kinds.Field, lookups: kinds.Lookups) -> None:
        super().__init__(field, lookups)
        self.widget = self.edit = QtWidgets.QLineEdit()
        self.edit.setObjectName(field.key)

    def value(self) -> Any:
        text = self.edit.text().strip()
        return None if self.field.optional and not text else text

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else str(value))


class TimeEditor(TextEditor):
    def __init__(self, field: kinds.Field, lookups: kinds.Lookups) -> None:
        super().__init__(field, lookups)
        self.edit.setPlaceholderText("GG:PP")
        self.edit.setMaximumWidth(160)

    def set_value(self, value: Any) -> None:
        super().set_value(str(value)[:5] if value else "")


class PasswordEditor(TextEditor):
    """Write-only: starts empty; left empty on an update, the password stays as it is."""

    def __init__(self, field: kinds.Field, lookups: kinds.Lookups) -> None:
        super().__init__(field, lookups)
        self.edit.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)

    def value(self) -> Any:
        return self.edit.text()

    def set_value(self, value: Any) -> None:
        self.edit.clear()


class LongTextEditor(Editor):
    def __init__(self, field: kinds.Field, lookups: kinds.Lookups) -> None:
        super().__init__(field, lookups)
        self.widget = self.edit = QtWidgets.QPlainTextEdit()
        self.edit.setObjectName(field.key)
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(self.edit.fontMetrics().lineSpacing() * 4 + 34)

    def value(self) -> Any:
        text = self.edit.toPlainText().strip()
        return None if self.field.optional and not text else text

    def set_value(self, value: Any) -> None:
        self.edit.setPlainText("" if value is None else str(value))


class IntEditor(Editor):
    """An optional number (a LED address) shows "— Không —" at the bottom of its range."""

    def __init__(self, field: kinds.Field, lookups: kinds.Lookups) -> None:
        super().__init__(field, lookups)
        self.widget = self.spin = QtWidgets.QSpinBox()
        self.spin.setObjectName(field.key)
        self.spin.setLocale(VI)
        low = field.minimum - 1 if field.optional else field.minimum
        self.spin.setRange(low, min(field.maximum, INT32_MAX))
        if field.optional:
            self.spin.setSpecialValueText(NONE_LABEL)
        self.spin.setMaximumWidth(220)

    def value(self) -> Any:
        number = self.spin.value()
        return None if self.field.optional and number == self.spin.minimum() else number

    def set_value(self, value: Any) -> None:
        self.spin.setValue(self.spin.minimum() if value is None else int(value))


class MoneyEditor(IntEditor):
    """Whole đồng with dots between thousands: 200.000 đ."""

    def __init__(self, field: kinds.Field, lookups: kinds.Lookups) -> None:
        super().__init__(field, lookups)
        self.spin.setGroupSeparatorShown(True)
        self.spin.setSuffix(" đ")
        self.spin.setSingleStep(1000)
        self.spin.setMaximumWidth(260)


class DecimalEditor(Editor):
    def __init__(self, field: kinds.Field, lookups: kinds.Lookups) -> None:
        super().__init__(field, lookups)
        self.widget = self.spin = QtWidgets.QDoubleSpinBox()
        self.spin.setObjectName(field.key)
        self.spin.setLocale(VI)
        self.spin.setDecimals(2)
        self.spin.setRange(field.minimum, field.maximum)
        self.spin.setSingleStep(0.5)
        self.spin.setMaximumWidth(220)

    def value(self) -> Any:
        return round(self.spin.value(), 2)

    def set_value(self, value: Any) -> None:
        self.spin.setValue(float(value or 0))


class BoolEditor(Editor):
    def __init__(self, field: kinds.Field, lookups: kinds.Lookups) -> None:
        super().__init__(field, lookups)
        self.widget = self.box = QtWidgets.QCheckBox()
        self.box.setObjectName(field.key)

    def value(self) -> Any:
        return self.box.isChecked()

    def set_value(self, value: Any) -> None:
        self.box.setChecked(bool(value))


class ComboEditor(Editor):
    """CHOICE (fixed values) and LOOKUP (rows of another kind, shown by name)."""

    def __init__(self, field: kinds.Field, lookups: kinds.Lookups) -> None:
        super().__init__(field, lookups)
        self.widget = self.combo = QtWidgets.QComboBox()
        self.combo.setObjectName(field.key)
        self.combo.setMinimumContentsLength(16)
        self.combo.setSizeAdjustPolicy(
            QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        for wire, label in self.options():
            self.combo.addItem(label, wire)

    def options(self) -> list[tuple[Any, str]]:
        if self.field.widget is kinds.Widget.CHOICE:
            return list(self.field.choices)
        caption = kinds.KINDS[self.field.lookup].caption
        rows = [(row["id"], caption(row)) for row in self.lookups.get(self.field.lookup, [])]
        return [(None, NONE_LABEL), *rows] if self.field.optional else rows

    def value(self) -> Any:
        return self.combo.currentData()

    def set_value(self, value: Any) -> None:
        index = self.combo.findData(value)
        if index < 0 and value is not None:  # a row the lookups do not hold (yet): keep it
            self.combo.addItem(f"#{value}", value)
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(max(index, 0))


class ChecklistEditor(Editor):
    """A set of rows of another kind, ticked; ORDERED also keeps the ticked ones in order."""

    def __init__(self, field: kinds.Field, lookups: kinds.Lookups) -> None:
        super().__init__(field, lookups)
        self.list = QtWidgets.QListWidget()
        self.list.setObjectName(field.key)
        self.list.setMinimumHeight(150)
        self.widget = self.list

    def _fill(self, chosen: list[Any]) -> None:
        self.list.clear()
        caption = kinds.KINDS[self.field.lookup].caption
        rows = {row["id"]: row for row in self.lookups.get(self.field.lookup, [])}
        ordered = [i for i in chosen if i in rows] + [i for i in rows if i not in chosen]
        for row_id in ordered:
            item = QtWidgets.QListWidgetItem(caption(rows[row_id]))
            item.setData(QtCore.Qt.ItemDataRole.UserRole, row_id)
            item.setFlags(item.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
            checked = row_id in chosen
            item.setCheckState(QtCore.Qt.CheckState.Checked if checked else QtCore.Qt.CheckState.Unchecked)
            self.list.addItem(item)

    def items(self) -> list[QtWidgets.QListWidgetItem]:
        return [self.list.item(i) for i in range(self.list.count())]

    def value(self) -> Any:
        checked = QtCore.Qt.CheckState.Checked
        return [i.data(QtCore.Qt.ItemDataRole.UserRole) for i in self.items() if i.checkState() == checked]

    def set_value(self, value: Any) -> None:
        self._fill(list(value or []))

    def check(self, caption: str, on: bool = True) -> None:
        """Tick (or untick) the row shown as ``caption`` (tests and keyboard users alike)."""
        item = next(i for i in self.items() if i.text() == caption)
        item.setCheckState(QtCore.Qt.CheckState.Checked if on else QtCore.Qt.CheckState.Unchecked)


class OrderedEditor(ChecklistEditor):
    """A counter's services: ticked ones are served, top first; Lên / Xuống move the selected."""

    def __init__(self, field: kinds.Field, lookups: kinds.Lookups) -> None:
        super().__init__(field, lookups)
        self.widget = QtWidgets.QWidget()
        row = QtWidgets.QHBoxLayout(self.widget)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.list, 1)
        buttons = QtWidgets.QVBoxLayout()
        self.up = QtWidgets.QPushButton("▲ Lên")
        self.down = QtWidgets.QPushButton("▼ Xuống")
        for button, step in ((self.up, -1), (self.down, 1)):
            button.setObjectName(f"{field.key}_{'up' if step < 0 else 'down'}")
            button.clicked.connect(lambda _=False, s=step: self.move(s))
            buttons.addWidget(button)
        buttons.addStretch(1)
        row.addLayout(buttons)

    @property
    def focus(self) -> QtWidgets.QWidget:
        return self.list

    def move(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count():
            return
        item = self.list.takeItem(row)
        self.list.insertItem(target, item)
        self.list.setCurrentRow(target)


class DateEditor(Editor):
    def __init__(self, field: kinds.Field, lookups: kinds.Lookups) -> None:
        super().__init__(field, lookups)
        self.widget = self.date = QtWidgets.QDateEdit()
        self.date.setObjectName(field.key)
        self.date.setDisplayFormat("dd/MM/yyyy")
        self.date.setCalendarPopup(True)
        self.date.setMaximumWidth(220)
        self.set_value(None)

    def value(self) -> Any:
        day = self.date.date()
        return dt.date(day.year(), day.month(), day.day()).isoformat()

    def set_value(self, value: Any) -> None:
        # The default is today (a clock is no concern here: it only pre-fills the picker).
        day = dt.date.fromisoformat(str(value)) if value else dt.date.today()  # noqa: DTZ011
        self.date.setDate(QtCore.QDate(day.year, day.month, day.day))


class DocumentsEditor(Editor):
    """The procedure's papers: name, kind (bản chính / sao chứng thực / chụp) and copies per row."""

    HEADERS = ("Tên giấy tờ", "Loại", "Số bản")

    def __init__(self, field: kinds.Field, lookups: kinds.Lookups) -> None:
        super().__init__(field, lookups)
        self.widget = QtWidgets.QWidget()
        box = QtWidgets.QVBoxLayout(self.widget)
        box.setContentsMargins(0, 0, 0, 0)
        self.table = QtWidgets.QTableWidget(0, len(self.HEADERS))
        self.table.setObjectName(field.key)
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 225), (2, 80)):  # the paper's name gets the rest of the width
            header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.Fixed)
            self.table.setColumnWidth(column, width)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.table.setMinimumHeight(230)
        # Names wrap: rows grow with their text once the columns have their new width.
        self._fit_rows = QtCore.QTimer(self.table, singleShot=True, interval=0)
        self._fit_rows.timeout.connect(self.table.resizeRowsToContents)
        header.sectionResized.connect(lambda *_: self._fit_rows.start())
        box.addWidget(self.table)
        buttons = QtWidgets.QHBoxLayout()
        self.add = QtWidgets.QPushButton("Thêm giấy tờ")
        self.remove = QtWidgets.QPushButton("Xoá dòng đang chọn")
        self.add.clicked.connect(lambda: self.add_row({"name": "", "kind": "original", "copies": 1}))
        self.remove.clicked.connect(self.remove_row)
        buttons.addWidget(self.add)
        buttons.addWidget(self.remove)
        buttons.addStretch(1)
        box.addLayout(buttons)

    @property
    def focus(self) -> QtWidgets.QWidget:
        return self.table

    def add_row(self, document: dict[str, Any]) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QtWidgets.QTableWidgetItem(str(document.get("name", ""))))
        kind = QtWidgets.QComboBox()
        for wire, label in kinds.DOCUMENT_KINDS:
            kind.addItem(label, wire)
        kind.setCurrentIndex(max(kind.findData(document.get("kind", "original")), 0))
        self.table.setCellWidget(row, 1, kind)
        copies = QtWidgets.QSpinBox()
        copies.setRange(1, 99)
        copies.setValue(int(document.get("copies") or 1))
        self.table.setCellWidget(row, 2, copies)
        self.table.resizeRowToContents(row)

    def remove_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def value(self) -> Any:
        documents = []
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            kind = self.table.cellWidget(row, 1)
            copies = self.table.cellWidget(row, 2)
            assert isinstance(kind, QtWidgets.QComboBox)
            assert isinstance(copies, QtWidgets.QSpinBox)
            name = item.text().strip() if item is not None else ""
            documents.append({"name": name, "kind": kind.currentData(), "copies": copies.value()})
        return documents

    def set_value(self, value: Any) -> None:
        self.table.setRowCount(0)
        for document in value or []:
            self.add_row(document)


EDITORS: dict[kinds.Widget, type[Editor]] = {
    kinds.Widget.TEXT: TextEditor,
    kinds.Widget.LONG_TEXT: LongTextEditor,
    kinds.Widget.INT: IntEditor,
    kinds.Widget.DECIMAL: DecimalEditor,
    kinds.Widget.MONEY: MoneyEditor,
    kinds.Widget.CHOICE: ComboEditor,
    kinds.Widget.BOOL: BoolEditor,
    kinds.Widget.LOOKUP: ComboEditor,
    kinds.Widget.CHECKLIST: ChecklistEditor,
    kinds.Widget.ORDERED: OrderedEditor,
    kinds.Widget.DOCUMENTS: DocumentsEditor,
    kinds.Widget.PASSWORD: PasswordEditor,
    kinds.Widget.TIME: TimeEditor,
    kinds.Widget.DATE: DateEditor,
}


def make(field: kinds.Field, lookups: kinds.Lookups) -> Editor:
    editor = EDITORS[field.widget](field, lookups)
    editor.set_value(field.default)
    return editor
