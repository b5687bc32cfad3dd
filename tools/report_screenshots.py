"""Screenshots of the supervisor's reports page, for docs/screenshots/.

A real server in this process holds a realistic November 2026: about 1,500 tickets over six
services and eight counters, 150 dossiers over six fields and their citizens' ratings. The
page is shown offscreen at 1600×900 on 1 December 2026 with "Tháng trước" chosen, for the
queue report (report-queue.png) and the dossier report (report-dossiers.png).
``.venv/bin/python tools/report_screenshots.py [OUT_DIR]``
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import random

import _offscreen  # Qt offscreen and the work tree on sys.path, before the imports below
import sqlalchemy as sa
from PySide6 import QtWidgets

from apiclient import client
from counter_app import window
from counter_app.reports import model
from counter_app.views import reports
from onestop import calendar
from onestop.enums import DossierStatus, Rating, TicketStatus
from qtkit import tasks
from server import models
from tests import live
from tests.server import test_reports as known

spin = _offscreen.spin

CENTRE = "Trung tâm Phục vụ hành chính công tỉnh Phú Thọ"
MONTH = [dt.date(2026, 11, day) for day in range(1, 31) if dt.date(2026, 11, day).weekday() < 5]
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=calendar.VN_TZ)
SIZE = (1600, 900)  # a supervisor's desk screen
FIELDS = ("STP-LLTP", "STP-HT", "CAT-GPLX", "SXD-HDXD", "STC-DKKD", "SNNMT-DD")
# Tickets issued per hour of the day (07:00 to 16:00), as a busy centre sees them.
HOUR_WEIGHTS = {7: 4, 8: 10, 9: 12, 10: 9, 11: 4, 13: 5, 14: 8, 15: 6, 16: 3}
REASONS = ("Trả kết quả chậm", "Thái độ chưa nhiệt tình", "Hướng dẫn chưa rõ ràng", "Phải chờ lâu")


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class MonthSeeder(known.Seeder):
    """The tests' seeder, with a procedure of each of several fields."""

    def __init__(self, server: live.LiveServer) -> None:
        super().__init__(server)
        with self.db.read() as session:
            for code in FIELDS:
                row = session.execute(
                    sa.select(models.Procedure.id, models.Field.id, models.Field.agency_id)
                    .join(models.Field)
                    .where(models.Field.code == code)
                    .order_by(models.Procedure.id)
                    .limit(1)
                ).first()
                if row is not None:
                    self.procedure[code] = (row[0], row[1], row[2])


def counters_of_services() -> dict[str, list[int]]:
    catalogue = json.loads(pathlib.Path("server/demo_catalogue.json").read_text(encoding="utf-8"))
    found: dict[str, list[int]] = {}
    for counter in catalogue["counters"]:
        for code in counter["service_codes"]:
            found.setdefault(code, []).append(counter["number"])
    return found


def seed_tickets(seeder: MonthSeeder, rng: random.Random) -> None:
    counters = counters_of_services()
    hours, weights = list(HOUR_WEIGHTS), list(HOUR_WEIGHTS.values())
    for day in MONTH:
        for service, numbers in counters.items():
            for _ in range(rng.randint(6, 14)):
                issued = rng.choices(hours, weights)[0] * 60 + rng.randint(0, 59)
                wait, serve = int(rng.triangular(1, 45, 9)), int(rng.triangular(3, 25, 8))
                number = rng.choice(numbers)
                officer = f"canbo{(number - 1) % 3 + 1}"
                outcome = rng.choices(
                    [TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.CANCELLED], [90, 6, 4]
                )[0]
                called = issued + wait
                if outcome is TicketStatus.CANCELLED:
                    seeder.ticket(service, outcome, f"{day} {clock(issued)}")
                elif outcome is TicketStatus.NO_SHOW:
                    seeder.ticket(
                        service,
                        outcome,
                        f"{day} {clock(issued)} {clock(called)}",
                        counter=number,
                        officer=officer,
                    )
                else:
                    moments = (issued, called, called + 1, called + 1 + serve)
                    times = f"{day} " + " ".join(clock(moment) for moment in moments)
                    seeder.ticket(service, outcome, times, counter=number, officer=officer)


def seed_dossiers(seeder: MonthSeeder, rng: random.Random) -> None:
    fields = list(seeder.procedure)
    for _ in range(150):
        day = rng.choice(MONTH)
        received = dt.datetime.combine(day, dt.time(rng.randint(7, 16), rng.choice((0, 15, 30, 45))))
        due = received + dt.timedelta(days=rng.choice((3, 5, 7, 10)))
        officer = f"canbo{rng.randint(1, 3)}"
        field = rng.choice(fields)
        if due >= NOW.replace(tzinfo=None) or rng.random() < 0.12:  # not done yet (some overdue)
            seeder.dossier(
                field, officer, DossierStatus.RECEIVED, f"{received:%Y-%m-%dT%H:%M} {due:%Y-%m-%dT%H:%M}"
            )
            continue
        ready = due + dt.timedelta(hours=rng.choices([-30, -2, 20], [60, 28, 12])[0])
        returned = max(ready, received) + dt.timedelta(hours=1)
        iso = " ".join(f"{moment:%Y-%m-%dT%H:%M}" for moment in (received, due, ready, returned))
        code = seeder.dossier(field, officer, DossierStatus.RETURNED, iso)
        level = rng.choices([Rating.VERY_SATISFIED, Rating.SATISFIED, Rating.DISSATISFIED], [70, 22, 8])[0]
        reason = rng.choice(REASONS) if level is Rating.DISSATISFIED else None
        seeder.rating(code, level, f"{returned + dt.timedelta(minutes=5):%Y-%m-%dT%H:%M}", officer, reason)


def show(app: QtWidgets.QApplication, page: reports.ReportsPage, kind: model.Kind) -> None:
    page.choose(kind, model.Preset.LAST_MONTH)
    page.on_show_clicked()
    spin(app, lambda: not page.busy, 30)
    spin(app, lambda: False, 0.3)


def shoot(app: QtWidgets.QApplication, srv: live.LiveServer, out: pathlib.Path) -> None:
    seeder = MonthSeeder(srv)
    rng = random.Random(2026)
    seed_tickets(seeder, rng)
    seed_dossiers(seeder, rng)
    seeder.db.dispose()
    srv.clock.set(NOW)
    api = client.Client(srv.base_url)
    api.login("giamsat", live.PASSWORD)
    runner = tasks.Runner()
    page = reports.ReportsPage(api, runner, clock=lambda: NOW)
    page.set_centre(seeder.centre, CENTRE)
    page.resize(*SIZE)
    page.show()
    for kind, name in ((model.Kind.QUEUE, "queue"), (model.Kind.DOSSIERS, "dossiers")):
        show(app, page, kind)
        page.grab().save(str(out / f"report-{name}.png"))
    runner.close()
    api.close()


if __name__ == "__main__":
    _offscreen.main_with_server(shoot, window.apply_theme)
