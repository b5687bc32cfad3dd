"""The supervisor's reports page against a real server holding a month of known tickets,
dossiers and ratings (tests/server/test_reports.py works every figure out by hand): the table,
the charts, the PDF and the spreadsheet, and what a refused or failed request leaves on screen."""

from __future__ import annotations

import collections.abc
import pathlib
from typing import Any

import openpyxl
import pypdf
import pytest
from PySide6 import QtCore, QtWidgets

from apiclient import client
from counter_app import window
from counter_app.reports import model
from counter_app.views import reports
from qtkit import tasks
from tests import live
from tests.gui.counter.conftest import WAIT_MS
from tests.server import test_reports as known

CENTRE = "Trung tâm Phục vụ hành chính công tỉnh Phú Thọ"
LAST_MONTH = "01/11/2026 – 30/11/2026"  # "Tháng trước" on 1 December 2026
Kind, Preset = model.Kind, model.Preset


@pytest.fixture
def seeded(server: live.LiveServer) -> known.Seeder:
    seeder = known.seed_month(server)
    server.clock.set(known.NOW)
    return seeder


@pytest.fixture
def page(
    qtbot, qapp: QtWidgets.QApplication, server: live.LiveServer, seeded: known.Seeder
) -> collections.abc.Iterator[reports.ReportsPage]:
    """The page on its own, signed in as the supervisor, on 1 December 2026 at 09:00."""
    window.apply_theme(qapp)
    api = client.Client(server.base_url)
    api.login("giamsat", live.PASSWORD)
    runner = tasks.Runner()
    shown = reports.ReportsPage(api, runner, clock=lambda: known.NOW)
    shown.set_centre(seeded.centre, CENTRE)
    qtbot.addWidget(shown, before_close_func=lambda _page: runner.close())
    shown.resize(1366, 768)
    shown.show()
    yield shown
    runner.close()
    api.close()


def show(qtbot, page: reports.ReportsPage, kind: Kind, preset: Preset, group_by: str | None = None) -> None:
    page.choose(kind, preset, group_by)
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        qtbot.mouseClick(page.show_button, QtCore.Qt.MouseButton.LeftButton)
        assert page.progress.isVisible() and not page.show_button.isEnabled()  # busy until it comes
    assert not page.progress.isVisible()


def table(page: reports.ReportsPage) -> dict[str, list[str]]:
    """The rows as shown, by their first cell."""
    grid = page.table
    cells = [[grid.item(r, c).text() for c in range(grid.columnCount())] for r in range(grid.rowCount())]
    return {row[0]: row[1:] for row in cells}


def headers(page: reports.ReportsPage) -> list[str]:
    grid = page.table
    return [grid.horizontalHeaderItem(c).text().replace("\n", " ") for c in range(grid.columnCount())]


def bars(page: reports.ReportsPage, number: int = 0) -> dict[str, list[float]]:
    """Each bar set of a chart: its name and values."""
    (series,) = page.chart_views[number].chart().series()
    return {bar_set.label(): [bar_set.at(i) for i in range(bar_set.count())] for bar_set in series.barSets()}


def categories(page: reports.ReportsPage, number: int = 0) -> list[str]:
    axis = page.chart_views[number].chart().axes(QtCore.Qt.Orientation.Horizontal)[0]
    return list(axis.categories())


