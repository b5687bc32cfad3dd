"""The province load benchmark's set-up and checks: many centres in one database, the server as
`qms-server run` in a process (group) of its own, its memory and CPU from /proc, and what the
database (ticket numbers, call events) and the server's log say afterwards.

Every centre is the demo catalogue loaded through seed.load_catalogue with its own code and
name (agencies, fields and procedures are shared by the province, as the admin import does);
per centre 2 kiosk keys, 2 display keys and 8 officers, one per counter.

Officers: argon2 is slow on purpose, so the password is hashed once and every officer gets
that hash; their bearer tokens are written straight to access_token exactly as auth.issue_token
writes them (a random secret, only its SHA-256 stored), so no login is needed either.
"""

from __future__ import annotations

import collections
import contextlib
import copy
import dataclasses
import datetime as dt
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import _launch  # also puts the project's work tree on sys.path
import httpx

PASSWORD = "mat-khau-tinh-thu-nghiem"  # noqa: S105 (a benchmark's throwaway accounts)
KIOSKS = 2
BOARDS = 2
START_TIMEOUT = 120.0
STOP_TIMEOUT = 20.0


@dataclasses.dataclass(frozen=True)
class CounterPlan:
    id: int
    number: int
    service_ids: tuple[int, ...]
    token: str  # its officer's bearer token


@dataclasses.dataclass(frozen=True)
class CentrePlan:
    id: int
    code: str
    service_ids: tuple[int, ...]
    kiosk_keys: tuple[str, ...]
    board_keys: tuple[str, ...]
    counters: tuple[CounterPlan, ...]


# ---------------------------------------------------------------- the database


def prepare(url: str, centres: int) -> list[CentrePlan]:
    """Schema, ``centres`` copies of the demo catalogue, officers with tokens, device keys."""
    import sqlalchemy as sa

    from onestop import calendar
    from onestop.enums import DeviceKind, Role
    from server import auth, migrate, models, seed
    from server.db import open_database

    migrate.upgrade(url)
    demo = json.loads(seed.DEMO_CATALOGUE.read_text(encoding="utf-8"))
    password_hash = auth.hash_password(PASSWORD)  # once: argon2 takes ~50 ms a hash
    expires = dt.datetime.now(calendar.VN_TZ) + dt.timedelta(hours=12)
    plans: list[CentrePlan] = []
    db = open_database(url)
    try:
        with db.write() as session:
            for index in range(1, centres + 1):
                doc = copy.deepcopy(demo)
                doc["centre"]["code"] = f"PVHCC-{index:03d}"
                doc["centre"]["name"] = f"Trung tâm Phục vụ hành chính công số {index}"
                centre = seed.load_catalogue(session, doc)
                session.flush()
                counters = session.scalars(
                    sa.select(models.Counter)
                    .where(models.Counter.centre_id == centre.id)
                    .order_by(models.Counter.number)
                ).all()
                desks = []
                for counter in counters:
                    user = models.User(
                        username=f"canbo-{index:03d}-{counter.number}",
                        password_hash=password_hash,
                        role=Role.OFFICER,
                        full_name=f"Cán bộ quầy {counter.number}, trung tâm {index}",
                        centre_id=centre.id,
                    )
                    session.add(user)
                    session.flush()
                    token = auth.new_secret(auth.TOKEN_PREFIX)
                    session.add(
                        models.AccessToken(token_hash=auth.digest(token), user_id=user.id, expires_at=expires)
                    )
                    desks.append(CounterPlan(counter.id, counter.number, tuple(counter.service_ids), token))
                kiosks = tuple(
                    auth.create_device(
                        session, name=f"kiosk-{index:03d}-{k}", kind=DeviceKind.KIOSK, centre_id=centre.id
                    )[1]
                    for k in range(1, KIOSKS + 1)
                )
                boards = tuple(
                    auth.create_device(
                        session, name=f"board-{index:03d}-{k}", kind=DeviceKind.DISPLAY, centre_id=centre.id
                    )[1]
                    for k in range(1, BOARDS + 1)
                )
                services = session.scalars(
                    sa.select(models.QueueService.id)
                    .where(models.QueueService.centre_id == centre.id)
                    .order_by(models.QueueService.code)
                ).all()
                plans.append(
                    CentrePlan(centre.id, centre.code, tuple(services), kiosks, boards, tuple(desks))
                )
    finally:
        db.dispose()
    return plans


# ---------------------------------------------------------------- the server process


