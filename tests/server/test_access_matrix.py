"""Who may do what, where: every route of the API, asked by everyone, of their own centre and
of another.

The routes come from the server's OpenAPI document, so a new route without a rule here fails.
For each route the expected answers are written once (RULES): anonymous; each device kind;
an officer, a supervisor and an administrator, each once of their own centre (A) and once
from another centre (B) acting on A's ticket, counter, dossier or centre. "OK" means the
request got past every access check (a 2xx, or a 409 from the state the world is in); any other
answer is the exact status expected. Each route runs against a fresh copy of the two-centre
world (tests/server/world.py), in the order ASKED gives.
"""

from __future__ import annotations

import dataclasses
import itertools
import pathlib
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests import live
from tests.server import checks
from tests.server import world as worlds

OK = "ok"
Answer = int | str
Sides = tuple[Answer, Answer]  # (own centre, other centre)
ORDER = ("anonymous", *worlds.ROLES)
# Another centre's people and devices first: refused, they change nothing. Then the centre's
# own. B's administrator, admitted everywhere, last: what they do would change A's things.
ASKED = [(False, r) for r in worlds.ROLES if r != "admin"] + [(True, r) for r in ORDER] + [(False, "admin")]


@dataclasses.dataclass(frozen=True)
class Rule:
    anonymous: Answer = 401
    kiosk: Answer | Sides = 403
    display: Answer | Sides = 403
    counter: Answer | Sides = 403
    officer: Answer | Sides = 403
    supervisor: Answer | Sides = 403
    admin: Answer | Sides = (OK, OK)

    def expected(self, role: str, own: bool) -> Answer:
        value = getattr(self, role)
        if isinstance(value, tuple):
            return value[0] if own else value[1]
        return value


PUBLIC = Rule(OK, OK, OK, OK, OK, OK, OK)
ADMIN = Rule()


def staff(other: Answer) -> Rule:
    """Officers and supervisors of the centre; another centre's get ``other``."""
    return Rule(officer=(OK, other), supervisor=(OK, other))


def managers(other: Answer) -> Rule:
    return Rule(supervisor=(OK, other))


def watchers(other: Answer) -> Rule:
    """Every device and every member of staff, of the centre only."""
    return Rule(
        kiosk=(OK, other),
        display=(OK, other),
        counter=(OK, other),
        officer=(OK, other),
        supervisor=(OK, other),
    )


@dataclasses.dataclass(frozen=True)
class Call:
    path: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    json: Any = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


# What a request of each route is: (target side A, the caller's side, a number unique to the
# request) -> Call. Requests are valid: only access can refuse them.
Build = Callable[[worlds.World, worlds.Side, int], Call]


def _at(path: str, **params: Any) -> Build:
    """A call whose path names A's things: {centre}, {counter}, {called}, {waiting} …"""

    def build(w: worlds.World, _caller: worlds.Side, _n: int) -> Call:
        values = {f.name: getattr(w.a, f.name) for f in dataclasses.fields(w.a)} | {"procedure": w.procedure}
        return Call(path.format(**values), {k: v.format(**values) for k, v in params.items()})

    return build


def _with(build: Build, *, json: Any = None, key: bool = False) -> Build:
    def with_body(w: worlds.World, caller: worlds.Side, n: int) -> Call:
        call = build(w, caller, n)
        body = json(w, n) if callable(json) else json
        headers = {"Idempotency-Key": f"ma-tran-{uuid.uuid4().hex}"} if key else {}
        return dataclasses.replace(call, json=body, headers=headers)

    return with_body


def _intake(w: worlds.World, _n: int) -> dict[str, Any]:
    return checks.DOSSIER | {"procedure_id": w.procedure, "ticket_id": w.a.called}


def _own_day(w: worlds.World, caller: worlds.Side, _n: int) -> Call:
    # Deleting is done once: each administrator deletes the day off of their own centre.
    return Call(f"/admin/calendar/{caller.day_off}")


