"""A kiosk's ticket request sent with an Idempotency-Key: a resend never makes a second ticket,
and a look-up by key tells, without issuing, whether a lost request made one."""

from __future__ import annotations

import concurrent.futures
import threading
import uuid

import httpx
import pytest

from tests import live
from tests.server import checks

KEY_LOC = ["header", "Idempotency-Key"]


@pytest.fixture
def api(server: live.LiveServer) -> checks.Api:
    return checks.Api(server)


@pytest.fixture
def services(api: checks.Api) -> dict[str, int]:
    return api.services()


def issue(client: httpx.Client, key: str | None, service_id: int, group: str | None = None) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post("/tickets", json={"service_id": service_id, "priority_group": group}, headers=headers)


def waiting(api: checks.Api) -> int:
    return sum(service["waiting"] for service in api.client().get("/services").json())


def test_a_resent_request_gets_the_same_ticket(api: checks.Api, services: dict[str, int]) -> None:
    kiosk, key = api.device("kiosk-1"), uuid.uuid4().hex
    first = issue(kiosk, key, services["A"])
    assert first.status_code == 201, first.text
    assert "Idempotency-Replayed" not in first.headers
    again = issue(kiosk, key, services["A"])
    # The replay answers as the first send did: 201, the very same body, marked as a replay.
    assert again.status_code == 201, again.text
    assert again.headers["Idempotency-Replayed"] == "true"
    assert again.json() == first.json()
    assert first.json()["number"] == "A001"
    assert waiting(api) == 1
    # A new key is a new ticket.
    assert issue(kiosk, uuid.uuid4().hex, services["A"]).json()["number"] == "A002"
    assert waiting(api) == 2


def test_without_a_key_each_send_is_a_ticket(api: checks.Api, services: dict[str, int]) -> None:
    kiosk = api.device("kiosk-1")
    numbers = [issue(kiosk, None, services["A"]).json()["number"] for _ in range(2)]
    assert numbers == ["A001", "A002"]


@pytest.mark.parametrize(
    ("service", "group"), [("B", None), ("A", "elderly")], ids=["another service", "priority"]
)
def test_the_key_with_another_request_is_refused_on_the_header(
    api: checks.Api, services: dict[str, int], service: str, group: str | None
) -> None:
    kiosk, key = api.device("kiosk-1"), uuid.uuid4().hex
    assert issue(kiosk, key, services["A"]).status_code == 201
    reply = issue(kiosk, key, services[service], group)
    assert reply.status_code == 422, reply.text
    error = reply.json()["detail"][0]
    assert error["loc"] == KEY_LOC and checks.is_vietnamese(error["msg"])
    assert waiting(api) == 1


def test_the_key_of_another_device_is_refused(api: checks.Api, services: dict[str, int]) -> None:
    key = uuid.uuid4().hex
    assert issue(api.device("kiosk-1"), key, services["A"]).status_code == 201
    reply = issue(api.device("kiosk-2"), key, services["A"])
    assert reply.status_code == 422, reply.text
    assert reply.json()["detail"][0]["loc"] == KEY_LOC
    assert waiting(api) == 1


@pytest.mark.parametrize("key", ["short", "x" * 129])
def test_a_malformed_key_is_a_422_on_the_header(api: checks.Api, services: dict[str, int], key: str) -> None:
    reply = issue(api.device("kiosk-1"), key, services["A"])
    assert reply.status_code == 422, reply.text
    assert reply.json()["detail"][0]["loc"] == KEY_LOC
    assert waiting(api) == 0


def test_a_refused_request_stores_nothing(api: checks.Api) -> None:
    kiosk, key = api.device("kiosk-1"), uuid.uuid4().hex
    assert issue(kiosk, key, 999_999).status_code == 404
    assert kiosk.get(f"/tickets/by-key/{key}").status_code == 404


