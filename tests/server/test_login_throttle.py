"""Signing in under attack: throttled per client address and per (address, username) with
back-off, never per account alone; unknown usernames cost no password check; a few password
checks at once; an administrator unlocks an account.

Each client address is a loopback address of its own (Linux routes all of 127.0.0.0/8 to lo),
so the server sees 127.0.0.2, 127.0.0.3 … as different machines.
"""

from __future__ import annotations

import collections.abc
import datetime as dt
import pathlib
import threading
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from onestop import calendar
from server import housekeeping, models
from server.db import open_database
from tests import live
from tests.server import checks
from tests.server.test_centres import add_commune_centre

WRONG = "doan-mo-mat-khau"
REFUSED = "Sai tên đăng nhập hoặc mật khẩu."
START = dt.datetime(2026, 11, 25, 9, 0, tzinfo=calendar.VN_TZ)


def from_address(server: live.LiveServer, address: str, secret: str | None = None) -> httpx.Client:
    """A client whose connections come from ``address`` (closed with the server fixture)."""
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    transport = httpx.HTTPTransport(local_address=address)
    client = httpx.Client(base_url=server.api, transport=transport, headers=headers, timeout=30)
    server.clients.append(client)
    return client


def sign_in(client: httpx.Client, username: str, password: str = live.PASSWORD) -> httpx.Response:
    return client.post("/auth/login", json={"username": username, "password": password})


def fail(client: httpx.Client, username: str, times: int) -> None:
    for _ in range(times):
        reply = sign_in(client, username, WRONG)
        assert (reply.status_code, reply.json()["detail"]) == (401, REFUSED)


def waits(reply: httpx.Response, seconds: int, said: str) -> None:
    """A 429 telling, in Vietnamese and in Retry-After, how long this address must wait."""
    assert reply.status_code == 429, reply.text
    assert reply.json()["detail"] == f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {said}."
    assert int(reply.headers["Retry-After"]) == seconds


def audit_rows(server: live.LiveServer, action: str) -> list[dict[str, Any]]:
    db = open_database(server.settings.resolved_database_url())
    try:
        with db.read() as session:
            audit = models.table(models.AuditEntry)
            rows = session.execute(sa.select(audit).where(audit.c.action == action).order_by(audit.c.id))
            return [dict(row._mapping) for row in rows]
    finally:
        db.dispose()


@pytest.fixture
def commune(server: live.LiveServer) -> dict[str, Any]:
    server.clock.set(START)
    ids, _key = add_commune_centre(server)
    return ids


# ---------------------------------------------------------------- by address, not by account


def test_a_guesser_at_one_address_never_locks_the_account_elsewhere(
    server: live.LiveServer, commune: dict[str, Any]
) -> None:
    guesser, office = from_address(server, "127.0.0.2"), from_address(server, "127.0.0.3")
    for username in ("admin", "canbo_xa"):  # the province's administrator, a commune's officer
        fail(guesser, username, 5)
        # Even the right password waits at the guesser's address: it cannot tell it was right.
        waits(sign_in(guesser, username), 30, "30 giây")
        for _ in range(3):  # hammering while it must wait changes nothing
            assert sign_in(guesser, username, WRONG).status_code == 429
        reply = sign_in(office, username)
        assert reply.status_code == 200, reply.text
        assert reply.json()["user"]["username"] == username
    # Another account from the guesser's own address is not held back by these ten failures.
    assert sign_in(guesser, "canbo1").status_code == 200