def _new_day(_w: worlds.World, n: int) -> dict[str, Any]:
    return {"day": f"2027-03-{n:02d}", "working": True, "note": "Làm bù"}


MONTH = {"start": "2026-11-01", "end": "2026-11-30", "centre_id": "{centre}"}
REASON = {"reason": "Thiếu giấy tờ theo quy định."}
SUPPLEMENT = {"items": [{"name": "Bản sao giấy khai sinh", "kind": "certified_copy", "copies": 1}], **REASON}

RULES: dict[str, tuple[Rule, Build]] = {
    "GET /healthz": (PUBLIC, _at("/healthz")),
    "POST /auth/login": (
        PUBLIC,
        _with(_at("/auth/login"), json={"username": "canbo2", "password": live.PASSWORD}),
    ),
    "POST /auth/logout": (Rule(officer=OK, supervisor=OK, admin=OK), _at("/auth/logout")),
    "GET /centres": (PUBLIC, _at("/centres")),
    "PUT /centres/{centre_id}/notice": (
        managers(403),
        _with(_at("/centres/{centre}/notice"), json={"notice": "Thông báo thử"}),
    ),
    "GET /priority-groups": (PUBLIC, _at("/priority-groups")),
    "GET /agencies": (PUBLIC, _at("/agencies")),
    "GET /procedures": (PUBLIC, _at("/procedures", q="ly lich")),
    "GET /procedures/{procedure_id}": (PUBLIC, _at("/procedures/{procedure}")),
    # A device reports on itself, whichever centre; people do not.
    "POST /devices/status": (
        Rule(kiosk=OK, display=OK, counter=OK, admin=403),
        _with(_at("/devices/status"), json={"fault": None}),
    ),
    # Each manager sees the devices of their own centre (tested in test_centres).
    "GET /devices": (Rule(supervisor=OK), _at("/devices")),
    # Issuing at another centre's service: there is no such service there.
    "POST /tickets": (
        Rule(kiosk=(OK, 404), officer=(OK, 404), supervisor=(OK, 404)),
        _with(_at("/tickets"), json=lambda w, _n: {"service_id": w.a.service}),
    ),
    # Only the kiosk that issued with the key finds its ticket by it.
    "GET /tickets/by-key/{key}": (
        Rule(kiosk=(OK, 404), officer=404, supervisor=404, admin=404),
        _at("/tickets/by-key/{issue_key}"),
    ),
    "GET /tickets/{ticket_id}": (watchers(403), _at("/tickets/{waiting}")),
    "POST /tickets/{ticket_id}/recall": (staff(403), _at("/tickets/{called}/recall")),
    "POST /tickets/{ticket_id}/no-show": (staff(403), _at("/tickets/{called}/no-show")),
    "POST /tickets/{ticket_id}/reactivate": (staff(403), _at("/tickets/{no_show}/reactivate")),
    "POST /tickets/{ticket_id}/start": (staff(403), _at("/tickets/{called}/start")),
    "POST /tickets/{ticket_id}/finish": (staff(403), _at("/tickets/{called}/finish")),
    "POST /tickets/{ticket_id}/transfer": (
        staff(403),
        _with(_at("/tickets/{called}/transfer"), json=lambda w, _n: {"service_id": w.a.other_service}),
    ),
    # The kiosk that issued it, or a manager of the centre.
    "POST /tickets/{ticket_id}/cancel": (
        Rule(kiosk=(OK, 403), supervisor=(OK, 403)),
        _with(_at("/tickets/{waiting}/cancel"), json={"reason": "Lấy nhầm số"}),
    ),
    "GET /counters": (PUBLIC, _at("/counters", centre_id="{centre}")),
    "GET /counters/{counter_id}": (PUBLIC, _at("/counters/{counter}")),
    "GET /counters/{counter_id}/queue": (staff(403), _at("/counters/{counter}/queue")),
    "POST /counters/{counter_id}/open": (staff(403), _at("/counters/{counter}/open")),
    "POST /counters/{counter_id}/pause": (staff(403), _at("/counters/{counter}/pause")),
    "POST /counters/{counter_id}/close": (staff(403), _at("/counters/{counter}/close")),
    "POST /counters/{counter_id}/call-next": (staff(403), _at("/counters/{counter}/call-next")),
    "GET /services": (PUBLIC, _at("/services", centre_id="{centre}")),
    "GET /board": (watchers(403), _at("/board", centre_id="{centre}")),
    "GET /events": (watchers(403), _at("/events", centre_id="{centre}")),
    "POST /dossiers": (staff(403), _with(_at("/dossiers"), json=_intake, key=True)),
    # Lists of dossiers hold the caller's own centre's only (tested in test_dossier_retries).
    "GET /dossiers": (staff(OK), _at("/dossiers", id_number="001090012345")),
    "GET /dossiers/tracking-book": (
        staff(OK),
        _at("/dossiers/tracking-book", start="2026-11-01", end="2026-11-30"),
    ),
    # Anyone learns a dossier's status by its code; another centre's staff not even that.
    "GET /dossiers/{code}": (
        Rule(OK, OK, OK, OK, (OK, 404), (OK, 404), (OK, OK)),
        _at("/dossiers/{dossier}"),
    ),
    "GET /dossiers/{code}/history": (staff(404), _at("/dossiers/{dossier}/history")),
    "POST /dossiers/{code}/supplement-request": (
        staff(404),
        _with(_at("/dossiers/{dossier}/supplement-request"), json=SUPPLEMENT),
    ),
    "POST /dossiers/{code}/supplemented": (staff(404), _at("/dossiers/{dossier}/supplemented")),
    "POST /dossiers/{code}/refuse": (staff(404), _with(_at("/dossiers/{dossier}/refuse"), json=REASON)),
    "POST /dossiers/{code}/extend": (
        staff(404),
        _with(_at("/dossiers/{dossier}/extend"), json={**REASON, "new_due_at": "2027-06-30T10:00:00+07:00"}),
    ),
    "POST /dossiers/{code}/ready": (staff(404), _at("/dossiers/{dossier}/ready")),
    "POST /dossiers/{code}/return": (
        staff(404),
        _with(_at("/dossiers/{dossier}/return"), json={"returned_to": "Nguyễn Văn An"}),
    ),
    "POST /dossiers/{code}/rating": (
        staff(404),
        _with(_at("/dossiers/{dossier}/rating"), json={"level": "hai_long"}),
    ),
    "GET /reports/queue": (managers(403), _at("/reports/queue", **MONTH)),
    "GET /reports/dossiers": (managers(403), _at("/reports/dossiers", **MONTH)),
    "GET /reports/satisfaction": (managers(403), _at("/reports/satisfaction", **MONTH)),
    "GET /reports/officers": (managers(403), _at("/reports/officers", **MONTH)),
    # The administrators of the province: every centre.
    "GET /admin/catalogue": (ADMIN, _at("/admin/catalogue", centre_id="{centre}")),
    "POST /admin/catalogue": (
        ADMIN,
        _with(_at("/admin/catalogue", centre_id="{centre}", dry_run="true"), json=lambda w, _n: w.catalogue),
    ),
    "POST /admin/devices/{device_id}/new-key": (ADMIN, _at("/admin/devices/{spare_device}/new-key")),
    "GET /admin/{kind}": (ADMIN, _at("/admin/users")),
    "POST /admin/{kind}": (ADMIN, _with(_at("/admin/calendar"), json=_new_day)),
    "GET /admin/{kind}/{item_id}": (ADMIN, _at("/admin/calendar/{day_off}")),
    "PUT /admin/{kind}/{item_id}": (
        ADMIN,
        _with(_at("/admin/calendar/{day_off}"), json=lambda w, _n: {"day": w.a.day_off, "working": False}),
    ),
    "DELETE /admin/{kind}/{item_id}": (ADMIN, _own_day),
    "POST /admin/users/{user_id}/unlock": (ADMIN, _at("/admin/users/{officer_id}/unlock")),
    "GET /supervision/overview": (managers(403), _at("/supervision/overview", centre_id="{centre}")),
    "POST /supervision/tickets/{ticket_id}/move": (
        managers(403),
        _with(
            _at("/supervision/tickets/{waiting}/move"), json=lambda w, _n: {"service_id": w.a.other_service}
        ),
    ),
    "POST /supervision/counters/{counter_id}/close": (
        managers(403),
        _at("/supervision/counters/{counter}/close"),
    ),
    "POST /supervision/tickets/{ticket_id}/reprint": (
        managers(403),
        _at("/supervision/tickets/{waiting}/reprint"),
    ),
}

