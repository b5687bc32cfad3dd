"""A report as a PDF (A4 landscape: title, centre, period, table, charts, export date) and as a
spreadsheet (a title block, the table with number formats and a native chart; busiest hours or
the reasons of the dissatisfied on a second sheet)."""

from __future__ import annotations

import datetime as dt
import pathlib
from typing import Any

# No type stubs for openpyxl in the environment (types-openpyxl is not a dependency).
import openpyxl  # type: ignore[import-untyped]
import openpyxl.chart  # type: ignore[import-untyped]
import openpyxl.styles  # type: ignore[import-untyped]
import openpyxl.utils  # type: ignore[import-untyped]
from PySide6 import QtCore, QtGui

from counter_app import forms
from counter_app.forms import page, values
from counter_app.reports import charts, model
from onestop import exports, formatting

TEXT_MM = 257  # A4 landscape less the 2 cm margins
CHART_HEIGHT_MM = 78  # with a short table, table and charts share the first page
CHART_GAP_MM = 4
PX_PER_MM = 10  # charts are painted at about 250 dpi
FIRST_COLUMN = 20  # % of the table's width for the names


def exported_line(now: dt.datetime) -> str:
    return f"Ngày xuất: {formatting.date_time(now)}"


def heading_lines(report: model.Report) -> list[str]:
    """Under the title: the centre, the period, how rows are grouped."""
    lines = [report.centre_name] if report.centre_name else []
    lines.append(f"Thời gian: {report.query.period_text()}")
    lines.append(f"Theo: {report.query.group_name()}")
    if report.note:
        lines.append(report.note)
    return lines


# ---------------------------------------------------------------- PDF


def pdf(report: model.Report, path: pathlib.Path, *, now: dt.datetime) -> pathlib.Path:
    """The report on A4 landscape pages."""
    document = page.new_document(landscape=True)
    font = document.defaultFont()
    font.setPointSizeF(10)
    document.setDefaultFont(font)
    lines = "".join(
        f'<p align="center" style="margin:0"><i>{values.esc(line)}</i></p>' for line in heading_lines(report)
    )
    body = [
        page.title(values.esc(report.title)),
        lines,
        _spacer(),
        _table(report.headers(), report.text_rows()),
    ]
    if report.charts:
        body.append(_charts(document, report.charts))
    if report.extra_title:
        extra = [[name, model.integer(count)] for name, count in report.extra_rows]
        body.append(f'<p style="margin:0; font-size:4pt">&nbsp;</p>{_extra_table(report, extra)}')
    body.append(f'<p align="right" style="margin-top:{page.mm(4):.0f}px"><i>{exported_line(now)}</i></p>')
    title = f"{report.title} {report.query.period_text()}"
    page.finish(document, "".join(body), title=title, signatures=False)
    return forms.save_pdf(document, path)


def _charts(document: QtGui.QTextDocument, specs: list[model.Chart]) -> str:
    """The charts side by side, across the page."""
    width = (TEXT_MM - CHART_GAP_MM * (len(specs) - 1)) / len(specs)
    size = QtCore.QSize(round(width * PX_PER_MM), CHART_HEIGHT_MM * PX_PER_MM)
    cells = []
    for number, spec in enumerate(specs):
        src = page.add_image(document, f"chart-{number}", charts.image(spec, size, font_px=26))
        cells.append(
            f'<td align="center"><img src="{src}" width="{page.mm(width):.0f}" '
            f'height="{page.mm(CHART_HEIGHT_MM):.0f}"></td>'
        )
    return (
        f'<table width="100%" cellspacing="{page.mm(CHART_GAP_MM):.0f}" cellpadding="0" '
        f'style="margin-top:{page.mm(3):.0f}px"><tr>{"".join(cells)}</tr></table>'
    )


def _extra_table(report: model.Report, rows: list[list[str]]) -> str:
    """Busiest hours or reasons: half the page wide, its title in the heading rows (so it
    never stands alone at the foot of a page)."""
    name, count = (values.esc(h) for h in report.extra_headers)
    body = "".join(
        f'<tr><td>{values.esc(text)}</td><td align="right">{values.esc(number)}</td></tr>'
        for text, number in rows or [["Không có", ""]]
    )
    return (
        f'<table width="60%" border="1" cellspacing="0" cellpadding="{page.mm(1):.0f}" '
        'style="border-collapse:collapse; border-color:#000000; font-size:9pt"><thead>'
        f'<tr><th colspan="2" align="left">{values.esc(report.extra_title)}</th></tr>'
        f'<tr><th width="80%" bgcolor="#eeeeee">{name}</th>'
        f'<th width="20%" bgcolor="#eeeeee">{count}</th></tr>'
        f"</thead>{body}</table>"
    )


