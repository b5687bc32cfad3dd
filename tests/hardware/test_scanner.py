"""Scanners: keyboard-wedge bursts (also through Telex/VNI input methods rewriting the keys)
and serial-mode line reading over loop:// and a socat pty pair."""

from __future__ import annotations

import collections.abc
import queue
import re
import threading
import time
import unicodedata

import pytest
import serial

from hardware import display, scanner
from tests.hardware import fakedevice

DOSSIER_CODE = "000.00.25.H42-261126-0007"
# Every Telex trigger a scanned code can hit: dd, aa, ow, w alone, tone keys after vowels.
MIXED_CODE = "Tra-DD-cuu-aas-HS9w-Bows-x1"
TICKET = re.compile(r"[A-Z]\d{4}")
_TONE_MARKS = dict(zip("sfrxj", "\u0301\u0300\u0309\u0303\u0323", strict=True))


def keystrokes(code: str, *, gap: float = 0.005, start: float = 100.0) -> list[tuple[str, float]]:
    """A scanner typing ``code`` then Enter, one key every ``gap`` seconds."""
    return [(char, start + i * gap) for i, char in enumerate([*code, "\r"])]


def scans(
    events: collections.abc.Iterable[tuple[str, float]], detector: scanner.BurstDetector | None = None
) -> list[str]:
    detector = detector or scanner.BurstDetector()
    found = [detector.feed(key, at) for key, at in events]
    return [code for code in found if code is not None]


