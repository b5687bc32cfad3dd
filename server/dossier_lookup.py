"""Staff look-ups of dossiers: an applicant's dossiers by ID number, one dossier's history."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Iterable, Iterator
from typing import Any, cast

import pydantic
import sqlalchemy as sa
from sqlalchemy import orm

from onestop import calendar, dossier, errors
from server import db, dossiers, models, schemas

SEARCH_LIMIT = 20

ACTION_NAMES_VI: dict[str, str] = {
    "received": "Tiếp nhận hồ sơ",
    "supplement_requested": "Yêu cầu bổ sung",
    "supplemented": "Bổ sung hồ sơ",
    "refused": "Từ chối tiếp nhận giải quyết",
    "extended": "Gia hạn thời gian giải quyết",
    "ready": "Có kết quả giải quyết",
    "returned": "Trả kết quả",
    "rated": "Đánh giá",
}


class InvalidQuery(errors.InvalidValue):
    """A 422 on a query parameter."""

    location = "query"


def normalize_id_number(text: str) -> str:
    """An ID number or tax code as typed, spaces removed (as the intake stores it)."""
    number = "".join(text.split())
    if not number:
        raise InvalidQuery("id_number", "Chưa nhập số định danh cá nhân hoặc mã số thuế.")
    return number


def by_id_number(session: orm.Session, *, id_number: str, centre_id: int | None) -> list[models.Dossier]:
    """An applicant's newest dossiers; only one centre's unless ``centre_id`` is None."""
    stmt = sa.select(models.Dossier).where(models.Dossier.applicant_id_number == id_number)
    if centre_id is not None:
        stmt = stmt.where(models.Dossier.centre_id == centre_id)
    stmt = stmt.order_by(models.Dossier.received_at.desc(), models.Dossier.id.desc()).limit(SEARCH_LIMIT)
    return list(session.scalars(stmt))


def history(session: orm.Session, *, row: models.Dossier) -> list[schemas.HistoryEntryOut]:
    """Every step of the dossier in the order the server applied them (its audit log)."""
    entries = session.scalars(
        sa.select(models.AuditEntry)
        .where(models.AuditEntry.target == row.code, models.AuditEntry.action.startswith("dossier."))
        .order_by(models.AuditEntry.id)
    ).all()
    names = _actor_names(session, {entry.actor for entry in entries})
    steps = [_step(session, entry, row, names) for entry in entries]
    return [step for step in steps if step is not None]


def _actor_names(session: orm.Session, actors: Iterable[str]) -> dict[str, str]:
    usernames = {actor.removeprefix("user:") for actor in actors if actor.startswith("user:")}
    users = session.execute(
        sa.select(models.User.username, models.User.full_name).where(models.User.username.in_(usernames))
    ).all()
    return {f"user:{username}": full_name or username for username, full_name in users}


def _step(
    session: orm.Session, entry: models.AuditEntry, row: models.Dossier, names: dict[str, str]
) -> schemas.HistoryEntryOut | None:
    action = entry.action.removeprefix("dossier.")
    if action not in ACTION_NAMES_VI:
        return None  # a step this version does not know how to show
    details: dict[str, Any] = entry.details or {}
    happened = details.get("happened_at")
    return schemas.HistoryEntryOut(
        at=dt.datetime.fromisoformat(happened) if happened else entry.at,
        action=cast(schemas.HistoryAction, action),
        action_name=ACTION_NAMES_VI[action],
        actor=names.get(entry.actor, entry.actor.partition(":")[2] or entry.actor),
        note=details["note"] if "note" in details else _older_note(session, action, row),
    )


def _older_note(session: orm.Session, action: str, row: models.Dossier) -> str | None:
    """For steps audited before notes were kept: the dossier's latest value, as the best guess."""
    if action in ("supplement_requested", "refused"):
        return row.reason
    if action == "extended":
        return row.extension_reason
    if action == "returned":
        return row.returned_to
    rating = dossiers.rating_of(session, row) if action == "rated" else None
    return dossier.RATING_NAMES_VI[rating.level] if rating else None