def _spacer() -> str:
    return '<p style="margin:0; font-size:6pt">&nbsp;</p>'


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [f' width="{FIRST_COLUMN}%"', *([""] * (len(headers) - 1))]
    size = 8.5 if len(headers) > 9 else 9.5  # the queue's eleven columns fit a narrower type
    head = "".join(
        f'<th align="center" bgcolor="#eeeeee"{width}>{values.esc(h)}</th>'
        for h, width in zip(headers, widths, strict=True)
    )
    body = []
    for index, row in enumerate(rows):
        bold = index == len(rows) - 1
        cells = "".join(
            f'<td align="{"left" if column == 0 else "right"}">'
            f"{'<b>' if bold else ''}{values.esc(cell)}{'</b>' if bold else ''}</td>"
            for column, cell in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        f'<table width="100%" border="1" cellspacing="0" cellpadding="{page.mm(1):.0f}" '
        f'style="border-collapse:collapse; border-color:#000000; font-size:{size}pt">'
        f"<thead><tr>{head}</tr></thead>{''.join(body)}</table>"
    )


# ---------------------------------------------------------------- spreadsheet

_BOLD = openpyxl.styles.Font(bold=True)
_THIN = openpyxl.styles.Side(style="thin", color="000000")
_BORDER = openpyxl.styles.Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = openpyxl.styles.PatternFill("solid", fgColor="EEEEEE")


def xlsx(report: model.Report, path: pathlib.Path, *, now: dt.datetime) -> pathlib.Path:
    """The report as a workbook: the table with its chart, and the second table on its own sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "Báo cáo"
    width = len(report.columns) + 1
    for line in [report.title, *heading_lines(report), exported_line(now)]:
        sheet.append([line])
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=width)
        sheet.cell(sheet.max_row, 1).alignment = openpyxl.styles.Alignment(horizontal="center")
    sheet.cell(1, 1).font = openpyxl.styles.Font(bold=True, size=14)
    sheet.append([])
    head_row = sheet.max_row + 1
    _head(sheet, report.headers())
    for row in [*report.rows, report.total]:
        sheet.append([row["name"], *(column.format.cell(row.get(column.field)) for column in report.columns)])
        for cell, column in zip(sheet[sheet.max_row][1:], report.columns, strict=True):
            cell.number_format = column.format.excel
    for cell in sheet[sheet.max_row]:
        cell.font = _BOLD
    _frame(sheet, head_row)
    sheet.column_dimensions["A"].width = 40
    for index in range(2, width + 1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = 16
    sheet.freeze_panes = sheet.cell(head_row + 1, 2)
    main = [spec for spec in report.charts if not spec.from_extra]
    if main and report.rows:
        fields = [column.field for column in report.columns]
        sheet.add_chart(
            _bar_chart(main[0], sheet, head_row, len(report.rows), fields), f"A{sheet.max_row + 3}"
        )
    _setup_print(sheet)
    if report.extra_title:
        _extra_sheet(book, report)
    exports.keep_book_text(book)  # a name or a reason starting with "=" stays text, not a formula
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _head(sheet: Any, headers: list[str]) -> None:
    sheet.append(headers)
    for cell in sheet[sheet.max_row]:
        cell.font, cell.fill = _BOLD, _HEAD_FILL
        cell.alignment = openpyxl.styles.Alignment(horizontal="center", vertical="center", wrap_text=True)


def _frame(sheet: Any, head_row: int) -> None:
    for row in sheet.iter_rows(min_row=head_row, max_row=sheet.max_row):
        for cell in row:
            cell.border = _BORDER


def _bar_chart(spec: model.Chart, sheet: Any, head_row: int, count: int, fields: list[str]) -> Any:
    """A native chart over the table's columns (the total row left out)."""
    made = openpyxl.chart.BarChart()
    made.type, made.title = "col", spec.title
    made.y_axis.title = spec.axis_title
    made.height, made.width = 9, 24
    if spec.stacked:
        made.grouping, made.overlap = "stacked", 100
    for series in spec.series:
        column = fields.index(series.field) + 2
        data = openpyxl.chart.Reference(sheet, min_col=column, min_row=head_row, max_row=head_row + count)
        made.add_data(data, titles_from_data=True)
        made.series[-1].graphicalProperties.solidFill = series.color.lstrip("#")
    made.set_categories(
        openpyxl.chart.Reference(sheet, min_col=1, min_row=head_row + 1, max_row=head_row + count)
    )
    return made


def _extra_sheet(book: Any, report: model.Report) -> None:
    sheet = book.create_sheet(report.extra_title[:31])  # Excel allows 31 characters
    sheet.append([report.extra_title])
    sheet.cell(1, 1).font = openpyxl.styles.Font(bold=True, size=13)
    sheet.append([f"Thời gian: {report.query.period_text()}"])
    sheet.append([])
    head_row = sheet.max_row + 1
    _head(sheet, list(report.extra_headers))
    for name, count in report.extra_rows:
        sheet.append([name, count])
        sheet.cell(sheet.max_row, 2).number_format = model.Format.INTEGER.excel
    _frame(sheet, head_row)
    sheet.column_dimensions["A"].width = 60 if report.query.kind is model.Kind.SATISFACTION else 18
    sheet.column_dimensions["B"].width = 12
    extra = [spec for spec in report.charts if spec.from_extra]
    if extra and report.extra_rows:
        made = _bar_chart(extra[0], sheet, head_row, len(report.extra_rows), ["issued"])
        sheet.add_chart(made, "D2")


def _setup_print(sheet: Any) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
