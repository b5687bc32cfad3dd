"""apiclient.client.Client's dossier methods for the counter's outbox: Idempotency-Key on
every action, recorded times, and the staff look-ups, against a live server."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from apiclient import client
from onestop import calendar
from onestop import errors as domain
from tests import live
from tests.apiclient.conftest import Clients
from tests.apiclient.test_client import dossier_body

WED = dt.datetime(2026, 11, 25, 9, 10, tzinfo=calendar.VN_TZ)


def _received(officer: client.Client, **fields: Any) -> str:
    return str(officer.create_dossier(dossier_body(1) | fields)["code"])


def twice(call: Callable[[str], dict[str, Any]]) -> None:
    """Send, then resend with the same key as an outbox does after a lost reply."""
    key = uuid.uuid4().hex
    assert call(key) == call(key)


def test_actions_resent_with_a_key_act_once(server: live.LiveServer, clients: Clients) -> None:
    server.clock.set(WED)
    officer = clients.officer("canbo1")
    code = _received(officer)
    items = [{"name": "Bản sao sổ hộ khẩu", "kind": "certified_copy", "copies": 1}]
    twice(lambda key: officer.supplement_request(code, items, "Thiếu giấy tờ.", idempotency_key=key))
    twice(lambda key: officer.supplemented(code, idempotency_key=key))
    new_due = dt.datetime.fromisoformat(officer.dossier(code)["due_at"]) + dt.timedelta(days=3)
    twice(lambda key: officer.extend(code, "Cần xác minh.", new_due, idempotency_key=key))
    twice(lambda key: officer.ready(code, idempotency_key=key))
    twice(lambda key: officer.return_result(code, "Nguyễn Văn An", idempotency_key=key))
    twice(lambda key: officer.rate(code, "hai_long", idempotency_key=key))
    other = _received(officer)
    key = uuid.uuid4().hex
    assert officer.refuse(other, "Không thuộc thẩm quyền.", idempotency_key=key)["status"] == "refused"
    assert officer.refuse(other, "Không thuộc thẩm quyền.", idempotency_key=key)["status"] == "refused"
    history = [step["action"] for step in officer.dossier_history(code)]
    assert history == [
        "received",
        "supplement_requested",
        "supplemented",
        "extended",
        "ready",
        "returned",
        "rated",
    ]


def test_a_key_reused_for_another_action_names_the_header(server: live.LiveServer, clients: Clients) -> None:
    server.clock.set(WED)
    officer = clients.officer("canbo1")
    code = _received(officer)
    officer.ready(code, idempotency_key="khoa-mot-lan-thoi")
    with pytest.raises(domain.InvalidValue) as caught:
        officer.return_result(code, "Nguyễn Văn An", idempotency_key="khoa-mot-lan-thoi")
    assert caught.value.field == "Idempotency-Key"


def test_recorded_times_are_sent_and_kept(server: live.LiveServer, clients: Clients) -> None:
    server.clock.set(WED + dt.timedelta(days=1))
    officer = clients.officer("canbo1")
    code = _received(officer, recorded_at=WED)
    assert officer.dossier(code)["received_at"] == WED.isoformat()
    officer.ready(code)
    returned_at = WED + dt.timedelta(days=1, minutes=-5)
    returned = officer.return_result(code, "Nguyễn Văn An", returned_at=returned_at)
    assert returned["returned_at"] == returned_at.isoformat()
    # A naive time is Vietnamese local time, as an officer would mean it.
    rated = officer.rate(code, "rat_hai_long", rated_at=returned_at.replace(tzinfo=None))
    assert rated["rating"]["created_at"] == returned_at.isoformat()
    with pytest.raises(domain.InvalidValue) as caught:
        officer.create_dossier(dossier_body(1) | {"recorded_at": WED - dt.timedelta(days=3)})
    assert caught.value.field == "recorded_at"


def test_dossiers_by_id_number_and_history(server: live.LiveServer, clients: Clients) -> None:
    server.clock.set(WED)
    officer = clients.officer("canbo1")
    code = _received(officer)
    found = officer.dossiers_by_id_number("025 085 001 234")
    assert [d["code"] for d in found] == [code]
    assert officer.dossiers_by_id_number("025085009999") == []
    [step] = officer.dossier_history(code)
    assert (step["action"], step["action_name"], step["actor"]) == (
        "received",
        "Tiếp nhận hồ sơ",
        "Cán bộ canbo1",
    )
    assert step["at"] == WED.isoformat()
    with pytest.raises(domain.NotFound):
        officer.dossier_history("000.18.25.H42-261125-9999")
    with pytest.raises(domain.InvalidValue) as caught:
        officer.dossiers_by_id_number("  ")
    assert caught.value.field == "id_number"
