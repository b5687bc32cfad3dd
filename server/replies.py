"""Stored replies for actions sent with an Idempotency-Key (dossier actions, ticket issue).

A counter PC keeps each action in its outbox and sends it when the server is reachable,
again if the reply was lost; a kiosk resends a ticket request whose reply was lost. The first
successful reply is stored in the action's own transaction; a resend with the same key and the
same request gets that reply back (same status, with ``Idempotency-Replayed: true``) and the
action is not done twice. The same key with another request is a 422 (KeyReused).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import fastapi
import sqlalchemy as sa
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import orm

from onestop import errors
from server import models
from server.db import Database

HEADER = "Idempotency-Key"
Out = TypeVar("Out", bound=BaseModel)
OptionalKey = Annotated[
    str | None,
    fastapi.Header(
        alias=HEADER,
        min_length=8,
        max_length=128,
        description="A fresh random key per action; a resend with the same key and request gets the "
        "first reply back and the action is not done again",
    ),
]


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


def sent(request: fastapi.Request, key: str | None, body: BaseModel | Any = None) -> Request | None:
    """What a request sent with ``key`` is, to find or store its reply; None without a key.

    ``body``: the parsed request model, or any JSON value standing for the request."""
    if key is None:
        return None
    payload = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
    return Request.of(key=key, method=request.method, path=request.url.path, body=payload)


_TABLE = models.table(models.ActionReply)
# Core statements built once: a kiosk sends every ticket request with a key (the busiest write).
_FIND = sa.select(_TABLE).where(_TABLE.c.idempotency_key == sa.bindparam("key"))
_STORE = sa.insert(_TABLE)
Stored = sa.Row[Any]  # an action_reply row: key, user_id, method, path, request_hash, status, body


def stored(session: orm.Session, key: str) -> Stored | None:
    """The reply stored under this key, whatever request it came with."""
    return session.execute(_FIND, {"key": key}).first()


def find(session: orm.Session, request: Request) -> Stored | None:
    """The reply stored for this key, if any; KeyReused if the key came with another request."""
    found = stored(session, request.key)
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
    """Keep the reply; written now, so a concurrent first send with the key fails here."""
    session.execute(
        _STORE,
        {
            "idempotency_key": request.key,
            "user_id": user_id,
            "method": request.method,
            "path": request.path,
            "request_hash": request.body_hash,
            "status": status,
            "body": body,
            "created_at": now,
        },
    )


def replay(reply: Stored) -> fastapi.Response:
    return JSONResponse(reply.body, status_code=reply.status, headers={"Idempotency-Replayed": "true"})


def once(
    db: Database,
    request: Request,
    act: Callable[[orm.Session], Out],
    *,
    user_id: int | None,
    now: dt.datetime,
    status: int = 200,
    lock: Callable[[orm.Session], object] | None = None,
) -> Out | fastapi.Response:
    """``act`` done once per key: its reply stored with it, or the stored reply replayed.

    ``lock`` runs first in the transaction (a row lock, say): a resend that raced the first
    send waits there, then finds its reply. Without one, two concurrent first sends both act,
    and the second fails storing its reply (the key is unique): its transaction, act and all,
    is rolled back and it answers with the first one's reply.
    """
    try:
        with db.write() as session:
            if lock is not None:
                lock(session)
            found = find(session, request)
            if found is not None:
                return replay(found)
            out = act(session)
            store(session, request, user_id=user_id, status=status, body=out.model_dump(mode="json"), now=now)
            return out
    except sa.exc.IntegrityError:
        # A concurrent first send with the same key won the race: answer with its reply.
        with db.read() as session:
            found = find(session, request)
        if found is None:
            raise
        return replay(found)
