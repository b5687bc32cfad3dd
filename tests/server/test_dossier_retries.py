"""Work sent late from a counter's outbox: Idempotency-Key on dossier actions, times the
counter PC recorded, and the staff look-ups (by ID number, a dossier's history).

Times and procedures as in test_dossiers.py: a five-day dossier received Wed 25/11/2026
09:10 is due Wed 2/12 09:10.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import threading
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from alembic import command

from onestop import errors
from onestop.enums import Role
from server import auth, dossiers, migrate, models
from server.db import UTCDateTime, open_database
from tests import live
from tests.server import test_dossiers as base

Body = dict[str, Any]
VN = base.VN
WED = base.WED
KEY_LOC = ["header", "Idempotency-Key"]

# The fixtures of the dossier API tests, shared rather than copied.
procedures = base.procedures
officer = base.officer
new = base.new

# Each action: the state it needs, and the step it adds to the history.
RESENT = {
    "supplement-request": ("received", "supplement_requested"),
    "supplemented": ("supplement_requested", "supplemented"),
    "refuse": ("received", "refused"),
    "extend": ("received", "extended"),
    "ready": ("received", "ready"),
    "return": ("ready", "returned"),
    "rating": ("returned", "rated"),
}


def act(client: httpx.Client, code: str, action: str, payload: Body | None, key: str) -> httpx.Response:
    return client.post(f"/dossiers/{code}/{action}", json=payload, headers={"Idempotency-Key": key})


def prepare(client: httpx.Client, code: str, state: str) -> None:
    if state == "supplement_requested":
        assert client.post(f"/dossiers/{code}/supplement-request", json=base.SUPPLEMENT).status_code == 200
    else:
        base._to_state(client, code, state)


def steps(client: httpx.Client, code: str) -> list[str]:
    reply = client.get(f"/dossiers/{code}/history")
    assert reply.status_code == 200, reply.text
    return [step["action"] for step in reply.json()]


# ---------------------------------------------------------------- Idempotency-Key on actions


@pytest.mark.parametrize("action", list(RESENT))
def test_a_resent_action_acts_once_and_gets_the_same_reply(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body], action: str
) -> None:
    code = new()["code"]
    needs, step = RESENT[action]
    prepare(officer, code, needs)
    key = uuid.uuid4().hex
    first = act(officer, code, action, base.ACTIONS[action], key)
    assert first.status_code == 200, first.text
    server.clock.advance(minutes=5)  # the reply was lost; the outbox sends again later
    again = act(officer, code, action, base.ACTIONS[action], key)
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    assert again.headers["Idempotency-Replayed"] == "true"
    assert "Idempotency-Replayed" not in first.headers
    assert steps(officer, code).count(step) == 1


def test_without_a_key_a_resent_return_is_a_conflict(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body]
) -> None:
    code = new()["code"]
    base._to_state(officer, code, "ready")
    payload = base.ACTIONS["return"]
    assert officer.post(f"/dossiers/{code}/return", json=payload).status_code == 200
    base.conflict_reason(officer.post(f"/dossiers/{code}/return", json=payload))


def test_a_key_sent_with_another_request_is_refused_on_the_header(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body]
) -> None:
    code, other = new()["code"], new()["code"]
    key = uuid.uuid4().hex
    assert act(officer, code, "refuse", {"reason": "Không thuộc thẩm quyền."}, key).status_code == 200
    for reply in (
        act(officer, code, "refuse", {"reason": "Hồ sơ giả mạo."}, key),  # another body
        act(officer, other, "refuse", {"reason": "Không thuộc thẩm quyền."}, key),  # another dossier
        act(officer, code, "ready", None, key),  # another action
    ):
        assert base.error_locs(reply) == [KEY_LOC]
        assert "Idempotency-Key" in reply.json()["detail"][0]["msg"]
    assert officer.get(f"/dossiers/{other}").json()["status"] == "received"


def test_the_same_instant_written_another_way_is_the_same_request(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body]
) -> None:
    code = new()["code"]
    key = uuid.uuid4().hex
    payload = {"reason": "Cần xác minh thêm.", "new_due_at": "2026-12-09T09:10:00+07:00"}
    first = act(officer, code, "extend", payload, key)
    assert first.status_code == 200, first.text
    again = act(officer, code, "extend", payload | {"new_due_at": "2026-12-09T02:10:00Z"}, key)
    assert again.status_code == 200, again.text
    assert again.json() == first.json()


def test_an_error_is_not_stored(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body]
) -> None:
    code = new()["code"]
    key = uuid.uuid4().hex
    payload = base.ACTIONS["return"]
    base.conflict_reason(act(officer, code, "return", payload, key))  # not ready yet
    base._to_state(officer, code, "ready")
    done = act(officer, code, "return", payload, key)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "returned"
    assert "Idempotency-Replayed" not in done.headers


@pytest.mark.parametrize("key", ["short", "x" * 129])
def test_a_malformed_key_is_a_422_on_the_header(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body], key: str
) -> None:
    code = new()["code"]
    assert base.error_locs(act(officer, code, "ready", None, key)) == [KEY_LOC]
    assert officer.get(f"/dossiers/{code}").json()["status"] == "received"


def test_concurrent_resends_with_one_key_act_once(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body]
) -> None:
    code = new()["code"]
    base._to_state(officer, code, "ready")
    token = server.token("canbo1")
    clients = [server.client(token) for _ in range(8)]
    start = threading.Barrier(len(clients))
    key = uuid.uuid4().hex

    def send(client: httpx.Client) -> httpx.Response:
        start.wait(timeout=30)
        return act(client, code, "return", base.ACTIONS["return"], key)

    with concurrent.futures.ThreadPoolExecutor(len(clients)) as pool:
        replies = list(pool.map(send, clients))

    assert [r.status_code for r in replies] == [200] * len(clients), [r.text for r in replies]
    assert len({r.text for r in replies}) == 1
    assert sum("Idempotency-Replayed" not in r.headers for r in replies) == 1
    assert steps(officer, code).count("returned") == 1


# ---------------------------------------------------------------- times recorded on the counter PC


def test_intake_recorded_earlier_counts_from_when_it_was_recorded(
    server: live.LiveServer, officer: httpx.Client, procedures: dict[str, int]
) -> None:
    server.clock.set(WED + dt.timedelta(days=1, hours=1))  # sent from the outbox the next morning
    payload = base.body(procedures[base.FIVE_DAYS], recorded_at=WED.isoformat())
    reply = base.post(officer, payload)
    assert reply.status_code == 201, reply.text
    got = reply.json()
    assert (got["received_at"], got["due_at"]) == (WED.isoformat(), base.WED_DUE_5)
    assert "-261125-" in got["code"]
    [received] = officer.get(f"/dossiers/{got['code']}/history").json()
    assert (received["action"], received["at"]) == ("received", WED.isoformat())


def test_a_postmark_wins_over_the_recorded_time(
    server: live.LiveServer, officer: httpx.Client, procedures: dict[str, int]
) -> None:
    server.clock.set(WED)
    postmark = "2026-11-23T10:00:00+07:00"
    payload = base.body(
        procedures[base.FIVE_DAYS], channel="post", received_at=postmark, recorded_at=WED.isoformat()
    )
    reply = base.post(officer, payload)
    assert reply.status_code == 201, reply.text
    assert reply.json()["received_at"] == postmark


OUT_OF_BOUNDS = [
    pytest.param(dt.timedelta(hours=-72, seconds=-1), id="older-than-72h"),
    pytest.param(dt.timedelta(minutes=2, seconds=1), id="more-than-2min-ahead"),
]
IN_BOUNDS = [
    pytest.param(dt.timedelta(hours=-72), id="72h-ago"),
    pytest.param(dt.timedelta(minutes=2), id="2min-ahead"),
]


@pytest.mark.parametrize("offset", OUT_OF_BOUNDS)
def test_intake_recorded_out_of_bounds_is_refused(
    server: live.LiveServer, officer: httpx.Client, procedures: dict[str, int], offset: dt.timedelta
) -> None:
    server.clock.set(WED)
    payload = base.body(procedures[base.FIVE_DAYS], recorded_at=(WED + offset).isoformat())
    assert base.error_locs(base.post(officer, payload)) == [["body", "recorded_at"]]


def test_return_and_rating_recorded_earlier_are_stored_as_recorded(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body]
) -> None:
    code = new()["code"]
    base._to_state(officer, code, "ready")
    returned_at = WED + dt.timedelta(hours=2)
    rated_at = returned_at + dt.timedelta(minutes=1)
    server.clock.set(WED + dt.timedelta(days=2))
    payload = {"returned_to": "Nguyễn Văn An", "returned_at": returned_at.isoformat()}
    returned = officer.post(f"/dossiers/{code}/return", json=payload)
    assert returned.status_code == 200, returned.text
    assert returned.json()["returned_at"] == returned_at.isoformat()
    rated = officer.post(
        f"/dossiers/{code}/rating", json={"level": "hai_long", "rated_at": rated_at.isoformat()}
    )
    assert rated.status_code == 200, rated.text
    assert rated.json()["rating"]["created_at"] == rated_at.isoformat()
    history = {step["action"]: step["at"] for step in officer.get(f"/dossiers/{code}/history").json()}
    assert (history["returned"], history["rated"]) == (returned_at.isoformat(), rated_at.isoformat())


@pytest.mark.parametrize("offset", IN_BOUNDS)
def test_recorded_times_at_the_bounds_are_accepted(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body], offset: dt.timedelta
) -> None:
    code = new()["code"]
    base._to_state(officer, code, "ready")
    server.clock.set(WED + dt.timedelta(days=3, hours=1))
    now = server.clock()
    payload = {"returned_to": "Nguyễn Văn An", "returned_at": (now + offset).isoformat()}
    assert officer.post(f"/dossiers/{code}/return", json=payload).status_code == 200
    rating = {"level": "hai_long", "rated_at": (now + offset).isoformat()}
    assert officer.post(f"/dossiers/{code}/rating", json=rating).status_code == 200


@pytest.mark.parametrize("offset", OUT_OF_BOUNDS)
def test_return_and_rating_recorded_out_of_bounds_are_refused(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body], offset: dt.timedelta
) -> None:
    code = new()["code"]
    base._to_state(officer, code, "ready")
    server.clock.set(WED + dt.timedelta(days=4))
    when = (server.clock() + offset).isoformat()
    payload = {"returned_to": "Nguyễn Văn An", "returned_at": when}
    assert base.error_locs(officer.post(f"/dossiers/{code}/return", json=payload)) == [
        ["body", "returned_at"]
    ]
    assert officer.post(f"/dossiers/{code}/return", json={"returned_to": "Nguyễn Văn An"}).status_code == 200
    rating = {"level": "hai_long", "rated_at": when}
    assert base.error_locs(officer.post(f"/dossiers/{code}/rating", json=rating)) == [["body", "rated_at"]]
    assert officer.get(f"/dossiers/{code}").json()["rating"] is None


def test_a_return_recorded_before_the_dossier_was_received_is_refused(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body]
) -> None:
    code = new()["code"]
    base._to_state(officer, code, "ready")
    payload = {"returned_to": "Nguyễn Văn An", "returned_at": (WED - dt.timedelta(minutes=1)).isoformat()}
    assert base.error_locs(officer.post(f"/dossiers/{code}/return", json=payload)) == [
        ["body", "returned_at"]
    ]
    assert officer.get(f"/dossiers/{code}").json()["status"] == "ready"


@pytest.mark.parametrize(
    ("offset", "fails"),
    [
        pytest.param(dt.timedelta(0), False, id="now"),
        pytest.param(dt.timedelta(hours=-72), False, id="72h-ago"),
        pytest.param(dt.timedelta(hours=-72, microseconds=-1), True, id="just-older"),
        pytest.param(dt.timedelta(minutes=2), False, id="2min-ahead"),
        pytest.param(dt.timedelta(minutes=2, microseconds=1), True, id="just-further-ahead"),
    ],
)
def test_check_recorded_time(offset: dt.timedelta, fails: bool) -> None:
    if fails:
        with pytest.raises(errors.InvalidValue) as caught:
            dossiers.check_recorded_time(field="rated_at", recorded=WED + offset, now=WED)
        assert caught.value.field == "rated_at"
    else:
        assert dossiers.check_recorded_time(field="rated_at", recorded=WED + offset, now=WED) == WED + offset


# ---------------------------------------------------------------- look-up by ID number


def test_dossiers_by_id_number_newest_first(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body]
) -> None:
    first = new()["code"]
    server.clock.advance(hours=1)
    second = new()["code"]
    new(applicant=base.applicant(id_number="025185000123"))  # someone else
    found = officer.get("/dossiers", params={"id_number": " 025 085 001 789 "})
    assert found.status_code == 200, found.text
    assert [d["code"] for d in found.json()] == [second, first]
    assert found.json()[0]["applicant"]["phone"] == "0912345678"  # the staff view
    assert officer.get("/dossiers", params={"id_number": "025085009999"}).json() == []


def test_dossiers_by_id_number_are_at_most_twenty(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body]
) -> None:
    codes = []
    for _ in range(21):
        codes.append(new()["code"])
        server.clock.advance(minutes=1)
    found = officer.get("/dossiers", params={"id_number": "025085001789"}).json()
    assert [d["code"] for d in found] == codes[::-1][:20]


def test_dossiers_by_id_number_only_of_the_officers_centre(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body]
) -> None:
    new()
    db = open_database(server.settings.resolved_database_url())
    try:
        with db.write() as session:
            centre = models.Centre(
                code="PVHCC-XA", name="Trung tâm xã Thanh Sơn", agency_code="000.00.26.H42"
            )
            session.add(centre)
            session.flush()
            auth.create_user(
                session, username="canboxa", password=live.PASSWORD, role=Role.OFFICER, centre_id=centre.id
            )
    finally:
        db.dispose()
    elsewhere = server.user("canboxa").get("/dossiers", params={"id_number": "025085001789"})
    assert elsewhere.status_code == 200, elsewhere.text
    assert elsewhere.json() == []


def test_dossiers_by_id_number_is_for_staff(server: live.LiveServer, officer: httpx.Client) -> None:
    params = {"id_number": "025085001789"}
    assert server.client().get("/dossiers", params=params).status_code == 401
    assert server.device("kiosk-1").get("/dossiers", params=params).status_code == 403
    for query in ({}, {"id_number": ""}, {"id_number": "   "}):
        assert base.error_locs(officer.get("/dossiers", params=query)) == [["query", "id_number"]]


# ---------------------------------------------------------------- history


def test_history_lists_every_step_with_who_and_why(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body]
) -> None:
    code = new()["code"]
    assert officer.post(f"/dossiers/{code}/supplement-request", json=base.SUPPLEMENT).status_code == 200
    server.clock.advance(hours=1)
    assert officer.post(f"/dossiers/{code}/supplemented").status_code == 200
    extend = {"reason": "Cần xác minh thêm.", "new_due_at": "2026-12-09T11:00:00+07:00"}
    assert officer.post(f"/dossiers/{code}/extend", json=extend).status_code == 200
    boss = server.user("giamsat")
    assert boss.post(f"/dossiers/{code}/ready").status_code == 200
    assert officer.post(f"/dossiers/{code}/return", json={"returned_to": "Trần Thị Bình"}).status_code == 200
    rating = {"level": "khong_hai_long", "reason": "Phải chờ lâu."}
    assert officer.post(f"/dossiers/{code}/rating", json=rating).status_code == 200

    reply = officer.get(f"/dossiers/{code}/history")
    assert reply.status_code == 200, reply.text
    got = [(s["action"], s["action_name"], s["actor"], s["note"]) for s in reply.json()]
    assert got == [
        ("received", "Tiếp nhận hồ sơ", "Cán bộ canbo1", None),
        ("supplement_requested", "Yêu cầu bổ sung", "Cán bộ canbo1", base.SUPPLEMENT["reason"]),
        ("supplemented", "Bổ sung hồ sơ", "Cán bộ canbo1", None),
        ("extended", "Gia hạn thời gian giải quyết", "Cán bộ canbo1", "Cần xác minh thêm."),
        ("ready", "Có kết quả giải quyết", "Cán bộ giamsat", None),
        ("returned", "Trả kết quả", "Cán bộ canbo1", "Trần Thị Bình"),
        ("rated", "Đánh giá", "Cán bộ canbo1", "Không hài lòng: Phải chờ lâu."),
    ]
    times = [s["at"] for s in reply.json()]
    assert times[0] == WED.isoformat()
    assert times[2] == (WED + dt.timedelta(hours=1)).isoformat()


def test_history_of_a_refused_dossier(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body]
) -> None:
    code = new()["code"]
    assert (
        officer.post(f"/dossiers/{code}/refuse", json={"reason": "Không thuộc thẩm quyền."}).status_code
        == 200
    )
    last = officer.get(f"/dossiers/{code}/history").json()[-1]
    assert (last["action"], last["action_name"], last["note"]) == (
        "refused",
        "Từ chối tiếp nhận giải quyết",
        "Không thuộc thẩm quyền.",
    )


def test_history_unknown_code_and_who_may_read_it(
    server: live.LiveServer, officer: httpx.Client, new: Callable[..., Body]
) -> None:
    code = new()["code"]
    missing = officer.get(f"/dossiers/{base.STP}-261125-9999/history")
    assert missing.status_code == 404
    assert "Không tìm thấy" in missing.json()["detail"]
    assert server.client().get(f"/dossiers/{code}/history").status_code == 401
    assert server.device("kiosk-1").get(f"/dossiers/{code}/history").status_code == 403


# ---------------------------------------------------------------- migration 0002

# The dossier table as revision 0001 made it (the model has the new column).
_OLD_DOSSIER = sa.table(
    "dossier",
    *(sa.column(name) for name in ("code", "idempotency_key", "request_hash", "centre_id", "procedure_id")),
    *(sa.column(name) for name in ("channel", "status", "sets", "fee_collected", "return_method")),
    sa.column("applicant", sa.JSON),
    sa.column("documents", sa.JSON),
    sa.column("received_at", UTCDateTime),
    sa.column("due_at", UTCDateTime),
)


def test_migration_0002_copies_the_id_numbers_of_earlier_dossiers(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            config = migrate.alembic_config(database_url)
            config.attributes["connection"] = connection
            command.upgrade(config, "0001")
            centre = connection.execute(
                sa.insert(models.Centre).values(
                    code="C",
                    name="Trung tâm",
                    short_name="",
                    address="",
                    phone="",
                    agency_code="000.00.25.H42",
                    office_hours="07:00-11:30,13:30-17:00",
                    no_show_after_calls=3,
                    transfer_position="back",
                    notice="",
                )
            ).inserted_primary_key[0]
            agency = connection.execute(
                sa.insert(models.Agency).values(code="STP", name="Sở Tư pháp", id_code="")
            ).inserted_primary_key[0]
            field = connection.execute(
                sa.insert(models.Field).values(agency_id=agency, code="F", name="Hộ tịch")
            ).inserted_primary_key[0]
            procedure = connection.execute(
                sa.insert(models.Procedure).values(
                    field_id=field,
                    code="P",
                    name="Thủ tục",
                    search_text="thu tuc",
                    processing_days=5,
                    fee=0,
                    sets=1,
                    documents=[],
                )
            ).inserted_primary_key[0]
            for number, id_number in enumerate(["025085001789", "2600123456"]):
                connection.execute(
                    _OLD_DOSSIER.insert().values(
                        code=f"X-261125-000{number}",
                        idempotency_key=f"key-{number}",
                        request_hash="h",
                        centre_id=centre,
                        procedure_id=procedure,
                        channel="counter",
                        status="received",
                        applicant={"full_name": "An", "id_number": id_number},
                        documents=[],
                        sets=1,
                        fee_collected=0,
                        return_method="counter",
                        received_at=WED,
                        due_at=WED,
                    )
                )
        migrate.upgrade(database_url)
        with engine.connect() as connection:
            got = connection.execute(
                sa.select(models.Dossier.code, models.Dossier.applicant_id_number).order_by(
                    models.Dossier.code
                )
            ).all()
        assert [tuple(row) for row in got] == [
            ("X-261125-0000", "025085001789"),
            ("X-261125-0001", "2600123456"),
        ]
    finally:
        engine.dispose()
