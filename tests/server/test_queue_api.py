"""The queue through real HTTP: numbering, the whole ticket life cycle, counters, races."""

from __future__ import annotations

import collections
import concurrent.futures
import datetime as dt
from typing import Any

import httpx

from onestop import calendar
from tests import live

# In the demo catalogue counter 1 serves service 1 (A); counter 8 serves F, E, A.
A, B = 1, 2


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=calendar.VN_TZ)


def ok(reply: httpx.Response, status: int = 200) -> Any:
    assert reply.status_code == status, reply.text
    return reply.json() if reply.content else None


def issue(kiosk: httpx.Client, service_id: int = A, group: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"service_id": service_id}
    if group:
        body["priority_group"] = group
    result: dict[str, Any] = ok(kiosk.post("/tickets", json=body), 201)
    return result


def test_whole_life_cycle(server: live.LiveServer) -> None:
    server.clock.set(at("2026-11-26T08:00"))
    kiosk, officer = server.device("kiosk-1"), server.user("canbo1")
    first = issue(kiosk)
    assert first["number"] == "A001"
    assert first["status"] == "waiting"
    assert first["issued_at"] == "2026-11-26T08:00:00+07:00"
    assert first["waiting_before"] == 0
    second = issue(kiosk)
    assert second["number"] == "A002"
    assert second["waiting_before"] == 1
    assert second["estimated_wait_minutes"] == 8  # the service's default, one counter at most

    counter = ok(officer.post("/counters/1/open"))
    assert counter["status"] == "open"
    assert counter["officer_name"] == "Cán bộ canbo1"
    server.clock.advance(minutes=2)
    called = ok(officer.post("/counters/1/call-next"))
    assert (called["number"], called["status"], called["counter_number"]) == ("A001", "called", 1)
    assert called["called_at"] == "2026-11-26T08:02:00+07:00"
    assert ok(officer.post(f"/tickets/{first['id']}/recall"))["call_count"] == 2
    ok(officer.post(f"/tickets/{first['id']}/start"))
    server.clock.advance(minutes=6)
    done = ok(officer.post(f"/tickets/{first['id']}/finish"))
    assert done["status"] == "done"
    assert done["finished_at"] == "2026-11-26T08:08:00+07:00"
    assert ok(server.device("display-1").get(f"/tickets/{second['id']}"))["waiting_before"] == 0
    # The service's estimate now uses the measured service time (6 min) instead of the default.
    service_a = next(s for s in ok(server.client().get("/services")) if s["id"] == A)
    assert (service_a["waiting"], service_a["estimated_wait_minutes"]) == (1, 6)

    # The second citizen does not come: three calls, then no-show, then back the same day.
    assert ok(officer.post("/counters/1/call-next"))["number"] == "A002"
    for _ in range(2):
        ok(officer.post(f"/tickets/{second['id']}/recall"))
    assert ok(officer.post(f"/tickets/{second['id']}/no-show"))["status"] == "no_show"
    assert officer.post("/counters/1/call-next").status_code == 204
    assert ok(officer.post(f"/tickets/{second['id']}/reactivate"))["status"] == "waiting"
    again = ok(officer.post("/counters/1/call-next"))
    assert (again["number"], again["call_count"]) == ("A002", 1)

    moved = ok(officer.post(f"/tickets/{second['id']}/transfer", json={"service_id": B}))
    assert (moved["status"], moved["service_id"], moved["number"]) == ("transferred", B, "A002")
    assert moved["issued_at"] == second["issued_at"]
    assert ok(officer.post("/counters/1/pause"))["status"] == "paused"
    assert officer.post("/counters/1/call-next").status_code == 409
    assert ok(officer.post("/counters/1/open"))["status"] == "open"
    assert ok(officer.post("/counters/1/close"))["status"] == "closed"

    # The transferred ticket is called at a counter of service B with its own number.
    other = server.user("canbo2")
    b_counter = next(c for c in ok(other.get("/counters")) if c["service_ids"][0] == B)
    ok(other.post(f"/counters/{b_counter['id']}/open"))
    assert ok(other.post(f"/counters/{b_counter['id']}/call-next"))["number"] == "A002"


def test_numbers_per_service_and_day_roll_over(server: live.LiveServer) -> None:
    kiosk = server.device("kiosk-1")
    server.clock.set(at("2026-11-26T16:59"))
    assert [issue(kiosk, A)["number"], issue(kiosk, B)["number"], issue(kiosk, A)["number"]] == [
        "A001",
        "B001",
        "A002",
    ]
    server.clock.set(at("2026-11-27T07:00"))
    assert issue(kiosk, A)["number"] == "A001"
    officer = server.user("canbo1")
    ok(officer.post("/counters/1/open"))
    # Yesterday's waiting tickets are never called today.
    assert ok(officer.post("/counters/1/call-next"))["number"] == "A001"
    assert officer.post("/counters/1/call-next").status_code == 409  # still serving A001


