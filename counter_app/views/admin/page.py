"""The administration screen: the kinds on the left; on the right the chosen kind's rows
(searched without accents) with Thêm / Sửa / Xoá; catalogue export and import below the kinds.

Every request goes through the runner; results land here on the GUI thread. An edit is never
lost to a refusal: the editor stays open with what was typed (form.EditorDialog).
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets

from apiclient import client as api_client
from counter_app.views.admin import catalogue_io, dialogs, form, kinds
from onestop import errors, textfold
from qtkit import tasks

ROW = QtCore.Qt.ItemDataRole.UserRole
MAX_COLUMN_PX = 230  # wider text wraps, so the name column keeps most of the room
STYLE = """
QSpinBox, QDoubleSpinBox, QDateEdit, QPlainTextEdit { border: 2px solid #0b4f9c; border-radius: 6px;
    padding: 4px; font-size: 18px; }
QSpinBox::up-button, QDoubleSpinBox::up-button, QDateEdit::up-button,
QSpinBox::down-button, QDoubleSpinBox::down-button, QDateEdit::down-button { width: 24px; }
QTableWidget { alternate-background-color: #f3f6f9; }
"""


class AdminPage(QtWidgets.QWidget):
    """Signals:
    loaded(str): the rows of this kind (and its lookups) arrived and the table shows them.
    """

    loaded = QtCore.Signal(str)

    def __init__(
        self,
        api: api_client.Client,
        runner: tasks.Runner,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.api = api
        self.runner = runner
        self.kind = kinds.CENTRES
        self.rows: kinds.Lookups = {}
        self.shown: list[kinds.Row] = []
        self.editor: form.EditorDialog | None = None
        self.loading = 0
        self._generation = 0
        self.catalogue = catalogue_io.CatalogueIO(
            api, runner, self, report=self.show_status, imported=self.load
        )
        self.setStyleSheet(STYLE)  # inherited by the editor dialogs (children of the page)
        outer = QtWidgets.QHBoxLayout(self)
        outer.addLayout(self._left_column())
        outer.addLayout(self._right_column(), 1)
        with QtCore.QSignalBlocker(self.kinds):  # no request before load()
            self.kinds.setCurrentRow(0)
        self.title.setText(self.kind.title)
        self._update_buttons()

    # ------------------------------------------------------------ building

    def _left_column(self) -> QtWidgets.QVBoxLayout:
        column = QtWidgets.QVBoxLayout()
        self.kinds = QtWidgets.QListWidget()
        self.kinds.setObjectName("kinds")
        for kind in kinds.KINDS.values():
            item = QtWidgets.QListWidgetItem(kind.title)
            item.setData(ROW, kind.key)
            self.kinds.addItem(item)
        self.kinds.setFixedWidth(270)
        self.kinds.currentItemChanged.connect(self.on_kinds_changed)
        column.addWidget(self.kinds, 1)
        section = QtWidgets.QLabel("Danh mục dùng chung")
        section.setObjectName("section")
        column.addWidget(section)
        self.export_json = self._button("Xuất danh mục (JSON)…", "export_json", column)
        self.export_xlsx = self._button("Xuất bảng tính (Excel)…", "export_xlsx", column)
        self.import_button = self._button("Nhập danh mục…", "import", column)
        self.export_json.clicked.connect(lambda: self.catalogue.export("json"))
        self.export_xlsx.clicked.connect(lambda: self.catalogue.export("xlsx"))
        self.import_button.clicked.connect(self.catalogue.start_import)
        return column

    @staticmethod
    def _button(text: str, name: str, layout: QtWidgets.QBoxLayout) -> QtWidgets.QPushButton:
        button = QtWidgets.QPushButton(text)
        button.setObjectName(name)
        layout.addWidget(button)
        return button

    def _right_column(self) -> QtWidgets.QVBoxLayout:
        column = QtWidgets.QVBoxLayout()
        top = QtWidgets.QHBoxLayout()
        self.title = QtWidgets.QLabel()
        self.title.setObjectName("header_title")
        top.addWidget(self.title)
        top.addStretch(1)
        self.search = QtWidgets.QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Tìm (không cần dấu)")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(360)
        self.search.textChanged.connect(lambda _text: self._fill_table())
        top.addWidget(self.search)
        column.addLayout(top)
        self.table = QtWidgets.QTableWidget()
        self.table.setObjectName("table")
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        # Long names wrap: rows follow their text once the columns have their new width.
        self._fit_rows = QtCore.QTimer(self.table, singleShot=True, interval=0)
        self._fit_rows.timeout.connect(self.table.resizeRowsToContents)
        self.table.horizontalHeader().sectionResized.connect(lambda *_: self._fit_rows.start())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda _item: self.edit_selected())
        column.addWidget(self.table, 1)
        buttons = QtWidgets.QHBoxLayout()
        self.add = self._button("Thêm", "add", buttons)
        self.edit = self._button("Sửa", "edit", buttons)
        self.delete = self._button("Xoá", "delete", buttons)
        self.deactivate = self._button("Ngừng sử dụng", "deactivate", buttons)
        self.new_key = self._button("Cấp khoá mới", "new_key", buttons)
        self.unlock = self._button("Mở khóa đăng nhập", "unlock", buttons)
        self.add.clicked.connect(self.add_row)
        self.edit.clicked.connect(self.edit_selected)
        self.delete.clicked.connect(self.delete_selected)
        self.deactivate.clicked.connect(self.toggle_active)
        self.new_key.clicked.connect(self.issue_new_key)
        self.unlock.clicked.connect(self.unlock_selected)
        buttons.addStretch(1)
        column.addLayout(buttons)
        self.status = QtWidgets.QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        column.addWidget(self.status)
        return column

    # ------------------------------------------------------------ loading

    @property
    def busy(self) -> bool:
        return self.loading > 0 or self.catalogue.busy

    def on_kinds_changed(self, current: QtWidgets.QListWidgetItem | None, _previous: object) -> None:
        if current is None:
            return
        self.kind = kinds.KINDS[str(current.data(ROW))]
        self.title.setText(self.kind.title)
        self.search.clear()
        self.shown = []
        self.table.setRowCount(0)
        self._update_buttons()
        self.load()

    def show_kind(self, key: str) -> None:
        """Switch to ``key`` (e.g. "procedures") as if chosen on the left."""
        self.kinds.setCurrentRow(list(kinds.KINDS).index(key))

    def load(self, select_id: Any = None) -> None:
        """(Re)load the current kind and the kinds its names come from."""
        kind = self.kind
        wanted = (kind.key, *kind.lookups)
        self._generation += 1
        generation = self._generation
        self.loading += 1

        def fetch() -> kinds.Lookups:
            return {key: self.api.admin_list(key) for key in wanted}

        self.runner.submit(
            fetch,
            done=lambda got: self._on_loaded(generation, kind, got, select_id),
            failed=self._on_load_failed,
        )

    def _on_loaded(self, generation: int, kind: kinds.Kind, got: kinds.Lookups, select_id: Any) -> None:
        self.loading -= 1
        self.rows.update(got)
        if generation != self._generation:  # the user moved on to another kind meanwhile
            return
        self._fill_table(select_id)
        self.loaded.emit(kind.key)

    def _on_load_failed(self, exc: BaseException) -> None:
        self.loading -= 1
        self.show_status(exc.message if isinstance(exc, errors.DomainError) else f"Lỗi: {exc}")

    def _fill_table(self, select_id: Any = None) -> None:
        kind = self.kind
        if select_id is None and (current := self.selected()) is not None:
            select_id = current["id"]
        query = self.search.text()
        texts = [[c.text(row, self.rows) for c in kind.columns] for row in self.rows.get(kind.key, [])]
        pairs = [
            (row, cells)
            for row, cells in zip(self.rows.get(kind.key, []), texts, strict=True)
            if textfold.matches(query, " ".join(cells))
        ]
        self.table.clearContents()
        self.table.setColumnCount(len(kind.columns))
        self.table.setHorizontalHeaderLabels([c.title for c in kind.columns])
        self.table.setRowCount(len(pairs))
        self.shown = [row for row, _ in pairs]
        right = QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter
        for index, (_row, cells) in enumerate(pairs):
            for column, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                if kind.columns[column].right:
                    item.setTextAlignment(right)
                self.table.setItem(index, column, item)
        self._size_columns()
        total = len(self.rows.get(kind.key, []))
        self.show_status(f"{len(pairs)} / {total} {kind.singular}" if query else f"{total} {kind.singular}")
        ids = [row["id"] for row in self.shown]
        if select_id in ids:
            self.table.selectRow(ids.index(select_id))
        self._update_buttons()

    def _size_columns(self) -> None:
        """Short columns fit their text (long ones wrap at MAX_COLUMN_PX); the name takes the rest."""
        header = self.table.horizontalHeader()
        titles = [c.title for c in self.kind.columns]
        stretch = next((i for i, t in enumerate(titles) if t.startswith("Tên")), len(titles) - 1)
        mode = QtWidgets.QHeaderView.ResizeMode
        for column in range(len(titles)):
            header.setSectionResizeMode(column, mode.Interactive)
        self.table.resizeColumnsToContents()
        for column in range(len(titles)):
            if column == stretch:
                header.setSectionResizeMode(column, mode.Stretch)
            else:
                self.table.setColumnWidth(column, min(self.table.columnWidth(column), MAX_COLUMN_PX))
        self.table.resizeRowsToContents()

    # ------------------------------------------------------------ selection

    def selected(self) -> kinds.Row | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.shown[rows[0].row()] if rows and rows[0].row() < len(self.shown) else None

    def select(self, row_id: Any) -> None:
        ids = [row["id"] for row in self.shown]
        self.table.selectRow(ids.index(row_id))

    def _update_buttons(self) -> None:
        row = self.selected()
        for button in (self.edit, self.delete):
            button.setEnabled(row is not None)
        self.deactivate.setVisible(self.kind.deactivate)
        self.deactivate.setEnabled(row is not None)
        self.deactivate.setText(
            "Dùng lại" if row is not None and not row.get("active", True) else "Ngừng sử dụng"
        )
        self.new_key.setVisible(self.kind.new_key)
        self.new_key.setEnabled(row is not None)
        self.unlock.setVisible(self.kind.unlock)
        self.unlock.setEnabled(row is not None)

    def show_status(self, text: str) -> None:
        self.status.setText(text)

    # ------------------------------------------------------------ editing

    def add_row(self) -> None:
        self._open_editor(None)

    def edit_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self._open_editor(row)

    def _open_editor(self, row: kinds.Row | None) -> None:
        if self.editor is not None:
            self.editor.close()
        kind = self.kind
        dialog = form.EditorDialog(kind, self.rows, row, parent=self)
        dialog.submitted.connect(lambda body: self._save(dialog, kind, body))
        dialog.finished.connect(lambda _result: self._editor_closed(dialog))
        self.editor = dialog
        dialog.open()

    def _editor_closed(self, dialog: form.EditorDialog) -> None:
        if self.editor is dialog:
            self.editor = None
        dialog.deleteLater()

    def _save(self, dialog: form.EditorDialog, kind: kinds.Kind, body: dict[str, Any]) -> None:
        dialog.set_busy(True)
        row = dialog.row

        def send() -> dict[str, Any]:
            if row is None:
                return self.api.admin_create(kind.key, body)
            return self.api.admin_update(kind.key, row["id"], body)

        self.runner.submit(
            send,
            done=lambda saved: self._saved(dialog, kind, saved),
            failed=lambda exc: self._save_failed(dialog, kind, exc),
        )

    def _saved(self, dialog: form.EditorDialog, kind: kinds.Kind, saved: dict[str, Any]) -> None:
        dialog.set_busy(False)
        dialog.accept()
        self.show_status(f"Đã lưu {kind.singular}: {kind.caption(saved)}.")
        if kind is self.kind:
            self.load(select_id=saved.get("id"))
        if kind.new_key and saved.get("key"):
            dialogs.KeyDialog.show_key(self, str(saved.get("name", "")), str(saved["key"]))

    def _save_failed(self, dialog: form.EditorDialog, kind: kinds.Kind, exc: BaseException) -> None:
        dialog.show_failure(exc)
        if isinstance(exc, errors.NotFound):
            dialog.show_banner(
                f"{exc.message} Có thể {kind.singular} này vừa bị xoá; danh sách đã được tải lại."
            )
            self.load()
        elif isinstance(exc, errors.IllegalTransition):
            dialogs.Notice.show(dialog, "Không lưu được", exc.message)

    # ------------------------------------------------------------ delete, deactivate, keys, unlock

    def _act(self, work: Any, done_text: str, refused_title: str, *, reload: bool = True) -> None:
        """Run ``work`` for the selected row; reload after (unless it changes no row shown), a
        409 says why in a message box."""

        def failed(exc: BaseException) -> None:
            message = exc.message if isinstance(exc, errors.DomainError) else f"Lỗi: {exc}"
            self.show_status(message)
            if isinstance(exc, errors.NotFound):
                self.load()
            else:
                dialogs.Notice.show(self, refused_title, message)

        def done(_result: object) -> None:
            self.show_status(done_text)
            if reload:
                self.load()

        self.runner.submit(work, done=done, failed=failed)

    def delete_selected(self) -> None:
        row, kind = self.selected(), self.kind
        if row is None:
            return
        name = kind.caption(row)
        if not dialogs.Confirm.ask(self, f"Xoá {kind.singular}", f"Xoá {kind.singular} «{name}»?"):
            return
        self._act(
            lambda: self.api.admin_delete(kind.key, row["id"]),
            f"Đã xoá {kind.singular} «{name}».",
            "Không xoá được",
        )

    def toggle_active(self) -> None:
        row, kind = self.selected(), self.kind
        if row is None:
            return
        body = {f.key: row.get(f.key) for f in kind.fields if f.widget is not kinds.Widget.PASSWORD}
        body["active"] = not row.get("active", True)
        verb = "Đã dùng lại" if body["active"] else "Đã ngừng sử dụng"
        self._act(
            lambda: self.api.admin_update(kind.key, row["id"], body),
            f"{verb} {kind.singular} «{kind.caption(row)}».",
            "Không đổi được trạng thái",
        )

    def issue_new_key(self) -> None:
        row = self.selected()
        if row is None or not self.kind.new_key:
            return
        name = str(row.get("name", ""))
        question = (
            f"Cấp khoá mới cho thiết bị «{name}»? Khoá cũ sẽ hết hiệu lực ngay; thiết bị cần nhập khoá mới."
        )
        if not dialogs.Confirm.ask(self, "Cấp khoá mới", question):
            return

        def failed(exc: BaseException) -> None:
            message = exc.message if isinstance(exc, errors.DomainError) else f"Lỗi: {exc}"
            self.show_status(message)
            dialogs.Notice.show(self, "Không cấp được khoá", message)

        def done(reply: dict[str, Any]) -> None:
            self.show_status(f"Đã cấp khoá mới cho thiết bị «{name}».")
            dialogs.KeyDialog.show_key(self, name, str(reply["key"]))

        self.runner.submit(lambda: self.api.admin_new_device_key(row["id"]), done=done, failed=failed)

    def unlock_selected(self) -> None:
        """The account may sign in again at once, from wherever it was refused (429)."""
        row = self.selected()
        if row is None or not self.kind.unlock:
            return
        name = self.kind.caption(row)
        self._act(
            lambda: self.api.admin_unlock_user(row["id"]),
            f"Đã mở khóa đăng nhập cho tài khoản «{name}».",
            "Không mở khóa được",
            reload=False,
        )
