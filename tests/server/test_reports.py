"""GET /reports/*: a month of known tickets, dossiers and ratings, every figure worked out by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from apiclient import client
from onestop import calendar
from onestop import errors as domain
from onestop.enums import Channel, DossierStatus, Rating, ReturnMethod, TicketStatus
from server import models
from server.db import open_database
from tests import live
from tests.server import checks

MONTH = {"start": "2026-11-01", "end": "2026-11-30"}
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=calendar.VN_TZ)


def vn(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=calendar.VN_TZ)


def opt(text: str | None) -> dt.datetime | None:
    return vn(text) if text else None


def pairs(session: Any, *columns: Any) -> dict[Any, Any]:
    return {key: value for key, value in session.execute(sa.select(*columns))}


class Seeder:
    """Rows written straight into the test server's database."""

    def __init__(self, server: live.LiveServer) -> None:
        self.db = open_database(server.settings.resolved_database_url())
        self.centre = server.ids["centre"]
        self.seq = itertools.count(1)
        with self.db.read() as session:
            self.service = pairs(session, models.QueueService.code, models.QueueService.id)
            self.counter = pairs(session, models.Counter.number, models.Counter.id)
            self.agency_of_counter = pairs(session, models.Counter.number, models.Counter.agency_id)
            self.user = pairs(session, models.User.username, models.User.id)
            self.procedure: dict[str, tuple[int, int, int]] = {}  # field code -> (procedure, field, agency)
            for field_code in ("STP-LLTP", "CAT-GPLX"):
                row = session.execute(
                    sa.select(models.Procedure.id, models.Field.id, models.Field.agency_id)
                    .join(models.Field)
                    .where(models.Field.code == field_code)
                    .order_by(models.Procedure.id)
                    .limit(1)
                ).one()
                self.procedure[field_code] = (row[0], row[1], row[2])

    def ticket(
        self, service: str, status: TicketStatus, times: str, *, counter: int | None = None, **kw: str | None
    ) -> None:
        """``times``: "<day> <issued> [<called> [<started> <finished>]]" as HH:MM."""
        day, *clock = times.split()
        issued, called, started, finished = [f"{day}T{t}" for t in clock] + [None] * (4 - len(clock))
        assert issued is not None
        seq = next(self.seq)
        with self.db.write() as session:
            session.add(
                models.Ticket(
                    centre_id=self.centre,
                    origin_service_id=self.service[kw.get("origin") or service],
                    service_id=self.service[service],
                    business_day=vn(issued).date(),
                    seq=seq,
                    number=f"{service}{seq:03d}",
                    status=status,
                    queue_key=vn(issued),
                    counter_id=self.counter[counter] if counter else None,
                    officer_id=self.user[kw["officer"]] if kw.get("officer") else None,
                    call_count=1 if called else 0,
                    issued_at=vn(issued),
                    called_at=opt(called),
                    started_at=opt(started),
                    finished_at=opt(finished),
                )
            )

    def dossier(
        self, field: str, officer: str, status: DossierStatus, times: str, *, original_due: str | None = None
    ) -> str:
        """``times``: "<received> <due> [<ready> <returned>]" in ISO form."""
        received, due, ready, returned = [*times.split(), None, None][:4]
        assert received is not None and due is not None
        code = f"000.00.25.H42-{vn(received):%y%m%d}-{next(self.seq):04d}"
        with self.db.write() as session:
            session.add(
                models.Dossier(
                    code=code,
                    idempotency_key=code,
                    request_hash="x",
                    centre_id=self.centre,
                    procedure_id=self.procedure[field][0],
                    officer_id=self.user[officer],
                    channel=Channel.COUNTER,
                    status=status,
                    applicant={"full_name": "Nguyễn Văn An", "id_number": "025085001789"},
                    documents=[],
                    sets=1,
                    fee_collected=0,
                    return_method=ReturnMethod.COUNTER,
                    received_at=vn(received),
                    due_at=vn(due),
                    original_due_at=opt(original_due),
                    ready_at=opt(ready),
                    returned_at=opt(returned),
                )
            )
        return code

    def rating(self, code: str, level: Rating, at: str, officer: str, reason: str | None = None) -> None:
        with self.db.write() as session:
            dossier_id = session.scalar(sa.select(models.Dossier.id).where(models.Dossier.code == code))
            session.add(
                models.DossierRating(
                    dossier_id=dossier_id,
                    level=level,
                    reason=reason,
                    officer_id=self.user[officer],
                    created_at=vn(at),
                )
            )

    def audit(self, at: str, actor: str, action: str, target: str, details: dict[str, Any]) -> None:
        with self.db.write() as session:
            session.add(
                models.AuditEntry(
                    at=vn(at), actor=f"user:{actor}", action=action, target=target, details=details
                )
            )


