"""A kiosk issues at a citizen's pace: a stolen key in a loop is refused, and the centre's
supervisor sees it."""

from __future__ import annotations

import pathlib

import sqlalchemy as sa

from server import models, tickets
from server.db import open_database
from server.settings import Settings
from tests import live


def test_a_kiosk_flooding_tickets_is_refused_and_shown_to_its_supervisor(
    tmp_path: pathlib.Path, database_url: str, clock: live.Clock
) -> None:
    defaults = Settings()
    with live.run_server(
        data_dir=tmp_path / "data",
        database_url=database_url,
        clock=clock,
        kiosk_tickets_per_minute=defaults.kiosk_tickets_per_minute,
    ) as srv:
        kiosk = srv.device("kiosk-1")
        answers = [
            kiosk.post("/tickets", json={"service_id": 1}) for _ in range(defaults.kiosk_ticket_burst + 5)
        ]
        statuses = [reply.status_code for reply in answers]
        assert statuses == [201] * defaults.kiosk_ticket_burst + [429] * 5
        refused = answers[-1]
        assert refused.json()["detail"] == "Ki-ốt đang cấp số quá nhanh. Vui lòng chờ giây lát rồi bấm lại."
        assert 1 <= int(refused.headers["Retry-After"]) <= 5  # 20 a minute: one every 3 s
        # Other kiosks and the counters go on.
        assert srv.device("kiosk-2").post("/tickets", json={"service_id": 1}).status_code == 201
        assert srv.user("canbo1").post("/tickets", json={"service_id": 1}).status_code == 201

        devices = {d["name"]: d for d in srv.user("giamsat").get("/supervision/overview").json()["devices"]}
        assert devices["kiosk-1"]["flooded_at"] is not None
        assert devices["kiosk-2"]["flooded_at"] is None
        # Recorded once, however many were refused.
        db = open_database(srv.settings.resolved_database_url())
        try:
            with db.read() as session:
                marks = session.scalar(
                    sa.select(sa.func.count()).where(models.AuditEntry.action == tickets.FLOODED)
                )
        finally:
            db.dispose()
        assert marks == 1