@dataclasses.dataclass(frozen=True)
class RunningServer:
    base_url: str
    pid: int
    log_path: pathlib.Path

    @property
    def api(self) -> str:
        return f"{self.base_url}/api/v1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve(url: str, *, workers: int, data_dir: pathlib.Path) -> Iterator[RunningServer]:
    """`qms-server run --workers N` on a free port; stopped with SIGTERM (then SIGKILL) at the end."""
    port = _free_port()
    log_path = data_dir / "server.log"
    cmd = [
        sys.executable,
        "-m",
        "server.cli",
        "run",
        "--workers",
        str(workers),
        "--database-url",
        url,
        "--data-dir",
        str(data_dir),
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    with open(log_path, "wb") as log:
        # A session of its own: Ctrl+C reaches only us, and we stop the server in order.
        proc = subprocess.Popen(
            cmd, cwd=_launch.ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_healthy(proc, base_url, workers)
        yield RunningServer(base_url=base_url, pid=proc.pid, log_path=log_path)
    finally:
        _stop(proc)


def _wait_healthy(proc: subprocess.Popen[bytes], base_url: str, workers: int) -> None:
    """Until /healthz answers, then until every worker process is up (each runs migrations)."""
    deadline = time.monotonic() + START_TIMEOUT
    with httpx.Client(base_url=base_url, timeout=5, trust_env=False) as client:
        while True:
            with contextlib.suppress(httpx.TransportError):
                if client.get("/healthz").status_code == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("máy chủ không khởi động được (xem server.log)")
            time.sleep(0.1)  # polling with a deadline
        wanted = workers + 1 if workers > 1 else 1
        while len(process_tree(proc.pid)) < wanted and time.monotonic() < deadline:
            time.sleep(0.1)  # polling with a deadline
        for _ in range(workers * 10):  # let every worker finish its start-up and answer
            client.get("/healthz").raise_for_status()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the group this function's Popen started
            proc.wait(timeout=STOP_TIMEOUT)


# ---------------------------------------------------------------- the server's resources


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_usage(pid: int) -> tuple[int, list[int], float]:
    """Summed RSS, each process's RSS, and summed CPU seconds of the server's processes."""
    pids = process_tree(pid)
    each = [rss_bytes(p) for p in pids]
    return sum(each), each, sum(cpu_seconds(p) for p in pids)


# ---------------------------------------------------------------- what the database and the log say


def last_calls(engine: Any) -> dict[int, int]:
    """Per centre: the id of its newest ticket.called event."""
    import sqlalchemy as sa

    from server import models

    table = models.table(models.Event)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(table.c.centre_id, sa.func.max(table.c.id))
            .where(table.c.type == "ticket.called")
            .group_by(table.c.centre_id)
        ).all()
    return {int(centre): int(last) for centre, last in rows}


def check_numbers(database_url: str, issued: list[tuple[int, str]]) -> tuple[bool, str]:
    """Per centre, service and day: seq 1..n, numbers distinct, exactly what the kiosks were given."""
    read = _launch.read_numbering(database_url, issued)
    problems = [
        f"trung tâm {centre}, dịch vụ {service}: số trùng hoặc bị nhảy"
        for (centre, service, _), items in sorted(read.lines.items())
        if not read.exact(items)
    ]
    verdict = (
        "KHÔNG ĐẠT: " + "; ".join(problems[:5])
        if problems
        else f"ĐẠT — {read.tickets} vé, {len(read.lines)} dãy số (trung tâm × dịch vụ), liên tục, không trùng"
    )
    if read.given_not_stored:
        problems.append("vé ki-ốt nhận mà không có trong CSDL")
    return not problems, (
        f"{verdict}; ki-ốt nhận {read.given} vé: {read.given_not_stored} vé ki-ốt nhận mà CSDL không có, "
        f"{read.stored_not_given} vé CSDL có mà ki-ốt không nhận được trả lời (lỗi hoặc hết thời gian chờ)"
    )


def check_boards(
    database_url: str, boards: dict[int, list[tuple[int, list[int]]]], cutoff: int
) -> tuple[bool, str]:
    """Every board (per centre: the event id it first connected after, and the ticket.called
    event ids it received): the centre's calls after that id (up to ``cutoff``, the newest when
    the streams were closed), each once, in order."""
    import sqlalchemy as sa

    from server import models

    table = models.table(models.Event)
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(table.c.id, table.c.centre_id)
                .where(table.c.type == "ticket.called")
                .order_by(table.c.id)
            ).all()
    finally:
        engine.dispose()
    late = sum(1 for event_id, _ in rows if event_id > cutoff)
    by_centre: dict[int, list[int]] = collections.defaultdict(list)
    for event_id, centre in rows:
        if event_id <= cutoff:
            by_centre[centre].append(event_id)
    bad = missing = extra = 0
    for centre, streams in boards.items():
        for start, called in streams:
            wanted = [e for e in by_centre.get(centre, []) if e > start]
            got = [e for e in called if e <= cutoff]
            if got != wanted:
                bad += 1
                missing += len(set(wanted) - set(got))
                extra += len(got) - len(set(got)) + len(set(got) - set(wanted))
    total = sum(len(s) for s in boards.values())
    after = f"; {late} lượt gọi ghi sau khi đã đóng luồng không xét" if late else ""
    if bad:
        return False, (
            f"KHÔNG ĐẠT — {bad}/{total} bảng sai: thiếu {missing} lượt gọi, thừa hoặc trùng {extra}{after}"
        )
    return True, (
        f"ĐẠT — {total} bảng, mỗi bảng nhận mọi lượt gọi của trung tâm mình ({len(rows) - late} lượt "
        f"cả tỉnh) đúng một lần, đúng thứ tự{after}"
    )


# What a healthy server logs (start-up); everything else it writes at --log-level warning counts.
QUIET = re.compile(
    r"^(\d{4}-\d\d-\d\d .* INFO |Máy chủ chạy tại |Traceback |The above exception |\(Background )"
)


def server_log_problems(path: pathlib.Path) -> tuple[int, list[tuple[int, str]], pathlib.Path | None]:
    """Messages in the server's log (warnings and errors: the workers log without a level
    prefix), grouped by their start, most frequent first, and where a copy of the log is kept
    (the data directory is removed at the end). Traceback bodies are left out; the
    exception's own line is counted."""
    text = path.read_text(errors="replace") if path.exists() else ""
    lines = [line for line in text.splitlines() if line and not line[0].isspace() and not QUIET.match(line)]
    errors = len(lines)
    raised = collections.Counter(line.split(" (Background")[0][:160] for line in lines)
    kept = None
    if errors or raised:
        fd, name = tempfile.mkstemp(prefix=f"qms-province-{path.parent.name}-", suffix=".log")
        os.close(fd)
        kept = pathlib.Path(name)
        shutil.copyfile(path, kept)
    return errors, [(n, kind) for kind, n in raised.most_common(8)], kept
