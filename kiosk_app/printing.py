"""The ticket printer: its state, reported to the server, and taking a number.

Taking a number is one job on a worker (``TicketFlow.take``):

1. ask the printer's state: a printer that cannot print stops here, nothing is issued;
2. issue the ticket on the server;
3. render it once and print that image (the screen then shows the very same image);
4. if printing fails, cancel the ticket on the server so it is never called to an empty
   hall. A cancel that cannot reach the server is kept and retried until it does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
import time
from typing import Any

from PIL import Image
from PySide6 import QtCore

from apiclient import client as api_client
from hardware import errors as printer_errors
from hardware import printer as printer_mod
from hardware import render
from hardware import status as printer_status
from kiosk_app import config as kiosk_config
from onestop import errors
from qtkit import tasks

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 60.0
CANCEL_REASON = "Không in được phiếu: {error}"


@dataclasses.dataclass(frozen=True)
class Issued:
    ticket: dict[str, Any]
    data: render.TicketData
    image: Image.Image
    state: printer_status.PrinterState


class NotIssued(Exception):
    """Nothing was issued: the printer can't print or the server refused; ``message`` is
    Vietnamese, ``printer`` tells whether the printer was the cause."""

    def __init__(self, message: str, *, printer: bool) -> None:
        super().__init__(message)
        self.message = message
        self.printer = printer


class PrintFailed(Exception):
    """The ticket was issued but not printed; ``cancelled`` is False while the cancel waits
    for the server (it is retried)."""

    def __init__(
        self, ticket: dict[str, Any], error: printer_errors.PrinterError, *, cancelled: bool
    ) -> None:
        super().__init__(error.message)
        self.ticket = ticket
        self.error = error
        self.cancelled = cancelled


def fault_of(state: printer_status.PrinterState) -> str | None:
    """What the supervisor sees for this state, or None when printing works."""
    return f"Máy in phiếu: {state.label}" if state.blocks_printing else None


class PrinterModel(QtCore.QObject):
    """Checks the printer now and then, and reports faults to the server.

    Signals:
        state_changed(object): the PrinterState after a check that changed it.
    """

    state_changed = QtCore.Signal(object)

    def __init__(
        self,
        *,
        api: api_client.Client,
        printer: printer_mod.Printer,
        runner: tasks.Runner,
        check_seconds: float,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._api = api
        self.printer = printer
        self._runner = runner
        self.state: printer_status.PrinterState | None = None
        self.detail = ""
        # Every status report goes through report(), under this lock, with the newest fault:
        # two reports in flight could otherwise land in the wrong order and clear a fault.
        self._report_lock = threading.Lock()
        self._fault: str | None = None
        self._reported_at: float | None = None  # monotonic time of the last report that landed
        self._checking = False
        self._pending_cancels: list[tuple[int, str]] = []
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(int(check_seconds * 1000))
        self._timer.timeout.connect(self.check)

    @property
    def can_print(self) -> bool:
        return self.state is not None and not self.state.blocks_printing

    @property
    def pending_cancels(self) -> list[int]:
        return [ticket_id for ticket_id, _ in self._pending_cancels]

    def start(self) -> None:
        self._timer.start()
        self.check()

    def stop(self) -> None:
        self._timer.stop()

    def check(self) -> None:
        if self._checking:
            return
        self._checking = True
        pending = list(self._pending_cancels)
        self._runner.submit(lambda: self._check(pending), done=self._on_checked, failed=self._on_check_failed)

    def keep_cancel(self, ticket_id: int, reason: str) -> None:
        self._pending_cancels.append((ticket_id, reason))

    def take_state(self, state: printer_status.PrinterState) -> None:
        """A state learnt while printing; a change is reported at once."""
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)
            self.check()

    def report(self) -> dict[str, Any]:
        """Tell the server this kiosk is alive, with the last printer fault known; returns the
        server's view of this device. Runs on a worker; raises DomainError."""
        return self._report(keep=True)

    def _report(self, fault: str | None = None, *, keep: bool = False) -> dict[str, Any]:
        with self._report_lock:
            if not keep:
                self._fault = fault
            self._reported_at = None  # until this report lands: the next check sends again
            reply = self._api.report_device_status(self._fault)
            self._reported_at = time.monotonic()
            return reply

    def _check(self, pending: list[tuple[int, str]]) -> tuple[printer_status.PrinterState, str, list[int]]:
        try:
            state, detail = self.printer.status(), ""
        except printer_errors.PrinterError as exc:  # configuration: bad URL, no such device
            state, detail = printer_status.PrinterState.OFFLINE, exc.message
        fault = f"Máy in phiếu: {detail}" if detail else fault_of(state)
        last = self._reported_at
        if fault != self._fault or last is None or time.monotonic() - last > HEARTBEAT_SECONDS:
            try:
                self._report(fault)
            except errors.DomainError as exc:
                log.warning("could not report the printer state: %s", exc)
        return state, detail, self._cancel(pending)

    def _cancel(self, pending: list[tuple[int, str]]) -> list[int]:
        done = []
        for ticket_id, reason in pending:
            try:
                self._api.cancel(ticket_id, reason)
            except (errors.NotFound, errors.IllegalTransition):
                pass  # gone or already ended: nobody will call it either way
            except errors.DomainError as exc:
                log.warning("ticket %s still to cancel: %s", ticket_id, exc)
                continue
            done.append(ticket_id)
        return done

    def _on_checked(self, outcome: tuple[printer_status.PrinterState, str, list[int]]) -> None:
        self._checking = False
        state, self.detail, cancelled = outcome
        self._pending_cancels = [item for item in self._pending_cancels if item[0] not in cancelled]
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    def _on_check_failed(self, exc: Exception) -> None:
        self._checking = False
        log.error("printer check failed", exc_info=exc)