# Served outside the OpenAPI document: the citizen's pages (an unguessable token in the path)
# and their script, the document itself, the load balancer's health check.
HIDDEN = {
    "/openapi.json",
    "/api/v1/openapi.json",
    "/healthz",
    "/tra-cuu/so/{token}",
    "/tra-cuu/so/{token}/trang-thai",
    "/tra-cuu/trang.js",
    "/tra-cuu/ho-so/{code}/{token}",
}
# The interactive API documentation, when it is switched on.
DOCS = {"/api/v1/docs", "/docs/oauth2-redirect", "/redoc"}


def _operations() -> list[str]:
    from server.app import create_app
    from server.settings import Settings

    document = create_app(Settings()).openapi()
    return [str(e) for e in checks.endpoints(document)]


OPERATIONS = _operations()


def test_every_route_has_a_rule() -> None:
    """A route added without saying who may use it fails here first."""
    assert sorted(set(OPERATIONS) - set(RULES)) == []
    assert sorted(set(RULES) - set(OPERATIONS)) == []


def _hidden(routes: Any, prefix: str = "") -> set[str]:
    found = set()
    for route in routes:
        included = getattr(route, "original_router", None)  # a router included in the app
        if included is not None:
            found |= _hidden(included.routes, prefix + route.include_context.prefix)
        elif not getattr(route, "include_in_schema", True):
            found.add(prefix + route.path)
    return found