def telex(events: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """What a window receives from Unikey (Telex, "send backspace" mode) for ``events``."""
    shown: list[str] = []
    out: list[tuple[str, float]] = []
    for key, when in events:
        composed = _telex_compose(shown[-1] if shown else "", key)
        if composed is None:
            shown.append(key)
            out.append((key, when))
        elif composed[1]:
            shown[-1] = composed[0]
            out += [("\b", when), (composed[0], when + 0.0005)]
        else:
            shown.append(composed[0])
            out.append((composed[0], when))
    return out


def _telex_compose(previous: str, key: str) -> tuple[str, bool] | None:
    """(new letter, whether it replaces ``previous``), or None when ``key`` is typed as is."""
    low, decomposed = key.lower(), unicodedata.normalize("NFD", previous)
    base, marks = decomposed[:1], decomposed[1:]
    if low in "aeo" and previous.lower() == low:
        return unicodedata.normalize("NFC", previous + "\u0302"), True
    if low == "d" and previous.lower() == "d":
        return ("Đ" if previous.isupper() else "đ"), True
    if low == "w" and previous.lower() in ("a", "o", "u"):
        return unicodedata.normalize(
            "NFC", previous + ("\u0306" if previous.lower() == "a" else "\u031b")
        ), True
    if low == "w":
        return ("Ư" if key.isupper() else "ư"), False
    if (
        low in _TONE_MARKS
        and base
        and base.lower() in "aeiouy"
        and not set(marks) & set(_TONE_MARKS.values())
    ):
        return unicodedata.normalize("NFC", previous + _TONE_MARKS[low]), True
    return None


def vni(events: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """What a window receives from Unikey (VNI): a tone digit after a vowel rewrites it."""
    out: list[tuple[str, float]] = []
    previous = ""
    for key, when in events:
        if key in "12345" and previous.lower() in ("a", "e", "i", "o", "u", "y"):
            previous = unicodedata.normalize(
                "NFC", previous + "\u0301\u0300\u0309\u0303\u0323"["12345".index(key)]
            )
            out += [("\b", when), (previous, when)]
        else:
            previous = key
            out.append((key, when))
    return out


def restore_words(code: str) -> list[tuple[str, float]]:
    """Telex with EVKey's "restore keys of invalid words": each word is rewritten while typed,
    then, when the '-' or Enter after it arrives, erased and typed again as the raw keys."""
    texts: list[str] = []
    words = code.split("-")
    for i, word in enumerate(words):
        mangled = [text for text, _ in telex(keystrokes(word))[:-1]]
        shown = sum(-1 if text == "\b" else 1 for text in mangled)
        texts += [*mangled, *["\b"] * shown, *word, "-" if i < len(words) - 1 else "\r"]
    return [(text, 100.0 + i * 0.002) for i, text in enumerate(texts)]


# --- bursts -----------------------------------------------------------------------------------


def test_a_fast_burst_ending_in_enter_is_a_scan() -> None:
    assert scans(keystrokes(DOSSIER_CODE)) == [DOSSIER_CODE]


def test_slow_typing_is_not_a_scan() -> None:
    assert scans(keystrokes(DOSSIER_CODE, gap=0.15)) == []


def test_a_fast_typist_s_short_word_is_not_a_scan() -> None:
    assert scans(keystrokes("ok", gap=0.03)) == []


def test_a_slow_enter_after_a_burst_is_not_a_scan() -> None:
    events = keystrokes(DOSSIER_CODE)
    enter_at = events[-2][1] + 0.4
    assert scans([*events[:-1], ("\r", enter_at)]) == []


def test_typing_then_scanning_yields_only_the_scan() -> None:
    typed = keystrokes("abc", gap=0.2, start=10.0)[:-1]
    assert scans([*typed, *keystrokes(DOSSIER_CODE, start=20.0)]) == [DOSSIER_CODE]


def test_two_scans_in_a_row() -> None:
    assert scans([*keystrokes("A1023", start=1.0), *keystrokes("B0007", start=2.0)]) == ["A1023", "B0007"]


def test_the_gap_and_length_are_configurable() -> None:
    detector = scanner.BurstDetector(max_gap=0.1, min_length=3)
    assert scans(keystrokes("A1-9", gap=0.08), detector=detector) == ["A1-9"]
    assert scans(keystrokes("A1-9", gap=0.08)) == []


def test_keys_without_text_such_as_shift_are_ignored() -> None:
    events = [(key, at) for char, at in keystrokes("H42-A") for key in ("", char)]
    assert scans(events) == ["H42-A"]


def test_an_event_with_several_characters_and_enter() -> None:
    detector = scanner.BurstDetector()
    assert detector.feed("ABCD", 1.0) is None
    assert detector.feed("EF\r", 1.01) == "ABCDEF"


def test_reset_forgets_a_burst() -> None:
    detector = scanner.BurstDetector()
    for key, at in keystrokes("A1023")[:-1]:
        detector.feed(key, at)
    detector.reset()
    assert detector.feed("\r", 100.03) is None


# --- input methods ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [DOSSIER_CODE, MIXED_CODE, "DDAAOOEE-UW-W-AW-OW", "dd.aa.oo.ee.uw.w.aw.ow"])
def test_a_telex_mangled_scan_is_recovered(code: str) -> None:
    mangled = telex(keystrokes(code))
    if code != DOSSIER_CODE:
        assert "".join(text for text, _ in mangled if text != "\b") != f"{code}\r"  # it was mangled
    assert scans(mangled) == [code]


@pytest.mark.parametrize("code", [MIXED_CODE, "HS-DD-2024"])
def test_erase_and_retype_is_recovered(code: str) -> None:
    assert scans(restore_words(code)) == [code]


def test_a_vni_mangled_ticket_is_recovered_with_a_validator() -> None:
    mangled = vni(keystrokes("A1023"))
    assert [text for text, _ in mangled] == ["A", "\b", "Á", "0", "2", "3", "\r"]
    assert scans(mangled) == ["AS023"]  # Telex is tried first and nothing says it is wrong
    detector = scanner.BurstDetector(accept=TICKET.fullmatch)
    assert scans(mangled, detector=detector) == ["A1023"]
    assert scans(mangled, detector=scanner.BurstDetector(methods=("vni",))) == ["A1023"]


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        # Unikey, backspace mode, one event per key: D D -> "D", Backspace, "Đ".
        (["H", "S", "-", "D", "\b", "Đ", "-", "1"], "HS-DD-1"),
        # The same, with Backspace and the new letter in one event.
        (["D", "\bĐ", "0", "1"], "DD01"),
        # Decomposed output (some Linux input methods): a letter plus a combining mark.
        (["A", "\b", "A\u0302", "0"], "AA0"),
        # A mark sent on its own after the letter it changes.
        (["O", "\u031b", "1"], "OW1"),
        # "W" alone became "Ư" without a Backspace: one key.
        (["Q", "R", "-", "Ư", "0", "1"], "QR-W01"),
        # "U" then "W": Backspace, "Ư".
        (["U", "\b", "Ư", "1"], "UW1"),
        # Tone key after a vowel with a mark: A A S -> "Â" then "Ấ".
        (["A", "\b", "Â", "\b", "Ấ"], "AAS"),
        # EVKey restoring a word: erases "Đ" and types the two keys again.
        (["D", "\b", "Đ", "\b", "D", "D", "-"], "DD-"),
        # A whole word committed at once (preedit input methods).
        (["ĐƯ", "1"], "DDW1"),
        # Something no input method makes is left alone.
        (["ß", "1"], "ß1"),
    ],
)
def test_realistic_telex_sequences(keys: list[str], expected: str) -> None:
    assert scanner.unmangle(keys, method="telex") == expected


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["ấ"], "a61"),
        (["Đ"], "D9"),
        (["ư"], "u7"),
        (["ặ"], "a85"),
        (["A", "\b", "Á", "0", "2", "3"], "A1023"),
    ],
)
def test_vni_sequences(keys: list[str], expected: str) -> None:
    assert scanner.unmangle(keys, method="vni") == expected


