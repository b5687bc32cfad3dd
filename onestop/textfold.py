"""Diacritic-insensitive text folding, so officers and citizens can search without Vietnamese marks.

Keyboards at kiosks and counters often lack a Vietnamese input method, and data pasted from
other systems arrives both precomposed (NFC) and decomposed (NFD); folding both sides of a
comparison to bare ASCII-like letters makes "ly lich tu phap" find "Lý lịch tư pháp".
"""

from __future__ import annotations

import unicodedata

# NFD splits ă â ê ô ơ ư and the tones into a base letter plus combining marks, but đ/Đ is a
# letter of its own (not d + a mark), so it needs an explicit mapping.
_D_STROKE = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC, stripped: the one form we store and compare."""
    return unicodedata.normalize("NFC", text).strip()


def _strip_marks(text: str) -> str:
    # Decomposing first makes composed and decomposed input end up identical.
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lowercase, drop every tone and vowel mark, map đ to d and collapse whitespace."""
    bare = _strip_marks(text).translate(_D_STROKE).lower()
    return " ".join(bare.split())


def matches(query: str, text: str) -> bool:
    """True when every word of ``query`` occurs (as a substring) in ``text``, marks ignored.

    An empty query matches everything so that a cleared search box lists all items.
    """
    folded_text = fold(text)
    return all(token in folded_text for token in fold(query).split())
