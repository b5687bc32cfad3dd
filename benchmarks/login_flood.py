"""Does ticket issue stay fast while the sign-in is flooded and hundreds of screens listen?

Starts the server in its own process on a fresh database, adds kiosks and display devices
straight in the database, then measures POST /api/v1/tickets (a steady pace from a few kiosk
keys, as kiosks tap) in phases of S seconds:

  quiet                      nothing else
  F login flooders           each from its own loopback address (127.0.P.x: fresh ones per
                             phase), hammering a known username with wrong passwords,
                             ignoring Retry-After
  F flooders, unknown names  the same with a new unknown username each time
  N event streams            GET /api/v1/events held open by N display devices, one key each
  streams + flooders         both at once

and prints p50/p95/max per phase and their ratio to the quiet phase, what the flooders were
answered, and the server's CPU. Linux routes all of 127.0.0.0/8 to lo, so the server sees
each flooder as a machine of its own.

    .venv/bin/python benchmarks/login_flood.py [--seconds 30] [--flooders 8] [--streams 500]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import dataclasses
import itertools
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence

import _launch
import httpx
from ticket_rate import cpu_seconds

FLOODED_USER = "canbo1"
KIOSK_GAP_SECONDS = 4.0  # one kiosk issues at most this often: a citizen needs seconds per tap


def add_devices(database_url: str, kind: str, prefix: str, count: int, *, centre: int) -> list[str]:
    """``count`` devices of ``centre``, written straight to the database; their keys."""
    from onestop.enums import DeviceKind
    from server import auth
    from server.db import open_database

    db = open_database(database_url)
    try:
        with db.write() as session:
            return [
                auth.create_device(
                    session, name=f"{prefix}-{n:03d}", kind=DeviceKind(kind), centre_id=centre
                )[1]
                for n in range(count)
            ]
    finally:
        db.dispose()


def centres(database_url: str) -> tuple[int, int]:
    """The demo centre, and a second one (another commune's screens), added straight."""
    import sqlalchemy as sa

    from server import models
    from server.db import open_database

    db = open_database(database_url)
    try:
        with db.write() as session:
            first = session.scalar(sa.select(models.Centre.id).order_by(models.Centre.id).limit(1))
            assert first is not None
            other = models.Centre(code="BENCH-XA", name="Trung tâm xã (đo tải)", agency_code="000.00.00.H99")
            session.add(other)
            session.flush()
            return first, other.id
    finally:
        db.dispose()


@dataclasses.dataclass
class Issued:
    latencies_ms: list[float] = dataclasses.field(default_factory=list)
    errors: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)