def test_the_wait_grows_with_each_failure_up_to_15_minutes_then_ends(server: live.LiveServer) -> None:
    server.clock.set(START)
    client = from_address(server, "127.0.0.2")
    fail(client, "canbo1", 5)
    for seconds, said in [
        (30, "30 giây"),
        (60, "1 phút"),
        (120, "2 phút"),
        (240, "4 phút"),
        (480, "8 phút"),
        (900, "15 phút"),
        (900, "15 phút"),
    ]:
        waits(sign_in(client, "canbo1"), seconds, said)
        left = 90 if seconds > 90 else 1
        server.clock.advance(seconds=seconds - left)  # attempts meanwhile do not make it longer
        waits(sign_in(client, "canbo1", WRONG), left, "1 phút 30 giây" if left == 90 else "1 giây")
        server.clock.advance(seconds=left)  # waited out: the next attempt is heard, and fails
        fail(client, "canbo1", 1)
    # The right password, once the wait is over, signs in and forgives this address's failures.
    server.clock.advance(minutes=15)
    assert sign_in(client, "canbo1").status_code == 200
    fail(client, "canbo1", 5)
    waits(sign_in(client, "canbo1"), 30, "30 giây")


def test_an_address_failing_for_many_usernames_waits_for_every_username(server: live.LiveServer) -> None:
    server.clock.set(START)
    sprayer, office = from_address(server, "127.0.0.2"), from_address(server, "127.0.0.3")
    for n in range(19):  # usernames nobody has: they still count against the address
        fail(sprayer, f"khach-{n:02d}", 1)
    fail(sprayer, "canbo2", 1)
    waits(sign_in(sprayer, "canbo1"), 30, "30 giây")
    waits(sign_in(sprayer, "khach-99"), 30, "30 giây")
    assert sign_in(office, "canbo1").status_code == 200
    server.clock.advance(seconds=30)
    fail(sprayer, "khach-20", 1)
    waits(sign_in(sprayer, "canbo1"), 60, "1 phút")


# ---------------------------------------------------------------- what a failure costs


def test_only_known_users_failures_are_in_the_security_log(server: live.LiveServer) -> None:
    server.clock.set(START)
    db = open_database(server.settings.resolved_database_url())
    try:
        with db.write() as session:
            session.execute(
                sa.update(models.User).where(models.User.username == "canbo3").values(active=False)
            )
    finally:
        db.dispose()
    client = from_address(server, "127.0.0.2")
    fail(client, "khong-co-ai", 2)
    fail(client, "canbo3", 1)  # inactive: as if unknown
    assert sign_in(client, "canbo3").status_code == 401  # even with its old password
    fail(client, "canbo1", 1)
    failed = audit_rows(server, "auth.failed")
    assert [(row["actor"], row["target"], row["details"]) for row in failed] == [
        ("anonymous", "canbo1", {"address": "127.0.0.2"})
    ]


@pytest.fixture
def server_without_password_checks(
    tmp_path: pathlib.Path, database_url: str, clock: live.Clock
) -> collections.abc.Iterator[live.LiveServer]:
    """A server that can check no password at all: no slot, and no wait for one."""
    with live.run_server(
        data_dir=tmp_path / "data",
        database_url=database_url,
        clock=clock,
        login_hash_slots=0,
        login_slot_wait_seconds=0,
    ) as running:
        yield running


def test_unknown_usernames_take_no_password_check(server_without_password_checks: live.LiveServer) -> None:
    server = server_without_password_checks
    client = from_address(server, "127.0.0.2")
    fail(client, "khong-co-ai", 3)  # answered without the slot a password check needs
    busy = sign_in(client, "canbo1")
    assert busy.status_code == 503
    assert busy.json()["detail"] == (
        "Máy chủ đang bận kiểm tra các lượt đăng nhập khác. Vui lòng thử lại sau ít giây."
    )
    assert int(busy.headers["Retry-After"]) > 0
    assert audit_rows(server, "auth.failed") == []


@pytest.fixture
def server_with_one_slot_and_no_wait(
    tmp_path: pathlib.Path, database_url: str, clock: live.Clock
) -> collections.abc.Iterator[live.LiveServer]:
    with live.run_server(
        data_dir=tmp_path / "data",
        database_url=database_url,
        clock=clock,
        login_hash_slots=1,
        login_slot_wait_seconds=0,
    ) as running:
        yield running


