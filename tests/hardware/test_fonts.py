"""The bundled fonts cover Vietnamese, the coverage check can fail, and text wraps to a width."""

from __future__ import annotations

import importlib.util
import pathlib
import unicodedata

import pytest

from hardware import fonts

MONO = pathlib.Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
METHODS = [
    "drawing",
    pytest.param(
        "cmap",
        marks=pytest.mark.skipif(
            importlib.util.find_spec("fontTools") is None, reason="fontTools is optional and not installed"
        ),
    ),
]


def test_vietnamese_letters_are_the_134_precomposed_letters() -> None:
    letters = fonts.VIETNAMESE_LETTERS
    assert len(letters) == 134
    assert len(set(letters)) == 134
    assert unicodedata.normalize("NFC", letters) == letters
    assert not any(letter.isascii() for letter in letters)
    for letter in "ăâêôơưđĐắẰẩẪếỆỉĨỏỢủỮỳỴ":
        assert letter in letters
    lower, upper = letters[:67], letters[67:]
    assert lower.upper() == upper
    assert lower.islower()


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("path", [fonts.REGULAR, fonts.BOLD], ids=["regular", "bold"])
def test_bundled_fonts_cover_every_vietnamese_letter(path: pathlib.Path, method: str) -> None:
    assert fonts.missing_glyphs(path, method=method) == set()  # type: ignore[arg-type]


@pytest.mark.parametrize("path", [fonts.REGULAR, fonts.BOLD], ids=["regular", "bold"])
def test_bundled_fonts_cover_digits_and_punctuation_of_the_slips(path: pathlib.Path) -> None:
    chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz:/.-*—()\u00a0"
    assert fonts.missing_glyphs(path, chars=chars) == set()


@pytest.mark.skipif(not MONO.exists(), reason=f"{MONO} is not installed (Debian: fonts-dejavu-core)")
@pytest.mark.parametrize("method", METHODS)
def test_the_check_finds_the_letters_dejavu_sans_mono_lacks(method: str) -> None:
    missing = fonts.missing_glyphs(MONO, method=method)  # type: ignore[arg-type]
    # hardware.md names these; DejaVu Sans Mono 2.37 lacks 46 of the 134 in all.
    assert {"ả", "ế", "ể"} <= missing
    assert 0 < len(missing) < len(fonts.VIETNAMESE_LETTERS)
    assert "ă" not in missing  # it has many: the check is not just failing everything


def test_the_two_methods_agree() -> None:
    pytest.importorskip("fontTools", reason="fontTools is optional and not installed")
    for path in [fonts.REGULAR, *([MONO] if MONO.exists() else [])]:
        assert fonts.missing_glyphs(path, method="cmap") == fonts.missing_glyphs(path, method="drawing")


def test_font_files_and_licence_ship_with_the_package() -> None:
    assert fonts.REGULAR.is_file()
    assert fonts.BOLD.is_file()
    assert (fonts.FONT_DIR / "LICENSE-DejaVu.txt").is_file()


def test_load_is_cached_per_size_and_weight() -> None:
    assert fonts.load(24) is fonts.load(24)
    assert fonts.load(24, bold=True) is not fonts.load(24)
    assert fonts.load(24).size == 24
    assert pathlib.Path(str(fonts.load(24, bold=True).path)).name == "DejaVuSans-Bold.ttf"


def test_load_refuses_a_size_of_zero() -> None:
    with pytest.raises(ValueError, match="positive"):
        fonts.load(0)


def test_extent_holds_stacked_marks_and_descenders() -> None:
    font = fonts.load(30)
    top, bottom = fonts.extent(font)
    for text in ("ẪỄỖ", "Ậỵgj"):
        _, ink_top, _, ink_bottom = font.getbbox(text, anchor="ls")
        assert -ink_top <= top
        assert ink_bottom <= bottom


# --- wrapping --------------------------------------------------------------------------------

FONT = fonts.load(22)


@pytest.mark.parametrize("width", [120, 200, 368])
def test_wrapped_lines_fit_and_keep_every_word(width: int) -> None:
    text = "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam"
    lines = fonts.wrap(text, font=FONT, width=width)
    assert len(lines) > 1
    assert all(fonts.ink_width(FONT, line) <= width for line in lines)
    assert " ".join(lines) == text


def test_a_word_longer_than_the_line_is_broken() -> None:
    word = "https://dichvucong.phutho.gov.vn/tra-cuu/ho-so/000.00.25.H45-261126-0001"
    lines = fonts.wrap(f"Xem {word}", font=FONT, width=200)
    assert all(fonts.ink_width(FONT, line) <= 200 for line in lines)
    assert "".join(lines[1:]) == word


def test_no_break_spaces_keep_a_value_together_when_it_fits() -> None:
    text = "Thời gian lấy số: 26/11/2026\u00a009:05"
    lines = fonts.wrap(text, font=FONT, width=250)
    assert "26/11/2026\u00a009:05" in lines


def test_bound_words_still_break_at_their_spaces_when_too_long() -> None:
    bound = "\u00a0".join(["Người", "khuyết", "tật", "nặng"] * 3)
    lines = fonts.wrap(bound, font=FONT, width=200)
    assert all(fonts.ink_width(FONT, line) <= 200 for line in lines)
    assert "\u00a0".join(lines).replace(" ", "\u00a0") == bound


def test_balanced_lines_are_more_even_and_no_more() -> None:
    text = "Trung tâm Phục vụ hành chính công tỉnh Phú Thọ"
    greedy = fonts.wrap(text, font=FONT, width=440)
    balanced = fonts.wrap(text, font=FONT, width=440, balanced=True)
    assert len(balanced) == len(greedy) == 2
    widths = [fonts.ink_width(FONT, line) for line in balanced]
    assert max(widths) - min(widths) < max(fonts.ink_width(FONT, line) for line in greedy) - min(
        fonts.ink_width(FONT, line) for line in greedy
    )


def test_blank_text_has_no_lines() -> None:
    assert fonts.wrap("  \n ", font=FONT, width=300) == []
