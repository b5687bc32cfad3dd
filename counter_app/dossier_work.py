"""Dossier work at the counter: intake with its receipt, returning results, the citizen's rating.

Everything the officer records goes through the outbox (``sync.Sync``) first, so a network
cut or a restart loses nothing. A receipt needs the dossier code, which only the server
gives: it is printed (and kept as PDF) when the intake's reply arrives, whenever that is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import pathlib
import uuid
from typing import Any

from PySide6 import QtCore, QtGui, QtPrintSupport, QtWidgets

from apiclient import client as api_client
from counter_app import desk, forms, outbox, sync
from counter_app.views import actions, book, intake, rating, returns
from onestop import calendar, dossier, errors, exports
from qtkit import tasks

log = logging.getLogger(__name__)
RECEIPT_COPIES = 2  # one for the citizen, one for the file (Mẫu 01)
FORM_NAMES = {"supplemented": "Mẫu 01", "supplement": "Mẫu 02", "refuse": "Mẫu 03", "extend": "Mẫu 04"}


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


class DossierWork(QtCore.QObject):
    """Signals:
    message(str): a sentence for the officer's desk.
    """

    message = QtCore.Signal(str)

    def __init__(
        self,
        *,
        api: api_client.Client,
        runner: tasks.Runner,
        desk_model: desk.Desk,
        box: outbox.Outbox,
        data_dir: pathlib.Path,
        context: forms.FormContext,
        a4_printer: str | None = None,
        parent_widget: QtWidgets.QWidget,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.api = api
        self.runner = runner
        self.desk = desk_model
        # Kept on the counter PC: receipts (Mẫu 01), the other forms, tracking book exports.
        self.receipts, self.forms_dir, self.books_dir = (data_dir / n for n in ("receipts", "forms", "books"))
        self.context = context
        self.a4_printer = a4_printer
        self.window = parent_widget
        self.procedures: list[dict[str, Any]] = []
        self.sync = sync.Sync(box=box, api=api, runner=runner, parent=self)
        self.sync.sent.connect(self.on_sync_sent)
        self.sync.failed.connect(self.on_sync_failed)
        self.intake_dialog: intake.IntakeDialog | None = None
        self.return_dialog: returns.ReturnDialog | None = None
        self.action_dialog: QtWidgets.QDialog | None = None
        self.book_dialog: book.BookDialog | None = None
        self.rating = rating.RatingWindow()
        self.rating.rated.connect(self.on_rated)

    def close(self) -> None:
        self.sync.stop()
        self.rating.close()
        self.rating.deleteLater()

    # ------------------------------------------------------------ catalogue

    def load_procedures(self) -> None:
        """The whole procedure list, kept for intake while the server is away."""

        def done(found: list[dict[str, Any]]) -> None:
            self.procedures = found

        self.runner.submit(
            lambda: self.api.procedures(limit=500), done=done, failed=lambda e: log.info("procedures: %s", e)
        )

    # ------------------------------------------------------------ intake

    def open_intake(self) -> None:
        ticket = self.desk.current
        if ticket is None:
            return
        if not self.procedures:
            self.message.emit("Chưa tải được danh mục thủ tục; vui lòng thử lại sau giây lát.")
            self.load_procedures()
            return
        dialog = intake.IntakeDialog(self.procedures, number=ticket["number"], parent=self.window)
        dialog.accepted.connect(lambda: self.record_intake(dialog.body(ticket_id=ticket["id"])))
        dialog.finished.connect(dialog.deleteLater)
        self.intake_dialog = dialog
        dialog.open()

    def record_intake(self, body: dict[str, Any]) -> outbox.Work:
        work = self.sync.record(outbox.INTAKE, {**body, "recorded_at": _now()})
        self.message.emit(
            f"Đã ghi hồ sơ của {body['applicant']['full_name']}. Giấy hẹn sẽ in khi máy chủ cấp mã hồ sơ."
        )
        return work

    def on_sync_sent(self, work: outbox.Work) -> None:
        assert work.reply is not None
        if work.kind == outbox.INTAKE:
            path = self.make_receipt(work.reply)
            self.message.emit(f"Đã tiếp nhận hồ sơ {work.reply['code']}; giấy hẹn: {path.name}.")
        elif work.kind == outbox.RETURN:
            self.message.emit(f"Đã ghi nhận trả kết quả hồ sơ {work.reply['code']}.")

    def on_sync_failed(self, work: outbox.Work) -> None:
        what = {outbox.INTAKE: "Hồ sơ", outbox.RETURN: "Trả kết quả", outbox.RATING: "Đánh giá"}[work.kind]
        self.message.emit(f"{what} không gửi được, cần xử lý: {work.error}")

    def make_receipt(self, found: dict[str, Any]) -> pathlib.Path:
        """Mẫu 01 as PDF (two copies), printed on the A4 printer when one is set."""
        context = self._context()
        procedure = next((p for p in self.procedures if p["id"] == found["procedure_id"]), None)
        if procedure is not None:  # line 3, the legal processing time, is the procedure's
            found = {**found, "processing_days": procedure["processing_days"]}
        document = forms.receipt(found, context)
        path = forms.save_pdf(document, self.receipts / _file_name(found, ".pdf"), copies=RECEIPT_COPIES)
        if self.a4_printer:
            self._print(document, copies=RECEIPT_COPIES)
        return path

    def _context(self) -> forms.FormContext:
        user = self.desk.user or {}
        return dataclasses.replace(self.context, officer_name=user.get("full_name") or "")

    def _print(self, document: QtGui.QTextDocument, *, copies: int) -> None:
        printer = QtPrintSupport.QPrinter(QtPrintSupport.QPrinter.PrinterMode.HighResolution)
        printer.setPrinterName(self.a4_printer or "")
        if not printer.isValid():
            self.message.emit(f"Không tìm thấy máy in “{self.a4_printer}”; giấy hẹn đã lưu thành PDF.")
            return
        forms.print_document(document, printer, copies=copies)

    # ------------------------------------------------------------ returns and ratings

    def open_return(self) -> None:
        dialog = returns.ReturnDialog(parent=self.window)
        dialog.search_requested.connect(lambda text: self._look_up(dialog, text))
        dialog.chosen.connect(lambda code: self._history(dialog, code))
        dialog.accepted.connect(lambda: self.record_return(dialog.found, dialog.returned_to()))
        dialog.action_requested.connect(lambda action: self.open_action(dialog, action))
        dialog.finished.connect(dialog.deleteLater)
        self.return_dialog = dialog
        dialog.open()

    def _look_up(self, dialog: returns.ReturnDialog, text: str) -> None:
        code = dossier.find_code(text)

        def work() -> list[dict[str, Any]]:
            if code is not None:
                return [self.api.dossier(code)]
            return self.api.dossiers_by_id_number(text)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, errors.NotFound):
                dialog.show_results([])
            else:
                dialog.show_message(exc.message if isinstance(exc, errors.DomainError) else str(exc))

        self.runner.submit(work, done=dialog.show_results, failed=failed, owner=dialog)

    def _history(self, dialog: returns.ReturnDialog, code: str) -> None:
        self.runner.submit(
            lambda: self.api.dossier_history(code),
            done=dialog.show_history,
            failed=lambda exc: log.info("history of %s: %s", code, exc),
            owner=dialog,  # closed before the history came: nothing to show it in
        )

    def open_action(self, dialog: returns.ReturnDialog, action: str) -> None:
        """Mẫu 02, 03 or 04 for the dossier shown: asked, sent (with its key), then printed."""
        found = dialog.found
        if found is None:
            return
        code = found["code"]
        if action == "supplemented":  # nothing to ask: the papers are here
            self._send_action(dialog, action, code, {})
            return
        if action == "supplement":
            asked: QtWidgets.QDialog = actions.SupplementDialog(found, found.get("documents") or [], dialog)
        elif action == "refuse":
            asked = actions.ReasonDialog(f"Từ chối hồ sơ {code}", "Từ chối và in Mẫu 03", dialog)
        else:
            asked = actions.ExtendDialog(found, dialog)
        self.action_dialog = asked
        asked.accepted.connect(lambda: self._send_action(dialog, action, code, asked.body()))  # type: ignore[attr-defined]
        asked.finished.connect(asked.deleteLater)
        asked.open()

    def _send_action(
        self, dialog: returns.ReturnDialog, action: str, code: str, body: dict[str, Any]
    ) -> None:
        key = str(uuid.uuid4())
        calls = {
            "supplemented": lambda: self.api.supplemented(code, idempotency_key=key),
            "supplement": lambda: self.api.supplement_request(
                code, body["items"], body["reason"], idempotency_key=key
            ),
            "refuse": lambda: self.api.refuse(code, body["reason"], idempotency_key=key),
            "extend": lambda: self.api.extend(code, body["reason"], body["new_due_at"], idempotency_key=key),
        }

        def done(reply: dict[str, Any]) -> None:
            # The form is printed even if the officer closed the dialog meanwhile.
            path = self.make_receipt(reply) if action == "supplemented" else self.print_form(action, reply)
            text = f"Đã ghi nhận; {FORM_NAMES[action]} đã in: {path.name}."
            if tasks.alive(dialog):
                dialog.show_results([reply])
                dialog.show_message(text)
            else:
                self.message.emit(text)

        def failed(exc: BaseException) -> None:
            text = exc.message if isinstance(exc, errors.DomainError) else str(exc)
            (dialog.show_message if tasks.alive(dialog) else self.message.emit)(text)

        self.runner.submit(calls[action], done=done, failed=failed)

    def print_form(self, action: str, found: dict[str, Any]) -> pathlib.Path:
        draw = {"supplement": forms.supplement_request, "refuse": forms.refusal, "extend": forms.extension}[
            action
        ]
        document = draw(found, self._context())
        number = FORM_NAMES[action].split()[-1]
        path = forms.save_pdf(document, self.forms_dir / _file_name(found, f"-mau-{number}.pdf"))
        if self.a4_printer:
            self._print(document, copies=1)
        return path

    def open_book(self) -> None:
        """The tracking book for a date range and a field, as PDF or spreadsheet."""

        def show(agencies: list[dict[str, Any]]) -> None:
            today = dt.datetime.now(calendar.VN_TZ).date()
            dialog = book.BookDialog(agencies, today=today, parent=self.window)
            dialog.export_requested.connect(lambda kind: self._export_book(dialog, kind))
            dialog.finished.connect(dialog.deleteLater)
            self.book_dialog = dialog
            dialog.open()

        self.runner.submit(self.api.agencies, done=show, failed=self._say_failure)

    def _export_book(self, dialog: book.BookDialog, kind: str) -> None:
        start, end, field = dialog.start(), dialog.end(), dialog.field()
        field_id, field_name = field if field is not None else (None, "")
        name = f"so-theo-doi-{start:%Y%m%d}-{end:%Y%m%d}" + (f"-linh-vuc-{field_id}" if field_id else "")
        path = self.books_dir / f"{name}.{kind}"

        def done(rows: list[dict[str, Any]]) -> None:
            if kind == "pdf":
                document = forms.tracking_book(
                    rows, self._context(), start=start, end=end, field_name=field_name
                )
                forms.save_pdf(document, path)
            else:
                forms.tracking_book_xlsx(rows, path, start=start, end=end, field_name=field_name)
            dialog.show_message(f"{len(rows)} hồ sơ; đã lưu: {path}")

        def failed(exc: BaseException) -> None:
            dialog.show_message(exc.message if isinstance(exc, errors.DomainError) else str(exc))

        dialog.show_message("Đang lấy dữ liệu…")
        self.runner.submit(
            lambda: self.api.tracking_book(start, end, field_id=field_id),
            done=done,
            failed=failed,
            owner=dialog,  # closed meanwhile: the officer no longer wants the book
        )

    def _say_failure(self, exc: BaseException) -> None:
        self.message.emit(exc.message if isinstance(exc, errors.DomainError) else str(exc))

    def record_return(self, found: dict[str, Any] | None, returned_to: str) -> None:
        if found is None:
            return
        body = {"code": found["code"], "returned_to": returned_to, "method": found["return_method"]}
        self.sync.record(outbox.RETURN, {**body, "returned_at": _now()})
        self.rating.place(QtGui.QGuiApplication.screens())
        self.rating.ask(found["code"])

    def on_rated(self, level: str, reason: str) -> None:
        body = {"code": self.rating.code, "level": level, "reason": reason or None, "rated_at": _now()}
        self.sync.record(outbox.RATING, body)


def _file_name(found: dict[str, Any], ending: str) -> str:
    """The dossier's file name in its folder: the code as the server gave it, made safe, so that
    no code (one holding "/" or "..") names a file anywhere else."""
    return exports.file_part(str(found.get("code") or ""), fallback="ho-so") + ending
