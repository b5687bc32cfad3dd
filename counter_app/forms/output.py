"""Painting a form's pages on a PDF writer or a printer: A4, whole page, copies repeated."""

from __future__ import annotations

import pathlib

from PySide6 import QtCore, QtGui, QtPrintSupport

from counter_app.forms import page


class PrintError(RuntimeError):
    """The PDF file or the printer could not be painted on."""


def _page_layout(*, landscape: bool) -> QtGui.QPageLayout:
    # No device margins: the document carries its own 2 cm, so the page looks the same on
    # paper as in the PDF (a printer's unprintable edge is far narrower than 2 cm).
    orientation = (
        QtGui.QPageLayout.Orientation.Landscape if landscape else QtGui.QPageLayout.Orientation.Portrait
    )
    return QtGui.QPageLayout(
        QtGui.QPageSize(QtGui.QPageSize.PageSizeId.A4), orientation, QtCore.QMarginsF(0, 0, 0, 0)
    )


def save_pdf(
    document: QtGui.QTextDocument, path: pathlib.Path, *, copies: int = 1, landscape: bool = False
) -> pathlib.Path:
    """Write the document to a PDF, its pages ``copies`` times over (the receipt: 2).

    ``landscape`` turns the page even if the document was made for portrait (the tracking book
    is made landscape already)."""
    landscape = landscape or page.is_landscape(document)
    if landscape != page.is_landscape(document):
        page.set_orientation(document, landscape=landscape)
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = QtGui.QPdfWriter(str(path))
    writer.setResolution(600)
    writer.setCreator("phutho-onestop-qms")
    writer.setTitle(document.metaInformation(QtGui.QTextDocument.MetaInformation.DocumentTitle))
    writer.setPageLayout(_page_layout(landscape=landscape))
    _paint(document, writer, copies=copies)
    return path


def print_document(
    document: QtGui.QTextDocument, printer: QtPrintSupport.QPrinter, *, copies: int = 1
) -> None:
    """Print on a printer as set up by the caller (a QPrintDialog, or PdfFormat output).

    The page is set to A4 in the document's orientation; the printer's own copy count (from
    its dialog) still applies on top of ``copies``."""
    printer.setFullPage(True)
    printer.setPageLayout(_page_layout(landscape=page.is_landscape(document)))
    _paint(document, printer, copies=copies)


def _paint(document: QtGui.QTextDocument, device: QtGui.QPagedPaintDevice, *, copies: int) -> None:
    if copies < 1:
        raise ValueError(f"copies must be at least 1, not {copies}")
    painter = QtGui.QPainter()
    if not painter.begin(device):
        raise PrintError("cannot paint on the PDF file or the printer")
    try:
        scale = device.logicalDpiX() / page.LAYOUT_DPI
        size = document.pageSize()
        for copy in range(copies):
            for number in range(document.pageCount()):
                if copy or number:
                    device.newPage()
                _paint_page(document, painter, number, size, scale)
    finally:
        painter.end()


def _paint_page(
    document: QtGui.QTextDocument, painter: QtGui.QPainter, number: int, size: QtCore.QSizeF, scale: float
) -> None:
    painter.save()
    painter.scale(scale, scale)
    top = number * size.height()
    painter.translate(0, -top)
    document.drawContents(painter, QtCore.QRectF(0, top, size.width(), size.height()))
    painter.restore()
