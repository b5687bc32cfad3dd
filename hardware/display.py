"""Counter LED displays and call keypads: the one interface, its errors, and the qms wire format.

A counter display shows the ticket being served and the counter number, blinks to draw the
eye, shows a line of text, answers a ping, and (on boards with a call keypad) reports key
presses. Boards differ per vendor, so callers get a driver by name from the configuration::

    board = display.open_display("/dev/ttyUSB0?baudrate=9600", driver="qms", address=5)
    board.on_key(on_counter_key)        # called on a reader thread with (key, address)
    board.show("A1023", 5)
    board.close()

Drivers: ``qms`` (our own protocol, docs/counter-display-protocol.md; hardware/keypad.py) and
``modbus`` (Modbus RTU digit boards; hardware/modbus.py). Every failure reaches callers as a
``DeviceError`` with a Vietnamese ``message``: they never see ``serial`` exceptions.

This module also holds what both sides of the qms protocol share (frame encoding, the frame
parser, payload rules), so the tests' fake board uses exactly the code the host uses.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import importlib
import typing
import unicodedata
import urllib.parse

import serial

STX = 0x02
ETX = 0x03
ACK = 0x06
NAK = 0x15
BROADCAST = 0
MAX_ADDRESS = 99
MAX_PAYLOAD = 32
COMMANDS = frozenset("NBCTPK")

# A key listener gets the key name (NEXT, RECALL, "0".."9", ...) and the device's address.
KeyListener = collections.abc.Callable[[str, int], None]

# Driver name -> module with ``connect(url, *, address) -> Display``. Modules are imported
# only when chosen: a Modbus installation never loads the qms bus, and the qms driver module
# can import this one without an import cycle.
_DRIVERS = {"qms": "hardware.keypad", "modbus": "hardware.modbus"}


class DeviceError(Exception):
    """Base of every display, keypad and scanner error.

    ``message``: Vietnamese, shown to officers as is. ``detail``: technical text for logs.
    The original exception, when there is one, is kept as ``__cause__``.
    """

    default_message = "Lỗi thiết bị hiển thị tại quầy."

    def __init__(self, message: str | None = None, *, detail: str = "") -> None:
        self.message = message or self.default_message
        self.detail = detail
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.message} ({self.detail})" if self.detail else self.message


class NoAnswer(DeviceError):
    """The device did not acknowledge a command in time, after every retry."""

    default_message = "Bảng hiển thị không phản hồi. Kiểm tra nguồn, dây nối và địa chỉ của bảng."


class Refused(DeviceError):
    """The device answered NAK to every attempt (it got the frame but rejected it)."""

    default_message = "Bảng hiển thị từ chối lệnh."


class PortError(DeviceError):
    """The serial port cannot be opened, or failed (adapter unplugged, write timed out)."""

    default_message = "Không dùng được cổng nối tiếp của bảng hiển thị."


class BadConfig(DeviceError):
    """The configuration is wrong: unknown driver, bad URL parameter, address out of range."""

    default_message = "Cấu hình thiết bị hiển thị không hợp lệ."


class BadPayload(DeviceError):
    """The text cannot be sent: not printable ASCII, too long, or containing ';'."""

    default_message = "Nội dung không gửi được tới bảng hiển thị."


class Unsupported(DeviceError):
    """The chosen driver's boards cannot do this (e.g. blink on a Modbus digit board)."""

    default_message = "Loại bảng hiển thị này không hỗ trợ thao tác đó."


class Display(typing.Protocol):
    """One counter display (with or without a call keypad) at one address."""

    address: int

    def show(self, ticket: str, counter: int) -> None: ...
    def blink(self, times: int = 3) -> None: ...
    def clear(self) -> None: ...
    def text(self, message: str) -> None: ...
    def ping(self) -> bool: ...
    def on_key(self, listener: KeyListener) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> typing.Self: ...
    def __exit__(self, *exc: object) -> None: ...


class Port(typing.Protocol):
    """The part of a pyserial port the drivers use (tests pass fakes with the same shape)."""

    @property
    def in_waiting(self) -> int: ...
    def read(self, size: int = 1) -> bytes: ...
    def write(self, data: bytes, /) -> int | None: ...
    def reset_input_buffer(self) -> None: ...
    def close(self) -> None: ...


