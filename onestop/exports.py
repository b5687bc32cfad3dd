"""What leaves the house as files other programs open: spreadsheet cells and file names.

A citizen's name, a rating reason or a procedure name is typed by someone outside the office.
Written into a spreadsheet as it is, ``=HYPERLINK("http://…"&E6,"Xem")`` becomes a live formula
on the supervisor's PC (CSV or formula injection): Excel and LibreOffice read a cell that starts
with ``=``, ``+``, ``-`` or ``@`` (or a tab or CR before one of them) as a formula. Every such
text is written as text (OWASP's advice). Numbers stay numbers: ``-5`` the number is no threat.

A dossier code names the receipt's file at the counter; a code that arrived with ``/`` or
``..`` in it must not name a file anywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    """True for a text a spreadsheet would take for a formula; False for numbers and the rest."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_text(text: str) -> str:
    """A text for a CSV cell: a single quote before one a spreadsheet would run as a formula."""
    return "'" + text if is_formula_like(text) else text


class Cell(Protocol):
    """A spreadsheet cell as openpyxl has it (kept duck-typed: the domain imports no library)."""

    value: Any
    data_type: str
    quotePrefix: bool  # noqa: N815 (openpyxl's name)


class Sheet(Protocol):
    def iter_rows(self) -> Iterator[tuple[Any, ...]]: ...


class Book(Protocol):
    @property
    def worksheets(self) -> Iterable[Sheet]: ...


def keep_text(cells: Iterable[Cell]) -> None:
    """Make each formula-like text a text cell ("s"), shown with Excel's quote prefix so that it
    stays text when someone edits the cell. openpyxl takes a text starting with ``=`` for a
    formula ("f") when it is assigned; this undoes that."""
    for cell in cells:
        if is_formula_like(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True


def keep_book_text(book: Book) -> None:
    """keep_text over every cell of every sheet: the last step before a workbook is saved, so
    no writer can forget a cell (none of ours writes a formula on purpose)."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            keep_text(row)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_part(text: str, *, fallback: str = "tep") -> str:
    """``text`` made safe as (part of) a file name in any folder: only ASCII letters, digits and
    ``. _ -``, runs of anything else (a ``/``, a space, a letter with marks) as one ``-``; no
    leading dot or dash and never ``.`` or ``..``; ``fallback`` when nothing is left."""
    part = _UNSAFE.sub("-", text).lstrip(".-").rstrip("-")
    return part[:120] or fallback
