"""The supervisor's live overview of the centre, and the actions taken from it.

``Overview`` holds the centre's snapshot (``GET /supervision/overview``) and keeps it current:
every event of the centre schedules a re-read (a burst of events within RELOAD_DELAY_MS
coalesces into one), a full resync runs every ``resync_seconds`` (it also restarts a dead
stream and notices devices gone silent, which send no event), and ``now()`` is the server's
clock ticking on locally, so the page's serving times and waits move every second without
reloads. When the stream or the server is away ``online`` is False; it recovers by itself.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from PySide6 import QtCore

from apiclient import client as api_client
from apiclient import errors as api_errors
from apiclient import events
from counter_app import session
from hardware import errors as printer_errors
from hardware import printer as printer_mod
from hardware import render
from onestop import calendar, errors
from qtkit import live, tasks

log = logging.getLogger(__name__)

RELOAD_DELAY_MS = 300
RETRY_MS = 3000
MANAGER_ROLES = ("supervisor", "admin")
NOT_A_MANAGER = "Tài khoản này không có quyền giám sát."
SESSION_ENDED = session.SESSION_ENDED
TICKET_URL = "{server}/tra-cuu/so/{token}"  # as the kiosk prints it (kiosk_app.config)
NO_PRINTER = "Máy tính này chưa cấu hình máy in số thứ tự (ticket_printer / --ticket-printer)."


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Overview(QtCore.QObject):
    """Signals:
    changed(): the snapshot or the connection changed: redraw.
    message(str, str): a sentence for the supervisor, and its kind: "done" or "failed" (a str,
        not a bool: PySide6 6.12 on CPython 3.11 leaks a reference per bool emitted).
    signed_in(): the user is a manager and the first snapshot is in.
    signed_out(str): back to sign-in, with the reason ("" when the supervisor signed out).
    """

    changed = QtCore.Signal()
    message = QtCore.Signal(str, str)
    signed_in = QtCore.Signal()
    signed_out = QtCore.Signal(str)

    def __init__(
        self,
        *,
        api: api_client.Client,
        runner: tasks.Runner,
        resync_seconds: float = 60.0,
        ticket_printer: str | None = None,
        printer: printer_mod.Printer | None = None,
        clock: Callable[[], dt.datetime] = _utc_now,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.api = api
        self.runner = runner
        self.ticket_printer = ticket_printer
        self._printer = printer
        self._clock = clock
        self.data: dict[str, Any] | None = None
        self.user: dict[str, Any] | None = None
        self.groups: dict[str, str] = {}
        self.stream = events.Status(connected=False, reason="Chưa kết nối.")
        self.server_ok = True
        self.busy = ""
        self._offset = dt.timedelta()
        self._reloading = False
        self._reload_again = False
        self.feed = live.EventFeed(api, parent=self)
        queued = QtCore.Qt.ConnectionType.QueuedConnection
        self.feed.arrived.connect(self.on_feed_event, queued)
        self.feed.status.connect(self.on_feed_status, queued)
        self.feed.refused.connect(self.on_feed_refused, queued)
        self._reload_timer = QtCore.QTimer(self, singleShot=True, interval=RELOAD_DELAY_MS)
        self._reload_timer.timeout.connect(self.reload)
        self._resync = QtCore.QTimer(self, interval=round(resync_seconds * 1000))
        self._resync.timeout.connect(self.resync)

    # ------------------------------------------------------------ reading

    @property
    def online(self) -> bool:
        return self.stream.connected and self.server_ok

    @property
    def centre(self) -> dict[str, Any]:
        return self.data["centre"] if self.data else {}

    def now(self) -> dt.datetime:
        """The server's clock now, as last seen, ticking on with this PC's clock."""
        return self._clock() + self._offset

    def service(self, service_id: int) -> dict[str, Any] | None:
        return next((s for s in (self.data or {}).get("services", []) if s["id"] == service_id), None)

    def ticket(self, ticket_id: int) -> dict[str, Any] | None:
        return next((t for t in (self.data or {}).get("waiting", []) if t["id"] == ticket_id), None)

    def counter(self, counter_id: int) -> dict[str, Any] | None:
        return next((c for c in (self.data or {}).get("counters", []) if c["id"] == counter_id), None)

    # ------------------------------------------------------------ sign-in and out

    def sign_in(self, username: str, password: str) -> None:
        def work() -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
            user = self.api.login(username, password)["user"]
            if user["role"] not in MANAGER_ROLES:
                self.api.secret = None
                raise errors.Forbidden(NOT_A_MANAGER)
            return user, self.api.overview(), self.api.priority_groups()

        def done(result: tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]) -> None:
            self.user, data, groups = result
            self.groups = {g["code"]: g["name"] for g in groups}
            self._apply(data)
            self.feed.start(last_event_id=data["last_event_id"])
            self._resync.start()
            self.signed_in.emit()
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            self.message.emit(_text(exc), "failed")

        self.runner.submit(work, done=done, failed=failed)

    def sign_out(self, reason: str = "") -> None:
        self.shutdown()
        session.end(self.api, self.runner, reason)
        self.data = self.user = None
        self.stream = events.Status(connected=False, reason="Chưa kết nối.")
        self.signed_out.emit(reason)

    def shutdown(self) -> None:
        self._resync.stop()
        self._reload_timer.stop()
        self.feed.stop()

    # ------------------------------------------------------------ keeping current

    def _apply(self, data: dict[str, Any]) -> None:
        self.data = data
        self._offset = dt.datetime.fromisoformat(data["server_time"]) - self._clock()
        self.server_ok = True

    def schedule_reload(self) -> None:
        if self.data is not None and not self._reload_timer.isActive():
            self._reload_timer.start()

    def reload(self) -> None:
        if self.data is None:
            return
        if self._reloading:
            self._reload_again = True
            return
        self._reloading, self._reload_again = True, False
        centre_id = self.centre["id"]

        def done(data: dict[str, Any]) -> None:
            self._reloading = False
            if self.data is None:
                return  # signed out meanwhile
            self._apply(data)
            self.changed.emit()
            if self._reload_again:
                self.schedule_reload()

        def failed(exc: BaseException) -> None:
            self._reloading = False
            if isinstance(exc, api_errors.Unauthorized) and self.data is not None:
                self.sign_out(SESSION_ENDED)
                return
            log.info("overview reload failed: %s", exc)
            if self.server_ok:
                self.server_ok = False
                self.changed.emit()
            self._reload_timer.start(RETRY_MS)

        self.runner.submit(lambda: self.api.overview(centre_id), done=done, failed=failed)

    def resync(self) -> None:
        """The periodic full read; restarts the stream if it died."""
        self.reload()
        if self.data is not None and not self.feed.running:
            self.feed.start(last_event_id=self.data["last_event_id"])

    def on_feed_event(self, event: dict[str, Any]) -> None:
        if self.data is not None and event.get("centre_id") in (None, self.centre["id"]):
            self.schedule_reload()

    def on_feed_status(self, status: events.Status) -> None:
        was = self.stream.connected
        self.stream = status
        if status.connected and not was:
            self.schedule_reload()  # whatever happened while away
        self.changed.emit()

    def on_feed_refused(self, exc: errors.DomainError) -> None:
        if isinstance(exc, api_errors.Unauthorized):
            self.sign_out(SESSION_ENDED)
        else:
            self.message.emit(exc.message, "failed")

    # ------------------------------------------------------------ actions

    def move(self, ticket_id: int, service_id: int) -> None:
        target = self.service(service_id) or {}
        self._act(
            "move",
            lambda: self.api.move_ticket(ticket_id, service_id),
            lambda t: (
                f"Đã chuyển số {t['number']} sang dịch vụ {target.get('letter', '')} — "
                f"{target.get('name', '')}."
            ),
        )

    def cancel(self, ticket_id: int, reason: str) -> None:
        self._act("cancel", lambda: self.api.cancel(ticket_id, reason), lambda t: f"Đã huỷ số {t['number']}.")

    def close_counter(self, counter_id: int) -> None:
        self._act(
            "close",
            lambda: self.api.supervisor_close_counter(counter_id),
            lambda c: f"Đã đóng quầy số {c['number']}.",
        )

    def set_notice(self, text: str) -> None:
        centre_id = self.centre["id"]
        self._act(
            "notice",
            lambda: self.api.set_notice(centre_id, text),
            lambda c: "Đã lưu dòng thông báo." if c["notice"] else "Đã xoá dòng thông báo.",
        )

    def reprint(self, ticket_id: int) -> None:
        if self.ticket_printer is None and self._printer is None:
            self.message.emit(NO_PRINTER, "failed")
            return
        centre, groups, server = self.centre.get("name", ""), dict(self.groups), self.api.base_url
        services = {s["id"]: s["name"] for s in (self.data or {}).get("services", [])}
        now = self.now()

        def work() -> dict[str, Any]:
            ticket = self.api.reprint_ticket(ticket_id)
            data = ticket_data(
                ticket, centre=centre, services=services, groups=groups, server=server, now=now
            )
            self._ticket_printer().print_ticket(data)
            return ticket

        self._act("reprint", work, lambda t: f"Đã in lại số {t['number']}.")

    def _ticket_printer(self) -> printer_mod.Printer:
        if self._printer is None:
            assert self.ticket_printer is not None
            self._printer = printer_mod.get_printer(self.ticket_printer)
        return self._printer

    def _act(self, action: str, call: Callable[[], Any], said: Callable[[Any], str]) -> None:
        if self.busy:
            self.message.emit("Đang thực hiện thao tác trước, vui lòng chờ.", "failed")
            return
        self.busy = action
        self.changed.emit()

        def done(reply: Any) -> None:
            self.busy = ""
            self.message.emit(said(reply), "done")
            self.changed.emit()
            self.schedule_reload()

        def failed(exc: BaseException) -> None:
            self.busy = ""
            if isinstance(exc, api_errors.Unauthorized):
                self.sign_out(SESSION_ENDED)
                return
            self.message.emit(_text(exc), "failed")
            self.changed.emit()
            self.schedule_reload()  # a 409 means our picture was old

        self.runner.submit(call, done=done, failed=failed)


def _text(exc: BaseException) -> str:
    """What the supervisor reads for a failure: the server's or printer's own Vietnamese."""
    if isinstance(exc, errors.DomainError):
        return exc.message
    if isinstance(exc, printer_errors.PrinterError):
        return f"Không in được: {exc.message}"
    log.error("supervisor action failed", exc_info=exc)
    return "Lỗi không mong đợi; thao tác chưa thực hiện. Vui lòng thử lại."


def ticket_data(
    ticket: dict[str, Any],
    *,
    centre: str,
    services: dict[int, str],
    groups: dict[str, str],
    server: str,
    now: dt.datetime,
) -> render.TicketData:
    """The ticket as the kiosk prints it, marked as a copy printed again."""
    group = ticket.get("priority_group")
    token = ticket.get("public_token")
    stamp = now.astimezone(calendar.VN_TZ).strftime("%H:%M %d/%m/%Y")
    return render.TicketData(
        centre_name=centre or "Trung tâm Phục vụ hành chính công",
        service_name=services.get(int(ticket["service_id"]), ""),
        number=str(ticket["number"]),
        priority_group=groups.get(group, group) if group else None,
        issued_at=dt.datetime.fromisoformat(str(ticket["issued_at"])),
        people_ahead=ticket.get("waiting_before"),
        estimated_wait_minutes=ticket.get("estimated_wait_minutes"),
        qr_url=TICKET_URL.format(server=server.rstrip("/"), token=token) if token else None,
        reprint_mark=f"IN LẠI {stamp}",
    )
