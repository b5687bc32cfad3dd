"""Sessions and live streams end when access ends, on every server process; streams are
bounded in number and in how far back they replay."""

from __future__ import annotations

import pathlib
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests import live
from tests.server.test_centres import add_commune_centre
from tests.server.test_events import Reader


@pytest.fixture
def second(server: live.LiveServer, tmp_path: pathlib.Path) -> Iterator[live.LiveServer]:
    """Another server process on the same database, as a worker of a multi-worker server."""
    with live.another_process(server, tmp_path / "second") as other:
        yield other


def eventually(check: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.05)  # fixed wait is right: polling another process's state, no event to wait on


def ended(reader: Reader) -> bool:
    return not reader._thread.is_alive()


def queue_of(server: live.LiveServer, token: str) -> int:
    return server.client(token).get("/counters/1/queue").status_code


def test_signing_out_ends_the_session_on_every_process_and_its_streams(
    server: live.LiveServer, second: live.LiveServer
) -> None:
    token, other_session = server.token("canbo1"), server.token("canbo1")
    assert queue_of(second, token) == 200  # the second process now knows who the token is
    stream = Reader(second, token)
    kept = Reader(second, other_session)
    try:
        assert server.client(token).post("/auth/logout").status_code == 204
        assert queue_of(server, token) == 401
        eventually(lambda: ended(stream))
        eventually(lambda: queue_of(second, token) == 401)
        # The same officer's other session goes on.
        assert not ended(kept)
        assert queue_of(second, other_session) == 200
    finally:
        stream.close()
        kept.close()
    assert server.client(token).post("/auth/logout").status_code == 401


def test_a_new_password_ends_every_session_of_the_user(
    server: live.LiveServer, second: live.LiveServer
) -> None:
    token = server.token("canbo2")
    stream = Reader(second, token)
    try:
        admin = server.user("admin")
        user = next(u for u in admin.get("/admin/users").json() if u["username"] == "canbo2")
        changed = admin.put(f"/admin/users/{user['id']}", json=user | {"password": "mat-khau-moi-2026"})
        assert changed.status_code == 200, changed.text
        eventually(lambda: ended(stream))
        eventually(lambda: queue_of(second, token) == 401)
        assert queue_of(server, token) == 401
    finally:
        stream.close()
    signed_in = server.client().post(
        "/auth/login", json={"username": "canbo2", "password": "mat-khau-moi-2026"}
    )
    assert signed_in.status_code == 200


def test_a_new_device_key_ends_the_boards_stream(server: live.LiveServer, second: live.LiveServer) -> None:
    old_key = server.device_keys["display-1"]
    stream = Reader(second, old_key)
    try:
        admin = server.user("admin")
        board = next(d for d in admin.get("/admin/devices").json() if d["name"] == "display-1")
        assert admin.post(f"/admin/devices/{board['id']}/new-key").status_code == 200
        eventually(lambda: ended(stream))
        eventually(lambda: second.client(old_key).get("/board").status_code == 401)
    finally:
        stream.close()


def test_a_user_made_of_another_centre_loses_their_streams_at_once(server: live.LiveServer) -> None:
    commune, _ = add_commune_centre(server)
    token = server.token("canbo3")
    stream = Reader(server, token)
    try:
        admin = server.user("admin")
        user = next(u for u in admin.get("/admin/users").json() if u["username"] == "canbo3")
        assert (
            admin.put(f"/admin/users/{user['id']}", json=user | {"centre_id": commune["id"]}).status_code
            == 200
        )
        eventually(lambda: ended(stream))
        # Still signed in, now at the commune: the province's counters are no longer theirs.
        assert queue_of(server, token) == 403
    finally:
        stream.close()