def seed_month(server: live.LiveServer) -> Seeder:
    s = Seeder(server)
    done, a, b = TicketStatus.DONE, "A", "B"
    # Service A at counter 1 (canbo1): waits 5, 20, 15 (exactly the target), 35 (no-show);
    # service times 10, 8, 12; one cancelled while waiting.
    s.ticket(a, done, "2026-11-02 08:00 08:05 08:06 08:16", counter=1, officer="canbo1")
    s.ticket(a, done, "2026-11-02 08:10 08:30 08:31 08:39", counter=1, officer="canbo1")
    s.ticket(a, done, "2026-11-02 09:00 09:15 09:16 09:28", counter=1, officer="canbo1")
    s.ticket(a, TicketStatus.NO_SHOW, "2026-11-02 09:05 09:40", counter=1, officer="canbo1")
    s.ticket(a, TicketStatus.CANCELLED, "2026-11-02 10:00")
    # Service B at counter 2 (canbo2): waits 2, 10 and 20 (the one transferred from A);
    # service times 30, 5, 4; one still waiting.
    s.ticket(b, done, "2026-11-02 08:20 08:22 08:22 08:52", counter=2, officer="canbo2")
    s.ticket(b, done, "2026-11-03 14:00 14:10 14:11 14:16", counter=2, officer="canbo2")
    s.ticket(b, TicketStatus.WAITING, "2026-11-03 14:05")
    s.ticket(b, done, "2026-11-02 11:00 11:20 11:21 11:25", counter=2, officer="canbo2", origin=a)
    transfer = {"from_service_id": s.service[a], "from_counter_id": s.counter[1], "service_id": s.service[b]}
    s.audit("2026-11-02T11:10", "canbo1", "ticket.transferred", "A009", transfer)
    # Outside the month.
    s.ticket(a, done, "2026-10-31 08:00 08:01 08:02 08:03", counter=1, officer="canbo1")
    s.ticket(a, TicketStatus.WAITING, "2026-12-01 07:30")
    # canbo1 had counter 1 open 07:30-11:30 and 13:30-16:30 on 2 Nov: 7 hours. canbo2 has no
    # log: 08:22-11:25 on 2 Nov and 14:10-14:16 on 3 Nov, from first call to last finish.
    for at, action in (("07:30", "opened"), ("11:30", "paused"), ("13:30", "resumed"), ("16:30", "closed")):
        s.audit(f"2026-11-02T{at}", "canbo1", f"counter.{action}", "counter:1", {"counter_id": s.counter[1]})

    law, police = "STP-LLTP", "CAT-GPLX"
    returned, received = DossierStatus.RETURNED, DossierStatus.RECEIVED
    # Due Friday 16:30, done and returned Monday 08:30: late across the weekend.
    d1 = s.dossier(
        law, "canbo1", returned, "2026-11-02T09:00 2026-11-06T16:30 2026-11-09T08:00 2026-11-09T08:30"
    )
    # Done and returned exactly at the due time: on time.
    d2 = s.dossier(
        law, "canbo1", returned, "2026-11-03T10:00 2026-11-10T10:00 2026-11-10T10:00 2026-11-10T10:00"
    )
    # Done the day before the due day: early.
    d3 = s.dossier(
        law, "canbo2", returned, "2026-11-04T08:00 2026-11-12T15:00 2026-11-10T14:00 2026-11-11T09:00"
    )
    s.dossier(police, "canbo2", received, "2026-11-05T09:00 2026-11-20T17:00")  # overdue now
    # Ready before the due time on the due day, collected days later: on time (the result
    # was done in time; the citizen came late).
    d5 = s.dossier(
        police, "canbo1", returned, "2026-11-06T09:00 2026-11-13T17:00 2026-11-13T09:00 2026-11-16T10:00"
    )
    # Received in October, ready early, returned in November.
    d6 = s.dossier(
        police, "canbo2", returned, "2026-10-20T09:00 2026-10-27T17:00 2026-10-26T09:00 2026-11-02T08:00"
    )
    d7 = s.dossier(law, "canbo1", DossierStatus.SUPPLEMENT_REQUESTED, "2026-11-25T09:00 2026-11-28T09:00")
    s.audit("2026-11-26T09:00", "canbo1", "dossier.supplement_requested", d7, {})
    d8 = s.dossier(police, "canbo1", DossierStatus.REFUSED, "2026-11-10T09:00 2026-11-17T09:00")
    s.audit("2026-11-10T09:30", "canbo1", "dossier.refused", d8, {})
    # Extended, and overdue now even so.
    d9 = s.dossier(
        law, "canbo2", received, "2026-11-12T09:00 2026-11-26T09:00", original_due="2026-11-19T09:00"
    )
    s.audit("2026-11-17T09:00", "canbo2", "dossier.extended", d9, {})
    s.dossier(law, "canbo1", received, "2026-12-01T08:00 2026-12-08T08:00")  # after the month
    s.dossier(police, "canbo2", received, "2026-11-20T09:00 2026-12-05T09:00")  # not yet due
    d12 = s.dossier(
        law, "canbo1", returned, "2026-10-01T09:00 2026-10-08T09:00 2026-10-07T09:00 2026-10-28T09:00"
    )

    s.rating(d1, Rating.DISSATISFIED, "2026-11-09T08:35", "canbo1", "Trả kết quả chậm")
    s.rating(d2, Rating.VERY_SATISFIED, "2026-11-10T10:05", "canbo1")
    s.rating(d3, Rating.SATISFIED, "2026-11-11T09:05", "canbo2")
    s.rating(d5, Rating.DISSATISFIED, "2026-11-16T10:05", "canbo1", "  Trả kết quả   chậm ")
    s.rating(d6, Rating.DISSATISFIED, "2026-11-02T08:05", "canbo2", "Thái độ chưa nhiệt tình")
    s.rating(d12, Rating.VERY_SATISFIED, "2026-10-28T09:05", "canbo1")  # October
    s.db.dispose()
    return s