def test_last_month_queue_by_service(page, qtbot):
    assert page.message.text() == reports.HINT
    show(qtbot, page, Kind.QUEUE, Preset.LAST_MONTH)
    assert (page.start_edit.text(), page.end_edit.text()) == ("01/11/2026", "30/11/2026")
    assert headers(page) == [
        "Dịch vụ",
        "Số vé đã cấp",
        "Đã phục vụ",
        "Vắng mặt",
        "Đã hủy",
        "Chuyển đi",
        "Chờ trung bình (phút:giây)",
        "Chờ P90",
        "Phục vụ trung bình (phút:giây)",
        "Phục vụ P90",
        "Tỷ lệ chờ không quá 15 phút",
    ]
    a, b = "Tư pháp – Hộ tịch – Chứng thực", "Công an – Giấy phép lái xe, Xuất nhập cảnh"
    # Waits 5, 20, 15, 35 minutes: 18.75 -> 18:48; service 10, 8, 12; 2 of 3 within 15 minutes.
    assert table(page) == {
        a: ["5", "3", "1", "1", "1", "18:48", "35 phút", "10:00", "12 phút", "66,7 %"],
        b: ["4", "3", "0", "0", "0", "10:42", "20 phút", "13:00", "30 phút", "66,7 %"],
        "Tổng cộng": ["9", "6", "1", "1", "1", "15:18", "35 phút", "11:30", "30 phút", "66,7 %"],
    }
    assert page.table.item(2, 0).font().bold()
    assert CENTRE in page.heading.text() and LAST_MONTH in page.heading.text()
    assert bars(page, 0) == {"Đã phục vụ": [3.0, 3.0], "Vắng mặt": [1.0, 0.0]}
    assert bars(page, 1) == {"Số vé đã cấp": [3.0, 2.0, 1.0, 1.0, 2.0]}
    assert categories(page, 1) == ["08:00", "09:00", "10:00", "11:00", "14:00"]
    assert not page.extra_box.isVisible()  # the busiest hours are the chart; the files have a table too

    page.target_spin.setValue(5)
    show(qtbot, page, Kind.QUEUE, Preset.LAST_MONTH)
    assert headers(page)[-1] == "Tỷ lệ chờ không quá 5 phút"
    assert table(page)[a][-1] == "33,3 %"  # only the 5-minute wait


def test_group_by_changes_the_rows(page, qtbot):
    show(qtbot, page, Kind.QUEUE, Preset.LAST_MONTH, "counter")
    assert headers(page)[0] == "Quầy"
    assert {name: row[:5] for name, row in table(page).items()} == {
        "Quầy số 1": ["4", "3", "1", "0", "1"],
        "Quầy số 2": ["3", "3", "0", "0", "0"],
        "Chưa được gọi tại quầy": ["2", "0", "0", "1", "0"],
        "Tổng cộng": ["9", "6", "1", "1", "1"],
    }
    show(qtbot, page, Kind.QUEUE, Preset.LAST_MONTH, "day")
    assert list(table(page)) == ["02/11/2026", "03/11/2026", "Tổng cộng"]
    show(qtbot, page, Kind.QUEUE, Preset.LAST_MONTH, model.CENTRE_GROUP)
    assert headers(page)[0] == "Trung tâm"
    assert {name: row[0] for name, row in table(page).items()} == {CENTRE: "9", "Tổng cộng": "9"}
    show(qtbot, page, Kind.DOSSIERS, Preset.LAST_MONTH, "officer")
    assert [page.group_box.itemText(i) for i in range(page.group_box.count())] == [
        "Cơ quan",
        "Trung tâm",
        "Lĩnh vực",
        "Thủ tục",
        "Cán bộ",
    ]
    assert {name: row[:5] for name, row in table(page).items()} == {
        "Cán bộ canbo1": ["5", "3", "0", "2", "1"],
        "Cán bộ canbo2": ["4", "2", "2", "0", "0"],
        "Tổng cộng": ["9", "5", "2", "2", "1"],
    }
    show(qtbot, page, Kind.QUEUE, Preset.THIS_MONTH)  # 1 December: one ticket, still waiting
    assert [row[:2] for row in table(page).values()] == [["1", "0"], ["1", "0"]]
    page.choose(Kind.QUEUE, Preset.CUSTOM)
    page.start_edit.setDate(QtCore.QDate(2026, 1, 1))
    page.end_edit.setDate(QtCore.QDate(2026, 1, 31))
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        qtbot.mouseClick(page.show_button, QtCore.Qt.MouseButton.LeftButton)
    assert list(table(page)) == ["Tổng cộng"]
    assert page.message.text() == "Không có số liệu trong thời gian này."


