"""How soon does every display see a call? SSE fan-out latency under a steady calling pace.

Starts the server in its own process on a fresh database; an officer opens a counter, a
kiosk issues M tickets for one of its services, then K event streams (GET /api/v1/events
with a display's device key, one thread and one connection each) subscribe. The officer
then calls the next ticket M times, one call every I ms (call-next, start, finish). For
each call and each stream, the latency is the time from just before call-next is sent to
the moment that stream receives the matching `ticket.called` event. Prints p50/p95/max
over all (call x stream) samples (goal: p95 <= 100 ms) and the missed events (must be 0).

    .venv/bin/python benchmarks/event_latency.py [--streams 50] [--calls 100] [--interval-ms 50]
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import math
import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence

import _launch
import httpx

P95_GOAL_MS = 100.0


@dataclasses.dataclass(frozen=True)
class SseEvent:
    kind: str  # the `event:` field; "" for a comment
    data: str
    comment: str
    seen: float  # perf_counter when its first line arrived


def parse_sse(lines: Iterable[str]) -> Iterator[SseEvent]:
    """Server-sent events from a stream's lines; a comment line is an event of its own."""
    kind, data, seen = "", "", 0.0
    for text in lines:
        now = time.perf_counter()
        if text.startswith(":"):
            yield SseEvent(kind="", data="", comment=text[1:].strip(), seen=now)
            continue
        if not text:  # the blank line ends an event
            if kind or data:
                yield SseEvent(kind=kind, data=data, comment="", seen=seen)
            kind, data, seen = "", "", 0.0
            continue
        seen = seen or now  # the event's first line: when its bytes came in
        field, _, value = text.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            kind = value
        elif field == "data":
            data = f"{data}\n{value}" if data else value


@dataclasses.dataclass
class Stream:
    index: int
    connected: threading.Event = dataclasses.field(default_factory=threading.Event)
    received: dict[int, float] = dataclasses.field(default_factory=dict)  # ticket id -> perf_counter
    duplicates: int = 0
    error: str = ""

    def take(self, event: SseEvent) -> None:
        if event.comment == "connected":
            self.connected.set()
        elif event.kind == "ticket.called":
            ticket_id = int(json.loads(event.data)["payload"]["ticket_id"])
            if ticket_id in self.received:
                self.duplicates += 1
            else:
                self.received[ticket_id] = event.seen


def listen(
    stream: Stream, *, url: str, key: str, expected: int, stop: threading.Event, read_timeout: float
) -> None:
    """Read one SSE stream until `expected` ticket.called events arrived or `stop` is set."""
    headers = {"Authorization": f"Bearer {key}", "Accept": "text/event-stream"}
    timeout = httpx.Timeout(10.0, read=read_timeout)
    try:
        with (
            httpx.Client(timeout=timeout, trust_env=False) as client,
            client.stream("GET", url, headers=headers) as reply,
        ):
            if reply.status_code != 200:
                stream.error = f"HTTP {reply.status_code}"
                return
            for event in parse_sse(reply.iter_lines()):
                stream.take(event)
                if len(stream.received) >= expected or stop.is_set():
                    return
    except httpx.HTTPError as exc:
        if not stop.is_set():
            stream.error = repr(exc)
    finally:
        stream.connected.set()  # never leave the main thread waiting on a dead stream


@dataclasses.dataclass
class Calls:
    sent: dict[int, float] = dataclasses.field(default_factory=dict)  # ticket id -> t0 of call-next
    round_trips: list[float] = dataclasses.field(default_factory=list)
    elapsed: float = 0.0
    error: str = ""


def prepare_queue(officer: httpx.Client, kiosk: httpx.Client, args: argparse.Namespace) -> None:
    """The officer signs in and opens the counter; the kiosk issues one ticket per call."""
    login = officer.post("/auth/login", json={"username": "canbo1", "password": _launch.password()})
    login.raise_for_status()
    officer.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    officer.post(f"/counters/{args.counter}/open").raise_for_status()
    for _ in range(args.calls):
        kiosk.post("/tickets", json={"service_id": args.service}).raise_for_status()


def call_tickets(officer: httpx.Client, args: argparse.Namespace) -> Calls:
    """call-next, start, finish; one call every --interval-ms."""
    calls = Calls()
    interval = args.interval_ms / 1000
    begin = time.perf_counter()
    for k in range(args.calls):
        pause = begin + k * interval - time.perf_counter()
        if pause > 0:
            time.sleep(pause)  # the pace of the calls, not a wait for a condition
        t0 = time.perf_counter()
        reply = officer.post(f"/counters/{args.counter}/call-next")
        calls.round_trips.append(time.perf_counter() - t0)
        if reply.status_code != 200:
            calls.error = f"call-next #{k + 1}: HTTP {reply.status_code} {reply.text[:200]}"
            break
        ticket_id = int(reply.json()["id"])
        calls.sent[ticket_id] = t0
        officer.post(f"/tickets/{ticket_id}/start").raise_for_status()
        officer.post(f"/tickets/{ticket_id}/finish").raise_for_status()
    calls.elapsed = time.perf_counter() - begin
    return calls


