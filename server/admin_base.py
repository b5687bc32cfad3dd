"""What every kind of the admin API shares: its description and the checks its writes make."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy import orm

from onestop import errors

STOP_USING = "hãy ngừng sử dụng (active = false) thay vì xoá"


def _no_check(_session: orm.Session, _row: Any) -> None:
    return None


def _int_id(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**31 else None


def _no_scope(_row: Any) -> dict[str, int | None]:
    return {}


@dataclasses.dataclass(frozen=True)
class Kind:
    """One kind of object the admin edits (the URL segment ``name``).

    ``write(session, row, values)`` checks references and unique codes, then creates (row is
    None) or changes the row and returns it; ``out`` is the row as the API shows it;
    ``check_delete`` raises when the row may not go; ``scope`` names the centre, counter or
    service the change concerns, so filtered event streams receive it.
    """

    name: str
    label: str  # Vietnamese noun, for messages: "cơ quan"
    model: type[Any]
    schema: type[BaseModel]
    order: tuple[Any, ...]
    out: Callable[[orm.Session, Any], BaseModel]
    write: Callable[[orm.Session, Any, Any], Any]
    check_delete: Callable[[orm.Session, Any], None] = _no_check
    parse_id: Callable[[str], Any] = _int_id
    scope: Callable[[Any], dict[str, int | None]] = _no_scope
    # Loader options for listing every row: what ``out`` reads of each, in one query for all.
    load: tuple[Any, ...] = ()

    def row_id(self, row: Any) -> Any:
        return row.id


def ensure_unique(session: orm.Session, row: Any, column: Any, value: Any, message: str, *where: Any) -> None:
    """409 when another row (not ``row``) has this value in ``column`` (within ``where``)."""
    stmt = sa.select(column.class_).where(column == value, *where)
    if row is not None:
        stmt = stmt.where(column.class_.id != row.id)
    if session.scalar(stmt.limit(1)) is not None:
        raise errors.IllegalTransition(message)


def existing(session: orm.Session, model: type[Any], row_id: int | None, field: str, label: str) -> Any:
    """The row an id in the body names; a 422 on that field when there is none."""
    if row_id is None:
        return None
    found = session.get(model, row_id)
    if found is None:
        raise errors.InvalidValue(field, f"Không có {label} số hiệu {row_id}.")
    return found


def refuse_if(session: orm.Session, condition: Any, message: str) -> None:
    """409 with ``message`` when any row matches ``condition`` (an EXISTS clause)."""
    if session.scalar(sa.select(condition)):
        raise errors.IllegalTransition(message)


def exists(*where: Any) -> Any:
    """EXISTS (rows matching ``where``); the table comes from the columns named."""
    return sa.exists().where(*where)
