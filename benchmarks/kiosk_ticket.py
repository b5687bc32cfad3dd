"""How long from a citizen's tap on a service button to the ticket's last byte at the printer?

The real kiosk (PySide6, offscreen), a real server on a fresh SQLite database (test helpers:
Uvicorn in a thread of this process; an officer opens counter 1) and a fake ESC/POS printer on
loopback that timestamps each chunk. Once every service button is enabled it taps N times
(A..F in turn); latency = from just before click() to the arrival of the chunk holding the
job's cut (GS V), its last byte (the status query after the job is not counted). After each
ticket: go_home(), then wait until no worker call is in flight, so taps never overlap refreshes.
Prints n, p50/p95/min/max (aim: p95 <= 300 ms), when the job's connection opened (status check,
issue and render done by then) and the job's size in bytes.

    .venv/bin/python benchmarks/kiosk_ticket.py [--tickets 50]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import tempfile
import time
from collections.abc import Sequence
from typing import Any

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before PySide6 is imported

import _launch  # puts the work tree on sys.path
import _qt
from PySide6 import QtCore, QtWidgets

from hardware import printer as printer_mod
from hardware import raster, transports
from kiosk_app import app as kiosk_app
from kiosk_app import config as kiosk_config
from qtkit import theme
from tests import live
from tests.hardware import fakeprinter

P95_GOAL_MS = 300.0
CODES = "ABCDEF"
SETTINGS: dict[str, Any] = {"windowed": True, "admin_pin": "2468", "priority_step": False}
SETTINGS |= {"refresh_seconds": 5, "printer_check_seconds": 10}


class TimedPrinter(fakeprinter.FakePrinter):
    """The fake printer, also noting (connection, its length so far, perf_counter) per chunk."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[tuple[fakeprinter._Connection, int, float]] = []

    def __enter__(self) -> TimedPrinter:
        super().__enter__()
        return self

    def _receive(self, conn: fakeprinter._Connection) -> None:
        before = len(conn.data)
        super()._receive(conn)
        if len(conn.data) > before:
            self.arrivals.append((conn, len(conn.data), time.perf_counter()))


def job_timing(fp: TimedPrinter, first_conn: int) -> tuple[float, float, int]:
    """(first byte of the job's connection, the cut's arrival, job bytes) for the job after first_conn."""
    for index in range(first_conn, len(fp.connections)):
        conn = fp.connections[index]
        cut = bytes(conn.data).rfind(raster.PARTIAL_CUT)
        if cut < 0:
            continue  # a status check only
        end = cut + len(raster.PARTIAL_CUT)
        mine = [(size, t) for c, size, t in list(fp.arrivals) if c is conn]
        return mine[0][1], next(t for size, t in mine if size >= end), len(fp.job(index))
    raise SystemExit("no print job reached the printer")


def run(tickets: int) -> int:
    with (
        tempfile.TemporaryDirectory(prefix="qms-bench-") as tmp_name,
        live.fresh_database(pathlib.Path(tmp_name)) as url,
        live.run_server(
            data_dir=pathlib.Path(tmp_name) / "data", database_url=url, clock=live.Clock()
        ) as srv,
        TimedPrinter() as fp,
    ):
        srv.user("canbo1").post("/counters/1/open").raise_for_status()
        key = srv.device_keys["kiosk-1"]
        cfg = kiosk_config.KioskConfig(server=srv.base_url, device_key=key, printer=fp.url, **SETTINGS)
        QtCore.qInstallMessageHandler(_qt.quiet_offscreen)
        app = QtWidgets.QApplication([])
        theme.apply(app, base_px=26)
        k = kiosk_app.Kiosk(cfg, printer=printer_mod.Printer(transports.parse_url(fp.url)))
        k.window.resize(1080, 1920)
        t_start = time.perf_counter()
        k.start()
        home = k.window.home  # set_services() replaces home.buttons: read it afresh each time
        try:
            _qt.wait_for(
                app,
                lambda: bool(home.buttons) and all(b.isEnabled() for b in home.buttons.values()),
                30,
                "the service buttons, all enabled",
            )
            print(
                f"kiosk ready (buttons {''.join(home.buttons)} enabled) in "
                f"{(time.perf_counter() - t_start) * 1000:.0f} ms; {os.cpu_count()} CPU core(s), "
                f"load average {os.getloadavg()[0]:.2f}; server in this process (Uvicorn thread), {url}"
            )
            _qt.wait_for(app, lambda: k.runner.in_flight == 0, 10, "the start-up calls")
            latencies, opened, sizes, numbers = [], [], [], []
            for i in range(tickets):
                code = CODES[i % len(CODES)]
                first_conn = len(fp.connections)
                t0 = time.perf_counter()
                home.buttons[code].click()
                _qt.wait_for(app, lambda: not k.flow.busy, 30, f"ticket {i + 1}")
                if k.window.ticket._state != "ticket":
                    raise SystemExit(f"ticket {i + 1} failed: {k.window.ticket.message.text()}")
                numbers.append(k.window.ticket.number.text())
                first, last, size = job_timing(fp, first_conn)
                latencies.append((last - t0) * 1000)
                opened.append((first - t0) * 1000)
                sizes.append(size)
                k.go_home()
                _qt.wait_for(app, lambda: not k.flow.busy and k.runner.in_flight == 0, 30, "home again")
        finally:
            k.shutdown()
    p95 = _launch.percentile(latencies, 0.95)
    print(f"tickets {numbers[0]} .. {numbers[-1]}, {len(set(numbers))} distinct numbers")
    print(f"tap -> last byte at printer: n {len(latencies)}  {_launch.summary(latencies)}")
    print(f"tap -> job connection's first byte (status check, issue, render done): {_launch.summary(opened)}")
    print(
        f"bytes per ticket (job, without status queries): mean {statistics.mean(sizes):.0f}, "
        f"min {min(sizes)}, max {max(sizes)}"
    )
    print(f"aim: p95 <= {P95_GOAL_MS:g} ms: {'met' if p95 <= P95_GOAL_MS else 'NOT met'}")
    return 0 if len(set(numbers)) == tickets else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=50, help="taps, one ticket each (default 50)")
    args = parser.parse_args(argv)
    if not 1 <= args.tickets <= 1000:
        parser.error("--tickets must be in [1, 1000]")
    return run(args.tickets)


if __name__ == "__main__":
    _launch.run_main(main)
