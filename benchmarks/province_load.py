"""A province on one server: PostgreSQL with several Uvicorn workers, under a busy morning x10.

Prepares one database with --centres centres (each the demo catalogue: 6 services, 8 counters),
per centre 2 kiosk keys, 2 display keys and 8 officers (see _province.py), starts the server as
`qms-server run --workers N`, has every officer open their counter, then drives it from this
process (asyncio + httpx, one keep-alive client per centre):

  * per centre 2 boards, each holding GET /api/v1/events?centre_id=<centre>, and 8 counters,
    each holding its own stream filtered as the counter app does (counters=<its id>,
    services=<its services>): 12 streams a centre, 1,800 for 150 centres;
  * kiosks issuing tickets open-loop (Poisson arrivals) at a busy centre's morning rate
    (300 tickets in 4 hours) x --rate-multiplier, over all centres, spread over the services;
  * officers: when their stream shows someone waiting for one of their services, after a
    moment's reaction, call-next; then start and, after 1-4 s at the desk, finish.

Over --seconds after --warm-up seconds it measures issue and call-next latency, throughput
against the target, the delay from each ticket.called event's created_at (server clock, same
machine) to its arrival on each board of the centre (and from the call-next reply's arrival),
errors (non-2xx, transport errors, dropped streams; call-next's 204 "nobody waiting" is counted
apart) and the server's memory (summed RSS of its processes, via /proc). At the end it checks
that each centre's service numbers are 1..n with no duplicate and exactly the ones the kiosks
were given, and that every board received every call of its centre once, in order.

It runs PostgreSQL (--workers, default 4) and then the same load on 1-worker SQLite
(--skip-sqlite to leave it out) and prints both and their ratios.

    .venv/bin/python benchmarks/province_load.py [--centres 150] [--seconds 120]
        [--rate-multiplier 10] [--workers 4] [--database-url URL] [--skip-sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import dataclasses
import datetime as dt
import json
import math
import os
import pathlib
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import _launch
import _province
import httpx

from tests import live

BUSY_MORNING_TICKETS = 300  # a busy centre's morning ...
BUSY_MORNING_SECONDS = 4 * 3600  # ... of 4 hours
REACTION_SECONDS = (0.2, 1.0)  # an officer sees the waiting count change, then presses "call"
DESK_SECONDS = (1.0, 4.0)  # from start to finish at the desk
CONNECT_AT_ONCE = 50  # streams opening at the same time while connecting
MAX_IN_FLIGHT = 2_000  # issue requests outstanding at once; beyond that an arrival is skipped
DRAIN_SECONDS = 20.0
REQUEST_TIMEOUT = 60.0  # a reply (or a stream's next line) later than this counts as an error
BOARD_DRAIN_SECONDS = 90.0
QUIET_SECONDS = 3.0
WATCHDOG_SECONDS = 240.0  # the end of a run takes at most ~180 s (timeouts, drains)
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def vn(value: float, digits: int = 1) -> str:
    """A number the Vietnamese way: dot between thousands, comma before decimals."""
    if math.isnan(value):
        return "–"
    return f"{value:,.{digits}f}".translate(str.maketrans(",.", ".,"))


# ---------------------------------------------------------------- what is recorded


@dataclasses.dataclass
class Timed:
    at: float  # monotonic time the request was sent
    ms: float
    status: int  # HTTP status; 0 for a transport error


@dataclasses.dataclass
class Stream:
    """One open event stream: what it received and how often it dropped."""

    name: str
    connected: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    last_id: int | None = None
    first_id: int | None = None  # the resume point of its first connection
    drops: int = 0
    called: list[tuple[int, int]] = dataclasses.field(default_factory=list)  # (event id, ticket id)


@dataclasses.dataclass
class Desk:
    plan: _province.CounterPlan
    centre: int
    stream: Stream
    wake: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    waiting: int = 0  # from its stream: issued minus called for its services


@dataclasses.dataclass
class Record:
    issues: list[Timed] = dataclasses.field(default_factory=list)
    calls: list[Timed] = dataclasses.field(default_factory=list)
    actions: list[Timed] = dataclasses.field(default_factory=list)  # start and finish
    # (monotonic arrival, ms since the event's created_at, ticket id, time.time() of arrival)
    deliveries: list[tuple[float, float, int, float]] = dataclasses.field(default_factory=list)
    reply_wall: dict[int, float] = dataclasses.field(default_factory=dict)  # ticket id -> time.time()
    issued: list[tuple[int, str]] = dataclasses.field(default_factory=list)  # (service id, number)
    errors: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    timeouts: int = 0  # of the errors counted as "transport": no reply within the client's timeout
    statuses: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    first_errors: list[str] = dataclasses.field(default_factory=list)
    skipped: int = 0

    def transport(self, exc: httpx.HTTPError, where: str) -> None:
        self.timeouts += isinstance(exc, httpx.TimeoutException)
        self.error("transport", f"{where}: {exc!r}")

    def refused(self, what: str, reply: httpx.Response) -> None:
        self.statuses[f"{what} → HTTP {reply.status_code}"] += 1
        self.error("http", f"{what}: HTTP {reply.status_code} {reply.text[:200]}")

    def error(self, kind: str, text: str) -> None:
        self.errors[kind] += 1
        if len(self.first_errors) < 5:
            self.first_errors.append(text[:300])


# ---------------------------------------------------------------- the event streams


async def follow(
    client: httpx.AsyncClient,
    stream: Stream,
    *,
    key: str,
    params: dict[str, str],
    take: Callable[[str, dict[str, Any], float], None],
    record: Record,
) -> None:
    """Hold one event stream until cancelled; on a drop, resume after the last id (as the apps do)."""
    while True:
        headers = {"Authorization": f"Bearer {key}", "Accept": "text/event-stream"}
        if stream.last_id is not None:
            headers["Last-Event-ID"] = str(stream.last_id)
        try:
            async with client.stream("GET", "/events", params=params, headers=headers) as reply:
                if reply.status_code != 200:
                    record.error("stream", f"{stream.name}: HTTP {reply.status_code}")
                else:
                    await _read(reply, stream, take)
        except httpx.HTTPError as exc:
            record.error("stream", f"{stream.name}: {exc!r}")
        stream.drops += 1
        await asyncio.sleep(1.0)  # the server's retry: 1000 ms


async def _read(
    reply: httpx.Response, stream: Stream, take: Callable[[str, dict[str, Any], float], None]
) -> None:
    kind = data = ""
    comment = False
    seen = 0.0
    async for line in reply.aiter_lines():
        if not line:  # the blank line ends an event
            if comment and stream.last_id is not None:
                stream.first_id = stream.first_id if stream.first_id is not None else stream.last_id
                stream.connected.set()
            elif kind and data:
                take(kind, json.loads(data), seen)
            kind = data = ""
            comment, seen = False, 0.0
            continue
        seen = seen or time.time()  # the event's first line: when its bytes came in
        if line.startswith(":"):
            comment = comment or line[1:].strip() == "connected"
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            kind = value
        elif field == "data":
            data = value
        elif field == "id":
            stream.last_id = int(value)


def board_taker(stream: Stream, record: Record) -> Callable[[str, dict[str, Any], float], None]:
    def take(kind: str, row: dict[str, Any], seen: float) -> None:
        if kind != "ticket.called":
            return
        ticket_id = int(row["payload"]["ticket_id"])
        stream.called.append((int(row["id"]), ticket_id))
        created = dt.datetime.fromisoformat(row["created_at"]).timestamp()
        record.deliveries.append((time.monotonic(), (seen - created) * 1000, ticket_id, seen))

    return take


def desk_taker(desk: Desk) -> Callable[[str, dict[str, Any], float], None]:
    mine = set(desk.plan.service_ids)

    def take(kind: str, row: dict[str, Any], seen: float) -> None:
        if row["service_id"] not in mine:
            return
        if kind == "ticket.issued":
            desk.waiting += 1
            desk.wake.set()
        elif kind == "ticket.called":
            desk.waiting = max(0, desk.waiting - 1)

    return take


# ---------------------------------------------------------------- the kiosks and the officers


async def timed(
    client: httpx.AsyncClient, path: str, key: str, body: dict[str, Any] | None, into: list[Timed]
) -> httpx.Response:
    t0 = time.monotonic()
    try:
        reply = await client.post(path, json=body, headers={"Authorization": f"Bearer {key}"})
    except httpx.HTTPError:
        into.append(Timed(t0, (time.monotonic() - t0) * 1000, 0))
        raise
    into.append(Timed(t0, (time.monotonic() - t0) * 1000, reply.status_code))
    return reply


async def issue(
    client: httpx.AsyncClient, centre: _province.CentrePlan, rng: random.Random, record: Record
) -> None:
    service_id = rng.choice(centre.service_ids)
    key = rng.choice(centre.kiosk_keys)
    try:
        reply = await timed(client, "/tickets", key, {"service_id": service_id}, record.issues)
    except httpx.HTTPError as exc:
        record.transport(exc, "POST /tickets")
        return
    if reply.status_code != 201:
        record.refused("POST /tickets", reply)
        return
    record.issued.append((service_id, str(reply.json()["number"])))


async def kiosks(
    clients: dict[int, httpx.AsyncClient],
    centres: list[_province.CentrePlan],
    rate: float,
    until: float,
    record: Record,
) -> None:
    """Open loop: arrivals at ``rate`` a second (Poisson) whatever the replies' pace."""
    rng = random.Random(2025)
    running: set[asyncio.Task[None]] = set()
    due = time.monotonic()
    while True:
        due += rng.expovariate(rate)
        if due >= until:
            break
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        if len(running) >= MAX_IN_FLIGHT:
            record.skipped += 1
            continue
        centre = rng.choice(centres)
        task = asyncio.create_task(issue(clients[centre.id], centre, rng, record))
        running.add(task)
        task.add_done_callback(running.discard)
    if running:
        await asyncio.wait(running)


