"""The page every form is laid out on (A4, 2 cm margins) and the blocks they share: the
issuing-unit and national-motto header, the place-and-date line, the signature blocks."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from PySide6 import QtCore, QtGui

from counter_app.forms import values
from qtkit import theme

# Documents are laid out at this resolution whatever they are printed on; the printer's
# painter scales. A fixed device keeps the layout the same on every counter PC, whatever its
# screen DPI, and 300 is fine enough that rounded glyph positions do not show.
LAYOUT_DPI = 300
MM_PER_INCH = 25.4
A4_MM = (210.0, 297.0)
MARGIN_MM = 20.0
BODY_PT = 11.5
INDENT_MM = 10
SIGNATURE_GAP_LINES = 4  # room to sign between the role and the printed name
UNIT_LINE_CHARS = 26  # a longer unit name is set on two balanced lines
LANDSCAPE_PROPERTY = "formLandscape"

WORD_JOINER = "\u2060"  # invisible, forbids a line break; DejaVu Sans has it

_layout_device: QtGui.QImage | None = None


@dataclasses.dataclass(frozen=True)
class FormContext:
    """Who issues the forms, and where."""

    parent_unit: str = "UBND TỈNH PHÚ THỌ"  # the issuing unit's superior, upper case
    unit: str = "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"  # the issuing unit (centre name), shown upper case
    place: str = "Phú Thọ"  # for "Phú Thọ, ngày 27 tháng 11 năm 2026"
    officer_name: str = ""  # the receiving/guiding officer
    officer_phone: str = ""
    centre_phone: str = ""
    centre_address: str = ""
    issued_on: dt.date | None = None  # the date of Mẫu 02-04 and the book; None: today
    server: str = ""  # the server's address: the receipt's QR opens the dossier's page there

    def status_link(self, dossier: dict[str, Any]) -> str:
        """What the receipt's QR holds: the citizen's page of the dossier (its code is in the
        link, so counters and kiosks scanning it still find the code); the bare code when
        the server or the dossier's token is not known."""
        token = dossier.get("public_token")
        if not (self.server and token):
            return str(dossier["code"])
        return f"{self.server.rstrip('/')}/tra-cuu/ho-so/{dossier['code']}/{token}"


def mm(length: float) -> float:
    """Millimetres in the pixels of HTML lengths (widths, margins, padding).

    Qt's text layout reads those as pixels of the default DPI and scales them to the layout
    device, so a length in millimetres depends on the default DPI, which is the screen's."""
    return length * _default_dpi() / MM_PER_INCH


def _default_dpi() -> float:
    # The same value as Qt's qt_defaultDpiY(), which QTextDocumentLayout scales lengths by.
    app = QtGui.QGuiApplication.instance()
    if app is not None and app.testAttribute(QtCore.Qt.ApplicationAttribute.AA_Use96Dpi):
        return 96.0
    screen = QtGui.QGuiApplication.primaryScreen()
    return float(round(screen.logicalDotsPerInchY())) if screen is not None else 100.0


def page_size(*, landscape: bool) -> QtCore.QSizeF:
    """A4 in layout-device pixels (page sizes, unlike HTML lengths, are not scaled)."""
    width, height = (A4_MM[1], A4_MM[0]) if landscape else A4_MM
    scale = LAYOUT_DPI / MM_PER_INCH
    return QtCore.QSizeF(width * scale, height * scale)


def is_landscape(document: QtGui.QTextDocument) -> bool:
    return bool(document.property(LANDSCAPE_PROPERTY))


def set_orientation(document: QtGui.QTextDocument, *, landscape: bool) -> None:
    """Lay the document out again on an A4 page of this orientation."""
    document.setProperty(LANDSCAPE_PROPERTY, landscape)
    document.setPageSize(page_size(landscape=landscape))


def _device() -> QtGui.QImage:
    # QImage reports its DPI as round(dots_per_metre * 0.0254): 11811 gives exactly 300.
    global _layout_device  # noqa: PLW0603 - one device shared by every document, made lazily
    if _layout_device is None:
        image = QtGui.QImage(1, 1, QtGui.QImage.Format.Format_RGB32)
        dots_per_metre = round(LAYOUT_DPI / MM_PER_INCH * 1000)
        image.setDotsPerMeterX(dots_per_metre)
        image.setDotsPerMeterY(dots_per_metre)
        _layout_device = image
    return _layout_device


