"""The hall screen: heading and clock, the call being announced (large), the counters and
what each serves, the latest calls, how many wait per line, and the notice line.

Landscape (1920×1080): counters on the left, the call, recent calls and lines on the right.
Portrait (1080×1920): the call on top, the counters below, recent calls beside the lines.
Every text sizes itself to its box (FitLabel), so the same layout serves 4K.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from display_board.board import Board
from display_board.state import Call
from display_board.views.widgets import Align, FitLabel, Marquee
from onestop import formatting
from qtkit import theme

HALL = "#e9eef5"
HIGHLIGHT = "#ffe38a"  # the tile of the counter being called
PAUSED_INK = "#8a5a00"
CLOSED_INK = "#7b8794"
Place = tuple[QtWidgets.QWidget, int, int, int, int]  # widget, row, column, rows, columns
MAX_LINES = 8  # waiting lines listed; a centre with more shows the busiest


def style_sheet() -> str:
    return f"""
    QWidget#board {{ background: {HALL}; }}
    QFrame#header, QFrame#footer {{ background: {theme.BRAND_DARK}; }}
    QFrame#panel, QFrame#tile {{ background: {theme.PAPER}; border: 2px solid #c5cfdb; border-radius: 10px; }}
    QFrame#tile[called="true"] {{ background: {HIGHLIGHT}; border-color: {theme.ACCENT}; }}
    QFrame#tile[empty="true"] {{ background: transparent; border: none; }}
    QFrame#featured {{ background: {theme.PAPER}; border: 4px solid {theme.BRAND}; border-radius: 14px; }}
    QFrame#featured[live="true"] {{ background: {theme.ACCENT}; border-color: {theme.ACCENT}; }}
    QFrame#marker {{ background: {theme.ERROR_BG}; border-radius: 8px; }}
    """


def _frame(name: str) -> QtWidgets.QFrame:
    frame = QtWidgets.QFrame()
    frame.setObjectName(name)
    return frame


def _restyle(widget: QtWidgets.QWidget, prop: str, value: bool) -> None:
    if widget.property(prop) != value:
        widget.setProperty(prop, value)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


def _column(*parts: tuple[QtWidgets.QWidget, int], margins: int = 0) -> QtWidgets.QVBoxLayout:
    layout = QtWidgets.QVBoxLayout()
    layout.setContentsMargins(margins, margins, margins, margins)
    layout.setSpacing(0)
    for widget, stretch in parts:
        layout.addWidget(widget, stretch)
    return layout


class CounterTile(QtWidgets.QFrame):
    """One counter: "Quầy 5", its agency, the number it serves (or paused / closed)."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("tile")
        self.title = FitLabel(bold=True, colour=theme.BRAND_DARK, fill=0.78)
        self.agency = FitLabel(colour=theme.MUTED, fill=0.7, elide=True)
        self.number = FitLabel(bold=True, colour=theme.ACCENT, fill=0.9, align=Align.AlignCenter)
        self.note = FitLabel(colour=theme.MUTED, fill=0.8, align=Align.AlignRight | Align.AlignVCenter)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.title, 45)
        top.addWidget(self.number, 55)
        bottom = QtWidgets.QHBoxLayout()
        bottom.addWidget(self.agency, 3)
        bottom.addWidget(self.note, 1)  # shown only with something to say
        column = QtWidgets.QVBoxLayout(self)
        column.setContentsMargins(14, 2, 14, 4)
        column.setSpacing(0)
        column.addLayout(top, 68)
        column.addLayout(bottom, 32)

    def show_counter(self, counter: dict[str, Any] | None, *, called: bool) -> None:
        """A counter, or None: an empty place that keeps the grid's shape."""
        _restyle(self, "empty", counter is None)
        if counter is None:
            for label in (self.title, self.agency, self.number, self.note):
                label.setText("")
            return
        self.title.setText(f"Quầy {counter['number']}")
        self.agency.setText(counter.get("agency_name") or counter["name"])
        ticket, status = counter.get("current_ticket"), counter["status"]
        self.number.setText(ticket["number"] if ticket else "—")
        if status == "closed":
            note, colour = "Tạm đóng", CLOSED_INK
        elif status == "paused":
            note, colour = "Tạm dừng", PAUSED_INK
        elif ticket and ticket.get("priority_group"):
            note, colour = "Ưu tiên", theme.ACCENT
        else:
            note, colour = "", theme.MUTED
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.note.set_colour(colour)
        self.number.set_colour(theme.ACCENT if ticket else CLOSED_INK)
        _restyle(self, "called", called)


