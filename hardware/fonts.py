"""The fonts tickets and receipts are drawn with, and a check that a font covers Vietnamese.

Thermal printers cannot be trusted to print Vietnamese as text (hardware.md), so everything is
drawn into an image with a font we ship: DejaVu Sans, regular and bold, from hardware/fonts/.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import pathlib
import re
import unicodedata
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = pathlib.Path(__file__).resolve().parent / "fonts"
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

# The twelve Vietnamese vowels, spelled as base letter + combining mark (breve, circumflex,
# horn) so that NFC, not this file, decides which code point each letter is.
_VOWELS = ("a", "a\u0306", "a\u0302", "e", "e\u0302", "i", "o", "o\u0302", "o\u031b", "u", "u\u031b", "y")
# Level (no mark), huyền, hỏi, ngã, sắc, nặng.
_TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
# đ is a letter of its own: it has no decomposition into d + a combining mark.
_D_STROKE = unicodedata.lookup("LATIN SMALL LETTER D WITH STROKE")


def _vietnamese_letters() -> str:
    composed = (unicodedata.normalize("NFC", vowel + tone) for vowel in _VOWELS for tone in _TONES)
    # The plain a e i o u y are ASCII, which every font has; the other 66 + đ are the risk.
    lower = [letter for letter in composed if not letter.isascii()] + [_D_STROKE]
    assert all(len(letter) == 1 for letter in lower), "each letter must be one precomposed code point"
    return "".join(lower) + "".join(letter.upper() for letter in lower)


# All 134 precomposed Vietnamese letters (67 lower case, then the same 67 in upper case).
VIETNAMESE_LETTERS: str = _vietnamese_letters()

# U+FFFF is a noncharacter: no font maps it, so it always draws the font's .notdef glyph.
_NOT_A_CHARACTER = "\uffff"
_PROBE_SIZE = 48


@functools.lru_cache(maxsize=64)
def load(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The bundled DejaVu Sans (or its bold) at ``size`` pixels; cached, so cheap to call again.

    BASIC layout on purpose: text is NFC and every Vietnamese letter is one precomposed glyph,
    so no shaping is needed, and the pixels are then the same with or without libraqm.
    """
    if size <= 0:
        raise ValueError(f"font size must be positive, not {size}")
    path = BOLD if bold else REGULAR
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


def missing_glyphs(
    font_path: str | os.PathLike[str],
    *,
    chars: str = VIETNAMESE_LETTERS,
    method: Literal["auto", "cmap", "drawing"] = "auto",
) -> set[str]:
    """The characters of ``chars`` that the font at ``font_path`` has no glyph for.

    "cmap" reads the font's character map with fontTools; "drawing" draws each character with
    Pillow and compares it with the font's .notdef ("tofu") glyph; "auto" uses fontTools when
    it is installed (it is optional) and drawing otherwise.
    """
    if method == "auto":
        method = "cmap" if importlib.util.find_spec("fontTools") is not None else "drawing"
    if method == "cmap":
        return _missing_by_cmap(font_path, chars=chars)
    return _missing_by_drawing(font_path, chars=chars)


def _missing_by_cmap(font_path: str | os.PathLike[str], *, chars: str) -> set[str]:
    # Imported by name at run time: fontTools is optional and has no type stubs.
    tt_lib = importlib.import_module("fontTools.ttLib")
    with tt_lib.TTFont(os.fspath(font_path), lazy=True) as font:
        cmap: dict[int, str] = font.getBestCmap() or {}
    return {char for char in chars if ord(char) not in cmap}


def _missing_by_drawing(font_path: str | os.PathLike[str], *, chars: str) -> set[str]:
    font = ImageFont.truetype(os.fspath(font_path), _PROBE_SIZE, layout_engine=ImageFont.Layout.BASIC)
    tofu = _drawn(font, _NOT_A_CHARACTER)
    return {char for char in chars if _drawn(font, char) == tofu}


def _drawn(font: ImageFont.FreeTypeFont, char: str) -> bytes:
    # Large enough for any glyph at the probe size, marks above and below included.
    canvas = Image.new("L", (_PROBE_SIZE * 3, _PROBE_SIZE * 3), 0)
    ImageDraw.Draw(canvas).text((_PROBE_SIZE, _PROBE_SIZE), char, font=font, fill=255)
    return canvas.tobytes()


