"""Wiring: the models, the window, and what each touch does.

``Kiosk(config)`` builds everything (a real API client and printer by default; tests pass
their own) and ``start()`` shows the window and begins polling; ``shutdown()`` stops timers
and workers before the window goes.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6 import QtCore, QtWidgets

from apiclient import client as api_client
from apiclient import errors as api_errors
from hardware import printer as printer_mod
from hardware import render
from kiosk_app import config as kiosk_config
from kiosk_app import lookup, printing, queue, scanning, texts, window
from kiosk_app.views import admin
from onestop import calendar
from qtkit import idle, tasks

log = logging.getLogger(__name__)


class Kiosk(QtCore.QObject):
    def __init__(
        self,
        config: kiosk_config.KioskConfig,
        *,
        api: api_client.Client | None = None,
        printer: printer_mod.Printer | None = None,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.config = config
        self.text = texts.Texts(config.language)
        self.api = api or api_client.Client(config.server, secret=config.device_key, timeout=5.0)
        self.runner = tasks.Runner(workers=4, parent=self)
        self.printer = printing.PrinterModel(
            api=self.api,
            printer=printer or printer_mod.get_printer(config.printer),
            runner=self.runner,
            check_seconds=config.printer_check_seconds,
            parent=self,
        )
        self.queue = queue.QueueModel(
            api=self.api,
            runner=self.runner,
            whoami=self.printer.report,
            refresh_seconds=config.refresh_seconds,
            parent=self,
        )
        self.flow = printing.TicketFlow(
            api=self.api, printer_model=self.printer, runner=self.runner, config=config, parent=self
        )
        self.search = lookup.ProcedureSearch(api=self.api, runner=self.runner, parent=self)
        self.dossiers = lookup.DossierLookup(api=self.api, runner=self.runner, parent=self)
        self.window = window.KioskWindow(self.text)
        self.idle = idle.IdleWatcher(config.idle_seconds, parent=self)
        self.scans = scanning.ScanWatcher(serial_url=config.scanner, parent=self)
        self._home_timer = QtCore.QTimer(self)
        self._home_timer.setSingleShot(True)
        self._home_timer.timeout.connect(self.go_home)
        self._service: dict[str, Any] | None = None
        self._connect()

    # ------------------------------------------------------------ life

    def start(self) -> None:
        if self.config.orientation == "auto":
            self.window.fit_screen()
        else:
            self.window.set_portrait(self.config.orientation == "portrait")
        if self.config.windowed:
            self.window.show()
        else:
            self.window.setWindowFlag(QtCore.Qt.WindowType.FramelessWindowHint)
            self.window.showFullScreen()
        self.queue.start()
        self.printer.start()
        self.search.search_now("")

    def shutdown(self) -> None:
        """Stop timers and workers, then close the window; safe to call twice."""
        if self.runner.closed:
            return
        self.queue.stop()
        self.printer.stop()
        self.idle.stop()
        self.scans.stop()
        self._home_timer.stop()
        self.runner.close()
        self.window.may_close = True
        self.window.close()
        self.api.close()

    def _connect(self) -> None:
        w = self.window
        w.language_toggled.connect(self.on_window_language_toggled)
        w.admin_wanted.connect(self.on_window_admin_wanted)
        w.home.service_chosen.connect(self.on_home_service_chosen)
        w.home.procedures_wanted.connect(lambda: self._open(w.procedures))
        w.home.dossier_wanted.connect(lambda: self._open(w.dossier))
        w.priority.chosen.connect(self.on_priority_chosen)
        w.priority.back.connect(self.go_home)
        w.ticket.home.connect(self.go_home)
        w.procedures.back.connect(self.go_home)
        w.procedures.query_changed.connect(self.search.search)
        w.dossier.back.connect(self.go_home)
        w.dossier.lookup_wanted.connect(self.on_dossier_lookup_wanted)
        self.queue.services_changed.connect(self.on_queue_services_changed)
        self.queue.online_changed.connect(self.on_queue_online_changed)
        self.printer.state_changed.connect(lambda _state: self._update_status())
        self.flow.issued.connect(self.on_flow_issued)
        self.flow.failed.connect(self.on_flow_failed)
        self.search.results.connect(w.procedures.show_results)
        self.search.failed.connect(w.procedures.show_error)
        self.dossiers.found.connect(w.dossier.show_dossier)
        self.dossiers.not_found.connect(lambda code: w.dossier.show_message("dossier_not_found", code=code))
        self.dossiers.bad_code.connect(lambda text: w.dossier.show_message("dossier_bad_code", text=text))
        self.dossiers.failed.connect(w.dossier.show_error)
        self.idle.idle.connect(self.on_idle)
        self.scans.scanned.connect(self.on_scans_scanned)

    # ------------------------------------------------------------ pages

    def go_home(self) -> None:
        self._home_timer.stop()
        self._service = None
        self.window.procedures.reset()
        self.window.dossier.reset()
        self.window.show_page(self.window.home)
        self.queue.refresh()

    def _open(self, page: QtWidgets.QWidget) -> None:
        self.idle.poke()
        self.window.show_page(page)

    def on_idle(self) -> None:
        if self.flow.busy:  # the number is being printed: the citizen will want to see it
            self.idle.poke()
        elif self.window.stack.currentWidget() is not self.window.home:
            self.go_home()

    def on_window_language_toggled(self) -> None:
        self.text.language = texts.VI if self.text.english else texts.EN
        self.window.retranslate()

    def on_window_admin_wanted(self) -> None:
        if self.config.admin_pin is not None and not admin.PinDialog.ask(
            self.window, self.text, self.config.admin_pin
        ):
            return
        state = self.printer.state.label if self.printer.state else "…"
        line = self.text.get("admin_printer", url=self.config.printer, state=state)
        choice = admin.AdminDialog.ask(self.window, self.text, line)
        if choice == "quit":
            self.shutdown()
            QtWidgets.QApplication.quit()
        elif choice == "test":
            self.runner.submit(
                lambda: self.printer.printer.print_image(self.printer.printer.ticket_image(_test_ticket())),
                failed=lambda exc: log.error("test print: %s", exc),
            )

    # ------------------------------------------------------------ taking a number

    def on_home_service_chosen(self, service: dict[str, Any]) -> None:
        identity = self.queue.identity
        groups = identity.priority_groups if identity else ()
        if self.config.priority_step and groups:
            self._service = service
            self.window.priority.show_for(service, groups)
            self._open(self.window.priority)
        else:
            self._take(service, None)

    def on_priority_chosen(self, group: tuple[str, str] | None) -> None:
        if self._service is not None:
            self._take(self._service, group)

    def _take(self, service: dict[str, Any], group: tuple[str, str] | None) -> None:
        identity = self.queue.identity
        centre = identity.centre_name if identity else ""
        if self.flow.take(service=service, priority_group=group, centre_name=centre):
            self.window.ticket.show_busy()
            self._open(self.window.ticket)

    def on_flow_issued(self, issued: printing.Issued) -> None:
        data = issued.data
        self.window.ticket.show_ticket(
            number=data.number,
            service=data.service_name,
            priority=data.priority_group,
            ahead=data.people_ahead,
            minutes=data.estimated_wait_minutes,
            image=issued.image,
        )
        self._home_timer.start(int(self.config.ticket_seconds * 1000))
        self.queue.refresh()

    def on_flow_failed(self, exc: Exception) -> None:
        if isinstance(exc, printing.PrintFailed):
            message = self.text.get("print_failed", reason=exc.error.message)
        else:
            assert isinstance(exc, printing.NotIssued)
            message = self.text.get("issue_failed", reason=exc.message)
            if isinstance(exc.__cause__, api_errors.ServerUnavailable):
                self.queue.report_failure(exc.__cause__)
        self.window.ticket.show_failure(message)
        self._home_timer.start(int(self.config.ticket_seconds * 1000))

    # ------------------------------------------------------------ status

    def on_queue_services_changed(self, snapshot: queue.Snapshot) -> None:
        self.window.centre_name.setText(snapshot.identity.centre_name)
        self.window.home.set_services(list(snapshot.services), list(snapshot.identity.agencies))

    def on_queue_online_changed(self, online: bool) -> None:
        self._update_status()
        if online:
            self.printer.on_server_back()

    def _update_status(self) -> None:
        state = self.printer.state
        if not self.queue.online:
            message: str | None = self.text.get("offline")
        elif state is not None and state.blocks_printing:
            message = self.text.get("printer_fault", state=self.printer.detail or state.label)
        else:
            message = None
        self.window.set_banner(message)
        self.window.home.set_issuing_enabled(self.queue.online and self.printer.can_print)

    # ------------------------------------------------------------ look-ups

    def on_dossier_lookup_wanted(self, text: str) -> None:
        self.window.dossier.show_searching(text.strip())
        self.dossiers.lookup(text)

    def on_scans_scanned(self, code: str) -> None:
        self.window.dossier.show_searching(code)
        self._open(self.window.dossier)
        self.dossiers.lookup(code)


def _test_ticket() -> render.TicketData:
    return render.TicketData(
        centre_name="IN THỬ — Trung tâm Phục vụ hành chính công",
        service_name="Phiếu in thử: Đ ế ữ ợ ả ỹ",
        number="A000",
        priority_group=None,
        issued_at=dt.datetime.now(calendar.VN_TZ),
        people_ahead=None,
        estimated_wait_minutes=None,
        qr_url=None,
    )
