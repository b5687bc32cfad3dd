"""The client's errors: HTTP failures become onestop errors, so callers catch one family.

404 → NotFound, 409 → IllegalTransition, 403 → Forbidden, 422 → InvalidRequest (an
InvalidValue naming the field), 401 → Unauthorized; no answer, a timeout or a 5xx →
ServerUnavailable. The message is the server's Vietnamese text, fit to show as is.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from onestop import errors

UNAVAILABLE = "Không kết nối được máy chủ. Vui lòng kiểm tra mạng hoặc thử lại sau ít phút."
UNAUTHORIZED = "Phiên đăng nhập đã hết hạn hoặc khóa thiết bị không hợp lệ; vui lòng đăng nhập lại."
BAD_REPLY = "Máy chủ trả lời không đúng định dạng."
# Where a 422's loc says the value came from; the field name is what follows.
_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})


class ServerUnavailable(errors.DomainError):
    """No usable answer: refused or dropped connection, timeout, a 5xx or a garbled reply.

    ``reason`` is the technical cause, for logs; ``message`` is for people.
    """

    def __init__(self, message: str = UNAVAILABLE, *, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class Unauthorized(errors.DomainError):
    """HTTP 401: no credentials, a wrong password, an expired token or a revoked device key."""

    def __init__(self, message: str = UNAUTHORIZED) -> None:
        super().__init__(message)


class UnexpectedStatus(errors.DomainError):
    """A status the API does not use for this request (400, 405, …): a client or proxy fault."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclasses.dataclass(frozen=True)
class FieldError:
    """One entry of a 422 reply."""

    field: str
    message: str
    type: str = ""


class InvalidRequest(errors.InvalidValue):
    """HTTP 422: ``field`` and ``message`` are the first error's; ``errors`` holds them all."""

    def __init__(self, found: list[FieldError]) -> None:
        first = found[0] if found else FieldError(field="", message="Dữ liệu gửi lên không hợp lệ.")
        super().__init__(first.field, first.message)
        self.errors = found


def field_name(loc: Any) -> str:
    """``["body", "applicant", "phone"]`` → ``"applicant.phone"``; list indices stay."""
    if not isinstance(loc, list | tuple):
        return str(loc) if loc is not None else ""
    parts = [str(part) for part in loc]
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    return ".".join(parts)


def _field_errors(detail: Any) -> list[FieldError]:
    if not isinstance(detail, list):
        return [FieldError(field="", message=str(detail))] if detail else []
    found = []
    for item in detail:
        if isinstance(item, dict):
            found.append(
                FieldError(
                    field=field_name(item.get("loc")),
                    message=str(item.get("msg", "")),
                    type=str(item.get("type", "")),
                )
            )
    return found


def _detail(body: Any) -> Any:
    return body.get("detail") if isinstance(body, dict) else None


def _text(detail: Any, default: str) -> str:
    return detail if isinstance(detail, str) and detail else default


def from_reply(status: int, body: Any) -> errors.DomainError:
    """The error for a non-2xx reply; ``body`` is its decoded JSON, or None."""
    detail = _detail(body)
    simple: dict[int, type[errors.DomainError]] = {
        404: errors.NotFound,
        409: errors.IllegalTransition,
        403: errors.Forbidden,
    }
    if status in simple:
        return simple[status](_text(detail, f"Máy chủ từ chối yêu cầu (mã {status})."))
    if status == 401:
        return Unauthorized(_text(detail, UNAUTHORIZED))
    if status == 422:
        return InvalidRequest(_field_errors(detail))
    if status == 429 and isinstance(detail, str) and detail:
        # The server's own refusal for a while (too many wrong passwords): its reason says so.
        return errors.Forbidden(detail)
    if status >= 500 or status in {408, 429}:
        # A 503 carries a useful Vietnamese reason (the database is away); other 5xx do not.
        message = detail if status == 503 and isinstance(detail, str) and detail else UNAVAILABLE
        return ServerUnavailable(message, reason=f"HTTP {status}: {detail!r}")
    return UnexpectedStatus(_text(detail, f"Máy chủ trả lời mã {status} không mong đợi."), status=status)