@pytest.mark.parametrize(
    ("letter", "keys"), [("ặ", "awj"), ("Ợ", "OWJ"), ("ễ", "eex"), ("ổ", "oor"), ("ừ", "uwf")]
)
def test_the_vowel_mark_key_comes_before_the_tone_key(letter: str, keys: str) -> None:
    assert scanner.unmangle(["\b", letter], method="telex") == keys


def test_an_unknown_input_method_is_a_clear_error() -> None:
    with pytest.raises(display.DeviceError, match="kiểu gõ «qwerty»"):
        scanner.BurstDetector(methods=("qwerty",))


# --- serial (virtual COM) scanners -----------------------------------------------------------------


def test_serial_scanner_over_a_pty_pair(pty_pair: tuple[str, str]) -> None:
    host, device = pty_pair
    codes: queue.Queue[str] = queue.Queue()
    with (
        scanner.open_serial_scanner(f"{host}?baudrate=9600", on_scan=codes.put),
        serial.Serial(device) as port,
    ):
        decomposed = unicodedata.normalize("NFD", "Hồ sơ 0007")
        port.write(f"{DOSSIER_CODE}\r\n\r\n  {decomposed} \nAB".encode())
        port.flush()
        assert [codes.get(timeout=2) for _ in range(2)] == [DOSSIER_CODE, "Hồ sơ 0007"]
        port.write(b"C\rA1023\n")
        port.flush()
        assert [codes.get(timeout=2) for _ in range(2)] == ["ABC", "A1023"]
    assert codes.empty()


def test_serial_scanner_over_loop() -> None:
    # loop:// times writes by the baud rate: 5 kB at 9600 baud would hit the write timeout.
    port = display.open_port("loop://?baudrate=115200", timeout=0.05)
    codes: queue.Queue[str] = queue.Queue()
    with scanner.SerialScanner(port=port, on_scan=codes.put, name="loop"):
        port.write(b"\xff" * 5000 + b"\n")  # a line too long (and not UTF-8) is noise
        port.write(b"B0007\rCCCD-001099012345\r\n")
        assert codes.get(timeout=2) == "B0007"
        assert codes.get(timeout=2) == "CCCD-001099012345"
    assert codes.empty()


def test_a_failing_callback_does_not_stop_the_scanner() -> None:
    port = display.open_port("loop://", timeout=0.05)
    codes: queue.Queue[str] = queue.Queue()

    def on_scan(text: str) -> None:
        if text == "bad":
            raise ValueError(text)
        codes.put(text)

    with scanner.SerialScanner(port=port, on_scan=on_scan):
        port.write(b"bad\ngood\n")
        assert codes.get(timeout=2) == "good"


def test_a_port_failure_is_reported_once_as_a_device_error() -> None:
    class Unplugged(fakedevice.ScriptedPort):
        def read(self, size: int = 1) -> bytes:
            raise serial.SerialException("device disconnected")

    errors: queue.Queue[display.DeviceError] = queue.Queue()
    reader = scanner.SerialScanner(
        port=Unplugged(lambda _: b""), on_scan=print, on_error=errors.put, name="COM4"
    )
    error = errors.get(timeout=2)
    reader.close()
    assert isinstance(error, display.PortError)
    assert "COM4" in error.message
    assert isinstance(error.__cause__, serial.SerialException)
    assert errors.empty()


def test_close_is_idempotent_and_stops_the_reader() -> None:
    port = display.open_port("loop://", timeout=0.05)
    reader = scanner.SerialScanner(port=port, on_scan=print)
    reader.close()
    reader.close()
    assert not any(thread.name.startswith("scanner") for thread in threading.enumerate())


class _OneReadPort:
    """A port whose first read returns everything at once, as a late reader on a busy machine sees."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self.in_waiting = len(data)

    def read(self, size: int) -> bytes:
        data, self._data = self._data, b""
        self.in_waiting = 0
        if not data:
            time.sleep(0.01)  # fixed wait is right: it is the fake port's read timeout, not a test's wait
        return data

    def write(self, data: bytes) -> int:
        return len(data)

    def close(self) -> None:
        pass


def test_a_too_long_line_read_whole_is_skipped() -> None:
    codes: queue.Queue[str] = queue.Queue()
    port = _OneReadPort(b"\xff" * (scanner.MAX_LINE + 1) + b"\nB0007\n")
    with scanner.SerialScanner(port=port, on_scan=codes.put, name="one-read"):  # type: ignore[arg-type]
        assert codes.get(timeout=2) == "B0007"
