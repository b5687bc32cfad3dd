"""Every validation message an app may show is Vietnamese."""

from __future__ import annotations

from typing import Any

import pytest

from server import messages


@pytest.mark.parametrize(
    ("kind", "message", "context", "expected"),
    [
        ("missing", "Field required", None, "Thông tin này là bắt buộc."),
        (
            "string_too_short",
            "String should have at least 1 character",
            {"min_length": 1},
            "Không được để trống.",
        ),
        ("string_too_long", "…", {"max_length": 255}, "Không được dài quá 255 ký tự."),
        ("too_short", "…", {"min_length": 1}, "Danh sách không được để trống."),
        ("greater_than_equal", "…", {"ge": 0}, "Phải lớn hơn hoặc bằng 0."),
        ("int_parsing", "…", None, "Phải là một số nguyên."),
        (
            "enum",
            "…",
            {"expected": "'counter' or 'post'"},
            "Giá trị không hợp lệ; chọn một trong: 'counter' or 'post'.",
        ),
        (
            "value_error",
            "Value error, Số định danh cá nhân phải gồm đúng 12 chữ số.",
            None,
            "Số định danh cá nhân phải gồm đúng 12 chữ số.",
        ),
        ("json_invalid", "JSON decode error", {"error": "x"}, "Nội dung gửi lên không phải JSON hợp lệ."),
        ("some_future_kind", "Untranslated", None, "Untranslated"),
    ],
)
def test_messages(kind: str, message: str, context: dict[str, Any] | None, expected: str) -> None:
    assert messages.vietnamese(kind, message, context) == expected


def test_the_api_answers_bad_fields_in_vietnamese(server: Any) -> None:
    kiosk = server.device("kiosk-1")
    reply = kiosk.post("/tickets", json={})
    assert reply.status_code == 422
    assert reply.json()["detail"] == [
        {"loc": ["body", "service_id"], "msg": "Thông tin này là bắt buộc.", "type": "missing"}
    ]
    reply = kiosk.post("/tickets", json={"service_id": "một"})
    assert reply.json()["detail"][0]["msg"] == "Phải là một số nguyên."
