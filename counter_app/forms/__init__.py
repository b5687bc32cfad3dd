"""The one-stop counter's legal forms as Qt text documents, to PDF or to a printer.

Mẫu 01 (receipt and appointment), 02 (request to supplement), 03 (refusal), 04 (apology and
new date) and the tracking book (Sổ theo dõi hồ sơ), each drawn from one HTML template in the
rich-text subset QTextDocument understands (domain.md, "The forms"). A document is laid out for
an A4 page with 2 cm margins; ``save_pdf`` and ``print_document`` paint the same pages on a
QPdfWriter or a QPrinter. A QGuiApplication must exist before any of them is called.
"""

from __future__ import annotations

from counter_app.forms.book import tracking_book, tracking_book_xlsx
from counter_app.forms.letters import extension, receipt, refusal, supplement_request
from counter_app.forms.output import print_document, save_pdf
from counter_app.forms.page import FormContext

__all__ = [
    "FormContext",
    "extension",
    "print_document",
    "receipt",
    "refusal",
    "save_pdf",
    "supplement_request",
    "tracking_book",
    "tracking_book_xlsx",
]
