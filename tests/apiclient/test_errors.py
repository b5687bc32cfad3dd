"""How HTTP replies become onestop errors (no server needed)."""

from __future__ import annotations

from typing import Any

import pytest

from apiclient import errors
from onestop import errors as domain


@pytest.mark.parametrize(
    ("status", "body", "kind", "message"),
    [
        (404, {"detail": "Không tìm thấy vé số hiệu 9."}, domain.NotFound, "Không tìm thấy vé số hiệu 9."),
        (409, {"detail": "Quầy số 1 đã đóng."}, domain.IllegalTransition, "Quầy số 1 đã đóng."),
        (403, {"detail": "Không phụ trách quầy số 2."}, domain.Forbidden, "Không phụ trách quầy số 2."),
        (401, {"detail": "Cần đăng nhập."}, errors.Unauthorized, "Cần đăng nhập."),
        (401, None, errors.Unauthorized, errors.UNAUTHORIZED),
        (503, {"detail": "Cơ sở dữ liệu tạm thời không sẵn sàng."}, errors.ServerUnavailable,
         "Cơ sở dữ liệu tạm thời không sẵn sàng."),
        (500, None, errors.ServerUnavailable, errors.UNAVAILABLE),
        (502, {"detail": "Bad gateway"}, errors.ServerUnavailable, errors.UNAVAILABLE),
        (429, None, errors.ServerUnavailable, errors.UNAVAILABLE),
        (405, {"detail": "Method Not Allowed"}, errors.UnexpectedStatus, "Method Not Allowed"),
    ],
)  # fmt: skip
def test_status_maps_to_an_onestop_error(
    status: int, body: Any, kind: type[domain.DomainError], message: str
) -> None:
    error = errors.from_reply(status, body)
    assert type(error) is kind
    assert isinstance(error, domain.DomainError)
    assert error.message == message == str(error)


def test_a_404_without_detail_still_says_something() -> None:
    error = errors.from_reply(404, "<html>not found</html>")
    assert isinstance(error, domain.NotFound)
    assert "404" in error.message


@pytest.mark.parametrize(
    ("loc", "field"),
    [
        (["body", "service_id"], "service_id"),
        (["body", "applicant", "phone"], "applicant.phone"),
        (["body", "documents", 0, "copies"], "documents.0.copies"),
        (["query", "limit"], "limit"),
        (["header", "last-event-id"], "last-event-id"),
        (["body"], ""),
        ("priority_group", "priority_group"),
        (None, ""),
    ],
)
def test_field_name_drops_the_location(loc: Any, field: str) -> None:
    assert errors.field_name(loc) == field


def test_a_422_names_the_first_field_and_keeps_them_all() -> None:
    phone = {
        "loc": ["body", "applicant", "phone"],
        "msg": "Số điện thoại không hợp lệ.",
        "type": "value_error",
    }
    sets = {"loc": ["body", "sets"], "msg": "Input should be ≥ 1", "type": "greater_than_equal"}
    body = {"detail": [phone, sets]}
    error = errors.from_reply(422, body)
    assert isinstance(error, errors.InvalidRequest)
    assert isinstance(error, domain.InvalidValue)
    assert (error.field, error.message) == ("applicant.phone", "Số điện thoại không hợp lệ.")
    assert [e.field for e in error.errors] == ["applicant.phone", "sets"]
    assert error.errors[1].type == "greater_than_equal"


@pytest.mark.parametrize("body", [None, {"detail": []}, {"detail": "Sai dữ liệu"}, {"detail": [42]}])
def test_an_odd_422_is_still_an_invalid_value(body: Any) -> None:
    error = errors.from_reply(422, body)
    assert isinstance(error, domain.InvalidValue)
    assert error.message
