"""The ticket printer: its state, reported to the server, and taking a number.

Taking a number is one job on a worker (``TicketFlow.take``):

1. ask the printer's state: a printer that cannot print stops here, nothing is issued;
2. issue the ticket on the server, with a fresh Idempotency-Key for this tap. When no reply
   comes (ServerUnavailable: the server may or may not have issued it), resend with the same
   key a few times, a few seconds in all: a resend that is answered gets the ticket the first
   send made, never a second one;
3. render it once and print that image (the screen then shows the very same image);
4. if printing fails, cancel the ticket on the server so it is never called to an empty
   hall. A cancel that cannot reach the server is kept and retried until it does.

A request that got no answer even after resending is kept (``Unanswered``) and, once the
server answers again, looked up by its key (which never issues): a ticket it made was never
printed and nobody holds it, so it is cancelled. The kiosk keeps these in memory only (it has
no data directory): a kiosk restarted while the server is away forgets them, and such a
ticket is called and ends as a no-show.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from PIL import Image
from PySide6 import QtCore

from apiclient import client as api_client
from apiclient import errors as api_errors
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
LOST_REASON = "Ki-ốt mất kết nối khi cấp số; số chưa được in."
# Waits before each resend of a ticket request that got no answer; the citizen is at the
# screen, so the resends stop once RESEND_BUDGET_SECONDS have passed since the tap.
RESEND_DELAYS = (0.5, 1.0, 2.0)
RESEND_BUDGET_SECONDS = 4.0
# A key the server does not know may still be on its way in a slow request: it is forgotten
# only once it has been unknown this long after its last send.
SETTLE_SECONDS = 60.0


@dataclasses.dataclass(frozen=True)
class Issued:
    ticket: dict[str, Any]
    data: render.TicketData
    image: Image.Image
    state: printer_status.PrinterState


@dataclasses.dataclass(frozen=True)
class Unanswered:
    """A ticket request that got no answer, even resent: the server may have issued it."""

    key: str  # its Idempotency-Key
    service_id: int
    priority_group: str | None
    sent_at: float  # time.monotonic() of its last send


class NotIssued(Exception):
    """Nothing was printed: the printer can't print, the server refused or did not answer;
    ``message`` is Vietnamese, ``printer`` tells whether the printer was the cause, and
    ``unanswered`` is set when the server may have issued a ticket all the same."""

    def __init__(self, message: str, *, printer: bool, unanswered: Unanswered | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.printer = printer
        self.unanswered = unanswered


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


@dataclasses.dataclass(frozen=True)
class _Checked:
    state: printer_status.PrinterState
    detail: str
    cancelled: list[int]  # ticket ids
    settled: list[str]  # keys of unanswered requests


class PrinterModel(QtCore.QObject):
    """Checks the printer now and then, and reports faults to the server; with each check,
    retries the cancels and settles the unanswered ticket requests that wait for the server.

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
        self._unanswered: list[Unanswered] = []
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(int(check_seconds * 1000))
        self._timer.timeout.connect(self.check)

    @property
    def can_print(self) -> bool:
        return self.state is not None and not self.state.blocks_printing

    @property
    def pending_cancels(self) -> list[int]:
        return [ticket_id for ticket_id, _ in self._pending_cancels]

    @property
    def unanswered(self) -> list[Unanswered]:
        return list(self._unanswered)

    def start(self) -> None:
        self._timer.start()
        self.check()

    def stop(self) -> None:
        self._timer.stop()

    def check(self) -> None:
        if self._checking:
            return
        self._checking = True
        pending, unanswered = list(self._pending_cancels), list(self._unanswered)
        self._runner.submit(
            lambda: self._check(pending, unanswered), done=self._on_checked, failed=self._on_check_failed
        )

    def keep_cancel(self, ticket_id: int, reason: str) -> None:
        self._pending_cancels.append((ticket_id, reason))

    def keep_unanswered(self, request: Unanswered) -> None:
        self._unanswered.append(request)

    def on_server_back(self) -> None:
        """The server answers again: settle what waited for it now, not at the next check."""
        if self._pending_cancels or self._unanswered:
            self.check()

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

    def _check(self, pending: list[tuple[int, str]], unanswered: list[Unanswered]) -> _Checked:
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
        return _Checked(state, detail, self._cancel(pending), self._settle(unanswered))

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

    def _settle(self, unanswered: list[Unanswered]) -> list[str]:
        """Look each unanswered request up by its key (never issuing): cancel the ticket it
        made, which nobody holds. Returns the keys settled."""
        settled = []
        for request in unanswered:
            try:
                ticket = self._api.ticket_by_key(request.key)
            except errors.NotFound:
                if time.monotonic() - request.sent_at >= SETTLE_SECONDS:
                    settled.append(request.key)  # it never reached the server
                continue
            except errors.DomainError as exc:
                log.warning("ticket request %s still unsettled: %s", request.key, exc)
                continue
            try:
                self._api.cancel(int(ticket["id"]), LOST_REASON)
            except (errors.NotFound, errors.IllegalTransition):
                pass  # already ended: nobody will call it either way
            except errors.DomainError as exc:
                log.warning("ticket %s still to cancel: %s", ticket["number"], exc)
                continue
            log.warning("ticket %s was issued while the kiosk had no answer; cancelled", ticket["number"])
            settled.append(request.key)
        return settled

    def _on_checked(self, outcome: _Checked) -> None:
        self._checking = False
        state, self.detail = outcome.state, outcome.detail
        self._pending_cancels = [item for item in self._pending_cancels if item[0] not in outcome.cancelled]
        self._unanswered = [item for item in self._unanswered if item.key not in outcome.settled]
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
        resend_delays: Sequence[float] = RESEND_DELAYS,
        sleep: Callable[[float], object] = time.sleep,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._api = api
        self._printers = printer_model
        self._runner = runner
        self._config = config
        self._resend_delays = tuple(resend_delays)
        self._sleep = sleep
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
        key, service_id, code = str(uuid.uuid4()), int(service["id"]), group[0] if group else None
        try:
            ticket = self._issue(key, service_id, code)
        except api_errors.ServerUnavailable as exc:
            lost = Unanswered(key, service_id, code, sent_at=time.monotonic())
            raise NotIssued(str(exc), printer=False, unanswered=lost) from exc
        except errors.DomainError as exc:
            raise NotIssued(str(exc), printer=False) from exc
        data = ticket_data(ticket, service=service, group=group, centre_name=centre_name, config=self._config)
        try:
            image = printer.ticket_image(data)
            state = printer.print_ticket(data, image=image)
        except printer_errors.PrinterError as exc:
            raise PrintFailed(ticket, exc, cancelled=self._cancel(ticket, exc)) from exc
        return Issued(ticket=ticket, data=data, image=image, state=state)

    def _issue(self, key: str, service_id: int, group: str | None) -> dict[str, Any]:
        """Issue, resending with the same key while there is no answer, within the budget."""
        tapped = time.monotonic()
        for delay in (*self._resend_delays, None):
            try:
                return self._api.issue_ticket(service_id, group, idempotency_key=key)
            except api_errors.ServerUnavailable as exc:
                if delay is None or time.monotonic() - tapped + delay > RESEND_BUDGET_SECONDS:
                    raise
                log.warning("no answer to a ticket request (%s); resending in %.1f s", exc.reason, delay)
                self._sleep(delay)
        raise AssertionError("unreachable: the last try returns or raises")

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
        elif isinstance(exc, NotIssued) and exc.unanswered is not None:
            self._printers.keep_unanswered(exc.unanswered)
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
