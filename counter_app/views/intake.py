"""The intake form (tiếp nhận hồ sơ): procedure, applicant, papers, sets, fee, how the result goes back.

Every field is checked as the officer types, with the reason in Vietnamese beside it; the
submit button works once the form is complete. The procedures come from the list the app
keeps (searched here, accents optional), so a dossier can be taken in while the server is away.
"""

from __future__ import annotations

import collections.abc
from typing import Any

from PySide6 import QtCore, QtWidgets

from onestop import dossier, errors, formatting, identity, textfold
from onestop.enums import DocumentKind, ReturnMethod

Check = collections.abc.Callable[[str], object]
SHOWN_PROCEDURES = 200


def _required(text: str) -> str:
    if not text.strip():
        raise errors.InvalidValue("", "Không được để trống.")
    return text.strip()


def _personal_id(text: str) -> str:
    return identity.parse_personal_id(text).number


def _optional_email(text: str) -> str:
    return identity.normalize_email(text) if text.strip() else ""


class Field:
    """A line edit with its check and the message shown under it."""

    def __init__(self, label: str, check: Check, *, name: str) -> None:
        self.row_label = QtWidgets.QLabel(label)
        self.edit = QtWidgets.QLineEdit()
        self.edit.setObjectName(name)
        self.error = QtWidgets.QLabel()
        self.error.setObjectName("field_error")
        self.error.setStyleSheet("color: #c8102e; font-size: 14px;")
        self.check = check
        self.edit.textChanged.connect(lambda _: self.validate(quiet_when_empty=True))

    def validate(self, *, quiet_when_empty: bool = False) -> bool:
        text = self.edit.text()
        try:
            self.check(text)
        except errors.InvalidValue as exc:
            self.error.setText("" if quiet_when_empty and not text.strip() else exc.message)
            return False
        self.error.setText("")
        return True

    def value(self) -> str:
        return str(self.check(self.edit.text()))