def test_no_route_is_served_outside_the_document_but_the_known_public_ones() -> None:
    from server.app import create_app
    from server.settings import Settings

    assert _hidden(create_app(Settings()).routes) - DOCS == HIDDEN


def _status(client: httpx.Client, method: str, call: Call) -> int:
    if call.path.startswith("/events"):  # a stream: its status line, then hang up
        with client.stream(method, call.path, params=call.params) as reply:
            return reply.status_code
    return client.request(
        method, call.path, params=call.params, json=call.json, headers=call.headers
    ).status_code


def _matches(status: int, expected: Answer) -> bool:
    return 200 <= status < 300 or status == 409 if expected == OK else status == expected


@pytest.mark.parametrize("operation", sorted(RULES))
def test_access(
    operation: str, tmp_path: pathlib.Path, tmp_path_factory: pytest.TempPathFactory, database_url: str
) -> None:
    w = worlds.world(lambda: tmp_path_factory.mktemp("world"))
    rule, build = RULES[operation]
    method = operation.split(" ", 1)[0]
    numbers = itertools.count(1)
    live.clone_database(w.url, database_url)
    with live.run_server(
        data_dir=tmp_path / "data", database_url=database_url, clock=live.Clock(), prepare=False
    ) as srv:
        api = checks.Api(srv)
        asked: list[tuple[str, str, Answer, int]] = []
        for own, role in ASKED:
            caller = w.a if own else w.b
            secret = None if role == "anonymous" else caller.secrets[role]
            status = _status(api.client(secret), method, build(w, caller, next(numbers)))
            asked.append((role, "own" if own else "other", rule.expected(role, own), status))
    wrong = [
        f"{role} ({side}): expected {want}, got {got}"
        for role, side, want, got in asked
        if not _matches(got, want)
    ]
    assert wrong == [], f"{operation}:\n" + "\n".join(wrong)
