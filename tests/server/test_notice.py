"""The notice line of the hall screens: set by a supervisor, live to every board, checked."""

from __future__ import annotations

from typing import Any

import httpx

from tests import live
from tests.server.test_centres import add_commune_centre
from tests.server.test_events import Reader


def ok(reply: httpx.Response, status: int = 200) -> Any:
    assert reply.status_code == status, reply.text
    return reply.json()


def test_a_supervisor_sets_the_notice_and_every_board_hears_at_once(server: live.LiveServer) -> None:
    reader = Reader(server, server.token("giamsat"))
    try:
        text = "Trung tâm nghỉ Tết Dương lịch ngày 01/01/2027 — xin cảm ơn!"
        centre = ok(server.user("giamsat").put("/centres/1/notice", json={"notice": f"  {text} "}))
        assert centre["notice"] == text  # trimmed
        event = reader.take(1)[0]
        assert event["type"] == "centre.notice"
        assert event["centre_id"] == 1 and event["payload"]["notice"] == text
    finally:
        reader.close()
    board = ok(server.device("display-1").get("/board"))
    assert board["centre"]["notice"] == text
    assert board["server_time"].startswith(server.settings.clock().date().isoformat())
    # An empty notice clears the line.
    assert ok(server.user("admin").put("/centres/1/notice", json={"notice": ""}))["notice"] == ""
    assert ok(server.device("display-1").get("/board"))["centre"]["notice"] == ""


def test_the_notice_is_refused_to_officers_devices_other_centres_and_bad_text(server: live.LiveServer):
    commune, _ = add_commune_centre(server)
    officer, board, supervisor = server.user("canbo1"), server.device("display-1"), server.user("giamsat")
    assert officer.put("/centres/1/notice", json={"notice": "x"}).status_code == 403
    assert board.put("/centres/1/notice", json={"notice": "x"}).status_code == 403
    refused = supervisor.put(f"/centres/{commune['id']}/notice", json={"notice": "x"})
    assert refused.status_code == 403 and "trung tâm của mình" in refused.json()["detail"]
    missing = supervisor.put("/centres/999/notice", json={"notice": "x"})
    assert missing.status_code == 404 and "999" in missing.json()["detail"]
    for body in ({"notice": "a" * 501}, {"notice": "hai\ndòng"}, {}, {"notice": "x", "extra": 1}):
        reply = supervisor.put("/centres/1/notice", json=body)
        assert reply.status_code == 422, body
    assert ok(board.get("/board"))["centre"]["notice"] == ""


def test_counters_name_their_agency(server: live.LiveServer) -> None:
    counters = ok(server.device("display-1").get("/board"))["counters"]
    assert counters[0]["agency_name"] == "Sở Tư pháp"