def test_dossiers_satisfaction_and_officers(page, qtbot):
    show(qtbot, page, Kind.DOSSIERS, Preset.LAST_MONTH)
    assert "Tỷ lệ trước và đúng hạn" in headers(page)
    rows = table(page)
    assert rows["Sở Tư pháp"] == ["5", "3", "1", "1", "1", "66,7 %", "1", "1", "0", "1"]
    assert rows["Tổng cộng"] == ["9", "5", "2", "2", "1", "80,0 %", "2", "1", "1", "1"]
    assert bars(page) == {"Trước hạn": [1.0, 1.0], "Đúng hạn": [1.0, 1.0], "Quá hạn": [1.0, 0.0]}
    assert "Số hồ sơ đang quá hạn tính đến 09:00 01/12/2026." in page.heading.text()

    show(qtbot, page, Kind.SATISFACTION, Preset.LAST_MONTH, "field")
    assert table(page)["Tổng cộng"] == ["1", "1", "3", "5", "40,0 %"]
    assert sorted(bars(page)) == ["Hài lòng", "Không hài lòng", "Rất hài lòng"]
    reasons = page.extra_table
    assert page.extra_label.text() == "Lý do không hài lòng"
    assert [(reasons.item(r, 0).text(), reasons.item(r, 1).text()) for r in range(reasons.rowCount())] == [
        ("Trả kết quả chậm", "2"),
        ("Thái độ chưa nhiệt tình", "1"),
    ]

    show(qtbot, page, Kind.OFFICERS, Preset.LAST_MONTH)
    assert not page.group_box.isEnabled() and not page.target_spin.isVisible()
    assert table(page) == {
        "Cán bộ canbo1": ["3", "10:00", "7,00", "0,43", "1", "0", "2"],
        "Cán bộ canbo2": ["3", "13:00", "3,15", "0,95", "0", "1", "1"],
        "Tổng cộng": ["6", "11:30", "10,15", "0,59", "1", "1", "3"],
    }
    assert bars(page) == {"Lượt phục vụ mỗi giờ": [0.43, 0.95]}


def saving_to(monkeypatch, target: pathlib.Path) -> list[Any]:
    asked: list[Any] = []

    def ask(parent, title, suggested, file_filter):
        asked.append((title, suggested.name, file_filter))
        return target

    monkeypatch.setattr(reports.SaveDialog, "ask", staticmethod(ask))
    return asked


def pdf_text(path: pathlib.Path) -> str:
    """The PDF's text with runs of whitespace as one space (Qt's PDFs space words with tabs)."""
    return " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(path).pages).split())


def test_pdf_export(page, qtbot, monkeypatch, tmp_path):
    assert not page.pdf_button.isEnabled()  # nothing to export yet
    show(qtbot, page, Kind.QUEUE, Preset.LAST_MONTH)
    asked = saving_to(monkeypatch, tmp_path / "hang-doi")
    with qtbot.waitSignal(page.exported, timeout=WAIT_MS) as saved:
        qtbot.mouseClick(page.pdf_button, QtCore.Qt.MouseButton.LeftButton)
    assert asked == [("Xuất báo cáo ra PDF", "bao-cao-hang-doi-2026-11-01-2026-11-30.pdf", "Tệp PDF (*.pdf)")]
    path = pathlib.Path(saved.args[0])
    assert path == tmp_path / "hang-doi.pdf"
    first = pypdf.PdfReader(path).pages[0]
    assert first.mediabox.width > first.mediabox.height  # A4 landscape
    text = pdf_text(path)
    for expected in (
        "BÁO CÁO TÌNH HÌNH PHỤC VỤ CÔNG DÂN THEO SỐ THỨ TỰ",
        CENTRE,
        f"Thời gian: {LAST_MONTH}",
        "Tư pháp – Hộ tịch – Chứng thực 5 3 1 1 1 18:48 35 phút",
        "Tổng cộng 9 6 1 1 1 15:18",
        "Giờ cao điểm",
        "Ngày xuất: 09:00 01/12/2026",
    ):
        assert expected in text
    assert page.message.text() == f"Đã lưu: {path}"