class TicketFlow(QtCore.QObject):
    """Signals:
    issued(object): an Issued.
    failed(object): a NotIssued or PrintFailed (both carry a message to show).
    """

    issued = QtCore.Signal(object)
    failed = QtCore.Signal(object)

    def __init__(
        self,
        *,
        api: api_client.Client,
        printer_model: PrinterModel,
        runner: tasks.Runner,
        config: kiosk_config.KioskConfig,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._api = api
        self._printers = printer_model
        self._runner = runner
        self._config = config
        self.busy = False

    def take(
        self, *, service: dict[str, Any], priority_group: tuple[str, str] | None, centre_name: str
    ) -> bool:
        """Start taking a number; False (and nothing happens) while another is in progress."""
        if self.busy:
            return False
        self.busy = True
        self._runner.submit(
            lambda: self._take(service, priority_group, centre_name),
            done=self._on_done,
            failed=self._on_failed,
        )
        return True

    def _take(self, service: dict[str, Any], group: tuple[str, str] | None, centre_name: str) -> Issued:
        printer = self._printers.printer
        try:
            before = printer.status()
        except printer_errors.PrinterError as exc:
            raise NotIssued(exc.message, printer=True) from exc
        if before.blocks_printing:
            raise NotIssued(before.label + ".", printer=True)
        try:
            ticket = self._api.issue_ticket(int(service["id"]), group[0] if group else None)
        except errors.DomainError as exc:
            raise NotIssued(str(exc), printer=False) from exc
        data = ticket_data(ticket, service=service, group=group, centre_name=centre_name, config=self._config)
        try:
            image = printer.ticket_image(data)
            state = printer.print_ticket(data, image=image)
        except printer_errors.PrinterError as exc:
            raise PrintFailed(ticket, exc, cancelled=self._cancel(ticket, exc)) from exc
        return Issued(ticket=ticket, data=data, image=image, state=state)

    def _cancel(self, ticket: dict[str, Any], error: printer_errors.PrinterError) -> bool:
        reason = CANCEL_REASON.format(error=error.message)
        try:
            self._api.cancel(int(ticket["id"]), reason)
        except (errors.NotFound, errors.IllegalTransition):
            return True
        except errors.DomainError as exc:
            # _on_failed hands it to the printer model, which retries with each check.
            log.error("ticket %s printed nothing and could not be cancelled yet: %s", ticket["number"], exc)
            return False
        return True

    def _on_done(self, issued: Issued) -> None:
        self.busy = False
        self._printers.take_state(issued.state)
        self.issued.emit(issued)

    def _on_failed(self, exc: Exception) -> None:
        self.busy = False
        if isinstance(exc, PrintFailed):
            if not exc.cancelled:
                self._printers.keep_cancel(
                    int(exc.ticket["id"]), CANCEL_REASON.format(error=exc.error.message)
                )
            self._printers.check()
        elif isinstance(exc, NotIssued) and exc.printer:
            self._printers.check()
        elif not isinstance(exc, NotIssued):
            log.error("taking a number failed", exc_info=exc)
            exc = NotIssued(str(exc), printer=False)
        self.failed.emit(exc)


def ticket_data(
    ticket: dict[str, Any],
    *,
    service: dict[str, Any],
    group: tuple[str, str] | None,
    centre_name: str,
    config: kiosk_config.KioskConfig,
) -> render.TicketData:
    return render.TicketData(
        centre_name=centre_name or "Trung tâm Phục vụ hành chính công",
        service_name=str(service["name"]),
        number=str(ticket["number"]),
        priority_group=group[1] if group else None,
        issued_at=dt.datetime.fromisoformat(str(ticket["issued_at"])),
        people_ahead=ticket.get("waiting_before"),
        estimated_wait_minutes=ticket.get("estimated_wait_minutes"),
        qr_url=config.ticket_link(ticket),
    )
