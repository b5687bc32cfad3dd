"""How long do the managers' reports take over a whole year of a busy centre?

Prepares an empty database (SQLite by default, --database-url for PostgreSQL) with the demo
catalogue, fills it with one year (2025) of a busy centre by bulk Core inserts — about 600,000
tickets, 200,000 dossiers, ratings for most returned dossiers, and the audit entries the
reports read (counter opening hours, transfers, supplement requests, refusals, extensions,
plus a received and a returned entry per dossier as realistic bulk) — then starts the server
and times every report over the year through HTTP: the queue report once per group_by, the
others with their default grouping; 3 runs each, median printed. Aim: each ≤ 1 s (warm).

The queue and officer reports read finished days from their daily summaries (server/report_days.py),
which the first report that needs a day fills: the summaries are emptied first and that first
request is timed on its own ("first run (filling the summary)"), then the warm runs.

    .venv/bin/python benchmarks/reports.py [--database-url URL] [--tickets 600000] [--dossiers 200000]
        [--reuse]

Seeding takes minutes: with --reuse and a --database-url (an SQLite file, or a PostgreSQL
database), a database that already holds the seeded year is used as it is (the server migrates
it to the newest schema on start); an empty one is prepared and filled, and kept.

The generator is deterministic (random.Random(--seed)).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import pathlib
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from typing import Any

import _launch
import httpx

YEAR = 2025
AIM_SECONDS = 1.0
CHUNK = 10_000
OFFICERS = 10
REASONS = (
    "Phải chờ lâu",
    "Cán bộ hướng dẫn chưa rõ ràng",
    "Trả kết quả chậm",
    "Thái độ chưa nhiệt tình",
    "Phải đi lại nhiều lần",
    "Phí, lệ phí chưa được giải thích",
)


def working_days() -> list[dt.date]:
    import holidays

    off = holidays.country_holidays("VN", years=YEAR)
    day, days = dt.date(YEAR, 1, 1), []
    while day.year == YEAR:
        if day.weekday() < 5 and day not in off:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def at(day: dt.date, minutes: float) -> dt.datetime:
    """``minutes`` after midnight, Vietnamese time."""
    from onestop import calendar

    return dt.datetime.combine(day, dt.time(), tzinfo=calendar.VN_TZ) + dt.timedelta(minutes=minutes)


def office_minute(rng: random.Random) -> float:
    """When a citizen arrives: mornings busier than afternoons, peaks at 8-9 and 14-15."""
    if rng.random() < 0.62:
        return min(max(rng.gauss(8.6 * 60, 70), 7 * 60), 11.4 * 60)
    return min(max(rng.gauss(14.5 * 60, 60), 13.5 * 60), 16.9 * 60)


def chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


class Filler:
    def __init__(self, url: str, seed: int) -> None:
        import sqlalchemy as sa

        from server import models

        self.sa, self.models = sa, models
        self.engine = sa.create_engine(url)
        self.rng = random.Random(seed)
        self.days = working_days()
        with self.engine.connect() as conn:
            self.centre = conn.scalar(sa.select(models.Centre.id))
            self.services = conn.execute(
                sa.select(models.QueueService.id, models.QueueService.letter).order_by(models.QueueService.id)
            ).all()
            links = conn.execute(
                sa.select(models.CounterService.counter_id, models.CounterService.service_id).order_by(
                    models.CounterService.counter_id, models.CounterService.service_id
                )
            ).all()
            self.procedures = conn.execute(
                sa.select(models.Procedure.id, models.Procedure.processing_days).order_by(models.Procedure.id)
            ).all()
        self.counters_of: dict[int, list[int]] = {}
        for counter_id, service_id in links:
            self.counters_of.setdefault(service_id, []).append(counter_id)
        self.counter_ids = sorted({c for c, _ in links})

    def insert(self, model: type[Any], rows: Iterator[dict[str, Any]]) -> int:
        table, n = self.models.table(model), 0
        with self.engine.begin() as conn:
            for batch in chunks(rows):
                conn.execute(self.sa.insert(table), batch)
                n += len(batch)
        return n

    def officers(self) -> dict[int, tuple[int, str]]:
        """Officer users; officer i works at counter i (counter id -> (user id, username))."""
        from onestop.enums import Role

        rows: list[dict[str, Any]] = [
            {
                "username": f"bench{i}",
                "full_name": f"Cán bộ {i}",
                "password_hash": "x",
                "role": Role.OFFICER.value,
            }
            for i in range(OFFICERS)
        ]
        rows = [row | {"centre_id": self.centre, "active": True} for row in rows]
        self.insert(self.models.User, iter(rows))
        with self.engine.connect() as conn:
            users = conn.execute(
                self.sa.select(self.models.User.id, self.models.User.username)
                .where(self.models.User.username.like("bench%"))
                .order_by(self.models.User.id)
            ).all()
        return {counter: (users[i][0], users[i][1]) for i, counter in enumerate(self.counter_ids)}

    def tickets(self, total: int, staff: dict[int, tuple[int, str]]) -> Iterator[dict[str, Any]]:
        from onestop.enums import TicketStatus

        rng, per_day = self.rng, total // len(self.days)
        weights = [3, 2, 4, 3, 2, 1][: len(self.services)]
        self.transfers: list[dict[str, Any]] = []
        for day in self.days:
            seqs: dict[int, int] = {}
            picks = rng.choices(self.services, weights=weights, k=per_day)
            for service_id, letter in sorted(picks, key=lambda s: s[0]):
                seq = seqs[service_id] = seqs.get(service_id, 0) + 1
                issued = at(day, office_minute(rng))
                roll = rng.random()
                status = TicketStatus.DONE if roll < 0.9 else TicketStatus.NO_SHOW
                if roll > 0.97:
                    status = TicketStatus.CANCELLED
                counter = rng.choice(self.counters_of[service_id])
                row: dict[str, Any] = {
                    "centre_id": self.centre,
                    "origin_service_id": service_id,
                    "service_id": service_id,
                    "business_day": day,
                    "seq": seq,
                    "number": f"{letter}{seq:03d}",
                    "priority_group": "elderly" if rng.random() < 0.05 else None,
                    "status": status.value,
                    "queue_key": issued,
                    "counter_id": None,
                    "officer_id": None,
                    "call_count": 0,
                    "issued_at": issued,
                    "called_at": None,
                    "started_at": None,
                    "finished_at": None,
                    "ended_at": None,
                }
                if status is TicketStatus.CANCELLED:
                    row["ended_at"] = issued + dt.timedelta(minutes=rng.uniform(5, 40))
                else:
                    called = issued + dt.timedelta(minutes=min(rng.expovariate(1 / 12), 180))
                    row |= {"counter_id": counter, "officer_id": staff[counter][0], "called_at": called}
                    row["call_count"] = 1 if status is TicketStatus.DONE else 3
                    if status is TicketStatus.DONE:
                        started = called + dt.timedelta(seconds=rng.uniform(20, 120))
                        finished = started + dt.timedelta(minutes=min(rng.lognormvariate(2.0, 0.5), 90))
                        row |= {"started_at": started, "finished_at": finished}
                    else:
                        row["ended_at"] = called + dt.timedelta(minutes=3)
                    if rng.random() < 0.01:
                        self.transfers.append(
                            {
                                "at": called + dt.timedelta(minutes=1),
                                "actor": f"user:{staff[counter][1]}",
                                "action": "ticket.transferred",
                                "target": row["number"],
                                "details": {"from_service_id": service_id, "from_counter_id": counter},
                            }
                        )
                yield row

    def counter_log(self, staff: dict[int, tuple[int, str]]) -> Iterator[dict[str, Any]]:
        for day in self.days:
            for counter, (_, username) in staff.items():
                for minute, action in ((420, "opened"), (690, "paused"), (810, "resumed"), (1020, "closed")):
                    yield {
                        "at": at(day, minute + self.rng.uniform(-5, 5)),
                        "actor": f"user:{username}",
                        "action": f"counter.{action}",
                        "target": f"counter:{counter}",
                        "details": {"counter_id": counter},
                    }

    def dossiers(self, total: int, staff: dict[int, tuple[int, str]]) -> Iterator[dict[str, Any]]:
        from onestop.enums import DossierStatus

        rng, per_day = self.rng, total // len(self.days)
        self.audit: list[dict[str, Any]] = []
        self.ratings: list[tuple[str, dt.datetime, int]] = []
        officers = list(staff.values())
        end_of_year = at(dt.date(YEAR, 12, 31), 17 * 60)
        for day in self.days:
            for seq in range(1, per_day + 1):
                procedure, days = rng.choice(self.procedures)
                officer, username = rng.choice(officers)
                received = at(day, office_minute(rng))
                due = received + dt.timedelta(days=float(days) * 1.4 + 0.01)
                ready = received + (due - received) * rng.uniform(0.3, 1.12)
                returned = ready + dt.timedelta(hours=rng.expovariate(1 / 30))
                code = f"000.00.25.H42-{day:%y%m%d}-{seq:04d}"
                roll = rng.random()
                status = DossierStatus.RETURNED if returned < end_of_year else DossierStatus.RECEIVED
                status = DossierStatus.REFUSED if roll < 0.01 else status
                status = DossierStatus.SUPPLEMENT_REQUESTED if 0.01 <= roll < 0.02 else status
                done = status is DossierStatus.RETURNED
                extended = 0.02 <= roll < 0.04
                audit = [("received", received)] + ([("returned", returned)] if done else [])
                audit += [("refused", received)] if roll < 0.01 else []
                audit += (
                    [("supplement_requested", received + dt.timedelta(hours=2))]
                    if 0.01 <= roll < 0.02
                    else []
                )
                audit += [("extended", received + dt.timedelta(days=1))] if extended else []
                for action, when in audit:
                    self.audit.append(
                        {
                            "at": when,
                            "actor": f"user:{username}",
                            "action": f"dossier.{action}",
                            "target": code,
                        }
                        | {"details": {"code": code}}
                    )
                if done and rng.random() < 0.6:
                    self.ratings.append((code, returned + dt.timedelta(minutes=2), officer))
                yield {
                    "code": code,
                    "idempotency_key": code,
                    "request_hash": "0" * 64,
                    "centre_id": self.centre,
                    "procedure_id": procedure,
                    "officer_id": officer,
                    "channel": "counter",
                    "status": status.value,
                    "applicant": {
                        "full_name": "Nguyễn Văn An",
                        "id_number": f"025{rng.randrange(10**9):09d}",
                    },
                    "applicant_id_number": None,
                    "documents": [{"name": "Tờ khai", "kind": "original", "copies": 1}],
                    "sets": 1,
                    "fee_collected": 50000,
                    "return_method": "counter",
                    "received_at": received,
                    "due_at": due + dt.timedelta(days=7) if extended else due,
                    "original_due_at": due if extended else None,
                    "ready_at": ready if done else None,
                    "returned_at": returned if done else None,
                }

    def rating_rows(self) -> Iterator[dict[str, Any]]:
        sa, models = self.sa, self.models
        with self.engine.connect() as conn:
            ids = dict(conn.execute(sa.select(models.Dossier.code, models.Dossier.id)).all())
        for code, when, officer in self.ratings:
            roll = self.rng.random()
            level = "rat_hai_long" if roll < 0.7 else "hai_long" if roll < 0.95 else "khong_hai_long"
            reason = self.rng.choice(REASONS) if level == "khong_hai_long" else None
            yield {
                "dossier_id": ids[code],
                "level": level,
                "reason": reason,
                "officer_id": officer,
                "created_at": when,
            }


def fill(url: str, *, tickets: int, dossiers: int, seed: int) -> None:
    from server import models

    filler = Filler(url, seed)
    t0 = time.perf_counter()
    staff = filler.officers()
    n_tickets = filler.insert(models.Ticket, filler.tickets(tickets, staff))
    t1 = time.perf_counter()
    n_dossiers = filler.insert(models.Dossier, filler.dossiers(dossiers, staff))
    t2 = time.perf_counter()
    n_ratings = filler.insert(models.DossierRating, filler.rating_rows())
    log = [*filler.counter_log(staff), *filler.transfers, *filler.audit]
    n_audit = filler.insert(models.AuditEntry, iter(log))
    t3 = time.perf_counter()
    filler.engine.dispose()
    print(
        f"filled in {t3 - t0:.1f} s: {n_tickets} tickets ({t1 - t0:.1f} s), {n_dossiers} dossiers "
        f"({t2 - t1:.1f} s), {n_ratings} ratings and {n_audit} audit entries ({t3 - t2:.1f} s)"
    )


REPORT_INDEX = "ix_audit_log_action_at"


def sql(url: str, statement: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(statement)
    engine.dispose()


REPORTS: list[tuple[str, dict[str, str]]] = [
    *[("queue", {"group_by": g}) for g in ("service", "counter", "officer", "agency", "day", "hour")],
    ("dossiers", {}),
    ("satisfaction", {}),
    ("officers", {}),
]


def client_for(server: _launch.Server) -> httpx.Client:
    client = httpx.Client(base_url=server.api, timeout=300, trust_env=False)
    reply = client.post("/auth/login", json={"username": "admin", "password": _launch.password()})
    reply.raise_for_status()
    client.headers["Authorization"] = f"Bearer {reply.json()['access_token']}"
    return client


def time_report(
    client: httpx.Client, name: str, params: dict[str, str], runs: int
) -> tuple[list[float], int]:
    """Seconds of each of ``runs`` requests for the year, and the rows of the last reply."""
    year = {"start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31", "centre_id": "1"}
    seconds = []
    for _ in range(runs):
        t0 = time.perf_counter()
        reply = client.get(f"/reports/{name}", params=year | params)
        seconds.append(time.perf_counter() - t0)
        reply.raise_for_status()
    return seconds, len(reply.json()["rows"])


def label(name: str, params: dict[str, str]) -> str:
    return f"{name} " + " ".join(f"{k}={v}" for k, v in params.items())


def time_reports(server: _launch.Server, runs: int) -> bool:
    """Every report, ``runs`` times each; prints the median; True when each met the aim."""
    all_met = True
    with contextlib.closing(client_for(server)) as client:
        for name, params in REPORTS:
            seconds, rows = time_report(client, name, params, runs)
            median = statistics.median(seconds)
            all_met &= median <= AIM_SECONDS
            runs_ms = ", ".join(f"{s * 1000:.0f}" for s in seconds)
            verdict = "OK" if median <= AIM_SECONDS else "TOO SLOW"
            print(
                f"{label(name, params):<28} median {median * 1000:7.0f} ms  "
                f"(runs: {runs_ms} ms; {rows} rows)  {verdict}"
            )
    return all_met


SUMMARY_TABLE = "report_day"
SUMMARISED = [("queue", {"group_by": "service"}), ("officers", {})]


def has_summary(url: str) -> bool:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return sa.inspect(conn).has_table(SUMMARY_TABLE)
    finally:
        engine.dispose()


def time_first_runs(server: _launch.Server) -> None:
    """The first report after the day summaries were emptied: it summarises the whole year."""
    with contextlib.closing(client_for(server)) as client:
        for name, params in SUMMARISED:
            sql(server.database_url, "DELETE FROM report_day_figures")  # first: it refers to report_day
            sql(server.database_url, "DELETE FROM report_day")
            (seconds,), rows = time_report(client, name, params, 1)
            print(f"{label(name, params):<28} {seconds * 1000:7.0f} ms  ({rows} rows)")


def seeded(url: str) -> bool:
    """Whether ``url`` names a database that already holds tickets (a seeded year)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("ticket"):
                return False
            return bool(conn.scalar(sa.text("SELECT count(*) FROM ticket")))
    finally:
        engine.dispose()


