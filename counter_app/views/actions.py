"""What an officer may do to a received dossier besides returning it: ask for more papers
(Mẫu 02), refuse it (Mẫu 03), or extend its due date once (Mẫu 04)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6 import QtCore, QtWidgets

from onestop import calendar, dossier
from onestop.enums import DocumentKind

ONCE = (
    "Theo quy định, cán bộ chỉ hướng dẫn bổ sung, hoàn thiện hồ sơ một lần: "
    "hãy ghi đủ mọi giấy tờ cần bổ sung hoặc sửa đổi trước khi in phiếu."
)


def _buttons(dialog: QtWidgets.QDialog, ok: str) -> QtWidgets.QDialogButtonBox:
    buttons = QtWidgets.QDialogButtonBox()
    submit = buttons.addButton(ok, QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
    submit.setObjectName("submit")
    cancel = buttons.addButton("Hủy", QtWidgets.QDialogButtonBox.ButtonRole.RejectRole)
    for button in (submit, cancel):
        button.setAutoDefault(False)  # Enter in a text field must not send the form
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class SupplementDialog(QtWidgets.QDialog):
    """The papers to add or fix (ticked from the procedure's list, or written in) and the reason."""

    def __init__(
        self, found: dict[str, Any], papers: list[dict[str, Any]], parent: QtWidgets.QWidget | None = None
    ):
        super().__init__(parent)
        self.setWindowTitle(f"Yêu cầu bổ sung hồ sơ {found['code']}")
        box = QtWidgets.QVBoxLayout(self)
        once = QtWidgets.QLabel(ONCE)
        once.setWordWrap(True)
        once.setObjectName("once")
        box.addWidget(once)
        self.items = QtWidgets.QTableWidget(0, 3)
        self.items.setObjectName("items")
        self.items.setHorizontalHeaderLabels(["Giấy tờ cần bổ sung, hoàn thiện", "Loại", "Ghi chú"])
        self.items.horizontalHeader().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.items.verticalHeader().hide()
        for paper in papers:
            self.add_item(paper["name"], DocumentKind(paper["kind"]), paper.get("copies", 1), checked=False)
        box.addWidget(self.items, 1)
        row = QtWidgets.QHBoxLayout()
        self.other = QtWidgets.QLineEdit()
        self.other.setObjectName("other")
        self.other.setPlaceholderText("Giấy tờ khác…")
        add = QtWidgets.QPushButton("Thêm")
        add.setAutoDefault(False)
        add.clicked.connect(self._add_other)
        self.other.returnPressed.connect(self._add_other)
        row.addWidget(self.other, 1)
        row.addWidget(add)
        box.addLayout(row)
        box.addWidget(QtWidgets.QLabel("Lý do"))
        self.reason = QtWidgets.QPlainTextEdit()
        self.reason.setObjectName("reason")
        self.reason.setMaximumHeight(100)
        box.addWidget(self.reason)
        self.note = QtWidgets.QLabel()
        self.note.setObjectName("note")
        box.addWidget(self.note)
        box.addWidget(_buttons(self, "Gửi yêu cầu và in Mẫu 02"))
        self.resize(900, 600)

    def add_item(self, name: str, kind: DocumentKind, copies: int, *, checked: bool) -> None:
        row = self.items.rowCount()
        self.items.insertRow(row)
        item = QtWidgets.QTableWidgetItem(name)
        item.setFlags(QtCore.Qt.ItemFlag.ItemIsUserCheckable | QtCore.Qt.ItemFlag.ItemIsEnabled)
        item.setCheckState(QtCore.Qt.CheckState.Checked if checked else QtCore.Qt.CheckState.Unchecked)
        item.setData(QtCore.Qt.ItemDataRole.UserRole, (kind.value, copies))
        self.items.setItem(row, 0, item)
        self.items.setItem(row, 1, QtWidgets.QTableWidgetItem(dossier.DOCUMENT_KIND_NAMES_VI[kind]))
        self.items.setItem(row, 2, QtWidgets.QTableWidgetItem(""))

    def _add_other(self) -> None:
        if self.other.text().strip():
            self.add_item(self.other.text().strip(), DocumentKind.ORIGINAL, 1, checked=True)
            self.other.clear()

    def body(self) -> dict[str, Any]:
        items = []
        for row in range(self.items.rowCount()):
            item, note = self.items.item(row, 0), self.items.item(row, 2)
            if item is None or item.checkState() != QtCore.Qt.CheckState.Checked:
                continue
            kind, copies = item.data(QtCore.Qt.ItemDataRole.UserRole)
            entry = {"name": item.text(), "kind": kind, "copies": copies}
            if note is not None and note.text().strip():
                entry["note"] = note.text().strip()
            items.append(entry)
        return {"items": items, "reason": self.reason.toPlainText().strip()}

    def accept(self) -> None:
        body = self.body()
        if not body["items"] or not body["reason"]:
            self.note.setText("Cần ít nhất một giấy tờ và lý do.")
            return
        super().accept()


class ReasonDialog(QtWidgets.QDialog):
    """One reason, required (refusal)."""

    def __init__(self, title: str, ok: str, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        box = QtWidgets.QVBoxLayout(self)
        box.addWidget(QtWidgets.QLabel("Lý do cụ thể"))
        self.reason = QtWidgets.QPlainTextEdit()
        self.reason.setObjectName("reason")
        box.addWidget(self.reason)
        box.addWidget(_buttons(self, ok))
        self.resize(700, 300)

    def body(self) -> dict[str, Any]:
        return {"reason": self.reason.toPlainText().strip()}

    def accept(self) -> None:
        if self.body()["reason"]:
            super().accept()


class ExtendDialog(ReasonDialog):
    """The reason and the new due time (once per dossier, at least a day before the due date)."""

    def __init__(self, found: dict[str, Any], parent: QtWidgets.QWidget | None = None):
        super().__init__(f"Gia hạn hồ sơ {found['code']}", "Gia hạn và in Mẫu 04", parent)
        due = dt.datetime.fromisoformat(found["due_at"]).astimezone(calendar.VN_TZ)
        self.new_due = QtWidgets.QDateTimeEdit()
        self.new_due.setObjectName("new_due")
        self.new_due.setDisplayFormat("HH:mm dd/MM/yyyy")
        later = due + dt.timedelta(days=7)
        self.new_due.setDate(QtCore.QDate(later.year, later.month, later.day))
        self.new_due.setTime(QtCore.QTime(later.hour, later.minute))
        layout = self.layout()
        assert isinstance(layout, QtWidgets.QVBoxLayout)
        layout.insertWidget(0, QtWidgets.QLabel("Hẹn trả mới"))
        layout.insertWidget(1, self.new_due)

    def body(self) -> dict[str, Any]:
        chosen = self.new_due.dateTime().toPython()
        assert isinstance(chosen, dt.datetime)
        new_due = chosen.replace(tzinfo=calendar.VN_TZ)
        return {**super().body(), "new_due_at": new_due}