def new_document(*, landscape: bool = False) -> QtGui.QTextDocument:
    """An empty A4 document in DejaVu Sans (which has every Vietnamese letter)."""
    theme.load_fonts()
    document = QtGui.QTextDocument()
    document.documentLayout().setPaintDevice(_device())
    font = QtGui.QFont(theme.FONT_FAMILY)
    font.setPointSizeF(BODY_PT)
    document.setDefaultFont(font)
    option = document.defaultTextOption()
    option.setUseDesignMetrics(True)  # unhinted advances: the same line breaks on every device
    document.setDefaultTextOption(option)
    document.setDocumentMargin(mm(MARGIN_MM))
    set_orientation(document, landscape=landscape)
    return document


def add_image(document: QtGui.QTextDocument, name: str, image: QtGui.QImage) -> str:
    """Register an image with the document; returns the src to use in its HTML."""
    url = f"form-image:{name}"
    document.addResource(QtGui.QTextDocument.ResourceType.ImageResource, QtCore.QUrl(url), image)
    return url


def rule(document: QtGui.QTextDocument, width_mm: float) -> str:
    """A short centred line, as printed under the unit name and under the motto."""
    image = QtGui.QImage(8, 1, QtGui.QImage.Format.Format_RGB32)
    image.fill(QtGui.QColor("black"))
    src = add_image(document, "rule", image)
    return (
        f'<p align="center" style="margin-top:{mm(2):.0f}px; margin-bottom:{mm(1.5):.0f}px">'
        f'<img src="{src}" width="{mm(width_mm):.0f}" height="{mm(0.25):.0f}"></p>'
    )


def header(document: QtGui.QTextDocument, context: FormContext, number: str | None) -> str:
    """Unit block (left) and national motto (right), with the place-and-date line under it."""
    left = unit_block(document, context)
    if number:
        left += f'<p align="center" style="margin:0">Số: {number}</p>'
    right = (
        '<p align="center" style="margin:0"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b></p>'
        '<p align="center" style="margin:0"><b>Độc lập - Tự do - Hạnh phúc</b></p>' + rule(document, 55)
    )
    return (
        '<table width="100%" cellspacing="0" cellpadding="0" style="font-size:10pt"><tr>'
        f'<td width="45%" valign="top">{left}</td><td width="55%" valign="top">{right}</td>'
        "</tr></table>"
    )


def balanced(text: str) -> str:
    """Escaped text, broken at the space nearest its middle when it is long (a unit name on
    two lines of about the same length, the way the header of an official letter is set)."""
    if len(text) <= UNIT_LINE_CHARS or " " not in text:
        return values.esc(text)
    middle = len(text) / 2
    cut = min((i for i, char in enumerate(text) if char == " "), key=lambda i: abs(i - middle))
    return f"{values.esc(text[:cut])}<br>{values.esc(text[cut + 1 :])}"


def unit_block(document: QtGui.QTextDocument, context: FormContext) -> str:
    """Parent unit, unit (bold) and a short rule under it."""
    return (
        f'<p align="center" style="margin:0">{values.esc(context.parent_unit.upper())}</p>'
        f'<p align="center" style="margin:0"><b>{balanced(context.unit.upper())}</b></p>' + rule(document, 25)
    )


def date_line(place: str, day: dt.date) -> str:
    """The italic place-and-date line, on the right under the motto."""
    return (
        '<table width="100%" cellspacing="0" cellpadding="0"><tr><td width="45%"></td>'
        f'<td width="55%" align="center"><p align="center" style="margin-top:{mm(1):.0f}px">'
        f"<i>{values.esc(values.vn_date_line(place, day))}</i></p></td></tr></table>"
    )


def title(text: str, subtitle: str = "") -> str:
    sub = f'<p align="center" style="margin:0"><i>{subtitle}</i></p>' if subtitle else ""
    return (
        f'<p align="center" style="margin-top:{mm(6):.0f}px; margin-bottom:0; font-size:13pt">'
        f"<b>{text}</b></p>{sub}"
        f'<p style="margin:0; font-size:6pt">&nbsp;</p>'
    )


def signature_cell(role: str, name: str, *, note: str = "(Ký và ghi rõ họ tên)") -> str:
    # One paragraph (lines joined by <br>): with finish()'s non-breakable lines a signature
    # block never starts on one page and ends on the next.
    gap = "<br>&nbsp;" * SIGNATURE_GAP_LINES
    shown = values.esc(name) if name else "&nbsp;"
    return f'<p align="center" style="margin:0"><b>{role}</b><br><i>{note}</i>{gap}<br><b>{shown}</b></p>'


