"""The calling desk: the ticket at the counter, the lines waiting, and the actions with their keys."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from onestop import formatting
from qtkit import widgets

# Action → (button text, key). The key is shown on the button and works anywhere on the desk.
ACTION_KEYS: dict[str, tuple[str, QtCore.Qt.Key]] = {
    "next": ("Gọi tiếp", QtCore.Qt.Key.Key_F1),
    "recall": ("Gọi lại", QtCore.Qt.Key.Key_F2),
    "no_show": ("Vắng mặt", QtCore.Qt.Key.Key_F3),
    "start": ("Bắt đầu", QtCore.Qt.Key.Key_F4),
    "transfer": ("Chuyển", QtCore.Qt.Key.Key_F5),
    "finish": ("Hoàn thành", QtCore.Qt.Key.Key_F6),
    "pause": ("Tạm dừng", QtCore.Qt.Key.Key_F7),
    "reactivate": ("Nhận lại số vắng", QtCore.Qt.Key.Key_F8),
    "intake": ("Tiếp nhận hồ sơ", QtCore.Qt.Key.Key_F9),
    "return": ("Trả kết quả", QtCore.Qt.Key.Key_F10),
}
KEY_NAMES = {QtCore.Qt.Key.Key_F1 + i: f"F{i + 1}" for i in range(12)}
STATES = {"called": "Đang mời", "serving": "Đang phục vụ"}


def counter_title(counter: dict[str, Any]) -> str:
    """ "Quầy số 5", or "Quầy số 5 — Một cửa Tư pháp" when the counter has a name of its own."""
    title = f"Quầy số {counter['number']}"
    return title if counter["name"] in ("", title) else f"{title} — {counter['name']}"


def _time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


class DeskPage(QtWidgets.QWidget):
    """Signals:
    action_requested(str): a button or its F-key; "pause" stands for "resume" when paused.
    reactivate_requested(int): the ticket id of the no-show chosen to take back.
    close_requested(): "Đóng quầy".
    book_requested(): "Sổ theo dõi" (the tracking book).
    """

    action_requested = QtCore.Signal(str)
    reactivate_requested = QtCore.Signal(int)
    close_requested = QtCore.Signal()
    book_requested = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._paused = False
        self._calls_needed = 1
        self._allowed: dict[str, bool] = {}
        self._ticket: dict[str, Any] | None = None
        self.buttons: dict[str, QtWidgets.QPushButton] = {}
        box = QtWidgets.QVBoxLayout(self)
        box.addLayout(self._header())
        self.message = widgets.label(name="banner")
        self.message.hide()
        box.addWidget(self.message)
        body = QtWidgets.QHBoxLayout()
        left = QtWidgets.QVBoxLayout()
        left.addWidget(self._ticket_panel())
        left.addWidget(widgets.label("Hàng chờ của quầy", name="section", wrap=False))
        self.lines = QtWidgets.QTableWidget(0, 3)
        self.lines.setObjectName("lines")
        self.lines.setHorizontalHeaderLabels(["Dịch vụ", "Đang chờ", "Số tiếp theo"])
        self.lines.verticalHeader().hide()
        self.lines.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        self.lines.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        header = self.lines.horizontalHeader()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QtWidgets.QHeaderView.ResizeMode.Stretch)
        left.addWidget(self.lines, 1)
        body.addLayout(left, 3)
        body.addLayout(self._actions(), 2)
        box.addLayout(body, 1)
        self._tick = QtCore.QTimer(self, interval=1000)
        self._tick.timeout.connect(self._show_times)

    # ------------------------------------------------------------ building

    def _header(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        self.title = widgets.label(name="title", wrap=False)
        self.officer = widgets.label(wrap=False)
        self.connection = widgets.label(name="connection", wrap=False)
        self.devices = widgets.label(name="devices", wrap=False)
        self.devices.hide()
        self.unsynced = widgets.label(name="unsynced", wrap=False)
        self.unsynced.hide()
        self.close_counter = widgets.button("Đóng quầy", kind="secondary", touch=False, name="close_counter")
        self.close_counter.clicked.connect(self.close_requested)
        self.book = widgets.button("Sổ theo dõi", kind="secondary", touch=False, name="book")
        self.book.clicked.connect(self.book_requested)
        titles = QtWidgets.QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.officer)
        row.addLayout(titles, 1)
        states = QtWidgets.QVBoxLayout()
        states.addWidget(self.connection, 0, QtCore.Qt.AlignmentFlag.AlignRight)
        states.addWidget(self.devices, 0, QtCore.Qt.AlignmentFlag.AlignRight)
        states.addWidget(self.unsynced, 0, QtCore.Qt.AlignmentFlag.AlignRight)
        row.addLayout(states)
        row.addWidget(self.book)
        row.addWidget(self.close_counter)
        return row

    def _ticket_panel(self) -> QtWidgets.QFrame:
        frame = QtWidgets.QFrame()
        frame.setObjectName("ticket_panel")
        grid = QtWidgets.QGridLayout(frame)
        self.number = widgets.label("—", name="number", wrap=False, centre=True)
        self.number.setMinimumWidth(300)
        grid.addWidget(self.number, 0, 0, 4, 1)
        self.state = widgets.label(name="state", wrap=False)
        self.service = widgets.label(wrap=False)
        self.group = widgets.label(name="group", wrap=False)
        self.times = widgets.label(wrap=False)
        for row, part in enumerate((self.state, self.service, self.group, self.times)):
            part.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred)
            grid.addWidget(part, row, 1)
        grid.setColumnStretch(1, 1)
        return frame

    def _actions(self) -> QtWidgets.QVBoxLayout:
        column = QtWidgets.QVBoxLayout()
        grid = QtWidgets.QGridLayout()
        placed = 0
        for action, (text, key) in ACTION_KEYS.items():
            if action == "reactivate":
                continue
            button = widgets.button(f"{text}\n{KEY_NAMES[key]}", touch=False, name=action)
            button.setMinimumHeight(72)
            button.clicked.connect(lambda _=False, a=action: self._request(a))
            grid.addWidget(button, placed // 2, placed % 2)
            placed += 1
            self.buttons[action] = button
        self.buttons["next"].setProperty("kind", "call")
        column.addLayout(grid)
        column.addWidget(widgets.label("Vắng mặt hôm nay", name="section", wrap=False))
        self.no_shows = QtWidgets.QListWidget()
        self.no_shows.setObjectName("no_shows")
        self.no_shows.setFocusPolicy(QtCore.Qt.FocusPolicy.ClickFocus)
        self.no_shows.currentRowChanged.connect(lambda _: self._refresh_reactivate())
        column.addWidget(self.no_shows, 1)
        text, key = ACTION_KEYS["reactivate"]
        button = widgets.button(
            f"{text} ({KEY_NAMES[key]})", kind="secondary", touch=False, name="reactivate"
        )
        button.clicked.connect(lambda: self._request("reactivate"))
        self.buttons["reactivate"] = button
        column.addWidget(button)
        return column

    # ------------------------------------------------------------ showing

    def show_state(
        self,
        data: dict[str, Any],
        *,
        allowed: dict[str, bool],
        officer: str,
        connection: str,
        connection_detail: str,
        connected: bool,
        groups: dict[str, str],
        services: dict[int, str],
    ) -> None:
        counter = data["counter"]
        self.title.setText(counter_title(counter))
        self._paused = counter["status"] == "paused"
        self.officer.setText(f"Cán bộ: {officer}" + (" · QUẦY ĐANG TẠM DỪNG" if self._paused else ""))
        self.connection.setText(connection)
        self.connection.setToolTip(connection_detail)
        self.connection.setProperty("state", "ok" if connected else "down")
        self._restyle(self.connection)
        self._calls_needed = data["no_show_after_calls"]
        self._show_ticket(data["current"], groups, services)
        self._show_lines(data["services"], groups)
        self._show_no_shows(data["no_shows"])
        self._allowed = allowed
        for action, button in self.buttons.items():
            wanted = "resume" if action == "pause" and self._paused else action
            button.setEnabled(allowed.get(wanted, False))
        pause_text = "Tiếp tục" if self._paused else "Tạm dừng"
        self.buttons["pause"].setText(f"{pause_text}\n{KEY_NAMES[ACTION_KEYS['pause'][1]]}")
        self.close_counter.setEnabled(allowed.get("close", False))
        self._refresh_reactivate()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def show_unsynced(self, count: int) -> None:
        """The officer's work the server has not got yet ("n chưa đồng bộ")."""
        self.unsynced.setText(f"{count} chưa đồng bộ")
        self.unsynced.setVisible(count > 0)

    def show_devices(self, fault: str) -> None:
        self.devices.setText(fault)
        self.devices.setVisible(bool(fault))

    def _show_ticket(
        self, ticket: dict[str, Any] | None, groups: dict[str, str], services: dict[int, str]
    ) -> None:
        self._ticket = ticket
        if ticket is None:
            self.number.setText("—")
            self.state.setText("Chưa gọi số nào" if not self._paused else "Quầy đang tạm dừng")
            for part in (self.service, self.group, self.times):
                part.clear()
            self._tick.stop()
            return
        self.number.setText(ticket["number"])
        state = STATES.get(ticket["status"], ticket["status"])
        if ticket["status"] == "called":
            state += f" (đã gọi {ticket['call_count']}/{self._calls_needed} lần)"
        self.state.setText(state)
        self.service.setText(services.get(ticket["service_id"], ""))
        group = ticket.get("priority_group")
        self.group.setText(f"Ưu tiên: {groups.get(group, group)}" if group else "")
        self._show_times()
        self._tick.start()

    def _show_times(self) -> None:
        ticket = self._ticket
        if ticket is None:
            return
        issued, called, started = (_time(ticket.get(k)) for k in ("issued_at", "called_at", "started_at"))
        now = dt.datetime.now(dt.UTC)
        assert issued is not None
        text = f"Đã chờ {formatting.duration(((called or now) - issued).total_seconds())}"
        if started is not None:
            text += f" · phục vụ {formatting.duration((now - started).total_seconds())}"
        self.times.setText(text)

    def _show_lines(self, lines: list[dict[str, Any]], groups: dict[str, str]) -> None:
        self.lines.setRowCount(len(lines))
        for row, line in enumerate(lines):
            upcoming = ", ".join(
                t["number"] + (" (ưu tiên)" if t["priority_group"] else "") for t in line["next"]
            )
            cells = (f"{line['letter']} — {line['name']}", str(line["waiting"]), upcoming or "—")
            for column, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                if column == 1:
                    item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
                self.lines.setItem(row, column, item)

    def _show_no_shows(self, tickets: list[dict[str, Any]]) -> None:
        chosen = self.chosen_no_show()
        self.no_shows.clear()
        for ticket in tickets:
            item = QtWidgets.QListWidgetItem(ticket["number"])
            item.setData(QtCore.Qt.ItemDataRole.UserRole, ticket["id"])
            self.no_shows.addItem(item)
            if ticket["id"] == chosen:
                self.no_shows.setCurrentItem(item)

    def chosen_no_show(self) -> int | None:
        item = self.no_shows.currentItem()
        return None if item is None else int(item.data(QtCore.Qt.ItemDataRole.UserRole))

    def _refresh_reactivate(self) -> None:
        allowed = self._allowed
        self.buttons["reactivate"].setEnabled(
            allowed.get("reactivate", False) and self.chosen_no_show() is not None
        )

    @staticmethod
    def _restyle(widget: QtWidgets.QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    # ------------------------------------------------------------ input

    def _request(self, action: str) -> None:
        if action == "reactivate":
            chosen = self.chosen_no_show()
            if chosen is not None and self.buttons["reactivate"].isEnabled():
                self.reactivate_requested.emit(chosen)
            return
        if not self.buttons[action].isEnabled():
            return
        self.action_requested.emit("resume" if action == "pause" and self._paused else action)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802 (Qt API)
        for action, (_, key) in ACTION_KEYS.items():
            if event.key() == key and not event.isAutoRepeat():
                self._request(action)
                event.accept()
                return
        super().keyPressEvent(event)
