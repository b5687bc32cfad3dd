"""What an announcement says, and the recorded clips it is said with.

Pure Python (no Qt): the clip names of "Mời công dân có số thứ tự A 0 1 2 đến quầy số 12", the
same as a sentence for a text-to-speech engine, and :class:`ClipLibrary`, which joins clips into
one WAV file with the stdlib ``wave`` module. The clips shipped in ``voice/vi`` were made by
``tools/make_voice_clips.py``; a centre may replace them with its own recordings (same names).
"""

from __future__ import annotations

import io
import logging
import pathlib
import unicodedata
import wave
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)

CLIPS_DIR = pathlib.Path(__file__).resolve().parent / "voice" / "vi"

PHRASE_CALL = "moi_cong_dan"
PHRASE_TO_COUNTER = "den_quay_so"
PHRASE_RECALL = "nhac_lai"
CHIME = "chime"

DIGIT_WORDS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")

# The Vietnamese names of the letters, as a teacher reads them out (Đ between D and E).
LETTER_NAMES: dict[str, str] = {
    "A": "a",
    "B": "bê",
    "C": "xê",
    "D": "dê",
    "Đ": "đê",
    "E": "e",
    "F": "ép",
    "G": "giê",
    "H": "hát",
    "I": "i",
    "J": "gi",
    "K": "ca",
    "L": "e-lờ",
    "M": "em-mờ",
    "N": "en-nờ",
    "O": "o",
    "P": "pê",
    "Q": "quy",
    "R": "e-rờ",
    "S": "ét",
    "T": "tê",
    "U": "u",
    "V": "vê",
    "W": "vê kép",
    "X": "ích",
    "Y": "i dài",
    "Z": "dét",
}


def letter_clip(letter: str) -> str:
    """The clip name of a letter of ``LETTER_NAMES``: "A" -> "letter_a", "Đ" -> "letter_dd"."""
    return "letter_dd" if letter == "Đ" else f"letter_{letter.lower()}"


CLIP_WORDS: dict[str, str] = {
    CHIME: "",
    PHRASE_CALL: "Mời công dân có số thứ tự",
    PHRASE_TO_COUNTER: "đến quầy số",
    PHRASE_RECALL: "Xin nhắc lại",
    **{f"digit_{d}": word for d, word in enumerate(DIGIT_WORDS)},
    "word_muoi": "mười",  # 10-19: mười, mười hai
    "word_muoi2": "mươi",  # 20-99: hai mươi
    "word_mot": "mốt",  # a final 1 after mươi: hai mươi mốt
    "word_lam": "lăm",  # a final 5 after mười/mươi: mười lăm, hai mươi lăm
    "word_tu": "tư",  # a final 4 after mươi: hai mươi tư
    **{letter_clip(letter): name for letter, name in LETTER_NAMES.items()},
}


def number_words(n: int) -> list[str]:
    """The clip names for a counter number read as a Vietnamese number (1 to 99).

    12 is "mười hai", 21 "hai mươi mốt", 24 "hai mươi tư", 25 "hai mươi lăm"; 0 and numbers from
    100 up are read digit by digit (no counter has them; they are still readable).
    """
    if n < 0:
        raise ValueError(f"a counter number cannot be negative: {n}")
    if n == 0 or n >= 100:
        return [f"digit_{d}" for d in str(n)]
    tens, units = divmod(n, 10)
    if tens == 0:
        return [f"digit_{units}"]
    words = ["word_muoi"] if tens == 1 else [f"digit_{tens}", "word_muoi2"]
    if units == 5:
        words.append("word_lam")
    elif units == 1 and tens > 1:
        words.append("word_mot")
    elif units == 4 and tens > 1:
        words.append("word_tu")
    elif units:
        words.append(f"digit_{units}")
    return words


def spell_ticket(number: str) -> list[str]:
    """The clip names that spell a ticket number: "A012" -> letter_a, digit_0, digit_1, digit_2.

    Letters A-Z and Đ in either case, and the digits 0-9; anything else is a ValueError.
    """
    if not number:
        raise ValueError("a ticket number cannot be empty")
    clips = []
    for char in unicodedata.normalize("NFC", number):
        if char in "0123456789":
            clips.append(f"digit_{char}")
        elif char.upper() in LETTER_NAMES:
            clips.append(letter_clip(char.upper()))
        else:
            raise ValueError(f"cannot read {char!r} (U+{ord(char):04X}) in the ticket number {number!r}")
    return clips


def announcement_clips(number: str, counter_number: int, *, recall: bool = False) -> list[str]:
    """The clips of the call of ticket ``number`` to counter ``counter_number``, chime first."""
    return [
        CHIME,
        *([PHRASE_RECALL] if recall else []),
        PHRASE_CALL,
        *spell_ticket(number),
        PHRASE_TO_COUNTER,
        *number_words(counter_number),
    ]


