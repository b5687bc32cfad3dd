"""Export the catalogue to a file (JSON or Excel) and import one: a dry run first, then the
user's confirmation of what will be added / updated / unchanged, then the import itself.

Reading and writing files and the HTTP calls run on the runner; file pickers and questions
go through views.admin.dialogs, which tests monkeypatch.
"""

from __future__ import annotations

import collections.abc
import pathlib
from typing import Any

from PySide6 import QtWidgets

from apiclient import client as api_client
from apiclient import errors as api_errors
from counter_app.views.admin import dialogs, kinds
from onestop import errors
from qtkit import tasks

FORMATS = {
    "json": ("Xuất danh mục (JSON)", "danh-muc.json", "JSON (*.json)"),
    "xlsx": ("Xuất bảng tính (Excel)", "danh-muc.xlsx", "Excel (*.xlsx)"),
}
CONTENT_TYPES = {
    ".json": "application/json",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def kind_title(key: str) -> str:
    kind = kinds.KINDS.get(key.replace("_", "-"))
    return kind.title if kind is not None else key


def summary_lines(result: dict[str, Any]) -> list[str]:
    """One line per kind: "Thủ tục: thêm 2, cập nhật 1, giữ nguyên 61"."""
    counts = {name: result.get(name) or {} for name in ("created", "updated", "unchanged")}
    found = {key for group in counts.values() for key in group}
    ordered = [k for k in kinds.KINDS if k in found or k.replace("-", "_") in found]
    ordered = [k if k in found else k.replace("-", "_") for k in ordered]
    ordered += sorted(found - set(ordered))
    return [
        f"{kind_title(key)}: thêm {counts['created'].get(key, 0)}, cập nhật {counts['updated'].get(key, 0)}, "
        f"giữ nguyên {counts['unchanged'].get(key, 0)}"
        for key in ordered
    ]


def changes(result: dict[str, Any]) -> int:
    return sum(sum((result.get(name) or {}).values()) for name in ("created", "updated"))


def problem_line(error: api_errors.FieldError) -> str:
    """One problem of a refused file. The server's message already says where ("Trang «Thủ tục»,
    dòng 5, cột «Lệ phí»: …" for a spreadsheet, the JSON path for a document); a bare one gets
    its field."""
    if error.message and ("«" in error.message or ": " in error.message or not error.field):
        return error.message
    return f"{error.field}: {error.message}" if error.field else error.message


def content_type(path: str) -> str | None:
    return CONTENT_TYPES.get(pathlib.Path(path).suffix.lower())


class CatalogueIO:
    """Export and import for the admin page; ``report(text)`` shows progress and outcomes,
    ``imported()`` runs after a real import (the page reloads its lists)."""

    def __init__(
        self,
        api: api_client.Client,
        runner: tasks.Runner,
        parent: QtWidgets.QWidget,
        *,
        report: collections.abc.Callable[[str], object],
        imported: collections.abc.Callable[[], object],
    ) -> None:
        self.api = api
        self.runner = runner
        self.parent = parent
        self.report = report
        self.imported = imported
        self.busy = False
        self.last_summary: list[str] = []

    def _start(self, text: str) -> None:
        self.busy = True
        self.report(text)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        message = exc.message if isinstance(exc, errors.DomainError) else f"Lỗi: {exc}"
        self.report(message)
        dialogs.Notice.show(self.parent, "Danh mục", message)

    # ------------------------------------------------------------ export

    def export(self, fmt: str) -> None:
        caption, suggested, filter_text = FORMATS[fmt]
        path = dialogs.Files.save_path(self.parent, caption, suggested, filter_text)
        if path is None:
            return
        if not path.lower().endswith(f".{fmt}"):
            path += f".{fmt}"

        def work() -> int:
            data = self.api.export_catalogue(None, fmt)
            pathlib.Path(path).write_bytes(data)
            return len(data)

        self._start("Đang xuất danh mục…")
        self.runner.submit(work, done=lambda size: self._exported(path, size), failed=self._failed)

    def _exported(self, path: str, size: int) -> None:
        self.busy = False
        self.report(f"Đã xuất danh mục ra {path} ({max(1, round(size / 1024))} KB).")

    # ------------------------------------------------------------ import

    def start_import(self) -> None:
        path = dialogs.Files.open_path(self.parent)
        if path is None:
            return
        kind = content_type(path)
        if kind is None:
            self.report("Chỉ nhập được tệp .json hoặc .xlsx.")
            dialogs.Notice.show(self.parent, "Nhập danh mục", "Chỉ nhập được tệp .json hoặc .xlsx.")
            return

        def dry_run() -> tuple[bytes, dict[str, Any]]:
            data = pathlib.Path(path).read_bytes()
            return data, self.api.import_catalogue(data, kind, centre_id=None, dry_run=True)

        self._start("Đang kiểm tra tệp danh mục…")
        self.runner.submit(dry_run, done=lambda got: self._checked(kind, *got), failed=self._refused)

    def _checked(self, kind: str, data: bytes, result: dict[str, Any]) -> None:
        self.busy = False
        self.last_summary = lines = summary_lines(result)
        if changes(result) == 0:
            self.report("Danh mục trong tệp giống danh mục hiện có; không có gì để nhập.")
            dialogs.Notice.show(self.parent, "Nhập danh mục", "Không có gì thay đổi:\n" + "\n".join(lines))
            return
        if not dialogs.ImportConfirm.ask(self.parent, lines):
            self.report("Đã huỷ nhập danh mục.")
            return

        def apply() -> dict[str, Any]:
            return self.api.import_catalogue(data, kind, centre_id=None, dry_run=False)

        self._start("Đang nhập danh mục…")
        self.runner.submit(apply, done=self._applied, failed=self._refused)

    def _applied(self, result: dict[str, Any]) -> None:
        self.busy = False
        self.last_summary = summary_lines(result)
        self.report("Đã nhập danh mục. " + "; ".join(self.last_summary))
        self.imported()

    def _refused(self, exc: BaseException) -> None:
        if not isinstance(exc, api_errors.InvalidRequest):
            self._failed(exc)
            return
        self.busy = False
        lines = [problem_line(error) for error in exc.errors] or [exc.message]
        self.report(f"Tệp danh mục có {len(lines)} lỗi; chưa nhập gì.")
        dialogs.Problems.show(self.parent, lines)
