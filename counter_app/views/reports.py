"""The supervisor's reports: pick a report, a period and a grouping; see the table and its
charts; export them as PDF or spreadsheet."""

from __future__ import annotations

import datetime as dt
import pathlib
import textwrap
from collections.abc import Callable
from typing import Any

from PySide6 import QtCharts, QtCore, QtGui, QtWidgets

from apiclient import client
from counter_app.forms import output
from counter_app.reports import charts, export, model
from onestop import calendar
from onestop import errors as domain
from qtkit import tasks

HINT = "Chọn loại báo cáo, thời gian rồi bấm “Xem báo cáo”."
HEADER_CHARS = 9  # column headings wrap to lines of about this length
# The counter's type is large; eleven columns of figures need it a little smaller.
STYLE = """
QTableWidget { font-size: 15px; }
QTableWidget QHeaderView::section { font-size: 14px; padding: 4px; }
"""
ALIGN_RIGHT = QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter
ALIGN_LEFT = QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter


class SaveDialog:
    @staticmethod
    def ask(
        parent: QtWidgets.QWidget, title: str, suggested: pathlib.Path, file_filter: str
    ) -> pathlib.Path | None:
        """Where to save an export; None when cancelled (tests monkeypatch this)."""
        chosen, _ = QtWidgets.QFileDialog.getSaveFileName(parent, title, str(suggested), file_filter)
        return pathlib.Path(chosen) if chosen else None


def _documents() -> pathlib.Path:
    found = QtCore.QStandardPaths.writableLocation(QtCore.QStandardPaths.StandardLocation.DocumentsLocation)
    return pathlib.Path(found) if found else pathlib.Path.home()


def _date_edit(name: str) -> QtWidgets.QDateEdit:
    edit = QtWidgets.QDateEdit()
    edit.setObjectName(name)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    return edit


def _qdate(day: dt.date) -> QtCore.QDate:
    return QtCore.QDate(day.year, day.month, day.day)


def _now() -> dt.datetime:
    return dt.datetime.now(calendar.VN_TZ)