def test_one_password_check_at_a_time_the_others_are_told_to_come_back(
    server_with_one_slot_and_no_wait: live.LiveServer,
) -> None:
    """Six officers press Đăng nhập at the same moment: one password is checked, the others
    are told the server is busy (they were not counted as failures) and get in on retrying."""
    server = server_with_one_slot_and_no_wait
    add_commune_centre(server)
    usernames = ["admin", "giamsat", "canbo1", "canbo2", "canbo3", "canbo_xa"]
    clients = [from_address(server, f"127.0.0.{n + 2}") for n in range(len(usernames))]
    for client in clients:  # connected beforehand, so the six requests leave together
        assert client.get("/healthz").status_code == 200
    start = threading.Barrier(len(usernames))
    replies: dict[str, httpx.Response] = {}

    def press(client: httpx.Client, username: str) -> None:
        start.wait()
        replies[username] = sign_in(client, username)

    threads = [threading.Thread(target=press, args=pair) for pair in zip(clients, usernames, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = collections.Counter(reply.status_code for reply in replies.values())
    assert set(statuses) == {200, 503}, statuses
    for username, client in zip(usernames, clients, strict=True):
        if replies[username].status_code == 503:
            assert checks.is_vietnamese(replies[username].json()["detail"])
            assert sign_in(client, username).status_code == 200
    assert audit_rows(server, "auth.failed") == []


# ---------------------------------------------------------------- the administrator unlocks


def test_an_administrator_unlocks_an_account_from_every_address(
    server: live.LiveServer, commune: dict[str, Any]
) -> None:
    first, second = from_address(server, "127.0.0.2"), from_address(server, "127.0.0.3")
    for client in (first, second):
        fail(client, "canbo_xa", 5)
        waits(sign_in(client, "canbo_xa"), 30, "30 giây")
    fail(first, "canbo1", 5)
    users = {u["username"]: u for u in server.user("admin").get("/admin/users").json()}
    url = f"/admin/users/{users['canbo_xa']['id']}/unlock"

    refused = server.user("giamsat").post(url)
    assert refused.status_code == 403
    assert checks.is_vietnamese(refused.json()["detail"])
    assert sign_in(first, "canbo_xa").status_code == 429

    reply = server.user("admin").post(url)
    assert reply.status_code == 200, reply.text
    assert (reply.json()["username"], reply.json()["failures_cleared"]) == ("canbo_xa", 10)
    for client in (first, second):
        assert sign_in(client, "canbo_xa").status_code == 200
    waits(sign_in(first, "canbo1"), 30, "30 giây")  # another account's failures stay
    unlocked = audit_rows(server, "auth.unlocked")
    assert [(row["actor"], row["target"]) for row in unlocked] == [("user:admin", "canbo_xa")]

    missing = server.user("admin").post("/admin/users/999999/unlock")
    assert missing.status_code == 404
    assert checks.is_vietnamese(missing.json()["detail"])


# ---------------------------------------------------------------- the housekeeping


def test_failures_older_than_a_day_are_forgotten(server: live.LiveServer) -> None:
    server.clock.set(START)
    fail(from_address(server, "127.0.0.2"), "canbo1", 3)
    server.clock.advance(hours=23)
    fail(from_address(server, "127.0.0.3"), "canbo1", 2)
    server.clock.advance(hours=1)
    db = open_database(server.settings.resolved_database_url())
    try:
        keeper = housekeeping.ReportDayKeeper(db, server.settings, 3600)
        assert keeper.forget_old_login_failures() == 3
        assert keeper.forget_old_login_failures() == 0
        with db.read() as session:
            kept = session.scalars(sa.select(models.LoginFailure.address)).all()
    finally:
        db.dispose()
    assert kept == ["127.0.0.3", "127.0.0.3"]