def _spoken_letter(clip: str) -> str:
    # A letter whose name is the letter itself (a, e, i, o, u) is written in capitals so that a
    # text-to-speech engine reads it as a letter: "số thứ tự A, không, một".
    words = CLIP_WORDS[clip]
    return words.upper() if clip.startswith("letter_") and len(words) == 1 else words


def announcement_text(number: str, counter_number: int, *, recall: bool = False) -> str:
    """The call as one sentence for a text-to-speech engine (no chime), e.g.

    "Mời công dân có số thứ tự A, không, một, hai, đến quầy số mười hai."
    """
    ticket = ", ".join(_spoken_letter(clip) for clip in spell_ticket(number))
    counter = " ".join(CLIP_WORDS[clip] for clip in number_words(counter_number))
    text = f"{CLIP_WORDS[PHRASE_CALL]} {ticket}, {CLIP_WORDS[PHRASE_TO_COUNTER]} {counter}."
    return f"{CLIP_WORDS[PHRASE_RECALL]}. {text}" if recall else text


@dataclass(frozen=True)
class _Format:
    channels: int
    sample_width: int  # bytes
    rate: int

    def __str__(self) -> str:
        return f"{self.channels} channel(s), {8 * self.sample_width}-bit, {self.rate} Hz"


@dataclass(frozen=True)
class _Clip:
    format: _Format
    frames: bytes  # PCM, as in the file


class ClipLibrary:
    """The ``*.wav`` clips of a folder, by name (the file name without ``.wav``, lower case).

    Raises OSError if the folder cannot be read and ValueError if it holds no clip or a file
    that is not a PCM WAV file.
    """

    def __init__(self, folder: pathlib.Path = CLIPS_DIR) -> None:
        self.folder = pathlib.Path(folder)
        self._clips: dict[str, _Clip] = {}
        for path in sorted(self.folder.iterdir()):
            if path.suffix.lower() != ".wav" or not path.is_file():
                continue
            name = path.stem.lower()
            if name in self._clips:
                raise ValueError(f"two files for the clip {name!r} in {self.folder}")
            self._clips[name] = self._read(path)
        if not self._clips:
            raise ValueError(f"no .wav clips in {self.folder}")
        log.debug("%d voice clips in %s", len(self._clips), self.folder)

    @staticmethod
    def _read(path: pathlib.Path) -> _Clip:
        try:
            with wave.open(str(path), "rb") as wav:
                fmt = _Format(wav.getnchannels(), wav.getsampwidth(), wav.getframerate())
                frames = wav.readframes(wav.getnframes())
        except (wave.Error, EOFError) as exc:
            raise ValueError(f"{path} is not a PCM WAV file: {exc}") from exc
        return _Clip(fmt, frames)

    @property
    def names(self) -> list[str]:
        return sorted(self._clips)

    def has(self, name: str) -> bool:
        return name in self._clips

    def missing(self, names: Iterable[str]) -> list[str]:
        """The names in ``names`` with no clip, in order, each once."""
        return list(dict.fromkeys(name for name in names if name not in self._clips))

    def duration(self, name: str) -> float:
        """The length of clip ``name`` in seconds (KeyError if there is none)."""
        clip = self._clips[name]
        return len(clip.frames) / (clip.format.channels * clip.format.sample_width * clip.format.rate)

    def _format(self) -> _Format:
        formats: dict[_Format, list[str]] = {}
        for name, clip in self._clips.items():
            formats.setdefault(clip.format, []).append(name)
        if len(formats) > 1:
            kinds = "; ".join(
                f"{fmt}: {', '.join(names[:5])}{', …' if len(names) > 5 else ''}"
                for fmt, names in sorted(formats.items(), key=lambda item: -len(item[1]))
            )
            raise ValueError(f"the clips in {self.folder} must all have one format, they have {kinds}")
        return next(iter(formats))

    def join(self, names: Sequence[str], *, gap_ms: int = 90, chime_gap_ms: int = 400) -> bytes:
        """One WAV file (bytes) of the clips ``names`` in order, ``gap_ms`` of silence between
        two clips and ``chime_gap_ms`` after a leading chime; in the clips' own format.
        """
        missing = self.missing(names)
        if missing:
            raise KeyError(f"no voice clip for {', '.join(missing)} in {self.folder}")
        fmt = self._format()
        frame_size = fmt.channels * fmt.sample_width
        silent_sample = b"\x80" if fmt.sample_width == 1 else b"\x00" * fmt.sample_width  # 8-bit is unsigned

        def silence(ms: int) -> bytes:
            return silent_sample * fmt.channels * round(fmt.rate * ms / 1000)

        out = io.BytesIO()
        with wave.open(out, "wb") as wav:
            wav.setnchannels(fmt.channels)
            wav.setsampwidth(fmt.sample_width)
            wav.setframerate(fmt.rate)
            for i, name in enumerate(names):
                if i > 0:
                    wav.writeframesraw(silence(chime_gap_ms if i == 1 and names[0] == CHIME else gap_ms))
                frames = self._clips[name].frames
                wav.writeframesraw(frames[: len(frames) - len(frames) % frame_size])
        return out.getvalue()
