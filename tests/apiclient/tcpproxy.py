"""A tiny TCP relay for tests: sits between a client and the server and misbehaves on request.

``drop_replies``: that many of the next requests have their reply swallowed: the request
reaches the server, the first bytes of its reply are read and thrown away, and both sides are
closed, so the client sees a dropped connection after the server has done the work.
``drop(request_line, down_after=…)``: only the reply to the next request that starts with
``request_line`` is swallowed (a kiosk polls all the time; only its ticket request is hit), and
then, with ``down_after``, the server looks unreachable until ``down`` is cleared.
``down``: every connection is closed at once, as an unreachable server's would be.
``canned``: replies (raw HTTP) given to the next connections instead of relaying them.
"""

from __future__ import annotations

import contextlib
import socket
import threading

_CHUNK = 65536


def http_reply(status: str, body: bytes, content_type: str = "application/json") -> bytes:
    """A whole HTTP/1.1 reply that closes its connection."""
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


class Proxy:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.drop_replies = 0
        self.dropped = 0
        self.down = False
        self._prefix = b""
        self._prefix_drops = 0
        self._down_after = False
        self.canned: list[bytes] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._spawn(self._accept_loop)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        with contextlib.suppress(OSError):
            # Wakes the thread blocked in accept(); close() alone would not.
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)
        for thread in self._threads:
            thread.join(timeout=5)

    def drop(self, request_line: bytes, *, down_after: bool = False) -> None:
        """Lose the reply to the next request starting with ``request_line`` (e.g.
        ``b"POST /api/v1/tickets "``); then look unreachable if ``down_after``."""
        with self._lock:
            self._prefix, self._prefix_drops, self._down_after = request_line, 1, down_after

    def cut(self) -> None:
        """Drop every relayed connection now, as a network failure would."""
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _accept_loop(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.down:
                _shut(client)
                continue
            self._track(client)
            with self._lock:
                self.connections += 1
                canned = self.canned.pop(0) if self.canned else None
            if canned is not None:
                self._spawn(self._answer, client, canned)
            else:
                self._spawn(self._relay, client)

    def _answer(self, client: socket.socket, reply: bytes) -> None:
        with contextlib.suppress(OSError):
            request = b""
            while b"\r\n\r\n" not in request:
                data = client.recv(_CHUNK)
                if not data:
                    break
                request += data
            client.sendall(reply)
        _shut(client)

    def _relay(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
        except OSError:
            _shut(client)
            return
        self._track(upstream)
        doomed = threading.Event()  # set when this connection's next reply is to be lost
        self._spawn(self._pump, client, upstream, doomed, True)
        self._pump(upstream, client, doomed, False)

    def _pump(self, src: socket.socket, dst: socket.socket, doomed: threading.Event, request: bool) -> None:
        while True:
            try:
                data = src.recv(_CHUNK)
            except OSError:
                data = b""
            if data and request:
                self._maybe_doom(data, doomed)
            if not data or self.down or (doomed.is_set() and not request):
                if data and not request:
                    self._dropped()
                _shut(src)
                _shut(dst)
                return
            try:
                dst.sendall(data)
            except OSError:
                _shut(src)
                _shut(dst)
                return

    def _maybe_doom(self, data: bytes, doomed: threading.Event) -> None:
        with self._lock:
            if doomed.is_set():
                return
            if self.drop_replies > 0:
                self.drop_replies -= 1
                doomed.set()
            elif self._prefix_drops > 0 and data.startswith(self._prefix):
                self._prefix_drops -= 1
                doomed.set()

    def _dropped(self) -> None:
        with self._lock:
            self.dropped += 1
            down_after, self._down_after = self._down_after, False
        if down_after:
            self.down = True
            self.cut()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