@contextlib.contextmanager
def existing_server(url: str) -> Iterator[_launch.Server]:
    """The server on a database prepared and seeded by an earlier run (kept with --reuse)."""
    with contextlib.ExitStack() as stack:
        tmp = pathlib.Path(tempfile.mkdtemp(prefix="qms-bench-"))
        stack.callback(shutil.rmtree, tmp, True)
        port_file = tmp / "port"
        script = pathlib.Path(_launch.__file__).resolve()
        cmd = [sys.executable, str(script), "--database-url", url, "--data-dir", str(tmp)]
        proc = subprocess.Popen(
            [*cmd, "--port-file", str(port_file)], cwd=_launch.ROOT, start_new_session=True
        )
        stack.callback(_launch._stop, proc)
        base_url = _launch._wait_started(proc, port_file)
        yield _launch.Server(base_url=base_url, database_url=url, device_keys={}, pid=proc.pid)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _launch.add_server_options(parser)
    parser.add_argument("--tickets", type=int, default=600_000)
    parser.add_argument("--dossiers", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--compare-index", action="store_true", help="time again without the report index, to compare"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --database-url: use the database as it is if it holds the seeded year, else fill it",
    )
    args = parser.parse_args(argv)
    if args.reuse and not args.database_url:
        parser.error("--reuse needs --database-url (an SQLite file or a PostgreSQL database to keep)")
    reuse = args.reuse and seeded(args.database_url)
    server_context = (
        existing_server(args.database_url)
        if reuse
        else _launch.running_server(args.database_url, keep_data=args.keep_data)
    )
    with server_context as server:
        print(f"database: {server.database_url.split('@')[-1]}")
        if reuse:
            print("reusing the seeded database")
        else:
            fill(server.database_url, tickets=args.tickets, dossiers=args.dossiers, seed=args.seed)
            sql(server.database_url, "ANALYZE")  # as autovacuum (PostgreSQL) or PRAGMA optimize would
        if has_summary(server.database_url):
            print("first run (filling the summary), one request each on an empty summary:")
            time_first_runs(server)
        print(f"warm (median of {args.runs}):")
        met = time_reports(server, args.runs)
        if args.compare_index:
            sql(server.database_url, f"DROP INDEX {REPORT_INDEX}")
            print(f"without it ({REPORT_INDEX} dropped), as before migration 0004:")
            time_reports(server, args.runs)
    print(f"aim: each report ≤ {AIM_SECONDS:.0f} s over a year (warm): {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    _launch.run_main(main)