def test_thousand_tickets_from_eight_clients_are_distinct_and_consecutive(server: live.LiveServer) -> None:
    kiosks = [server.device("kiosk-1") for _ in range(8)]

    def issue_many(index: int) -> list[tuple[int, int]]:
        client = kiosks[index]
        out = []
        for i in range(125):
            service_id = (i + index) % 6 + 1
            out.append((service_id, int(issue(client, service_id)["number"][1:])))
        return out

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = [pair for chunk in pool.map(issue_many, range(8)) for pair in chunk]
    assert len(results) == 1000
    by_service: dict[int, list[int]] = collections.defaultdict(list)
    for service_id, seq in results:
        by_service[service_id].append(seq)
    for numbers in by_service.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))


def test_two_counters_calling_at_once_never_get_the_same_ticket(server: live.LiveServer) -> None:
    kiosk = server.device("kiosk-1")
    for _ in range(40):
        issue(kiosk, A)
    # Counters 1 and 8 both serve A (8 after F and E, which are empty).
    officers = {1: server.user("canbo1"), 8: server.user("canbo2")}
    for number, client in officers.items():
        ok(client.post(f"/counters/{number}/open"))

    def work(counter_id: int) -> list[str]:
        client, got = officers[counter_id], []
        while True:
            reply = client.post(f"/counters/{counter_id}/call-next")
            if reply.status_code == 204:
                return got
            ticket = ok(reply)
            got.append(ticket["number"])
            ok(client.post(f"/tickets/{ticket['id']}/start"))
            ok(client.post(f"/tickets/{ticket['id']}/finish"))

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        first, second = pool.map(work, [1, 8])
    assert first
    assert second
    assert not set(first) & set(second)
    assert sorted(first + second) == [f"A{n:03d}" for n in range(1, 41)]


def test_priority_policy_one_in_three(server: live.LiveServer) -> None:
    server.clock.set(at("2026-11-26T08:00"))
    kiosk, officer = server.device("kiosk-1"), server.user("canbo1")
    for _ in range(5):
        issue(kiosk, A)
    elder = issue(kiosk, A, group="elderly")
    assert elder["priority_group"] == "elderly"
    assert elder["waiting_before"] == 3  # service A is "one priority per 3 normal"
    ok(officer.post("/counters/1/open"))
    order = []
    for _ in range(6):
        ticket = ok(officer.post("/counters/1/call-next"))
        order.append(ticket["number"])
        ok(officer.post(f"/tickets/{ticket['id']}/start"))
        ok(officer.post(f"/tickets/{ticket['id']}/finish"))
    assert order == ["A001", "A002", "A003", "A006", "A004", "A005"]


def test_strict_priority_service_calls_priority_first(server: live.LiveServer) -> None:
    kiosk, officer = server.device("kiosk-1"), server.user("canbo1")
    strict = next(s for s in ok(kiosk.get("/services")) if s["priority_policy"] == "strict")
    counter = next(c for c in ok(officer.get("/counters")) if c["service_ids"][0] == strict["id"])
    issue(kiosk, strict["id"])
    pregnant = issue(kiosk, strict["id"], group="pregnant")
    assert pregnant["waiting_before"] == 0
    ok(officer.post(f"/counters/{counter['id']}/open"))
    assert ok(officer.post(f"/counters/{counter['id']}/call-next"))["id"] == pregnant["id"]


def test_kiosk_cancels_the_ticket_it_could_not_print(server: live.LiveServer) -> None:
    kiosk, other_kiosk = server.device("kiosk-1"), server.device("kiosk-2")
    ticket = issue(kiosk)
    assert other_kiosk.post(f"/tickets/{ticket['id']}/cancel").status_code == 403
    cancelled = ok(kiosk.post(f"/tickets/{ticket['id']}/cancel", json={"reason": "Máy in hết giấy"}))
    assert cancelled["status"] == "cancelled"
    officer = server.user("canbo1")
    ok(officer.post("/counters/1/open"))
    assert officer.post("/counters/1/call-next").status_code == 204  # never called


def test_services_show_waiting_counts_and_open_counters(server: live.LiveServer) -> None:
    kiosk = server.device("kiosk-1")
    for _ in range(3):
        issue(kiosk, A)
    ok(server.user("canbo1").post("/counters/1/open"))
    service_a = next(s for s in ok(server.client().get("/services")) if s["id"] == A)
    assert (service_a["waiting"], service_a["open_counters"]) == (3, 1)
    assert service_a["estimated_wait_minutes"] == 24


