"""The administration screen's small questions and notices, each behind one static method that
tests monkeypatch (architecture.md: give dialogs an ``ask()``)."""

from __future__ import annotations

from PySide6 import QtGui, QtWidgets

WARNING_STYLE = (
    "background: #fff3cd; color: #5c3c00; border: 2px solid #5c3c00; padding: 8px; font-weight: bold;"
)


class Notice:
    @staticmethod
    def show(parent: QtWidgets.QWidget, title: str, text: str) -> None:
        """A refusal the user must read (a 409's reason)."""
        QtWidgets.QMessageBox.warning(parent, title, text)


class Confirm:
    @staticmethod
    def ask(parent: QtWidgets.QWidget, title: str, text: str) -> bool:
        answer = QtWidgets.QMessageBox.question(parent, title, text)
        return answer == QtWidgets.QMessageBox.StandardButton.Yes


class KeyDialog(QtWidgets.QDialog):
    """A device's new key, shown once, with a copy button and the warning that it goes away."""

    def __init__(self, device_name: str, key: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Khoá thiết bị")
        box = QtWidgets.QVBoxLayout(self)
        box.addWidget(QtWidgets.QLabel(f"Khoá của thiết bị «{device_name}»:"))
        self.key = QtWidgets.QLineEdit(key)
        self.key.setObjectName("device_key")
        self.key.setReadOnly(True)
        self.key.setMinimumWidth(560)
        box.addWidget(self.key)
        warning = QtWidgets.QLabel(
            "Khoá chỉ hiện một lần này: hãy sao chép và nhập vào thiết bị ngay. Sau khi đóng cửa sổ, "
            "không thể xem lại; nếu mất khoá, hãy cấp khoá mới."
        )
        warning.setObjectName("warning")
        warning.setWordWrap(True)
        warning.setStyleSheet(WARNING_STYLE)
        box.addWidget(warning)
        row = QtWidgets.QHBoxLayout()
        self.copy = QtWidgets.QPushButton("Sao chép khoá")
        self.copy.setObjectName("copy_key")
        self.copy.clicked.connect(self.copy_key)
        close = QtWidgets.QPushButton("Đã lưu khoá, đóng")
        close.clicked.connect(self.accept)
        row.addStretch(1)
        row.addWidget(self.copy)
        row.addWidget(close)
        box.addLayout(row)

    def copy_key(self) -> None:
        QtGui.QGuiApplication.clipboard().setText(self.key.text())
        self.copy.setText("Đã sao chép ✓")

    @staticmethod
    def show_key(parent: QtWidgets.QWidget, device_name: str, key: str) -> None:
        dialog = KeyDialog(device_name, key, parent)
        dialog.exec()
        dialog.deleteLater()


class Files:
    """Where to save an export and which file to import (None: the user cancelled)."""

    @staticmethod
    def save_path(parent: QtWidgets.QWidget, caption: str, suggested: str, filter_text: str) -> str | None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(parent, caption, suggested, filter_text)
        return path or None

    @staticmethod
    def open_path(parent: QtWidgets.QWidget) -> str | None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            parent, "Chọn tệp danh mục", "", "Danh mục (*.json *.xlsx);;JSON (*.json);;Excel (*.xlsx)"
        )
        return path or None


class TextReport(QtWidgets.QDialog):
    """A readable, scrollable text: what an import will change, or why a file was refused."""

    def __init__(
        self,
        title: str,
        heading: str,
        lines: list[str],
        *,
        ok: str,
        cancel: str | None = None,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        box = QtWidgets.QVBoxLayout(self)
        label = QtWidgets.QLabel(heading)
        label.setWordWrap(True)
        box.addWidget(label)
        self.text = QtWidgets.QPlainTextEdit("\n".join(lines))
        self.text.setReadOnly(True)
        box.addWidget(self.text, 1)
        buttons = QtWidgets.QDialogButtonBox()
        buttons.addButton(ok, QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        if cancel is not None:
            buttons.addButton(cancel, QtWidgets.QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
        self.resize(760, 480)


class ImportConfirm:
    @staticmethod
    def ask(parent: QtWidgets.QWidget, lines: list[str]) -> bool:
        """After the dry run: apply these changes? (one line per kind)."""
        dialog = TextReport(
            "Nhập danh mục",
            "Kiểm tra xong, tệp hợp lệ. Khi nhập, danh mục sẽ thay đổi như sau:",
            lines,
            ok="Nhập danh mục",
            cancel="Huỷ",
            parent=parent,
        )
        accepted = dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted
        dialog.deleteLater()
        return accepted


class Problems:
    @staticmethod
    def show(parent: QtWidgets.QWidget, lines: list[str]) -> None:
        """A refused file: one line per problem (sheet, row, column, what is wrong)."""
        dialog = TextReport(
            "Tệp danh mục có lỗi",
            "Chưa nhập gì: tệp có các lỗi dưới đây. Sửa tệp rồi nhập lại.",
            lines,
            ok="Đóng",
            parent=parent,
        )
        dialog.exec()
        dialog.deleteLater()
