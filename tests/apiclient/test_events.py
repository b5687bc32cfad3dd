"""apiclient.events.EventStream against a live server: order, resuming, restarts, close()."""

from __future__ import annotations

import pathlib
import random
import threading
from typing import Any

import pytest

from apiclient import client, errors, events
from onestop import errors as domain
from tests import live
from tests.apiclient import tcpproxy
from tests.apiclient.conftest import Clients, Readers


def _ids(got: list[dict[str, Any]]) -> list[int]:
    return [event["id"] for event in got]


def _start_point(clients: Clients) -> int:
    """Where an app starts its stream: the board snapshot's last event id."""
    return int(clients.device("display-1").board()["last_event_id"])


def _issue(kiosk: client.Client, count: int, service_id: int = 1) -> list[dict[str, Any]]:
    return [kiosk.issue_ticket(service_id) for _ in range(count)]


def test_events_arrive_in_order(server: live.LiveServer, clients: Clients, readers: Readers) -> None:
    reader = readers(server.base_url, secret=server.device_keys["display-1"])
    reader.wait_connected()
    officer, kiosk = clients.officer("canbo1"), clients.device("kiosk-1")

    officer.open_counter(1)
    tickets = _issue(kiosk, 3)
    called = officer.call_next(1)
    assert called is not None

    got = reader.take(5)
    assert [e["type"] for e in got] == ["counter.opened"] + ["ticket.issued"] * 3 + ["ticket.called"]
    assert [e["payload"]["number"] for e in got[1:4]] == [t["number"] for t in tickets]
    assert got[4]["payload"]["number"] == called["number"]
    assert _ids(got) == sorted(set(_ids(got)))
    assert reader.stream.last_event_id == str(got[-1]["id"])
    assert reader.stream.status == events.Status(connected=True)


def test_a_client_opens_a_stream_with_its_server_and_secret(clients: Clients) -> None:
    display = clients.device("display-1")
    start = display.board()["last_event_id"]
    [ticket] = _issue(clients.device("kiosk-1"), 1)
    with display.events(services=[1], last_event_id=start) as stream:
        first = next(iter(stream))
    assert (first["type"], first["payload"]["number"]) == ("ticket.issued", ticket["number"])
    assert stream.closed
    assert stream.last_event_id == str(first["id"])


def test_resuming_from_an_id_gives_exactly_the_missed_ones(
    server: live.LiveServer, clients: Clients, readers: Readers
) -> None:
    start = _start_point(clients)
    kiosk = clients.device("kiosk-1")
    _issue(kiosk, 4)
    everything = readers(server.base_url, secret=server.device_keys["display-1"], last_event_id=start).take(4)
    assert everything[0]["id"] > start

    resumed = readers(
        server.base_url, secret=server.device_keys["display-1"], last_event_id=everything[1]["id"]
    )
    assert _ids(resumed.take(2)) == _ids(everything[2:])
    [marker] = _issue(kiosk, 1)  # nothing else may come before the next new event
    [after] = resumed.take(1)
    assert after["payload"]["number"] == marker["number"]


def test_a_restarted_server_is_rejoined_without_gap_or_repeat(
    server: live.LiveServer, clients: Clients, readers: Readers, tmp_path: pathlib.Path
) -> None:
    key = server.device_keys["display-1"]
    reader = readers(server.base_url, secret=key, last_event_id=_start_point(clients))
    kiosk = clients.device("kiosk-1")
    _issue(kiosk, 2)
    before = reader.take(2)

    server.stop()
    assert reader.wait_status(connected=False).reason
    # Meanwhile another server process on the same database carries on.
    with live.another_process(server, tmp_path / "other") as other:
        while_away = _issue(clients.device("kiosk-1", other.base_url), 3)
    server.start()

    reader.wait_status(connected=True, timeout=30)
    last = kiosk.issue_ticket(1)
    after = reader.until(_start_point(clients), timeout=30)
    assert [e["payload"]["number"] for e in after] == [t["number"] for t in [*while_away, last]]
    truth = readers(server.base_url, secret=key, last_event_id=before[0]["id"] - 1).take(
        len(before) + len(after)
    )
    assert _ids(before + after) == _ids(truth)


def test_close_from_another_thread_ends_at_once(server: live.LiveServer, readers: Readers) -> None:
    reader = readers(server.base_url, secret=server.device_keys["display-1"])
    reader.wait_connected()
    threading.Thread(target=reader.stream.close).start()
    assert reader.done.wait(1.0), "iteration still running a second after close()"
    assert reader.error is None
    assert reader.stream.status.connected is False


def test_close_during_a_backoff_wait_ends_at_once(readers: Readers, closed_port: int) -> None:
    reader = readers(f"http://127.0.0.1:{closed_port}", min_delay=30, max_delay=30)
    status = reader.wait_status(connected=False)
    assert status.retry_in is not None
    assert status.retry_in >= 15
    reader.stream.close()
    assert reader.done.wait(1.0)


def test_close_before_iterating_yields_nothing(server: live.LiveServer) -> None:
    stream = events.EventStream(server.base_url, secret=server.device_keys["display-1"])
    stream.close()
    assert list(stream) == []


