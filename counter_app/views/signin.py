"""Sign-in: the officer's name and password, and the counter to open."""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets

from qtkit import widgets

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
    """

    submitted = QtCore.Signal(str, str, int)

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
        self.submit = widgets.button("Đăng nhập và mở quầy", touch=False, name="sign_in")
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

    def set_counters(self, counters: list[dict[str, Any]], *, fixed: int | None) -> None:
        """Fill the picker; a fixed counter (from the configuration) cannot be changed."""
        chosen = self.counter.currentData()
        self.counter.clear()
        for counter in counters:
            if fixed is None or counter["number"] == fixed:
                self.counter.addItem(counter_caption(counter), counter["number"])
        index = self.counter.findData(chosen if fixed is None else fixed)
        self.counter.setCurrentIndex(max(index, 0))
        self.counter.setEnabled(fixed is None and self.counter.count() > 1)

    def set_busy(self, busy: bool) -> None:
        for widget in (self.username, self.password, self.submit):
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
        if self.counter.currentData() is None:
            self.show_note("Chưa tải được danh sách quầy; kiểm tra kết nối máy chủ.")
            return
        self.submitted.emit(username, password, int(self.counter.currentData()))
