"""A real server for tests: Uvicorn on an ephemeral 127.0.0.1 port in a thread.

SQLite by default (a file in the test's tmp dir); PostgreSQL when QMS_TEST_DATABASE_URL
points at one, with the schema emptied before each test.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import pathlib
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import sqlalchemy as sa
import uvicorn

from onestop import calendar
from onestop.enums import DeviceKind, Role
from server import auth, migrate, seed
from server.app import create_app
from server.db import open_database
from server.settings import Settings

PASSWORD = "mat-khau-thu-nghiem"
USERS = {
    "admin": Role.ADMIN,
    "giamsat": Role.SUPERVISOR,
    "canbo1": Role.OFFICER,
    "canbo2": Role.OFFICER,
    "canbo3": Role.OFFICER,
}
DEVICES = {"kiosk-1": DeviceKind.KIOSK, "kiosk-2": DeviceKind.KIOSK, "display-1": DeviceKind.DISPLAY}


class Clock:
    """The server's clock: real time, unless a test sets it (it then stays there)."""

    def __init__(self) -> None:
        self.fixed: dt.datetime | None = None

    def __call__(self) -> dt.datetime:
        return self.fixed if self.fixed is not None else dt.datetime.now(calendar.VN_TZ)

    def set(self, value: dt.datetime) -> None:
        self.fixed = value.replace(tzinfo=value.tzinfo or calendar.VN_TZ)

    def advance(self, **delta: float) -> None:
        self.fixed = self() + dt.timedelta(**delta)


def postgres_url() -> str | None:
    return os.environ.get("QMS_TEST_DATABASE_URL") or None


def fresh_database_url(tmp_path: pathlib.Path) -> str:
    url = postgres_url()
    if url is None:
        return f"sqlite:///{tmp_path / 'qms.sqlite3'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@dataclasses.dataclass
class LiveServer:
    base_url: str
    settings: Settings
    clock: Clock
    device_keys: dict[str, str]
    ids: dict[str, Any]
    clients: list[httpx.Client] = dataclasses.field(default_factory=list)

    @property
    def api(self) -> str:
        return f"{self.base_url}/api/v1"

    def client(self, secret: str | None = None) -> httpx.Client:
        """An HTTP client, closed when the server fixture ends."""
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        client = httpx.Client(base_url=self.api, headers=headers, timeout=30)
        self.clients.append(client)
        return client

    def token(self, username: str) -> str:
        reply = self.client().post("/auth/login", json={"username": username, "password": PASSWORD})
        reply.raise_for_status()
        return str(reply.json()["access_token"])

    def user(self, username: str) -> httpx.Client:
        return self.client(self.token(username))

    def device(self, name: str) -> httpx.Client:
        return self.client(self.device_keys[name])


def _prepare(url: str) -> tuple[dict[str, str], dict[str, Any]]:
    """Schema, demo catalogue, known users and device keys, written straight to the database."""
    migrate.upgrade(url)
    db = open_database(url)
    keys: dict[str, str] = {}
    try:
        with db.write() as session:
            centre = seed.seed_demo(session)
            assert centre is not None
            for username, role in USERS.items():
                auth.create_user(
                    session,
                    username=username,
                    password=PASSWORD,
                    role=role,
                    full_name=f"Cán bộ {username}",
                    centre_id=centre.id,
                )
            for name, kind in DEVICES.items():
                _, keys[name] = auth.create_device(session, name=name, kind=kind, centre_id=centre.id)
            ids = {"centre": centre.id}
    finally:
        db.dispose()
    return keys, ids


@contextlib.contextmanager
def run_server(
    *, data_dir: pathlib.Path, database_url: str, clock: Clock, **overrides: Any
) -> Iterator[LiveServer]:
    keys, ids = _prepare(database_url)
    settings = Settings(data_dir=data_dir, database_url=database_url, clock=clock, **overrides)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(settings), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True, name=f"uvicorn-{uuid.uuid4().hex[:6]}"
    )
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:  # a condition with a deadline, not a fixed sleep
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)  # polling a flag with a deadline above, not a fixed wait
    live = LiveServer(
        base_url=f"http://127.0.0.1:{port}", settings=settings, clock=clock, device_keys=keys, ids=ids
    )
    try:
        yield live
    finally:
        for client in live.clients:
            client.close()
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