def issue_tickets(
    api: str, keys: list[str], service_ids: list[int], *, rate: float, threads: int, seconds: float
) -> Issued:
    """Tickets at a steady ``rate`` per second for ``seconds``, the kiosks taking turns."""
    issued, lock = Issued(), threading.Lock()
    turns = itertools.cycle(range(len(keys)))
    end = time.perf_counter() + seconds

    def kiosk(index: int) -> None:
        period = threads / rate
        due = time.perf_counter() + index * period / threads
        with httpx.Client(base_url=api, timeout=60, trust_env=False) as client:
            for i in itertools.count():
                now = time.perf_counter()
                if due > now:
                    time.sleep(due - now)  # the pace of the kiosks, not a wait for a condition
                if time.perf_counter() >= end:
                    return
                due += period
                with lock:
                    key = keys[next(turns)]
                body = {"service_id": service_ids[(index + i) % len(service_ids)]}
                t0 = time.perf_counter()
                try:
                    reply = client.post("/tickets", json=body, headers={"Authorization": f"Bearer {key}"})
                    outcome = "" if reply.status_code == 201 else f"HTTP {reply.status_code}"
                except httpx.HTTPError as exc:
                    outcome = type(exc).__name__
                took = (time.perf_counter() - t0) * 1000
                with lock:
                    if outcome:
                        issued.errors[outcome] += 1
                    else:
                        issued.latencies_ms.append(took)

    workers = [threading.Thread(target=kiosk, args=(n,), daemon=True) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return issued


class Flood:
    """``count`` clients, each bound to its own loopback address, signing in as fast as answered."""

    def __init__(self, api: str, count: int, block: int, *, known: bool) -> None:
        self.api, self.count, self.block, self.known = api, count, block, known
        self.answers: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def _run(self, index: int) -> None:
        transport = httpx.HTTPTransport(local_address=f"127.0.{self.block}.{10 + index}")
        with httpx.Client(base_url=self.api, transport=transport, timeout=60, trust_env=False) as client:
            for n in itertools.count():
                if self._stop.is_set():
                    return
                username = FLOODED_USER if self.known else f"khach-{self.block}-{index}-{n}"
                try:
                    reply = client.post("/auth/login", json={"username": username, "password": f"sai-{n}"})
                    outcome = str(reply.status_code)
                except httpx.HTTPError as exc:
                    outcome = type(exc).__name__
                with self._lock:
                    self.answers[outcome] += 1

    @contextlib.contextmanager
    def running(self) -> Iterator[Flood]:
        self._threads = [
            threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(self.count)
        ]
        for thread in self._threads:
            thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            for thread in self._threads:
                thread.join(timeout=90)


class Streams:
    """Event streams held open by display devices, one key each, read and thrown away (asyncio
    in a thread of its own: 500 threads would cost the machine more than the server)."""

    def __init__(self, base_url: str, keys: list[str], centre: int) -> None:
        url = httpx.URL(base_url)
        self.host, self.port, self.keys = url.host, url.port or 80, keys
        self.path = f"/api/v1/events?centre_id={centre}"
        self.statuses: collections.Counter[str] = collections.Counter()
        self.received = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._tasks: list[asyncio.Task[None]] = []

    async def _one(self, key: str) -> None:
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        except OSError as exc:
            self.statuses[type(exc).__name__] += 1
            return
        try:
            writer.write(
                f"GET {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Authorization: Bearer {key}\r\nAccept: text/event-stream\r\n\r\n".encode()
            )
            status = (await reader.readline()).split(b" ")
            self.statuses[status[1].decode() if len(status) > 1 else "closed"] += 1
            while chunk := await reader.read(65536):
                self.received += len(chunk)
        except (OSError, asyncio.IncompleteReadError) as exc:
            self.statuses[type(exc).__name__] += 1
        finally:
            writer.close()

    async def _open_all(self) -> None:
        self._tasks = [asyncio.create_task(self._one(key)) for key in self.keys]

    @contextlib.contextmanager
    def open(self, timeout: float = 120.0) -> Iterator[Streams]:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._open_all(), self._loop).result()
        deadline = time.monotonic() + timeout
        while self.statuses.total() < len(self.keys) and time.monotonic() < deadline:
            time.sleep(0.1)  # polling the streams' answers, with a deadline
        try:
            yield self
        finally:

            async def close() -> None:
                for task in self._tasks:
                    task.cancel()
                await asyncio.gather(*self._tasks, return_exceptions=True)

            asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=60)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)


@dataclasses.dataclass
class Row:
    """One phase, pooled over the rounds."""

    name: str
    issued: Issued = dataclasses.field(default_factory=Issued)
    seconds: float = 0.0
    server_cpu_seconds: float = 0.0
    logins: collections.Counter[str] | None = None
    streams: collections.Counter[str] | None = None

    def measure(
        self,
        pid: int,
        seconds: float,
        issue: Callable[[float], Issued],
        *,
        flood: Flood | None = None,
        streams: Streams | None = None,
    ) -> None:
        cpu0, t0 = cpu_seconds(pid), time.perf_counter()
        issued = issue(seconds)
        self.server_cpu_seconds += cpu_seconds(pid) - cpu0
        self.seconds += time.perf_counter() - t0
        self.issued.latencies_ms += issued.latencies_ms
        self.issued.errors += issued.errors
        if flood is not None:
            self.logins = (self.logins or collections.Counter()) + flood.answers
        if streams is not None:  # how each turn's streams were answered: the same every turn
            self.streams = collections.Counter(streams.statuses)


