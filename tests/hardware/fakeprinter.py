"""A fake ESC/POS network printer on 127.0.0.1 for tests.

One thread runs a selector loop over the listening socket and every connection, so the
recording (``stream``) holds the bytes of all connections in the order they arrived: if two
jobs were ever sent at once, their bytes would interleave there.

Like a real printer it answers ``DLE EOT n`` wherever the sequence appears in the stream,
also inside raster data (Epson documents this for real-time commands), from a reply table
per mode. Use as a context manager; ``close()`` stops the thread and closes every socket.
"""

from __future__ import annotations

import collections.abc
import contextlib
import enum
import selectors
import socket
import struct
import threading
import time

DLE_EOT = b"\x10\x04"


class Mode(enum.Enum):
    ONLINE = "online"
    NEAR_END = "near_end"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    SILENT = "silent"  # accepts and records, never answers a status query
    REFUSE = "refuse"  # nothing listens on the port: connections are refused
    HANGUP = "hangup"  # accepts, then closes each connection at once
    STALL = "stall"  # answers and records until ``stall_after`` bytes, then stops reading
    PAPER_OUT_MID_JOB = "paper_out_mid_job"  # online until job data arrives, then paper out
    # Online until job data arrives, then unplugged: that connection is reset and later ones are
    # hung up on (HANGUP) until a test plugs it back by setting another mode.
    UNPLUGGED_MID_JOB = "unplugged_mid_job"


# Replies to DLE EOT 1 (printer), 2 (offline cause), 3 (error cause), 4 (paper sensor).
# Fixed bits 1 and 4 are set in every reply (0x12).
REPLIES: dict[Mode, dict[int, int]] = {
    Mode.ONLINE: {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12},
    Mode.NEAR_END: {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E},
    Mode.PAPER_OUT: {1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x7E},
    Mode.COVER_OPEN: {1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12},
    Mode.OFFLINE: {1: 0x1A, 2: 0x12, 3: 0x12, 4: 0x12},
}
REPLIES[Mode.STALL] = REPLIES[Mode.ONLINE]


def only_queries(data: bytes) -> bool:
    """True when ``data`` is nothing but DLE EOT n status queries (no job was sent)."""
    return len(data) % 3 == 0 and all(data[i : i + 2] == DLE_EOT for i in range(0, len(data), 3))


class _Connection:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.data = bytearray()
        self.scanned = 0
        self.closed = False


class FakePrinter:
    def __init__(self, mode: Mode = Mode.ONLINE, *, stall_after: int = 4096) -> None:
        self.mode = mode
        self.stall_after = stall_after
        self.stream = bytearray()
        self.queries: list[int] = []
        self.connections: list[_Connection] = []
        self._job_seen = False
        self._changed = threading.Condition()
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # A small receive buffer so a stalled connection fills up and the sender times out.
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self._listener.bind(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._run, name=f"fake-printer-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def __enter__(self) -> FakePrinter:
        if self.mode is not Mode.REFUSE:  # a bound socket that never listens refuses connections
            self._listener.listen()
            self._listener.setblocking(False)
            self._selector.register(self._listener, selectors.EVENT_READ)
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._wake_w.send(b"x")
        self._thread.join(timeout=10)
        assert not self._thread.is_alive()
        for conn in self.connections:
            conn.sock.close()
        for sock in (self._listener, self._wake_r, self._wake_w):
            sock.close()
        self._selector.close()

    # --- what the tests read -------------------------------------------------------------

    def wait_closed(self, count: int, *, timeout: float = 10.0) -> None:
        """Wait until ``count`` connections have been closed by the client."""
        self._wait(lambda: sum(c.closed for c in self.connections) >= count, timeout)

    def wait_received(self, size: int, *, timeout: float = 10.0) -> None:
        self._wait(lambda: len(self.stream) >= size, timeout)

    def connection_bytes(self, index: int) -> bytes:
        with self._changed:
            return bytes(self.connections[index].data)

    def job(self, index: int) -> bytes:
        """Connection ``index``'s bytes without the status queries before and after the job."""
        data = self.connection_bytes(index)
        start, end = 0, len(data)
        while data.startswith(DLE_EOT, start) and end - start >= 3:
            start += 3
        while data[end - 3 : end - 1] == DLE_EOT and end - start >= 3:
            end -= 3
        return data[start:end]

    def _wait(self, predicate: collections.abc.Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"fake printer: condition not met within {timeout} s")
                self._changed.wait(left)

    # --- the server loop -----------------------------------------------------------------

    def _run(self) -> None:
        while True:
            for key, _ in self._selector.select():
                if key.fileobj is self._wake_r:
                    return
                if key.fileobj is self._listener:
                    self._accept()
                else:
                    self._receive(key.data)

    def _accept(self) -> None:
        try:
            sock, _ = self._listener.accept()
        except BlockingIOError:
            return
        conn = _Connection(sock)
        with self._changed:
            self.connections.append(conn)
            if self.mode is Mode.HANGUP:
                conn.closed = True
                sock.close()
                self._changed.notify_all()
                return
        sock.setblocking(False)
        self._selector.register(sock, selectors.EVENT_READ, data=conn)

    def _receive(self, conn: _Connection) -> None:
        budget = 65536
        if self.mode is Mode.STALL:
            budget = min(budget, self.stall_after - len(conn.data))
        try:
            chunk = conn.sock.recv(budget)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        with self._changed:
            if chunk:
                conn.data += chunk
                self.stream += chunk
                self._scan(conn)
            else:
                conn.closed = True
            self._changed.notify_all()
        if self.mode is Mode.UNPLUGGED_MID_JOB and self._job_seen:
            self._unplug(conn)
        elif not chunk or (self.mode is Mode.STALL and len(conn.data) >= self.stall_after):
            self._selector.unregister(conn.sock)  # stalled: stop reading, keep the socket open

    def _unplug(self, conn: _Connection) -> None:
        """The cable is pulled: the connection is reset (RST, as when the printer loses power)."""
        self._selector.unregister(conn.sock)
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.sock.close()
        with self._changed:
            conn.closed = True
            self.mode = Mode.HANGUP
            self._changed.notify_all()

    def _scan(self, conn: _Connection) -> None:
        data, pos = conn.data, conn.scanned
        while True:
            found = data.find(DLE_EOT, pos)
            if found < 0:
                end = len(data) - 1 if data.endswith(b"\x10") else len(data)
                self._saw_data(pos < end)
                conn.scanned = max(pos, end)
                return
            self._saw_data(found > pos)
            if found + 2 >= len(data):
                conn.scanned = found  # wait for n
                return
            n = data[found + 2]
            if 1 <= n <= 4:
                self._answer(conn, n)
                pos = found + 3
            else:
                self._saw_data(True)
                pos = found + 2

    def _saw_data(self, seen: bool) -> None:
        if seen and self.mode in (Mode.PAPER_OUT_MID_JOB, Mode.UNPLUGGED_MID_JOB):
            self._job_seen = True

    def _answer(self, conn: _Connection, n: int) -> None:
        self.queries.append(n)
        mode = self.mode
        if mode is Mode.PAPER_OUT_MID_JOB:
            mode = Mode.PAPER_OUT if self._job_seen else Mode.ONLINE
        elif mode is Mode.UNPLUGGED_MID_JOB:
            mode = Mode.ONLINE
        reply = REPLIES.get(mode, {}).get(n)
        if reply is not None:
            with contextlib.suppress(OSError):  # the client may be gone already
                conn.sock.send(bytes([reply]))