class ReportsPage(QtWidgets.QWidget):
    """Signals:
    loaded(): a report arrived and is shown (``report`` holds it).
    failed(str): the server refused or could not be reached; the message as shown.
    exported(str): a PDF or spreadsheet was saved at this path.
    """

    loaded = QtCore.Signal()
    failed = QtCore.Signal(str)
    exported = QtCore.Signal(str)

    def __init__(
        self,
        api: client.Client,
        runner: tasks.Runner,
        parent: QtWidgets.QWidget | None = None,
        *,
        clock: Callable[[], dt.datetime] = _now,
    ) -> None:
        super().__init__(parent)
        self.api, self.runner, self.clock = api, runner, clock
        self.centre_id: int | None = None
        self.centre_name = ""
        self.report: model.Report | None = None
        self.busy = False
        self._serial = 0
        self.chart_views: list[QtCharts.QChartView] = []
        self._build()
        self.on_kind_changed()
        self.on_preset_changed()

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        self.setStyleSheet(STYLE)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(self._controls())
        status = QtWidgets.QHBoxLayout()
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 0)  # no figure to show: just "working"
        self.progress.setFixedWidth(160)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.message = QtWidgets.QLabel(HINT)
        self.message.setObjectName("report_message")
        self.message.setWordWrap(True)
        status.addWidget(self.progress)
        status.addWidget(self.message, 1)
        layout.addLayout(status)
        self.heading = QtWidgets.QLabel()
        self.heading.setObjectName("section")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.splitter = splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        self.table = QtWidgets.QTableWidget()
        self.table.setObjectName("report_table")
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        splitter.addWidget(self.table)
        splitter.addWidget(self._lower())
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout.addWidget(splitter, 1)

    def _controls(self) -> QtWidgets.QGridLayout:
        grid = QtWidgets.QGridLayout()
        self.kind_box = QtWidgets.QComboBox()
        self.kind_box.setObjectName("report_kind")
        for kind, name in model.KIND_NAMES.items():
            self.kind_box.addItem(name, kind.value)
        self.preset_box = QtWidgets.QComboBox()
        self.preset_box.setObjectName("report_preset")
        for preset, name in model.PRESET_NAMES.items():
            self.preset_box.addItem(name, preset.value)
        self.preset_box.setCurrentIndex(list(model.Preset).index(model.Preset.THIS_MONTH))
        self.start_edit, self.end_edit = _date_edit("report_start"), _date_edit("report_end")
        self.group_box = QtWidgets.QComboBox()
        self.group_box.setObjectName("report_group")
        self.target_spin = QtWidgets.QSpinBox()
        self.target_spin.setObjectName("report_target")
        self.target_spin.setRange(1, 240)
        self.target_spin.setValue(15)
        self.target_spin.setSuffix(" phút")
        self.target_label = QtWidgets.QLabel("Mục tiêu thời gian chờ")
        self.show_button = QtWidgets.QPushButton("Xem báo cáo")
        self.pdf_button = QtWidgets.QPushButton("Xuất PDF…")
        self.xlsx_button = QtWidgets.QPushButton("Xuất Excel…")
        for button, name in (
            (self.show_button, "show"),
            (self.pdf_button, "pdf"),
            (self.xlsx_button, "xlsx"),
        ):
            button.setObjectName(f"report_{name}")
        self.pdf_button.setEnabled(False)
        self.xlsx_button.setEnabled(False)
        pairs: list[tuple[str, QtWidgets.QWidget]] = [
            ("Báo cáo", self.kind_box),
            ("Thời gian", self.preset_box),
            ("Từ ngày", self.start_edit),
            ("Đến ngày", self.end_edit),
        ]
        for column, (text, widget) in enumerate(pairs):
            grid.addWidget(QtWidgets.QLabel(text), 0, 2 * column)
            grid.addWidget(widget, 0, 2 * column + 1)
        grid.addWidget(QtWidgets.QLabel("Theo"), 1, 0)
        grid.addWidget(self.group_box, 1, 1)
        grid.addWidget(self.target_label, 1, 2)
        grid.addWidget(self.target_spin, 1, 3)
        buttons = QtWidgets.QHBoxLayout()
        for button in (self.show_button, self.pdf_button, self.xlsx_button):
            buttons.addWidget(button)
        grid.addLayout(buttons, 1, 4, 1, 4)
        self.kind_box.currentIndexChanged.connect(self.on_kind_changed)
        self.preset_box.currentIndexChanged.connect(self.on_preset_changed)
        self.show_button.clicked.connect(self.on_show_clicked)
        self.pdf_button.clicked.connect(self.on_pdf_clicked)
        self.xlsx_button.clicked.connect(self.on_xlsx_clicked)
        return grid

    def _lower(self) -> QtWidgets.QWidget:
        lower = QtWidgets.QWidget()
        row = QtWidgets.QHBoxLayout(lower)
        row.setContentsMargins(0, 0, 0, 0)
        self.charts_row = QtWidgets.QHBoxLayout()
        row.addLayout(self.charts_row, 3)
        side = QtWidgets.QVBoxLayout()
        self.extra_label = QtWidgets.QLabel()
        self.extra_label.setObjectName("section")
        self.extra_table = QtWidgets.QTableWidget(0, 2)
        self.extra_table.setObjectName("report_extra")
        self.extra_table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.extra_table.verticalHeader().hide()
        self.extra_table.horizontalHeader().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        side.addWidget(self.extra_label)
        side.addWidget(self.extra_table, 1)
        self.extra_box = QtWidgets.QWidget()
        self.extra_box.setLayout(side)
        self.extra_box.setFixedWidth(280)
        self.extra_box.hide()
        row.addWidget(self.extra_box, 1)
        return lower

    # ------------------------------------------------------------ choices

    def set_centre(self, centre_id: int, centre_name: str) -> None:
        """The centre the reports cover (a supervisor's own: the server allows no other)."""
        self.centre_id, self.centre_name = centre_id, centre_name

    def kind(self) -> model.Kind:
        return model.Kind(self.kind_box.currentData())

    def preset(self) -> model.Preset:
        return model.Preset(self.preset_box.currentData())

    def query(self) -> model.Query:
        start: dt.date = self.start_edit.date().toPython()  # type: ignore[assignment]
        end: dt.date = self.end_edit.date().toPython()  # type: ignore[assignment]
        return model.Query(
            self.kind(), start, end, str(self.group_box.currentData()), self.target_spin.value()
        )

    def choose(self, kind: model.Kind, preset: model.Preset, group_by: str | None = None) -> None:
        """Pick a report, a period and a grouping, as the combo boxes would."""
        self.kind_box.setCurrentIndex(self.kind_box.findData(kind.value))
        self.preset_box.setCurrentIndex(self.preset_box.findData(preset.value))
        if group_by is not None:
            self.group_box.setCurrentIndex(self.group_box.findData(group_by))

    def on_kind_changed(self, _index: int = 0) -> None:
        kind = self.kind()
        self.group_box.clear()
        for value, name in model.GROUPS[kind]:
            self.group_box.addItem(name, value)
        self.group_box.setEnabled(self.group_box.count() > 1)
        self.target_spin.setVisible(kind is model.Kind.QUEUE)
        self.target_label.setVisible(kind is model.Kind.QUEUE)

    def on_preset_changed(self, _index: int = 0) -> None:
        preset = self.preset()
        custom = preset is model.Preset.CUSTOM
        self.start_edit.setEnabled(custom)
        self.end_edit.setEnabled(custom)
        if not custom:
            start, end = model.preset_period(preset, self.clock().date())
            self.start_edit.setDate(_qdate(start))
            self.end_edit.setDate(_qdate(end))

    # ------------------------------------------------------------ loading

    def on_show_clicked(self) -> None:
        query = self.query()
        self._serial += 1
        serial, api, centre = self._serial, self.api, self.centre_id
        self._set_busy(True)
        self.message.setText("Đang tải báo cáo…")
        self.runner.submit(
            lambda: model.fetch(api, query, centre_id=centre),
            done=lambda reply: self.on_report_loaded(serial, query, reply),
            failed=lambda exc: self.on_report_failed(serial, exc),
        )

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.progress.setVisible(busy)
        self.show_button.setEnabled(not busy)

    def on_report_loaded(self, serial: int, query: model.Query, reply: dict[str, Any]) -> None:
        if serial != self._serial:  # an answer to an earlier click
            return
        self._set_busy(False)
        self.report = model.build(query, reply, self.centre_name)
        self._show(self.report)
        count = len(self.report.rows)
        self.message.setText(f"{count} dòng." if count else "Không có số liệu trong thời gian này.")
        self.pdf_button.setEnabled(True)
        self.xlsx_button.setEnabled(True)
        self.loaded.emit()

    def on_report_failed(self, serial: int, exc: BaseException) -> None:
        if serial != self._serial:
            return
        self._set_busy(False)
        reason = exc.message if isinstance(exc, domain.DomainError) else "Lỗi không xác định."
        text = f"Không xem được báo cáo: {reason}"
        self.message.setText(text)
        self.failed.emit(text)

    # ------------------------------------------------------------ showing

    def _show(self, report: model.Report) -> None:
        lines = export.heading_lines(report)
        note = [lines.pop()] if report.note else []
        self.heading.setText("\n".join([report.title, " · ".join(lines), *note]))
        self._fill_table(report)
        self._fill_charts(report)
        self._fill_extra(report)

    def _fill_table(self, report: model.Report) -> None:
        rows = report.text_rows()
        self.table.clear()
        self.table.setColumnCount(len(report.columns) + 1)
        self.table.setRowCount(len(rows))
        headers = [textwrap.fill(h, HEADER_CHARS, break_long_words=False) for h in report.headers()]
        self.table.setHorizontalHeaderLabels(headers)
        bold = QtGui.QFont(self.table.font())
        bold.setBold(True)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QtWidgets.QTableWidgetItem(text)
                item.setTextAlignment(ALIGN_LEFT if c == 0 else ALIGN_RIGHT)
                if r == len(rows) - 1:
                    item.setFont(bold)
                self.table.setItem(r, c, item)
        self._fit_table()

    def _fit_table(self) -> None:
        """Figures as wide as they need, names in the room left over; the table as tall as its
        rows, up to 55 % of the space under the controls."""
        self._fit_columns()
        needed = self.table.horizontalHeader().sizeHint().height() + 2 * self.table.frameWidth() + 8
        needed += sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        total = sum(self.splitter.sizes())
        top = min(needed, total * 55 // 100)
        self.splitter.setSizes([top, total - top])
        self._fit_columns()  # the vertical scroll bar may have come or gone

    def _fit_columns(self) -> None:
        # The figures' columns fit their contents; the names take the rest and wrap in it.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self.table.columnCount():
            self._fit_table()

    def _fill_charts(self, report: model.Report) -> None:
        for view in self.chart_views:
            self.charts_row.removeWidget(view)
            view.deleteLater()
        self.chart_views = []
        for spec in report.charts:
            view = QtCharts.QChartView(charts.chart(spec))
            view.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(260)
            self.charts_row.addWidget(view, 1)
            self.chart_views.append(view)

    def _fill_extra(self, report: model.Report) -> None:
        # The busiest hours are a chart already; the reasons are only here.
        self.extra_box.setVisible(bool(report.extra_title) and not any(c.from_extra for c in report.charts))
        self.extra_label.setText(report.extra_title)
        self.extra_table.setHorizontalHeaderLabels(list(report.extra_headers))
        rows = report.extra_rows or [("Không có", 0)]
        self.extra_table.setRowCount(len(rows))
        for r, (name, count) in enumerate(rows):
            item = QtWidgets.QTableWidgetItem(name)
            item.setToolTip(name)
            self.extra_table.setItem(r, 0, item)
            number = QtWidgets.QTableWidgetItem(model.integer(count) if report.extra_rows else "")
            number.setTextAlignment(ALIGN_RIGHT)
            self.extra_table.setItem(r, 1, number)
        self.extra_table.resizeColumnToContents(1)

    # ------------------------------------------------------------ exports

    def on_pdf_clicked(self) -> None:
        self._export("pdf", "Xuất báo cáo ra PDF", "Tệp PDF (*.pdf)", export.pdf)

    def on_xlsx_clicked(self) -> None:
        self._export("xlsx", "Xuất báo cáo ra Excel", "Bảng tính Excel (*.xlsx)", export.xlsx)

    def _export(self, suffix: str, title: str, file_filter: str, write: Callable[..., pathlib.Path]) -> None:
        if self.report is None:
            return
        suggested = _documents() / f"{self.report.query.file_stem()}.{suffix}"
        path = SaveDialog.ask(self, title, suggested, file_filter)
        if path is None:
            return
        if path.suffix.lower() != f".{suffix}":
            path = path.with_name(f"{path.name}.{suffix}")
        try:
            saved = write(self.report, path, now=self.clock())
        except (OSError, output.PrintError):
            self.message.setText(f"Không lưu được tệp {path}. Hãy chọn thư mục khác hoặc đóng tệp đang mở.")
            return
        self.message.setText(f"Đã lưu: {saved}")
        self.exported.emit(str(saved))
