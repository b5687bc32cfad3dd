"""The live event stream through real HTTP: order, filters, heartbeats, resuming."""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from server import events
from server.db import open_database
from tests import live


class Reader:
    """Reads one SSE stream on a thread into a queue (parsed events and comment lines)."""

    def __init__(self, server: live.LiveServer, secret: str, *, params: str = "", last_id: int | None = None):
        headers = {"Authorization": f"Bearer {secret}"}
        if last_id is not None:
            headers["Last-Event-ID"] = str(last_id)
        self.items: queue.Queue[dict[str, Any]] = queue.Queue()
        self.comments: queue.Queue[str] = queue.Queue()
        self.opened = threading.Event()
        self._client = httpx.Client(base_url=server.api, headers=headers, timeout=httpx.Timeout(30, read=60))
        self._stop = threading.Event()
        self._response: httpx.Response | None = None
        self._thread = threading.Thread(target=self._run, args=(f"/events{params}",), daemon=True)
        self._thread.start()
        assert self.opened.wait(10), "the stream did not open"

    def _run(self, path: str) -> None:
        try:
            with self._client.stream("GET", path) as response:
                self._response = response
                assert response.status_code == 200
                assert response.headers["content-type"].startswith("text/event-stream")
                self.opened.set()
                for line in response.iter_lines():
                    if self._stop.is_set():
                        return
                    if line.startswith("data:"):
                        self.items.put(json.loads(line[5:]))
                    elif line.startswith(":"):
                        self.comments.put(line)
        except httpx.HTTPError:
            if not self._stop.is_set():
                raise

    def take(self, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        return [self.items.get(timeout=timeout) for _ in range(count)]

    def close(self) -> None:
        self._stop.set()
        if self._response is not None:
            # Closing from another thread does not wake a blocked read; shutting the socket does.
            sock = self._response.extensions["network_stream"].get_extra_info("socket")
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._client.close()
        self._thread.join(10)
        assert not self._thread.is_alive()


@pytest.fixture
def readers(server: live.LiveServer) -> Iterator[list[Reader]]:
    opened: list[Reader] = []
    yield opened
    for reader in opened:
        reader.close()


def test_every_change_arrives_in_order(server: live.LiveServer, readers: list[Reader]) -> None:
    reader = Reader(server, server.device_keys["display-1"])
    readers.append(reader)
    kiosk, officer = server.device("kiosk-1"), server.user("canbo1")
    ticket = kiosk.post("/tickets", json={"service_id": 1}).json()
    officer.post("/counters/1/open")
    officer.post("/counters/1/call-next")
    officer.post(f"/tickets/{ticket['id']}/recall")
    got = reader.take(4)
    assert [e["type"] for e in got] == ["ticket.issued", "counter.opened", "ticket.called", "ticket.recalled"]
    assert [e["id"] for e in got] == sorted(e["id"] for e in got)
    called = got[2]
    assert called["payload"]["number"] == "A001"
    assert called["payload"]["counter_number"] == 1
    assert called["counter_id"] == 1


def test_resuming_after_last_event_id_delivers_everything_missed(
    server: live.LiveServer, readers: list[Reader]
) -> None:
    kiosk = server.device("kiosk-1")
    first = Reader(server, server.device_keys["display-1"])
    readers.append(first)
    kiosk.post("/tickets", json={"service_id": 1})
    seen = first.take(1)[0]
    first.close()
    # While the board is away: 30 more changes.
    for i in range(30):
        kiosk.post("/tickets", json={"service_id": i % 6 + 1})
    resumed = Reader(server, server.device_keys["display-1"], last_id=seen["id"])
    readers.append(resumed)
    missed = resumed.take(30)
    assert [e["id"] for e in missed] == list(range(seen["id"] + 1, seen["id"] + 31))
    kiosk.post("/tickets", json={"service_id": 1})
    assert resumed.take(1)[0]["id"] == seen["id"] + 31  # and then live, with no repeat


def test_a_long_backlog_arrives_whole(server: live.LiveServer, readers: list[Reader]) -> None:
    kiosk = server.device("kiosk-1")
    for i in range(600):  # more than one page of backlog
        kiosk.post("/tickets", json={"service_id": i % 6 + 1})
    reader = Reader(server, server.device_keys["display-1"], last_id=0)
    readers.append(reader)
    ids = [e["id"] for e in reader.take(600)]
    assert ids == list(range(1, 601))


def test_filter_by_counter(server: live.LiveServer, readers: list[Reader]) -> None:
    reader = Reader(server, server.device_keys["display-1"], params="?counters=2")
    readers.append(reader)
    kiosk = server.device("kiosk-1")
    one, two = server.user("canbo1"), server.user("canbo2")
    one.post("/counters/1/open")
    two.post("/counters/2/open")
    kiosk.post("/tickets", json={"service_id": 1})
    kiosk.post("/tickets", json={"service_id": 2})
    one.post("/counters/1/call-next")
    two.post("/counters/2/call-next")
    got = reader.take(2)
    assert [(e["type"], e["counter_id"]) for e in got] == [("counter.opened", 2), ("ticket.called", 2)]
    assert reader.items.empty()


def test_heartbeats_keep_an_idle_stream_alive(tmp_path: Any, database_url: str, clock: live.Clock) -> None:
    with live.run_server(
        data_dir=tmp_path / "data", database_url=database_url, clock=clock, heartbeat_seconds=0.2
    ) as server:
        reader = Reader(server, server.device_keys["display-1"])
        try:
            comments = [reader.comments.get(timeout=5) for _ in range(3)]
            assert ": heartbeat" in comments
        finally:
            reader.close()


def test_events_need_credentials(server: live.LiveServer) -> None:
    assert server.client().get("/events").status_code == 401
    assert server.client("qmsd_not-a-key").get("/events").status_code == 401


def test_a_board_on_one_server_process_sees_calls_made_through_another(
    server: live.LiveServer, readers: list[Reader], tmp_path: Any
) -> None:
    """Two server processes on one database (here two Uvicorns): events come from the table."""
    with live.another_process(server, tmp_path / "second") as second:
        reader = Reader(second, server.device_keys["display-1"])
        readers.append(reader)
        officer = server.user("canbo1")  # acting through the first process
        server.device("kiosk-1").post("/tickets", json={"service_id": 1})
        officer.post("/counters/1/open")
        officer.post("/counters/1/call-next")
        got = reader.take(3)
        assert [e["type"] for e in got] == ["ticket.issued", "counter.opened", "ticket.called"]
        assert got[2]["payload"]["number"] == "A001"
        reader.close()


@pytest.mark.skipif(live.postgres_url() is None, reason="LISTEN/NOTIFY is PostgreSQL's")
def test_another_process_hears_of_new_events_at_once_on_postgresql(
    server: live.LiveServer, readers: list[Reader], tmp_path: Any
) -> None:
    """Workers of one province server: the second process polls only every minute here, so
    the events can reach its board within seconds only through the NOTIFY of the first."""
    with live.run_server(
        data_dir=tmp_path / "second",
        database_url=server.settings.resolved_database_url(),
        clock=server.clock,
        prepare=False,
        event_poll_seconds=60.0,
    ) as second:
        reader = Reader(second, server.device_keys["display-1"])
        readers.append(reader)
        officer = server.user("canbo1")
        for _ in range(3):
            server.device("kiosk-1").post("/tickets", json={"service_id": 1})
        officer.post("/counters/1/open")
        officer.post("/counters/1/call-next")
        got = reader.take(5, timeout=5)
        assert [e["type"] for e in got] == ["ticket.issued"] * 3 + ["counter.opened", "ticket.called"]
        reader.close()


def test_filter_by_service_includes_transfers_out(server: live.LiveServer, readers: list[Reader]) -> None:
    """A counter following service 1 hears of a waiting ticket moved from it to service 2."""
    reader = Reader(server, server.device_keys["display-1"], params="?services=1")
    readers.append(reader)
    ticket = server.device("kiosk-1").post("/tickets", json={"service_id": 1}).json()
    server.device("kiosk-1").post("/tickets", json={"service_id": 3})
    moved = server.user("giamsat").post(f"/tickets/{ticket['id']}/transfer", json={"service_id": 2})
    assert moved.status_code == 200, moved.text
    got = reader.take(2)
    assert [(e["type"], e["service_id"]) for e in got] == [("ticket.issued", 1), ("ticket.transferred", 2)]
    assert got[1]["payload"]["from_service_id"] == 1
    assert reader.items.empty()


def test_the_hub_offers_each_event_to_exactly_the_streams_that_want_it() -> None:
    """The index (which streams to wake) agrees with each stream's own filter, for every kind of
    filter and event; streams of other centres are not even looked at."""
    from server import events

    filters = [
        {},
        {"centre_id": 1},
        {"centre_id": 2},
        {"counters": frozenset({1})},
        {"counters": frozenset({9}), "centre_id": 2},
        {"services": frozenset({1, 2})},
        {"counters": frozenset({3}), "services": frozenset({4})},
        {"services": frozenset({7}), "centre_id": 2},
    ]
    # No database needed for the index; the streams here have no owner, so no cap per owner.
    hub = events.EventHub(None, 1.0, max_per_owner=len(filters))  # type: ignore[arg-type]
    subs = [hub.subscribe(**f) for f in filters]
    rows = [
        {"centre_id": c, "counter_id": k, "service_id": s, "payload": p}
        for c in (None, 1, 2)
        for k in (None, 1, 3, 9)
        for s in (None, 1, 4, 7)
        for p in ({}, {"from_service_id": 2}, {"from_service_id": 7})
    ]
    for row in rows:
        offered = {id(sub) for sub in hub._index.candidates(row, hub._subscribers) if sub.wants(row)}
        assert offered == {id(sub) for sub in subs if sub.wants(row)}, row
    # A call at centre 1's counter 1 does not make centre 2's streams even look.
    looked = hub._index.candidates({"centre_id": 1, "counter_id": 1, "service_id": 1, "payload": {}}, set())
    assert subs[2] not in looked and subs[4] not in looked and subs[7] not in looked
    for sub in subs:
        hub.unsubscribe(sub)
    assert not hub._index.candidates(rows[-1], set())
    assert not (hub._index.centre or hub._index.counter or hub._index.service)  # nothing kept


def test_an_event_is_written_with_its_change_and_never_without_it(
    server: live.LiveServer, readers: list[Reader]
) -> None:
    """Events wait in the transaction until its commit (the ordering lock is held only then):
    a transaction that fails leaves no event behind, one that commits writes them in order."""
    reader = Reader(server, server.device_keys["display-1"])
    readers.append(reader)
    now = server.clock()
    db = open_database(server.settings.resolved_database_url())
    try:
        with db.writer() as session:  # one session, two transactions
            with contextlib.suppress(RuntimeError), session.begin():
                events.append(session, type="centre.notice", now=now, payload={"text": "lost"}, centre_id=1)
                raise RuntimeError("the change failed")
            with session.begin():
                for text in ("one", "two"):
                    events.append(session, type="centre.notice", now=now, payload={"text": text}, centre_id=1)
    finally:
        db.dispose()
    got = reader.take(2)
    assert [e["payload"]["text"] for e in got] == ["one", "two"]
    assert got[0]["id"] < got[1]["id"]
    assert reader.items.empty()
