"""The editor of one row of any kind, built from its kinds.Kind.

The dialog only collects values: ``submitted(dict)`` hands the body to the page, which sends
it on the runner and then either closes the dialog or calls ``show_failure``. A refusal never
closes it: what was typed stays, 422 messages show under their fields, anything else above.
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets

from apiclient import errors as api_errors
from counter_app.views.admin import editors, kinds
from onestop import errors

ERROR_STYLE = "color: #c8102e; font-size: 14px;"
HINT_STYLE = "color: #44525f; font-size: 14px;"
LARGE = frozenset({kinds.Widget.DOCUMENTS, kinds.Widget.CHECKLIST, kinds.Widget.ORDERED})
BANNER_STYLE = (
    "background: #fff3cd; color: #5c3c00; border: 2px solid #5c3c00; padding: 8px; font-weight: bold;"
)


class EditorDialog(QtWidgets.QDialog):
    """Signals:
    submitted(object): the body to send (every editable field; an empty password left out).
    """

    submitted = QtCore.Signal(object)

    def __init__(
        self,
        kind: kinds.Kind,
        lookups: kinds.Lookups,
        row: kinds.Row | None = None,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.kind = kind
        self.row = row
        verb = "Sửa" if row is not None else "Thêm"
        self.setWindowTitle(f"{verb} {kind.singular}")
        self.setObjectName(f"editor_{kind.key}")
        self.editors: dict[str, editors.Editor] = {}
        self.errors: dict[str, QtWidgets.QLabel] = {}
        outer = QtWidgets.QVBoxLayout(self)
        title = QtWidgets.QLabel(f"{verb} {kind.singular}")
        title.setObjectName("title")
        outer.addWidget(title)
        self.banner = QtWidgets.QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.hide()
        outer.addWidget(self.banner)
        outer.addWidget(self._form_area(lookups), 1)
        outer.addLayout(self._buttons())
        if row is not None:
            for key, editor in self.editors.items():
                if editor.field.widget is not kinds.Widget.PASSWORD:
                    editor.set_value(row.get(key, editor.field.default))
        wide = any(field.widget in LARGE for field in kind.fields)
        self.resize(1300 if wide else 820, min(740, 160 + 70 * len(kind.fields)))

    def _form_area(self, lookups: kinds.Lookups) -> QtWidgets.QWidget:
        """Short fields in a form on the left; lists and tables (papers, fields, services) on the right."""
        area = QtWidgets.QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        area.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QtWidgets.QWidget()
        form = QtWidgets.QFormLayout(inner)
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(10)
        large = [f for f in self.kind.fields if f.widget in LARGE]
        for field in self.kind.fields:
            if field not in large:
                form.addRow(field.label, self._field_cell(field, lookups))
        area.setWidget(inner)
        if not large:
            return area
        both = QtWidgets.QWidget()
        row = QtWidgets.QHBoxLayout(both)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(area, 3)
        column = QtWidgets.QVBoxLayout()
        for field in large:
            heading = QtWidgets.QLabel(field.label)
            heading.setObjectName("section")
            column.addWidget(heading)
            column.addWidget(self._field_cell(field, lookups), 1)
        row.addLayout(column, 2)
        return both

    def _field_cell(self, field: kinds.Field, lookups: kinds.Lookups) -> QtWidgets.QWidget:
        editor = editors.make(field, lookups)
        self.editors[field.key] = editor
        cell = QtWidgets.QWidget()
        box = QtWidgets.QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(editor.widget)
        hint = field.hint
        if field.widget is kinds.Widget.PASSWORD:
            assert isinstance(editor, editors.PasswordEditor)
            editor.edit.setPlaceholderText("Bắt buộc" if self.row is None else "Để trống nếu không đổi")
            hint = f"{hint}; để trống nếu không đổi" if self.row is not None else hint
        if field.create_only and self.row is not None:
            editor.widget.setEnabled(False)
        if hint:
            note = QtWidgets.QLabel(hint)
            note.setStyleSheet(HINT_STYLE)
            note.setWordWrap(True)
            box.addWidget(note)
        error = QtWidgets.QLabel()
        error.setObjectName(f"error_{field.key}")
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        box.addWidget(error)
        self.errors[field.key] = error
        return cell

    def _buttons(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        row.addStretch(1)
        self.cancel = QtWidgets.QPushButton("Huỷ")
        self.cancel.setProperty("kind", "secondary")
        self.save = QtWidgets.QPushButton("Lưu")
        self.save.setObjectName("save")
        self.save.setDefault(True)
        self.cancel.clicked.connect(self.reject)
        self.save.clicked.connect(self.submit)
        row.addWidget(self.cancel)
        row.addWidget(self.save)
        return row

    # ------------------------------------------------------------ values

    def value(self, key: str) -> Any:
        return self.editors[key].value()

    def set_value(self, key: str, value: Any) -> None:
        self.editors[key].set_value(value)

    def body(self) -> dict[str, Any]:
        """Every editable field, as PUT and POST take them; an empty password is left out."""
        body = {}
        for key, editor in self.editors.items():
            value = editor.value()
            if editor.field.widget is kinds.Widget.PASSWORD and not value:
                continue
            body[key] = value
        return body

    def submit(self) -> None:
        self.clear_errors()
        self.submitted.emit(self.body())

    def set_busy(self, busy: bool) -> None:
        self.save.setEnabled(not busy)
        self.save.setText("Đang lưu…" if busy else "Lưu")

    # ------------------------------------------------------------ refusals

    def clear_errors(self) -> None:
        self.banner.hide()
        for label in self.errors.values():
            label.clear()
            label.hide()

    def show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()

    def show_failure(self, exc: BaseException) -> None:
        """Keep the dialog and its values; say what went wrong where it went wrong."""
        self.set_busy(False)
        if isinstance(exc, api_errors.InvalidRequest):
            self._show_field_errors(exc.errors)
        elif isinstance(exc, errors.DomainError):
            self.show_banner(exc.message)
        else:
            self.show_banner(f"Lỗi không mong đợi: {exc}")

    def _show_field_errors(self, found: list[api_errors.FieldError]) -> None:
        general: list[str] = []
        first: editors.Editor | None = None
        for error in found:
            key = self.field_of(error.field)
            if key is None:
                general.append(f"{error.field}: {error.message}" if error.field else error.message)
                continue
            label = self.errors[key]
            label.setText("\n".join(filter(None, [label.text(), error.message])))
            label.show()
            first = first or self.editors[key]
        if general:
            self.show_banner("\n".join(general))
        elif first is not None:
            self.show_banner("Có thông tin chưa hợp lệ; xem ghi chú màu đỏ dưới từng ô.")
        if first is not None:
            first.focus.setFocus()

    def field_of(self, dotted: str) -> str | None:
        """The editor a 422's field names: "letter" → "letter", "documents.0.name" → "documents"."""
        parts = dotted.split(".")
        for part in (parts[0], parts[-1]):
            if part in self.editors:
                return part
        return None

    def error_text(self, key: str) -> str:
        label = self.errors[key]
        return label.text() if not label.isHidden() else ""
