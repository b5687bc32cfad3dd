"""Fixtures for the API client tests: clients of the live server, a TCP relay, stream readers."""

from __future__ import annotations

import collections.abc
import queue
import socket
import threading
from typing import Any

import pytest

from apiclient import client, events
from tests import live
from tests.apiclient import tcpproxy


class Clients:
    """Makes apiclient.Client objects for the live server and closes them afterwards."""

    def __init__(self, server: live.LiveServer) -> None:
        self.server = server
        self._made: list[client.Client] = []

    def anonymous(self, base_url: str | None = None, **kwargs: Any) -> client.Client:
        made = client.Client(base_url or self.server.base_url, **kwargs)
        self._made.append(made)
        return made

    def officer(self, username: str, base_url: str | None = None) -> client.Client:
        made = self.anonymous(base_url)
        made.login(username, live.PASSWORD)
        return made

    def device(self, name: str, base_url: str | None = None) -> client.Client:
        return self.anonymous(base_url, secret=self.server.device_keys[name])

    def close(self) -> None:
        for made in self._made:
            made.close()


class Reader:
    """Iterates an EventStream on its own thread, into queues the test reads with timeouts."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.statuses: queue.Queue[events.Status] = queue.Queue()
        self.connected = threading.Event()
        self.done = threading.Event()
        self.error: BaseException | None = None
        self.stream = events.EventStream(base_url, on_status=self._on_status, **kwargs)
        self._thread = threading.Thread(target=self._run, daemon=True, name="event-reader")
        self._thread.start()

    def _on_status(self, status: events.Status) -> None:
        self.statuses.put(status)
        if status.connected:
            self.connected.set()

    def _run(self) -> None:
        try:
            for event in self.stream:
                self.events.put(event)
        except BaseException as exc:  # handed to the test, which asserts on it
            self.error = exc
        finally:
            self.done.set()

    def wait_connected(self, timeout: float = 10) -> None:
        assert self.connected.wait(timeout), f"the stream did not connect: {self.stream.status}"

    def take(self, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        return [self.events.get(timeout=timeout) for _ in range(count)]

    def until(self, event_id: int, timeout: float = 15) -> list[dict[str, Any]]:
        """Every event up to and including the one with this id."""
        got = []
        while not got or got[-1]["id"] < event_id:
            got.append(self.events.get(timeout=timeout))
        return got

    def wait_status(self, connected: bool, timeout: float = 15) -> events.Status:
        while True:
            status = self.statuses.get(timeout=timeout)
            if status.connected is connected:
                return status

    def close(self) -> None:
        self.stream.close()
        self._thread.join(timeout=5)
        assert not self._thread.is_alive(), "the stream did not end after close()"


class Readers:
    def __init__(self) -> None:
        self._made: list[Reader] = []

    def __call__(self, base_url: str, **kwargs: Any) -> Reader:
        reader = Reader(base_url, **kwargs)
        self._made.append(reader)
        return reader

    def close(self) -> None:
        for reader in self._made:
            reader.close()


@pytest.fixture
def clients(server: live.LiveServer) -> collections.abc.Iterator[Clients]:
    made = Clients(server)
    yield made
    made.close()


@pytest.fixture
def readers(server: live.LiveServer) -> collections.abc.Iterator[Readers]:
    """Readers end before the server does (they depend on it)."""
    made = Readers()
    yield made
    made.close()


@pytest.fixture
def proxy(server: live.LiveServer) -> collections.abc.Iterator[tcpproxy.Proxy]:
    relay = tcpproxy.Proxy(int(server.base_url.rsplit(":", 1)[1]))
    yield relay
    relay.close()


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on (it was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
