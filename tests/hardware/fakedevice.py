"""Fakes for the counter display tests: a display/keypad on one end of a socat pty pair, a
scripted in-memory port for the Modbus driver, and the socat pair itself.

It implements docs/counter-display-protocol.md independently of ``hardware.display`` (its
own regex and checksum), so an encoding mistake on the host side shows up as a failure.
``raw`` records every byte the host sent, in order, so interleaved frames would be visible.
Answers come from a script (``queue_answers``) and then from ``default``: "ACK", "NAK" or
"SILENT". Use as a context manager; ``close()`` stops the thread and closes the port.
"""

from __future__ import annotations

import collections.abc
import contextlib
import pathlib
import queue
import re
import shutil
import subprocess
import threading
import time

import serial

FRAME = re.compile(rb"\x02([0-9]{2})([A-Z])([\x20-\x7e]*)\x03([0-9A-F]{2})")
HOST_ACK = re.compile(rb"\x06([0-9]{2})")


def xor_hex(data: bytes) -> bytes:
    value = 0
    for byte in data:
        value ^= byte
    return b"%02X" % value


def frame(address: int, command: str, payload: str = "", *, bad_checksum: bool = False) -> bytes:
    body = b"%02d" % address + command.encode() + payload.encode() + b"\x03"
    check = xor_hex(body)
    if bad_checksum:
        check = b"%02X" % (int(check, 16) ^ 0x5A)
    return b"\x02" + body + check


class FakeDevice:
    def __init__(
        self, path: str, *, addresses: collections.abc.Iterable[int] = (5,), default: str = "ACK"
    ) -> None:
        self.addresses = frozenset(addresses)
        self.default = default
        self.raw = bytearray()
        self.frames: queue.Queue[tuple[int, str, str]] = queue.Queue()
        self.host_acks: queue.Queue[int] = queue.Queue()
        self._script: collections.deque[str] = collections.deque()
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._port = serial.Serial(path, baudrate=9600, timeout=0.02)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fake-display", daemon=True)
        self._thread.start()

    def __enter__(self) -> FakeDevice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def queue_answers(self, *answers: str) -> None:
        with self._lock:
            self._script.extend(answers)

    def send(self, data: bytes) -> None:
        # The test thread (key presses) and the device thread (answers) both write.
        with self._write_lock:
            self._port.write(data)
            self._port.flush()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._port.close()

    def _run(self) -> None:
        buffer = b""
        while not self._stop.is_set():
            data = self._port.read(max(1, self._port.in_waiting))
            if not data:
                continue
            with self._lock:
                self.raw += data
            buffer = self._consume(buffer + data)

    def _consume(self, buffer: bytes) -> bytes:
        while True:
            ack = HOST_ACK.match(buffer)
            if ack:
                self.host_acks.put(int(ack.group(1)))
                buffer = buffer[ack.end() :]
                continue
            match = FRAME.search(buffer)
            if match is None:
                return buffer
            buffer = buffer[match.end() :]
            self._on_frame(match)

    def _on_frame(self, match: re.Match[bytes]) -> None:
        if xor_hex(match.group(0)[1:-2]) != match.group(4):
            return  # a bad checksum: a real device ignores the frame and stays silent
        address = int(match.group(1))
        if address != 0 and address not in self.addresses:
            return
        self.frames.put((address, match.group(2).decode(), match.group(3).decode()))
        if address == 0:
            return
        with self._lock:
            answer = self._script.popleft() if self._script else self.default
        if answer == "ACK":
            self.send(b"\x06%02d" % address)
        elif answer == "NAK":
            self.send(b"\x15%02d" % address)


class ScriptedPort:
    """An in-memory port: records what is written; ``respond(request)`` gives the reply bytes."""

    def __init__(self, respond: collections.abc.Callable[[bytes], bytes]) -> None:
        self.written: list[bytes] = []
        self.closed = False
        self._respond = respond
        self._pending = b""

    @property
    def in_waiting(self) -> int:
        return len(self._pending)

    def write(self, data: bytes, /) -> int:
        self.written.append(bytes(data))
        self._pending += self._respond(bytes(data))
        return len(data)

    def read(self, size: int = 1) -> bytes:
        data, self._pending = self._pending[:size], self._pending[size:]
        return data

    def reset_input_buffer(self) -> None:
        self._pending = b""

    def close(self) -> None:
        self.closed = True


@contextlib.contextmanager
def socat_pair(folder: pathlib.Path) -> collections.abc.Iterator[tuple[str, str]]:
    """Two linked ptys (host end, device end) from socat; killed on exit."""
    socat = shutil.which("socat")
    assert socat is not None
    host, device = folder / "a", folder / "b"
    process = subprocess.Popen(
        [socat, f"pty,raw,echo=0,link={host}", f"pty,raw,echo=0,link={device}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 5
        while not (host.exists() and device.exists()):
            assert process.poll() is None, "socat exited"
            assert time.monotonic() < deadline, "socat did not create its pty links"
            time.sleep(0.01)  # fixed wait is right: socat tells of its links only by making them
        yield str(host), str(device)
    finally:
        process.terminate()
        process.wait(timeout=5)
