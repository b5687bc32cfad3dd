"""Error codes through real HTTP: 404 for what does not exist, 409 for what the state forbids,
422 for what the request got wrong, 204 for nobody waiting, and never a 5xx."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests import live
from tests.server import checks

MISSING = 999_999
TOO_BIG = 2**70  # beyond every integer column, on SQLite and PostgreSQL alike


@pytest.fixture
def api(server: live.LiveServer) -> checks.Api:
    return checks.Api(server)


@dataclasses.dataclass
class Desk:
    """Counter 1 (service A) opened by canbo1, a kiosk, and the supervisor."""

    api: checks.Api
    counter: int
    services: dict[str, int]
    officer: httpx.Client
    kiosk: httpx.Client
    supervisor: httpx.Client

    def issue(self, service: str = "A") -> int:
        reply = self.kiosk.post("/tickets", json={"service_id": self.services[service]})
        assert reply.status_code == 201, reply.text
        return int(reply.json()["id"])

    def call(self) -> int:
        reply = self.officer.post(f"/counters/{self.counter}/call-next")
        assert reply.status_code == 200, reply.text
        return int(reply.json()["id"])

    def act(self, ticket: int, *actions: str) -> None:
        for action in actions:
            self.officer.post(f"/tickets/{ticket}/{action}").raise_for_status()


@pytest.fixture
def desk(api: checks.Api) -> Desk:
    counter = api.counters()[1]
    officer = api.user("canbo1")
    officer.post(f"/counters/{counter}/open").raise_for_status()
    return Desk(api, counter, api.services(), officer, api.device("kiosk-1"), api.user("giamsat"))


def assert_detail(reply: httpx.Response, status: int) -> None:
    assert reply.status_code == status, reply.text
    assert checks.is_vietnamese(reply.json()["detail"]), reply.text


# ---------------------------------------------------------------- 404


NOT_FOUND = [
    ("giamsat", "GET", f"/tickets/{MISSING}", None),
    ("giamsat", "POST", f"/tickets/{MISSING}/start", None),
    ("giamsat", "POST", f"/tickets/{MISSING}/recall", None),
    ("giamsat", "POST", f"/tickets/{MISSING}/finish", None),
    ("giamsat", "POST", f"/tickets/{MISSING}/no-show", None),
    ("giamsat", "POST", f"/tickets/{MISSING}/reactivate", None),
    ("giamsat", "POST", f"/tickets/{MISSING}/cancel", None),
    ("giamsat", "POST", f"/tickets/{MISSING}/transfer", {"service_id": 1}),
    ("kiosk-1", "POST", f"/tickets/{MISSING}/cancel", None),
    ("anonymous", "GET", f"/counters/{MISSING}", None),
    ("canbo1", "POST", f"/counters/{MISSING}/open", None),
    ("giamsat", "POST", f"/counters/{MISSING}/call-next", None),
    ("giamsat", "POST", f"/counters/{MISSING}/pause", None),
    ("giamsat", "POST", f"/counters/{MISSING}/close", None),
    ("anonymous", "GET", f"/procedures/{MISSING}", None),
    ("kiosk-1", "POST", "/tickets", {"service_id": MISSING}),
    ("anonymous", "GET", f"/services?centre_id={MISSING}", None),
    ("anonymous", "GET", f"/counters?centre_id={MISSING}", None),
    ("anonymous", "GET", "/dossiers/000.18.25.H42-261127-9999", None),
    ("canbo1", "POST", "/dossiers/000.18.25.H42-261127-9999/ready", None),
]


def client_for(api: checks.Api, who: str) -> httpx.Client:
    if who == "anonymous":
        return api.client()
    return api.device(who) if who.startswith(("kiosk", "display")) else api.user(who)


@pytest.mark.parametrize(
    ("who", "method", "path", "body"), NOT_FOUND, ids=[f"{m} {p}" for _, m, p, _ in NOT_FOUND]
)
def test_unknown_ids_are_404_in_vietnamese(
    api: checks.Api, who: str, method: str, path: str, body: dict[str, Any] | None
) -> None:
    assert_detail(client_for(api, who).request(method, path, json=body), 404)


def test_transfer_to_an_unknown_service_is_404(desk: Desk) -> None:
    ticket = desk.issue()
    assert_detail(desk.supervisor.post(f"/tickets/{ticket}/transfer", json={"service_id": MISSING}), 404)


def test_dossier_for_an_unknown_procedure_is_404(api: checks.Api) -> None:
    reply = api.user("canbo1").post(
        "/dossiers",
        json=checks.DOSSIER | {"procedure_id": MISSING},
        headers={"Idempotency-Key": "khong-co-thu-tuc"},
    )
    assert_detail(reply, 404)


# ---------------------------------------------------------------- 409


def finish_waiting(desk: Desk) -> httpx.Response:
    return desk.officer.post(f"/tickets/{desk.issue()}/finish")


def start_done(desk: Desk) -> httpx.Response:
    desk.issue()
    ticket = desk.call()
    desk.act(ticket, "start", "finish")
    return desk.officer.post(f"/tickets/{ticket}/start")


def call_at_closed_counter(desk: Desk) -> httpx.Response:
    desk.issue("B")
    return desk.supervisor.post(f"/counters/{desk.api.counters()[2]}/call-next")


def call_at_paused_counter(desk: Desk) -> httpx.Response:
    desk.issue()
    desk.officer.post(f"/counters/{desk.counter}/pause").raise_for_status()
    return desk.officer.post(f"/counters/{desk.counter}/call-next")


def call_while_one_is_called(desk: Desk) -> httpx.Response:
    desk.issue()
    desk.issue()
    desk.call()
    return desk.officer.post(f"/counters/{desk.counter}/call-next")


def call_while_one_is_served(desk: Desk) -> httpx.Response:
    desk.issue()
    desk.issue()
    desk.act(desk.call(), "start")
    return desk.officer.post(f"/counters/{desk.counter}/call-next")


def pause_closed_counter(desk: Desk) -> httpx.Response:
    return desk.supervisor.post(f"/counters/{desk.api.counters()[2]}/pause")


def close_closed_counter(desk: Desk) -> httpx.Response:
    return desk.supervisor.post(f"/counters/{desk.api.counters()[2]}/close")


def close_with_active_ticket(desk: Desk) -> httpx.Response:
    desk.issue()
    desk.call()
    return desk.officer.post(f"/counters/{desk.counter}/close")


def no_show_after_one_call(desk: Desk) -> httpx.Response:
    desk.issue()
    return desk.officer.post(f"/tickets/{desk.call()}/no-show")


def no_show_after_two_calls(desk: Desk) -> httpx.Response:
    desk.issue()
    ticket = desk.call()
    desk.act(ticket, "recall")
    return desk.officer.post(f"/tickets/{ticket}/no-show")


def transfer_to_same_service(desk: Desk) -> httpx.Response:
    return desk.supervisor.post(f"/tickets/{desk.issue()}/transfer", json={"service_id": desk.services["A"]})


def reactivate_called(desk: Desk) -> httpx.Response:
    desk.issue()
    return desk.officer.post(f"/tickets/{desk.call()}/reactivate")


def reactivate_waiting(desk: Desk) -> httpx.Response:
    return desk.supervisor.post(f"/tickets/{desk.issue()}/reactivate")


def reactivate_done(desk: Desk) -> httpx.Response:
    desk.issue()
    ticket = desk.call()
    desk.act(ticket, "start", "finish")
    return desk.officer.post(f"/tickets/{ticket}/reactivate")


def cancel_done(desk: Desk) -> httpx.Response:
    desk.issue()
    ticket = desk.call()
    desk.act(ticket, "start", "finish")
    return desk.supervisor.post(f"/tickets/{ticket}/cancel")


def cancel_twice(desk: Desk) -> httpx.Response:
    ticket = desk.issue()
    desk.kiosk.post(f"/tickets/{ticket}/cancel").raise_for_status()
    return desk.kiosk.post(f"/tickets/{ticket}/cancel")


def recall_served(desk: Desk) -> httpx.Response:
    desk.issue()
    ticket = desk.call()
    desk.act(ticket, "start")
    return desk.officer.post(f"/tickets/{ticket}/recall")


def finish_twice(desk: Desk) -> httpx.Response:
    desk.issue()
    ticket = desk.call()
    desk.act(ticket, "start", "finish")
    return desk.officer.post(f"/tickets/{ticket}/finish")


ILLEGAL: list[Callable[[Desk], httpx.Response]] = [
    finish_waiting,
    start_done,
    call_at_closed_counter,
    call_at_paused_counter,
    call_while_one_is_called,
    call_while_one_is_served,
    pause_closed_counter,
    close_closed_counter,
    close_with_active_ticket,
    no_show_after_one_call,
    no_show_after_two_calls,
    transfer_to_same_service,
    reactivate_called,
    reactivate_waiting,
    reactivate_done,
    cancel_done,
    cancel_twice,
    recall_served,
    finish_twice,
]


@pytest.mark.parametrize("scenario", ILLEGAL, ids=[f.__name__ for f in ILLEGAL])
def test_illegal_transitions_are_409_with_a_reason(
    desk: Desk, scenario: Callable[[Desk], httpx.Response]
) -> None:
    assert_detail(scenario(desk), 409)


def test_no_show_after_the_configured_calls(desk: Desk) -> None:
    """The demo centre asks for three calls (a call and two recalls) before a no-show."""
    desk.issue()
    ticket = desk.call()
    desk.act(ticket, "recall", "recall")
    reply = desk.officer.post(f"/tickets/{ticket}/no-show")
    assert reply.status_code == 200
    assert (reply.json()["status"], reply.json()["call_count"]) == ("no_show", 3)


def test_call_next_with_nobody_waiting_is_204(desk: Desk) -> None:
    reply = desk.officer.post(f"/counters/{desk.counter}/call-next")
    assert reply.status_code == 204
    assert reply.content == b""


def test_call_next_with_only_other_services_waiting_is_204(desk: Desk) -> None:
    desk.issue("B")
    assert desk.officer.post(f"/counters/{desk.counter}/call-next").status_code == 204


# ---------------------------------------------------------------- 422


def kiosk_post(api: checks.Api, body: Any) -> httpx.Response:
    return api.device("kiosk-1").post("/tickets", json=body)


INVALID: list[tuple[str, Callable[[checks.Api], httpx.Response], list[Any]]] = [
    ("service-id-text", lambda api: kiosk_post(api, {"service_id": "quầy A"}), ["body", "service_id"]),
    ("service-id-fraction", lambda api: kiosk_post(api, {"service_id": 1.5}), ["body", "service_id"]),
    ("service-id-missing", lambda api: kiosk_post(api, {}), ["body", "service_id"]),
    ("extra-field", lambda api: kiosk_post(api, {"service_id": 1, "colour": "đỏ"}), ["body", "colour"]),
    (
        "unknown-priority-group",
        lambda api: kiosk_post(api, {"service_id": 1, "priority_group": "vip"}),
        ["body", "priority_group"],
    ),
    (
        "priority-group-empty",
        lambda api: kiosk_post(api, {"service_id": 1, "priority_group": ""}),
        ["body", "priority_group"],
    ),
    ("body-is-a-list", lambda api: kiosk_post(api, [{"service_id": 1}]), ["body"]),
    ("body-is-a-string", lambda api: kiosk_post(api, "A"), ["body"]),
    (
        "body-is-not-json",
        lambda api: api.device("kiosk-1").post(
            "/tickets", content=b"service_id=1", headers={"Content-Type": "application/json"}
        ),
        ["body", 0],
    ),
    (
        "body-is-truncated-json",
        lambda api: api.device("kiosk-1").post(
            "/tickets", content=b'{"service_id": 1', headers={"Content-Type": "application/json"}
        ),
        ["body", 16],
    ),
    (
        "search-with-nul",
        lambda api: api.client().get("/procedures", params={"q": "ly\x00lich"}),
        ["query", "q"],
    ),
    ("limit-zero", lambda api: api.client().get("/procedures", params={"limit": 0}), ["query", "limit"]),
    ("limit-too-big", lambda api: api.client().get("/procedures", params={"limit": 501}), ["query", "limit"]),
    ("limit-text", lambda api: api.client().get("/procedures", params={"limit": "all"}), ["query", "limit"]),
    ("ticket-id-text", lambda api: api.user("giamsat").get("/tickets/A001"), ["path", "ticket_id"]),
    ("counter-id-text", lambda api: api.user("giamsat").post("/counters/mot/open"), ["path", "counter_id"]),
    (
        "procedure-id-too-big",
        lambda api: api.client().get(f"/procedures/{TOO_BIG}"),
        ["path", "procedure_id"],
    ),
    (
        "transfer-service-text",
        lambda api: api.user("giamsat").post("/tickets/1/transfer", json={"service_id": "B"}),
        ["body", "service_id"],
    ),
    (
        "cancel-reason-too-long",
        lambda api: api.device("kiosk-1").post("/tickets/1/cancel", json={"reason": "x" * 256}),
        ["body", "reason"],
    ),
    (
        "dossier-without-key",
        lambda api: api.user("canbo1").post("/dossiers", json={}),
        ["header", "Idempotency-Key"],
    ),
]


@pytest.mark.parametrize(("name", "request_", "loc"), INVALID, ids=[name for name, _, _ in INVALID])
def test_bad_fields_are_422_naming_the_field(
    api: checks.Api, name: str, request_: Callable[[checks.Api], httpx.Response], loc: list[Any]
) -> None:
    reply = request_(api)
    assert reply.status_code == 422, reply.text
    assert loc in [error["loc"] for error in reply.json()["detail"]], reply.text


@pytest.mark.parametrize("counters", ["a,b", "1,x", "1;2"])
def test_event_filter_that_is_not_ids_is_422(api: checks.Api, counters: str) -> None:
    with api.device("display-1").stream("GET", "/events", params={"counters": counters}) as reply:
        assert reply.status_code == 422
        reply.read()
        assert reply.json()["detail"][0]["loc"][-1] == "counters"


@pytest.mark.parametrize(
    "request_",
    [
        lambda api: api.user("giamsat").get(f"/tickets/{TOO_BIG}"),
        lambda api: api.client().get(f"/counters/{TOO_BIG}"),
        lambda api: api.client().get("/services", params={"centre_id": TOO_BIG}),
        lambda api: api.client().get("/procedures", params={"agency_id": TOO_BIG}),
        lambda api: kiosk_post(api, {"service_id": TOO_BIG}),
        lambda api: api.user("giamsat").post(f"/tickets/{TOO_BIG}/start"),
        lambda api: api.user("giamsat").post(
            f"/tickets/{kiosk_post(api, {'service_id': 1}).json()['id']}/transfer",
            json={"service_id": TOO_BIG},
        ),
    ],
    ids=["ticket", "counter", "centre", "agency", "service", "ticket-action", "transfer-target"],
)
def test_ids_beyond_the_database_are_422(
    api: checks.Api, request_: Callable[[checks.Api], httpx.Response]
) -> None:
    assert request_(api).status_code == 422


@pytest.mark.parametrize(
    ("request_", "statuses"),
    [
        (lambda api: api.client().get("/dossiers/000.18.25.H42%00"), {404, 422}),
        (
            lambda api: api.client().post("/auth/login", json={"username": "canbo\x001", "password": "x"}),
            {401, 422},
        ),
        (lambda api: kiosk_post(api, {"service_id": 1, "priority_group": "elderly\x00"}), {422}),
        (
            lambda api: api.device("kiosk-1").post("/devices/status", json={"fault": "Hết\x00giấy"}),
            {200, 422},
        ),
    ],
    ids=["dossier-code", "login", "priority-group", "device-fault"],
)
def test_nul_characters_are_not_server_errors(
    api: checks.Api, request_: Callable[[checks.Api], httpx.Response], statuses: set[int]
) -> None:
    """PostgreSQL refuses NUL in text; SQLite stores it. Either way the caller is told, not 500."""
    assert request_(api).status_code in statuses


# ---------------------------------------------------------------- never a 5xx, anywhere

JUNK_BODIES: list[Any] = [None, {}, [], "x", 0, {"service_id": None}, {"x" * 300: "y"}]
JUNK_IDS = ["0", "-1", str(MISSING), str(TOO_BIG), "abc", "%00", "1e3"]


def junk_urls(endpoint: checks.Endpoint) -> list[str]:
    names = [p["name"] for p in endpoint.parameters if p["in"] == "path"]
    return [endpoint.url(dict.fromkeys(names, junk)) for junk in JUNK_IDS] if names else [endpoint.url({})]


@pytest.mark.parametrize("who", ["anonymous", "kiosk-1", "display-1", "canbo1", "admin"])
def test_no_endpoint_answers_5xx_to_junk(api: checks.Api, who: str) -> None:
    """Every endpoint in the OpenAPI document, junk ids and bodies: the hook fails any 5xx."""
    client = client_for(api, who)
    for endpoint in checks.endpoints(checks.openapi(api)):
        if endpoint.template == "/events":
            continue  # a stream: covered by the filter test above
        bodies = JUNK_BODIES if endpoint.body_schema else [None]
        for url in junk_urls(endpoint):
            if endpoint.method == "GET":
                assert client.get(url).status_code < 500
                continue
            for body in bodies:
                assert client.post(url, json=body, headers=endpoint.headers()).status_code < 500


@pytest.mark.parametrize("path", ["/tickets", "/dossiers", "/auth/login"])
def test_oversized_bodies_are_413_before_they_are_read(api: checks.Api, path: str) -> None:
    client = client_for(api, "canbo1")
    huge = b'{"service_id": 1, "x": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    reply = client.post(path, content=huge, headers={"Content-Type": "application/json"})
    assert reply.status_code == 413
    assert reply.json() == {"detail": "Nội dung gửi lên quá lớn (tối đa 1 MB)."}


def test_an_oversized_body_without_a_length_is_refused_as_it_arrives(api: checks.Api) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"service_id": 1, "x": "'
        for _ in range(40):
            yield b"a" * 64 * 1024
        yield b'"}'

    reply = client_for(api, "kiosk-1").post(
        "/tickets", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert reply.status_code == 413
    assert reply.json()["detail"] == "Nội dung gửi lên quá lớn (tối đa 1 MB)."


def test_malformed_json_is_422_and_script_looking_text_is_kept_as_text(api: checks.Api) -> None:
    kiosk = client_for(api, "kiosk-1")
    broken = kiosk.post("/tickets", content=b'{"service_id": 1', headers={"Content-Type": "application/json"})
    assert broken.status_code == 422
    supervisor = client_for(api, "giamsat")
    notice = "<script>alert('x')</script> '; DROP TABLE ticket; --"
    saved = supervisor.put("/centres/1/notice", json={"notice": notice})
    assert saved.status_code == 200 and saved.json()["notice"] == notice
    assert kiosk.post("/tickets", json={"service_id": 1}).status_code == 201  # the tables are all there
