"""Barcode and QR scanners: keyboard-wedge bursts, and scanners in serial (virtual COM) mode.

Most scanners are USB keyboards: they "type" the code and press Enter. ``BurstDetector``
tells such a burst from a person typing: every gap between keys is short (``max_gap``,
50 ms by default; people need 100 ms or more per key) and the burst ends with Enter.

Vietnamese input methods (Unikey, EVKey, IBus) rewrite keys on their way to the window. In
Telex "dd" becomes "đ", "aa" "â", "ow" "ơ", "w" alone "ư", and a tone key (s f r x j) after a
vowel adds a tone; VNI does the same with digits ("a1" -> "á", "d9" -> "đ"), which hits ticket
numbers such as "A1023". Most of them rewrite by sending Backspace, then the new letter.

Strategy (``unmangle``): raw key codes do not help, because the input method swallows the key
that triggered a rewrite and sends synthetic keys instead; so we undo the rewrite from the text:

1. apply each Backspace to what was typed so far (this alone undoes EVKey/Unikey's
   "restore keys of non-Vietnamese words", which erases the word and retypes the keys);
2. turn every composed letter back into the keys that compose it: base letter, then the
   vowel mark (Telex: repeat the letter for ^, "w" for breve and horn; VNI: 6 7 8), then the
   tone (Telex s f r x j; VNI 1-5), and đ -> "dd" / "d9";
3. except that in Telex an "ư"/"ơ" that arrived without a Backspace before it was one key
   ("w", "]"), not a rewrite of "u" + "w".

What the text cannot tell: a key pressed to undo a rewrite ("aaa" gives "aa"; "ass" gives
"as"), and a tone mark the method moved to another vowel ("hoas" may show as "hóa"). A
scanner seldom sends such sequences (codes are mostly upper-case letters, digits and
punctuation), and ``accept`` lets the caller pick, among the input methods tried, the first
result that is a valid code.
"""

from __future__ import annotations

import collections.abc
import functools
import logging
import threading
import unicodedata

from hardware import display

BACKSPACE = frozenset("\b\x7f")
METHODS = ("telex", "vni")
MAX_LINE = 4096  # a serial scanner line longer than this is noise, not a code

_log = logging.getLogger(__name__)

# Vowel marks and tones as NFD combining characters -> the key that adds them.
_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
_TONES = {
    "\u0301": ("s", "1"),
    "\u0300": ("f", "2"),
    "\u0309": ("r", "3"),
    "\u0303": ("x", "4"),
    "\u0323": ("j", "5"),
}
_VOWEL_MARKS = {_CIRCUMFLEX: "6", _HORN: "7", _BREVE: "8"}
# Unikey's Telex types these with one key of their own (w, [ and ] are alternatives for ư/ơ).
_TELEX_ALONE = {"ư": "w", "Ư": "W", "ơ": "]", "Ơ": "}"}


class BurstDetector:
    """Finds scans in a stream of key events (``feed``); pure, so the caller owns time.

    Feed every key press with the text it produced (Qt's ``QKeyEvent.text()``: "\\b" for
    Backspace, "\\r" for Enter; empty texts such as Shift are ignored) and its time in
    seconds (``time.monotonic()``). ``feed`` returns the scanned code when the key ends a
    scan, else None: keys of slow typing are never reported and stay the widget's.
    """

    def __init__(
        self,
        *,
        max_gap: float = 0.05,
        min_length: int = 4,
        methods: collections.abc.Sequence[str] = METHODS,
        accept: collections.abc.Callable[[str], bool] | None = None,
    ) -> None:
        for method in methods:
            _check_method(method)
        self._max_gap = max_gap
        self._min_length = min_length
        self._methods = tuple(methods)
        self._accept = accept
        self._keys: list[str] = []
        self._last_at = 0.0

    def feed(self, key: str, at: float) -> str | None:
        if not key:
            return None
        if at - self._last_at > self._max_gap:
            self._keys.clear()  # a pause: what came before was typed by hand
        self._last_at = at
        text = key.rstrip("\r\n")
        if text:
            self._keys.append(text)
        if text == key:
            return None
        keys, self._keys = self._keys, []  # the key ended with Enter
        return self._scan(keys) if keys else None

    def reset(self) -> None:
        """Forget a burst in progress (e.g. when focus moves to another widget)."""
        self._keys.clear()

    def _scan(self, keys: list[str]) -> str | None:
        candidates = [unmangle(keys, method=method).strip() for method in self._methods]
        candidates = [text for text in candidates if len(text) >= self._min_length]
        if not candidates:
            return None
        if self._accept is not None:
            return next((text for text in candidates if self._accept(text)), candidates[0])
        return candidates[0]


