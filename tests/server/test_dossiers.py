"""The dossier API over real HTTP: intake, codes, due times, validation, life cycle, privacy.

Calendar facts the expected due times rely on, as python-holidays 0.109 gives them (checked
with a script, then worked by hand below). Office hours 07:00-11:30 and 13:30-17:00, so one
working day is 480 minutes and half a day is 240:
- 2026: Tue 24/11 is "Ngày Văn hóa Việt Nam" (off), Wed 25/11 an ordinary working day;
  Sat 22/8 is worked in exchange for Mon 31/8 off; Quốc khánh Tue 1/9 and Wed 2/9.
- 2027: Tết off Thu 4/2 .. Wed 10/2 (29 Tết to mùng năm; Sat 6/2 and Sun 7/2 inside);
  30/4 Fri, 1/5 Sat made up on Mon 3/5.

Demo catalogue procedures used (agency Sở Tư pháp, id code 000.18.25.H42, unless noted):
1.001766 five days; 1.001234 ten days; 2.000635 half a day; 2.000815 within the day with a
15:00 cut-off; 2.001783 one day (Sở Nội vụ); 1.002804 five days (Công an tỉnh, 000.21.25.H42).
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from onestop import calendar
from tests import live

VN = calendar.VN_TZ
STP = "000.18.25.H42"
CAT = "000.21.25.H42"
FIVE_DAYS, TEN_DAYS, HALF_DAY, SAME_DAY_CUTOFF, ONE_DAY = (
    "1.001766",
    "1.001234",
    "2.000635",
    "2.000815",
    "2.001783",
)
POLICE_FIVE_DAYS = "1.002804"
WED = dt.datetime(2026, 11, 25, 9, 10, tzinfo=VN)  # an ordinary working Wednesday
WED_DUE_5 = "2026-12-02T09:10:00+07:00"  # Thu 26, Fri 27, Mon 30, Tue 1, Wed 2

Body = dict[str, Any]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


# ---------------------------------------------------------------- helpers


@pytest.fixture
def procedures(server: live.LiveServer) -> dict[str, int]:
    """Procedure id by procedure code, as the catalogue API lists them."""
    reply = server.client().get("/procedures", params={"limit": 500})
    assert reply.status_code == 200
    return {p["code"]: p["id"] for p in reply.json()}


class SignInAgain(httpx.Auth):
    """canbo1's bearer token, renewed when the server clock has jumped past its expiry.

    Tests move the server clock days ahead (to make a dossier late, to reach a postmark in
    2027); a token lasts 12 hours of that clock, and an officer would simply sign in again.
    """

    def __init__(self, server: live.LiveServer, username: str) -> None:
        self.server, self.username = server, username
        self.token = server.token(username)

    def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        response = yield request
        if response.status_code == 401:
            self.token = self.server.token(self.username)
            request.headers["Authorization"] = f"Bearer {self.token}"
            yield request


@pytest.fixture
def officer(server: live.LiveServer) -> httpx.Client:
    client = server.client()
    client.auth = SignInAgain(server, "canbo1")
    return client


@pytest.fixture
def new(server: live.LiveServer, officer: httpx.Client, procedures: dict[str, int]) -> Callable[..., Body]:
    """Receive a dossier at the counter (clock WED unless already set) and return its JSON."""

    def make(code: str = FIVE_DAYS, **overrides: Any) -> Body:
        if server.clock.fixed is None:
            server.clock.set(WED)
        reply = post(officer, body(procedures[code], **overrides))
        assert reply.status_code == 201, reply.text
        return dict(reply.json())

    return make


def applicant(**overrides: Any) -> Body:
    person = {
        "full_name": "Nguyễn Văn An",
        "id_number": "025085001789",
        "phone": "0912345678",
        "address": "Số 1 đường Hùng Vương, phường Việt Trì, tỉnh Phú Thọ",
        "email": "an.nguyen@example.vn",
    }
    return person | overrides


def body(procedure_id: int, **overrides: Any) -> Body:
    base: Body = {
        "procedure_id": procedure_id,
        "channel": "counter",
        "applicant": applicant(),
        "documents": [
            {"name": "Tờ khai theo mẫu", "kind": "original", "copies": 1},
            {"name": "Bản chụp Thẻ căn cước", "kind": "photocopy", "copies": 1},
        ],
        "sets": 1,
        "fee_collected": 75000,
        "return_method": "counter",
    }
    return base | overrides


def post(client: httpx.Client, payload: Body, key: str | None = None) -> httpx.Response:
    return client.post("/dossiers", json=payload, headers={"Idempotency-Key": key or uuid.uuid4().hex})


def seq_of(code: str) -> int:
    return int(code.rsplit("-", 1)[1])


def error_locs(reply: httpx.Response) -> list[list[Any]]:
    assert reply.status_code == 422, reply.text
    detail = reply.json()["detail"]
    assert detail and all(item["msg"] and item["type"] for item in detail)
    return [item["loc"] for item in detail]


def conflict_reason(reply: httpx.Response) -> str:
    assert reply.status_code == 409, reply.text
    reason = reply.json()["detail"]
    assert isinstance(reason, str)
    # A Vietnamese sentence the officer can read, not an English code.
    assert re.search(r"[ăâđêôơưáàảãạếềểễệóòỏõọ]", reason.lower()), reason
    return reason


# ---------------------------------------------------------------- intake at the counter


def test_counter_intake_linked_to_called_ticket(
    server: live.LiveServer, officer: httpx.Client, procedures: dict[str, int]
) -> None:
    server.clock.set(WED)
    services = {s["letter"]: s["id"] for s in server.client().get("/services").json()}
    counters = {c["number"]: c["id"] for c in server.client().get("/counters").json()}
    issued = server.device("kiosk-1").post("/tickets", json={"service_id": services["A"]})
    assert issued.status_code == 201, issued.text
    assert officer.post(f"/counters/{counters[1]}/open").status_code == 200
    called = officer.post(f"/counters/{counters[1]}/call-next")
    assert called.status_code == 200, called.text
    assert called.json()["id"] == issued.json()["id"]

    reply = post(officer, body(procedures[FIVE_DAYS], ticket_id=issued.json()["id"]))

    assert reply.status_code == 201, reply.text
    got = reply.json()
    assert re.fullmatch(rf"{re.escape(STP)}-261125-\d{{4,}}", got["code"]), got["code"]
    assert seq_of(got["code"]) == 1
    assert got["status"] == "received"
    assert got["ticket_id"] == issued.json()["id"]
    assert got["received_at"] == "2026-11-25T09:10:00+07:00"
    assert got["due_at"] == WED_DUE_5
    assert got["channel"] == "counter"
    assert got["agency_name"] == "Sở Tư pháp"
    # The officer's copy (Mẫu 01) carries everything that was written down.
    assert got["applicant"]["id_number"] == "025085001789"
    assert [d["name"] for d in got["documents"]] == ["Tờ khai theo mẫu", "Bản chụp Thẻ căn cước"]
    assert (got["sets"], got["fee_collected"], got["return_method"]) == (1, 75000, "counter")


@pytest.mark.parametrize(
    ("procedure", "received", "due"),
    [
        pytest.param(FIVE_DAYS, "2026-11-25T09:10", WED_DUE_5, id="5-days-same-clock-time"),
        # Thu 26 .. Wed 9/12: ten working days, weekends skipped twice.
        pytest.param(TEN_DAYS, "2026-11-25T09:10", "2026-12-09T09:10:00+07:00", id="10-days"),
        # 09:10 -> 11:30 is 140 min, the other 100 min run from 13:30: the lunch break is skipped.
        pytest.param(HALF_DAY, "2026-11-25T09:10", "2026-11-25T15:10:00+07:00", id="half-day"),
        # 16:00 -> 17:00 is 60 min, the other 180 the next morning from 07:00.
        pytest.param(HALF_DAY, "2026-11-25T16:00", "2026-11-26T10:00:00+07:00", id="half-day-overnight"),
        # Received after the 15:00 cut-off: counts from Thursday, due at its closing.
        pytest.param(SAME_DAY_CUTOFF, "2026-11-25T15:30", "2026-11-26T17:00:00+07:00", id="after-cutoff"),
        pytest.param(SAME_DAY_CUTOFF, "2026-11-25T14:50", "2026-11-25T17:00:00+07:00", id="before-cutoff"),
        # After closing: counts from Thursday 07:00, five full days end Wednesday 17:00.
        pytest.param(FIVE_DAYS, "2026-11-25T17:30", "2026-12-02T17:00:00+07:00", id="after-hours"),
        # During lunch: counts from 13:30; 210 min that afternoon, the other 30 on Thursday.
        pytest.param(HALF_DAY, "2026-11-25T12:00", "2026-11-26T07:30:00+07:00", id="lunch-break"),
        # Friday afternoon: the weekend is skipped.
        pytest.param(HALF_DAY, "2026-11-27T15:00", "2026-11-30T09:00:00+07:00", id="over-weekend"),
    ],
)
def test_counter_due_time_from_server_clock(
    server: live.LiveServer,
    officer: httpx.Client,
    procedures: dict[str, int],
    *,
    procedure: str,
    received: str,
    due: str,
) -> None:
    server.clock.set(at(received))
    reply = post(officer, body(procedures[procedure]))
    assert reply.status_code == 201, reply.text
    assert reply.json()["received_at"] == at(received).replace(tzinfo=VN).isoformat()
    assert reply.json()["due_at"] == due


# ---------------------------------------------------------------- post (postmark) and online


@pytest.mark.parametrize(
    ("procedure", "postmark", "due"),
    [
        # Wed 3/2/2027, then Tết Thu 4/2 .. Wed 10/2: Thu 11, Fri 12, Mon 15, Tue 16, Wed 17.
        pytest.param(FIVE_DAYS, "2027-02-03T09:00", "2027-02-17T09:00:00+07:00", id="tet-2027-5-days"),
        # 15:00 -> 17:00 Wed 3/2 is 120 min, the other 120 min on Thu 11/2 after Tết.
        pytest.param(HALF_DAY, "2027-02-03T15:00", "2027-02-11T09:00:00+07:00", id="tet-2027-half-day"),
        # Posted on Tết itself (Sat 6/2): counts from Thu 11/2 07:00.
        pytest.param(HALF_DAY, "2027-02-06T10:00", "2027-02-11T11:00:00+07:00", id="postmark-during-tet"),
        # Mon 1/2: Tue 2, Wed 3, Thu 11, Fri 12, Mon 15, Tue 16, Wed 17, Thu 18, Fri 19, Mon 22.
        pytest.param(TEN_DAYS, "2027-02-01T08:00", "2027-02-22T08:00:00+07:00", id="tet-2027-10-days"),
        # After the cut-off on the last day before Tết: counts from Thu 11/2, due at closing.
        pytest.param(
            SAME_DAY_CUTOFF, "2027-02-03T15:30", "2027-02-11T17:00:00+07:00", id="tet-2027-after-cutoff"
        ),
        # Thu 29/4/2027, then Fri 30/4, Sat 1/5, Sun 2/5, Mon 3/5 (1/5 made up) off:
        # Tue 4, Wed 5, Thu 6, Fri 7, Mon 10.
        pytest.param(FIVE_DAYS, "2027-04-29T10:00", "2027-05-10T10:00:00+07:00", id="30-4-1-5-2027"),
        pytest.param(ONE_DAY, "2027-04-29T10:00", "2027-05-04T10:00:00+07:00", id="30-4-1-5-one-day"),
        # Fri 28/8/2026 14:00 -> 17:00 is 180 min; Mon 31/8 (swap), Tue 1/9, Wed 2/9 off; the
        # other 300 min on Thu 3/9: 270 in the morning, 30 from 13:30.
        pytest.param(ONE_DAY, "2026-08-28T14:00", "2026-09-03T14:00:00+07:00", id="2-9-2026"),
        # Fri 21/8/2026 14:00: 180 min that day, then the swapped working Saturday 22/8 from 07:00.
        pytest.param(ONE_DAY, "2026-08-21T14:00", "2026-08-22T14:00:00+07:00", id="working-saturday"),
        # Posted on the working Saturday itself: it counts like any weekday.
        pytest.param(HALF_DAY, "2026-08-22T09:00", "2026-08-22T15:00:00+07:00", id="on-working-saturday"),
        # The ordinary Saturday a week later is not worked: Fri 28/8 16:00 -> Thu 3/9 10:00.
        pytest.param(HALF_DAY, "2026-08-28T16:00", "2026-09-03T10:00:00+07:00", id="ordinary-saturday"),
    ],
)
def test_post_due_time_counts_from_postmark(
    server: live.LiveServer,
    officer: httpx.Client,
    procedures: dict[str, int],
    *,
    procedure: str,
    postmark: str,
    due: str,
) -> None:
    received = at(postmark).replace(tzinfo=VN)
    # The letter arrives some days after it was posted; the postmark is what counts.
    server.clock.set(received + dt.timedelta(days=4, hours=1))
    reply = post(officer, body(procedures[procedure], channel="post", received_at=postmark + ":00+07:00"))
    assert reply.status_code == 201, reply.text
    got = reply.json()
    assert got["channel"] == "post"
    assert got["received_at"] == received.isoformat()
    assert got["due_at"] == due
    # The code carries the date received, which for a letter is the postmark date.
    assert f"-{received:%y%m%d}-" in got["code"]


def test_post_postmark_given_in_utc_is_read_in_vietnamese_time(
    server: live.LiveServer, officer: httpx.Client, procedures: dict[str, int]
) -> None:
    server.clock.set(at("2027-02-05T10:00+07:00"))
    # 20:00 UTC on 2/2 is 03:00 on Wed 3/2 in Vietnam: counts from 07:00 that day.
    reply = post(officer, body(procedures[HALF_DAY], channel="post", received_at="2027-02-02T20:00:00Z"))
    assert reply.status_code == 201, reply.text
    assert reply.json()["received_at"] == "2027-02-03T03:00:00+07:00"
    assert reply.json()["due_at"] == "2027-02-03T11:00:00+07:00"
    assert "-270203-" in reply.json()["code"]


def test_post_postmark_in_the_future_is_refused(
    server: live.LiveServer, officer: httpx.Client, procedures: dict[str, int]
) -> None:
    server.clock.set(WED)
    reply = post(
        officer, body(procedures[FIVE_DAYS], channel="post", received_at="2026-11-26T09:10:00+07:00")
    )
    assert error_locs(reply) == [["body", "received_at"]]


def test_online_without_received_at_takes_the_server_time(
    server: live.LiveServer, officer: httpx.Client, procedures: dict[str, int]
) -> None:
    server.clock.set(WED)
    reply = post(officer, body(procedures[FIVE_DAYS], channel="online"))
    assert reply.status_code == 201, reply.text
    assert reply.json()["received_at"] == WED.isoformat()
    assert reply.json()["due_at"] == WED_DUE_5


def test_online_with_submission_time(
    server: live.LiveServer, officer: httpx.Client, procedures: dict[str, int]
) -> None:
    server.clock.set(WED)
    # Submitted on the portal on Sunday evening: counts from Monday 07:00.
    reply = post(
        officer, body(procedures[HALF_DAY], channel="online", received_at="2026-11-22T21:00:00+07:00")
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["due_at"] == "2026-11-23T11:00:00+07:00"


# ---------------------------------------------------------------- codes and idempotency


def test_same_day_same_agency_gets_consecutive_sequences(
    server: live.LiveServer, officer: httpx.Client, procedures: dict[str, int]
) -> None:
    server.clock.set(WED)
    first = post(officer, body(procedures[FIVE_DAYS])).json()["code"]
    server.clock.advance(minutes=20)
    second = post(officer, body(procedures[TEN_DAYS])).json()["code"]
    police = post(officer, body(procedures[POLICE_FIVE_DAYS])).json()["code"]
    server.clock.set(WED + dt.timedelta(days=1))
    next_day = post(officer, body(procedures[FIVE_DAYS])).json()["code"]

    assert first == f"{STP}-261125-0001"
    assert second == f"{STP}-261125-0002"
    # Another agency numbers its own dossiers; a new day starts again from 1.
    assert police == f"{CAT}-261125-0001"
    assert next_day == f"{STP}-261126-0001"


def test_twenty_concurrent_intakes_get_twenty_distinct_codes(
    server: live.LiveServer, procedures: dict[str, int]
) -> None:
    server.clock.set(WED)
    token = server.token("canbo1")
    clients = [server.client(token) for _ in range(20)]
    start = threading.Barrier(len(clients))

    def submit(index: int) -> httpx.Response:
        start.wait(timeout=30)
        name = f"Nguyễn Văn Số{index}"
        return post(clients[index], body(procedures[FIVE_DAYS], applicant=applicant(full_name=name)))

    with concurrent.futures.ThreadPoolExecutor(len(clients)) as pool:
        replies = list(pool.map(submit, range(len(clients))))

    assert [r.status_code for r in replies] == [201] * 20, [r.text for r in replies if r.status_code != 201]
    codes = [r.json()["code"] for r in replies]
    assert len(set(codes)) == 20
    assert sorted(seq_of(code) for code in codes) == list(range(1, 21))


def test_concurrent_retries_with_one_key_make_one_dossier(
    server: live.LiveServer, officer: httpx.Client, procedures: dict[str, int]
) -> None:
    server.clock.set(WED)
    token = server.token("canbo1")
    clients = [server.client(token) for _ in range(10)]
    start = threading.Barrier(len(clients))
    key = uuid.uuid4().hex
    payload = body(procedures[FIVE_DAYS])

    def submit(client: httpx.Client) -> httpx.Response:
        start.wait(timeout=30)
        return post(client, payload, key)

    with concurrent.futures.ThreadPoolExecutor(len(clients)) as pool:
        replies = list(pool.map(submit, clients))

    statuses = sorted(r.status_code for r in replies)
    assert statuses == [200] * 9 + [201], [r.text for r in replies]
    assert len({r.json()["code"] for r in replies}) == 1
    # Nobody used up a number: the next dossier is the second of the day.
    following = post(officer, body(procedures[FIVE_DAYS]))
    assert seq_of(following.json()["code"]) == 2


def test_retry_with_same_key_returns_the_same_dossier(
    server: live.LiveServer, officer: httpx.Client, procedures: dict[str, int]
) -> None:
    server.clock.set(WED)
    key = uuid.uuid4().hex
    payload = body(procedures[FIVE_DAYS])
    first = post(officer, payload, key)
    server.clock.advance(minutes=3)  # the retry comes a bit later
    again = post(officer, payload, key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    # The same person written another way is the same request.
    same = payload | {"applicant": applicant(phone="+84 912 345 678")}
    assert post(officer, same, key).json()["code"] == first.json()["code"]
    assert seq_of(post(officer, payload).json()["code"]) == 2


def test_retry_with_postmark_written_in_utc_is_the_same_request(
    server: live.LiveServer, officer: httpx.Client, procedures: dict[str, int]
) -> None:
    server.clock.set(WED)
    key = uuid.uuid4().hex
    local = body(procedures[FIVE_DAYS], channel="post", received_at="2026-11-23T10:00:00+07:00")
    first = post(officer, local, key)
    assert first.status_code == 201, first.text
    again = post(officer, local | {"received_at": "2026-11-23T03:00:00Z"}, key)
    assert again.status_code == 200, again.text
    assert again.json()["code"] == first.json()["code"]


def test_same_key_with_another_body_is_a_conflict(
    server: live.LiveServer, officer: httpx.Client, procedures: dict[str, int]
) -> None:
    server.clock.set(WED)
    key = uuid.uuid4().hex
    assert post(officer, body(procedures[FIVE_DAYS]), key).status_code == 201
    conflict_reason(post(officer, body(procedures[FIVE_DAYS], fee_collected=1), key))
    conflict_reason(post(officer, body(procedures[TEN_DAYS]), key))


# ---------------------------------------------------------------- validation


def _without(key: str) -> Callable[[Body], Body]:
    return lambda b: {k: v for k, v in b.items() if k != key}


def _applicant(**fields: Any) -> Callable[[Body], Body]:
    return lambda b: b | {"applicant": applicant(**fields)}


def _set(**fields: Any) -> Callable[[Body], Body]:
    return lambda b: b | fields


BAD_REPRESENTATIVE = {"full_name": "Trần Thị Bình", "id_number": "025185000123X"}

INVALID = [
    pytest.param(_applicant(id_number="02508500178"), ["body", "applicant", "id_number"], id="id-11-digits"),
    pytest.param(
        _applicant(id_number="003085001789"), ["body", "applicant", "id_number"], id="id-province-003"
    ),
    pytest.param(_applicant(id_number="025299001789"), ["body", "applicant", "id_number"], id="id-born-2099"),
    pytest.param(_applicant(id_number="02508500178a"), ["body", "applicant", "id_number"], id="id-letters"),
    pytest.param(_applicant(id_number=""), ["body", "applicant", "id_number"], id="id-empty"),
    pytest.param(_applicant(phone="0210 3856 688"), ["body", "applicant", "phone"], id="phone-landline"),
    pytest.param(
        _applicant(phone="024 3825 1234"), ["body", "applicant", "phone"], id="phone-hanoi-landline"
    ),
    pytest.param(_applicant(phone="091234567"), ["body", "applicant", "phone"], id="phone-9-digits"),
    pytest.param(_applicant(phone="0112345678"), ["body", "applicant", "phone"], id="phone-prefix-01"),
    pytest.param(_applicant(email="an.nguyen@example"), ["body", "applicant", "email"], id="email-no-dot"),
    pytest.param(_applicant(email="an nguyen@example.vn"), ["body", "applicant", "email"], id="email-space"),
    pytest.param(_applicant(email="example.vn"), ["body", "applicant", "email"], id="email-no-at"),
    pytest.param(_applicant(full_name="   "), ["body", "applicant", "full_name"], id="blank-name"),
    pytest.param(_applicant(full_name="Nguyễn\x00An"), ["body", "applicant", "full_name"], id="nul-in-name"),
    pytest.param(_applicant(kind="household"), ["body", "applicant", "kind"], id="applicant-kind"),
    pytest.param(
        _applicant(kind="organisation", id_number="025085001789"),
        ["body", "applicant", "id_number"],
        id="organisation-with-personal-id",
    ),
    pytest.param(_set(documents=[]), ["body", "documents"], id="no-documents"),
    pytest.param(
        _set(documents=[{"name": "Tờ khai", "kind": "original", "copies": 0}]),
        ["body", "documents", 0, "copies"],
        id="copies-0",
    ),
    pytest.param(
        _set(documents=[{"name": "Tờ khai", "kind": "scan", "copies": 1}]),
        ["body", "documents", 0, "kind"],
        id="document-kind",
    ),
    pytest.param(_set(fee_collected=-1), ["body", "fee_collected"], id="negative-fee"),
    pytest.param(_set(sets=0), ["body", "sets"], id="sets-0"),
    pytest.param(_set(channel="fax"), ["body", "channel"], id="channel"),
    pytest.param(_set(return_method="email"), ["body", "return_method"], id="return-method"),
    pytest.param(_set(channel="post"), ["body", "received_at"], id="post-without-postmark"),
    pytest.param(
        _set(received_at="2026-11-25T08:00:00+07:00"), ["body", "received_at"], id="counter-with-received-at"
    ),
    pytest.param(
        _set(channel="post", received_at="0001-01-01T00:00:00+07:00"),
        ["body", "received_at"],
        id="postmark-year-1",
    ),
    pytest.param(
        _set(channel="post", received_at="hôm qua"), ["body", "received_at"], id="postmark-not-a-time"
    ),
    pytest.param(
        _set(representative=BAD_REPRESENTATIVE),
        ["body", "representative", "id_number"],
        id="representative-id",
    ),
    pytest.param(_set(ticket_id=2**63), ["body", "ticket_id"], id="ticket-id-too-big"),
    pytest.param(_set(procedure_id=2**63), ["body", "procedure_id"], id="procedure-id-too-big"),
    pytest.param(_without("applicant"), ["body", "applicant"], id="no-applicant"),
    pytest.param(_set(colour="red"), ["body", "colour"], id="unknown-field"),
]


@pytest.mark.parametrize(("change", "loc"), INVALID)
def test_invalid_intake_names_the_field(
    server: live.LiveServer,
    officer: httpx.Client,
    procedures: dict[str, int],
    change: Callable[[Body], Body],
    loc: list[Any],
) -> None:
    server.clock.set(WED)
    reply = post(officer, change(body(procedures[FIVE_DAYS])))
    assert loc in error_locs(reply)
    # Nothing was received: the next good dossier is the first of the day.
    assert seq_of(post(officer, body(procedures[FIVE_DAYS])).json()["code"]) == 1


@pytest.mark.parametrize(
    ("headers", "loc"),
    [
        pytest.param({}, ["header", "Idempotency-Key"], id="missing"),
        pytest.param({"Idempotency-Key": "short"}, ["header", "Idempotency-Key"], id="too-short"),
    ],
)
def test_idempotency_key_is_required(
    server: live.LiveServer,
    officer: httpx.Client,
    procedures: dict[str, int],
    headers: dict[str, str],
    loc: list[Any],
) -> None:
    reply = officer.post("/dossiers", json=body(procedures[FIVE_DAYS]), headers=headers)
    assert error_locs(reply) == [loc]


def test_malformed_json_is_a_422(server: live.LiveServer, officer: httpx.Client) -> None:
    reply = officer.post(
        "/dossiers",
        content=b'{"procedure_id": 1,',
        headers={"Idempotency-Key": uuid.uuid4().hex, "Content-Type": "application/json"},
    )
    assert reply.status_code == 422


@pytest.mark.parametrize(
    ("change", "status"),
    [
        pytest.param({"procedure_id": 99999}, 404, id="unknown-procedure"),
        pytest.param({"ticket_id": 99999}, 404, id="unknown-ticket"),
    ],
)
def test_unknown_references_are_404(
    server: live.LiveServer, officer: httpx.Client, procedures: dict[str, int], change: Body, status: int
) -> None:
    server.clock.set(WED)
    reply = post(officer, body(procedures[FIVE_DAYS]) | change)
    assert reply.status_code == status, reply.text
    assert isinstance(reply.json()["detail"], str)


def _ticket_at_counter_1(server: live.LiveServer, officer: httpx.Client, *, call: bool) -> int:
    services = {s["letter"]: s["id"] for s in server.client().get("/services").json()}
    counters = {c["number"]: c["id"] for c in server.client().get("/counters").json()}
    ticket = server.device("kiosk-1").post("/tickets", json={"service_id": services["A"]}).json()
    if call:
        assert officer.post(f"/counters/{counters[1]}/open").status_code == 200
        assert officer.post(f"/counters/{counters[1]}/call-next").status_code == 200
    return int(ticket["id"])


def test_ticket_not_yet_called_is_a_conflict(
    server: live.LiveServer, officer: httpx.Client, procedures: dict[str, int]
) -> None:
    server.clock.set(WED)
    ticket_id = _ticket_at_counter_1(server, officer, call=False)
    conflict_reason(post(officer, body(procedures[FIVE_DAYS], ticket_id=ticket_id)))


def test_ticket_called_at_another_officers_counter_is_forbidden(
    server: live.LiveServer, officer: httpx.Client, procedures: dict[str, int]
) -> None:
    server.clock.set(WED)
    ticket_id = _ticket_at_counter_1(server, officer, call=True)
    reply = post(server.user("canbo2"), body(procedures[FIVE_DAYS], ticket_id=ticket_id))
    assert reply.status_code == 403, reply.text


def test_organisation_with_tax_code_and_representative_accepted(
    server: live.LiveServer, officer: httpx.Client, procedures: dict[str, int]
) -> None:
    server.clock.set(WED)
    company = {
        "kind": "organisation",
        "full_name": "Công ty TNHH Chè Phú Thọ",
        "id_number": "2600123456-001",
        "phone": "0987 654 321",
        "address": "Khu công nghiệp Thụy Vân, phường Việt Trì",
    }
    representative = {
        "full_name": "Trần Thị Bình",
        "id_number": "025 185 000 123",
        "phone": "+84 387 111 222",
        "authorisation": "Giấy ủy quyền số 12/UQ",
    }
    reply = post(officer, body(procedures[FIVE_DAYS], applicant=company, representative=representative))
    assert reply.status_code == 201, reply.text
    got = reply.json()
    assert got["applicant"]["id_number"] == "2600123456-001"
    assert got["applicant"]["kind"] == "organisation"
    assert got["applicant"]["phone"] == "0987654321"
    assert got["representative"]["id_number"] == "025185000123"
    assert got["representative"]["phone"] == "0387111222"


@pytest.mark.parametrize("phone", ["+84 912 345 678", "84912345678", "0912.345.678", "+84 0912 345 678"])
def test_phone_is_stored_normalised(
    server: live.LiveServer, officer: httpx.Client, procedures: dict[str, int], phone: str
) -> None:
    server.clock.set(WED)
    created = post(officer, body(procedures[FIVE_DAYS], applicant=applicant(phone=phone)))
    assert created.status_code == 201, created.text
    stored = officer.get(f"/dossiers/{created.json()['code']}").json()
    assert stored["applicant"]["phone"] == "0912345678"


def test_email_domain_lowercased_and_name_nfc(
    server: live.LiveServer, officer: httpx.Client, procedures: dict[str, int]
) -> None:
    server.clock.set(WED)
    decomposed = "Nguye\u0302\u0303n Va\u0306n An"  # "Nguyễn Văn An" typed in NFD
    payload = body(procedures[FIVE_DAYS], applicant=applicant(full_name=decomposed, email="An@Example.VN"))
    got = post(officer, payload).json()
    assert got["applicant"]["email"] == "An@example.vn"
    assert got["applicant"]["full_name"] == "Nguyễn Văn An"


# ---------------------------------------------------------------- privacy


def test_public_lookup_masks_personal_data(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body]
) -> None:
    representative = {"full_name": "Trần Thị Bình", "id_number": "025185000123", "phone": "0387111222"}
    made = new(representative=representative)
    code, token = made["code"], made["public_token"]

    # The citizen holding the receipt (its QR carries the token), and the centre's own kiosk.
    for viewer, params in ((server.client(), {"token": token}), (server.device("kiosk-1"), {})):
        public = viewer.get(f"/dossiers/{code}", params=params)
        assert public.status_code == 200, public.text
        got = public.json()
        assert got["applicant"] == {"full_name": "N. V. An", "id_number": "025******789"}
        text = public.text
        for secret in ("0912345678", "Hùng Vương", "an.nguyen", "025085001789", "Trần Thị Bình", "75000"):
            assert secret not in text
        assert got["representative"] is None and got["documents"] is None
        assert (got["status"], got["due_at"], got["code"]) == ("received", WED_DUE_5, code)
        assert got["status_name"] == "Đã tiếp nhận, đang giải quyết"

    # Anyone else, by the code alone: the status and due time, nothing more.
    for params in ({}, {"token": "sai-ma-tra-cuu"}):
        anyone = server.client().get(f"/dossiers/{code}", params=params)
        assert anyone.status_code == 200, anyone.text
        shown = {key: value for key, value in anyone.json().items() if value is not None}
        assert shown == {
            "code": code,
            "status": "received",
            "status_name": "Đã tiếp nhận, đang giải quyết",
            "due_at": WED_DUE_5,
        }

    full = officer.get(f"/dossiers/{code}").json()
    assert full["applicant"] == applicant() | {"kind": "person"}
    assert full["representative"]["full_name"] == "Trần Thị Bình"
    assert full["fee_collected"] == 75000


def test_unknown_code_is_404(server: live.LiveServer, officer: httpx.Client) -> None:
    for client in (server.client(), officer):
        reply = client.get(f"/dossiers/{STP}-261125-9999")
        assert reply.status_code == 404
        assert "Không tìm thấy" in reply.json()["detail"]
    for action, payload in [("ready", None), ("refuse", {"reason": "Không thuộc thẩm quyền"})]:
        assert officer.post(f"/dossiers/{STP}-261125-9999/{action}", json=payload).status_code == 404


# ---------------------------------------------------------------- life cycle


SUPPLEMENT = {
    "items": [
        {
            "name": "Bản sao giấy chứng nhận kết hôn",
            "kind": "certified_copy",
            "copies": 1,
            "note": "hợp pháp hóa",
        }
    ],
    "reason": "Thiếu bản sao giấy chứng nhận kết hôn đã hợp pháp hóa lãnh sự.",
}


def test_full_life_cycle(server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body]) -> None:
    made = new()
    code = made["code"]
    public = server.client()
    receipt = {"token": made["public_token"]}  # the citizen, by the receipt's QR

    asked = officer.post(f"/dossiers/{code}/supplement-request", json=SUPPLEMENT)
    assert asked.status_code == 200, asked.text
    assert asked.json()["status"] == "supplement_requested"
    assert asked.json()["supplement_items"][0]["name"] == "Bản sao giấy chứng nhận kết hôn"
    seen = public.get(f"/dossiers/{code}", params=receipt).json()
    assert seen["status"] == "supplement_requested"
    assert seen["reason"] == SUPPLEMENT["reason"]
    assert seen["supplement_items"][0]["name"] == "Bản sao giấy chứng nhận kết hôn"

    # The citizen comes back on Friday 10:00: five working days count again from then.
    server.clock.set(at("2026-11-27T10:00+07:00"))
    back = officer.post(f"/dossiers/{code}/supplemented")
    assert back.status_code == 200, back.text
    assert back.json()["status"] == "received"
    assert back.json()["received_at"] == "2026-11-27T10:00:00+07:00"
    assert back.json()["due_at"] == "2026-12-04T10:00:00+07:00"  # Mon 30 .. Fri 4

    server.clock.set(at("2026-12-03T09:00+07:00"))
    done = officer.post(f"/dossiers/{code}/ready")
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["ready_at"]) == ("ready", "2026-12-03T09:00:00+07:00")
    assert done.json()["timeliness"] == "early"

    server.clock.set(at("2026-12-04T08:00+07:00"))
    returned = officer.post(f"/dossiers/{code}/return", json={"returned_to": "Nguyễn Văn An"})
    assert returned.status_code == 200, returned.text
    got = returned.json()
    assert (got["status"], got["returned_to"]) == ("returned", "Nguyễn Văn An")
    assert got["returned_at"] == "2026-12-04T08:00:00+07:00"
    assert got["return_method"] == "counter"

    rated = officer.post(f"/dossiers/{code}/rating", json={"level": "rat_hai_long"})
    assert rated.status_code == 200, rated.text
    assert rated.json()["rating"]["level"] == "rat_hai_long"
    assert rated.json()["rating"]["created_at"] == "2026-12-04T08:00:00+07:00"
    assert "Đã trả kết quả" in public.get(f"/dossiers/{code}", params=receipt).json()["status_name"]

    conflict_reason(officer.post(f"/dossiers/{code}/rating", json={"level": "hai_long"}))
    conflict_reason(officer.post(f"/dossiers/{code}/refuse", json={"reason": "Hồ sơ giả mạo"}))
    assert officer.get(f"/dossiers/{code}").json()["rating"]["level"] == "rat_hai_long"


def test_return_keeps_the_chosen_method_unless_told(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body]
) -> None:
    by_post = new(return_method="post")["code"]
    at_counter = new()["code"]
    for code in (by_post, at_counter):
        assert officer.post(f"/dossiers/{code}/ready").status_code == 200
    kept = officer.post(f"/dossiers/{by_post}/return", json={"returned_to": "Bưu điện tỉnh Phú Thọ"})
    assert kept.json()["return_method"] == "post"
    changed = officer.post(f"/dossiers/{at_counter}/return", json={"returned_to": "VNPost", "method": "post"})
    assert changed.json()["return_method"] == "post"


def _to_state(officer: httpx.Client, code: str, state: str) -> None:
    steps = {
        "received": [],
        "supplement_requested": [("supplement-request", SUPPLEMENT)],
        "refused": [("refuse", {"reason": "Không thuộc thẩm quyền giải quyết."})],
        "ready": [("ready", None)],
        "returned": [("ready", None), ("return", {"returned_to": "Nguyễn Văn An"})],
    }[state]
    for action, payload in steps:
        reply = officer.post(f"/dossiers/{code}/{action}", json=payload)
        assert reply.status_code == 200, reply.text


ACTIONS: dict[str, Body | None] = {
    "supplement-request": SUPPLEMENT,
    "supplemented": None,
    "refuse": {"reason": "Không thuộc thẩm quyền giải quyết."},
    "extend": {"reason": "Cần xác minh thêm.", "new_due_at": "2026-12-09T09:10:00+07:00"},
    "ready": None,
    "return": {"returned_to": "Nguyễn Văn An"},
    "rating": {"level": "hai_long"},
}

ILLEGAL = [
    ("received", "supplemented"),
    ("received", "return"),
    ("received", "rating"),
    ("supplement_requested", "supplement-request"),
    ("supplement_requested", "ready"),
    ("supplement_requested", "return"),
    ("supplement_requested", "extend"),
    ("ready", "ready"),
    ("ready", "refuse"),
    ("ready", "supplement-request"),
    ("ready", "supplemented"),
    ("ready", "extend"),
    ("ready", "rating"),
    ("returned", "return"),
    ("returned", "refuse"),
    ("returned", "ready"),
    ("returned", "extend"),
    *(("refused", action) for action in ACTIONS),
]


@pytest.mark.parametrize(("state", "action"), ILLEGAL, ids=[f"{s}->{a}" for s, a in ILLEGAL])
def test_illegal_transition_is_409(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body], state: str, action: str
) -> None:
    code = new()["code"]
    _to_state(officer, code, state)
    reason = conflict_reason(officer.post(f"/dossiers/{code}/{action}", json=ACTIONS[action]))
    assert code in reason
    assert officer.get(f"/dossiers/{code}").json()["status"] == state


def test_refused_reason_is_public_and_final(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body]
) -> None:
    made = new()
    code = made["code"]
    refused = officer.post(f"/dossiers/{code}/refuse", json={"reason": "Không thuộc thẩm quyền giải quyết."})
    assert refused.status_code == 200, refused.text
    seen = server.client().get(f"/dossiers/{code}", params={"token": made["public_token"]}).json()
    assert (seen["status"], seen["reason"]) == ("refused", "Không thuộc thẩm quyền giải quyết.")
    # Without the receipt, the reason (free text about the applicant) is not shown.
    assert server.client().get(f"/dossiers/{code}").json()["reason"] is None


@pytest.mark.parametrize(
    ("action", "payload", "loc"),
    [
        pytest.param(
            "supplement-request", {"items": [], "reason": "Thiếu giấy"}, ["body", "items"], id="no-items"
        ),
        pytest.param(
            "supplement-request",
            {"items": SUPPLEMENT["items"], "reason": "  "},
            ["body", "reason"],
            id="no-reason",
        ),
        pytest.param("refuse", {"reason": ""}, ["body", "reason"], id="refuse-empty-reason"),
        pytest.param("refuse", {"reason": "Lý do\x00"}, ["body", "reason"], id="refuse-nul"),
        pytest.param("extend", {"reason": "Cần xác minh"}, ["body", "new_due_at"], id="extend-no-date"),
        pytest.param(
            "extend",
            {"reason": "Cần xác minh", "new_due_at": "9999-12-31T23:59:59-12:00"},
            ["body", "new_due_at"],
            id="extend-year-9999",
        ),
        pytest.param("return", {}, ["body", "returned_to"], id="return-to-nobody"),
        pytest.param("rating", {"level": "tam_duoc"}, ["body", "level"], id="rating-level"),
    ],
)
def test_invalid_action_body_names_the_field(
    server: live.LiveServer,
    officer: httpx.Client,
    new: Callable[..., Body],
    *,
    action: str,
    payload: Body,
    loc: list[Any],
) -> None:
    code = new()["code"]
    assert loc in error_locs(officer.post(f"/dossiers/{code}/{action}", json=payload))


@pytest.mark.parametrize(
    ("state", "action", "payload"),
    [
        pytest.param("received", "ready", None, id="ready"),
        pytest.param("ready", "return", {"returned_to": "Nguyễn Văn An"}, id="return"),
        pytest.param("returned", "rating", {"level": "hai_long"}, id="rating"),
        pytest.param("received", "refuse", {"reason": "Không thuộc thẩm quyền."}, id="refuse"),
    ],
)
def test_concurrent_changes_apply_once(
    server: live.LiveServer,
    officer: httpx.Client,
    new: Callable[..., Body],
    *,
    state: str,
    action: str,
    payload: Body | None,
) -> None:
    code = new()["code"]
    _to_state(officer, code, state)
    token = server.token("canbo1")
    clients = [server.client(token) for _ in range(8)]
    start = threading.Barrier(len(clients))

    def act(client: httpx.Client) -> httpx.Response:
        start.wait(timeout=30)
        return client.post(f"/dossiers/{code}/{action}", json=payload)

    with concurrent.futures.ThreadPoolExecutor(len(clients)) as pool:
        replies = list(pool.map(act, clients))

    assert sorted(r.status_code for r in replies) == [200] + [409] * 7, [r.text for r in replies]
    for reply in replies:
        if reply.status_code == 409:
            conflict_reason(reply)


# ---------------------------------------------------------------- extension


def test_extend_once_with_notice(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body]
) -> None:
    made = new()  # due Wed 2/12 09:10
    code = made["code"]
    payload = {"reason": "Cần lấy ý kiến cơ quan liên quan.", "new_due_at": "2026-12-09T09:10:00+07:00"}
    server.clock.set(at("2026-11-30T10:00+07:00"))
    extended = officer.post(f"/dossiers/{code}/extend", json=payload)
    assert extended.status_code == 200, extended.text
    got = extended.json()
    assert (got["due_at"], got["original_due_at"]) == ("2026-12-09T09:10:00+07:00", WED_DUE_5)
    assert got["extension_reason"] == "Cần lấy ý kiến cơ quan liên quan."
    public = server.client().get(f"/dossiers/{code}", params={"token": made["public_token"]}).json()
    assert (public["due_at"], public["original_due_at"]) == ("2026-12-09T09:10:00+07:00", WED_DUE_5)

    again = {"reason": "Vẫn cần thêm thời gian.", "new_due_at": "2026-12-16T09:10:00+07:00"}
    conflict_reason(officer.post(f"/dossiers/{code}/extend", json=again))
    assert officer.get(f"/dossiers/{code}").json()["due_at"] == "2026-12-09T09:10:00+07:00"


@pytest.mark.parametrize(
    ("now", "new_due_at", "status"),
    [
        # Exactly one day before the due time is still in time.
        pytest.param("2026-12-01T09:10", "2026-12-09T09:10:00+07:00", 200, id="exactly-one-day"),
        pytest.param("2026-12-01T09:11", "2026-12-09T09:10:00+07:00", 409, id="less-than-a-day"),
        pytest.param("2026-12-03T08:00", "2026-12-09T09:10:00+07:00", 409, id="already-overdue"),
        pytest.param("2026-11-26T10:00", "2026-12-01T09:10:00+07:00", 422, id="earlier-date"),
        pytest.param("2026-11-26T10:00", WED_DUE_5, 422, id="same-date"),
    ],
)
def test_extension_rules(
    server: live.LiveServer,
    officer: httpx.Client,
    new: Callable[..., Body],
    *,
    now: str,
    new_due_at: str,
    status: int,
) -> None:
    code = new()["code"]  # due Wed 2/12 09:10
    server.clock.set(at(now))
    reply = officer.post(
        f"/dossiers/{code}/extend", json={"reason": "Cần xác minh.", "new_due_at": new_due_at}
    )
    assert reply.status_code == status, reply.text
    if status == 409:
        assert "01 ngày" in conflict_reason(reply)
    if status == 422:
        assert error_locs(reply) == [["body", "new_due_at"]]
    if status != 200:
        assert officer.get(f"/dossiers/{code}").json()["due_at"] == WED_DUE_5


# ---------------------------------------------------------------- rating


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        pytest.param({"level": "rat_hai_long"}, 200, id="very-satisfied"),
        pytest.param({"level": "hai_long"}, 200, id="satisfied"),
        pytest.param({"level": "khong_hai_long", "reason": "Phải chờ quá lâu."}, 200, id="dissatisfied"),
        pytest.param({"level": "khong_hai_long"}, 422, id="dissatisfied-no-reason"),
        pytest.param({"level": "khong_hai_long", "reason": "   "}, 422, id="dissatisfied-blank"),
    ],
)
def test_rating_levels(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body], payload: Body, status: int
) -> None:
    made = new()
    code = made["code"]
    _to_state(officer, code, "returned")
    reply = officer.post(f"/dossiers/{code}/rating", json=payload)
    assert reply.status_code == status, reply.text
    if status == 422:
        assert error_locs(reply) == [["body", "reason"]]
        assert officer.get(f"/dossiers/{code}").json()["rating"] is None
    else:
        assert officer.get(f"/dossiers/{code}").json()["rating"]["level"] == payload["level"]
        # The rating is the citizen's; the public look-up does not show it.
        citizen = server.client().get(f"/dossiers/{code}", params={"token": made["public_token"]})
        assert citizen.json()["applicant"] is not None
        assert citizen.json()["rating"] is None


# ---------------------------------------------------------------- timeliness


@pytest.mark.parametrize(
    ("ready_at", "timeliness"),
    [
        pytest.param("2026-11-27T10:00", "early", id="days-before"),
        pytest.param("2026-12-01T16:59", "early", id="day-before"),
        pytest.param("2026-12-02T08:00", "on_time", id="due-day-before-due-time"),
        pytest.param("2026-12-02T09:10", "on_time", id="at-due-time"),
        pytest.param("2026-12-02T09:11", "late", id="after-due-time"),
        pytest.param("2026-12-07T09:00", "late", id="days-after"),
    ],
)
def test_timeliness_of_ready_dossier(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body], ready_at: str, timeliness: str
) -> None:
    made = new()  # due Wed 2/12 09:10
    code = made["code"]
    assert officer.get(f"/dossiers/{code}").json()["timeliness"] is None
    server.clock.set(at(ready_at))
    assert officer.post(f"/dossiers/{code}/ready").json()["timeliness"] == timeliness
    # Returning it later does not change how the agency did.
    server.clock.advance(days=3)
    returned = officer.post(f"/dossiers/{code}/return", json={"returned_to": "Nguyễn Văn An"})
    assert returned.json()["timeliness"] == timeliness
    citizen = server.client().get(f"/dossiers/{code}", params={"token": made["public_token"]})
    assert citizen.json()["timeliness"] == timeliness


# ---------------------------------------------------------------- who may do what


def test_kiosk_and_display_cannot_receive_dossiers(
    server: live.LiveServer, procedures: dict[str, int]
) -> None:
    server.clock.set(WED)
    for device in ("kiosk-1", "display-1"):
        reply = post(server.device(device), body(procedures[FIVE_DAYS]))
        assert reply.status_code == 403, reply.text


def test_anonymous_cannot_receive_dossiers(server: live.LiveServer, procedures: dict[str, int]) -> None:
    server.clock.set(WED)
    reply = post(server.client(), body(procedures[FIVE_DAYS]))
    assert reply.status_code == 401, reply.text
    assert reply.headers["WWW-Authenticate"] == "Bearer"
    assert post(server.client("qmst_not-a-token"), body(procedures[FIVE_DAYS])).status_code == 401


@pytest.mark.parametrize("action", list(ACTIONS))
def test_only_staff_act_on_dossiers(server: live.LiveServer, new: Callable[..., Body], action: str) -> None:
    code = new()["code"]
    assert server.client().post(f"/dossiers/{code}/{action}", json=ACTIONS[action]).status_code == 401
    assert (
        server.device("kiosk-1").post(f"/dossiers/{code}/{action}", json=ACTIONS[action]).status_code == 403
    )


@pytest.mark.parametrize("username", ["admin", "giamsat", "canbo2"])
def test_any_staff_member_may_receive(
    server: live.LiveServer, procedures: dict[str, int], username: str
) -> None:
    server.clock.set(WED)
    reply = post(server.user(username), body(procedures[FIVE_DAYS]))
    assert reply.status_code == 201, reply.text
