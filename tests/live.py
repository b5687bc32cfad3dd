"""A real server for tests: Uvicorn on an ephemeral 127.0.0.1 port in a thread.

SQLite by default (a file in the test's tmp dir); PostgreSQL when QMS_TEST_DATABASE_URL
points at one (a database of its own for each test). Each test's database starts as a copy of
one prepared once per test process (schema, demo catalogue, users, device keys).
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import datetime as dt
import os
import pathlib
import shutil
import socket
import tempfile
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


KIOSK_UNLIMITED = 1_000_000.0


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


@contextlib.contextmanager
def fresh_database(tmp_path: pathlib.Path) -> Iterator[str]:
    """An empty database for one test: an SQLite file, or a new PostgreSQL database.

    On PostgreSQL each test gets its own database (created next to the one the URL names
    and dropped afterwards), so test runs on one server never step on each other.
    """
    url = postgres_url()
    if url is None:
        yield f"sqlite:///{tmp_path / 'qms.sqlite3'}"
        return
    with postgres_database(url) as fresh:
        yield fresh


@contextlib.contextmanager
def postgres_database(url: str, prefix: str = "qms_test") -> Iterator[str]:
    """A new PostgreSQL database next to the one ``url`` names, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    server = sa.make_url(url)
    _create_database(server, name)
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_database(server, name)


@dataclasses.dataclass
class LiveServer:
    base_url: str
    settings: Settings
    clock: Clock
    device_keys: dict[str, str]
    ids: dict[str, Any]
    clients: list[httpx.Client] = dataclasses.field(default_factory=list)
    running: _Running | None = dataclasses.field(default=None, repr=False)

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

    def stop(self) -> None:
        """Stop serving, dropping open connections as a stopped process would; the data stays."""
        assert self.running is not None
        self.running.stop()

    def start(self) -> None:
        """Serve again after stop(): same port, same database, same settings and clock."""
        assert self.running is not None
        self.running.start()


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


@dataclasses.dataclass
class _Template:
    """A database prepared once per test process; each test gets a copy of it."""

    url: str
    keys: dict[str, str]
    ids: dict[str, Any]


_templates: dict[str, _Template] = {}


def _copy_of_template(url: str) -> tuple[dict[str, str], dict[str, Any]] | None:
    """Make the empty database at ``url`` a copy of the prepared template (migrations, demo
    catalogue, users with their argon2 hashes: ~1.5 s a test otherwise). None when ``url`` is
    not an empty database this can fill: the caller prepares it the slow way."""
    target = sa.make_url(url)
    backend = target.get_backend_name()
    if backend == "sqlite":
        path = pathlib.Path(target.database or "")
        if not target.database or path.exists():
            return None
        template = _templates.get("sqlite")
        if template is None:
            folder = pathlib.Path(tempfile.mkdtemp(prefix="qms-test-template-"))
            atexit.register(shutil.rmtree, folder, True)
            template_url = f"sqlite:///{folder / 'template.sqlite3'}"
            template = _templates["sqlite"] = _Template(template_url, *_prepare(template_url))
        clone_database(template.url, url)
        return template.keys, template.ids
    if backend != "postgresql" or not target.database or not target.database.startswith("qms_test_"):
        return None
    template = _templates.get("postgresql")
    if template is None:
        name = f"qms_template_{uuid.uuid4().hex[:12]}"
        _create_database(target.set(database="postgres"), name)
        atexit.register(_drop_database, target.set(database="postgres"), name)
        template_url = target.set(database=name).render_as_string(hide_password=False)
        template = _templates["postgresql"] = _Template(template_url, *_prepare(template_url))
    clone_database(template.url, url)
    return template.keys, template.ids


def clone_database(source_url: str, target_url: str) -> None:
    """Make the database at ``target_url`` (an SQLite file not there yet, or an empty unused
    PostgreSQL database, as fresh_database gives) a copy of the one at ``source_url``, which
    nobody may be using (its server stopped)."""
    source, target = sa.make_url(source_url), sa.make_url(target_url)
    if target.get_backend_name() == "sqlite":
        # Every write of the source was checkpointed when its engine was disposed.
        shutil.copyfile(source.database or "", target.database or "")
        return
    _administer(
        target.set(database="postgres"),
        f'DROP DATABASE "{target.database}"',
        f'CREATE DATABASE "{target.database}" TEMPLATE "{source.database}"',
    )


