"""GET /dossiers/tracking-book: the Sổ theo dõi hồ sơ rows for a date range and a field."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import httpx
import sqlalchemy as sa

from onestop import calendar
from onestop.enums import Channel, DossierStatus, Rating, ReturnMethod
from server import models
from server.db import open_database
from tests import live
from tests.server.checks import DOSSIER
from tests.server.test_centres import add_commune_centre


def receive(server: live.LiveServer, when: str, procedure_id: int) -> str:
    server.clock.set(dt.datetime.fromisoformat(when).replace(tzinfo=calendar.VN_TZ))
    body = dict(DOSSIER, procedure_id=procedure_id)
    reply = server.user("canbo1").post("/dossiers", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert reply.status_code == 201, reply.text
    return str(reply.json()["code"])


def test_rows_by_dates_and_field_in_the_order_received(server: live.LiveServer) -> None:
    officer = server.user("canbo1")
    procedures = officer.get("/procedures", params={"limit": 500}).json()
    first, other = procedures[0], next(p for p in procedures if p["field_id"] != procedures[0]["field_id"])
    late = receive(server, "2026-11-25T16:40", first["id"])
    early = receive(server, "2026-11-24T07:05", first["id"])
    elsewhere = receive(server, "2026-11-24T09:00", other["id"])
    outside = receive(server, "2026-11-26T07:30", first["id"])
    officer = server.user("canbo1")  # a fresh token at the tests' last clock setting

    book = officer.get("/dossiers/tracking-book", params={"start": "2026-11-24", "end": "2026-11-25"}).json()
    assert [d["code"] for d in book] == [early, elsewhere, late]
    assert outside not in [d["code"] for d in book]
    assert book[0]["applicant"]["phone"] == DOSSIER["applicant"]["phone"]  # the staff view, in full
    of_field = officer.get(
        "/dossiers/tracking-book",
        params={"start": "2026-11-24", "end": "2026-11-25", "field_id": first["field_id"]},
    ).json()
    assert [d["code"] for d in of_field] == [early, late]


def test_bad_ranges_and_callers_are_refused(server: live.LiveServer) -> None:
    officer = server.user("canbo1")
    backwards = officer.get("/dossiers/tracking-book", params={"start": "2026-11-25", "end": "2026-11-24"})
    assert backwards.status_code == 422
    assert backwards.json()["detail"][0]["loc"] == ["query", "end"]
    too_long = officer.get("/dossiers/tracking-book", params={"start": "2025-01-01", "end": "2026-11-24"})
    assert too_long.status_code == 422
    year_one = officer.get("/dossiers/tracking-book", params={"start": "0001-01-01", "end": "0001-01-11"})
    assert year_one.status_code == 422  # found by the fuzzer: it was a 500
    assert year_one.json()["detail"][0]["loc"] == ["query", "start"]
    assert (
        officer.get(
            "/dossiers/tracking-book", params={"start": "27/11/2026", "end": "2026-11-27"}
        ).status_code
        == 422
    )
    params = {"start": "2026-11-24", "end": "2026-11-25"}
    assert server.client().get("/dossiers/tracking-book", params=params).status_code == 401
    assert server.device("kiosk-1").get("/dossiers/tracking-book", params=params).status_code == 403


def test_each_row_is_the_dossier_as_its_own_page_shows_it(server: live.LiveServer) -> None:
    """The book is read in bulk, one dossier at a time elsewhere: the two views must agree,
    whatever state the dossier is in."""
    procedure = server.user("canbo1").get("/procedures", params={"limit": 500}).json()[0]["id"]
    codes = [receive(server, f"2026-11-24T{7 + n:02d}:05", procedure) for n in range(6)]
    officer = server.user("canbo1")
    items = [
        {"name": "Bản sao Giấy khai sinh", "kind": "certified_copy", "copies": 1, "note": "Có chứng thực"}
    ]
    steps = [
        (codes[1], "supplement-request", {"items": items, "reason": "Thiếu giấy khai sinh"}),
        (codes[2], "refuse", {"reason": "Không thuộc thẩm quyền"}),
        (codes[3], "ready", None),
        (codes[4], "ready", None),
        (codes[4], "return", {"returned_to": "Nguyễn Văn An"}),
        (codes[4], "rating", {"level": "khong_hai_long", "reason": "Phải chờ lâu"}),
        (codes[5], "extend", {"reason": "Cần xác minh", "new_due_at": "2026-12-30T16:00:00+07:00"}),
    ]
    for code, action, body in steps:
        reply = officer.post(f"/dossiers/{code}/{action}", json=body)
        assert reply.status_code == 200, reply.text
    book = officer.get("/dossiers/tracking-book", params={"start": "2026-11-24", "end": "2026-11-24"}).json()
    assert [d["code"] for d in book] == codes
    for row in book:
        assert row == officer.get(f"/dossiers/{row['code']}").json()
    assert book[4]["rating"]["reason"] == "Phải chờ lâu" and book[5]["original_due_at"] is not None


# ---------------------------------------------------------------- a busy year: few queries, streamed

DAY = dt.date(2026, 3, 2)


def bulk_dossiers(server: live.LiveServer, count: int, *, centre_id: int, tag: str, rated: int = 0) -> None:
    """``count`` dossiers of the centre received on DAY, over several procedures (and so fields
    and agencies), straight into the database; the first ``rated`` of them returned and rated."""
    database = open_database(server.settings.resolved_database_url())
    try:
        with database.write() as session:
            procedures = session.scalars(sa.select(models.Procedure.id).order_by(models.Procedure.id)).all()
            officer = session.scalar(sa.select(models.User.id).where(models.User.username == "canbo1"))
            start = dt.datetime.combine(DAY, dt.time(7, 0), tzinfo=calendar.VN_TZ)
            rows = []
            for n in range(count):
                received = start + dt.timedelta(seconds=n)
                done = received + dt.timedelta(days=1) if n < rated else None
                code = f"000.00.25.H42-{DAY:%y%m%d}-{tag}{n:05d}"
                rows.append(
                    {
                        "code": code,
                        "idempotency_key": code,
                        "request_hash": "0" * 64,
                        "centre_id": centre_id,
                        "procedure_id": procedures[n % 12],
                        "officer_id": officer,
                        "channel": Channel.COUNTER.value,
                        "status": (DossierStatus.RETURNED if done else DossierStatus.RECEIVED).value,
                        "applicant": {"full_name": f"Người nộp {tag}{n}", "id_number": "025085001789"},
                        "applicant_id_number": "025085001789",
                        "documents": [{"name": "Tờ khai", "kind": "original", "copies": 1}],
                        "sets": 1,
                        "fee_collected": 0,
                        "return_method": ReturnMethod.COUNTER.value,
                        "received_at": received,
                        "due_at": received + dt.timedelta(days=5),
                        "ready_at": done,
                        "returned_at": done,
                    }
                )
            session.execute(sa.insert(models.Dossier), rows)
            ids = session.scalars(
                sa.select(models.Dossier.id).where(models.Dossier.code.in_([r["code"] for r in rows[:rated]]))
            ).all()
            if ids:
                session.execute(
                    sa.insert(models.DossierRating),
                    [
                        {
                            "dossier_id": i,
                            "level": Rating.SATISFIED.value,
                            "reason": None,
                            "created_at": start,
                        }
                        for i in ids
                    ],
                )
    finally:
        database.dispose()


class Statements:
    """Counts the SQL statements the test server's readers run that name a watched table (by
    default dossiers and their catalogue; not the event hub's polling nor the sign-in's)."""

    DOSSIERS = r"\b(dossier|dossier_rating|procedure|field|agency)\b"

    def __init__(self, server: live.LiveServer, watched: str = DOSSIERS) -> None:
        assert server.running is not None and server.running.process is not None
        database = server.running.process.server.config.app.state.qms.db
        self.engine = database.reader_engine or database.engine
        self.watched = re.compile(watched)
        self.seen: list[str] = []
        sa.event.listen(self.engine, "before_cursor_execute", self._count)

    def _count(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.watched.search(statement):
            self.seen.append(statement)

    def during(self, request: Any) -> int:
        self.seen.clear()
        request()
        return len(self.seen)

    def close(self) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._count)


def test_the_book_takes_a_few_queries_however_many_dossiers(server: live.LiveServer) -> None:
    commune, _ = add_commune_centre(server)
    bulk_dossiers(server, 20, centre_id=server.ids["centre"], tag="A", rated=5)
    bulk_dossiers(server, 30, centre_id=commune["id"], tag="X")  # another centre's: never in the book
    officer, params = server.user("canbo1"), {"start": f"{DAY}", "end": f"{DAY}"}
    statements = Statements(server)
    try:
        few = statements.during(lambda: officer.get("/dossiers/tracking-book", params=params))
        bulk_dossiers(server, 180, centre_id=server.ids["centre"], tag="B", rated=60)
        replies: list[httpx.Response] = []
        many = statements.during(
            lambda: replies.append(officer.get("/dossiers/tracking-book", params=params))
        )
    finally:
        statements.close()
    book = replies[0].json()
    assert len(book) == 200 and all(d["code"].split("-")[-1][0] in "AB" for d in book)
    assert sum(1 for d in book if d["rating"]) == 65
    assert {d["agency_name"] for d in book} >= {"Sở Tư pháp", "Công an tỉnh"}
    # Before: one rating query and lazy loads per dossier (200 dossiers: over 200 statements).
    assert many == few <= 6, statements.seen


def test_a_year_of_20000_streams_and_one_more_is_a_422(server: live.LiveServer) -> None:
    bulk_dossiers(server, 20_000, centre_id=server.ids["centre"], tag="Y", rated=3_000)
    officer, params = server.user("canbo1"), {"start": f"{DAY}", "end": f"{DAY}"}
    reply = officer.get("/dossiers/tracking-book", params=params, timeout=120)
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/json"
    book = reply.json()
    assert len(book) == 20_000 and len({d["code"] for d in book}) == 20_000
    assert [d["code"] for d in book[:2]] == [f"000.00.25.H42-{DAY:%y%m%d}-Y{n:05d}" for n in (0, 1)]
    assert book[-1]["code"].endswith("Y19999") and sum(1 for d in book if d["rating"]) == 3_000
    bulk_dossiers(server, 1, centre_id=server.ids["centre"], tag="Z")
    too_many = officer.get("/dossiers/tracking-book", params=params)
    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["loc"] == ["query", "end"]
