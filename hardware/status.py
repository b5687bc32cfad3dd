"""Printer states from the ESC/POS real-time status queries (``DLE EOT n``).

Epson's ESC/POS reference: each reply is one byte whose bits 1 and 4 are always 1 and bits
0 and 7 always 0 (``byte & 0x93 == 0x12``); anything else is not a status reply (e.g. the
query echoed back by a loop-back or a modem). The bits we use:

- ``DLE EOT 1`` printer status: bit 3 = offline.
- ``DLE EOT 2`` offline cause: bit 2 = cover open, bit 5 = printing stopped at paper end.
- ``DLE EOT 4`` roll paper sensor: bits 2-3 = near end, bits 5-6 = paper out (both bits
  of a pair report one sensor; we treat either bit as set, so a clone that sets only one
  still stops printing — a false "paper out" is visible, a false "fine" issues a ticket
  nobody holds).

Real-time commands are answered as soon as they are received, also when they appear inside
another command's data (Epson: "If parameter of a normal command contains the data string
that is the same as a Real-time command, the data will be also processed"), and the
reference says to send the next query only after the previous reply. So we ask one query at
a time, and after a job we first skip the replies the job's own raster bytes provoked.
"""

from __future__ import annotations

import enum
import re
import time

from hardware import errors, transports

DLE_EOT = b"\x10\x04"
PRINTER_STATUS = 1
OFFLINE_CAUSE = 2
PAPER_SENSOR = 4

_FIXED_MASK = 0x93
_FIXED_VALUE = 0x12
_OFFLINE = 0x08
_COVER_OPEN = 0x04
_PAPER_END_STOP = 0x20
_NEAR_END = 0x0C
_PAPER_OUT = 0x60
# DLE EOT n with n = 1..4 answers one byte each (n = 7, 8 take a parameter and are not used
# by the raster we send; a match there would only make us wait for the patience deadline).
_QUERY_PATTERN = re.compile(rb"\x10\x04[\x01-\x04]")


class PrinterState(enum.Enum):
    ONLINE = "online"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    NO_REPLY = "no_reply"
    NOT_SUPPORTED = "not_supported"

    @property
    def label(self) -> str:
        """Vietnamese, shown as is."""
        return _LABELS[self]

    @property
    def blocks_printing(self) -> bool:
        return self in _BLOCKING


_LABELS = {
    PrinterState.ONLINE: "Sẵn sàng",
    PrinterState.PAPER_NEAR_END: "Sắp hết giấy",
    PrinterState.PAPER_OUT: "Hết giấy",
    PrinterState.COVER_OPEN: "Nắp máy in đang mở",
    PrinterState.OFFLINE: "Máy in đang tắt hoặc mất kết nối",
    PrinterState.NO_REPLY: "Máy in không phản hồi",
    PrinterState.NOT_SUPPORTED: "Không kiểm tra được trạng thái (kết nối không hỗ trợ hoặc đã tắt)",
}

_ERRORS: dict[PrinterState, type[errors.PrinterError]] = {
    PrinterState.PAPER_OUT: errors.PaperOut,
    PrinterState.COVER_OPEN: errors.CoverOpen,
    PrinterState.OFFLINE: errors.Offline,
    PrinterState.NO_REPLY: errors.NoReply,
}
_BLOCKING = frozenset(_ERRORS)


def query_command(n: int) -> bytes:
    return DLE_EOT + bytes([n])


def is_reply(value: int | None) -> bool:
    """True for a byte with the fixed bits every DLE EOT reply has."""
    return value is not None and value & _FIXED_MASK == _FIXED_VALUE


def combine(*, printer: int | None, paper: int | None, offline_cause: int | None = None) -> PrinterState:
    """One state from the replies to DLE EOT 1, 4 and (optionally) 2; the worst wins.

    A missing or malformed printer or paper reply gives NO_REPLY, never "fine". A missing
    offline cause only loses detail: the printer still counts as offline.
    """
    if not is_reply(printer) or not is_reply(paper):
        return PrinterState.NO_REPLY
    assert printer is not None
    assert paper is not None
    cause = offline_cause if is_reply(offline_cause) and offline_cause is not None else 0
    if cause & _COVER_OPEN:
        return PrinterState.COVER_OPEN
    if paper & _PAPER_OUT or cause & _PAPER_END_STOP:
        return PrinterState.PAPER_OUT
    if printer & _OFFLINE:
        return PrinterState.OFFLINE
    if paper & _NEAR_END:
        return PrinterState.PAPER_NEAR_END
    return PrinterState.ONLINE


def raise_for(state: PrinterState, *, job_started: bool = False) -> None:
    """Raise the typed error for a state that blocks printing; return for the others
    (ONLINE, PAPER_NEAR_END, NOT_SUPPORTED)."""
    error = _ERRORS.get(state)
    if error is not None:
        raise error(detail=f"state {state.value}", job_started=job_started)


def provoked_replies(job: bytes) -> int:
    """How many status replies the printer will send for DLE EOT patterns inside ``job``."""
    return len(_QUERY_PATTERN.findall(job))


def query(transport: transports.Transport, *, stale: int = 0, patience: float = 0.0) -> PrinterState:
    """Ask the printer for its state over an open transport.

    ``stale``: replies already on their way (provoked by the job just sent) to skip.
    ``patience``: seconds to keep waiting for the first reply, e.g. while the rest of a job
    drains into the printer ahead of our query. Timeouts give NO_REPLY; a closed connection
    raises ``errors.Offline`` from the transport.
    """
    if not transport.supports_status:
        return PrinterState.NOT_SUPPORTED
    printer = _ask(transport, PRINTER_STATUS, skip=stale, patience=patience)
    if not is_reply(printer):
        return PrinterState.NO_REPLY
    paper = _ask(transport, PAPER_SENSOR)
    if not is_reply(paper):
        return PrinterState.NO_REPLY
    cause = None
    if printer is not None and printer & _OFFLINE:
        cause = _ask(transport, OFFLINE_CAUSE)
    return combine(printer=printer, paper=paper, offline_cause=cause)


def _ask(transport: transports.Transport, n: int, *, skip: int = 0, patience: float = 0.0) -> int | None:
    """Send DLE EOT n; return the last of ``skip + 1`` reply bytes, None when none came."""
    transport.write(query_command(n))
    want = skip + 1
    got = b""
    deadline = time.monotonic() + patience
    while len(got) < want:
        chunk = transport.read(want - len(got))
        if chunk:
            got += chunk
        elif time.monotonic() >= deadline:
            break
    return got[-1] if got else None
