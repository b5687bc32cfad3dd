from __future__ import annotations

import unicodedata
from typing import Literal

import pytest

from onestop.textfold import fold, matches, nfc

# Vowels as base letter + vowel mark (ă â ê ô ơ ư), built from combining characters so the
# table does not depend on how this file itself is normalised.
_VOWELS = [
    ("a", ""),
    ("a", "\u0306"),  # ă
    ("a", "\u0302"),  # â
    ("e", ""),
    ("e", "\u0302"),  # ê
    ("i", ""),
    ("o", ""),
    ("o", "\u0302"),  # ô
    ("o", "\u031b"),  # ơ
    ("u", ""),
    ("u", "\u031b"),  # ư
    ("y", ""),
]
# No tone, grave (huyền), hook (hỏi), tilde (ngã), acute (sắc), dot below (nặng).
_TONES = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]


def _vowel_letters() -> list[tuple[str, str]]:
    """Every Vietnamese vowel with every tone, NFC, paired with its bare base letter."""
    return [
        (unicodedata.normalize("NFC", base + mark + tone), base) for base, mark in _VOWELS for tone in _TONES
    ]


VOWEL_LETTERS = _vowel_letters()
LETTER_CASES = [
    pytest.param(letter, base, form, id=f"{letter}-{form}")
    for letter, base in VOWEL_LETTERS + [(v.upper(), b) for v, b in VOWEL_LETTERS]
    for form in ("NFC", "NFD")
]


def test_letter_table_is_complete() -> None:
    # 12 vowels x 6 tones; each is one precomposed code point, so the table really holds
    # Vietnamese letters and not stray combining sequences.
    assert len(VOWEL_LETTERS) == 72
    assert len({letter for letter, _ in VOWEL_LETTERS}) == 72
    assert all(len(letter) == 1 for letter, _ in VOWEL_LETTERS)


@pytest.mark.parametrize(("letter", "base", "form"), LETTER_CASES)
def test_fold_every_vowel_in_every_form(letter: str, base: str, form: Literal["NFC", "NFD"]) -> None:
    assert fold(unicodedata.normalize(form, letter)) == base


@pytest.mark.parametrize(("text", "folded"), [("đ", "d"), ("Đ", "d"), ("đường", "duong")])
def test_fold_d_with_stroke(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Lý lịch TƯ PHÁP", "ly lich tu phap"),
        ("Đăng ký khai sinh", "dang ky khai sinh"),
        ("  Cấp   phiếu\tlý lịch\n tư pháp ", "cap phieu ly lich tu phap"),
        ("Trung tâm Phục vụ hành chính công", "trung tam phuc vu hanh chinh cong"),
        ("ĐẮK LẮK", "dak lak"),
        ("Thừa Thiên Huế", "thua thien hue"),
        ("Sở Tư pháp 123", "so tu phap 123"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_fold_phrases(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize("text", ["Lý lịch tư pháp", "Đăng ký kết hôn", "Giấy chứng nhận quyền sử dụng đất"])
def test_fold_ignores_normalisation_form(text: str) -> None:
    forms = {fold(unicodedata.normalize(form, text)) for form in ("NFC", "NFD", "NFKC", "NFKD")}
    assert len(forms) == 1


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("ly lich tu phap", "Cấp phiếu lý lịch tư pháp số 1", True),
        ("LÝ LỊCH", "Cấp phiếu lý lịch tư pháp số 1", True),
        ("tu phap ly lich", "Cấp phiếu lý lịch tư pháp số 1", True),  # any token order
        ("phieu so 1", "Cấp phiếu lý lịch tư pháp số 1", True),
        ("lich", "Cấp phiếu lý lịch tư pháp số 1", True),  # substring per token
        ("ky khai", "Đăng ký khai sinh", True),
        ("dang ky", "Đăng ký khai sinh", True),
        ("khai tu", "Đăng ký khai sinh", False),  # every token must occur
        ("ket hon", "Đăng ký khai sinh", False),
        ("", "Đăng ký khai sinh", True),
        ("   ", "Đăng ký khai sinh", True),
        ("", "", True),
        ("a", "", False),
    ],
)
def test_matches(query: str, text: str, expected: bool) -> None:
    assert matches(query, text) is expected


def test_matches_decomposed_query_against_composed_text() -> None:
    query = unicodedata.normalize("NFD", "lý lịch")
    assert matches(query, "Cấp phiếu lý lịch tư pháp")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (unicodedata.normalize("NFD", "Phú Thọ"), "Phú Thọ"),
        ("  Phú Thọ \n", "Phú Thọ"),
        ("", ""),
    ],
)
def test_nfc(text: str, expected: str) -> None:
    result = nfc(text)
    assert result == expected
    assert unicodedata.is_normalized("NFC", result)