def test_concurrent_sends_with_one_key_make_one_ticket(
    server: live.LiveServer, api: checks.Api, services: dict[str, int]
) -> None:
    clients = [api.device("kiosk-1") for _ in range(8)]
    start = threading.Barrier(len(clients))
    key = uuid.uuid4().hex

    def send(client: httpx.Client) -> httpx.Response:
        start.wait(timeout=10)
        return issue(client, key, services["A"])

    with concurrent.futures.ThreadPoolExecutor(len(clients)) as pool:
        replies = list(pool.map(send, clients))

    assert [r.status_code for r in replies] == [201] * len(clients), [r.text for r in replies]
    assert len({r.json()["id"] for r in replies}) == 1
    assert sum("Idempotency-Replayed" not in r.headers for r in replies) == 1
    assert waiting(api) == 1
    # The number the losers' rolled-back tries took is not skipped: the next ticket is A002.
    assert issue(clients[0], uuid.uuid4().hex, services["A"]).json()["number"] == "A002"


# ---------------------------------------------------------------- the look-up by key


def test_the_look_up_finds_the_ticket_as_it_is_now(api: checks.Api, services: dict[str, int]) -> None:
    kiosk, key = api.device("kiosk-1"), uuid.uuid4().hex
    ticket = issue(kiosk, key, services["A"]).json()
    found = kiosk.get(f"/tickets/by-key/{key}")
    assert found.status_code == 200, found.text
    assert (found.json()["id"], found.json()["number"], found.json()["status"]) == (
        ticket["id"],
        "A001",
        "waiting",
    )
    reply = kiosk.post(f"/tickets/{ticket['id']}/cancel", json={"reason": "Ki-ốt mất kết nối"})
    assert reply.status_code == 200, reply.text
    assert kiosk.get(f"/tickets/by-key/{key}").json()["status"] == "cancelled"
    assert waiting(api) == 0  # looking never issues


def test_the_look_up_of_an_unused_key_is_404_and_issues_nothing(api: checks.Api) -> None:
    kiosk = api.device("kiosk-1")
    reply = kiosk.get(f"/tickets/by-key/{uuid.uuid4().hex}")
    assert reply.status_code == 404, reply.text
    assert checks.is_vietnamese(checks.detail(reply))
    assert waiting(api) == 0


def test_the_look_up_shows_no_other_issuers_ticket(api: checks.Api, services: dict[str, int]) -> None:
    key, officer_key = uuid.uuid4().hex, uuid.uuid4().hex
    assert issue(api.device("kiosk-1"), key, services["A"]).status_code == 201
    canbo1 = api.user("canbo1")
    assert issue(canbo1, officer_key, services["A"]).status_code == 201
    assert api.device("kiosk-2").get(f"/tickets/by-key/{key}").status_code == 404
    assert canbo1.get(f"/tickets/by-key/{key}").status_code == 404
    assert api.device("kiosk-1").get(f"/tickets/by-key/{officer_key}").status_code == 404
    assert api.user("canbo2").get(f"/tickets/by-key/{officer_key}").status_code == 404
    assert canbo1.get(f"/tickets/by-key/{officer_key}").json()["number"] == "A002"


def test_the_key_of_a_dossier_action_is_no_ticket(api: checks.Api, services: dict[str, int]) -> None:
    officer, key = api.user("canbo1"), uuid.uuid4().hex
    reply = officer.post("/dossiers", json=checks.DOSSIER, headers={"Idempotency-Key": key})
    assert reply.status_code == 201, reply.text
    code = reply.json()["code"]
    ready = officer.post(f"/dossiers/{code}/ready", headers={"Idempotency-Key": key})
    assert ready.status_code == 200, ready.text
    assert officer.get(f"/tickets/by-key/{key}").status_code == 404


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("display-1", 403)], ids=["anonymous", "display"])
def test_only_issuers_may_look_up(api: checks.Api, who: str | None, status: int) -> None:
    client = api.device(who) if who else api.client()
    assert client.get(f"/tickets/by-key/{uuid.uuid4().hex}").status_code == status