# --- measuring and wrapping text ---------------------------------------------------------------

# Breaks go at spaces and other white space, never at a no-break space (U+00A0): callers bind a
# value such as "26/11/2026 09:05" with it so that it is never split over two lines.
NO_BREAK_SPACE = "\u00a0"
_BREAKABLE_SPACE = re.compile(r"[^\S\u00a0]+")

# The tallest marks (stacked on capitals) and the deepest descenders: a line height that holds
# these holds any Vietnamese line.
_TALLEST = "ẪỄỖẤỂỸÁ"
_DEEPEST = "gjpqyỵỴọ"


@functools.lru_cache(maxsize=64)
def extent(font: ImageFont.FreeTypeFont) -> tuple[int, int]:
    """Rows above and below the baseline that any line of Vietnamese text in ``font`` may use."""
    ascent, descent = font.getmetrics()
    top = max(ascent, -int(font.getbbox(_TALLEST, anchor="ls")[1]))
    return top, max(descent, int(font.getbbox(_DEEPEST, anchor="ls")[3]))


def ink_width(font: ImageFont.FreeTypeFont, text: str) -> int:
    """How many dots wide the ink of ``text`` is (not its advance)."""
    left, _, right, _ = font.getbbox(text, anchor="ls")
    return int(right - left)


def wrap(text: str, *, font: ImageFont.FreeTypeFont, width: int, balanced: bool = False) -> list[str]:
    """``text`` in lines whose ink fits in ``width`` dots.

    Lines break at spaces, and inside a word only when it is longer than a line (codes, URLs).
    ``balanced`` evens out the line lengths (for centred headings: no lone last word).
    """
    words: list[str] = []
    for word in _BREAKABLE_SPACE.split(text.strip()):
        if word:
            words.extend(_break_bound(word, font=font, width=width))
    if not words:
        return []
    limit = width
    while True:
        lines = _fill(words, font=font, width=limit)
        if balanced and len(lines) > 1:
            lines = _balance(words, font=font, width=limit, count=len(lines))
        # Filling adds up advances, which can differ from the ink by a side bearing.
        excess = max(ink_width(font, line) for line in lines) - width
        if excess <= 0 or limit <= 1:
            return lines
        limit -= excess


def _fill(words: list[str], *, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    # Measuring each word once and adding advances is ~10x cheaper than measuring every
    # candidate line, which matters at ~25 ms a ticket.
    space = font.getlength(" ")
    lines: list[list[str]] = []
    used = 0.0
    for word in words:
        length = font.getlength(word)
        if lines and used + space + length <= width:
            lines[-1].append(word)
            used += space + length
        else:
            lines.append([word])
            used = length
    return [" ".join(line) for line in lines]


def _balance(words: list[str], *, font: ImageFont.FreeTypeFont, width: int, count: int) -> list[str]:
    # The narrowest width that still needs no more lines gives the most even lines.
    low, high = 1, width
    while low < high:
        middle = (low + high) // 2
        if len(_fill(words, font=font, width=middle)) <= count:
            high = middle
        else:
            low = middle + 1
    return _fill(words, font=font, width=low)


def _break_bound(word: str, *, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    # Words bound with no-break spaces stay together when they fit; when they cannot, breaking
    # at those spaces still beats breaking inside a word.
    if NO_BREAK_SPACE not in word or ink_width(font, word) <= width:
        return _break_word(word, font=font, width=width)
    parts = []
    for part in word.split(NO_BREAK_SPACE):
        parts.extend(_break_word(part, font=font, width=width))
    return [line.replace(" ", NO_BREAK_SPACE) for line in _fill(parts, font=font, width=width)]


def _break_word(word: str, *, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    pieces = []
    while len(word) > 1 and ink_width(font, word) > width:
        # The longest prefix that fits, at least one character so that this always ends.
        low, high = 1, len(word) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if ink_width(font, word[:middle]) <= width:
                low = middle
            else:
                high = middle - 1
        pieces.append(word[:low])
        word = word[low:]
    return [*pieces, word]