def test_board_shows_counters_and_recent_calls(server: live.LiveServer) -> None:
    kiosk, officer = server.device("kiosk-1"), server.user("canbo1")
    issue(kiosk)
    ok(officer.post("/counters/1/open"))
    ticket = ok(officer.post("/counters/1/call-next"))
    ok(officer.post(f"/tickets/{ticket['id']}/recall"))
    board = ok(server.device("display-1").get("/board"))
    assert board["centre"]["name"] == "Trung tâm Phục vụ hành chính công tỉnh Phú Thọ"
    counter_1 = next(c for c in board["counters"] if c["number"] == 1)
    assert counter_1["current_ticket"]["number"] == "A001"
    assert [(c["number"], c["counter_number"], c["recall"]) for c in board["recent_calls"]] == [
        ("A001", 1, True),
        ("A001", 1, False),
    ]
    assert board["last_event_id"] >= 4


def test_counter_queue_shows_the_desk(server: live.LiveServer) -> None:
    """What the counter app shows: its services' lines in call order, the ticket at the
    counter with its call count, and today's no-shows to take back."""
    server.clock.set(at("2026-11-26T08:00"))
    kiosk, officer = server.device("kiosk-1"), server.user("canbo1")
    numbers = [issue(kiosk, A)["number"] for _ in range(7)]
    elder = issue(kiosk, A, group="elderly")
    ok(officer.post("/counters/8/open"))
    desk = ok(officer.get("/counters/8/queue"))
    assert desk["counter"]["number"] == 8
    assert desk["current"] is None
    assert desk["no_show_after_calls"] == 3
    lines = {s["letter"]: s for s in desk["services"]}
    assert [s["letter"] for s in desk["services"]] == ["F", "E", "A"]  # the counter's serving order
    assert lines["A"]["waiting"] == 8
    assert [t["number"] for t in lines["A"]["next"]] == numbers[:5]  # one-in-N: arrival order
    assert lines["F"]["waiting"] == 0 and lines["F"]["next"] == []

    called = ok(officer.post("/counters/8/call-next"))
    ok(officer.post(f"/tickets/{called['id']}/recall"))
    desk = ok(officer.get("/counters/8/queue"))
    assert (desk["current"]["number"], desk["current"]["call_count"]) == (numbers[0], 2)
    assert desk["counter"]["current_ticket"]["id"] == called["id"]
    assert [t["number"] for t in desk["services"][2]["next"]][:1] == [numbers[1]]
    assert desk["last_event_id"] > 0

    ok(officer.post(f"/tickets/{called['id']}/recall"))
    ok(officer.post(f"/tickets/{called['id']}/no-show"))
    desk = ok(officer.get("/counters/8/queue"))
    assert desk["current"] is None
    assert [t["number"] for t in desk["no_shows"]] == [numbers[0]]
    assert elder["number"] not in [t["number"] for t in desk["no_shows"]]

    # Strict priority puts the priority number first in the shown line.
    e_first = issue(kiosk, 5)
    e_elder = issue(kiosk, 5, group="elderly")
    lines = {s["letter"]: s for s in ok(officer.get("/counters/8/queue"))["services"]}
    assert [t["number"] for t in lines["E"]["next"]] == [e_elder["number"], e_first["number"]]
    assert lines["E"]["next"][0]["priority_group"] == "elderly"


def test_counter_queue_needs_staff_and_a_real_counter(server: live.LiveServer) -> None:
    assert server.client().get("/counters/1/queue").status_code == 401
    assert server.device("kiosk-1").get("/counters/1/queue").status_code == 403
    assert server.user("canbo1").get("/counters/999/queue").status_code == 404


def test_the_line_keeps_its_order_when_the_clock_steps_back(server: live.LiveServer) -> None:
    kiosk = server.device("kiosk-1")
    server.clock.set(at("2026-12-07T10:00"))
    first = issue(kiosk)
    server.clock.set(at("2026-12-07T09:30"))  # NTP steps the server's clock back half an hour
    second = issue(kiosk)
    assert second["waiting_before"] == 1
    elsewhere = issue(kiosk, B)
    at_b, at_a = server.user("canbo1"), server.user("canbo2")
    ok(at_b.post("/counters/2/open"))
    assert ok(at_b.post("/counters/2/call-next"))["id"] == elsewhere["id"]
    ok(at_b.post(f"/tickets/{elsewhere['id']}/transfer", json={"service_id": A}))  # to the back of A
    ok(at_a.post("/counters/1/open"))
    called = []
    for _ in range(3):
        ticket = ok(at_a.post("/counters/1/call-next"))
        called.append(ticket["number"])
        ok(at_a.post(f"/tickets/{ticket['id']}/start"))
        ok(at_a.post(f"/tickets/{ticket['id']}/finish"))
    assert called == [first["number"], second["number"], elsewhere["number"]]
