"""Transfer: the officer picks the service the citizen should wait for next."""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets


class TransferDialog(QtWidgets.QDialog):
    """A list of the centre's other services; Enter or double-click chooses."""

    def __init__(
        self, services: list[dict[str, Any]], *, number: str, parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Chuyển số {number}")
        box = QtWidgets.QVBoxLayout(self)
        box.addWidget(QtWidgets.QLabel(f"Chuyển số {number} sang dịch vụ:"))
        self.choices = QtWidgets.QListWidget()
        self.choices.setObjectName("services")
        for service in services:
            item = QtWidgets.QListWidgetItem(
                f"{service['letter']} — {service['name']} (đang chờ {service['waiting']})"
            )
            item.setData(QtCore.Qt.ItemDataRole.UserRole, service["id"])
            self.choices.addItem(item)
        self.choices.setCurrentRow(0)
        self.choices.itemDoubleClicked.connect(self.accept)
        box.addWidget(self.choices)
        buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok).setText("Chuyển")
        buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
        self.resize(800, 420)

    def chosen(self) -> int | None:
        item = self.choices.currentItem()
        return None if item is None else int(item.data(QtCore.Qt.ItemDataRole.UserRole))

    @classmethod
    def ask(cls, parent: QtWidgets.QWidget, services: list[dict[str, Any]], *, number: str) -> int | None:
        """The chosen service id, or None when cancelled (tests monkeypatch this)."""
        dialog = cls(services, number=number, parent=parent)
        return dialog.chosen() if dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted else None
