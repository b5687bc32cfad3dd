"""A parser for the text/event-stream format, fed bytes as they arrive.

Follows the WHATWG "Server-sent events" parsing rules: lines end in CRLF, LF or CR (a CRLF
may be split across two reads), ``:`` starts a comment, one space after the colon is
dropped, ``data`` lines join with a newline, an ``id`` holding NUL is ignored, ``retry``
must be digits, a blank line dispatches, and an unfinished event at end of stream is
dropped (the caller simply never feeds a final blank line).
"""

from __future__ import annotations

import dataclasses
import re

_EOL = re.compile(rb"\r\n|\r|\n")
_BOM = "\ufeff"
# A line longer than this is not an event stream we understand: refuse rather than grow.
MAX_LINE = 1 << 20


class StreamError(Exception):
    """The bytes are not a usable event stream."""


@dataclasses.dataclass(frozen=True)
class Message:
    """One dispatched event. ``last_id`` is the stream's last event id once it was dispatched."""

    event: str
    data: str
    last_id: str | None


class Parser:
    """Feed it chunks; get back the events they complete. One parser per connection."""

    def __init__(self, *, last_id: str | None = None) -> None:
        self.last_id = last_id  # carried over from the previous connection, per the spec
        self.retry_ms: int | None = None
        self.comments = 0  # heartbeats and the like: a sign of life, nothing more
        self._pending = b""
        self._after_cr = False
        self._first_line = True
        self._id_buffer = last_id
        self._event = ""
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> list[Message]:
        messages = []
        for line in self._lines(chunk):
            message = self._line(line)
            if message is not None:
                messages.append(message)
        return messages

    def _lines(self, chunk: bytes) -> list[str]:
        if self._after_cr and chunk:
            # The CR that ended the last line may have been the first half of a CRLF.
            chunk = chunk.removeprefix(b"\n")
            self._after_cr = False
        data = self._pending + chunk
        lines, start = [], 0
        for end in _EOL.finditer(data):
            lines.append(self._decode(data[start : end.start()]))
            start = end.end()
        self._pending = data[start:]
        if len(self._pending) > MAX_LINE:
            raise StreamError(f"a line longer than {MAX_LINE} bytes")
        self._after_cr = data.endswith(b"\r") and start == len(data)
        return lines

    def _decode(self, raw: bytes) -> str:
        line = raw.decode("utf-8", errors="replace")
        if self._first_line:
            self._first_line = False
            line = line.removeprefix(_BOM)
        return line

    def _line(self, line: str) -> Message | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            self.comments += 1
            return None
        name, colon, value = line.partition(":")
        if colon:
            value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._id_buffer = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self.retry_ms = int(value)
        # Any other field is ignored, as the spec says.
        return None

    def _dispatch(self) -> Message | None:
        self.last_id = self._id_buffer
        data, event = self._data, self._event
        self._data, self._event = [], ""
        if not data:
            return None
        return Message(event=event or "message", data="\n".join(data), last_id=self.last_id)
