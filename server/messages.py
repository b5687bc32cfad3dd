"""Validation messages in Vietnamese: the apps show them beside the field as they come."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_PLAIN = {
    "missing": "Thông tin này là bắt buộc.",
    "extra_forbidden": "Trường này không được phép.",
    "string_type": "Phải là một chuỗi ký tự.",
    "int_type": "Phải là một số nguyên.",
    "int_parsing": "Phải là một số nguyên.",
    "int_from_float": "Phải là một số nguyên.",
    "float_type": "Phải là một số.",
    "float_parsing": "Phải là một số.",
    "bool_type": "Phải là đúng hoặc sai.",
    "bool_parsing": "Phải là đúng hoặc sai.",
    "list_type": "Phải là một danh sách.",
    "dict_type": "Phải là một đối tượng.",
    "model_type": "Phải là một đối tượng.",
    "model_attributes_type": "Phải là một đối tượng.",
    "datetime_type": "Phải là ngày giờ (ISO 8601, ví dụ 2026-11-26T09:10:00+07:00).",
    "datetime_parsing": "Phải là ngày giờ (ISO 8601, ví dụ 2026-11-26T09:10:00+07:00).",
    "datetime_from_date_parsing": "Phải là ngày giờ (ISO 8601, ví dụ 2026-11-26T09:10:00+07:00).",
    "json_invalid": "Nội dung gửi lên không phải JSON hợp lệ.",
    "json_type": "Nội dung gửi lên không phải JSON hợp lệ.",
    "string_pattern_mismatch": "Giá trị không đúng định dạng (ví dụ danh sách số: 1,2,3).",
}

_WITH_LIMIT = {
    "string_too_short": ("min_length", "Phải có ít nhất {} ký tự.", "Không được để trống."),
    "string_too_long": ("max_length", "Không được dài quá {} ký tự.", None),
    "too_short": ("min_length", "Phải có ít nhất {} mục.", "Danh sách không được để trống."),
    "too_long": ("max_length", "Không được nhiều hơn {} mục.", None),
    "greater_than_equal": ("ge", "Phải lớn hơn hoặc bằng {}.", None),
    "greater_than": ("gt", "Phải lớn hơn {}.", None),
    "less_than_equal": ("le", "Phải nhỏ hơn hoặc bằng {}.", None),
    "less_than": ("lt", "Phải nhỏ hơn {}.", None),
}


def vietnamese(kind: str, message: str, context: Mapping[str, Any] | None) -> str:
    """The Vietnamese message for one pydantic error (its type, message and context)."""
    context = context or {}
    if kind == "value_error":
        # Our own checks raise ValueError with a Vietnamese message; pydantic prefixes it.
        return message.removeprefix("Value error, ")
    if kind in ("enum", "literal_error"):
        return f"Giá trị không hợp lệ; chọn một trong: {context.get('expected', '')}."
    if kind in _WITH_LIMIT:
        key, text, for_one = _WITH_LIMIT[kind]
        limit = context.get(key)
        if for_one is not None and limit == 1:
            return for_one
        return text.format(limit)
    return _PLAIN.get(kind, message)