def finish(
    document: QtGui.QTextDocument, html: str, *, title: str, signatures: bool = True
) -> QtGui.QTextDocument:
    """Set the form's HTML and title; start the signature blocks (the last table) on a new
    page rather than split them over two."""
    document.setHtml(html)
    document.setMetaInformation(QtGui.QTextDocument.MetaInformation.DocumentTitle, title)
    tables = [frame for frame in document.rootFrame().childFrames() if isinstance(frame, QtGui.QTextTable)]
    for table in tables:
        if table.format().border() > 0:  # the ruled tables of papers and of the book
            _keep_rows_whole(document, table)
    if signatures and tables and _straddles(document, tables[-1]):
        table_format = tables[-1].format()
        table_format.setPageBreakPolicy(QtGui.QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
        tables[-1].setFormat(table_format)
    return document


def _keep_rows_whole(document: QtGui.QTextDocument, table: QtGui.QTextTable) -> None:
    """Qt splits a table row over two pages line by line. A row that would be split gets a
    top padding just past the bottom of the page's text area: Qt then starts its text on the
    next page, under the heading rows it repeats there."""
    layout = document.documentLayout()
    page_height = document.pageSize().height()
    to_device = LAYOUT_DPI / _default_dpi()  # margins and padding are kept in unscaled pixels
    bottom_margin = document.rootFrame().frameFormat().bottomMargin() * to_device
    for row in range(table.format().headerRowCount(), table.rows()):
        top, bottom = _row_span(layout, table, row)
        text_bottom = (int(top // page_height) + 1) * page_height - bottom_margin
        if bottom <= text_bottom or bottom - top > page_height / 2:
            continue
        for column in range(table.columns()):
            # Cell padding, not the margin of the cell's first block: Qt ignores that one.
            cell = table.cellAt(row, column)
            cell_format = cell.format().toTableCellFormat()
            padding = cell_format.topPadding() or table.format().cellPadding()
            cell_format.setTopPadding(padding + (text_bottom - top) / to_device)
            cell.setFormat(cell_format)


def _row_span(
    layout: QtGui.QAbstractTextDocumentLayout, table: QtGui.QTextTable, row: int
) -> tuple[float, float]:
    cells = [table.cellAt(row, column) for column in range(table.columns())]
    top = min(layout.blockBoundingRect(cell.firstCursorPosition().block()).top() for cell in cells)
    bottom = max(layout.blockBoundingRect(cell.lastCursorPosition().block()).bottom() for cell in cells)
    return top, bottom


def _straddles(document: QtGui.QTextDocument, frame: QtGui.QTextFrame) -> bool:
    rect = document.documentLayout().frameBoundingRect(frame)
    page_height = document.pageSize().height()
    return int(rect.top() // page_height) != int((rect.bottom() - 1) // page_height)


def signatures(left: str, right: str) -> str:
    """Two signature blocks side by side (the right one alone when ``left`` is empty)."""
    return (
        f'<table width="100%" cellspacing="0" cellpadding="0" style="margin-top:{mm(5):.0f}px"><tr>'
        f'<td width="50%" valign="top">{left}</td><td width="50%" valign="top">{right}</td>'
        "</tr></table>"
    )


def line(label: str, value: object, *, bold_value: bool = False) -> str:
    """One ``Label: value`` line of a form body."""
    shown = values.esc(value)
    shown = f"<b>{shown}</b>" if bold_value else shown
    return f'<p style="margin-top:{mm(1):.0f}px; margin-bottom:0">{label}: {shown}</p>'


def nowrap(html: str) -> str:
    """Keep a short run on one line (a time with its date)."""
    return f'<span style="white-space:nowrap">{html}</span>'


def para(text: str, *, indent: bool = False) -> str:
    """A paragraph; ``indent``: a justified one with its first line indented, as in a letter."""
    # text-indent, unlike the other lengths, is taken in layout-device pixels, unscaled.
    first_line = f"; text-indent:{INDENT_MM * LAYOUT_DPI / MM_PER_INCH:.0f}px" if indent else ""
    align = "justify" if indent else "left"
    text = text.replace("Ông/Bà", f"Ông/{WORD_JOINER}Bà")  # Qt would break a line after the "/"
    return f'<p align="{align}" style="margin-top:{mm(1):.0f}px; margin-bottom:0{first_line}">{text}</p>'


def papers_table(
    rows: list[tuple[object, ...]],
    headings: tuple[str, ...],
    widths: tuple[int, ...],
    *,
    left: tuple[int, ...] = (1,),
) -> str:
    """A ruled table of papers: STT, name, kind, copies (and a note on Mẫu 02)."""
    head = "".join(
        f'<th width="{w}%" align="center" bgcolor="#eeeeee">{h}</th>'
        for h, w in zip(headings, widths, strict=True)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td align="{"left" if i in left else "center"}">{values.esc(cell)}</td>'
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    pad = mm(1.2)
    return (
        f'<table width="100%" border="1" cellspacing="0" cellpadding="{pad:.0f}" '
        f'style="border-collapse:collapse; border-color:#000000; margin-top:{mm(1):.0f}px; font-size:10.5pt">'
        f"<thead><tr>{head}</tr></thead>{body}</table>"
    )
