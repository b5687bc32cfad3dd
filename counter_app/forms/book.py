"""Sổ theo dõi hồ sơ (the tracking book): a landscape table for print, and the same as XLSX."""

from __future__ import annotations

import datetime as dt
import pathlib
from typing import Any

# No type stubs for openpyxl in the environment (types-openpyxl is not a dependency).
import openpyxl  # type: ignore[import-untyped]
import openpyxl.styles  # type: ignore[import-untyped]
import openpyxl.utils  # type: ignore[import-untyped]
from PySide6 import QtGui

from counter_app.forms import page, values
from counter_app.forms.page import FormContext
from onestop import exports, formatting

TITLE = "SỔ THEO DÕI HỒ SƠ"
# (heading, share of the page width in %, width in the spreadsheet in characters)
COLUMNS = (
    ("STT", 4, 6),
    ("Mã hồ sơ", 16, 28),
    ("Tên thủ tục hành chính", 13, 40),
    ("Tên tổ chức, cá nhân", 10, 26),
    ("Địa chỉ, số điện thoại", 11, 34),
    ("Cơ quan chủ trì giải quyết", 8, 24),
    ("Nhận hồ sơ", 7, 18),
    ("Hẹn trả kết quả", 7, 18),
    ("Trả kết quả", 7, 18),
    ("Phương thức trả kết quả", 7, 22),
    ("Ký nhận", 4, 14),
    ("Ghi chú", 6, 20),
)


def rows(dossiers: list[dict[str, Any]], *, start: dt.date, end: dt.date) -> list[list[str]]:
    """One row per dossier received from ``start`` to ``end`` (inclusive), in order received."""
    dated = [(values.moment(d.get("received_at")), d) for d in dossiers]
    chosen = sorted(
        ((when, d) for when, d in dated if when is not None and start <= when.date() <= end),
        key=lambda pair: (pair[0], pair[1].get("code", "")),
    )
    return [_row(number, d) for number, (_, d) in enumerate(chosen, start=1)]


def _row(number: int, dossier: dict[str, Any]) -> list[str]:
    person = values.applicant(dossier)
    contact = ", ".join(str(part) for part in (person.get("address"), person.get("phone")) if part)
    returned = values.return_name(dossier.get("return_method")) or ""
    if dossier.get("returned_to"):
        returned += f" ({dossier['returned_to']})"
    note = "; ".join(
        part
        for part in (dossier.get("status_name"), values.timeliness_name(dossier.get("timeliness")))
        if part
    )
    return [
        str(number),
        dossier.get("code", ""),
        dossier.get("procedure_name", ""),
        person.get("full_name", ""),
        contact,
        dossier.get("agency_name", ""),
        values.date_time(dossier.get("received_at")) or "",
        values.date_time(dossier.get("due_at")) or "",
        values.date_time(dossier.get("returned_at")) or "",
        returned if dossier.get("returned_at") else "",
        "",  # signed by hand when the result is collected
        note,
    ]


def _period(start: dt.date, end: dt.date, field_name: str) -> list[str]:
    lines = [f"Lĩnh vực: {field_name}"] if field_name else []
    lines.append(f"Từ ngày {formatting.date(start)} đến ngày {formatting.date(end)}")
    return lines


def tracking_book(
    dossiers: list[dict[str, Any]],
    context: FormContext,
    *,
    start: dt.date,
    end: dt.date,
    field_name: str = "",
) -> QtGui.QTextDocument:
    """The tracking book for a period (and a field), as a landscape A4 table; the heading row
    repeats on every page."""
    document = page.new_document(landscape=True)
    unit = page.unit_block(document, context)
    period = "".join(
        f'<p align="center" style="margin:0"><i>{values.esc(text)}</i></p>'
        for text in _period(start, end, field_name)
    )
    body = [
        '<table width="100%" cellspacing="0" cellpadding="0" style="font-size:10pt">'
        f'<tr><td width="40%">{unit}</td><td width="60%"></td></tr></table>',
        page.title(TITLE),
        period,
        '<p style="margin:0; font-size:6pt">&nbsp;</p>',
        _table(rows(dossiers, start=start, end=end)),
    ]
    return page.finish(
        document,
        "".join(body),
        title=f"{TITLE} {formatting.date(start)}-{formatting.date(end)}",
        signatures=False,
    )


def _table(data: list[list[str]]) -> str:
    head = "".join(
        f'<th width="{share}%" align="center" bgcolor="#eeeeee">{name}</th>' for name, share, _ in COLUMNS
    )
    numbers = "".join(f'<td align="center"><i>({i})</i></td>' for i in range(1, len(COLUMNS) + 1))
    body = "".join("<tr>" + "".join(_cell(i, cell) for i, cell in enumerate(row)) + "</tr>" for row in data)
    return (
        f'<table width="100%" border="1" cellspacing="0" cellpadding="{page.mm(0.8):.0f}" '
        'style="border-collapse:collapse; border-color:#000000; font-size:7.5pt">'
        f"<thead><tr>{head}</tr><tr>{numbers}</tr></thead>{body}</table>"
    )


def _cell(column: int, text: str) -> str:
    align = "center" if column in (0, 6, 7, 8) else "left"
    shown = values.esc(text) if text else "&nbsp;"
    if column == 1:  # a dossier code broken over two lines is easy to misread
        shown = f'<span style="white-space:nowrap">{shown}</span>'
    return f'<td align="{align}" valign="top">{shown}</td>'


def tracking_book_xlsx(
    dossiers: list[dict[str, Any]], path: pathlib.Path, *, start: dt.date, end: dt.date, field_name: str = ""
) -> pathlib.Path:
    """The tracking book as a spreadsheet: title lines, the heading row, one row per dossier;
    set to print landscape on A4 with the heading row on every page."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "Sổ theo dõi hồ sơ"
    titles = [TITLE, *_period(start, end, field_name)]
    for text in titles:
        sheet.append([text])
        sheet.merge_cells(
            start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=len(COLUMNS)
        )
        sheet.cell(sheet.max_row, 1).alignment = openpyxl.styles.Alignment(horizontal="center")
    sheet.cell(1, 1).font = openpyxl.styles.Font(bold=True, size=14)
    sheet.append([name for name, _, _ in COLUMNS])
    heading_row = sheet.max_row
    for row in rows(dossiers, start=start, end=end):
        sheet.append(row)
    _style_sheet(sheet, heading_row)
    exports.keep_book_text(book)  # an applicant named "=HYPERLINK(…)" stays a name, not a formula
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _style_sheet(sheet: Any, heading_row: int) -> None:
    thin = openpyxl.styles.Side(style="thin", color="000000")
    border = openpyxl.styles.Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = openpyxl.styles.Alignment(wrap_text=True, vertical="top")
    for column, (_, _, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(column)].width = width
    for row in sheet.iter_rows(min_row=heading_row, max_row=sheet.max_row):
        for cell in row:
            cell.border, cell.alignment = border, wrap
    for cell in sheet[heading_row]:
        cell.font = openpyxl.styles.Font(bold=True)
        cell.alignment = openpyxl.styles.Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.freeze_panes = sheet.cell(heading_row + 1, 1)
    sheet.print_title_rows = f"{heading_row}:{heading_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