def open_display(url: str, *, driver: str = "qms", address: int) -> Display:
    """Open the display at ``address`` on the port ``url`` with the driver named ``driver``.

    ``url`` is a serial device with optional settings (``/dev/ttyUSB0?baudrate=9600``,
    ``COM3?parity=E``, ``serial:///dev/ttyS0``) or any pyserial URL (``socket://``,
    ``loop://``, ``spy://``, ``rfc2217://``). Raises ``BadConfig`` for an unknown driver.
    """
    module_name = _DRIVERS.get(driver)
    if module_name is None:
        known = ", ".join(sorted(_DRIVERS))
        raise BadConfig(f"Không có trình điều khiển bảng hiển thị «{driver}» (có: {known}).")
    connect: collections.abc.Callable[..., Display] = importlib.import_module(module_name).connect
    return connect(url, address=address)


# --- serial ports -------------------------------------------------------------------------

_SETTINGS: dict[str, collections.abc.Callable[[str], object]] = {
    "baudrate": int,
    "bytesize": int,
    "parity": str.upper,
    "stopbits": float,
    "rtscts": lambda value: value.lower() in {"1", "true", "yes", "on"},
}


def open_port(url: str, *, timeout: float) -> Port:
    """Open ``url`` (see ``open_display``) with read timeout ``timeout``; 9600 8N1 by default."""
    target, settings = split_url(url)
    try:
        port = serial.serial_for_url(target, timeout=timeout, write_timeout=1.0, **settings)
    except (ValueError, KeyError) as error:
        # ValueError: a bad setting. KeyError: WORKAROUND for pyserial 3.5's loop:// and
        # socket:// handlers, whose "unknown option" message has "{debug|info|...}" in a
        # str.format template, so formatting it raises KeyError instead of SerialException.
        raise BadConfig(f"Địa chỉ cổng «{url}» không hợp lệ.", detail=str(error)) from error
    except (serial.SerialException, OSError) as error:
        raise PortError(f"Không mở được cổng «{target}».", detail=str(error)) from error
    return typing.cast(Port, port)


def split_url(url: str) -> tuple[str, dict[str, object]]:
    """Split ``url`` into what pyserial opens and our serial settings (baudrate, parity, ...).

    pyserial reads ``?key=value`` only in its own ``scheme://`` URLs, so the settings of a
    plain device path are taken out here; other options are left for pyserial's handlers.
    """
    base, _, query = url.removeprefix("serial://").partition("?")
    settings: dict[str, object] = {}
    rest: list[tuple[str, str]] = []
    for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        if key in _SETTINGS:
            try:
                settings[key] = _SETTINGS[key](value)
            except ValueError as error:
                raise BadConfig(f"Giá trị «{key}={value}» trong «{url}» không hợp lệ.") from error
        else:
            rest.append((key, value))
    if rest and "://" not in base:
        raise BadConfig(f"Tham số không dùng được trong «{url}»: {', '.join(k for k, _ in rest)}.")
    return (f"{base}?{urllib.parse.urlencode(rest)}" if rest else base), settings


# --- text for LED boards ------------------------------------------------------------------

