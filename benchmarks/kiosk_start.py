"""How fast does the kiosk app start cold, and how much memory does it then hold?

A real server on a fresh SQLite database (test helpers: Uvicorn in a thread of this process) and
a fake ESC/POS printer on loopback; then R times `QMS_DEVICE_KEY=… python -m kiosk_app --server …
--printer … --windowed` (offscreen) as a process of its own, timed from spawn to "ready": it has
reported itself and its first GET /api/v1/services was answered. kiosk_app/__main__.py has no
flag or variable for a ready line, so this is seen from the server side: a thin ASGI wrapper
notes when each of kiosk-1's requests is answered (drawing the buttons after that reply is not
seen). Then it waits --settle s, reads VmRSS and VmHWM (peak) from /proc/PID/status and stops
the kiosk (SIGTERM, SIGKILL after 5 s). Prints each run, median and max (aims: ready <= 2 s,
RSS <= 150 MB), and checks that the server shows kiosk-1's last_seen_at.

    .venv/bin/python benchmarks/kiosk_start.py [--runs 5] [--settle 3]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from unittest import mock

import _launch
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.app import create_app
from tests import live
from tests.hardware import fakeprinter

READY_GOAL_S, RSS_GOAL_MB = 2.0, 150.0


class Answered:
    """Wraps the server's app: when each path was first answered to the kiosk's key (perf_counter)."""

    def __init__(self, key: str) -> None:
        self.auth = f"Bearer {key}".encode()
        self.first: dict[str, float] = {}

    def wrap(self, app: ASGIApp) -> ASGIApp:
        async def recorded(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or dict(scope["headers"]).get(b"authorization") != self.auth:
                return await app(scope, receive, send)

            async def noting(message: Message) -> None:
                await send(message)
                if message["type"] == "http.response.body" and not message.get("more_body"):
                    self.first.setdefault(f"{scope['method']} {scope['path']}", time.perf_counter())

            return await app(scope, receive, noting)

        return recorded


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB (Linux /proc)."""
    fields = dict(line.split(":", 1) for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines())
    rss, peak = (int(fields[name].split()[0]) / 1024 for name in ("VmRSS", "VmHWM"))
    return rss, peak


def stop(proc: subprocess.Popen[bytes]) -> str:
    proc.send_signal(signal.SIGTERM)
    try:
        return f"exit {proc.wait(timeout=5)}"
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
        return "killed"


def one_run(
    cmd: list[str], log: pathlib.Path, answered: Answered, settle: float
) -> tuple[float, float, float, float]:
    """(reported s, ready s, RSS MB, peak MB) of one cold start."""
    answered.first.clear()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with log.open("wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=_launch.ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while "GET /api/v1/services" not in answered.first:
                if proc.poll() is not None or time.monotonic() > deadline:
                    tail = log.read_text(errors="replace")[-2000:]
                    raise SystemExit(f"the kiosk never loaded its services (exit {proc.poll()}):\n{tail}")
                time.sleep(0.005)  # polling with a deadline
            ready = answered.first["GET /api/v1/services"] - t0
            reported = answered.first.get("POST /api/v1/devices/status", float("nan")) - t0
            time.sleep(settle)  # let it draw the buttons and check the printer: a settled RSS
            if proc.poll() is not None:
                raise SystemExit(f"the kiosk exited ({proc.returncode}) after start-up")
            rss, peak = memory_mb(proc.pid)
        finally:
            ended = stop(proc)
    print(
        f"  reported {reported:5.2f} s  ready {ready:5.2f} s  "
        f"RSS {rss:6.1f} MB  peak {peak:6.1f} MB  ({ended})"
    )
    return reported, ready, rss, peak


def run(runs: int, settle: float) -> int:
    with (
        tempfile.TemporaryDirectory(prefix="qms-bench-") as tmp_name,
        live.fresh_database(pathlib.Path(tmp_name)) as url,
    ):
        tmp = pathlib.Path(tmp_name)
        keys, _ = live._prepare(url)  # the keys first, so the wrapper can pick out kiosk-1's requests
        key = keys["kiosk-1"]
        answered = Answered(key)
        with (
            mock.patch.object(live, "create_app", lambda settings: answered.wrap(create_app(settings))),
            live.run_server(
                data_dir=tmp / "data", database_url=url, clock=live.Clock(), prepare=False
            ) as srv,
            fakeprinter.FakePrinter() as fp,
        ):
            srv.client(keys["kiosk-2"]).get("/services").raise_for_status()  # warm the server up
            cmd = [sys.executable, "-m", "kiosk_app", "--server", srv.base_url]
            os.environ["QMS_DEVICE_KEY"] = key  # the kiosk reads its key there, never from argv
            cmd += ["--printer", fp.url, "--windowed"]
            print(
                f"{runs} cold starts of `python -m kiosk_app` (offscreen); {os.cpu_count()} CPU core(s), "
                f"load average {os.getloadavg()[0]:.2f}; server in this process, {url}"
            )
            results = [one_run(cmd, tmp / f"kiosk-{i}.log", answered, settle) for i in range(runs)]
            devices = srv.user("giamsat").get("/devices").raise_for_status().json()
            seen = next((d.get("last_seen_at") for d in devices if d["name"] == "kiosk-1"), None)
    _, ready, rss, peak = (list(column) for column in zip(*results, strict=True))
    print(f"server: kiosk-1 last_seen_at {seen}")
    print(
        f"ready (spawn -> services answered): median {statistics.median(ready):.2f} s  max {max(ready):.2f} s"
    )
    print(
        f"RSS after {settle:g} s settled: median {statistics.median(rss):.1f} MB  max {max(rss):.1f} MB  "
        f"(peak VmHWM max {max(peak):.1f} MB)"
    )
    ok_time, ok_rss = max(ready) <= READY_GOAL_S, max(rss) <= RSS_GOAL_MB
    print(
        f"aim: ready <= {READY_GOAL_S:g} s: {'met' if ok_time else 'NOT met'}; "
        f"RSS <= {RSS_GOAL_MB:g} MB: {'met' if ok_rss else 'NOT met'}"
    )
    return 0 if seen else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="cold starts (default 5)")
    parser.add_argument("--settle", type=float, default=3.0, help="wait before RSS (default 3 s)")
    args = parser.parse_args(argv)
    if not 1 <= args.runs <= 100 or not 0 <= args.settle <= 60:
        parser.error("--runs must be in [1, 100] and --settle in [0, 60]")
    return run(args.runs, args.settle)


if __name__ == "__main__":
    _launch.run_main(main)