@pytest.fixture
def seeded(server: live.LiveServer) -> Seeder:
    seeder = seed_month(server)
    server.clock.set(NOW)
    return seeder


def ok(reply: httpx.Response) -> Any:
    assert reply.status_code == 200, reply.text
    return reply.json()


def by_key(report: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    return {row["key"]: row for row in report["rows"]}


def figures(row: dict[str, Any], *fields: str) -> tuple[Any, ...]:
    return tuple(row[field] for field in fields)


QUEUE = (
    "issued",
    "served",
    "no_show",
    "cancelled",
    "transferred_out",
    "avg_wait_minutes",
    "p90_wait_minutes",
    "avg_service_minutes",
    "p90_service_minutes",
    "service_level",
)


def test_queue_report_by_service(server: live.LiveServer, seeded: Seeder) -> None:
    report = ok(server.user("giamsat").get("/reports/queue", params=MONTH))
    assert figures(report, "report", "start", "end", "centre_id", "group_by") == (
        "queue",
        "2026-11-01",
        "2026-11-30",
        seeded.centre,
        "service",
    )
    rows = by_key(report)
    a, b = rows[seeded.service["A"]], rows[seeded.service["B"]]
    assert a["name"] and b["name"]
    # A: waits 5, 20, 15, 35 -> 18.75, p90 35; service 10, 8, 12; 2 of 3 within 15 minutes.
    assert figures(a, *QUEUE) == (5, 3, 1, 1, 1, 18.8, 35, 10.0, 12, 0.6667)
    # B: waits 2, 10, 20 -> 10.67, p90 20; service 30, 5, 4 -> 13.0, p90 30.
    assert figures(b, *QUEUE) == (4, 3, 0, 0, 0, 10.7, 20, 13.0, 30, 0.6667)
    # All: waits 5, 20, 15, 35, 2, 10, 20 -> 107/7; service 69/6 = 11.5, p90 rank 6 of 6.
    assert figures(report["total"], *QUEUE) == (9, 6, 1, 1, 1, 15.3, 35, 11.5, 30, 0.6667)
    assert report["total"]["key"] is None
    assert report["busiest_hours"] == [
        {"hour": 8, "issued": 3},
        {"hour": 9, "issued": 2},
        {"hour": 10, "issued": 1},
        {"hour": 11, "issued": 1},
        {"hour": 14, "issued": 2},
    ]
    strict = ok(server.user("giamsat").get("/reports/queue", params=MONTH | {"target_wait_minutes": 5}))
    assert by_key(strict)[seeded.service["A"]]["service_level"] == 0.3333  # only the 5-minute wait


def test_queue_report_other_groupings(server: live.LiveServer, seeded: Seeder) -> None:
    admin = server.user("admin")

    def issued(group_by: str) -> dict[Any, tuple[int, int, int, int, int]]:
        report = ok(admin.get("/reports/queue", params=MONTH | {"group_by": group_by}))
        assert report["centre_id"] is None and report["group_by"] == group_by
        fields = ("issued", "served", "no_show", "cancelled", "transferred_out")
        return {key: figures(row, *fields) for key, row in by_key(report).items()}

    c1, c2 = seeded.counter[1], seeded.counter[2]
    assert issued("counter") == {c1: (4, 3, 1, 0, 1), c2: (3, 3, 0, 0, 0), None: (2, 0, 0, 1, 0)}
    u1, u2 = seeded.user["canbo1"], seeded.user["canbo2"]
    assert issued("officer") == {u1: (4, 3, 1, 0, 1), u2: (3, 3, 0, 0, 0), None: (2, 0, 0, 1, 0)}
    stp, cat = seeded.agency_of_counter[1], seeded.agency_of_counter[2]
    assert issued("agency") == {stp: (4, 3, 1, 0, 1), cat: (3, 3, 0, 0, 0), None: (2, 0, 0, 1, 0)}
    assert issued("day") == {"2026-11-02": (7, 5, 1, 1, 1), "2026-11-03": (2, 1, 0, 0, 0)}
    assert issued("hour") == {
        8: (3, 3, 0, 0, 0),
        9: (2, 1, 1, 0, 0),
        10: (1, 0, 0, 1, 0),
        11: (1, 1, 0, 0, 1),
        14: (2, 1, 0, 0, 0),
    }
    days = ok(admin.get("/reports/queue", params=MONTH | {"group_by": "day"}))
    assert [row["name"] for row in days["rows"]] == ["02/11/2026", "03/11/2026"]


DOSSIER = (
    "received",
    "returned",
    "returned_early",
    "returned_on_time",
    "returned_late",
    "overdue_now",
    "supplement_requests",
    "refusals",
    "extensions",
)


def test_dossier_report(server: live.LiveServer, seeded: Seeder) -> None:
    supervisor = server.user("giamsat")
    report = ok(supervisor.get("/reports/dossiers", params=MONTH))
    assert report["group_by"] == "agency"
    assert dt.datetime.fromisoformat(report["overdue_as_of"]) == NOW
    law, police = seeded.procedure["STP-LLTP"], seeded.procedure["CAT-GPLX"]
    rows = by_key(report)
    assert rows[law[2]]["name"] == "Sở Tư pháp"
    assert figures(rows[law[2]], *DOSSIER) == (5, 3, 1, 1, 1, 1, 1, 0, 1)
    assert figures(rows[police[2]], *DOSSIER) == (4, 2, 1, 1, 0, 1, 0, 1, 0)
    assert figures(report["total"], *DOSSIER) == (9, 5, 2, 2, 1, 2, 1, 1, 1)

    officers = by_key(ok(supervisor.get("/reports/dossiers", params=MONTH | {"group_by": "officer"})))
    assert figures(officers[seeded.user["canbo1"]], *DOSSIER) == (5, 3, 0, 2, 1, 0, 1, 1, 0)
    assert figures(officers[seeded.user["canbo2"]], *DOSSIER) == (4, 2, 2, 0, 0, 2, 0, 0, 1)
    assert officers[seeded.user["canbo1"]]["name"] == "Cán bộ canbo1"
    fields = by_key(ok(supervisor.get("/reports/dossiers", params=MONTH | {"group_by": "field"})))
    assert set(fields) == {law[1], police[1]}
    procedures = by_key(ok(supervisor.get("/reports/dossiers", params=MONTH | {"group_by": "procedure"})))
    assert procedures[law[0]]["received"] == 5


def test_dossier_report_as_csv(server: live.LiveServer, seeded: Seeder) -> None:
    reply = server.user("giamsat").get("/reports/dossiers", params=MONTH | {"format": "csv"})
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/csv")
    assert (
        reply.headers["content-disposition"]
        == 'attachment; filename="bao-cao-ho-so-2026-11-01-2026-11-30.csv"'
    )
    assert reply.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig"))))
    assert table[0] == [
        "Mã",
        "Tên",
        "Tiếp nhận",
        "Đã trả kết quả",
        "Trước hạn",
        "Đúng hạn",
        "Quá hạn",
        "Đang quá hạn",
        "Yêu cầu bổ sung",
        "Từ chối",
        "Gia hạn",
    ]
    law, police = seeded.procedure["STP-LLTP"][2], seeded.procedure["CAT-GPLX"][2]
    assert table[1:] == [
        [str(law), "Sở Tư pháp", "5", "3", "1", "1", "1", "1", "1", "0", "1"],
        [str(police), table[2][1], "4", "2", "1", "1", "0", "1", "0", "1", "0"],
        ["", "Tổng cộng", "9", "5", "2", "2", "1", "2", "1", "1", "1"],
    ]
    queue = server.user("giamsat").get("/reports/queue", params=MONTH | {"format": "csv"})
    assert queue.headers["content-disposition"].endswith(
        'filename="bao-cao-hang-doi-2026-11-01-2026-11-30.csv"'
    )
    last = list(csv.reader(io.StringIO(queue.content.decode("utf-8-sig"))))[-1]
    assert last == ["", "Tổng cộng", "9", "6", "1", "1", "1", "15.3", "35", "11.5", "30", "0.6667"]


def test_satisfaction_report(server: live.LiveServer, seeded: Seeder) -> None:
    report = ok(server.user("giamsat").get("/reports/satisfaction", params=MONTH))
    fields = ("very_satisfied", "satisfied", "dissatisfied", "total", "satisfied_share")
    rows = by_key(report)
    assert figures(rows[seeded.user["canbo1"]], *fields) == (1, 0, 2, 3, 0.3333)
    assert figures(rows[seeded.user["canbo2"]], *fields) == (0, 1, 1, 2, 0.5)
    assert figures(report["total"], *fields) == (1, 1, 3, 5, 0.4)
    assert report["reasons"] == [
        {"reason": "Trả kết quả chậm", "count": 2},
        {"reason": "Thái độ chưa nhiệt tình", "count": 1},
    ]
    by_field = by_key(
        ok(server.user("giamsat").get("/reports/satisfaction", params=MONTH | {"group_by": "field"}))
    )
    law, police = seeded.procedure["STP-LLTP"][1], seeded.procedure["CAT-GPLX"][1]
    assert figures(by_field[law], *fields) == (1, 1, 1, 3, 0.6667)
    assert figures(by_field[police], *fields) == (0, 0, 2, 2, 0.0)
    csv_reply = server.user("giamsat").get("/reports/satisfaction", params=MONTH | {"format": "csv"})
    assert csv_reply.content.decode("utf-8-sig").splitlines()[0] == (
        "Mã,Tên,Rất hài lòng,Hài lòng,Không hài lòng,Tổng số đánh giá,Tỷ lệ hài lòng"
    )


def test_officer_report(server: live.LiveServer, seeded: Seeder) -> None:
    report = ok(server.user("giamsat").get("/reports/officers", params=MONTH))
    fields = (
        "served",
        "avg_service_minutes",
        "open_hours",
        "served_per_hour",
        "very_satisfied",
        "satisfied",
        "dissatisfied",
    )
    rows = by_key(report)
    assert set(rows) == {seeded.user["canbo1"], seeded.user["canbo2"]}
    # canbo1: 3 served in 7 hours the log shows open; canbo2: 3 in 3 h 03 min + 6 min.
    assert figures(rows[seeded.user["canbo1"]], *fields) == (3, 10.0, 7.0, 0.43, 1, 0, 2)
    assert figures(rows[seeded.user["canbo2"]], *fields) == (3, 13.0, 3.15, 0.95, 0, 1, 1)
    assert figures(report["total"], *fields) == (6, 11.5, 10.15, 0.59, 1, 1, 3)


def test_who_may_see_which_centre(server: live.LiveServer, seeded: Seeder) -> None:
    other = {"centre_id": seeded.centre + 1}
    for path in ("/reports/queue", "/reports/dossiers", "/reports/satisfaction", "/reports/officers"):
        assert server.user("canbo1").get(path, params=MONTH).status_code == 403
        assert server.device("kiosk-1").get(path, params=MONTH).status_code == 403
        assert server.client().get(path, params=MONTH).status_code == 401
        refused = server.user("giamsat").get(path, params=MONTH | other)
        assert refused.status_code == 403
        assert "trung tâm" in refused.json()["detail"]
        assert ok(server.user("giamsat").get(path, params=MONTH | {"centre_id": seeded.centre}))["rows"]
        # An admin may look at another centre (here an empty one) or at all of them.
        assert ok(server.user("admin").get(path, params=MONTH | other))["rows"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-11-30", "end": "2026-11-01"}, "end"),
        ({"start": "2025-11-01", "end": "2026-11-02"}, "end"),
        ({"start": "01/11/2026", "end": "2026-11-30"}, "start"),
        ({"start": "2026-02-30", "end": "2026-11-30"}, "start"),
        # Found by the fuzzer: year 1 in Vietnamese time has no UTC bound (it was a 500).
        ({"start": "0001-01-01", "end": "0001-01-11"}, "start"),
        ({"start": "2099-12-31", "end": "2100-01-01"}, "end"),
        (MONTH | {"group_by": "weekday"}, "group_by"),
        (MONTH | {"format": "xlsx"}, "format"),
        (MONTH | {"target_wait_minutes": 0}, "target_wait_minutes"),
        (MONTH | {"centre_id": "x"}, "centre_id"),
    ],
)
def test_bad_queries_name_the_field(server: live.LiveServer, params: dict[str, Any], field: str) -> None:
    reply = server.user("admin").get("/reports/queue", params=params)
    assert reply.status_code == 422, reply.text
    detail = reply.json()["detail"]
    assert detail[0]["loc"] == ["query", field]
    assert checks.is_vietnamese(detail[0]["msg"])


