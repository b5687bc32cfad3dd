"""Shared by the benchmarks: a QMS server in a process of its own, on a freshly prepared database.

The parent prepares the database (migrations, demo catalogue, users, device keys, exactly as
tests/live.py does), then starts this file as a child process that serves the app with
Uvicorn on 127.0.0.1 and an ephemeral port. The child writes the port to a file; the parent
waits for GET /healthz and, when done (or on Ctrl+C), stops the child with SIGTERM, then
SIGKILL if it lingers.

Run as a child: python benchmarks/_launch.py --database-url URL --data-dir DIR --port-file F
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import dataclasses
import datetime as dt
import math
import os
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence

import httpx

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the project is used from its work tree, not installed
    sys.path.insert(0, str(ROOT))

START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


@dataclasses.dataclass(frozen=True)
class Server:
    base_url: str
    database_url: str
    device_keys: dict[str, str]
    pid: int

    @property
    def api(self) -> str:
        return f"{self.base_url}/api/v1"


def add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL of an EMPTY database to prepare and use "
        "(default: a fresh SQLite file in a temporary directory)",
    )
    parser.add_argument(
        "--keep-data", action="store_true", help="keep the temporary directory (its path is printed)"
    )


def prepare_database(url: str) -> dict[str, str]:
    """Schema, demo catalogue, users (password tests.live.PASSWORD) and device keys."""
    from tests import live

    try:
        keys, _ = live._prepare(url)
    except AssertionError:
        raise SystemExit(f"{url} already holds a catalogue: give an empty database") from None
    return keys


def password() -> str:
    from tests import live

    return live.PASSWORD


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # Uvicorn shuts down gracefully: lifespan end, hub stop
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=STOP_TIMEOUT)


@contextlib.contextmanager
def running_server(
    database_url: str | None, *, keep_data: bool = False, heartbeat_seconds: float = 15.0
) -> Iterator[Server]:
    """Prepare the database, start the server process, yield, then stop it (also on Ctrl+C)."""
    with contextlib.ExitStack() as stack:
        for signum in (signal.SIGTERM, signal.SIGHUP):  # like Ctrl+C: unwind, stopping the child
            stack.callback(signal.signal, signum, signal.signal(signum, _interrupt))
        tmp = pathlib.Path(tempfile.mkdtemp(prefix="qms-bench-"))
        if keep_data:
            print(f"data directory: {tmp}")
        else:
            stack.callback(_rmtree, tmp)
        url = database_url or f"sqlite:///{tmp / 'qms.sqlite3'}"
        keys = prepare_database(url)
        port_file = tmp / "port"
        cmd = [
            sys.executable,
            str(pathlib.Path(__file__).resolve()),
            "--database-url",
            url,
            "--data-dir",
            str(tmp),
            "--port-file",
            str(port_file),
            "--heartbeat-seconds",
            str(heartbeat_seconds),
        ]
        # A session of its own: Ctrl+C reaches only us, and we stop the child in order.
        proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)
        stack.callback(_stop, proc)
        base_url = _wait_started(proc, port_file)
        yield Server(base_url=base_url, database_url=url, device_keys=keys, pid=proc.pid)


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _rmtree(path: pathlib.Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def _wait_started(proc: subprocess.Popen[bytes], port_file: pathlib.Path) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    while not port_file.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the server process did not start")
        time.sleep(0.02)  # polling a file with a deadline
    base_url = f"http://127.0.0.1:{int(port_file.read_text())}"
    with httpx.Client(base_url=base_url, timeout=5, trust_env=False) as client:
        while True:
            with contextlib.suppress(httpx.TransportError):
                if client.get("/healthz").status_code == 200:
                    return base_url
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server process did not answer /healthz")
            time.sleep(0.05)  # polling with a deadline


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of unsorted values (nan when empty)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def run_main(main: Callable[[], int], *, interrupted: str = "interrupted") -> None:
    """A benchmark's entry point: its exit status, or 130 after Ctrl+C (or SIGTERM)."""
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print(interrupted, file=sys.stderr)
        sys.exit(130)


def summary(ms: Sequence[float]) -> str:
    return (
        f"p50 {percentile(ms, 0.5):.1f} ms  p95 {percentile(ms, 0.95):.1f} ms  "
        f"min {min(ms):.1f} ms  max {max(ms):.1f} ms"
    )


@dataclasses.dataclass(frozen=True)
class Numbering:
    """The ticket table read back after a run, against the tickets the clients were given."""

    # (centre, numbering service, business day) -> the (seq, number) of its tickets
    lines: dict[tuple[int, int, dt.date], list[tuple[int, str]]]
    given: int  # tickets the clients were told about
    given_not_stored: int
    stored_not_given: int

    @property
    def tickets(self) -> int:
        return sum(len(items) for items in self.lines.values())

    @staticmethod
    def exact(items: list[tuple[int, str]]) -> bool:
        """A line's seqs are exactly 1..n and its numbers all distinct."""
        seqs, numbers = sorted(seq for seq, _ in items), {number for _, number in items}
        return seqs == list(range(1, len(items) + 1)) and len(numbers) == len(items)


def read_numbering(database_url: str, issued: list[tuple[int, str]]) -> Numbering:
    """``issued``: (numbering service id, number) of each ticket a client was given."""
    import sqlalchemy as sa

    from server import models

    ticket = models.Ticket
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    ticket.centre_id, ticket.origin_service_id, ticket.business_day, ticket.seq, ticket.number
                )
            ).all()
    finally:
        engine.dispose()
    lines: dict[tuple[int, int, dt.date], list[tuple[int, str]]] = collections.defaultdict(list)
    for centre, service, day, seq, number in rows:
        lines[(centre, service, day)].append((seq, number))
    stored = collections.Counter((service, number) for _, service, _, _, number in rows)
    given = collections.Counter(issued)
    return Numbering(
        lines=dict(lines),
        given=sum(given.values()),
        given_not_stored=sum((given - stored).values()),
        stored_not_given=sum((stored - given).values()),
    )


# ---------------------------------------------------------------- the child process


def _serve(argv: Sequence[str] | None = None) -> int:
    import uvicorn

    from server.app import create_app
    from server.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--heartbeat-seconds", type=float, default=15.0)
    args = parser.parse_args(argv)
    settings = Settings(
        data_dir=pathlib.Path(args.data_dir),
        database_url=args.database_url,
        heartbeat_seconds=args.heartbeat_seconds,
        # Simulated kiosks issue at whatever rate the benchmark asks, not a citizen's pace.
        kiosk_tickets_per_minute=1_000_000.0,
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        create_app(settings), log_level="warning", lifespan="on", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    port_file = pathlib.Path(args.port_file)
    tmp = port_file.with_suffix(".tmp")
    tmp.write_text(str(sock.getsockname()[1]))
    os.replace(tmp, port_file)  # the parent sees the whole number or nothing
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    raise SystemExit(_serve())
