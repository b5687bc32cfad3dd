"""A centre for the end-to-end tests: a prepared database served by ``qms-server run`` in a
process of its own, with eight officers (one per counter) and the kiosk's fake printer."""

from __future__ import annotations

import collections.abc
import contextlib
import dataclasses
import datetime as dt
import pathlib
import time
from typing import Any

import httpx
import pytest

from onestop import calendar
from tests import live
from tests.e2e import checks, harness
from tests.e2e import day as day_mod
from tests.hardware import fakeprinter

OFFICERS = [f"canbo{n}" for n in range(1, 9)]  # canbo1..3 exist in the template
# Eight counter processes would be eight Qt apps starting and idling on CI's two cores; four
# windows per process keep each officer's app real (its own window, sign-in, event stream,
# outbox and receipts folder) at a quarter of the cost.
COUNTER_GROUPS = ([1, 2, 3, 4], [5, 6, 7, 8])


@dataclasses.dataclass
class Centre:
    server: harness.ServerProcess
    device_keys: dict[str, str]
    printer: fakeprinter.FakePrinter
    tmp: pathlib.Path
    clients: list[httpx.Client] = dataclasses.field(default_factory=list)

    def user(self, username: str) -> httpx.Client:
        """A signed-in HTTP client (the back office, the supervisor: not one of the apps)."""
        client = httpx.Client(base_url=f"{self.server.base_url}/api/v1", timeout=30)
        self.clients.append(client)
        reply = client.post("/auth/login", json={"username": username, "password": live.PASSWORD})
        reply.raise_for_status()
        client.headers["Authorization"] = f"Bearer {reply.json()['access_token']}"
        return client

    def close(self) -> None:
        for client in self.clients:
            client.close()

    def open_hall(
        self, stack: contextlib.ExitStack
    ) -> tuple[harness.App, harness.App, dict[int, harness.App]]:
        """Kiosk, board and counters started and ready: the kiosk's buttons enabled, the board
        streaming, every desk connected. The eight counters run as two processes of four windows."""
        kiosk = stack.enter_context(harness.running(self.kiosk()))
        board = stack.enter_context(harness.running(self.board()))
        counters: dict[int, harness.App] = {}
        for index, numbers in enumerate(COUNTER_GROUPS):
            app = stack.enter_context(harness.running(self.counters(numbers, name=f"counters-{index + 1}")))
            counters |= dict.fromkeys(numbers, app)
        # Generous: eight sign-ins (argon2) and four Qt apps starting on two busy cores.
        kiosk.until("state", lambda s: s["enabled"], timeout=120)
        board.until("state", lambda s: s["connected"] and s["loaded"], timeout=120)
        for number, app in counters.items():
            app.until("state", lambda s: s["desk"] and s["connected"], counter=number, timeout=120)
        return kiosk, board, counters

    def day(
        self, kiosk: harness.App, counters: dict[int, harness.App], *, tickets: int, act_timeout: float = 30.0
    ) -> day_mod.Day:
        """The day's script over these apps; the agencies' back office is canbo1."""
        return day_mod.Day(
            tickets=tickets,
            kiosk=kiosk,
            counters=counters,
            printer=self.printer,
            back_office=self.user("canbo1"),
            act_timeout=act_timeout,
        )

    def check_day(
        self, day: day_mod.Day, board: harness.App, counters: dict[int, harness.App], *, exact: bool = True
    ) -> dict[str, Any]:
        """Every desk's outbox sent, then the whole day checked (checks.whole_day); its figures."""
        for number, app in counters.items():
            flushed = app.do("flush", counter=number, timeout=60)
            assert flushed["failed"] == [] and flushed["unsynced"] == "", flushed
        return checks.whole_day(
            day.log,
            board_app=board,
            printer=self.printer,
            officer=self.user("canbo1"),
            supervisor=self.user("giamsat"),
            exact=exact,
        )

    def kiosk(self) -> harness.App:
        args = ["kiosk", "--server", self.server.base_url]
        key = {"QMS_DEVICE_KEY": self.device_keys["kiosk-1"]}
        # The fake printer answers from a thread of this busy test process: on a loaded CI machine
        # its status reply has been late past the default 0.5 s (a real printer's takes
        # milliseconds), which the kiosk rightly reports as "no reply" and cancels the number.
        printer = f"{self.printer.url}?status_timeout=3"
        return harness.App("kiosk", [*args, "--printer", printer], log=self.tmp / "kiosk.log", env=key)

    def counters(self, numbers: list[int], *, name: str) -> harness.App:
        seats = ",".join(f"{n}={OFFICERS[n - 1]}" for n in numbers)
        args = ["counter", "--server", self.server.base_url, "--seats", seats]
        args += ["--data-dir", str(self.tmp / "counter-pcs")]
        return harness.App(name, args, log=self.tmp / f"{name}.log", env={"QMS_PASSWORD": live.PASSWORD})

    def board(self) -> harness.App:
        args = ["board", "--server", self.server.base_url]
        key = {"QMS_DEVICE_KEY": self.device_keys["display-1"]}
        return harness.App("board", args, log=self.tmp / "board.log", env=key)


def _prepare(tmp: pathlib.Path, database_url: str) -> dict[str, str]:
    """The template database (demo catalogue, users, device keys) plus officers canbo4..8."""
    with live.run_server(data_dir=tmp / "prepare", database_url=database_url, clock=live.Clock()) as server:
        admin = server.user("admin")
        for username in OFFICERS[3:]:
            body = {
                "username": username,
                "full_name": f"Cán bộ {username}",
                "role": "officer",
                "centre_id": server.ids["centre"],
                "password": live.PASSWORD,
            }
            reply = admin.post("/admin/users", json=body)
            assert reply.status_code == 201, reply.text
        return dict(server.device_keys)


# The longest test here runs this long on a loaded CI machine.
LONGEST_RUN = dt.timedelta(minutes=15)


def _clear_of_midnight() -> None:
    """Start after midnight in Vietnam rather than run across it: the server (on the real clock)
    calls a ticket only on its business day, so the evening's last tickets would never be called."""
    now = dt.datetime.now(calendar.VN_TZ)
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), calendar.VN_TZ)
    if midnight - now < LONGEST_RUN:
        time.sleep((midnight - now).total_seconds() + 1)  # fixed wait is right: only the clock brings it


@pytest.fixture
def centre(tmp_path: pathlib.Path, database_url: str) -> collections.abc.Iterator[Centre]:
    _clear_of_midnight()
    keys = _prepare(tmp_path, database_url)
    server = harness.ServerProcess(data_dir=tmp_path / "server", database_url=database_url, log_dir=tmp_path)
    with fakeprinter.FakePrinter() as printer:
        server.start()
        try:
            made = Centre(server=server, device_keys=keys, printer=printer, tmp=tmp_path)
            yield made
        finally:
            made.close()
            server.stop()
    server.check_logs()
