"""The auth matrix over real HTTP: who may call what, and what everybody else is told.

The mutating endpoints are read from the server's own OpenAPI document, so an endpoint
added later is covered without touching this file (unless its body needs a new sample).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from onestop import calendar
from tests import live
from tests.server import checks

UNKNOWN_DEVICE_KEY = "qmsd_" + "x" * 43
DOSSIER_CODE = "000.18.25.H42-261127-0001"
PATH_VALUES = {"ticket_id": "1", "counter_id": "1", "code": DOSSIER_CODE}
# A valid body per request schema, so that a 401/403 is never a 422 in disguise.
SAMPLE_BODIES: dict[str, dict[str, Any]] = {
    "TicketIn": {"service_id": 1},
    "TransferIn": {"service_id": 2},
    "CancelIn": {"reason": "Công dân không chờ được nữa"},
    "DeviceStatusIn": {"fault": None},
    "DossierIn": checks.DOSSIER,
    "SupplementIn": {
        "items": [{"name": "Bản sao giấy khai sinh", "kind": "certified_copy", "copies": 1}],
        "reason": "Thiếu bản sao giấy khai sinh",
    },
    "ReasonIn": {"reason": "Hồ sơ không thuộc thẩm quyền giải quyết"},
    "ExtendIn": {"reason": "Cần xác minh thêm", "new_due_at": "2030-01-07T16:00:00+07:00"},
    "ReturnIn": {"returned_to": "Nguyễn Văn An"},
    "RatingIn": {"level": "hai_long"},
}
# What a kiosk and a display may POST; everything else is 403 for them.
KIOSK_MAY = {"/tickets", "/tickets/{ticket_id}/cancel", "/devices/status"}
DISPLAY_MAY = {"/devices/status"}


@pytest.fixture
def api(server: live.LiveServer) -> checks.Api:
    return checks.Api(server)


def send(client: httpx.Client, endpoint: checks.Endpoint, body: str = "sample") -> httpx.Response:
    """POST to an endpoint with its sample body, no body at all, or bytes that are not JSON."""
    url, headers = endpoint.url(PATH_VALUES), endpoint.headers()
    if body == "none" or endpoint.body_schema is None:
        return client.post(url, headers=headers)
    if body == "malformed":
        headers["Content-Type"] = "application/json"
        return client.post(url, content=b'{"service_id": 1,', headers=headers)
    return client.post(url, json=SAMPLE_BODIES.get(endpoint.body_schema, {}), headers=headers)


def mismatches(
    client: httpx.Client, endpoints: list[checks.Endpoint], expected: int, body: str = "sample"
) -> list[str]:
    """Each endpoint that did not answer `expected`, with what it said instead."""
    wrong = []
    for endpoint in endpoints:
        reply = send(client, endpoint, body)
        if reply.status_code != expected or not checks.is_vietnamese(checks.detail(reply)):
            wrong.append(f"{endpoint} ({body} body): {reply.status_code} {reply.text[:200]}")
        elif expected == 401 and reply.headers.get("WWW-Authenticate") != "Bearer":
            wrong.append(f"{endpoint}: 401 without WWW-Authenticate: Bearer")
    return wrong


def expired_token(api: checks.Api, server: live.LiveServer) -> httpx.Client:
    client = api.user("admin")
    assert client.get("/board").status_code == 200
    server.clock.advance(seconds=server.settings.token_ttl.total_seconds() + 1)
    return client


NOBODY: dict[str, Callable[[checks.Api, live.LiveServer], httpx.Client]] = {
    "no-credentials": lambda api, _: api.client(),
    "unknown-secret": lambda api, _: api.client("any-secret"),
    "unknown-device-key": lambda api, _: api.client(UNKNOWN_DEVICE_KEY),
    "basic-auth": lambda api, _: api.raw("Basic YWRtaW46bWF0LWtoYXU="),
    "bearer-without-secret": lambda api, _: api.raw("Bearer"),
    "expired-token": expired_token,
}


# ---------------------------------------------------------------- 401 on every mutating endpoint


def test_openapi_lists_the_mutating_endpoints(api: checks.Api) -> None:
    found = {str(e) for e in checks.mutating(checks.openapi(api))}
    assert {"POST /tickets", "POST /counters/{counter_id}/call-next", "POST /dossiers"} <= found
    assert "POST /auth/login" not in found


def test_every_request_body_has_a_sample(api: checks.Api) -> None:
    """A new endpoint with a new body schema needs a sample here to be tested with it."""
    schemas = {e.body_schema for e in checks.mutating(checks.openapi(api)) if e.body_schema}
    assert schemas <= SAMPLE_BODIES.keys(), f"add sample bodies for {schemas - SAMPLE_BODIES.keys()}"


def test_sample_bodies_are_valid(api: checks.Api) -> None:
    """Signed in as admin, no sample body is refused as invalid: they only test the auth."""
    admin = api.user("admin")
    refused = [
        f"{e}: {reply.text[:200]}"
        for e in checks.mutating(checks.openapi(api))
        if (reply := send(admin, e)).status_code == 422
    ]
    assert refused == []


@pytest.mark.parametrize("body", ["sample", "none", "malformed"])
@pytest.mark.parametrize("who", NOBODY)
def test_mutating_endpoints_refuse_missing_or_wrong_credentials(
    api: checks.Api, server: live.LiveServer, who: str, body: str
) -> None:
    """401 first, whatever the body: a caller without valid credentials learns nothing else."""
    client = NOBODY[who](api, server)
    assert mismatches(client, checks.mutating(checks.openapi(api)), 401, body) == []


def test_token_is_valid_until_its_ttl(api: checks.Api, server: live.LiveServer) -> None:
    server.clock.set(dt.datetime(2026, 11, 27, 8, 0, tzinfo=calendar.VN_TZ))
    client = api.user("canbo1")
    server.clock.advance(seconds=server.settings.token_ttl.total_seconds() - 1)
    assert client.get("/board").status_code == 200
    server.clock.advance(seconds=1)
    reply = client.get("/board")
    assert reply.status_code == 401
    assert checks.is_vietnamese(reply.json()["detail"])


# ---------------------------------------------------------------- devices


@pytest.mark.parametrize(("device", "allowed"), [("display-1", DISPLAY_MAY), ("kiosk-1", KIOSK_MAY)])
def test_device_is_refused_outside_its_job(api: checks.Api, device: str, allowed: set[str]) -> None:
    forbidden = [e for e in checks.mutating(checks.openapi(api)) if e.template not in allowed]
    assert forbidden
    assert mismatches(api.device(device), forbidden, 403) == []


@pytest.mark.parametrize("who", ["kiosk-1", "display-1"])
def test_device_reports_its_status(api: checks.Api, who: str) -> None:
    reply = api.device(who).post("/devices/status", json={"fault": "Hết giấy in"})
    assert reply.status_code == 200
    assert reply.json()["name"] == who
    assert reply.json()["fault"] == "Hết giấy in"


@pytest.mark.parametrize("who", ["canbo1", "admin"])
def test_device_status_is_for_devices_only(api: checks.Api, who: str) -> None:
    assert api.user(who).post("/devices/status", json={"fault": None}).status_code == 403


def test_kiosk_issues_and_cancels_its_own_tickets(api: checks.Api) -> None:
    kiosk = api.device("kiosk-1")
    ticket = kiosk.post("/tickets", json={"service_id": api.services()["A"]})
    assert ticket.status_code == 201
    reply = kiosk.post(f"/tickets/{ticket.json()['id']}/cancel", json={"reason": "In lỗi"})
    assert reply.status_code == 200
    assert reply.json()["status"] == "cancelled"


@pytest.mark.parametrize("issuer", ["kiosk-2", "canbo1"])
def test_kiosk_cannot_cancel_a_ticket_it_did_not_issue(api: checks.Api, issuer: str) -> None:
    client = api.device(issuer) if issuer.startswith("kiosk") else api.user(issuer)
    ticket = client.post("/tickets", json={"service_id": api.services()["A"]}).json()
    reply = api.device("kiosk-1").post(f"/tickets/{ticket['id']}/cancel")
    assert reply.status_code == 403
    assert checks.is_vietnamese(reply.json()["detail"])
    assert api.device("display-1").get(f"/tickets/{ticket['id']}").json()["status"] == "waiting"


# ---------------------------------------------------------------- officers and their counters


@pytest.fixture
def busy_counter(api: checks.Api) -> dict[str, Any]:
    """Counter 1 opened by canbo1, who has called the first of two waiting tickets."""
    counter = api.counters()[1]
    canbo1 = api.user("canbo1")
    kiosk = api.device("kiosk-1")
    assert canbo1.post(f"/counters/{counter}/open").status_code == 200
    tickets = [kiosk.post("/tickets", json={"service_id": api.services()["A"]}).json() for _ in range(2)]
    called = canbo1.post(f"/counters/{counter}/call-next")
    assert called.status_code == 200
    assert called.json()["id"] == tickets[0]["id"]
    return {"counter": counter, "ticket": tickets[0]["id"], "next": tickets[1]["id"], "officer": canbo1}


def test_officer_cannot_cancel_a_ticket(api: checks.Api) -> None:
    ticket = api.device("kiosk-1").post("/tickets", json={"service_id": api.services()["A"]}).json()
    assert api.user("canbo1").post(f"/tickets/{ticket['id']}/cancel").status_code == 403


OTHER_OFFICER_ACTIONS = [
    "/counters/{counter}/call-next",
    "/counters/{counter}/pause",
    "/counters/{counter}/close",
    "/tickets/{ticket}/recall",
    "/tickets/{ticket}/start",
    "/tickets/{ticket}/finish",
    "/tickets/{ticket}/no-show",
    "/tickets/{ticket}/reactivate",
    "/tickets/{ticket}/transfer",
]


@pytest.mark.parametrize("action", OTHER_OFFICER_ACTIONS)
def test_officer_cannot_act_at_another_officers_counter(
    api: checks.Api, busy_counter: dict[str, Any], action: str
) -> None:
    url = action.format(**busy_counter)
    body = {"service_id": api.services()["B"]} if action.endswith("transfer") else None
    reply = api.user("canbo2").post(url, json=body)
    assert reply.status_code == 403, reply.text
    assert checks.is_vietnamese(reply.json()["detail"])
    ticket = api.device("display-1").get(f"/tickets/{busy_counter['ticket']}").json()
    assert (ticket["status"], ticket["call_count"]) == ("called", 1)
    counter = api.client().get(f"/counters/{busy_counter['counter']}").json()
    assert counter["status"] == "open"


@pytest.mark.parametrize("paused", [False, True])
def test_officer_cannot_open_a_counter_another_holds(
    api: checks.Api, busy_counter: dict[str, Any], paused: bool
) -> None:
    officer: httpx.Client = busy_counter["officer"]
    counter = busy_counter["counter"]
    if paused:
        officer.post(f"/tickets/{busy_counter['ticket']}/start").raise_for_status()
        officer.post(f"/tickets/{busy_counter['ticket']}/finish").raise_for_status()
        officer.post(f"/counters/{counter}/pause").raise_for_status()
    reply = api.user("canbo2").post(f"/counters/{counter}/open")
    assert reply.status_code == 409
    assert checks.is_vietnamese(reply.json()["detail"])
    assert api.client().get(f"/counters/{counter}").json()["officer_name"] == "Cán bộ canbo1"


def test_officer_cannot_open_two_counters(api: checks.Api) -> None:
    counters = api.counters()
    canbo1 = api.user("canbo1")
    assert canbo1.post(f"/counters/{counters[1]}/open").status_code == 200
    reply = canbo1.post(f"/counters/{counters[2]}/open")
    assert reply.status_code == 409
    assert checks.is_vietnamese(reply.json()["detail"])
    assert api.client().get(f"/counters/{counters[2]}").json()["status"] == "closed"
    # Opening the counter one already holds again is harmless.
    assert canbo1.post(f"/counters/{counters[1]}/open").status_code == 200


@pytest.mark.parametrize("manager", ["giamsat", "admin"])
def test_manager_acts_at_any_counter(api: checks.Api, busy_counter: dict[str, Any], manager: str) -> None:
    client = api.user(manager)
    ticket, counter = busy_counter["ticket"], busy_counter["counter"]
    for action in ("recall", "start", "finish"):
        reply = client.post(f"/tickets/{ticket}/{action}")
        assert reply.status_code == 200, (action, reply.text)
    called = client.post(f"/counters/{counter}/call-next")
    assert called.status_code == 200
    assert called.json()["id"] == busy_counter["next"]
    for action in ("recall", "recall", "no-show", "reactivate"):
        reply = client.post(f"/tickets/{busy_counter['next']}/{action}")
        assert reply.status_code == 200, (action, reply.text)
    for action in ("pause", "close"):
        reply = client.post(f"/counters/{counter}/{action}")
        assert reply.status_code == 200, (action, reply.text)
    assert reply.json()["status"] == "closed"


@pytest.mark.parametrize("manager", ["giamsat", "admin"])
def test_manager_transfers_a_waiting_ticket(api: checks.Api, manager: str) -> None:
    services = api.services()
    ticket = api.device("kiosk-1").post("/tickets", json={"service_id": services["A"]}).json()
    reply = api.user(manager).post(f"/tickets/{ticket['id']}/transfer", json={"service_id": services["B"]})
    assert reply.status_code == 200
    assert (reply.json()["status"], reply.json()["service_id"]) == ("transferred", services["B"])


@pytest.mark.parametrize("counter_open", [False, True])
def test_officer_cannot_transfer_a_waiting_ticket(api: checks.Api, counter_open: bool) -> None:
    services = api.services()
    canbo1 = api.user("canbo1")
    if counter_open:  # even at a counter serving that ticket's service
        canbo1.post(f"/counters/{api.counters()[1]}/open").raise_for_status()
    ticket = api.device("kiosk-1").post("/tickets", json={"service_id": services["A"]}).json()
    reply = canbo1.post(f"/tickets/{ticket['id']}/transfer", json={"service_id": services["B"]})
    assert reply.status_code == 403
    assert api.device("display-1").get(f"/tickets/{ticket['id']}").json()["service_id"] == services["A"]


def test_officer_transfers_the_ticket_at_their_counter(api: checks.Api, busy_counter: dict[str, Any]) -> None:
    target = api.services()["B"]
    reply = busy_counter["officer"].post(
        f"/tickets/{busy_counter['ticket']}/transfer", json={"service_id": target}
    )
    assert reply.status_code == 200
    assert (reply.json()["status"], reply.json()["service_id"]) == ("transferred", target)


# ---------------------------------------------------------------- signing in


def test_login_returns_a_bearer_token(api: checks.Api, server: live.LiveServer) -> None:
    server.clock.set(dt.datetime(2026, 11, 27, 7, 30, tzinfo=calendar.VN_TZ))
    reply = api.client().post("/auth/login", json={"username": "canbo1", "password": live.PASSWORD})
    assert reply.status_code == 200
    body = reply.json()
    assert body["token_type"] == "bearer"
    assert body["access_token"]
    assert body["expires_at"] == (server.clock() + server.settings.token_ttl).isoformat()
    assert body["expires_at"].endswith("+07:00")
    assert (body["user"]["username"], body["user"]["role"]) == ("canbo1", "officer")
    assert api.client(body["access_token"]).get("/board").status_code == 200


@pytest.mark.parametrize(
    ("username", "password"),
    [("canbo1", "sai-mat-khau"), ("khong-co-ai", live.PASSWORD), ("CANBO1", live.PASSWORD)],
    ids=["wrong-password", "unknown-user", "username-case"],
)
def test_login_refusal_does_not_say_which_part_was_wrong(
    api: checks.Api, username: str, password: str
) -> None:
    reply = api.client().post("/auth/login", json={"username": username, "password": password})
    assert reply.status_code == 401
    assert reply.json() == {"detail": "Sai tên đăng nhập hoặc mật khẩu."}
    assert reply.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"username": "canbo1"}, "password"), ({"username": "", "password": "x"}, "username")],
)
def test_login_checks_its_fields(api: checks.Api, body: dict[str, str], field: str) -> None:
    reply = api.client().post("/auth/login", json=body)
    assert reply.status_code == 422
    assert [e["loc"] for e in reply.json()["detail"]] == [["body", field]]


def test_each_login_is_a_separate_token(api: checks.Api, server: live.LiveServer) -> None:
    first, second = server.token("canbo1"), server.token("canbo1")
    assert first != second
    for token in (first, second):
        assert api.client(token).get("/board").status_code == 200


# ---------------------------------------------------------------- what needs no credentials


@pytest.fixture
def public_paths(api: checks.Api) -> list[str]:
    procedure = api.client().get("/procedures", params={"q": "ly lich tu phap", "limit": 1}).json()[0]
    dossier = api.user("canbo1").post(
        "/dossiers",
        json=checks.DOSSIER | {"procedure_id": procedure["id"]},
        headers={"Idempotency-Key": "cong-khai-01"},
    )
    assert dossier.status_code == 201, dossier.text
    return [
        "/healthz",
        "/centres",
        "/priority-groups",
        "/agencies",
        "/services",
        "/counters",
        f"/counters/{api.counters()[1]}",
        "/procedures?q=ly%20lich%20tu%20phap",
        f"/procedures/{procedure['id']}",
        f"/dossiers/{dossier.json()['code']}",
    ]


def test_public_reads_need_no_credentials(api: checks.Api, public_paths: list[str]) -> None:
    anonymous = api.client()
    answers = {path: anonymous.get(path).status_code for path in public_paths}
    assert answers == dict.fromkeys(public_paths, 200)
    assert api.root().get("/healthz").json() == {"status": "ok"}


def test_public_dossier_masks_personal_data(api: checks.Api, public_paths: list[str]) -> None:
    path = public_paths[-1]
    staff = api.user("canbo2").get(path).json()
    assert staff["applicant"]["id_number"] == "001090012345"
    # By the code alone: no personal data at all; with the receipt's token: masked.
    assert api.client().get(path).json()["applicant"] is None
    public = api.client().get(path, params={"token": staff["public_token"]}).json()
    assert public["applicant"]["id_number"] != "001090012345"
    assert public["documents"] is None


WATCHED = ["/board", "/events"]


def status_of(client: httpx.Client, path: str) -> int:
    """The status of a GET, without waiting for an event stream to end."""
    with client.stream("GET", path) as reply:
        return reply.status_code


@pytest.mark.parametrize("who", NOBODY)
def test_board_and_events_refuse_missing_or_wrong_credentials(
    api: checks.Api, server: live.LiveServer, who: str
) -> None:
    client = NOBODY[who](api, server)
    assert {path: status_of(client, path) for path in WATCHED} == dict.fromkeys(WATCHED, 401)


@pytest.mark.parametrize("who", ["display-1", "kiosk-1", "canbo1", "giamsat"])
def test_board_and_events_for_devices_and_staff(api: checks.Api, who: str) -> None:
    client = api.user(who) if who.startswith(("canbo", "giamsat")) else api.device(who)
    assert {path: status_of(client, path) for path in WATCHED} == dict.fromkeys(WATCHED, 200)


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 401), ("display-1", 403), ("canbo1", 403), ("giamsat", 200)]
)
def test_device_list_is_for_managers(api: checks.Api, who: str, status: int) -> None:
    if who == "anonymous":
        client = api.client()
    else:
        client = api.device(who) if who.startswith("display") else api.user(who)
    assert client.get("/devices").status_code == status


def test_repeated_wrong_passwords_make_that_address_wait_for_that_account(
    api: checks.Api, server: live.LiveServer
) -> None:
    """Five failures are free; then this address waits before trying this account again (the
    wait grows with each failure: tests/server/test_login_throttle.py)."""
    server.clock.set(dt.datetime(2026, 11, 25, 9, 0, tzinfo=calendar.VN_TZ))
    client = api.client()
    for _ in range(5):
        assert (
            client.post("/auth/login", json={"username": "canbo1", "password": "doan-mo"}).status_code == 401
        )
    # Now even the right password waits: a guesser cannot tell it was right.
    locked = client.post("/auth/login", json={"username": "canbo1", "password": live.PASSWORD})
    assert locked.status_code == 429
    assert locked.json()["detail"] == "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 30 giây."
    assert int(locked.headers["Retry-After"]) == 30
    # Another account is not affected.
    assert (
        client.post("/auth/login", json={"username": "canbo2", "password": live.PASSWORD}).status_code == 200
    )
    # Attempts while waiting do not extend the wait; 30 seconds after the fifth failure it ends.
    server.clock.advance(seconds=29)
    assert client.post("/auth/login", json={"username": "canbo1", "password": "doan-mo"}).status_code == 429
    server.clock.advance(seconds=1)
    assert (
        client.post("/auth/login", json={"username": "canbo1", "password": live.PASSWORD}).status_code == 200
    )


def test_a_successful_sign_in_starts_the_count_again(api: checks.Api, server: live.LiveServer) -> None:
    server.clock.set(dt.datetime(2026, 11, 25, 9, 0, tzinfo=calendar.VN_TZ))
    client = api.client()
    for _ in range(4):
        assert (
            client.post("/auth/login", json={"username": "canbo1", "password": "doan-mo"}).status_code == 401
        )
    server.clock.advance(seconds=1)
    assert (
        client.post("/auth/login", json={"username": "canbo1", "password": live.PASSWORD}).status_code == 200
    )
    server.clock.advance(seconds=1)
    for _ in range(5):
        assert (
            client.post("/auth/login", json={"username": "canbo1", "password": "doan-mo"}).status_code == 401
        )
    server.clock.advance(seconds=30)
    assert (
        client.post("/auth/login", json={"username": "canbo1", "password": live.PASSWORD}).status_code == 200
    )
