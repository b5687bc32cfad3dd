"""The tracking book (Sổ theo dõi hồ sơ): a date range and a field, exported as PDF or spreadsheet."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6 import QtCore, QtWidgets


def _date_edit(day: dt.date, name: str) -> QtWidgets.QDateEdit:
    edit = QtWidgets.QDateEdit(QtCore.QDate(day.year, day.month, day.day))
    edit.setObjectName(name)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    return edit


class BookDialog(QtWidgets.QDialog):
    """Signals:
    export_requested(str): "pdf" or "xlsx", for the range and field chosen (read them with
        ``start()``, ``end()``, ``field()``).
    """

    export_requested = QtCore.Signal(str)

    def __init__(
        self, agencies: list[dict[str, Any]], *, today: dt.date, parent: QtWidgets.QWidget | None = None
    ):
        super().__init__(parent)
        self.setWindowTitle("Sổ theo dõi hồ sơ")
        form = QtWidgets.QFormLayout(self)
        self.start_edit = _date_edit(today.replace(day=1), "start")
        self.end_edit = _date_edit(today, "end")
        form.addRow("Từ ngày", self.start_edit)
        form.addRow("Đến ngày", self.end_edit)
        self.field_box = QtWidgets.QComboBox()
        self.field_box.setObjectName("field")
        self.field_box.addItem("Tất cả lĩnh vực", None)
        for agency in agencies:
            for field in agency["fields"]:
                self.field_box.addItem(f"{field['name']} ({agency['name']})", (field["id"], field["name"]))
        form.addRow("Lĩnh vực", self.field_box)
        row = QtWidgets.QHBoxLayout()
        for kind, text in (("pdf", "Xuất PDF"), ("xlsx", "Xuất Excel")):
            button = QtWidgets.QPushButton(text)
            button.setObjectName(kind)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, k=kind: self.export_requested.emit(k))
            row.addWidget(button)
        form.addRow(row)
        self.note = QtWidgets.QLabel()
        self.note.setObjectName("note")
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.note)
        self.resize(640, 260)

    def start(self) -> dt.date:
        return self.start_edit.date().toPython()  # type: ignore[return-value]

    def end(self) -> dt.date:
        return self.end_edit.date().toPython()  # type: ignore[return-value]

    def field(self) -> tuple[int, str] | None:
        chosen = self.field_box.currentData()
        return None if chosen is None else (int(chosen[0]), str(chosen[1]))

    def show_message(self, text: str) -> None:
        self.note.setText(text)
