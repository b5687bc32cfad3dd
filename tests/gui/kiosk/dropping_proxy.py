"""A TCP relay between a kiosk and the server that loses the reply to one chosen request.

The request reaches the server, which does the work; the relay throws the reply away and
closes the kiosk's connection, so the kiosk sees a dropped connection after the server has
issued. Other requests (polls, status reports) pass untouched. With ``down_after=True`` the
server then looks unreachable (every connection is closed at once) until ``down`` is cleared.
tests/apiclient/tcpproxy.py drops the next replies whatever they are; a kiosk polls all the
time, so here only the chosen request is hit.
"""

from __future__ import annotations

import contextlib
import socket
import threading

_CHUNK = 65536


class DroppingProxy:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.down = False
        self.dropped = 0
        self._prefix = b""
        self._drops = 0
        self._down_after = False
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._spawn(self._accept_loop)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def drop(self, request_line: bytes, *, down_after: bool = False) -> None:
        """Lose the reply to the next request starting with ``request_line`` (e.g.
        ``b"POST /api/v1/tickets "``); then look unreachable if ``down_after``."""
        with self._lock:
            self._prefix, self._drops, self._down_after = request_line, 1, down_after

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        self._listener.close()
        self._cut()
        for thread in self._threads:
            thread.join(timeout=5)

    def _cut(self) -> None:
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.down:
                _shut(client)
                continue
            with self._lock:
                self._sockets.add(client)
            self._spawn(self._relay, client)

    def _relay(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
        except OSError:
            _shut(client)
            return
        with self._lock:
            self._sockets.add(upstream)
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
            if self._drops > 0 and data.startswith(self._prefix):
                self._drops -= 1
                doomed.set()

    def _dropped(self) -> None:
        with self._lock:
            self.dropped += 1
            down = self._down_after
        if down:
            self.down = True
            self._cut()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