def table(rows: list[Row]) -> str:
    quiet = rows[0].issued.latencies_ms
    q50, q95 = _launch.percentile(quiet, 0.5), _launch.percentile(quiet, 0.95)
    lines = [
        f"{'phase':<30}{'tickets':>8}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}"
        f"{'p50/quiet':>10}{'p95/quiet':>10}{'server CPU':>11}  other clients were answered",
    ]
    for row in rows:
        ms = row.issued.latencies_ms
        p50, p95 = _launch.percentile(ms, 0.5), _launch.percentile(ms, 0.95)
        notes = []
        if row.logins is not None:
            rate = row.logins.total() / row.seconds
            notes.append(
                f"logins {rate:.0f}/s: " + " ".join(f"{k}×{v}" for k, v in sorted(row.logins.items()))
            )
        if row.streams is not None:
            notes.append("streams: " + " ".join(f"{k}×{v}" for k, v in sorted(row.streams.items())))
        if row.issued.errors:
            notes.append("ticket errors: " + " ".join(f"{k}×{v}" for k, v in row.issued.errors.items()))
        cpu = row.server_cpu_seconds / row.seconds
        lines.append(
            f"{row.name:<30}{len(ms):>8}{p50:>8.1f}{p95:>8.1f}{max(ms, default=float('nan')):>8.1f}"
            f"{p50 / q50:>9.2f}×{p95 / q95:>9.2f}×{cpu:>11.0%}  {'; '.join(notes)}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each phase (default 30)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="the phases take turns this many times, so a load "
        "that drifts on the machine weighs on every phase alike (default 3)",
    )
    parser.add_argument("--flooders", type=int, default=8, help="login flooders (default 8)")
    parser.add_argument("--streams", type=int, default=500, help="open event streams (default 500)")
    parser.add_argument(
        "--streams-centre",
        choices=("other", "same"),
        default="other",
        help="the screens belong to another centre, as most of a province's do (default), or all to "
        "the centre issuing the tickets (each ticket then reaches every stream)",
    )
    parser.add_argument("--rate", type=float, default=10.0, help="tickets per second (default 10)")
    _launch.add_server_options(parser)
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 600 or not 1 <= args.flooders <= 200 or not 0 < args.rate <= 100:
        parser.error("--seconds in (0, 600], --flooders in [1, 200], --rate in (0, 100]")
    if not 1 <= args.rounds <= 20:
        parser.error("--rounds in [1, 20]")

    with _launch.running_server(args.database_url, keep_data=args.keep_data) as server:
        issuing, other = centres(server.database_url)
        screens = issuing if args.streams_centre == "same" else other
        kiosk_count = int(args.rate * KIOSK_GAP_SECONDS) + 1
        kiosks = add_devices(server.database_url, "kiosk", "bench-kiosk", kiosk_count, centre=issuing)
        displays = add_devices(server.database_url, "display", "bench-display", args.streams, centre=screens)
        with httpx.Client(base_url=server.api, trust_env=False) as client:
            service_ids = [int(s["id"]) for s in client.get("/services").raise_for_status().json()]
        slice_seconds = args.seconds / args.rounds
        print(
            f"server: pid {server.pid}, Uvicorn, 1 process, {server.database_url}\n"
            f"tickets: {args.rate:g}/s from {len(kiosks)} kiosk keys over {len(service_ids)} services; "
            f"{args.seconds:g} s per phase in {args.rounds} turns of {slice_seconds:g} s; streams of "
            f"{'the same' if screens == issuing else 'another'} centre's screens; {os.cpu_count()} CPU "
            f"core(s) shared with the clients; load average {os.getloadavg()[0]:.2f} at start"
        )

        def issue(seconds: float) -> Issued:
            return issue_tickets(server.api, kiosks, service_ids, rate=args.rate, threads=2, seconds=seconds)

        issue(2.0)  # warm up: connections, caches
        names = ["quiet", f"{args.flooders} login flooders", f"{args.flooders} flooders, unknown names"]
        names += [f"{args.streams} event streams", "streams + login flooders"]
        rows = [Row(name) for name in names]
        pid, n = server.pid, args.flooders
        # Each flooding phase keeps its own addresses (127.0.<phase>.x) from turn to turn: one
        # persistent attacker per phase, as in a single phase of --seconds.
        for _ in range(args.rounds):
            rows[0].measure(pid, slice_seconds, issue)
            for phase, known in ((1, True), (2, False)):
                with Flood(server.api, n, phase, known=known).running() as flood:
                    rows[phase].measure(pid, slice_seconds, issue, flood=flood)
            with Streams(server.base_url, displays, screens).open() as streams:
                rows[3].measure(pid, slice_seconds, issue, streams=streams)
                with Flood(server.api, n, 4, known=True).running() as flood:
                    rows[4].measure(pid, slice_seconds, issue, flood=flood, streams=streams)
        print(table(rows))
    return 0


if __name__ == "__main__":
    _launch.run_main(main, interrupted="interrupted; the server process has been stopped")