# đ/Đ are letters of their own, not d + a combining mark, so NFD does not split them; and
# NFKD leaves typographic dashes and quotes (common in pasted Vietnamese text) alone.
_BEFORE_NFKD = str.maketrans({"đ": "d", "Đ": "D", "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"'})


def to_ascii(text: str) -> str:
    """Vietnamese text as printable ASCII, case kept: "Quầy 5" -> "Quay 5", "Đến" -> "Den".

    LED boards have ASCII fonts only. ``onestop.textfold.fold`` lowercases (it is for
    search), so this keeps case. Other non-ASCII characters become "?", whitespace a space,
    and ';' (the field separator on the wire) a ','.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_BEFORE_NFKD))
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(_ascii_char(ch) for ch in unicodedata.normalize("NFC", kept))


def _ascii_char(ch: str) -> str:
    if ch.isspace():
        return " "
    if ch == ";":
        return ","
    return ch if " " <= ch <= "~" else "?"


def check_field(field: str) -> str:
    """Return ``field`` if it may travel in a qms frame, else raise ``BadPayload``."""
    if not all(" " <= ch <= "~" for ch in field):
        raise BadPayload(f"Nội dung «{field}» có ký tự ngoài ASCII in được.")
    if ";" in field:
        raise BadPayload(f"Nội dung «{field}» không được chứa dấu ';'.")
    return field


# --- qms frames -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Frame:
    """A checked qms frame: ``address`` 0..99, ``command`` one letter, payload ``fields``."""

    address: int
    command: str
    fields: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Answer:
    """A device's answer: ACK (``ok``) or NAK, followed by its address."""

    address: int
    ok: bool


def checksum(body: bytes) -> bytes:
    """XOR of ``body`` (the address digits through ETX) as two uppercase hex digits."""
    value = 0
    for byte in body:
        value ^= byte
    return b"%02X" % value


def encode_frame(*, address: int, command: str, fields: collections.abc.Sequence[str] = ()) -> bytes:
    """STX, address as 2 digits, command, fields joined by ';', ETX, checksum."""
    if not 0 <= address <= MAX_ADDRESS:
        raise BadConfig(f"Địa chỉ thiết bị {address} ngoài khoảng 0..{MAX_ADDRESS}.")
    if command not in COMMANDS:
        raise BadPayload(f"Lệnh «{command}» không có trong giao thức.")
    payload = ";".join(check_field(field) for field in fields)
    if len(payload) > MAX_PAYLOAD:
        raise BadPayload(f"Nội dung dài {len(payload)} ký tự, tối đa {MAX_PAYLOAD}: «{payload}».")
    body = f"{address:02d}{command}{payload}".encode("ascii") + bytes([ETX])
    return bytes([STX]) + body + checksum(body)


def encode_answer(*, address: int, ok: bool) -> bytes:
    """ACK or NAK followed by the address as 2 digits."""
    return bytes([ACK if ok else NAK]) + b"%02d" % address


class FrameParser:
    """Turns received bytes into ``Frame`` and ``Answer`` values, in order.

    Bytes outside a frame or an answer are skipped, a frame with a wrong checksum or a bad
    shape is dropped (``rejected`` counts them), and an STX always starts a new frame, so the
    parser finds its feet again after noise on the line.
    """

    # STX + address + command + payload + ETX + checksum
    _LONGEST = 1 + 2 + 1 + MAX_PAYLOAD + 1 + 2

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.rejected = 0

    def feed(self, data: bytes) -> list[Frame | Answer]:
        found: list[Frame | Answer] = []
        for byte in data:
            item = self._step(byte)
            if item is not None:
                found.append(item)
        return found

    def _step(self, byte: int) -> Frame | Answer | None:
        if byte in (STX, ACK, NAK):
            if self._buffer:
                self.rejected += 1  # an unfinished frame or answer, cut short
            self._buffer = bytearray([byte])
            return None
        if not self._buffer:
            return None  # noise between frames
        self._buffer.append(byte)
        if self._buffer[0] != STX:
            return self._answer() if len(self._buffer) == 3 else None
        if len(self._buffer) >= 3 and self._buffer[-3] == ETX:
            return self._frame()
        if len(self._buffer) >= self._LONGEST:
            self._reject()
        return None

    def _answer(self) -> Answer | None:
        kind, digits = self._buffer[0], bytes(self._buffer[1:])
        self._buffer.clear()
        if not digits.isdigit():
            self.rejected += 1
            return None
        return Answer(address=int(digits), ok=kind == ACK)

    def _frame(self) -> Frame | None:
        raw = bytes(self._buffer)
        self._buffer.clear()
        body, check = raw[1:-2], raw[-2:]
        text = body[:-1].decode("ascii", errors="replace")
        if check.upper() != checksum(body) or len(text) < 3 or not text[:2].isdigit():
            self.rejected += 1
            return None
        if text[2] not in COMMANDS or not all(" " <= ch <= "~" for ch in text):
            self.rejected += 1
            return None
        fields = tuple(text[3:].split(";")) if len(text) > 3 else ()
        return Frame(address=int(text[:2]), command=text[2], fields=fields)

    def _reject(self) -> None:
        self._buffer.clear()
        self.rejected += 1