async def officer(
    client: httpx.AsyncClient, desk: Desk, stop: asyncio.Event, rng: random.Random, record: Record
) -> None:
    """Call when the stream shows someone waiting; start, serve a moment, finish; again."""
    key, counter = desk.plan.token, desk.plan.id
    while not stop.is_set():
        if desk.waiting <= 0:
            desk.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(desk.wake.wait(), 1.0)  # to look at `stop` now and then
            continue
        await asyncio.sleep(rng.uniform(*REACTION_SECONDS))
        if desk.waiting <= 0 or stop.is_set():
            continue
        try:
            reply = await timed(client, f"/counters/{counter}/call-next", key, None, record.calls)
            if reply.status_code == 204:  # another counter took the last one first
                desk.waiting = 0
                continue
            if reply.status_code != 200:
                record.refused("call-next", reply)
                await asyncio.sleep(1.0)
                continue
            ticket_id = int(reply.json()["id"])
            record.reply_wall[ticket_id] = time.time()
            await _serve(client, key, ticket_id, rng, record)
        except httpx.HTTPError as exc:
            record.transport(exc, f"counter {counter}")
            await asyncio.sleep(1.0)


async def _serve(
    client: httpx.AsyncClient, key: str, ticket_id: int, rng: random.Random, record: Record
) -> None:
    for action in ("start", "finish"):
        if action == "finish":
            await asyncio.sleep(rng.uniform(*DESK_SECONDS))
        reply = await timed(client, f"/tickets/{ticket_id}/{action}", key, None, record.actions)
        if reply.status_code != 200:
            record.refused(action, reply)
            return


