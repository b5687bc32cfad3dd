"""Two centres of one province on one server, each with its people, devices and work in
progress, prepared once per test process and copied for every test that asks for it.

Centre A is the provincial centre of the demo catalogue; centre B a commune centre sharing its
catalogue. In each: a kiosk, a board and a counter device; an officer, a supervisor and an
administrator (B's administrator belongs to B, and still sees every centre); an officer at the
first counter with one ticket called there, one marked no-show and one waiting; a dossier taken
in against the called ticket; a day off in the calendar to delete. Everyone is signed in: the
world keeps their access tokens, valid for 12 hours in every copy.
"""

from __future__ import annotations

import atexit
import copy
import dataclasses
import json
import pathlib
import shutil
import tempfile
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import sqlalchemy as sa

from onestop.enums import DeviceKind, Role
from server import auth, seed
from server.db import open_database
from tests import live
from tests.server import checks

ROLES = ("kiosk", "display", "counter", "officer", "supervisor", "admin")
DEVICES = ("kiosk", "display", "counter")


@dataclasses.dataclass(frozen=True)
class Side:
    """One centre's ids and its people's and devices' secrets (role -> bearer)."""

    centre: int
    service: int  # served by `counter`
    other_service: int  # another service of the centre, to transfer to
    counter: int  # opened by the officer
    called: int  # a ticket called to `counter`
    no_show: int  # a ticket marked no-show at `counter`
    waiting: int  # a ticket waiting, issued by the kiosk with `issue_key`
    issue_key: str
    dossier: str  # its code; taken in against `called`
    spare_device: int  # a device nobody uses here, for a new key
    officer_id: int  # the officer's user id
    day_off: str  # a calendar day, to delete
    secrets: dict[str, str]


@dataclasses.dataclass(frozen=True)
class World:
    url: str  # the prepared database: copy it, never serve it
    a: Side
    b: Side
    procedure: int
    catalogue: dict[str, Any]  # centre A's catalogue document, for an import's dry run


_worlds: dict[str, World] = {}


def world(scratch: Callable[[], pathlib.Path]) -> World:
    """The prepared world for this process's database backend (made on first use, in a
    folder ``scratch`` makes)."""
    backend = "postgresql" if live.postgres_url() else "sqlite"
    if backend not in _worlds:
        _worlds[backend] = _build(scratch())
    return _worlds[backend]


def _build(scratch: pathlib.Path) -> World:
    url = _new_database()
    with live.run_server(data_dir=scratch / "world", database_url=url, clock=live.Clock()) as server:
        a_centre = server.ids["centre"]
        b_centre = _add_centre_b(server)
        secrets = _devices_and_users(server, a_centre, b_centre)
        api = checks.Api(server)
        procedure = api.client().get("/procedures", params={"limit": 1}).raise_for_status().json()[0]["id"]
        sides = {
            name: _work(api, centre, secrets[name], procedure, day_off=day, officer_name=officer)
            for name, centre, day, officer in (
                ("a", a_centre, "2027-01-04", "canbo1"),
                ("b", b_centre, "2027-01-05", "canbo_b"),
            )
        }
        catalogue = api.client(secrets["a"]["admin"]).get("/admin/catalogue").raise_for_status().json()
    return World(url=url, a=sides["a"], b=sides["b"], procedure=procedure, catalogue=catalogue)


def _new_database() -> str:
    """A database that outlives the test that made it (dropped when the process ends)."""
    url = live.postgres_url()
    if url is None:
        folder = pathlib.Path(tempfile.mkdtemp(prefix="qms-test-world-"))
        atexit.register(shutil.rmtree, folder, True)
        return f"sqlite:///{folder / 'world.sqlite3'}"
    server = sa.make_url(url).set(database="postgres")
    name = f"qms_test_{uuid.uuid4().hex[:12]}"  # the prefix run_server's template copy expects
    live._create_database(server, name)
    atexit.register(live._drop_database, server, name)
    return sa.make_url(url).set(database=name).render_as_string(hide_password=False)


def _add_centre_b(server: live.LiveServer) -> int:
    data = copy.deepcopy(json.loads(seed.DEMO_CATALOGUE.read_text(encoding="utf-8")))
    data["centre"].update(code="PVHCC-XA-THANHSON", name="Trung tâm Phục vụ hành chính công xã Thanh Sơn")
    services = data["services"][:2]
    data["services"] = services
    data["counters"] = [
        {"number": 1, "name": "Quầy số 1", "service_codes": [services[0]["code"]]},
        {"number": 2, "name": "Quầy số 2", "service_codes": [services[1]["code"]]},
    ]
    db = open_database(server.settings.resolved_database_url())
    try:
        with db.write() as session:
            return seed.load_catalogue(session, data).id
    finally:
        db.dispose()