def test_a_user_without_a_centre_must_be_an_administrator(server: live.LiveServer) -> None:
    admin = server.user("admin")
    body = {"username": "canbo_tinh", "full_name": "Cán bộ tỉnh", "password": "mat-khau-2026"}
    refused = admin.post("/admin/users", json=body | {"role": "officer"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "centre_id"]
    assert admin.post("/admin/users", json=body | {"role": "admin"}).status_code == 201


def streams(server: live.LiveServer, secret: str, count: int) -> list[httpx.Response]:
    """Open ``count`` streams one after the other; their responses (open ones stay open)."""
    client = server.client(secret)
    opened = []
    for _ in range(count):
        request = client.build_request("GET", "/events")
        opened.append(client.send(request, stream=True))
    return opened


def test_streams_are_capped_per_caller_and_per_server(
    tmp_path: pathlib.Path, database_url: str, clock: live.Clock
) -> None:
    with live.run_server(
        data_dir=tmp_path / "data",
        database_url=database_url,
        clock=clock,
        max_streams=3,
        max_streams_per_caller=2,
    ) as srv:
        board = streams(srv, srv.device_keys["display-1"], 3)
        assert [r.status_code for r in board] == [200, 200, 429]
        assert board[2].headers["Retry-After"] == "30"
        assert "quá nhiều kết nối" in board[2].read().decode()
        kiosk = streams(srv, srv.device_keys["kiosk-1"], 2)
        assert [r.status_code for r in kiosk] == [200, 429]  # three open in the server: full
        board[0].close()
        eventually(lambda: streams(srv, srv.device_keys["kiosk-1"], 1)[0].status_code == 200)
        for reply in board + kiosk:
            reply.close()


def test_a_resume_point_too_far_back_gets_one_resync_instead_of_the_replay(
    tmp_path: pathlib.Path, database_url: str, clock: live.Clock
) -> None:
    with live.run_server(
        data_dir=tmp_path / "data", database_url=database_url, clock=clock, stream_catchup_events=3
    ) as srv:
        kiosk = srv.device("kiosk-1")
        for _ in range(5):
            assert kiosk.post("/tickets", json={"service_id": 1}).status_code == 201
        newest = srv.device("display-1").get("/board").json()["last_event_id"]
        far = Reader(srv, srv.device_keys["display-1"], last_id=newest - 5)
        near = Reader(srv, srv.device_keys["display-1"], last_id=newest - 2)
        try:
            resync = far.take(1)[0]
            assert (resync["type"], resync["id"]) == ("stream.resync", newest)
            assert [e["id"] for e in near.take(2)] == [newest - 1, newest]
            kiosk.post("/tickets", json={"service_id": 1})
            assert far.take(1)[0]["type"] == "ticket.issued"  # live from there on
        finally:
            far.close()
            near.close()


def test_events_of_one_centre_never_reach_another(server: live.LiveServer) -> None:
    commune, commune_kiosk_key = add_commune_centre(server)
    admin = server.user("admin")
    board_b = admin.post(
        "/admin/devices", json={"name": "display-xa", "kind": "display", "centre_id": commune["id"]}
    )
    assert board_b.status_code == 201
    theirs = Reader(server, board_b.json()["key"])
    ours = Reader(server, server.device_keys["display-1"])
    try:
        assert server.device("kiosk-1").post("/tickets", json={"service_id": 1}).status_code == 201
        commune_service = (
            server.client().get("/services", params={"centre_id": commune["id"]}).json()[0]["id"]
        )
        assert (
            server.client(commune_kiosk_key)
            .post("/tickets", json={"service_id": commune_service})
            .status_code
            == 201
        )
        assert ours.take(1)[0]["centre_id"] == server.ids["centre"]
        got = theirs.take(1)[0]
        assert (got["type"], got["centre_id"]) == ("ticket.issued", commune["id"])
        assert theirs.items.empty() and ours.items.empty()
    finally:
        theirs.close()
        ours.close()


def test_a_supervisor_lists_the_devices_of_their_own_centre(server: live.LiveServer) -> None:
    add_commune_centre(server)  # with its own kiosk
    names = {d["name"] for d in server.user("giamsat").get("/devices").json()}
    assert names == {"kiosk-1", "kiosk-2", "display-1"}
    assert "kiosk-xa" in {d["name"] for d in server.user("admin").get("/devices").json()}