class IntakeDialog(QtWidgets.QDialog):
    def __init__(
        self,
        procedures: list[dict[str, Any]],
        *,
        number: str = "",
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Tiếp nhận hồ sơ — số {number}" if number else "Tiếp nhận hồ sơ")
        self._procedures = procedures
        self._folded = [textfold.fold(f"{p['name']} {p['code']} {p['field_name']}") for p in procedures]
        self.procedure: dict[str, Any] | None = None
        box = QtWidgets.QHBoxLayout(self)
        box.addLayout(self._procedure_column(), 2)
        box.addLayout(self._form_column(), 3)
        self.resize(1300, 720)
        self._on_representative_toggled(False)
        self._filter("")

    # ------------------------------------------------------------ building

    def _procedure_column(self) -> QtWidgets.QVBoxLayout:
        column = QtWidgets.QVBoxLayout()
        column.addWidget(QtWidgets.QLabel("Thủ tục hành chính"))
        self.search = QtWidgets.QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Tìm theo tên, mã hoặc lĩnh vực (không cần dấu)")
        self.search.textChanged.connect(self._filter)
        column.addWidget(self.search)
        self.results = QtWidgets.QListWidget()
        self.results.setObjectName("procedures")
        self.results.setWordWrap(True)
        self.results.currentItemChanged.connect(self._on_procedure_chosen)
        column.addWidget(self.results, 2)
        self.details = QtWidgets.QLabel("Chọn thủ tục để xem giấy tờ, lệ phí và thời hạn giải quyết.")
        self.details.setObjectName("details")
        self.details.setWordWrap(True)
        self.details.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop)
        column.addWidget(self.details, 1)
        return column

    def _form_column(self) -> QtWidgets.QVBoxLayout:
        column = QtWidgets.QVBoxLayout()
        form = QtWidgets.QFormLayout()
        self.kind = QtWidgets.QComboBox()
        self.kind.addItem("Cá nhân", "person")
        self.kind.addItem("Tổ chức", "organisation")
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        form.addRow("Người nộp", self.kind)
        self.fields = {
            "full_name": Field("Họ và tên", _required, name="full_name"),
            "id_number": Field("Số định danh cá nhân", self._check_id, name="id_number"),
            "phone": Field("Số điện thoại", identity.normalize_phone, name="phone"),
            "address": Field("Địa chỉ", _required, name="address"),
            "email": Field("Thư điện tử (không bắt buộc)", _optional_email, name="email"),
        }
        self.representative = QtWidgets.QCheckBox("Có người được ủy quyền nộp thay")
        self.representative.setObjectName("has_representative")
        self.rep_fields = {
            "full_name": Field("Người được ủy quyền", _required, name="rep_full_name"),
            "id_number": Field(
                "Số định danh người được ủy quyền", identity.parse_personal_id, name="rep_id_number"
            ),
        }
        for field in self.fields.values():
            self._add_field(form, field)
        form.addRow(self.representative)
        for field in self.rep_fields.values():
            self._add_field(form, field)
        self.representative.toggled.connect(self._on_representative_toggled)
        column.addLayout(form)
        column.addWidget(QtWidgets.QLabel("Thành phần hồ sơ đã nhận"))
        self.papers = QtWidgets.QTableWidget(0, 3)
        self.papers.setObjectName("papers")
        self.papers.setHorizontalHeaderLabels(["Giấy tờ", "Loại", "Số bản"])
        self.papers.verticalHeader().hide()
        header = self.papers.horizontalHeader()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.papers.itemChanged.connect(lambda _: self._refresh())
        column.addWidget(self.papers, 1)
        column.addLayout(self._bottom_row())
        self.note = QtWidgets.QLabel()
        self.note.setObjectName("note")
        self.note.setWordWrap(True)
        column.addWidget(self.note)
        buttons = QtWidgets.QDialogButtonBox()
        self.submit = buttons.addButton(
            "Tiếp nhận và in giấy hẹn", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.submit.setObjectName("submit")
        cancel = buttons.addButton("Hủy", QtWidgets.QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setProperty("kind", "secondary")
        buttons.accepted.connect(self._on_submit)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        for field in (*self.fields.values(), *self.rep_fields.values()):
            field.edit.textChanged.connect(lambda _: self._refresh())
        return column

    def _add_field(self, form: QtWidgets.QFormLayout, field: Field) -> None:
        cell = QtWidgets.QVBoxLayout()
        cell.setSpacing(0)
        cell.addWidget(field.edit)
        cell.addWidget(field.error)
        form.addRow(field.row_label, cell)

    def _bottom_row(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        self.sets = QtWidgets.QSpinBox()
        self.sets.setObjectName("sets")
        self.sets.setRange(1, 50)
        self.fee = QtWidgets.QSpinBox()
        self.fee.setObjectName("fee")
        self.fee.setRange(0, 2_000_000_000)
        self.fee.setSingleStep(1000)
        self.fee.setGroupSeparatorShown(True)
        self.fee.setSuffix(" đ")
        self.fee.setLocale(QtCore.QLocale(QtCore.QLocale.Language.Vietnamese, QtCore.QLocale.Country.Vietnam))
        self.return_method = QtWidgets.QComboBox()
        self.return_method.setObjectName("return_method")
        for method, name in dossier.RETURN_METHOD_NAMES_VI.items():
            self.return_method.addItem(name, method.value)
        for label, widget in (
            ("Số bộ", self.sets),
            ("Lệ phí", self.fee),
            ("Nhận kết quả", self.return_method),
        ):
            row.addWidget(QtWidgets.QLabel(label))
            row.addWidget(widget)
        return row

    # ------------------------------------------------------------ behaviour

    def _check_id(self, text: str) -> object:
        if self.kind.currentData() == "organisation":
            return identity.normalize_tax_code(text)
        return _personal_id(text)

    def _on_kind_changed(self) -> None:
        organisation = self.kind.currentData() == "organisation"
        self.fields["full_name"].row_label.setText("Tên tổ chức" if organisation else "Họ và tên")
        self.fields["id_number"].row_label.setText("Mã số thuế" if organisation else "Số định danh cá nhân")
        self.fields["id_number"].validate(quiet_when_empty=True)
        self._refresh()

    def _on_representative_toggled(self, on: bool) -> None:
        for field in self.rep_fields.values():
            for widget in (field.edit, field.error, field.row_label):
                widget.setVisible(on)
        self._refresh()

    def _filter(self, text: str) -> None:
        wanted = textfold.fold(text).split()
        self.results.clear()
        shown = 0
        for procedure, folded in zip(self._procedures, self._folded, strict=True):
            if all(word in folded for word in wanted):
                item = QtWidgets.QListWidgetItem(f"{procedure['name']} ({procedure['code']})")
                item.setData(QtCore.Qt.ItemDataRole.UserRole, procedure)
                self.results.addItem(item)
                shown += 1
                if shown >= SHOWN_PROCEDURES:
                    break

    def _on_procedure_chosen(self, item: QtWidgets.QListWidgetItem | None) -> None:
        if item is None:
            return
        procedure = item.data(QtCore.Qt.ItemDataRole.UserRole)
        self.procedure = procedure
        self.details.setText(
            f"<b>{procedure['name']}</b><br>{procedure['agency_name']} — {procedure['field_name']}<br>"
            f"Thời hạn giải quyết: {formatting.working_days(procedure['processing_days'])}<br>"
            f"Lệ phí: {formatting.money(procedure['fee'])}"
            + (f" ({procedure['fee_note']})" if procedure.get("fee_note") else "")
            + f"<br>Số bộ hồ sơ: {procedure['sets']}"
        )
        self.sets.setValue(procedure["sets"])
        self.fee.setValue(procedure["fee"])
        self._fill_papers(procedure["documents"])
        self._refresh()

    def _fill_papers(self, documents: list[dict[str, Any]]) -> None:
        self.papers.blockSignals(True)
        self.papers.setRowCount(len(documents))
        for row, document in enumerate(documents):
            name = QtWidgets.QTableWidgetItem(document["name"])
            name.setFlags(QtCore.Qt.ItemFlag.ItemIsUserCheckable | QtCore.Qt.ItemFlag.ItemIsEnabled)
            name.setCheckState(QtCore.Qt.CheckState.Unchecked)
            self.papers.setItem(row, 0, name)
            kind = QtWidgets.QComboBox()
            for value, label in dossier.DOCUMENT_KIND_NAMES_VI.items():
                kind.addItem(label, value.value)
            kind.setCurrentIndex(kind.findData(document["kind"]))
            self.papers.setCellWidget(row, 1, kind)
            copies = QtWidgets.QSpinBox()
            copies.setRange(1, 100)
            copies.setValue(document["copies"])
            self.papers.setCellWidget(row, 2, copies)
        self.papers.blockSignals(False)

    def checked_papers(self) -> list[dict[str, Any]]:
        papers = []
        for row in range(self.papers.rowCount()):
            name = self.papers.item(row, 0)
            assert name is not None
            if name.checkState() == QtCore.Qt.CheckState.Checked:
                kind = self.papers.cellWidget(row, 1)
                copies = self.papers.cellWidget(row, 2)
                assert isinstance(kind, QtWidgets.QComboBox)
                assert isinstance(copies, QtWidgets.QSpinBox)
                papers.append(
                    {
                        "name": name.text(),
                        "kind": DocumentKind(kind.currentData()).value,
                        "copies": copies.value(),
                    }
                )
        return papers

    def problems(self) -> list[str]:
        """What still stops the intake, in the officer's words (empty: ready to submit)."""
        found = []
        if self.procedure is None:
            found.append("Chưa chọn thủ tục.")
        fields = list(self.fields.values())
        if self.representative.isChecked():
            fields += list(self.rep_fields.values())
        for field in fields:
            if not field.validate():
                found.append(f"{field.row_label.text()}: {field.error.text()}")
        if self.procedure is not None and not self.checked_papers():
            found.append("Chưa đánh dấu giấy tờ nào đã nhận.")
        return found

    def _refresh(self) -> None:
        ready = self.procedure is not None and bool(self.checked_papers())
        ready = ready and all(self._quietly_valid(f) for f in self._active_fields())
        self.submit.setEnabled(ready)

    def _active_fields(self) -> list[Field]:
        fields = list(self.fields.values())
        return fields + list(self.rep_fields.values()) if self.representative.isChecked() else fields

    @staticmethod
    def _quietly_valid(field: Field) -> bool:
        try:
            field.check(field.edit.text())
        except errors.InvalidValue:
            return False
        return True

    def _on_submit(self) -> None:
        problems = self.problems()
        if problems:
            self.note.setText(" ".join(problems))
            return
        self.accept()

    def body(self, *, ticket_id: int | None) -> dict[str, Any]:
        """The DossierIn body of a complete form (the server assigns the code)."""
        assert self.procedure is not None
        applicant = {"kind": self.kind.currentData(), **{k: f.value() for k, f in self.fields.items()}}
        if not applicant["email"]:
            del applicant["email"]
        representative = None
        if self.representative.isChecked():
            representative = {k: f.value() for k, f in self.rep_fields.items()}
        return {
            "ticket_id": ticket_id,
            "procedure_id": self.procedure["id"],
            "channel": "counter",
            "applicant": applicant,
            "representative": representative,
            "documents": self.checked_papers(),
            "sets": self.sets.value(),
            "fee_collected": self.fee.value(),
            "return_method": ReturnMethod(self.return_method.currentData()).value,
        }

    @classmethod
    def ask(
        cls,
        parent: QtWidgets.QWidget,
        procedures: list[dict[str, Any]],
        *,
        number: str,
        ticket_id: int | None,
    ) -> dict[str, Any] | None:
        """The intake body, or None when cancelled (tests monkeypatch this or drive the dialog)."""
        dialog = cls(procedures, number=number, parent=parent)
        return (
            dialog.body(ticket_id=ticket_id)
            if dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted
            else None
        )
