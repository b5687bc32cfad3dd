"""Sign-in: the officer's name and password, and the counter to open (or supervision)."""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets

from qtkit import widgets

SUPERVISE = "Giám sát trung tâm (không mở quầy)"
OPEN_COUNTER = "Đăng nhập và mở quầy"
SIGN_IN_SUPERVISOR = "Đăng nhập giám sát"
STATUS_NAMES = {"open": "đang mở", "paused": "tạm dừng", "closed": "đóng"}


def counter_caption(counter: dict[str, Any]) -> str:
    text = f"Quầy {counter['number']} — {counter['name']}"
    if counter["status"] != "closed":
        text += f" ({STATUS_NAMES[counter['status']]}: {counter['officer_name'] or '—'})"
    return text


class SignInPage(QtWidgets.QWidget):
    """Signals:
    submitted(str, str, int): username, password and the counter number, when the officer
        presses Enter or the button.
    supervise_submitted(str, str): username and password, with "Giám sát trung tâm" chosen.
    """

    submitted = QtCore.Signal(str, str, int)
    supervise_submitted = QtCore.Signal(str, str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QtWidgets.QVBoxLayout(self)
        outer.addStretch(1)
        panel = QtWidgets.QWidget()
        panel.setMaximumWidth(620)
        form = QtWidgets.QFormLayout(panel)
        form.setVerticalSpacing(14)
        title = widgets.label("Đăng nhập quầy", name="title", wrap=False)
        form.addRow(title)
        self.username = QtWidgets.QLineEdit()
        self.username.setObjectName("username")
        self.password = QtWidgets.QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.counter = QtWidgets.QComboBox()
        self.counter.setObjectName("counter")
        self.counter.setMinimumContentsLength(30)
        form.addRow("Tên đăng nhập", self.username)
        form.addRow("Mật khẩu", self.password)
        form.addRow("Quầy", self.counter)
        self.supervise = QtWidgets.QCheckBox(SUPERVISE)
        self.supervise.setObjectName("supervise")
        form.addRow("", self.supervise)
        self.submit = widgets.button(OPEN_COUNTER, touch=False, name="sign_in")
        self.submit.setMinimumHeight(56)
        form.addRow(self.submit)
        self.note = widgets.label(name="note")
        self.note.setMinimumHeight(60)
        form.addRow(self.note)
        outer.addWidget(panel, 0, QtCore.Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        self.submit.clicked.connect(self._submit)
        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self._submit)
        self.supervise.toggled.connect(self._on_supervise_toggled)
        self._fixed_counter = False

    def set_counters(self, counters: list[dict[str, Any]], *, fixed: int | None) -> None:
        """Fill the picker; a fixed counter (from the configuration) cannot be changed."""
        chosen = self.counter.currentData()
        self.counter.clear()
        for counter in counters:
            if fixed is None or counter["number"] == fixed:
                self.counter.addItem(counter_caption(counter), counter["number"])
        index = self.counter.findData(chosen if fixed is None else fixed)
        self.counter.setCurrentIndex(max(index, 0))
        self._fixed_counter = fixed is not None or self.counter.count() <= 1
        self.counter.setEnabled(not self._fixed_counter and not self.supervise.isChecked())

    def _on_supervise_toggled(self, on: bool) -> None:
        self.counter.setEnabled(not on and not self._fixed_counter)
        self.submit.setText(SIGN_IN_SUPERVISOR if on else OPEN_COUNTER)

    def set_busy(self, busy: bool) -> None:
        for widget in (self.username, self.password, self.submit, self.supervise):
            widget.setEnabled(not busy)
        if busy:
            self.note.setText("Đang đăng nhập…")

    def show_note(self, text: str) -> None:
        self.note.setText(text)

    def _submit(self) -> None:
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            self.show_note("Nhập tên đăng nhập và mật khẩu.")
            (self.username if not username else self.password).setFocus()
            return
        if self.supervise.isChecked():
            self.supervise_submitted.emit(username, password)
            return
        if self.counter.currentData() is None:
            self.show_note("Chưa tải được danh sách quầy; kiểm tra kết nối máy chủ.")
            return
        self.submitted.emit(username, password, int(self.counter.currentData()))
