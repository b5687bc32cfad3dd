"""EventStream: the server's live events (GET /api/v1/events), read on the caller's thread.

Iterate it for event dicts (each is the JSON of one ``data:``: id, type, created_at,
centre_id, counter_id, service_id, payload), in order. It reconnects by itself after a
drop, a 5xx or a silence longer than ``read_timeout`` (the server sends a comment at least
every 15 s), waiting with exponential backoff and jitter, and resumes after the last id it
saw (Last-Event-ID), so nothing is missed and nothing repeats. ``close()`` from any thread
ends the iteration promptly. 401 raises Unauthorized; other 4xx raise their onestop error.

Start from the ``last_event_id`` of the board snapshot (Client.board()) so that nothing
between the snapshot and the stream is missed. Usage, on a worker thread of an app::

    board = api.board()
    stream = api.events(last_event_id=board["last_event_id"], on_status=show_status)
    for event in stream:
        handle(event)           # the loop ends when another thread calls stream.close()
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import random
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import requests

from apiclient import errors, sse, transport
from onestop import errors as onestop_errors

log = logging.getLogger(__name__)

MIN_DELAY = 0.5
MAX_DELAY = 10.0
# Three server heartbeats (15 s each by default) without a byte means the connection is dead.
READ_TIMEOUT = 45.0
CONNECT_TIMEOUT = 5.0
# A connection that lasted this long, or brought an event, was a good one: backoff restarts.
STABLE_AFTER = 10.0
# Statuses worth waiting out; any other failure is the request's fault and is raised.
_TRANSIENT = frozenset({408, 429})
STOPPED = "Đã dừng nhận sự kiện."


@dataclasses.dataclass(frozen=True)
class Status:
    """The connection as an app shows it. ``reason`` says why it is down (Vietnamese)."""

    connected: bool
    reason: str = ""
    retry_in: float | None = None  # seconds until the next try, while disconnected


class _Drop(Exception):
    """The connection ended or failed; carries the reason to show."""


def _ids(values: Iterable[int] | None) -> str | None:
    return None if values is None else ",".join(str(int(v)) for v in values)


def _retry_after(response: requests.Response) -> float | None:
    """The Retry-After of a refusal, in seconds (at most ten minutes), if it gives a number."""
    value = response.headers.get("Retry-After", "")
    return min(float(value), 600.0) if value.isdigit() else None


def backoff(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Exponential with equal jitter: between half and all of min(cap, base·2^attempt)."""
    delay = min(cap, base * 2.0 ** min(attempt, 30))
    return delay / 2 + rng.uniform(0, delay / 2)


