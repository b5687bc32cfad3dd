"""Wiring: the desk model, the window, the LED display and keypad, and what each input does;
for supervisors, the live overview of the centre instead of a desk.

``CounterApp(config)`` builds everything (a real API client by default; tests may pass their
own), ``start()`` shows the window and loads the counters (signing the configured officer
in, for demos), ``shutdown()`` stops the streams, the workers and the devices.
"""

from __future__ import annotations

import dataclasses
import logging
import pathlib
from typing import Any

from PySide6 import QtCore

from apiclient import client as api_client
from counter_app import config as counter_config
from counter_app import desk, devices, dossier_work, forms, outbox, supervision, window
from counter_app.views import reports, transfer
from counter_app.views.admin import page as admin_page
from onestop import errors
from qtkit import tasks

log = logging.getLogger(__name__)

KEYPAD_ACTIONS = {
    "NEXT": "next",
    "RECALL": "recall",
    "NOSHOW": "no_show",
    "START": "start",
    "FINISH": "finish",
    "PAUSE": "pause",
    "RESUME": "resume",
}
RETRY_MS = 3000
TICK_MS = 1000  # the overview's serving times and waits move on every second


class CounterApp(QtCore.QObject):
    def __init__(
        self,
        config: counter_config.CounterConfig,
        *,
        api: api_client.Client | None = None,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.config = config
        # No resends of its own: the outbox resends intakes, with their Idempotency-Keys.
        self.api = api or api_client.Client(config.server, timeout=5.0, retry_delays=())
        self.runner = tasks.Runner(workers=4, parent=self)
        self.desk = desk.Desk(
            api=self.api, runner=self.runner, resync_seconds=config.resync_seconds, parent=self
        )
        self.window = window.CounterWindow()
        self.overview = supervision.Overview(
            api=self.api,
            runner=self.runner,
            resync_seconds=config.resync_seconds,
            ticket_printer=config.ticket_printer,
            parent=self,
        )
        self._tick = QtCore.QTimer(self, interval=TICK_MS)
        self._tick.timeout.connect(lambda: self.window.overview.tick(self.overview.now()))
        self._supervisor_tabs()
        self.devices: devices.CounterDevices | None = None
        data_dir = pathlib.Path(config.data_dir)
        self.outbox = outbox.Outbox(data_dir / "outbox.sqlite3")
        self.work = dossier_work.DossierWork(
            api=self.api,
            runner=self.runner,
            desk_model=self.desk,
            box=self.outbox,
            data_dir=data_dir,
            context=forms.FormContext(
                parent_unit=config.parent_unit, place=config.place, server=config.server
            ),
            a4_printer=config.a4_printer,
            parent_widget=self.window,
            parent=self,
        )
        self.window.may_close = self.may_close
        self.services: list[dict[str, Any]] = []
        self.groups: dict[str, str] = {}
        self._counters_timer = QtCore.QTimer(self, singleShot=True, interval=RETRY_MS)
        self._counters_timer.timeout.connect(self.load_counters)
        self._catalogue_timer = QtCore.QTimer(self, interval=round(config.resync_seconds * 1000))
        self._catalogue_timer.timeout.connect(self.load_catalogue)
        self._stopped = False
        self._connect()

    def _connect(self) -> None:
        self.window.sign_in.submitted.connect(self.on_sign_in_submitted)
        self.window.desk.action_requested.connect(self.on_action)
        self.window.desk.reactivate_requested.connect(
            lambda ticket_id: self.desk.act("reactivate", ticket_id)
        )
        self.window.desk.close_requested.connect(lambda: self.desk.act("close"))
        self.window.desk.book_requested.connect(self.work.open_book)
        self.desk.changed.connect(self.render)
        self.desk.message.connect(self.on_desk_message)
        self.desk.signed_in.connect(self.on_desk_signed_in)
        self.desk.signed_out.connect(self.on_desk_signed_out)
        self.desk.board.connect(self.on_desk_board)
        self.work.message.connect(self.window.desk.show_message)
        self.work.sync.changed.connect(self.window.desk.show_unsynced)
        # Work kept while the server was away goes out as soon as the desk is connected again.
        self.desk.reconnected.connect(self.work.sync.kick)
        self._connect_supervision()

    def _connect_supervision(self) -> None:
        self.window.sign_in.supervise_submitted.connect(self.on_supervise_submitted)
        self.overview.signed_in.connect(self.on_overview_signed_in)
        self.overview.signed_out.connect(self.on_overview_signed_out)
        self.overview.changed.connect(self.render_overview)
        self.overview.message.connect(self.on_overview_message)
        page = self.window.overview
        page.move_requested.connect(self.overview.move)
        page.cancel_requested.connect(self.overview.cancel)
        page.reprint_requested.connect(self.overview.reprint)
        page.close_requested.connect(self.overview.close_counter)
        page.notice_saved.connect(self.overview.set_notice)
        self.window.supervisor.sign_out_requested.connect(self.overview.sign_out)

    def _supervisor_tabs(self) -> None:
        """The supervisor page's tabs after "Tổng quan": the reports, and for administrators the
        administration (loaded when first opened, so a supervisor's sign-in never waits for it)."""
        self.reports = reports.ReportsPage(self.api, self.runner)
        self.admin = admin_page.AdminPage(self.api, self.runner)
        self.window.supervisor.add_tab(self.reports, "Báo cáo")
        self.window.supervisor.add_tab(self.admin, "Quản trị")
        self._admin_loaded = False
        self.window.supervisor.tabs.currentChanged.connect(self._on_supervisor_tab)

    def _on_supervisor_tab(self, _index: int) -> None:
        if self.window.supervisor.tabs.currentWidget() is self.admin and not self._admin_loaded:
            self._admin_loaded = True
            self.admin.load()

    # ------------------------------------------------------------ life

    def start(self) -> None:
        self.window.show_sign_in()
        self.window.show()
        if self.config.user:
            self.window.sign_in.username.setText(self.config.user)
        self.load_counters()
        if self.config.user and self.config.password and self.config.counter:
            self.window.sign_in.set_busy(True)
            self.desk.sign_in(self.config.user, self.config.password, self.config.counter, unattended=True)

    def shutdown(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._counters_timer.stop()
        self._catalogue_timer.stop()
        self._tick.stop()
        self.overview.shutdown()
        self.desk.shutdown()
        self.runner.close()
        self._close_devices()
        self.work.close()
        self.outbox.close()

    # ------------------------------------------------------------ sign-in

    def load_counters(self) -> None:
        def failed(exc: BaseException) -> None:
            message = exc.message if isinstance(exc, errors.DomainError) else str(exc)
            self.window.sign_in.show_note(f"{message} Đang thử lại…")
            self._counters_timer.start()

        def done(counters: list[dict[str, Any]]) -> None:
            self.window.sign_in.set_counters(counters, fixed=self.config.counter)
            if self.config.counter is not None and self.window.sign_in.counter.count() == 0:
                self.window.sign_in.show_note(f"Máy chủ không có quầy số {self.config.counter}.")

        self.runner.submit(self.api.counters, done=done, failed=failed)

    def on_sign_in_submitted(self, username: str, password: str, counter_number: int) -> None:
        self.window.sign_in.set_busy(True)
        self.desk.sign_in(username, password, counter_number)

    def on_desk_signed_in(self) -> None:
        self.window.sign_in.set_busy(False)
        self.window.sign_in.show_note("")
        self.window.show_desk()
        self.load_catalogue()
        self._catalogue_timer.start()
        self._open_devices()
        self.work.sync.set_user((self.desk.user or {}).get("username"))
        self.work.load_procedures()
        self.render()

    def on_desk_signed_out(self, reason: str) -> None:
        self._catalogue_timer.stop()
        self._close_devices()
        self.work.sync.set_user(None)
        self.window.show_sign_in()
        self.window.sign_in.set_busy(False)
        self.window.sign_in.show_note(reason or "Đã đóng quầy.")
        self.load_counters()

    # ------------------------------------------------------------ supervision

    def on_supervise_submitted(self, username: str, password: str) -> None:
        self.window.sign_in.set_busy(True)
        self.overview.sign_in(username, password)

    def on_overview_signed_in(self) -> None:
        self.window.sign_in.set_busy(False)
        self.window.sign_in.show_note("")
        user = self.overview.user or {}
        role = "Quản trị viên" if user.get("role") == "admin" else "Giám sát viên"
        self.window.supervisor.show_header(
            user=f"{role}: {user.get('full_name') or user.get('username', '')}",
            centre=self.overview.centre.get("name", ""),
        )
        centre = self.overview.centre
        self.reports.set_centre(centre.get("id", 0), centre.get("name", ""))
        tabs = self.window.supervisor.tabs
        tabs.setTabVisible(tabs.indexOf(self.admin), user.get("role") == "admin")
        tabs.setCurrentIndex(0)
        self._admin_loaded = False  # another administrator may sign in: load afresh
        self.window.show_supervisor()
        self._tick.start()
        self.render_overview()

    def on_overview_signed_out(self, reason: str) -> None:
        self._tick.stop()
        self.window.show_sign_in()
        self.window.sign_in.set_busy(False)
        self.window.sign_in.show_note(reason or "Đã đăng xuất.")
        self.window.overview.show_feedback("", failed=False)
        self.load_counters()

    def on_overview_message(self, text: str, kind: str) -> None:
        if self.overview.data is None:
            self.window.sign_in.set_busy(False)
            self.window.sign_in.show_note(text)
        else:
            self.window.overview.show_feedback(text, failed=kind == "failed")

    def render_overview(self) -> None:
        model = self.overview
        if model.data is None:
            return
        reason = model.stream.reason if not model.stream.connected else ""
        if not model.server_ok:
            reason = "Không đọc được số liệu từ máy chủ; đang thử lại…"
        self.window.supervisor.show_connection(model.online, reason)
        self.window.overview.show_state(
            model.data,
            model.now(),
            online=model.online,
            reason=reason,
            busy=bool(model.busy),
            reprint_reason="" if self.config.ticket_printer else supervision.NO_PRINTER,
        )

    def load_catalogue(self) -> None:
        """The centre's services (names, transfer targets) and the priority groups' names."""

        def work() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
            return self.api.services(), self.api.priority_groups(), self.api.centres()

        def done(result: tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]) -> None:
            services, groups, centres = result
            self.services = services
            self.groups = {group["code"]: group["name"] for group in groups}
            centre = next((c for c in centres if c["id"] == (self.desk.counter or {}).get("centre_id")), None)
            if centre is not None:
                self.work.context = dataclasses.replace(
                    self.work.context,
                    unit=centre["name"],
                    centre_phone=centre["phone"],
                    centre_address=centre["address"],
                )
            self.render()

        self.runner.submit(work, done=done, failed=lambda exc: log.info("catalogue: %s", exc))

    # ------------------------------------------------------------ the desk

    def render(self) -> None:
        data = self.desk.data
        if data is None:
            return
        status = self.desk.connection
        if status.connected:
            connection = "● Đã kết nối máy chủ"
        else:
            retry = f" — thử lại sau {status.retry_in:.0f} giây" if status.retry_in else ""
            connection = f"● Mất kết nối máy chủ{retry}"
        self.window.desk.show_state(
            data,
            allowed={action: self.desk.allowed(action) for action in desk.ACTIONS},
            officer=(self.desk.user or {}).get("full_name") or "",
            connection=connection,
            connection_detail=status.reason,
            connected=status.connected,
            groups=self.groups,
            services={s["id"]: f"{s['letter']} — {s['name']}" for s in self.services},
        )

    def on_desk_message(self, text: str) -> None:
        if self.desk.data is None:
            self.window.sign_in.set_busy(False)
            self.window.sign_in.show_note(text)
        else:
            self.window.desk.show_message(text)

    def on_action(self, action: str) -> None:
        if action == "intake":
            self.work.open_intake()
            return
        if action == "return":
            self.work.open_return()
            return
        if action != "transfer":
            self.desk.act(action)
            return
        ticket = self.desk.current
        if ticket is None or not self.desk.allowed("transfer"):
            return
        targets = [s for s in self.services if s["id"] != ticket["service_id"]]
        chosen = transfer.TransferDialog.ask(self.window, targets, number=ticket["number"])
        if chosen is not None:
            self.desk.act("transfer", chosen)

    def may_close(self) -> bool:
        """Closing with work not yet sent asks first (it is kept and sent at the next start)."""
        if self._stopped:
            return True
        waiting = self.outbox.count_queued()
        return waiting == 0 or window.QuitDialog.ask(self.window, waiting)

    # ------------------------------------------------------------ LED display and keypad

    def _open_devices(self) -> None:
        counter = self.desk.counter
        config = self.config
        if counter is None or not (config.display or config.keypad):
            return
        address = config.display_address or counter.get("display_address") or counter["number"]
        self.devices = devices.CounterDevices(
            display_url=config.display,
            keypad_url=config.keypad,
            driver=config.display_driver,
            display_address=address,
            keypad_address=config.keypad_address or address,
            counter_number=counter["number"],
            parent=self,
        )
        self.devices.key_pressed.connect(self.on_keypad_key)
        self.devices.transfer_requested.connect(self.on_keypad_transfer)
        self.devices.fault_changed.connect(self.window.desk.show_devices)
        self.devices.start()
        current = self.desk.current
        if current is not None and current["status"] == "called":
            self.devices.show_call(current["number"])

    def _close_devices(self) -> None:
        if self.devices is not None:
            self.devices.close()
            self.devices = None
            self.window.desk.show_devices("")

    def on_desk_board(self, kind: str, number: str) -> None:
        if self.devices is None:
            return
        if kind in ("call", "recall"):
            self.devices.show_call(number)
        elif kind == "paused":
            self.devices.show_paused()
        else:
            self.devices.clear()

    def on_keypad_key(self, key: str) -> None:
        action = KEYPAD_ACTIONS.get(key)
        if action is not None:
            self.desk.act(action)

    def on_keypad_transfer(self, counter_number: int) -> None:
        """TRANSFER, digits, ENTER: to the first service of that counter the ticket is not in."""
        ticket = self.desk.current
        if ticket is None or not self.desk.allowed("transfer"):
            return

        def done(counters: list[dict[str, Any]]) -> None:
            target = next((c for c in counters if c["number"] == counter_number), None)
            services = [sid for sid in (target or {}).get("service_ids", []) if sid != ticket["service_id"]]
            if not services:
                self.window.desk.show_message(f"Không chuyển được sang quầy số {counter_number}.")
                return
            self.desk.act("transfer", services[0])

        self.runner.submit(self.api.counters, done=done, failed=self.desk.report_failure)