async def open_counters(clients: dict[int, httpx.AsyncClient], centres: list[_province.CentrePlan]) -> None:
    gate = asyncio.Semaphore(16)

    async def open_one(client: httpx.AsyncClient, desk: _province.CounterPlan) -> None:
        async with gate:
            reply = await client.post(
                f"/counters/{desk.id}/open", headers={"Authorization": f"Bearer {desk.token}"}
            )
            reply.raise_for_status()

    await asyncio.gather(*(open_one(clients[c.id], d) for c in centres for d in c.counters))


# ---------------------------------------------------------------- one run


@dataclasses.dataclass
class Sampled:
    rss: list[int] = dataclasses.field(default_factory=list)
    processes: int = 0
    per_process: list[int] = dataclasses.field(default_factory=list)
    db_connections: list[int] = dataclasses.field(default_factory=list)


async def sample(pid: int, database_url: str, out: Sampled, stop: asyncio.Event) -> None:
    """Every second: the server's summed RSS and, on PostgreSQL, its connections to the database."""
    import sqlalchemy as sa

    url = sa.make_url(database_url)
    engine = None
    if url.get_backend_name() == "postgresql":
        engine = sa.create_engine(url.set(database="postgres"), pool_size=1)

    def connections() -> int:
        assert engine is not None
        with engine.connect() as conn:
            statement = sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = :db")
            return int(conn.scalar(statement, {"db": url.database}) or 0)

    try:
        while not stop.is_set():
            total, each, _ = await asyncio.to_thread(_province.tree_usage, pid)
            out.rss.append(total)
            if total >= max(out.rss):
                out.processes, out.per_process = len(each), each
            if engine is not None:
                with contextlib.suppress(sa.exc.OperationalError):  # the server may hold every slot
                    out.db_connections.append(await asyncio.to_thread(connections))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0)
    finally:
        if engine is not None:
            engine.dispose()