def test_spreadsheet_export(page, qtbot, monkeypatch, tmp_path):
    show(qtbot, page, Kind.QUEUE, Preset.LAST_MONTH)
    saving_to(monkeypatch, tmp_path / "hang-doi.xlsx")
    with qtbot.waitSignal(page.exported, timeout=WAIT_MS):
        qtbot.mouseClick(page.xlsx_button, QtCore.Qt.MouseButton.LeftButton)
    book = openpyxl.load_workbook(tmp_path / "hang-doi.xlsx")
    sheet = book["Báo cáo"]
    assert sheet["A1"].value == "BÁO CÁO TÌNH HÌNH PHỤC VỤ CÔNG DÂN THEO SỐ THỨ TỰ"
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [CENTRE] + [None] * 10 in cells and [f"Thời gian: {LAST_MONTH}"] + [None] * 10 in cells
    by_name = {row[0]: row[1:] for row in cells}
    a = by_name["Tư pháp – Hộ tịch – Chứng thực"]
    assert a[:5] == [5, 3, 1, 1, 1]
    assert round(a[5].total_seconds()) == 18 * 60 + 48  # kept as a duration, shown as [mm]:ss
    assert a[6] == 35 and round(a[7].total_seconds()) == 600 and a[8:] == [12, 0.6667]
    assert by_name["Tổng cộng"][:2] == [9, 6]
    total_row = next(row for row in sheet.iter_rows() if row[0].value == "Tổng cộng")
    assert total_row[10].number_format == "0.0%" and total_row[1].number_format == "#,##0"
    assert total_row[0].font.bold
    (chart,) = sheet._charts  # openpyxl keeps the charts it read there
    assert len(chart.series) == 2 and chart.title is not None
    hours = book["Giờ cao điểm"]
    assert [(r[0].value, r[1].value) for r in hours.iter_rows(min_row=5)] == [
        ("08:00–09:00", 3),
        ("09:00–10:00", 2),
        ("10:00–11:00", 1),
        ("11:00–12:00", 1),
        ("14:00–15:00", 2),
    ]
    assert len(hours._charts) == 1

    show(qtbot, page, Kind.SATISFACTION, Preset.LAST_MONTH)
    saving_to(monkeypatch, tmp_path / "hai-long.xlsx")
    with qtbot.waitSignal(page.exported, timeout=WAIT_MS):
        qtbot.mouseClick(page.xlsx_button, QtCore.Qt.MouseButton.LeftButton)
    book = openpyxl.load_workbook(tmp_path / "hai-long.xlsx")
    reasons = book["Lý do không hài lòng"]
    assert [(r[0].value, r[1].value) for r in reasons.iter_rows(min_row=5)] == [
        ("Trả kết quả chậm", 2),
        ("Thái độ chưa nhiệt tình", 1),
    ]
    (chart,) = book["Báo cáo"]._charts
    assert chart.grouping == "stacked"


def test_a_refused_or_failed_request_keeps_the_table(page, qtbot, server):
    show(qtbot, page, Kind.QUEUE, Preset.LAST_MONTH)
    before = table(page)
    page.choose(Kind.QUEUE, Preset.CUSTOM)
    assert page.start_edit.isEnabled()
    page.start_edit.setDate(QtCore.QDate(2025, 1, 1))  # more than 366 days
    with qtbot.waitSignal(page.failed, timeout=WAIT_MS) as refused:
        qtbot.mouseClick(page.show_button, QtCore.Qt.MouseButton.LeftButton)
    assert refused.args == ["Không xem được báo cáo: Mỗi báo cáo tối đa 366 ngày."]
    assert page.message.text() == refused.args[0]
    assert table(page) == before and page.show_button.isEnabled() and not page.progress.isVisible()
    assert page.pdf_button.isEnabled()  # the table shown may still be exported

    server.stop()
    page.choose(Kind.QUEUE, Preset.LAST_MONTH)
    with qtbot.waitSignal(page.failed, timeout=WAIT_MS) as failed:
        qtbot.mouseClick(page.show_button, QtCore.Qt.MouseButton.LeftButton)
    assert failed.args[0].startswith("Không xem được báo cáo: Không kết nối được máy chủ.")
    assert table(page) == before