def report(streams: list[Stream], calls: Calls) -> int:
    samples: list[float] = []
    missed = duplicates = 0
    for s in streams:
        duplicates += s.duplicates
        for ticket_id, t0 in calls.sent.items():
            if ticket_id in s.received:
                samples.append((s.received[ticket_id] - t0) * 1000)
            else:
                missed += 1
    errors = [s.error for s in streams if s.error]
    rtt = [x * 1000 for x in calls.round_trips]
    p95 = _launch.percentile(samples, 0.95)
    print(
        f"calls: {len(calls.sent)} in {calls.elapsed:.2f} s; call-next round trip "
        f"p50 {_launch.percentile(rtt, 0.5):.1f} ms, p95 {_launch.percentile(rtt, 0.95):.1f} ms"
    )
    print(
        f"event latency over {len(samples)} (call × stream) samples: "
        f"p50 {_launch.percentile(samples, 0.5):.1f} ms  p95 {p95:.1f} ms  "
        f"p99 {_launch.percentile(samples, 0.99):.1f} ms  max {max(samples, default=math.nan):.1f} ms"
        f"  (goal p95 ≤ {P95_GOAL_MS:g} ms: {'met' if p95 <= P95_GOAL_MS else 'NOT met'})"
    )
    spreads = []  # per call: from the first stream to the last one that got it
    for ticket_id in calls.sent:
        seen = [s.received[ticket_id] for s in streams if ticket_id in s.received]
        if seen:
            spreads.append((max(seen) - min(seen)) * 1000)
    print(
        f"fan-out spread per call (last stream minus first stream): "
        f"p50 {_launch.percentile(spreads, 0.5):.1f} ms  p95 {_launch.percentile(spreads, 0.95):.1f} ms"
    )
    print(f"missed events: {missed}   duplicate events: {duplicates}   stream errors: {len(errors)}")
    for problem in [calls.error, *errors[:1]]:
        if problem:
            print(f"error: {problem}")
    return 0 if missed == 0 and duplicates == 0 and not errors and not calls.error else 1


def run(args: argparse.Namespace) -> int:
    # A 1 s heartbeat lets idle readers notice the stop flag promptly at the end.
    heartbeat = 1.0
    with _launch.running_server(
        args.database_url, keep_data=args.keep_data, heartbeat_seconds=heartbeat
    ) as server:
        kiosk_key = server.device_keys["kiosk-1"]
        with (
            httpx.Client(base_url=server.api, timeout=30, trust_env=False) as officer,
            httpx.Client(
                base_url=server.api,
                timeout=30,
                trust_env=False,
                headers={"Authorization": f"Bearer {kiosk_key}"},
            ) as kiosk,
        ):
            prepare_queue(officer, kiosk, args)
            stop = threading.Event()
            streams = [Stream(i) for i in range(args.streams)]
            listener = functools.partial(
                listen,
                url=f"{server.api}/events",
                key=server.device_keys["display-1"],
                expected=args.calls,
                stop=stop,
                read_timeout=heartbeat * 5 + 10,
            )
            calls = Calls()
            threads = [
                threading.Thread(target=listener, args=(s,), name=f"sse-{s.index}", daemon=True)
                for s in streams
            ]
            try:
                for thread in threads:
                    thread.start()
                deadline = time.monotonic() + 30
                for s in streams:
                    s.connected.wait(max(0.0, deadline - time.monotonic()))
                broken = [s for s in streams if s.error or not s.connected.is_set()]
                if broken:
                    print(f"{len(broken)} stream(s) failed to connect: {broken[0].error or 'timeout'}")
                    return 1
                print(
                    f"server: pid {server.pid}, Uvicorn, 1 process, {server.database_url}\n"
                    f"{args.streams} SSE streams connected (display key, one thread and connection each); "
                    f"{args.calls} calls at counter {args.counter}, one every {args.interval_ms:g} ms "
                    f"(call-next, start, finish)\n{os.cpu_count()} CPU core(s) shared by server and client; "
                    f"load average {os.getloadavg()[0]:.2f} at start"
                )
                calls = call_tickets(officer, args)
                deadline = time.monotonic() + args.drain_seconds
                for thread in threads:
                    thread.join(max(0.0, deadline - time.monotonic()))
            finally:
                stop.set()
                deadline = time.monotonic() + heartbeat * 3
                for thread in threads:  # idle readers see the flag at the next heartbeat
                    thread.join(max(0.0, deadline - time.monotonic()))
    return report(streams, calls)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--streams", type=int, default=50, help="subscribed SSE streams (default 50)")
    parser.add_argument("--calls", type=int, default=100, help="call-next operations (default 100)")
    parser.add_argument(
        "--interval-ms", type=float, default=50.0, help="pace: one call every this many ms (default 50)"
    )
    parser.add_argument("--counter", type=int, default=1, help="counter to call at (default 1)")
    parser.add_argument("--service", type=int, default=1, help="a service of that counter (default 1)")
    parser.add_argument(
        "--drain-seconds", type=float, default=5.0, help="wait this long for late events (default 5)"
    )
    _launch.add_server_options(parser)
    args = parser.parse_args(argv)
    if not 1 <= args.streams <= 500 or not 1 <= args.calls <= 10_000 or not 0 <= args.interval_ms <= 60_000:
        parser.error("--streams must be in [1, 500], --calls in [1, 10000], --interval-ms in [0, 60000]")
    return run(args)


if __name__ == "__main__":
    _launch.run_main(main, interrupted="interrupted; the server process has been stopped")