@dataclasses.dataclass
class Result:
    label: str
    centres: int
    streams: int
    target_rate: float
    window: tuple[float, float]
    record: Record
    boards: dict[int, list[Stream]]
    desks: list[Desk]
    idle_rss: int
    load: Sampled
    server_cpu: float  # cores' worth over the window
    client_cpu: float
    database_url: str
    log_path: pathlib.Path
    connect_seconds: float
    drain_seconds: float  # after the officers stopped, until the boards had every call
    cutoff: int  # the newest ticket.called event when the streams were closed

    def within(self, samples: list[Timed]) -> list[Timed]:
        return [s for s in samples if self.window[0] <= s.at < self.window[1]]


async def drive(
    server: _province.RunningServer,
    centres: list[_province.CentrePlan],
    args: argparse.Namespace,
    label: str,
    database_url: str,
) -> Result:
    record = Record()
    # Idle connections are dropped before Uvicorn's 5 s keep-alive closes them under a request.
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=64, keepalive_expiry=2.0)
    timeout = httpx.Timeout(30.0, read=REQUEST_TIMEOUT)  # a stream's heartbeat comes every 15 s
    clients = {
        c.id: httpx.AsyncClient(base_url=server.api, limits=limits, timeout=timeout, trust_env=False)
        for c in centres
    }
    tasks: list[asyncio.Task[None]] = []
    try:
        await open_counters(clients, centres)
        progress(f"{sum(len(c.counters) for c in centres)} quầy đã mở; đang mở các luồng sự kiện")
        idle_rss = (await asyncio.to_thread(_province.tree_usage, server.pid))[0]
        boards, desks = _streams(clients, centres, record, tasks)
        t0 = time.monotonic()
        everyone = [s for b in boards.values() for s in b] + [d.stream for d in desks]
        await _all_connected(everyone)
        connect_seconds = time.monotonic() - t0
        progress(f"{len(everyone)} luồng sự kiện đã kết nối sau {vn(connect_seconds)} s")
        measured = await _load(server, clients, centres, args, database_url, record, desks, boards, tasks)
        return Result(
            label=label,
            centres=len(centres),
            streams=len(everyone),
            record=record,
            boards=boards,
            desks=desks,
            idle_rss=idle_rss,
            database_url=database_url,
            log_path=server.log_path,
            connect_seconds=connect_seconds,
            **measured,
        )
    finally:
        progress("đóng các luồng và kết nối")
        for task in tasks:
            task.cancel()
        # Bounded: a cleanup that hangs must not keep the server (and its database slots) running.
        if tasks:
            await asyncio.wait(tasks, timeout=30)
        closing = [asyncio.create_task(c.aclose()) for c in clients.values()]
        await asyncio.wait(closing, timeout=30)