def unmangle(keys: collections.abc.Iterable[str], *, method: str = "telex") -> str:
    """The keys a scanner sent, from ``keys`` as an input method ``method`` rewrote them."""
    _check_method(method)
    cells: list[tuple[str, bool]] = []  # (character, came right after a Backspace)
    erased = False
    for text in keys:
        for ch in unicodedata.normalize("NFC", text):
            if ch in BACKSPACE:
                if cells:
                    cells.pop()
                erased = True
            elif unicodedata.combining(ch) and cells:
                # A mark sent on its own (decomposed output): it rewrites the letter before it.
                cells[-1] = (unicodedata.normalize("NFC", cells[-1][0] + ch), True)
            elif ch not in "\r\n":
                cells.append((ch, erased))
                erased = False
    return "".join(_keys_for(ch, method=method, rewritten=rewritten) for ch, rewritten in cells)


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise display.BadConfig(f"Không biết kiểu gõ «{method}» (có: {', '.join(METHODS)}).")


@functools.cache
def _keys_for(ch: str, *, method: str, rewritten: bool) -> str:
    if ch.isascii():
        return ch
    telex = method == "telex"
    if telex and not rewritten and ch in _TELEX_ALONE:
        return _TELEX_ALONE[ch]
    if ch in "đĐ":
        base = "d" if ch == "đ" else "D"
        return base + (base if telex else "9")
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    if not base.isascii() or not all(mark in _TONES or mark in _VOWEL_MARKS for mark in marks):
        return ch  # not a Vietnamese letter: no input method made it, keep it
    # The vowel mark's key comes before the tone's, whatever order NFD puts them in.
    ordered = sorted(marks, key=lambda mark: mark in _TONES)
    return base + "".join(_mark_key(mark, base=base, telex=telex) for mark in ordered)


def _mark_key(mark: str, *, base: str, telex: bool) -> str:
    if not telex:
        return _VOWEL_MARKS.get(mark) or _TONES[mark][1]
    if mark == _CIRCUMFLEX:
        return base
    key = "w" if mark in (_BREVE, _HORN) else _TONES[mark][0]
    return key.upper() if base.isupper() else key


class SerialScanner:
    """A scanner in serial (virtual COM) mode: each line it sends, ended by CR and/or LF.

    ``on_scan(text)`` gets every non-empty line, decoded as UTF-8, NFC, stripped; it runs on
    the reader thread, so it must return quickly and not touch Qt widgets. ``on_error``
    gets a ``DeviceError`` once if the port fails (the reader stops then).
    """

    def __init__(
        self,
        *,
        port: display.Port,
        on_scan: collections.abc.Callable[[str], None],
        on_error: collections.abc.Callable[[display.DeviceError], None] | None = None,
        name: str = "",
    ) -> None:
        self.name = name
        self._port = port
        self._on_scan = on_scan
        self._on_error = on_error
        self._closed = threading.Event()
        self._reader = threading.Thread(target=self._read_loop, name=f"scanner {name}", daemon=True)
        self._reader.start()

    def close(self) -> None:
        """Stop the reader, then close the port."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._reader.join()
        self._port.close()

    def __enter__(self) -> SerialScanner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read_loop(self) -> None:
        pending = b""
        overflow = False  # inside a line too long to be a code: skip to its end
        while not self._closed.is_set():
            try:
                data = self._port.read(max(1, self._port.in_waiting))
            except OSError as error:  # SerialException is an OSError
                self._fail(error)
                return
            # A CR LF pair splits into a line and an empty one, which _deliver skips.
            *lines, pending = (pending + data).replace(b"\r", b"\n").split(b"\n")
            if lines and overflow:
                overflow, lines = False, lines[1:]
            if len(pending) > MAX_LINE:
                _log.warning("scanner %s: skipping a line longer than %d bytes", self.name, MAX_LINE)
                overflow, pending = True, b""
            for line in lines:
                # A long line may also arrive whole in one read (a busy machine reads late).
                if len(line) > MAX_LINE:
                    _log.warning("scanner %s: skipping a line longer than %d bytes", self.name, MAX_LINE)
                else:
                    self._deliver(line)

    def _deliver(self, line: bytes) -> None:
        text = unicodedata.normalize("NFC", line.decode("utf-8", errors="replace")).strip()
        if not text:
            return
        try:
            self._on_scan(text)
        except Exception:  # a callback's bug must not stop the scanner: log it and go on
            _log.exception("scanner %s: on_scan failed for %r", self.name, text)

    def _fail(self, error: OSError) -> None:
        failure = display.PortError(f"Mất kết nối máy quét «{self.name}».", detail=str(error))
        failure.__cause__ = error
        _log.error("scanner %s stopped: %s", self.name, error)
        if self._on_error is not None:
            self._on_error(failure)


def open_serial_scanner(
    url: str,
    *,
    on_scan: collections.abc.Callable[[str], None],
    on_error: collections.abc.Callable[[display.DeviceError], None] | None = None,
) -> SerialScanner:
    """Read scans from the serial port ``url`` (``COM4?baudrate=115200``, ``/dev/ttyACM0``)."""
    return SerialScanner(
        port=display.open_port(url, timeout=0.05), on_scan=on_scan, on_error=on_error, name=url
    )