class EventStream:
    """An iterator of event dicts that survives server restarts and network drops.

    ``on_status`` is called (on the iterating thread) with a Status each time the stream
    connects or drops; ``status`` holds the latest. ``last_event_id`` is the id of the
    last event seen, to resume from in a new stream later. The first wait after a drop
    is about ``min_delay``, or the server's ``retry:`` advice once it has sent one; each
    failed try doubles it up to ``max_delay``. ``sleep``, ``clock`` and ``rng`` are for tests.
    """

    def __init__(
        self,
        base_url: str,
        *,
        secret: str | None = None,
        counters: Iterable[int] | None = None,
        services: Iterable[int] | None = None,
        centre_id: int | None = None,
        last_event_id: int | str | None = None,
        on_status: Callable[[Status], object] | None = None,
        read_timeout: float = READ_TIMEOUT,
        connect_timeout: float = CONNECT_TIMEOUT,
        min_delay: float = MIN_DELAY,
        max_delay: float = MAX_DELAY,
        session: requests.Session | None = None,
        sleep: Callable[[float], object] | None = None,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self._url = transport.api_root(base_url) + "/events"
        self._secret = secret
        self._params = {"counters": _ids(counters), "services": _ids(services), "centre_id": centre_id}
        self.last_event_id = None if last_event_id is None else str(last_event_id)
        self.status = Status(connected=False, reason="Đang kết nối máy chủ…")
        self._on_status = on_status
        self._timeouts = (connect_timeout, read_timeout)
        self._min_delay, self._max_delay = min_delay, max_delay
        self._retry_hint: float | None = None
        self._retry_after: float | None = None
        self._own_session = session is None
        self._session = session if session is not None else requests.Session()
        self._closed = threading.Event()
        # By default a wait between tries ends early when close() is called.
        self._sleep = sleep if sleep is not None else self._closed.wait
        self._clock = clock
        self._rng = rng if rng is not None else random.Random()
        self._lock = threading.Lock()
        self._response: requests.Response | None = None
        self._connected_at: float | None = None
        self._delivered = False

    # ------------------------------------------------------------ public

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self._events()

    def close(self) -> None:
        """End the iteration (from any thread); the iterating thread returns promptly."""
        self._closed.set()
        with self._lock:
            response = self._response
        if response is not None:
            _abort(response)

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # ------------------------------------------------------------ the loop

    def _events(self) -> Iterator[dict[str, Any]]:
        refused = False
        try:
            yield from self._reconnecting()
        except onestop_errors.DomainError:
            refused = True  # its status, with the server's reason, is already set
            raise
        finally:
            if not refused:
                self._set_status(Status(connected=False, reason=STOPPED))
            if self._own_session:
                self._session.close()

    def _reconnecting(self) -> Iterator[dict[str, Any]]:
        attempt = 0
        while not self._closed.is_set():
            self._connected_at, self._delivered = None, False
            try:
                yield from self._one_connection()
                reason = "Máy chủ đã đóng kết nối."
            except _Drop as drop:
                reason = str(drop)
            if self._closed.is_set():
                return
            if self._was_stable():
                attempt = 0
            self._wait(attempt, reason)
            attempt += 1

    def _was_stable(self) -> bool:
        """It brought an event or lasted a while: the next wait starts short again."""
        if self._delivered:
            return True
        return self._connected_at is not None and self._clock() - self._connected_at >= STABLE_AFTER

    def _wait(self, attempt: int, reason: str) -> None:
        base = self._retry_hint if self._retry_hint is not None else self._min_delay
        delay = backoff(attempt, base=base, cap=self._max_delay, rng=self._rng)
        if self._retry_after is not None:  # the server asked for a pause (429, 503)
            delay, self._retry_after = max(delay, self._retry_after), None
        log.info("event stream: %s; reconnecting in %.1f s", reason, delay)
        self._set_status(Status(connected=False, reason=reason, retry_in=delay))
        self._sleep(delay)

    def _one_connection(self) -> Iterator[dict[str, Any]]:
        """Events of one connection; ends quietly on close(), raises _Drop when it fails."""
        response = self._connect()
        try:
            parser = sse.Parser(last_id=self.last_event_id)
            for chunk in self._chunks(response):
                if self._connected_at is None:
                    # Connected once bytes flow: the server subscribes before it sends any,
                    # so a change made after this status is one the stream will carry.
                    self._connected_at = self._clock()
                    self._set_status(Status(connected=True))
                for message in parser.feed(chunk):
                    self.last_event_id = message.last_id
                    event = _decode(message)
                    if event is not None:
                        self._delivered = True
                        yield event
                # An event with an id but no data still moves the resume point.
                self.last_event_id = parser.last_id
                if parser.retry_ms is not None:
                    self._retry_hint = parser.retry_ms / 1000
        except sse.StreamError as exc:
            raise _Drop(f"Dữ liệu sự kiện không hợp lệ ({exc}).") from exc
        finally:
            with self._lock:
                self._response = None
            response.close()

    def _chunks(self, response: requests.Response) -> Iterator[bytes]:
        try:
            # chunk_size=None: each piece as it arrives (the reply is chunked), never waiting to fill.
            yield from response.iter_content(chunk_size=None)
        except (requests.RequestException, OSError, ValueError, AttributeError) as exc:
            # ValueError and AttributeError come from reading a response close() just shut.
            if self._closed.is_set():
                return
            raise _Drop(_drop_reason(exc)) from exc

    def _connect(self) -> requests.Response:
        headers = {"Accept": "text/event-stream", **transport.auth_headers(self._secret)}
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = self.last_event_id
        params = {k: v for k, v in self._params.items() if v is not None}
        try:
            response = self._session.get(
                self._url, params=params, headers=headers, stream=True, timeout=self._timeouts
            )
        except requests.RequestException as exc:
            raise _Drop(_drop_reason(exc)) from exc
        if not response.ok:
            with contextlib.closing(response):
                self._raise_for(response)  # reads the (short) error body before it closes
        with self._lock:
            self._response = response
        if self._closed.is_set():  # close() came while we were connecting
            _abort(response)
        return response

    def _raise_for(self, response: requests.Response) -> None:
        status = response.status_code
        error = errors.from_reply(status, transport.json_or_none(response))
        if status >= 500 or status in _TRANSIENT:
            self._retry_after = _retry_after(response)
            raise _Drop(f"{error.message} (mã {status})")
        self._set_status(Status(connected=False, reason=error.message))
        raise error

    def _set_status(self, status: Status) -> None:
        if status == self.status:
            return
        self.status = status
        if self._on_status is not None:
            self._on_status(status)


def _decode(message: sse.Message) -> dict[str, Any] | None:
    try:
        event = json.loads(message.data)
    except ValueError:
        log.warning("event stream: %s event whose data is not JSON: %.200r", message.event, message.data)
        return None
    if not isinstance(event, dict):
        log.warning("event stream: %s event whose data is not an object", message.event)
        return None
    return event


def _timed_out(exc: BaseException) -> bool:
    # requests reports a read timeout mid-body as a ConnectionError; the timeout is its cause.
    seen: BaseException | None = exc
    for _ in range(10):  # the chain is short; the bound only guards against a cycle
        if seen is None:
            return False
        if isinstance(seen, requests.Timeout | TimeoutError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _drop_reason(exc: BaseException) -> str:
    if _timed_out(exc):
        return "Máy chủ không phản hồi (quá thời gian chờ)."
    if isinstance(exc, requests.ConnectionError):
        return errors.UNAVAILABLE
    return "Mất kết nối máy chủ."


def _abort(response: requests.Response) -> None:
    """Wake the thread reading ``response`` now: shut its socket down.

    Closing a socket does not wake a thread blocked reading it (on Linux it sleeps on until
    data or its timeout); shutting it down does, with end-of-file.
    """
    connection = getattr(response.raw, "connection", None)
    sock = getattr(connection, "sock", None)
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    else:
        response.close()
