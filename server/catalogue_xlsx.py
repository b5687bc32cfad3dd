"""The catalogue as a spreadsheet: one sheet per kind, Vietnamese headers, one object a row.

Columns are found by their header, so their order may change; choices (kind of paper, online
level, priority policy, yes/no) are written as Vietnamese words and read back as either
those words or the API's codes. Lists (a service's fields, a counter's services in calling
order) are codes separated by commas.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

# openpyxl ships no type hints (types-openpyxl is not a dependency): typed on our side.
import openpyxl  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

from onestop import exports, textfold
from server import catalogue
from server.catalogue import Entry, Invalid, SheetWhere

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 50_000


@dataclasses.dataclass(frozen=True)
class Column:
    key: str
    header: str
    type: str = "text"  # text, number, list, bool, time, or a CHOICES key
    width: int = 16


@dataclasses.dataclass(frozen=True)
class Sheet:
    title: str
    kind: str
    columns: tuple[Column, ...]
    parent: str | None = None  # the column naming the parent (not a field of the entry)

    @property
    def headers(self) -> dict[str, str]:
        return {c.key: c.header for c in self.columns}


CHOICES: dict[str, dict[str, str | None]] = {
    "paper": {"original": "Bản chính", "certified_copy": "Bản sao có chứng thực", "photocopy": "Bản chụp"},
    "online": {"toan_trinh": "Toàn trình", "mot_phan": "Một phần"},
    "policy": {"strict": "Ưu tiên tuyệt đối", "one_in_n": "Xen kẽ (1 số ưu tiên sau N số thường)"},
}
YES, NO = "Có", "Không"

SHEETS = (
    Sheet(
        "Cơ quan",
        "agencies",
        (
            Column("code", "Mã cơ quan"),
            Column("name", "Tên cơ quan", width=50),
            Column("id_code", "Mã định danh"),
        ),
    ),
    Sheet(
        "Lĩnh vực",
        "fields",
        (
            Column("code", "Mã lĩnh vực"),
            Column("name", "Tên lĩnh vực", width=40),
            Column("agency_code", "Mã cơ quan"),
        ),
        parent="agency_code",
    ),
    Sheet(
        "Thủ tục",
        "procedures",
        (
            Column("code", "Mã thủ tục"),
            Column("name", "Tên thủ tục", width=70),
            Column("field_code", "Mã lĩnh vực"),
            Column("processing_days", "Thời hạn giải quyết (ngày làm việc)", "number"),
            Column("fee", "Phí, lệ phí (đồng)", "number"),
            Column("fee_note", "Ghi chú phí, lệ phí", width=40),
            Column("online_level", "Mức độ trực tuyến", "online"),
            Column("sets", "Số bộ hồ sơ", "number"),
            Column("cutoff", "Giờ nhận muộn nhất trong ngày", "time"),
        ),
        parent="field_code",
    ),
    Sheet(
        "Giấy tờ",
        "documents",
        (
            Column("procedure_code", "Mã thủ tục"),
            Column("name", "Tên giấy tờ", width=70),
            Column("kind", "Loại bản", "paper", width=22),
            Column("copies", "Số bản", "number"),
        ),
        parent="procedure_code",
    ),
    Sheet(
        "Dịch vụ xếp hàng",
        "services",
        (
            Column("code", "Mã dịch vụ"),
            Column("name", "Tên dịch vụ", width=40),
            Column("letter", "Chữ cái"),
            Column("number_width", "Số chữ số", "number"),
            Column("priority_policy", "Cách gọi số ưu tiên", "policy", width=30),
            Column("priority_every", "Ưu tiên sau mỗi (số thường)", "number"),
            Column("default_service_minutes", "Thời gian phục vụ (phút)", "number"),
            Column("active", "Đang dùng", "bool"),
            Column("field_codes", "Các mã lĩnh vực", "list", width=40),
        ),
    ),
    Sheet(
        "Quầy",
        "counters",
        (
            Column("number", "Số quầy", "number"),
            Column("name", "Tên quầy", width=30),
            Column("agency_code", "Mã cơ quan"),
            Column("display_address", "Địa chỉ bảng số của quầy", "number"),
            Column("service_codes", "Các mã dịch vụ (theo thứ tự gọi)", "list", width=30),
        ),
    ),
    Sheet(
        "Nhóm ưu tiên", "priority-groups", (Column("code", "Mã nhóm"), Column("name", "Tên nhóm", width=40))
    ),
)
_BY_KIND = {sheet.kind: sheet for sheet in SHEETS}

# ---------------------------------------------------------------- writing


def rows_of(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The document as rows per sheet kind (a field row carries its agency code, and so on)."""
    rows: dict[str, list[dict[str, Any]]] = {sheet.kind: [] for sheet in SHEETS}
    for agency in doc["agencies"]:
        rows["agencies"].append(agency)
        for field in agency["fields"]:
            rows["fields"].append({**field, "agency_code": agency["code"]})
            for proc in field["procedures"]:
                rows["procedures"].append({**proc, "field_code": field["code"]})
                rows["documents"].extend({**d, "procedure_code": proc["code"]} for d in proc["documents"])
    rows["services"] = doc["services"]
    rows["counters"] = doc["counters"]
    rows["priority-groups"] = doc["priority_groups"]
    return rows


