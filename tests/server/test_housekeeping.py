"""What the server forgets by itself: replies kept for resends, once nobody can resend."""

from __future__ import annotations

import datetime as dt

from onestop import calendar
from server import housekeeping
from server.db import open_database
from tests import live


def test_replies_kept_for_resends_are_forgotten_after_a_month(server: live.LiveServer) -> None:
    server.clock.set(dt.datetime(2026, 10, 1, 9, 0, tzinfo=calendar.VN_TZ))
    kiosk = server.device("kiosk-1")
    old = kiosk.post("/tickets", json={"service_id": 1}, headers={"Idempotency-Key": "phim-cu-0001"})
    assert old.status_code == 201
    server.clock.set(dt.datetime(2026, 11, 2, 9, 0, tzinfo=calendar.VN_TZ))
    new = kiosk.post("/tickets", json={"service_id": 1}, headers={"Idempotency-Key": "phim-moi-0001"})
    assert new.status_code == 201
    db = open_database(server.settings.resolved_database_url())
    try:
        keeper = housekeeping.ReportDayKeeper(db, server.settings, 3600)
        assert keeper.forget_old_replies() == 1
        assert keeper.forget_old_replies() == 0
    finally:
        db.dispose()
    # The recent one still answers a resend with the same ticket; the old key is unknown now.
    again = kiosk.post("/tickets", json={"service_id": 1}, headers={"Idempotency-Key": "phim-moi-0001"})
    assert again.json()["id"] == new.json()["id"]
    assert kiosk.get("/tickets/by-key/phim-cu-0001").status_code == 404