def _create_database(server: sa.URL, name: str) -> None:
    _administer(server, f'CREATE DATABASE "{name}"')


def _drop_database(server: sa.URL, name: str) -> None:
    _administer(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _administer(server: sa.URL, *statements: str) -> None:
    """Statements outside a transaction (CREATE and DROP DATABASE) on the PostgreSQL server."""
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for statement in statements:
                conn.execute(sa.text(statement))
    finally:
        admin.dispose()


class _Uvicorn(uvicorn.Server):
    """Uvicorn whose shutdown drops the connections still open, as a stopped process would.

    Plain uvicorn waits for every response to end before it shuts the app down, and an event
    stream never ends by itself: a test server with a stream open would not stop.
    """

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for connection in list(self.server_state.connections):
            connection.transport.close()
        await super().shutdown(sockets=sockets)


@dataclasses.dataclass
class _Process:
    """One uvicorn serving the app in a thread, on a socket of its own."""

    server: _Uvicorn
    thread: threading.Thread
    sock: socket.socket

    @classmethod
    def start(cls, settings: Settings, port: int) -> _Process:
        sock = socket.socket()
        # A restart binds the port again while the old connections are in TIME_WAIT.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        config = uvicorn.Config(create_app(settings), log_level="warning", lifespan="on")
        server = _Uvicorn(config)
        thread = threading.Thread(
            target=server.run,
            kwargs={"sockets": [sock]},
            daemon=True,
            name=f"uvicorn-{uuid.uuid4().hex[:6]}",
        )
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:  # a condition with a deadline, not a fixed sleep
            if not thread.is_alive() or time.monotonic() > deadline:
                sock.close()
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)  # fixed wait is right: uvicorn offers no event for 'started', only this flag
        return cls(server=server, thread=thread, sock=sock)

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()


@dataclasses.dataclass
class _Running:
    """What stop() and start() need; kept off LiveServer's public fields."""

    settings: Settings
    port: int
    process: _Process | None = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None

    def start(self) -> None:
        if self.process is None:
            self.process = _Process.start(self.settings, self.port)


@contextlib.contextmanager
def another_process(server: LiveServer, data_dir: pathlib.Path) -> Iterator[LiveServer]:
    """A second server process on the same database and clock, as another worker of a
    multi-worker server (its device_keys are the first one's)."""
    url = server.settings.resolved_database_url()
    with run_server(data_dir=data_dir, database_url=url, clock=server.clock, prepare=False) as other:
        other.device_keys.update(server.device_keys)
        yield other


@contextlib.contextmanager
def run_server(
    *,
    data_dir: pathlib.Path,
    database_url: str,
    clock: Clock,
    prepare: bool = True,
    **overrides: Any,
) -> Iterator[LiveServer]:
    """Serve on an ephemeral port until the block ends.

    ``prepare=False`` serves a database an earlier server prepared, as is (a second server
    process on the same database, or the same one after a restart): device_keys and ids are
    then empty; use the earlier server's.
    """
    keys, ids = ({}, {}) if not prepare else _copy_of_template(database_url) or _prepare(database_url)
    # Tests issue dozens of tickets a second from one kiosk key; the kiosk's own limit (a
    # citizen's pace) is tested where a test sets it (tests/server/test_floods.py).
    overrides.setdefault("kiosk_tickets_per_minute", KIOSK_UNLIMITED)
    settings = Settings(data_dir=data_dir, database_url=database_url, clock=clock, **overrides)
    process = _Process.start(settings, 0)
    running = _Running(settings=settings, port=process.port, process=process)
    live = LiveServer(
        base_url=f"http://127.0.0.1:{running.port}",
        settings=settings,
        clock=clock,
        device_keys=keys,
        ids=ids,
        running=running,
    )
    try:
        yield live
    finally:
        for client in live.clients:
            client.close()
        running.stop()