def _streams(
    clients: dict[int, httpx.AsyncClient],
    centres: list[_province.CentrePlan],
    record: Record,
    tasks: list[asyncio.Task[None]],
) -> tuple[dict[int, list[Stream]], list[Desk]]:
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)

    def hold(stream: Stream, opening: Coroutine[Any, Any, None]) -> None:
        async def run() -> None:
            async with gate:  # released once connected: the next ones open
                waiting = asyncio.create_task(stream.connected.wait())
                holder = asyncio.create_task(opening)
                await asyncio.wait({waiting, holder}, return_when=asyncio.FIRST_COMPLETED)
            await holder

        tasks.append(asyncio.create_task(run()))

    boards: dict[int, list[Stream]] = {}
    desks: list[Desk] = []
    for c in centres:
        client = clients[c.id]
        boards[c.id] = []
        for n, key in enumerate(c.board_keys, 1):
            stream = Stream(f"bảng {n} trung tâm {c.code}")
            boards[c.id].append(stream)
            take = board_taker(stream, record)
            hold(
                stream,
                follow(client, stream, key=key, params={"centre_id": str(c.id)}, take=take, record=record),
            )
        for plan in c.counters:
            desk = Desk(plan, c.id, Stream(f"quầy {plan.number} trung tâm {c.code}"))
            desks.append(desk)
            params = {"counters": str(plan.id), "services": ",".join(map(str, plan.service_ids))}
            hold(
                desk.stream,
                follow(
                    client, desk.stream, key=plan.token, params=params, take=desk_taker(desk), record=record
                ),
            )
    return boards, desks


async def _all_connected(streams: list[Stream]) -> None:
    deadline = time.monotonic() + 300
    for stream in streams:
        remaining = deadline - time.monotonic()
        try:
            await asyncio.wait_for(stream.connected.wait(), max(0.1, remaining))
        except TimeoutError:
            raise RuntimeError(f"{stream.name}: luồng sự kiện không kết nối được trong 300 s") from None


async def _load(  # noqa: PLR0917 (the run's parts, each named)
    server: _province.RunningServer,
    clients: dict[int, httpx.AsyncClient],
    centres: list[_province.CentrePlan],
    args: argparse.Namespace,
    database_url: str,
    record: Record,
    desks: list[Desk],
    boards: dict[int, list[Stream]],
    tasks: list[asyncio.Task[None]],
) -> dict[str, Any]:
    """Kiosks and officers for warm-up + window; the window's figures (the rest is in ``record``)."""
    rate = len(centres) * BUSY_MORNING_TICKETS / BUSY_MORNING_SECONDS * args.rate_multiplier
    start = time.monotonic()
    window = (start + args.warm_up, start + args.warm_up + args.seconds)
    stop_calls, stop_sampling = asyncio.Event(), asyncio.Event()
    load = Sampled()
    rng = random.Random(7)
    officers = [
        asyncio.create_task(officer(clients[d.centre], d, stop_calls, random.Random(rng.random()), record))
        for d in desks
    ]
    tasks.extend(officers)
    kiosk_task = asyncio.create_task(kiosks(clients, centres, rate, window[1], record))
    tasks.append(kiosk_task)
    await asyncio.sleep(max(0.0, window[0] - time.monotonic()))
    sampler = asyncio.create_task(sample(server.pid, database_url, load, stop_sampling))
    tasks.append(sampler)
    cpu0, client0 = _province.tree_usage(server.pid)[2], time.process_time()
    progress(f"đang đo {vn(args.seconds, 0)} s (đã khởi động {vn(args.warm_up, 0)} s)")
    await asyncio.sleep(max(0.0, window[1] - time.monotonic()))
    cpu1, client1 = _province.tree_usage(server.pid)[2], time.process_time()
    watchdog = asyncio.create_task(dump_stuck_tasks(WATCHDOG_SECONDS))
    tasks.append(watchdog)
    stop_sampling.set()
    await sampler
    progress("hết cửa sổ đo; chờ các lượt cấp số còn dở")
    await kiosk_task
    stop_calls.set()
    progress("chờ các quầy xong vé đang phục vụ")
    await asyncio.wait(officers, timeout=DRAIN_SECONDS)  # each finishes the ticket at its desk
    progress("chờ các bảng nhận nốt sự kiện")
    drain_seconds, cutoff = await _drain(database_url, boards)
    watchdog.cancel()
    return {
        "drain_seconds": drain_seconds,
        "cutoff": cutoff,
        "target_rate": rate,
        "window": window,
        "load": load,
        "server_cpu": (cpu1 - cpu0) / args.seconds,
        "client_cpu": (client1 - client0) / args.seconds,
    }