def test_filters_by_counter_and_by_service(
    server: live.LiveServer, clients: Clients, readers: Readers
) -> None:
    key = server.device_keys["display-1"]
    start = _start_point(clients)
    by_counter = readers(server.base_url, secret=key, counters=[1], last_event_id=start)
    by_service = readers(server.base_url, secret=key, services=[2], last_event_id=start)
    canbo1, canbo2, kiosk = clients.officer("canbo1"), clients.officer("canbo2"), clients.device("kiosk-1")

    canbo1.open_counter(1)
    canbo2.open_counter(2)
    kiosk.issue_ticket(1)
    kiosk.issue_ticket(2)
    kiosk.report_device_status(fault="Kẹt giấy")  # centre-wide: every stream gets it
    canbo1.call_next(1)
    canbo2.call_next(2)
    canbo1.pause_counter(1)

    seen = [(e["type"], e["counter_id"], e["service_id"]) for e in by_counter.take(4)]
    assert seen == [
        ("counter.opened", 1, None),
        ("device.status", None, None),
        ("ticket.called", 1, 1),
        ("counter.paused", 1, None),
    ]
    seen = [(e["type"], e["counter_id"], e["service_id"]) for e in by_service.take(3)]
    assert seen == [("ticket.issued", None, 2), ("device.status", None, None), ("ticket.called", 2, 2)]


def test_a_silent_connection_is_replaced(server: live.LiveServer, clients: Clients, readers: Readers) -> None:
    # Shorter than the server's heartbeat: the stream takes the silence for a dead connection.
    reader = readers(
        server.base_url,
        secret=server.device_keys["display-1"],
        last_event_id=_start_point(clients),
        read_timeout=0.5,
        min_delay=0.05,
    )
    reader.wait_connected()
    dropped = reader.wait_status(connected=False)
    assert "không phản hồi" in dropped.reason
    reader.wait_status(connected=True)
    tickets = _issue(clients.device("kiosk-1"), 2)
    got = reader.take(2)
    assert [e["payload"]["number"] for e in got] == [t["number"] for t in tickets]
    assert reader.events.empty()


def test_a_server_error_is_waited_out(
    server: live.LiveServer, readers: Readers, proxy: tcpproxy.Proxy
) -> None:
    proxy.canned = [tcpproxy.http_reply("502 Bad Gateway", b"upstream is restarting", "text/plain")]
    reader = readers(proxy.base_url, secret=server.device_keys["display-1"], min_delay=0.05)
    status = reader.wait_status(connected=False)
    assert status.reason.startswith("Không kết nối được máy chủ")
    assert "502" in status.reason
    reader.wait_status(connected=True)


def test_a_cut_connection_is_resumed(
    server: live.LiveServer, clients: Clients, readers: Readers, proxy: tcpproxy.Proxy
) -> None:
    reader = readers(
        proxy.base_url, secret=server.device_keys["display-1"], last_event_id=_start_point(clients)
    )
    kiosk = clients.device("kiosk-1")  # straight to the server, not through the relay
    _issue(kiosk, 1)
    first = reader.take(1)
    proxy.cut()
    reader.wait_status(connected=False)
    later = _issue(kiosk, 2)
    reader.wait_status(connected=True)
    got = reader.take(2)
    assert [e["payload"]["number"] for e in got] == [t["number"] for t in later]
    assert got[0]["id"] > first[0]["id"]


@pytest.mark.parametrize("secret", [None, "khoa-sai"])
def test_unauthorized_is_raised_not_retried(
    server: live.LiveServer, readers: Readers, secret: str | None
) -> None:
    reader = readers(server.base_url, secret=secret)
    assert reader.done.wait(5)
    assert isinstance(reader.error, errors.Unauthorized)
    assert reader.stream.status.connected is False
    assert reader.stream.status.reason == reader.error.message


def test_a_bad_request_is_raised(server: live.LiveServer, readers: Readers) -> None:
    reader = readers(server.base_url, secret=server.device_keys["display-1"], last_event_id="abc")
    assert reader.done.wait(5)
    assert isinstance(reader.error, domain.InvalidValue)
    assert reader.error.field == "last-event-id"


def test_backoff_grows_to_its_cap(closed_port: int) -> None:
    waits: list[float] = []
    statuses: list[events.Status] = []
    made: list[events.EventStream] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 10:
            made[0].close()

    stream = events.EventStream(
        f"http://127.0.0.1:{closed_port}", on_status=statuses.append, sleep=sleep, rng=random.Random(7)
    )
    made.append(stream)
    assert list(stream) == []
    ceilings = [min(events.MAX_DELAY, events.MIN_DELAY * 2**n) for n in range(10)]
    assert all(c / 2 <= w <= c for w, c in zip(waits, ceilings, strict=True))
    assert waits[-1] >= events.MAX_DELAY / 2
    assert [s.retry_in for s in statuses if s.retry_in is not None] == waits
    assert statuses[-1] == events.Status(connected=False, reason=events.STOPPED)


def test_backoff_formula() -> None:
    rng = random.Random(1)
    for attempt in range(40):
        ceiling = min(10.0, 0.5 * 2**attempt)
        assert ceiling / 2 <= events.backoff(attempt, base=0.5, cap=10.0, rng=rng) <= ceiling


def test_a_stream_refused_as_one_too_many_waits_as_long_as_the_server_asks(
    tmp_path: pathlib.Path, database_url: str, clock: live.Clock
) -> None:
    from tests.apiclient.conftest import Reader

    waits: list[float] = []
    with live.run_server(
        data_dir=tmp_path / "data", database_url=database_url, clock=clock, max_streams_per_caller=1
    ) as srv:
        key = srv.device_keys["display-1"]
        first = Reader(srv.base_url, secret=key)
        first.wait_status(connected=True)
        # Waits are recorded, not slept: the second stream tries again at once, and is refused again.
        second = Reader(srv.base_url, secret=key, sleep=waits.append)
        try:
            refused = second.wait_status(connected=False)
            assert "quá nhiều kết nối" in refused.reason
            assert "(mã 429)" in refused.reason
            assert refused.retry_in is not None
            assert refused.retry_in >= 30  # the server's Retry-After, not the client's 0.5 s backoff
            assert waits
            assert waits[0] >= 30
        finally:
            second.close()
            first.close()
