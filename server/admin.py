"""The admin's edits of the catalogue, accounts, devices and calendar: one set of operations
for every kind (admin_kinds, admin_accounts), each write audited and announced to the screens
as a ``catalogue.changed`` event {"kind", "id"} in its own transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pydantic
import sqlalchemy as sa
from fastapi.exceptions import RequestValidationError
from sqlalchemy import orm

from onestop import errors
from server import admin_accounts, admin_kinds, events, models, tickets
from server.admin_base import Kind

KINDS: dict[str, Kind] = {kind.name: kind for kind in (*admin_kinds.KINDS, *admin_accounts.KINDS)}
# What an output object carries beyond the editable fields: a client may send it back on PUT.
READ_ONLY = frozenset({"id", "status", "officer_id", "last_seen_at", "fault", "key"})
EVENT = "catalogue.changed"


@dataclasses.dataclass(frozen=True)
class Change:
    """Who changes what, when: the parts every write needs."""

    actor: str
    now: dt.datetime


def kind_of(name: str) -> Kind:
    kind = KINDS.get(name)
    if kind is None:
        raise errors.NotFound(f"Không có loại dữ liệu «{name[:64]}» trong phần quản trị.")
    return kind


def _row(session: orm.Session, kind: Kind, raw_id: str) -> Any:
    key = kind.parse_id(raw_id)
    row = session.get(kind.model, key) if key is not None else None
    if row is None:
        raise errors.NotFound(f"Không tìm thấy {kind.label} «{raw_id[:64]}».")
    return row


def _values(kind: Kind, body: Any) -> pydantic.BaseModel:
    """The body validated against the kind's input model; 422 naming each bad field."""
    if isinstance(body, dict):
        body = {key: value for key, value in body.items() if key not in READ_ONLY}
    try:
        return kind.schema.model_validate(body)
    except pydantic.ValidationError as exc:
        raise RequestValidationError(
            [{**item, "loc": ("body", *item["loc"])} for item in exc.errors(include_url=False)]
        ) from None


def out(session: orm.Session, kind: Kind, row: Any) -> dict[str, Any]:
    result: dict[str, Any] = kind.out(session, row).model_dump(mode="json")
    return result


def list_rows(session: orm.Session, *, kind: Kind) -> list[dict[str, Any]]:
    rows = session.scalars(sa.select(kind.model).options(*kind.load).order_by(*kind.order)).all()
    return [out(session, kind, row) for row in rows]


def get(session: orm.Session, *, kind: Kind, raw_id: str) -> dict[str, Any]:
    return out(session, kind, _row(session, kind, raw_id))


def _record(session: orm.Session, *, kind: Kind, change: Change, action: str, row: Any, shown: Any) -> None:
    row_id = kind.row_id(row)
    tickets.audit(
        session,
        now=change.now,
        actor=change.actor,
        action=f"admin.{action}",
        target=f"{kind.name}:{row_id}",
        details={"kind": kind.name, "id": row_id, "values": shown},
    )
    events.append(
        session, type=EVENT, now=change.now, payload={"kind": kind.name, "id": row_id}, **kind.scope(row)
    )


def create(session: orm.Session, *, kind: Kind, body: Any, change: Change) -> dict[str, Any]:
    """The new object as shown; a device's also carries its key, shown this once."""
    values = _values(kind, body)
    row = kind.write(session, None, values)
    secret = {"key": admin_accounts.new_key(row)} if isinstance(row, models.Device) else {}
    session.flush()
    shown = out(session, kind, row)
    _record(session, kind=kind, change=change, action="create", row=row, shown=shown)
    return {**shown, **secret}


def update(session: orm.Session, *, kind: Kind, raw_id: str, body: Any, change: Change) -> dict[str, Any]:
    row = _row(session, kind, raw_id)
    values = _values(kind, body)
    row = kind.write(session, row, values)
    session.flush()
    shown = out(session, kind, row)
    _record(session, kind=kind, change=change, action="update", row=row, shown=shown)
    return shown


def delete(session: orm.Session, *, kind: Kind, raw_id: str, change: Change) -> None:
    row = _row(session, kind, raw_id)
    kind.check_delete(session, row)
    shown = out(session, kind, row)
    _record(session, kind=kind, change=change, action="delete", row=row, shown=shown)
    session.delete(row)
    session.flush()


def new_device_key(session: orm.Session, *, device_id: int, change: Change) -> dict[str, Any]:
    """The device with a new key (shown once); the old key stops working."""
    kind = KINDS["devices"]
    row = session.get(models.Device, device_id)
    if row is None:
        raise errors.NotFound(f"Không tìm thấy thiết bị số hiệu {device_id}.")
    key = admin_accounts.new_key(row)
    session.flush()
    shown = out(session, kind, row)
    _record(session, kind=kind, change=change, action="new-key", row=row, shown=shown)
    return {**shown, "key": key}
