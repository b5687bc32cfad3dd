"""The server as a process on a real machine: its open files, its connections, its data folder.

Every connection is an open file. A process that runs out of them refuses every new connection
(``/healthz`` included) and can no longer open its database files, so ``qms-server run``

- raises its soft open-file limit to the hard one (systemd's ``LimitNOFILE``),
- keeps the number of connections under that limit, leaving room for the database and logs:
  when a new connection brings the count to the cap, the connection that has waited longest
  without sending a request makes room (it is silent: an idle keep-alive or an attacker's),
- closes a connection that has not sent a whole request head within ``header_timeout``
  seconds (a slow or silent client), which Uvicorn itself does not do (see GuardedHttpProtocol).
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import pathlib
import resource
import weakref
from typing import IO, Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

HEADER_TIMEOUT_SECONDS = 10.0
# Open files kept for everything but the clients' connections: the database (SQLite: up to 48
# pooled connections, each with the database and its -wal file; PostgreSQL: twice the pool
# plus a listener, one socket each), stdio and the log, the listening socket, the event loop's
# own, spreadsheets being exported, modules imported late.
RESERVED_FILES = 160
# Below this many connections a server is not worth starting: a centre alone has more screens.
FEWEST_CONNECTIONS = 32


def raise_open_file_limit() -> int:
    """Raise this process's soft open-file limit to its hard limit; the limit it now has."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass  # keep the soft limit; the connection cap follows what we have
    if soft == resource.RLIM_INFINITY:
        return 1 << 20
    return soft


def connection_limit(open_files: int) -> int:
    """How many connections fit in ``open_files`` with room kept for the rest of the server."""
    return max(FEWEST_CONNECTIONS, open_files - RESERVED_FILES)


def header_timeout() -> float:
    """Read from the environment so that every Uvicorn worker process gets the same one."""
    return float(os.environ.get("QMS_HEADER_TIMEOUT") or HEADER_TIMEOUT_SECONDS)


# Per server: its connections waiting for a request head, the longest waiting first.
_waiting: weakref.WeakKeyDictionary[ServerState, dict[GuardedHttpProtocol, None]] = (
    weakref.WeakKeyDictionary()
)


class GuardedHttpProtocol(HttpToolsProtocol):
    """Uvicorn's HTTP protocol (httptools), with a deadline for the request head and a cap.

    Uvicorn's ``timeout_keep_alive`` is armed only after a response, and any byte received
    cancels it: a connection that never sends anything, or sends its head one byte at a time,
    is kept forever, and each holds an open file. Here a head is due within
    ``header_timeout()`` seconds of the connection being made or of the previous response
    ending; else the connection is closed. Uvicorn's ``limit_concurrency`` answers 503 only
    once a head has arrived, so silent connections still fill the open files: here the
    connection that has waited longest for its head makes room for a new one.
    """

    _head_due: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        waiting = _waiting.setdefault(self.server_state, {})
        if self.limit_concurrency is not None and len(self.connections) >= self.limit_concurrency:
            oldest = next(iter(waiting), None)
            if oldest is not None:
                oldest._give_up()
        self._await_head()

    def on_headers_complete(self) -> None:
        self._head_arrived()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # The next request's head is due, unless a pipelined request is still being answered.
        idle = self.cycle is not None and self.cycle.response_complete and not self.pipeline
        if idle and not self.transport.is_closing():
            self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_arrived()
        super().connection_lost(exc)

    def _await_head(self) -> None:
        self._head_arrived()
        self._head_due = self.loop.call_later(header_timeout(), self._give_up)
        _waiting.setdefault(self.server_state, {})[self] = None

    def _head_arrived(self) -> None:
        if self._head_due is not None:
            self._head_due.cancel()
            self._head_due = None
        _waiting.get(self.server_state, {}).pop(self, None)

    def _give_up(self) -> None:
        self._head_arrived()
        # No longer counted from now: the transport tells connection_lost only later, and the
        # newcomer this made room for may have sent its head by then (it would get a 503).
        self.connections.discard(self)
        if not self.transport.is_closing():
            self.transport.close()


class DataDirLocked(Exception):
    """Another server runs on this data folder."""


def lock_data_dir(data_dir: pathlib.Path) -> IO[Any]:
    """An exclusive lock on ``<data_dir>/server.lock``, held while the returned file stays open.

    Two servers on one SQLite database would each believe they are its only writer (each
    serialises its writers and publishes its events on its own). The kernel drops the lock
    when the process ends, however it ends.
    """
    handle = open(data_dir / "server.lock", "a+")  # noqa: SIM115 (held for the process's life)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise DataDirLocked(str(data_dir)) from None
    return handle