def test_a_whole_year_is_allowed_and_group_by_is_per_report(server: live.LiveServer) -> None:
    admin = server.user("admin")
    year = {"start": "2024-01-01", "end": "2024-12-31"}  # 366 days, a leap year
    assert ok(admin.get("/reports/queue", params=year))["total"]["issued"] == 0
    assert admin.get("/reports/dossiers", params=MONTH | {"group_by": "hour"}).status_code == 422
    assert admin.get("/reports/satisfaction", params=MONTH | {"group_by": "agency"}).status_code == 422
    assert ok(admin.get("/reports/dossiers", params=MONTH | {"group_by": "procedure"}))["rows"] == []


def test_the_client_reads_every_report(server: live.LiveServer, seeded: Seeder) -> None:
    with client.Client(server.base_url) as manager:
        manager.login("giamsat", live.PASSWORD)
        first, last = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
        queue = manager.queue_report(first, last, group_by="day", target_wait_minutes=10)
        assert queue["total"]["service_level"] == 0.5  # waits 5, 20, 15, 2, 10 and 20
        assert manager.dossier_report(first, last, group_by="officer")["total"]["returned_late"] == 1
        assert manager.satisfaction_report(first, last, group_by="field")["total"]["dissatisfied"] == 3
        assert manager.officer_report(first, last)["total"]["served"] == 6
        with pytest.raises(domain.Forbidden):
            manager.officer_report(first, last, centre_id=seeded.centre + 1)