class BoardWindow(QtWidgets.QWidget):
    def __init__(self, board: Board, *, clock: Callable[[], dt.datetime]) -> None:
        super().__init__()
        self.board = board
        self._clock = clock
        self.setObjectName("board")
        self.setWindowTitle("Màn hình gọi số")
        self.setStyleSheet(style_sheet())
        if not board.config.windowed:  # a TV in the hall: no pointer over the numbers
            self.setCursor(QtCore.Qt.CursorShape.BlankCursor)
        self.portrait: bool | None = None
        self._build_header()
        self._build_featured()
        self._build_counters(board.config.counters_per_page)
        self.recent, self.recent_heading, self.recent_rows = self._listing(
            "SỐ VỪA GỌI", board.config.recent_calls, (3, 2)
        )
        self.lines, self.lines_heading, self.waiting_rows = self._listing("ĐANG CHỜ", MAX_LINES, (6, 1))
        self.footer = _frame("footer")
        self.notice = Marquee()
        footer = QtWidgets.QHBoxLayout(self.footer)
        footer.setContentsMargins(16, 2, 16, 2)
        footer.addWidget(self.notice)
        self.problem = FitLabel(bold=True, colour=theme.ACCENT, fill=0.5, align=Align.AlignCenter)
        self.body = QtWidgets.QWidget()
        self.grid = QtWidgets.QGridLayout(self.body)
        self.outer = QtWidgets.QVBoxLayout(self)
        self.outer.setContentsMargins(0, 0, 0, 0)
        self.outer.setSpacing(0)
        for part in (self.header, self.body, self.footer):
            self.outer.addWidget(part)

        self._tick = QtCore.QTimer(self, interval=1000)
        self._tick.timeout.connect(self.show_time)
        self._tick.start()
        board.changed.connect(self.refresh)
        board.featured.connect(self.refresh)  # the called counter's tile lights up too
        board.connection.connect(self.show_connection)
        self.arrange(portrait=False)
        self.show_time()
        self.refresh()

    def _build_header(self) -> None:
        """The centre, the date and the time; the marker when the server is away."""
        self.header = _frame("header")
        self.title = FitLabel(bold=True, colour="white", fill=0.55)
        self.date = FitLabel(colour="white", fill=0.42, align=Align.AlignRight | Align.AlignVCenter)
        self.time = FitLabel(
            bold=True, colour="white", fill=0.75, align=Align.AlignRight | Align.AlignVCenter
        )
        self.marker = _frame("marker")
        self.marker_text = FitLabel(
            "Mất kết nối", bold=True, colour="white", fill=0.6, align=Align.AlignCenter
        )
        QtWidgets.QVBoxLayout(self.marker).addWidget(self.marker_text)
        self.marker.hide()  # until the first read: the board says it is connecting then
        self.heading = QtWidgets.QGridLayout(self.header)
        self.heading.setContentsMargins(24, 4, 24, 4)

    def _build_featured(self) -> None:
        """The call being announced, large; the latest call, calmer, when none is."""
        self.featured = _frame("featured")
        self.featured_caption = FitLabel(bold=True, fill=0.62, align=Align.AlignCenter)
        self.featured_number = FitLabel(bold=True, fill=0.95, align=Align.AlignCenter)
        self.featured_counter = FitLabel(bold=True, fill=0.72, align=Align.AlignCenter)
        self.featured.setLayout(
            _column(
                (self.featured_caption, 2), (self.featured_number, 5), (self.featured_counter, 3), margins=10
            )
        )

    def _build_counters(self, per_page: int) -> None:
        """The counters, a page at a time, down the first column then the second."""
        self.counters = _frame("counters")
        self.counters.setStyleSheet("QFrame#counters { background: transparent; }")
        grid = QtWidgets.QGridLayout(self.counters)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(10)
        self.tiles = [CounterTile() for _ in range(per_page)]
        rows = -(-per_page // 2)
        for index, tile in enumerate(self.tiles):
            grid.addWidget(tile, index % rows, index // rows)
        for row in range(rows):
            grid.setRowStretch(row, 1)
        self.page_label = FitLabel(colour=theme.MUTED, fill=0.7, align=Align.AlignRight | Align.AlignVCenter)
        grid.addWidget(self.page_label, rows, 0, 1, 2)
        grid.setRowStretch(rows, 0)
        self.page_label.setFixedHeight(28)

    def _listing(
        self, heading: str, count: int, columns: tuple[int, int]
    ) -> tuple[QtWidgets.QFrame, FitLabel, list[tuple[FitLabel, FitLabel]]]:
        """A panel with a heading and ``count`` two-column rows."""
        frame = _frame("panel")
        layout = QtWidgets.QGridLayout(frame)
        layout.setContentsMargins(16, 8, 16, 8)
        layout.setSpacing(2)
        title = FitLabel(heading, bold=True, colour=theme.BRAND_DARK, fill=0.7)
        layout.addWidget(title, 0, 0, 1, 2)
        rows = []
        for index in range(count):
            left = FitLabel(fill=0.8, elide=True)
            right = FitLabel(bold=True, fill=0.8, align=Align.AlignRight | Align.AlignVCenter)
            layout.addWidget(left, index + 1, 0)
            layout.addWidget(right, index + 1, 1)
            layout.setRowStretch(index + 1, 1)
            rows.append((left, right))
        layout.setRowStretch(0, 1)
        layout.setColumnStretch(0, columns[0])
        layout.setColumnStretch(1, columns[1])
        return frame, title, rows

    # ------------------------------------------------------------ layout

    def arrange(self, *, portrait: bool) -> None:
        """Place the parts for a landscape or a portrait screen."""
        if portrait == self.portrait:
            return
        self.portrait = portrait
        for layout in (self.grid, self.heading):
            while layout.count():
                layout.takeAt(0)
        body: list[Place]
        heading: list[Place]
        if portrait:
            body = [
                (self.featured, 0, 0, 1, 2),
                (self.counters, 1, 0, 1, 2),
                (self.recent, 2, 0, 1, 1),
                (self.lines, 2, 1, 1, 1),
            ]
            rows, cols = (24, 52, 24), (1, 1)
            heading = [
                (self.title, 0, 0, 1, 3),
                (self.marker, 1, 0, 1, 1),
                (self.date, 1, 1, 1, 1),
                (self.time, 1, 2, 1, 1),
            ]
            heading_cols = (30, 50, 20, 0)
        else:
            body = [
                (self.counters, 0, 0, 3, 1),
                (self.featured, 0, 1, 1, 1),
                (self.recent, 1, 1, 1, 1),
                (self.lines, 2, 1, 1, 1),
            ]
            rows, cols = (44, 28, 28), (58, 42)
            heading = [
                (w, 0, column, 1, 1)
                for column, w in enumerate((self.title, self.marker, self.date, self.time))
            ]
            heading_cols = (60, 14, 18, 9)
        for widget, row, column, height, width in [*body, (self.problem, 0, 0, 3, 2)]:
            self.grid.addWidget(widget, row, column, height, width)
        for index, stretch in enumerate(rows):
            self.grid.setRowStretch(index, stretch)
        for index, stretch in enumerate(cols):
            self.grid.setColumnStretch(index, stretch)
        for widget, row, column, height, width in heading:
            self.heading.addWidget(widget, row, column, height, width)
        for index, stretch in enumerate(heading_cols):
            self.heading.setColumnStretch(index, stretch)
        self.resize_parts()
        self.refresh()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 (Qt override)
        orientation = self.board.config.orientation
        portrait = self.height() > self.width() if orientation == "auto" else orientation == "portrait"
        if portrait != self.portrait:
            self.arrange(portrait=portrait)
        else:
            self.resize_parts()

    def resize_parts(self) -> None:
        """Heights and gaps in proportion to the screen."""
        height = self.height()
        self.header.setFixedHeight(round(height * (0.085 if self.portrait else 0.09)))
        self.footer.setFixedHeight(round(height * (0.045 if self.portrait else 0.07)))
        gap = max(6, round(min(self.width(), height) * 0.012))
        self.grid.setSpacing(gap)
        self.grid.setContentsMargins(gap, gap, gap, gap)
        self.page_label.setFixedHeight(max(16, round(height * 0.022)))

    # ------------------------------------------------------------ showing the state

    def show_time(self) -> None:
        now = self._clock()
        self.time.setText(f"{now:%H:%M}")
        self.date.setText(formatting.long_date(now.date()))

    def show_connection(self, status: Any) -> None:
        """A small red marker while the server is away; the screen keeps what it knows."""
        self.marker_text.setText("Mất kết nối" if self.board.state.loaded else "Đang kết nối…")
        self.marker.setVisible(not status.connected)
        self.marker.setToolTip(status.reason)

    def refresh(self) -> None:
        board, state = self.board, self.board.state
        self.title.setText(
            board.config.title or state.centre.get("name", "Trung tâm Phục vụ hành chính công")
        )
        broken = bool(board.problem)
        self.problem.setText(board.problem)
        self.problem.setVisible(broken)
        for part in (self.counters, self.featured, self.recent, self.lines):
            part.setVisible(not broken)
        called = board.current.counter_id if board.current else None
        page = board.page_counters()
        for index, tile in enumerate(self.tiles):
            counter = page[index] if index < len(page) else None
            tile.show_counter(counter, called=counter is not None and counter["id"] == called)
        self.page_label.setText(f"Trang {board.page + 1}/{board.pages}" if board.pages > 1 else "")
        for index, (left, right) in enumerate(self.recent_rows):
            call = state.recent[index] if index < len(state.recent) else None
            left.setText(call.number if call else "")
            left.set_colour(theme.ACCENT if call and call.priority else theme.INK)
            right.setText(f"Quầy {call.counter_number}" if call else "")
        lines = state.services
        if len(lines) > MAX_LINES:
            lines = sorted(lines, key=lambda s: -s["waiting"])[:MAX_LINES]
        self.lines_heading.setText(f"ĐANG CHỜ: {state.waiting} người")
        layout = self.lines.layout()
        assert isinstance(layout, QtWidgets.QGridLayout)
        rows = max(4, len(lines))  # a centre with few lines gets larger text
        for index, (left, right) in enumerate(self.waiting_rows):
            line = lines[index] if index < len(lines) else None
            left.setText(f"{line['letter']} · {line['name']}" if line else "")
            right.setText(str(line["waiting"]) if line else "")
            layout.setRowStretch(index + 1, int(index < rows))
            left.setVisible(index < rows)
            right.setVisible(index < rows)
        self.notice.setText(state.centre.get("notice") or self._office_hours(state.centre))
        self.show_featured(board.current)

    @staticmethod
    def _office_hours(centre: dict[str, Any]) -> str:
        hours = centre.get("office_hours", "")
        if not hours:
            return ""
        spans = [part.strip().replace("-", " – ") for part in hours.split(",")]
        return "Giờ làm việc: " + ", ".join(spans) + " các ngày làm việc trong tuần."

    def show_featured(self, call: Call | None) -> None:
        live = call is not None
        shown = call or self.board.latest
        _restyle(self.featured, "live", live)
        ink = "white" if live else theme.BRAND_DARK
        for label in (self.featured_caption, self.featured_number, self.featured_counter):
            label.set_colour(ink)
        self.featured_number.set_colour("white" if live else theme.ACCENT)
        if shown is None:
            self.featured_caption.setText("XIN MỜI CÔNG DÂN LẤY SỐ THỨ TỰ")
            self.featured_number.setText("")
            self.featured_counter.setText("")
            return
        caption = "MỜI CÔNG DÂN CÓ SỐ" if live else "SỐ VỪA GỌI"
        self.featured_caption.setText(caption + (" · ƯU TIÊN" if shown.priority else ""))
        self.featured_number.setText(shown.number)
        self.featured_counter.setText(f"ĐẾN QUẦY {shown.counter_number}")