BOOK_MAX_DAYS = 366
# Days a period may name: far wider than any centre's records, and narrow enough that the
# day's bounds in Vietnamese time convert to UTC (year 1 would not).
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


def check_period(start: dt.date, end: dt.date, *, max_days: int, what: str) -> None:
    """A 422 naming the field unless ``start``..``end`` is an allowed period of at most ``max_days``."""
    for field, day in (("start", start), ("end", end)):
        if not FIRST_DAY <= day <= LAST_DAY:
            raise InvalidQuery(field, "Ngày phải trong khoảng từ 01/01/2000 đến 31/12/2099.")
    if end < start:
        raise InvalidQuery("end", "Ngày cuối không được trước ngày đầu.")
    if (end - start).days >= max_days:
        raise InvalidQuery("end", f"{what} tối đa {max_days} ngày.")


BOOK_MAX_ROWS = 20_000
# Dossiers read per short read transaction while the book streams out.
BOOK_PAGE = 500
# One page of one book is made at a time in this process: a page is pure CPU work for the
# interpreter, and three books made at once held the GIL from the kiosks' ticket requests.
# Books asked for together take turns page by page; none waits for another to finish.
_ONE_PAGE_AT_A_TIME = threading.Lock()
_BOOK_JSON = pydantic.TypeAdapter(list[schemas.DossierOut])


@dataclasses.dataclass(frozen=True)
class Book:
    """A tracking book to send: its dossiers' ids, in the order received."""

    ids: list[int]


def tracking_book(
    session: orm.Session, *, start: dt.date, end: dt.date, field_id: int | None, centre_id: int | None
) -> Book:
    """The Sổ theo dõi hồ sơ for ``start`` to ``end`` (Vietnamese dates, both included), checked
    before a row is sent: a 422 for a bad period or more than BOOK_MAX_ROWS dossiers.

    Only the ids are read here, in order (a narrow read, sorted once); book_pages then reads
    the dossiers by primary key, a page at a time."""
    check_period(start, end, max_days=BOOK_MAX_DAYS, what="Mỗi lần xem")
    first = dt.datetime.combine(start, dt.time(), tzinfo=calendar.VN_TZ)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=calendar.VN_TZ)
    d = models.Dossier
    stmt = sa.select(d.id).where(d.received_at >= first, d.received_at < after)
    if field_id is not None:
        stmt = stmt.join(models.Procedure).where(models.Procedure.field_id == field_id)
    if centre_id is not None:
        stmt = stmt.where(d.centre_id == centre_id)
    ids = list(session.scalars(stmt.order_by(d.received_at, d.id).limit(BOOK_MAX_ROWS + 1)))
    if len(ids) > BOOK_MAX_ROWS:
        raise InvalidQuery("end", f"Quá {BOOK_MAX_ROWS} hồ sơ; hãy chọn khoảng ngày ngắn hơn.")
    return Book(ids=ids)


def book_pages(database: db.Database, book: Book) -> Iterator[bytes]:
    """The book's dossiers, BOOK_PAGE at a time, each page one query by primary key in a read
    transaction of its own: neither a whole year in memory nor a transaction held open while
    a slow client reads. Each page is the JSON of its DossierOut objects, comma-separated,
    without the brackets; a dossier shows as it is when its page is read."""
    for start in range(0, len(book.ids), BOOK_PAGE):
        ids = book.ids[start : start + BOOK_PAGE]
        with _ONE_PAGE_AT_A_TIME:
            with database.read() as session:
                rows = session.execute(dossiers.listing_select().where(models.Dossier.id.in_(ids))).all()
            by_id = {row.id: row for row in rows}
            views = [dossiers.staff_view(by_id[i]) for i in ids if i in by_id]
            page = _BOOK_JSON.dump_json(views)[1:-1]
        yield page


def book_json(database: db.Database, book: Book) -> Iterator[bytes]:
    """The book as the JSON array of DossierOut a list response would be, page by page."""
    yield b"["
    first = True
    for items in book_pages(database, book):
        if items:
            yield items if first else b"," + items
            first = False
    yield b"]"
