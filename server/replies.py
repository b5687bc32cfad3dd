"""Stored replies for dossier actions sent with an Idempotency-Key.

A counter PC keeps each action in its outbox and sends it when the server is reachable,
again if the reply was lost. The first successful reply is stored in the action's own
transaction; a resend with the same key and the same request gets that reply back and the
action is not done twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from onestop import errors
from server import models

HEADER = "Idempotency-Key"


class KeyReused(errors.InvalidValue):
    """The key came with another request before: a 422 on the header, not on the body."""

    location = "header"

    def __init__(self) -> None:
        super().__init__(
            HEADER,
            "Khóa Idempotency-Key này đã dùng cho một thao tác khác; hãy tạo khóa mới cho mỗi thao tác.",
        )


@dataclasses.dataclass(frozen=True)
class Request:
    """What makes two sends the same request: the key, the method and path, the body."""

    key: str
    method: str
    path: str
    body_hash: str

    @classmethod
    def of(cls, *, key: str, method: str, path: str, body: Any) -> Request:
        # The body as the schema parsed it: one instant written in two offsets hashes the same.
        text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return cls(key=key, method=method, path=path, body_hash=hashlib.sha256(text.encode()).hexdigest())


def find(session: orm.Session, request: Request) -> models.ActionReply | None:
    """The reply stored for this key, if any; KeyReused if the key came with another request."""
    found = session.scalar(
        sa.select(models.ActionReply).where(models.ActionReply.idempotency_key == request.key)
    )
    if found is not None and (found.method, found.path, found.request_hash) != (
        request.method,
        request.path,
        request.body_hash,
    ):
        raise KeyReused()
    return found


def store(
    session: orm.Session,
    request: Request,
    *,
    user_id: int | None,
    status: int,
    body: dict[str, Any],
    now: dt.datetime,
) -> None:
    """Keep the reply; flushed now, so a concurrent first send with the key fails here."""
    session.add(
        models.ActionReply(
            idempotency_key=request.key,
            user_id=user_id,
            method=request.method,
            path=request.path,
            request_hash=request.body_hash,
            status=status,
            body=body,
            created_at=now,
        )
    )
    session.flush()
