"""Returning a result (trả kết quả): find the dossier, see its history and timeliness, record who took it."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from PySide6 import QtCore, QtWidgets

from onestop import dossier, formatting
from onestop.enums import DossierStatus, Timeliness

ACTIONS = {
    "supplemented": "Đã nhận bổ sung (in lại giấy hẹn)",
    "supplement": "Yêu cầu bổ sung (Mẫu 02)",
    "refuse": "Từ chối (Mẫu 03)",
    "extend": "Gia hạn (Mẫu 04)",
}


def allowed_actions(found: dict[str, Any] | None) -> set[str]:
    """Which of ACTIONS the dossier's state allows (the server checks again)."""
    if found is None:
        return set()
    moves = dossier.TRANSITIONS[DossierStatus(found["status"])]
    allowed = set()
    if DossierStatus.RECEIVED in moves:
        allowed.add("supplemented")
    if DossierStatus.SUPPLEMENT_REQUESTED in moves:
        allowed.add("supplement")
    if DossierStatus.REFUSED in moves:
        allowed.add("refuse")
    if found["status"] == DossierStatus.RECEIVED and not found.get("original_due_at"):
        allowed.add("extend")  # once only
    return allowed


def _local(text: str | None) -> str:
    return formatting.date_time(dt.datetime.fromisoformat(text)) if text else "—"


def timeliness_now(found: dict[str, Any], now: dt.datetime) -> str:
    """Early, on time or late: as the server classified it once ready, else against now."""
    if found.get("timeliness"):
        return dossier.TIMELINESS_NAMES_VI[Timeliness(found["timeliness"])]
    due = dt.datetime.fromisoformat(found["due_at"])
    return dossier.TIMELINESS_NAMES_VI[dossier.classify_timeliness(due_at=due, done_at=now)]


class ReturnDialog(QtWidgets.QDialog):
    """Signals:
    search_requested(str): the code, scanned text or ID number to look up.
    chosen(str): a dossier code picked from the results (to load its history).
    action_requested(str): one of ACTIONS, for the dossier shown.
    Accepted when the officer records the return; ``returned_to()`` says to whom.
    """

    search_requested = QtCore.Signal(str)
    chosen = QtCore.Signal(str)
    action_requested = QtCore.Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Trả kết quả")
        self.found: dict[str, Any] | None = None
        box = QtWidgets.QVBoxLayout(self)
        row = QtWidgets.QHBoxLayout()
        self.query = QtWidgets.QLineEdit()
        self.query.setObjectName("query")
        self.query.setPlaceholderText("Quét mã trên giấy hẹn, nhập mã hồ sơ hoặc số định danh")
        self.query.returnPressed.connect(self._search)
        self.search = QtWidgets.QPushButton("Tìm")
        self.search.setObjectName("search")
        self.search.clicked.connect(self._search)
        row.addWidget(self.query, 1)
        row.addWidget(self.search)
        box.addLayout(row)
        self.results = QtWidgets.QListWidget()
        self.results.setObjectName("results")
        self.results.setMaximumHeight(120)
        self.results.currentItemChanged.connect(self._on_result)
        box.addWidget(self.results)
        self.details = QtWidgets.QTextBrowser()
        self.details.setObjectName("details")
        box.addWidget(self.details, 1)
        form = QtWidgets.QFormLayout()
        self.receiver = QtWidgets.QLineEdit()
        self.receiver.setObjectName("receiver")
        self.receiver.textChanged.connect(lambda _: self._refresh())
        form.addRow("Người nhận kết quả", self.receiver)
        box.addLayout(form)
        box.addLayout(self._actions_row())
        self.note = QtWidgets.QLabel()
        self.note.setObjectName("note")
        self.note.setWordWrap(True)
        box.addWidget(self.note)
        buttons = QtWidgets.QDialogButtonBox()
        self.submit = buttons.addButton("Trả kết quả", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        self.submit.setObjectName("submit")
        buttons.addButton("Đóng", QtWidgets.QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
        self.resize(900, 640)
        self._refresh()

    def _actions_row(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        self.action_buttons: dict[str, QtWidgets.QPushButton] = {}
        for action, text in ACTIONS.items():
            button = QtWidgets.QPushButton(text)
            button.setObjectName(action)
            button.setProperty("kind", "secondary")
            button.clicked.connect(lambda _=False, a=action: self.action_requested.emit(a))
            row.addWidget(button)
            self.action_buttons[action] = button
        return row

    def _search(self) -> None:
        text = self.query.text().strip()
        if text:
            self.note.setText("Đang tìm…")
            self.search_requested.emit(text)

    def show_results(self, found: list[dict[str, Any]]) -> None:
        self.results.clear()
        self.found = None
        self.details.clear()
        self.note.setText("" if found else "Không tìm thấy hồ sơ.")
        for item in found:
            entry = QtWidgets.QListWidgetItem(
                f"{item['code']} — {item['procedure_name']} — {item['status_name']}"
            )
            entry.setData(QtCore.Qt.ItemDataRole.UserRole, item)
            self.results.addItem(entry)
        if found:
            self.results.setCurrentRow(0)
        self._refresh()

    def show_message(self, text: str) -> None:
        self.note.setText(text)

    def _on_result(self, item: QtWidgets.QListWidgetItem | None) -> None:
        if item is None:
            return
        self.found = item.data(QtCore.Qt.ItemDataRole.UserRole)
        self.receiver.setText(self.found["applicant"].get("full_name", ""))
        self.show_history([])
        self.chosen.emit(self.found["code"])
        self._refresh()

    def show_history(self, history: list[dict[str, Any]], *, now: dt.datetime | None = None) -> None:
        found = self.found
        if found is None:
            return
        now = now or dt.datetime.now(dt.UTC)
        applicant = found["applicant"]
        lines = [
            f"<h3>{html.escape(found['code'])}</h3>",
            f"<b>{html.escape(found['procedure_name'])}</b> — {html.escape(found['agency_name'])}",
            f"Người nộp: {html.escape(applicant.get('full_name', ''))}"
            f" ({html.escape(applicant.get('id_number', ''))})",
            f"Trạng thái: <b>{html.escape(found['status_name'])}</b>",
            f"Tiếp nhận: {_local(found['received_at'])} · Hẹn trả: {_local(found['due_at'])}"
            f" · <b>{timeliness_now(found, now)}</b>",
        ]
        steps = "".join(
            f"<li>{_local(step['at'])}: {html.escape(step['action_name'])}"
            f" ({html.escape(step.get('actor') or '')})"
            + (f" — {html.escape(step['note'])}" if step.get("note") else "")
            + "</li>"
            for step in history
        )
        tail = f"<p><b>Quá trình giải quyết</b></p><ul>{steps}</ul>" if history else ""
        self.details.setHtml("<br>".join(lines) + tail)

    def _refresh(self) -> None:
        allowed = allowed_actions(self.found)
        for action, button in self.action_buttons.items():
            button.setEnabled(action in allowed)
        ready = self.found is not None and self.found["status"] == DossierStatus.READY
        self.submit.setEnabled(ready and bool(self.receiver.text().strip()))
        if self.found is not None and not ready:
            self.note.setText(
                f"Hồ sơ đang ở trạng thái “{self.found['status_name']}”: chưa trả kết quả được."
            )

    def returned_to(self) -> str:
        return self.receiver.text().strip()