def progress(text: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


async def dump_stuck_tasks(after: float) -> None:
    """If the run has not ended ``after`` seconds past its window: where every task waits."""
    await asyncio.sleep(after)
    places = collections.Counter(
        " <- ".join(f"{f.f_code.co_name}:{f.f_lineno}" for f in reversed(task.get_stack(limit=8)))
        for task in asyncio.all_tasks()
        if not task.done()
    )
    progress(f"vẫn chưa xong sau {vn(after, 0)} s; các tác vụ đang chờ tại:")
    for place, count in places.most_common(15):
        print(f"    {count:>5} × {place}", file=sys.stderr, flush=True)


async def _drain(database_url: str, boards: dict[int, list[Stream]]) -> tuple[float, int]:
    """Until the server has been quiet for QUIET_SECONDS (requests the client gave up on may
    still be running there) and every board has its centre's newest call, or until
    BOARD_DRAIN_SECONDS; the seconds it took, and the newest event id the boards were awaited for."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    start = time.monotonic()
    last: dict[int, int] = {}
    stable_since = start
    try:
        while time.monotonic() - start < BOARD_DRAIN_SECONDS:
            now_last = await asyncio.to_thread(_province.last_calls, engine)
            if now_last != last:
                last, stable_since = now_last, time.monotonic()
            caught_up = all(
                not last.get(centre) or any(e >= last[centre] for e, _ in s.called[-1:])
                for centre, streams in boards.items()
                for s in streams
            )
            if caught_up and time.monotonic() - stable_since >= QUIET_SECONDS:
                break
            await asyncio.sleep(1.0)  # polling with a deadline
    finally:
        engine.dispose()
    return time.monotonic() - start, max(last.values(), default=0)


# ---------------------------------------------------------------- printing


def stats(values: Sequence[float]) -> tuple[float, float, float]:
    clean = [v for v in values if not math.isnan(v)]
    return (
        _launch.percentile(clean, 0.5),
        _launch.percentile(clean, 0.95),
        max(clean, default=math.nan),
    )


@dataclasses.dataclass
class Figures:
    issue_rate: float
    call_rate: float
    request_rate: float
    issue_p95: float
    call_p95: float
    delivery_p95: float
    errors: int
    ok: bool


def report(result: Result, seconds: float) -> Figures:
    r = result.record
    issues, calls, actions = result.within(r.issues), result.within(r.calls), result.within(r.actions)
    issued = [s for s in issues if s.status == 201]
    called = [s for s in calls if s.status == 200]
    empty = [s for s in calls if s.status == 204]
    deliveries = [d for d in r.deliveries if result.window[0] <= d[0] < result.window[1]]
    issue_ms, call_ms = stats([s.ms for s in issued]), stats([s.ms for s in called])
    action_ms = stats([s.ms for s in actions if s.status == 200])
    # From the call-next reply's arrival (negative: the board had it before the officer's reply).
    after_reply = [(d[3] - r.reply_wall[d[2]]) * 1000 for d in deliveries if d[2] in r.reply_wall]
    created_ms, reply_ms = stats([d[1] for d in deliveries]), stats(after_reply)
    requests = len(issues) + len(calls) + len(actions)
    drops = sum(s.drops for b in result.boards.values() for s in b) + sum(
        d.stream.drops for d in result.desks
    )
    errors = sum(r.errors.values())
    peak = max(result.load.rss, default=0)
    mib = 1024 * 1024

    def ms3(values: tuple[float, float, float]) -> str:
        return f"p50 {vn(values[0])} ms  p95 {vn(values[1])} ms  max {vn(values[2])} ms"

    print(f"== {result.label}")
    print(
        f"  {result.centres} trung tâm, {result.streams} luồng sự kiện; "
        f"mục tiêu {vn(result.target_rate)} vé/s; cửa sổ đo {vn(seconds, 0)} s"
    )
    print(
        f"  cấp số (POST /tickets)        {len(issued):>6} = {vn(len(issued) / seconds):>6}/s "
        f"({vn(100 * len(issued) / seconds / result.target_rate, 0)}% mục tiêu)   {ms3(issue_ms)}"
    )
    print(
        f"  gọi số (call-next, 200)       {len(called):>6} = {vn(len(called) / seconds):>6}/s   "
        f"{ms3(call_ms)}   (thêm {len(empty)} lần 204 — quầy khác đã gọi trước)"
    )
    print(
        f"  bắt đầu + hoàn thành          {len(actions):>6} = {vn(len(actions) / seconds):>6}/s   "
        f"{ms3(action_ms)}"
    )
    print(f"  tổng số yêu cầu               {requests:>6} = {vn(requests / seconds):>6}/s")
    print(f"  sự kiện gọi số tới bảng, từ created_at     ({len(deliveries)} lượt nhận)  {ms3(created_ms)}")
    print(f"  sự kiện gọi số tới bảng, từ trả lời call-next                      {ms3(reply_ms)}")
    print(
        f"  lỗi: {r.errors['http']} phản hồi không 2xx, {r.errors['transport']} lỗi kết nối "
        f"(trong đó {r.timeouts} quá {vn(REQUEST_TIMEOUT, 0)} s không có trả lời), "
        f"{r.errors['stream']} lỗi luồng, {drops} lần luồng bị rớt; "
        f"{r.skipped} lượt cấp bị bỏ (quá tải phía khách)"
    )
    for what, count in r.statuses.most_common():
        print(f"    {count:>6} × {what}")
    for text in r.first_errors:
        print(f"    lỗi đầu: {text}")
    print(
        f"  bộ nhớ máy chủ (RSS, {result.load.processes} tiến trình): "
        f"trước khi mở luồng {vn(result.idle_rss / mib, 0)} MiB, đỉnh khi chịu tải {vn(peak / mib, 0)} MiB "
        f"({' + '.join(vn(x / mib, 0) for x in result.load.per_process)})"
    )
    if result.load.db_connections:
        print(f"  kết nối PostgreSQL của máy chủ: tối đa {max(result.load.db_connections)}")
    print(
        f"  CPU: máy chủ {vn(result.server_cpu * 100, 0)}% một lõi, "
        f"khách {vn(result.client_cpu * 100, 0)}% một lõi ({os.cpu_count()} lõi dùng chung; "
        f"kết nối luồng mất {vn(result.connect_seconds)} s)"
    )
    numbers_ok, numbers = _province.check_numbers(result.database_url, r.issued)
    boards_ok, board_text = _province.check_boards(
        result.database_url,
        {c: [(s.first_id or 0, [e for e, _ in s.called]) for s in b] for c, b in result.boards.items()},
        result.cutoff,
    )
    print(f"  đánh số: {numbers}")
    print(f"  bảng: {board_text} (chờ {vn(result.drain_seconds)} s sau khi các quầy dừng)")
    log_errors, raised, kept = _province.server_log_problems(result.log_path)
    print(f"  nhật ký máy chủ: {log_errors} thông báo lỗi/cảnh báo" + (f", bản sao ở {kept}" if kept else ""))
    for count, kind in raised:
        print(f"    {count:>6} × {kind}")
    return Figures(
        issue_rate=len(issued) / seconds,
        call_rate=len(called) / seconds,
        request_rate=requests / seconds,
        issue_p95=issue_ms[1],
        call_p95=call_ms[1],
        delivery_p95=created_ms[1],
        errors=errors + drops,
        ok=numbers_ok and boards_ok and errors + drops == 0 and not log_errors,
    )


def compare(pg: Figures, lite: Figures, workers: int) -> None:
    def ratio(a: float, b: float) -> str:
        return vn(a / b, 2) if b else "–"

    print(f"== so sánh PostgreSQL {workers} tiến trình ÷ SQLite 1 tiến trình")
    print(
        f"  thông lượng: cấp số ×{ratio(pg.issue_rate, lite.issue_rate)}, "
        f"gọi số ×{ratio(pg.call_rate, lite.call_rate)}, "
        f"mọi yêu cầu ×{ratio(pg.request_rate, lite.request_rate)}"
    )
    print(
        f"  p95: cấp số ×{ratio(pg.issue_p95, lite.issue_p95)}, gọi số ×{ratio(pg.call_p95, lite.call_p95)}, "
        f"sự kiện tới bảng ×{ratio(pg.delivery_p95, lite.delivery_p95)}  (dưới 1 là PostgreSQL nhanh hơn)"
    )


# ---------------------------------------------------------------- main


def run_one(args: argparse.Namespace, url: str, workers: int, label: str, data_dir: pathlib.Path) -> Figures:
    data_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    centres = _province.prepare(url, args.centres)
    print(f"{label}: đã chuẩn bị {len(centres)} trung tâm trong {vn(time.monotonic() - t0)} s")
    with _province.serve(url, workers=workers, data_dir=data_dir) as server:
        runner = asyncio.Runner(loop_factory=_loop_factory())
        try:
            result = runner.run(drive(server, centres, args, label, url))
        finally:
            runner.close()
            progress("tắt máy chủ")
    return report(result, args.seconds)


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--centres", type=int, default=150, help="centres in the province (default 150)")
    parser.add_argument("--seconds", type=float, default=120.0, help="measured window (default 120)")
    parser.add_argument("--warm-up", type=float, default=20.0, help="load before the window (default 20)")
    parser.add_argument(
        "--rate-multiplier", type=float, default=10.0, help="times a busy morning's ticket rate (default 10)"
    )
    parser.add_argument("--workers", type=int, default=4, help="Uvicorn workers on PostgreSQL (default 4)")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_PG,
        help="a PostgreSQL database; the benchmark creates and drops its own next to it",
    )
    parser.add_argument("--skip-sqlite", action="store_true", help="leave out the 1-worker SQLite run")
    args = parser.parse_args(argv)
    if not 1 <= args.centres <= 999 or not 0 < args.seconds <= 3600 or not 1 <= args.workers <= 32:
        parser.error("--centres must be in [1, 999], --seconds in (0, 3600], --workers in [1, 32]")
    if not 0 < args.rate_multiplier <= 1000 or not 0 <= args.warm_up <= 600:
        parser.error("--rate-multiplier must be in (0, 1000], --warm-up in [0, 600]")
    print(f"máy: {os.cpu_count()} lõi, tải trung bình {vn(os.getloadavg()[0], 2)} lúc bắt đầu")
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="qms-province-"))
    try:
        with live.postgres_database(args.database_url, prefix="qms_province") as url:
            pg = run_one(args, url, args.workers, f"PostgreSQL, {args.workers} tiến trình", tmp / "pg")
        if args.skip_sqlite:
            return 0 if pg.ok else 1
        lite_dir = tmp / "sqlite"
        lite_url = f"sqlite:///{lite_dir / 'qms.sqlite3'}"
        lite = run_one(args, lite_url, 1, "SQLite, 1 tiến trình", lite_dir)
        compare(pg, lite, args.workers)
        return 0 if pg.ok else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    _launch.run_main(main, interrupted="đã dừng giữa chừng; máy chủ đã được tắt")
