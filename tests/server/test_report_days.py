"""The queue and officer reports read finished days from their summaries (server/report_days.py):
the figures are the same as when the days are read from the tickets, and today counts live."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import time
from typing import Any

import httpx
import sqlalchemy as sa

from onestop import calendar
from onestop.enums import TicketStatus
from server import models
from tests import live
from tests.server.test_reports import MONTH, NOW, Seeder, by_key, figures, ok, seed_month

GROUPINGS = ("service", "counter", "officer", "agency", "day", "hour")
OFFICER = ("served", "avg_service_minutes", "open_hours", "served_per_hour")


def vn(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=calendar.VN_TZ)


def summarised(server: live.LiveServer) -> tuple[list[str], int]:
    """The days marked summarised (dd/mm) and the number of summary rows."""
    engine = sa.create_engine(server.settings.resolved_database_url())
    try:
        with engine.connect() as conn:
            days = conn.scalars(sa.select(models.ReportDay.business_day).order_by("business_day")).all()
            rows = conn.scalar(sa.select(sa.func.count()).select_from(models.ReportDayFigures)) or 0
    finally:
        engine.dispose()
    return [f"{day:%d/%m}" for day in days], rows


def queue_reports(server: live.LiveServer, params: dict[str, str] = MONTH) -> dict[str, Any]:
    supervisor = server.user("giamsat")
    reports = {g: ok(supervisor.get("/reports/queue", params=params | {"group_by": g})) for g in GROUPINGS}
    reports["target 5"] = ok(supervisor.get("/reports/queue", params=params | {"target_wait_minutes": 5}))
    return reports


def test_summarised_days_give_the_figures_the_tickets_give(
    server: live.LiveServer, clock: live.Clock
) -> None:
    seed_month(server)
    clock.set(vn("2026-11-02T06:00"))  # no day with tickets is over: all read from the tickets
    from_tickets = queue_reports(server)
    assert summarised(server) == (["01/11"], 0)  # a day without tickets is marked all the same
    clock.set(NOW)
    from_summaries = queue_reports(server)
    days, rows = summarised(server)
    assert days == [f"{day:02d}/11" for day in range(1, 31)] and rows > 0
    assert from_summaries == from_tickets
    # The hand-worked figures of test_reports, now from the summaries.
    assert figures(from_summaries["service"]["total"], "issued", "served", "p90_wait_minutes") == (9, 6, 35)
    assert from_summaries["target 5"]["total"]["service_level"] == 0.3333
    assert queue_reports(server) == from_summaries  # read again: nothing summarised twice
    assert summarised(server) == (days, rows)


def test_today_counts_live_and_is_summarised_once_over(server: live.LiveServer, clock: live.Clock) -> None:
    seeder = seed_month(server)
    supervisor = server.user("giamsat")
    clock.set(vn("2026-11-03T23:59"))  # 2 Nov is over, 3 Nov is today
    officers = ok(supervisor.get("/reports/officers", params=MONTH))
    assert summarised(server)[0] == ["01/11", "02/11"]
    canbo1, canbo2 = seeder.user["canbo1"], seeder.user["canbo2"]
    # As test_reports works out: canbo2 served 2 tickets on 2 Nov (summarised) and 1 today.
    assert figures(by_key(officers)[canbo1], *OFFICER) == (3, 10.0, 7.0, 0.43)
    assert figures(by_key(officers)[canbo2], *OFFICER) == (3, 13.0, 3.15, 0.95)
    days = by_key(ok(supervisor.get("/reports/queue", params=MONTH | {"group_by": "day"})))
    assert figures(days["2026-11-03"], "issued", "served") == (2, 1)

    # A ticket served today counts at once: 14:20-14:31, called 15 minutes after it was issued.
    more = Seeder(server)
    more.ticket("B", TicketStatus.DONE, "2026-11-03 14:05 14:20 14:20 14:31", counter=2, officer="canbo2")
    more.db.dispose()
    days = by_key(ok(supervisor.get("/reports/queue", params=MONTH | {"group_by": "day"})))
    assert figures(days["2026-11-03"], "issued", "served", "avg_wait_minutes") == (3, 2, 12.5)
    live_officers = ok(supervisor.get("/reports/officers", params=MONTH))
    # canbo2: 4 served, (30 + 4 + 5 + 11) / 4 min; 3.05 hours on 2 Nov, 14:10-14:31 on 3 Nov.
    assert figures(by_key(live_officers)[canbo2], *OFFICER) == (4, 12.5, 3.4, 1.18)

    clock.set(NOW)  # 3 Nov is over: summarised with the new ticket, same figures
    supervisor = server.user("giamsat")  # signed in again: a month later the session has expired
    assert ok(supervisor.get("/reports/officers", params=MONTH)) == live_officers
    assert "03/11" in summarised(server)[0]
    days = by_key(ok(supervisor.get("/reports/queue", params=MONTH | {"group_by": "day"})))
    assert figures(days["2026-11-03"], "issued", "served", "avg_wait_minutes") == (3, 2, 12.5)


# Waits in seconds on two days; rounded to the minute: 1 1 2 2 2 3 5 15 15 30 and 0 1 3 10 15 16 20
# 25 40 60. The p90 of both days (30) is neither day's p90 (15 and 40).
WAITS = {
    "2026-11-09": (60, 89, 91, 120, 149, 151, 300, 900, 901, 1799),
    "2026-11-10": (0, 45, 200, 600, 899, 960, 1200, 1500, 2400, 3600),
}


def seed_waits(server: live.LiveServer) -> None:
    seeder = Seeder(server)
    for day, waits in WAITS.items():
        for wait in waits:
            issued = vn(f"{day}T08:00")
            called = issued + dt.timedelta(seconds=wait)
            times = [
                f"{moment:%H:%M:%S}" for moment in (issued, called, called, called + dt.timedelta(minutes=5))
            ]
            seeder.ticket("A", TicketStatus.DONE, f"{day} {' '.join(times)}", counter=1, officer="canbo1")
    seeder.db.dispose()


def test_p90_and_service_level_over_days_are_exact(server: live.LiveServer, clock: live.Clock) -> None:
    seed_waits(server)
    admin = server.user("admin")
    week = {"start": "2026-11-09", "end": "2026-11-10"}

    def read() -> tuple[Any, ...]:
        at_15 = ok(admin.get("/reports/queue", params=week))["total"]
        at_16 = ok(admin.get("/reports/queue", params=week | {"target_wait_minutes": 16}))["total"]
        days = ok(admin.get("/reports/queue", params=week | {"group_by": "day"}))
        per_day = [row["p90_wait_minutes"] for row in days["rows"]]
        return (
            at_15["p90_wait_minutes"],
            at_15["avg_wait_minutes"],
            at_15["service_level"],
            at_16["service_level"],
            per_day,
        )

    clock.set(vn("2026-11-09T07:00"))
    from_tickets = read()
    assert summarised(server)[1] == 0
    # 15964 s / 20; within 15 min (900 s, the boundary included): 8 + 5; within 16: 2 more.
    assert from_tickets == (30, 13.3, 0.65, 0.75, [15, 40])
    clock.set(vn("2026-11-11T07:00"))
    assert read() == from_tickets
    assert summarised(server)[0] == ["09/11", "10/11"]


def test_concurrent_first_reports_all_succeed(server: live.LiveServer, clock: live.Clock) -> None:
    seed_month(server)
    clock.set(NOW)
    token = server.token("giamsat")
    paths = ["/reports/queue", "/reports/officers"] * 3

    def fetch(path: str) -> int:
        with httpx.Client(base_url=server.api, headers={"Authorization": f"Bearer {token}"}) as client:
            reply = client.get(path, params=MONTH, timeout=60)
            assert reply.status_code == 200, reply.text
            return int(reply.json()["total"]["served"])

    with concurrent.futures.ThreadPoolExecutor(len(paths)) as pool:
        served = list(pool.map(fetch, paths))
    assert served == [6] * len(paths)
    days, rows = summarised(server)
    assert len(days) == 30
    assert queue_reports(server)["service"]["total"]["served"] == 6
    assert summarised(server) == (days, rows)


def test_a_summarised_day_is_not_read_again(server: live.LiveServer, clock: live.Clock) -> None:
    """The rule: a day is summarised once it is over, and never again. Tickets of a past day do
    not change; if one is changed anyway (an admin cancelling an old ticket), the reports keep
    the figures of the day as it ended."""
    seed_month(server)
    clock.set(NOW)
    before = queue_reports(server)
    engine = sa.create_engine(server.settings.resolved_database_url())
    with engine.begin() as conn:
        conn.execute(
            sa.update(models.Ticket)
            .where(
                models.Ticket.business_day == dt.date(2026, 11, 3), models.Ticket.status == TicketStatus.DONE
            )
            .values(status=TicketStatus.CANCELLED)
        )
    engine.dispose()
    assert queue_reports(server) == before


def test_the_server_adds_up_finished_days_by_itself(
    tmp_path: Any, database_url: str, clock: live.Clock
) -> None:
    """`qms-server run` keeps the summaries (hourly); here every 0.2 s, so the reports' first
    request after a night never has to add up a year."""
    clock.set(vn("2026-10-31T06:00"))  # the month to seed is still ahead: nothing of it is over
    with live.run_server(
        data_dir=tmp_path / "data", database_url=database_url, clock=clock, summarise_every_seconds=0.2
    ) as server:
        seed_month(server)
        clock.set(NOW)
        deadline = time.monotonic() + 30
        while summarised(server)[0][-1:] != ["30/11"]:
            assert time.monotonic() < deadline, "the server did not add the days up by itself"
            time.sleep(0.1)  # fixed wait is right: the server works on its own clock, nothing to wait on
        days, rows = summarised(server)
        assert len(days) >= 366 and rows > 0  # the year a report may cover, November's tickets in it
        supervisor = server.user("giamsat")
        report = ok(supervisor.get("/reports/queue", params=MONTH))
        assert figures(report["total"], "issued", "served", "p90_wait_minutes") == (9, 6, 35)