def _devices_and_users(server: live.LiveServer, a_centre: int, b_centre: int) -> dict[str, dict[str, str]]:
    """Each centre's device keys and its people's access tokens, by role."""
    a = {"kiosk": server.device_keys["kiosk-1"], "display": server.device_keys["display-1"]}
    b: dict[str, str] = {}
    users = {"a": {"officer": "canbo1", "supervisor": "giamsat", "admin": "admin"}}
    users["b"] = {"officer": "canbo_b", "supervisor": "giamsat_b", "admin": "admin_b"}
    db = open_database(server.settings.resolved_database_url())
    try:
        with db.write() as session:
            _, a["counter"] = auth.create_device(
                session, name="counter-a", kind=DeviceKind.COUNTER, centre_id=a_centre
            )
            for kind in DEVICES:
                _, b[kind] = auth.create_device(
                    session, name=f"{kind}-b", kind=DeviceKind(kind), centre_id=b_centre
                )
            auth.create_device(session, name="spare-b", kind=DeviceKind.KIOSK, centre_id=b_centre)
            for role, username in users["b"].items():
                auth.create_user(
                    session,
                    username=username,
                    password=live.PASSWORD,
                    role={"officer": Role.OFFICER, "supervisor": Role.SUPERVISOR, "admin": Role.ADMIN}[role],
                    full_name=f"Cán bộ {username}",
                    centre_id=b_centre,
                )
    finally:
        db.dispose()
    for side, secrets in (("a", a), ("b", b)):
        for role, username in users[side].items():
            secrets[role] = server.token(username)
    return {"a": a, "b": b}


def _ok(reply: httpx.Response, status: int = 200) -> Any:
    assert reply.status_code == status, f"{reply.request.method} {reply.request.url}: {reply.text}"
    return reply.json() if reply.content else None


def _work(
    api: checks.Api, centre: int, secrets: dict[str, str], procedure: int, *, day_off: str, officer_name: str
) -> Side:
    """The officer opens the centre's first counter: one ticket no-show, one called, one waiting."""
    anonymous = api.client()
    counter = _ok(anonymous.get("/counters", params={"centre_id": centre}))[0]
    services = [s["id"] for s in _ok(anonymous.get("/services", params={"centre_id": centre}))]
    service = counter["service_ids"][0]
    kiosk, officer = api.client(secrets["kiosk"]), api.client(secrets["officer"])
    issue_key = f"world-{uuid.uuid4().hex}"
    first = _ok(kiosk.post("/tickets", json={"service_id": service}), 201)
    second = _ok(kiosk.post("/tickets", json={"service_id": service}), 201)
    waiting = _ok(
        kiosk.post("/tickets", json={"service_id": service}, headers={"Idempotency-Key": issue_key}), 201
    )
    _ok(officer.post(f"/counters/{counter['id']}/open"))
    assert _ok(officer.post(f"/counters/{counter['id']}/call-next"))["id"] == first["id"]
    for _ in range(2):
        _ok(officer.post(f"/tickets/{first['id']}/recall"))
    _ok(officer.post(f"/tickets/{first['id']}/no-show"))
    assert _ok(officer.post(f"/counters/{counter['id']}/call-next"))["id"] == second["id"]
    intake = checks.DOSSIER | {"procedure_id": procedure, "ticket_id": second["id"]}
    dossier = _ok(officer.post("/dossiers", json=intake, headers={"Idempotency-Key": uuid.uuid4().hex}), 201)
    admin = api.client(secrets["admin"])
    _ok(admin.post("/admin/calendar", json={"day": day_off, "working": False, "note": "Nghỉ bù"}), 201)
    devices = _ok(admin.get("/admin/devices"))
    spare = next(d for d in devices if d["name"] in ("kiosk-2", "spare-b") and d["centre_id"] == centre)
    return Side(
        centre=centre,
        service=service,
        other_service=next(s for s in services if s != service),
        counter=counter["id"],
        called=second["id"],
        no_show=first["id"],
        waiting=waiting["id"],
        issue_key=issue_key,
        dossier=dossier["code"],
        spare_device=spare["id"],
        officer_id=next(u["id"] for u in _ok(admin.get("/admin/users")) if u["username"] == officer_name),
        day_off=day_off,
        secrets=secrets,
    )