def _cell(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.type == "list":
        return ", ".join(value)
    if column.type == "bool":
        return YES if value else NO
    if column.type in CHOICES:
        return CHOICES[column.type].get(value, value)
    return value


def write(doc: dict[str, Any]) -> bytes:
    """The document (catalogue.export's shape) as an .xlsx file."""
    return write_rows(rows_of(doc))


def write_rows(rows: dict[str, list[dict[str, Any]]]) -> bytes:
    """Rows per sheet kind (see rows_of) as an .xlsx file."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet in SHEETS:
        page = book.create_sheet(sheet.title)
        page.append([c.header for c in sheet.columns])
        for item in rows.get(sheet.kind, []):
            page.append([_cell(c, item.get(c.key)) for c in sheet.columns])
        for index, column in enumerate(sheet.columns, start=1):
            letter = get_column_letter(index)
            page.column_dimensions[letter].width = column.width
            page.cell(1, index).font = Font(bold=True)
            if column.type in ("text", "list", "time"):
                for cell in page[letter][1:]:  # codes such as 1.001234 stay text when edited
                    cell.number_format = "@"
        page.freeze_panes = "A2"
    exports.keep_book_text(book)  # a name starting with "=" stays a name, not a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- reading


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _choice(column: Column, value: Any) -> str:
    wanted = textfold.fold(_text(value))
    for code, label in CHOICES[column.type].items():
        if wanted in (code, textfold.fold(label or "")):
            return code
    options = ", ".join(f"«{label}»" for label in CHOICES[column.type].values())
    raise ValueError(f"Giá trị «{_text(value)}» không hợp lệ; chọn một trong: {options}.")


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    folded = textfold.fold(_text(value))
    if folded in ("co", "x", "1", "true", "yes"):
        return True
    if folded in ("khong", "0", "false", "no"):
        return False
    raise ValueError(f"Ghi «{YES}» hoặc «{NO}».")


def _time(value: Any) -> str:
    if isinstance(value, dt.datetime):
        value = value.time()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return _text(value)


def _list(value: Any) -> list[str]:
    parts = _text(value).replace(";", ",").replace("\n", ",").split(",")
    return [part.strip() for part in parts if part.strip()]


_READERS = {"text": _text, "list": _list, "bool": _bool, "time": _time}


def _value(column: Column, value: Any) -> Any:
    """A cell as the entry's value; ValueError (Vietnamese) when it cannot be one."""
    if column.type in _READERS:
        return _READERS[column.type](value)
    if column.type in CHOICES:
        return _choice(column, value)
    return _number(value)


def _number(value: Any) -> Any:
    """A number cell as a number: the models take numbers only as numbers (strict), and a
    spreadsheet holds them as numbers, whole floats (5.0) or text ("5", "0,5" as a Vietnamese
    writes a half). Anything else is left for the model to refuse, naming the cell."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, str):
        return value
    text = value.strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+[.,]\d+", text):
        return float(text.replace(",", "."))
    return text


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_map(sheet: Sheet, header: tuple[Any, ...]) -> dict[str, int]:
    found = {textfold.nfc(_text(h)): i for i, h in enumerate(header) if not _blank(h)}
    missing = [c.header for c in sheet.columns if c.header not in found]
    if missing:
        raise Invalid(
            [
                SheetWhere(sheet.title, 1, {"_": h}).problem(("_",), "Thiếu cột này ở dòng tiêu đề.")
                for h in missing
            ]
        )
    return {c.key: found[c.header] for c in sheet.columns}


@dataclasses.dataclass
class _Row:
    number: int
    values: dict[str, Any]
    where: SheetWhere
    parent: str | None


def _read(sheet: Sheet, page: Any, problems: list[dict[str, Any]]) -> Iterator[_Row]:
    lines = page.iter_rows(values_only=True)
    header = next(lines, None)
    if header is None:
        return
    try:
        index = _header_map(sheet, header)
    except Invalid as exc:
        problems.extend(exc.problems)
        return
    for number, line in enumerate(lines, start=2):
        if number > MAX_ROWS:
            problems.append(SheetWhere(sheet.title, number, {}).problem((), "Quá nhiều dòng."))
            return
        cells = {key: line[i] if i < len(line) else None for key, i in index.items()}
        if all(_blank(v) for v in cells.values()):
            continue
        where = SheetWhere(sheet.title, number, sheet.headers)
        values: dict[str, Any] = {}
        for column in sheet.columns:
            raw = cells[column.key]
            if _blank(raw):
                continue
            try:
                values[column.key] = _value(column, raw)
            except ValueError as exc:
                problems.append(where.problem((column.key,), str(exc)))
        parent = values.pop(sheet.parent, None) if sheet.parent else None
        if sheet.parent and parent is None:
            problems.append(where.problem((sheet.parent,), "Thông tin này là bắt buộc."))
        yield _Row(number, values, where, parent)


def _book(data: bytes) -> Any:
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        where = catalogue.JsonWhere(())
        raise Invalid(
            [where.problem((), f"Tệp gửi lên không phải bảng tính .xlsx đọc được ({exc}).")]
        ) from None


def read(data: bytes) -> list[Entry]:
    """The spreadsheet's entries; Invalid naming sheet, row and column of every problem."""
    book = _book(data)
    problems: list[dict[str, Any]] = []
    rows: dict[str, list[_Row]] = {}
    try:
        for sheet in SHEETS:
            if sheet.title in book.sheetnames:
                rows[sheet.kind] = list(_read(sheet, book[sheet.title], problems))
    finally:
        book.close()
    if not rows:
        titles = ", ".join(f"«{sheet.title}»" for sheet in SHEETS)
        problems.append(
            catalogue.JsonWhere(()).problem((), f"Bảng tính không có trang nào trong số: {titles}.")
        )
    _attach_documents(rows, problems)
    entries = []
    for sheet in SHEETS:
        if sheet.kind == "documents":
            continue
        for row in rows.get(sheet.kind, []):
            try:
                entries.append(catalogue.validated(sheet.kind, row.values, row.where, row.parent))
            except Invalid as exc:
                problems.extend(exc.problems)
    if problems:
        raise Invalid(problems)
    return entries


def _attach_documents(rows: dict[str, list[_Row]], problems: list[dict[str, Any]]) -> None:
    """Each procedure's papers from the "Giấy tờ" sheet, in row order; kept as they are
    when the sheet is absent."""
    if "documents" not in rows:
        return
    papers: dict[str, list[_Row]] = {}
    for row in rows["documents"]:
        if row.parent is not None:
            papers.setdefault(row.parent, []).append(row)
    procedures = {}
    for row in rows.get("procedures", []):
        procedures[row.values.get("code")] = row
        found = papers.get(str(row.values.get("code")), [])
        row.values["documents"] = [paper.values for paper in found]
        row.where = dataclasses.replace(row.where, documents=tuple(paper.where for paper in found))
    for code, found in papers.items():
        if code not in procedures:
            message = f"Không có thủ tục mã «{code}» ở trang «Thủ tục»."
            problems.extend(paper.where.problem(("procedure_code",), message) for paper in found)
