"""GET /dossiers/tracking-book: the Sổ theo dõi hồ sơ rows for a date range and a field."""

from __future__ import annotations

import datetime as dt
import uuid

from onestop import calendar
from tests import live
from tests.server.checks import DOSSIER


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
