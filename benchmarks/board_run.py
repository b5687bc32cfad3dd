"""A hall board over a long run: does its memory grow, what CPU does it take, and how long from
an officer's call to the number on the board?

The server runs in a process of its own (fresh SQLite database, demo catalogue); a second
child process plays the hall: a kiosk issuing tickets and three officers (counters 1–3) calling
the next number every ``--every`` seconds in turn (a recall now and then), finishing the one
before. This process is only the board (PySide6 offscreen, 1920×1080, the notice scrolling,
each call featured and its clips joined; the sound "plays" for the clip's length on a silent
output). Every 30 s it samples its resident memory and CPU time; each call's time from the
officer's request to the number in the counter's tile on the board is noted (both processes
read the same monotonic clock).

    .venv/bin/python benchmarks/board_run.py [--minutes 30] [--every 3]
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import queue
import time
import wave
from collections.abc import Sequence

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before PySide6 is imported

import _launch  # puts the work tree on sys.path
import _qt
import httpx
from PySide6 import QtCore, QtWidgets

from display_board import app as board_app
from display_board.config import BoardConfig
from qtkit import theme

SAMPLE_SECONDS = 30.0
WARM_UP_SECONDS = 60.0  # memory is compared from here: imports, fonts and caches settle first
NOTICE = "Trung tâm tiếp nhận hồ sơ từ 07:00 đến 17:00 các ngày làm việc. " * 3
OFFICERS = {1: "canbo1", 2: "canbo2", 3: "canbo3"}
LETTERS = {1: "A", 2: "B", 3: "C"}


class SilentOutput(QtCore.QObject):
    """A sound device that takes as long as the sound to play it, and plays nothing."""

    finished = QtCore.Signal()
    failed = QtCore.Signal(str)

    def available(self) -> bool:
        return True

    def set_volume(self, volume: float) -> None:
        pass

    def play(self, wav: bytes) -> None:
        with wave.open(io.BytesIO(wav)) as sound:
            seconds = sound.getnframes() / sound.getframerate()
        QtCore.QTimer.singleShot(round(seconds * 1000), self.finished.emit)

    def stop(self) -> None:
        pass


def hall(api: str, keys: dict[str, str], password: str, every: float, pipes: tuple) -> None:  # type: ignore[type-arg]
    """The child process: tickets and calls through the real API; puts (number, t0) per call
    on ``pipes[0]`` until ``pipes[1]`` (an Event) is set."""
    calls, stop = pipes
    kiosk = httpx.Client(base_url=api, headers={"Authorization": f"Bearer {keys['kiosk-1']}"}, timeout=30)
    officers, serving = {}, {}
    counters = {c["number"]: c["id"] for c in kiosk.get("/counters").json()}
    services = {s["letter"]: s["id"] for s in kiosk.get("/services").json()}
    for number, username in OFFICERS.items():
        token = httpx.post(f"{api}/auth/login", json={"username": username, "password": password}).json()
        officers[number] = httpx.Client(
            base_url=api, headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=30
        )
        officers[number].post(f"/counters/{counters[number]}/open").raise_for_status()
    supervisor = httpx.post(f"{api}/auth/login", json={"username": "giamsat", "password": password}).json()
    httpx.put(
        f"{api}/centres/1/notice",
        json={"notice": NOTICE.strip()},
        headers={"Authorization": f"Bearer {supervisor['access_token']}"},
    ).raise_for_status()
    round_no = 0
    while not stop.is_set():
        number = round_no % 3 + 1
        officer = officers[number]
        for _ in range(2):
            kiosk.post("/tickets", json={"service_id": services[LETTERS[number]]}).raise_for_status()
        if number in serving:
            ticket = serving.pop(number)
            for action in ("start", "finish"):
                officer.post(f"/tickets/{ticket['id']}/{action}").raise_for_status()
        t0 = time.perf_counter()
        if round_no % 10 == 9:  # now and then a citizen does not come: call again
            ticket = officer.post(f"/counters/{counters[number]}/call-next").json()
            calls.put((ticket["number"], t0))
            stop.wait(every)
            t0 = time.perf_counter()
            officer.post(f"/tickets/{ticket['id']}/recall").raise_for_status()
        else:
            ticket = officer.post(f"/counters/{counters[number]}/call-next").json()
            calls.put((ticket["number"], t0))
        serving[number] = ticket
        round_no += 1
        stop.wait(every)


def rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def run(minutes: float, every: float) -> int:
    ctx = multiprocessing.get_context("spawn")
    with _launch.running_server(None) as srv:
        QtCore.qInstallMessageHandler(_qt.quiet_offscreen)
        app = QtWidgets.QApplication([])
        theme.load_fonts()
        config = BoardConfig(server=srv.base_url, device_key=srv.device_keys["display-1"], windowed=True)
        board = board_app.BoardApp(config, wav_output=SilentOutput())
        board.start()
        board.window.resize(1920, 1080)
        _qt.wait_for(app, lambda: board.board.status.connected, 30, "the board to connect")
        shown: dict[str, float] = {}

        def note_shown() -> None:
            now = time.perf_counter()
            for tile in board.window.tiles:
                shown.setdefault(tile.number.text(), now)

        board.board.changed.connect(note_shown)  # after the window's own slot: the tiles are drawn
        calls: multiprocessing.Queue = ctx.Queue()
        stop = ctx.Event()
        driver = ctx.Process(
            target=hall,
            args=(srv.api, srv.device_keys, _launch.password(), every, (calls, stop)),
            daemon=True,
        )
        driver.start()
        started, last_sample = time.monotonic(), 0.0
        samples: list[tuple[float, int, float]] = []  # (elapsed s, RSS KiB, CPU s)
        pending: list[tuple[str, float]] = []
        latencies: list[float] = []
        print(
            f"board up; {os.cpu_count()} CPU core(s), load average {os.getloadavg()[0]:.2f}; "
            f"a call every {every:g} s for {minutes:g} min"
        )
        try:
            while (elapsed := time.monotonic() - started) < minutes * 60:
                app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)
                time.sleep(0.005)  # a loop with a deadline, not a wait for a result
                while True:
                    try:
                        pending.append(calls.get_nowait())
                    except queue.Empty:
                        break
                for item in [p for p in pending if p[0] in shown]:
                    pending.remove(item)
                    latencies.append((shown.pop(item[0]) - item[1]) * 1000)
                if elapsed - last_sample >= SAMPLE_SECONDS:
                    last_sample = elapsed
                    samples.append((elapsed, rss_kib(), cpu_seconds()))
                    if len(samples) % 10 == 0:
                        rss = samples[-1][1] / 1024
                        print(f"  {elapsed / 60:5.1f} min: RSS {rss:.1f} MiB, calls {len(latencies)}")
                assert driver.is_alive(), "the hall process stopped"
            samples.append((time.monotonic() - started, rss_kib(), cpu_seconds()))
        finally:
            stop.set()
            driver.join(10)
            board.shutdown()
    return report(samples, latencies, minutes)


def report(samples: list[tuple[float, int, float]], latencies: list[float], minutes: float) -> int:
    settled = [s for s in samples if s[0] >= WARM_UP_SECONDS] or samples
    first, last = settled[0], settled[-1]
    peak = max(s[1] for s in settled)
    span_min = (last[0] - first[0]) / 60 or 1.0
    growth = (last[1] - first[1]) / 1024
    cpu = (last[2] - first[2]) / (last[0] - first[0] or 1.0) * 100
    print(f"calls shown: {len(latencies)} in {minutes:g} min")
    print(
        f"memory (RSS) after warm-up: first {first[1] / 1024:.1f} MiB, last {last[1] / 1024:.1f} MiB, "
        f"peak {peak / 1024:.1f} MiB; growth {growth:+.1f} MiB over {span_min:.1f} min "
        f"({growth / span_min * 60:+.2f} MiB/h)"
    )
    print(f"CPU of the board process: {cpu:.1f} % of one core on average (after warm-up)")
    print(f"call -> number on the board: n {len(latencies)}  {_launch.summary(latencies)}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=30.0, help="length of the run (default 30)")
    parser.add_argument("--every", type=float, default=3.0, help="seconds between calls (default 3)")
    args = parser.parse_args(argv)
    if not 0.5 <= args.minutes <= 24 * 60 or not 0.5 <= args.every <= 60:
        parser.error("--minutes in [0.5, 1440], --every in [0.5, 60]")
    return run(args.minutes, args.every)


if __name__ == "__main__":
    _launch.run_main(main)
