"""The supervisor's overview: counters, lines, waiting numbers, devices, dossiers due, notice.

Only lays out and asks: ``show`` draws a snapshot, ``tick`` moves the clocks on every second,
and the actions go out as signals once their dialog has been answered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from counter_app.views import transfer
from onestop import calendar
from qtkit import theme, widgets

LONG_SERVING = dt.timedelta(minutes=20)  # a citizen at a counter this long is highlighted
LONG_CALLING = dt.timedelta(minutes=3)  # called and not yet come up
TARGET_WAIT = dt.timedelta(minutes=30)  # a line whose oldest number waits longer is highlighted
SILENT_AFTER = dt.timedelta(minutes=3)  # as the server's overview counts a device silent
STATUS = {"open": "Đang mở", "paused": "Tạm dừng", "closed": "Đóng"}
STATUS_COLOURS = {
    "open": ("#d7f0de", theme.OK),
    "paused": (theme.WARN_BG, theme.WARN_INK),
    "closed": ("#e6e9ed", theme.MUTED),
}
TICKET_STATES = {"called": "Đang mời", "serving": "Đang phục vụ"}
KINDS = {"kiosk": "Ki-ốt", "display": "Bảng hiển thị", "counter": "Thiết bị quầy"}
ALERT = (theme.ERROR_BG, "#ffffff")
GOOD = ("#ffffff", theme.OK)
ID_ROLE = QtCore.Qt.ItemDataRole.UserRole
DEVICE_ROWS_SHOWN = 5

STYLE = f"""
QWidget#overview QTableWidget {{ font-size: 15px; }}
QWidget#overview QHeaderView::section {{ font-size: 14px; padding: 4px; }}
QWidget#overview QPushButton {{ font-size: 15px; padding: 6px 12px; border-radius: 6px; }}
QWidget#overview QLineEdit {{ font-size: 15px; padding: 4px; border-width: 2px; }}
QLabel#banner_down {{ background: {theme.ERROR_BG}; color: white; font-weight: bold; padding: 6px 10px; }}
QLabel#summary {{ font-weight: bold; color: {theme.BRAND_DARK}; }}
QLabel#feedback[failed="true"] {{ color: {theme.ERROR_BG}; font-weight: bold; }}
QLabel#feedback[failed="false"] {{ color: {theme.OK}; font-weight: bold; }}
"""


def _time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def clock(span: dt.timedelta) -> str:
    """mm:ss, or h:mm:ss from an hour on."""
    seconds = max(0, int(span.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


def local(moment: dt.datetime, pattern: str = "%H:%M") -> str:
    """Vietnamese local time: 24 h, dates dd/mm/yyyy."""
    return moment.astimezone(calendar.VN_TZ).strftime(pattern)


def device_state(device: dict[str, Any], now: dt.datetime) -> tuple[str, bool]:
    """Plain Vietnamese for the device's state, and whether it needs attention."""
    if not device["active"]:
        return "Đã ngừng sử dụng", False
    seen = _time(device["last_seen_at"])
    flooded = _time(device.get("flooded_at"))
    if flooded is not None:  # a key used by a script, not a citizen's taps: worth a look
        return f"Cấp số dồn dập lúc {local(flooded)}, đã chặn bớt", True
    if device["fault"]:
        return str(device["fault"]), True
    if seen is None:
        return "Chưa từng kết nối", True
    if now - seen > SILENT_AFTER:
        minutes = int((now - seen).total_seconds() // 60)
        gone = f"{minutes} phút" if minutes < 60 else f"{minutes // 60} giờ {minutes % 60} phút"
        return f"Mất kết nối {gone}", True
    return "Hoạt động bình thường", False


def _item(
    text: object, *, data: Any = None, colours: tuple[str, str] | None = None, tip: str = ""
) -> QtWidgets.QTableWidgetItem:
    item = QtWidgets.QTableWidgetItem(str(text))
    if tip:
        item.setToolTip(tip)
    item.setFlags(QtCore.Qt.ItemFlag.ItemIsEnabled | QtCore.Qt.ItemFlag.ItemIsSelectable)
    if data is not None:
        item.setData(ID_ROLE, data)
    if colours is not None:
        item.setBackground(QtGui.QColor(colours[0]))
        item.setForeground(QtGui.QColor(colours[1]))
    return item


def _table(name: str, headers: list[str], *, stretch: int) -> QtWidgets.QTableWidget:
    table = QtWidgets.QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setContextMenuPolicy(QtCore.Qt.ContextMenuPolicy.CustomContextMenu)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QtWidgets.QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setDefaultSectionSize(28)
    return table


def _fill(table: QtWidgets.QTableWidget, rows: list[list[QtWidgets.QTableWidgetItem]]) -> None:
    """Replace the rows, keeping the selected row's id selected."""
    selected = _selected(table)
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            table.setItem(r, c, cell)
    for r in range(table.rowCount()):
        first = table.item(r, 0)
        if selected is not None and first is not None and first.data(ID_ROLE) == selected:
            table.selectRow(r)


def _selected(table: QtWidgets.QTableWidget) -> Any:
    rows = table.selectionModel().selectedRows()
    if not rows:
        return None
    item = table.item(rows[0].row(), 0)
    return item.data(ID_ROLE) if item is not None else None


class CancelDialog:
    @staticmethod
    def ask(parent: QtWidgets.QWidget, number: str) -> str | None:
        """The reason for cancelling ``number``, or None (tests monkeypatch this)."""
        text, accepted = QtWidgets.QInputDialog.getText(parent, f"Huỷ số {number}", f"Lý do huỷ số {number}:")
        return text.strip() if accepted and text.strip() else None


class CloseDialog:
    @staticmethod
    def ask(parent: QtWidgets.QWidget, counter: dict[str, Any]) -> bool:
        """Whether to close the counter (tests monkeypatch this)."""
        extra = ""
        if counter.get("ticket"):
            extra = f" Số {counter['ticket']['number']} đang ở quầy sẽ được xếp lại lên đầu hàng chờ."
        answer = QtWidgets.QMessageBox.question(
            parent,
            f"Đóng quầy số {counter['number']}",
            f"Đóng quầy số {counter['number']} ({counter.get('officer_name') or 'không rõ cán bộ'})?{extra}",
        )
        return answer == QtWidgets.QMessageBox.StandardButton.Yes


class OverviewPage(QtWidgets.QWidget):
    """Signals:
    move_requested(int, int): ticket id, the service id to move it to.
    cancel_requested(int, str): ticket id, the reason.
    reprint_requested(int): ticket id.
    close_requested(int): counter id.
    notice_saved(str): the board's new notice line ("" clears it).
    """

    move_requested = QtCore.Signal(int, int)
    cancel_requested = QtCore.Signal(int, str)
    reprint_requested = QtCore.Signal(int)
    close_requested = QtCore.Signal(int)
    notice_saved = QtCore.Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overview")
        self.setStyleSheet(STYLE)
        self.data: dict[str, Any] | None = None
        self._actions_enabled = False
        self._reprint_reason = ""
        box = QtWidgets.QVBoxLayout(self)
        box.setContentsMargins(6, 6, 6, 6)
        self.banner = widgets.label(name="banner_down")
        self.banner.hide()
        box.addWidget(self.banner)
        top = QtWidgets.QHBoxLayout()
        self.summary = widgets.label(name="summary")
        self.feedback = widgets.label(name="feedback")
        top.addWidget(self.summary, 3)
        top.addWidget(self.feedback, 2)
        box.addLayout(top)
        self.counters = _table(
            "counters", ["Quầy", "Trạng thái", "Cán bộ", "Số", "Thời gian", "Đã xong"], stretch=2
        )
        self.services = _table("services", ["Dịch vụ", "Đang chờ", "Chờ lâu nhất"], stretch=0)
        self.waiting = _table("waiting", ["Số", "Dịch vụ", "Lấy số lúc", "Đã chờ"], stretch=1)
        self.devices = _table("devices", ["Thiết bị", "Tình trạng"], stretch=1)
        self.dossiers = _table("dossiers", ["Mã hồ sơ", "Thủ tục", "Người nộp", "Hẹn trả"], stretch=1)
        self.close_button = widgets.button("Đóng quầy", touch=False, name="close_counter")
        self.move_button = widgets.button("Chuyển dịch vụ…", touch=False, name="move")
        self.reprint_button = widgets.button("In lại số", touch=False, name="reprint")
        self.cancel_button = widgets.button("Huỷ số…", touch=False, name="cancel")
        self.dossier_title = widgets.label("Hồ sơ đến hạn hôm nay và quá hạn", name="section")
        self.notice = QtWidgets.QLineEdit()
        self.notice.setObjectName("notice")
        self.notice.setMaxLength(500)
        self.notice.setPlaceholderText("Để trống để xoá dòng thông báo")
        self.save_notice = widgets.button("Lưu", touch=False, name="save_notice")
        columns = QtWidgets.QHBoxLayout()
        columns.addLayout(self._left(), 1)
        columns.addLayout(self._right(), 1)
        box.addLayout(columns, 1)
        notice_row = QtWidgets.QHBoxLayout()
        notice_row.addWidget(widgets.label("Dòng thông báo trên bảng", name="section", wrap=False))
        notice_row.addWidget(self.notice, 1)
        notice_row.addWidget(self.save_notice)
        box.addLayout(notice_row)
        self._connect()

    def _left(self) -> QtWidgets.QVBoxLayout:
        left = QtWidgets.QVBoxLayout()
        head = QtWidgets.QHBoxLayout()
        head.addWidget(widgets.label("Các quầy", name="section"), 1)
        head.addWidget(self.close_button)
        left.addLayout(head)
        left.addWidget(self.counters, 3)
        left.addWidget(widgets.label("Hàng chờ theo dịch vụ", name="section"))
        left.addWidget(self.services, 2)
        return left

    def _right(self) -> QtWidgets.QVBoxLayout:
        right = QtWidgets.QVBoxLayout()
        head = QtWidgets.QHBoxLayout()
        head.addWidget(widgets.label("Số đang chờ", name="section"), 1)
        for button in (self.move_button, self.reprint_button, self.cancel_button):
            head.addWidget(button)
        right.addLayout(head)
        right.addWidget(self.waiting, 3)
        right.addWidget(widgets.label("Thiết bị", name="section"))
        right.addWidget(self.devices, 1)
        right.addWidget(self.dossier_title)
        right.addWidget(self.dossiers, 2)
        return right

    def _connect(self) -> None:
        self.close_button.clicked.connect(self.ask_close)
        self.move_button.clicked.connect(self.ask_move)
        self.reprint_button.clicked.connect(self.ask_reprint)
        self.cancel_button.clicked.connect(self.ask_cancel)
        self.save_notice.clicked.connect(lambda: self.notice_saved.emit(self.notice.text().strip()))
        self.notice.returnPressed.connect(lambda: self.notice_saved.emit(self.notice.text().strip()))
        self.counters.customContextMenuRequested.connect(self._counter_menu)
        self.waiting.customContextMenuRequested.connect(self._ticket_menu)
        for table in (self.counters, self.waiting):
            table.itemSelectionChanged.connect(self._enable)

    # ------------------------------------------------------------ drawing

    def show_state(
        self,
        data: dict[str, Any],
        now: dt.datetime,
        *,
        online: bool,
        reason: str,
        busy: bool,
        reprint_reason: str,
    ) -> None:
        """Draw a snapshot; ``reprint_reason`` is why reprinting is off ("" when it works)."""
        notice_was = (self.data or {}).get("centre", {}).get("notice")
        self.data = data
        self._actions_enabled = online and not busy
        self._reprint_reason = reprint_reason
        self.banner.setVisible(not online)
        self.banner.setText(f"Mất kết nối máy chủ — số liệu dưới đây có thể đã cũ. {reason}".strip())
        notice = data["centre"]["notice"]
        if notice != notice_was and (not self.notice.hasFocus() or not self.notice.isModified()):
            self.notice.setText(notice)
            self.notice.setModified(False)
        self._draw_static(data)
        self.tick(now)
        self._enable()

    def _draw_static(self, data: dict[str, Any]) -> None:
        letters = {s["id"]: f"{s['letter']} — {s['name']}" for s in data["services"]}
        _fill(
            self.waiting,
            [
                [
                    _item(t["number"], data=t["id"]),
                    _item(letters.get(t["service_id"], "")),
                    _item(local(dt.datetime.fromisoformat(t["issued_at"]))),
                    _item(""),
                ]
                for t in data["waiting"]
            ],
        )
        dossiers = data["dossiers"]
        self.dossier_title.setText(
            f"Hồ sơ quá hạn: {dossiers['overdue']} — đến hạn hôm nay: {dossiers['due_today']}"
        )
        _fill(
            self.dossiers,
            [
                [
                    _item(d["code"], data=d["code"], colours=ALERT if d["overdue"] else None),
                    _item(d["procedure_name"], tip=d["procedure_name"]),
                    _item(d["applicant"]["full_name"]),
                    _item(local(dt.datetime.fromisoformat(d["due_at"]), "%H:%M %d/%m/%Y")),
                ]
                for d in dossiers["items"]
            ],
        )

    def tick(self, now: dt.datetime) -> None:
        """Redraw what moves with the clock: serving times, waits, silent devices."""
        data = self.data
        if data is None:
            return
        _fill(self.counters, [self._counter_row(c, now) for c in data["counters"]])
        _fill(self.services, [self._service_row(s, now) for s in data["services"]])
        for row, ticket in enumerate(data["waiting"][: self.waiting.rowCount()]):
            waited = now - dt.datetime.fromisoformat(ticket["issued_at"])
            colours = ALERT if waited > TARGET_WAIT else None
            self.waiting.setItem(row, 3, _item(clock(waited), colours=colours))
        faults = 0
        rows = []
        for device in data["devices"]:
            text, bad = device_state(device, now)
            faults += bad
            kind = KINDS.get(device["kind"], device["kind"])
            rows.append(
                [
                    _item(f"{device['name']} ({kind})", data=device["id"]),
                    _item(text, colours=ALERT if bad else GOOD),
                ]
            )
        _fill(self.devices, rows)
        self._fit(self.devices, DEVICE_ROWS_SHOWN)
        self._summary(data, faults)

    @staticmethod
    def _fit(table: QtWidgets.QTableWidget, most: int) -> None:
        """Just tall enough for its rows (up to ``most``; it scrolls beyond)."""
        rows = max(1, min(table.rowCount(), most))
        height = (
            table.horizontalHeader().sizeHint().height() + rows * table.verticalHeader().defaultSectionSize()
        )
        table.setFixedHeight(height + 2 * table.frameWidth())

    def _counter_row(self, counter: dict[str, Any], now: dt.datetime) -> list[QtWidgets.QTableWidgetItem]:
        status = counter["status"]
        ticket = counter["ticket"]
        number = span = ""
        colours = None
        if ticket is not None:
            serving = ticket["status"] == "serving"
            since = _time(ticket["started_at"] if serving else ticket["called_at"])
            number = f"{ticket['number']} ({TICKET_STATES.get(ticket['status'], '')})"
            if since is not None:
                elapsed = now - since
                span = clock(elapsed)
                if elapsed > (LONG_SERVING if serving else LONG_CALLING):
                    colours = ALERT
        return [
            _item(f"Quầy {counter['number']}", data=counter["id"]),
            _item(STATUS[status], colours=STATUS_COLOURS[status]),
            _item(counter["officer_name"] or "—"),
            _item(number),
            _item(span, colours=colours),
            _item(counter["served_today"]),
        ]

    def _service_row(self, service: dict[str, Any], now: dt.datetime) -> list[QtWidgets.QTableWidgetItem]:
        oldest = _time(service.get("oldest_issued_at"))
        wait, colours = "—", None
        if oldest is not None:
            wait = clock(now - oldest)
            colours = ALERT if now - oldest > TARGET_WAIT else None
        return [
            _item(f"{service['letter']} — {service['name']}", data=service["id"]),
            _item(service["waiting"]),
            _item(wait, colours=colours),
        ]

    def _summary(self, data: dict[str, Any], faults: int) -> None:
        states = [c["status"] for c in data["counters"]]
        waiting = sum(s["waiting"] for s in data["services"])
        self.summary.setText(
            f"Quầy mở: {states.count('open')} · Tạm dừng: {states.count('paused')} · "
            f"Đang chờ: {waiting} · Thiết bị cần xử lý: {faults} · "
            f"Hồ sơ quá hạn: {data['dossiers']['overdue']}"
        )

    def show_feedback(self, text: str, *, failed: bool) -> None:
        self.feedback.setText(text)
        self.feedback.setProperty("failed", "true" if failed else "false")
        self.feedback.style().unpolish(self.feedback)
        self.feedback.style().polish(self.feedback)

    def _enable(self) -> None:
        counter = self.selected_counter()
        ticket = self.selected_ticket()
        ok = self._actions_enabled
        self.close_button.setEnabled(ok and counter is not None and counter["status"] != "closed")
        self.move_button.setEnabled(ok and ticket is not None)
        self.cancel_button.setEnabled(ok and ticket is not None)
        self.reprint_button.setEnabled(ok and ticket is not None and not self._reprint_reason)
        self.reprint_button.setToolTip(self._reprint_reason)
        self.save_notice.setEnabled(ok)

    # ------------------------------------------------------------ choosing and asking

    def selected_counter(self) -> dict[str, Any] | None:
        counter_id = _selected(self.counters)
        return next((c for c in (self.data or {}).get("counters", []) if c["id"] == counter_id), None)

    def selected_ticket(self) -> dict[str, Any] | None:
        ticket_id = _selected(self.waiting)
        return next((t for t in (self.data or {}).get("waiting", []) if t["id"] == ticket_id), None)

    def select_ticket(self, number: str) -> None:
        for row in range(self.waiting.rowCount()):
            item = self.waiting.item(row, 0)
            if item is not None and item.text() == number:
                self.waiting.selectRow(row)

    def select_counter(self, number: int) -> None:
        for row in range(self.counters.rowCount()):
            item = self.counters.item(row, 0)
            if item is not None and item.text() == f"Quầy {number}":
                self.counters.selectRow(row)

    def ask_close(self) -> None:
        counter = self.selected_counter()
        if counter is not None and self.close_button.isEnabled() and CloseDialog.ask(self, counter):
            self.close_requested.emit(counter["id"])

    def ask_move(self) -> None:
        ticket = self.selected_ticket()
        if ticket is None or not self.move_button.isEnabled() or self.data is None:
            return
        targets = [s for s in self.data["services"] if s["id"] != ticket["service_id"]]
        chosen = transfer.TransferDialog.ask(self, targets, number=ticket["number"])
        if chosen is not None:
            self.move_requested.emit(ticket["id"], chosen)

    def ask_cancel(self) -> None:
        ticket = self.selected_ticket()
        if ticket is None or not self.cancel_button.isEnabled():
            return
        reason = CancelDialog.ask(self, ticket["number"])
        if reason:
            self.cancel_requested.emit(ticket["id"], reason)

    def ask_reprint(self) -> None:
        ticket = self.selected_ticket()
        if ticket is not None and self.reprint_button.isEnabled():
            self.reprint_requested.emit(ticket["id"])

    def _counter_menu(self, point: QtCore.QPoint) -> None:
        menu = QtWidgets.QMenu(self)
        action = menu.addAction("Đóng quầy")
        action.setEnabled(self.close_button.isEnabled())
        action.triggered.connect(self.ask_close)
        menu.popup(self.counters.viewport().mapToGlobal(point))

    def _ticket_menu(self, point: QtCore.QPoint) -> None:
        menu = QtWidgets.QMenu(self)
        for text, button, slot in (
            ("Chuyển dịch vụ…", self.move_button, self.ask_move),
            ("In lại số", self.reprint_button, self.ask_reprint),
            ("Huỷ số…", self.cancel_button, self.ask_cancel),
        ):
            action = menu.addAction(text)
            action.setEnabled(button.isEnabled())
            action.setToolTip(button.toolTip())
            action.triggered.connect(slot)
        menu.popup(self.waiting.viewport().mapToGlobal(point))
