"""Pictures of the first page of each printed form, for docs/screenshots/.

Builds the forms from the sample dossiers of the tests, saves each as PDF and renders the PDF's
first page at 110 dpi, offscreen. ``.venv/bin/python tools/form_screenshots.py [OUT_DIR]``
"""

from __future__ import annotations

import datetime as dt
import pathlib
import sys
import tempfile

import _offscreen  # noqa: F401 (Qt offscreen and the work tree on sys.path, before the imports below)
from PySide6 import QtCore, QtGui, QtPdf

from counter_app import forms
from tests.counter_app import test_forms

DPI = 110


def render_first_page(pdf: pathlib.Path, png: pathlib.Path) -> None:
    document = QtPdf.QPdfDocument()
    if document.load(str(pdf)) != QtPdf.QPdfDocument.Error.None_:
        raise RuntimeError(f"cannot read {pdf}")
    points = document.pagePointSize(0)
    size = QtCore.QSize(round(points.width() * DPI / 72), round(points.height() * DPI / 72))
    image = document.render(0, size)
    # The rendered page is transparent where nothing is drawn; paper is white.
    paper = QtGui.QImage(size, QtGui.QImage.Format.Format_RGB32)
    paper.fill(QtGui.QColor("white"))
    painter = QtGui.QPainter(paper)
    painter.drawImage(0, 0, image)
    painter.end()
    if not paper.save(str(png)):
        raise RuntimeError(f"cannot write {png}")


def documents() -> dict[str, QtGui.QTextDocument]:
    context = test_forms.CONTEXT
    dossier = test_forms.make_dossier
    supplement = dossier(
        supplement_items=[
            {
                "name": "Bản vẽ mặt bằng công trình",
                "kind": "original",
                "copies": 2,
                "note": "Có chữ ký của chủ đầu tư",
            },
            {"name": "Giấy chứng nhận quyền sử dụng đất", "kind": "certified_copy", "copies": 1},
        ],
        reason="Bản vẽ thiếu mặt cắt; giấy chứng nhận chưa được chứng thực.",
    )
    refused = dossier(
        reason="Thửa đất nằm trong quy hoạch mở rộng đường Hùng Vương, không được cấp phép xây dựng."
    )
    extended = dossier(
        original_due_at="2026-12-04T09:10:00+07:00",
        due_at="2026-12-11T15:30:00+07:00",
        extension_reason="Cần lấy ý kiến của Sở Nông nghiệp và Môi trường về ranh giới thửa đất.",
    )
    book = forms.tracking_book(
        test_forms.book_dossiers(),
        context,
        start=dt.date(2026, 11, 21),
        end=dt.date(2026, 11, 30),
        field_name="Xây dựng",
    )
    return {
        "form-01-receipt": forms.receipt(dossier(), context),
        "form-02-supplement": forms.supplement_request(supplement, context),
        "form-03-refusal": forms.refusal(refused, context),
        "form-04-extension": forms.extension(extended, context),
        "form-tracking-book": book,
    }


def main() -> None:
    out = (
        pathlib.Path(sys.argv[1])
        if len(sys.argv) > 1
        else pathlib.Path(__file__).resolve().parent.parent / "docs" / "screenshots"
    )
    out.mkdir(parents=True, exist_ok=True)
    app = QtGui.QGuiApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as scratch:
        for name, document in documents().items():
            pdf = forms.save_pdf(document, pathlib.Path(scratch) / f"{name}.pdf")
            render_first_page(pdf, out / f"{name}.png")
            print(out / f"{name}.png")
    del app


if __name__ == "__main__":
    main()
