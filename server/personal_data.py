"""Citizens' personal data: kept only as long as it serves (Law 91/2025 on personal data
protection), and given out or erased when a person asks.

What the housekeeping forgets, ``retention_days`` (30) after it stops serving:
- a ticket's link to the citizen's page (its token) and a cancelled ticket's free-text reason,
  once its business day is that old;
- the phone and e-mail of a dossier's applicant and representative, once the dossier ended
  (returned: from its return; refused: from its due time) that long ago. The rest of a dossier
  (who, what, when) is the centre's record and is kept as the archive rules say;
- live events older than a week (the screens need minutes of them; the newest stays, so event
  ids keep growing on SQLite).

``export`` gives everything the server holds about one person (by ID number, in every centre:
it is the province administrator's tool); ``erase`` removes the person from the dossiers that
have ended, and refuses while one is still being processed (the result is still to be returned).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from onestop.enums import DossierStatus
from server import dossier_lookup, dossiers, models, tickets, waits
from server.db import Database

CONTACT = ("phone", "email")
KEEP_EVENTS = dt.timedelta(days=7)
ENDED = (DossierStatus.RETURNED, DossierStatus.REFUSED)
ERASED_NAME = "(đã xóa theo yêu cầu)"


@dataclasses.dataclass(frozen=True)
class Purged:
    tickets: int
    dossiers: int
    events: int


def purge(db: Database, *, now: dt.datetime, days: int) -> Purged:
    """Forget what has served its time (see the module's docstring); how much was forgotten."""
    before = now - dt.timedelta(days=days)
    with db.write() as session:
        ticket = models.table(models.Ticket)
        cleared = session.execute(
            sa.update(ticket)
            .where(
                ticket.c.business_day < waits.business_day(before),
                sa.or_(ticket.c.public_token.is_not(None), ticket.c.cancel_reason.is_not(None)),
            )
            .values(public_token=None, cancel_reason=None)
        )
        contacts = sum(_forget_contacts(row) for row in session.scalars(_ended_with_contacts(before)))
        events = _purge_events(session, now - KEEP_EVENTS)
    return Purged(tickets=_count(cleared), dossiers=contacts, events=events)


def _ended_with_contacts(before: dt.datetime) -> sa.Select[models.Dossier]:
    d = models.Dossier
    ended_at = sa.case((d.status == DossierStatus.RETURNED, d.returned_at), else_=d.due_at)
    # The JSON as text: where a contact key is still there (the same test on SQLite and PostgreSQL).
    holds = sa.or_(
        *(
            sa.cast(column, sa.Text).contains(f'"{key}"')
            for column in (d.applicant, d.representative)
            for key in CONTACT
        )
    )
    return sa.select(d).where(d.status.in_(ENDED), ended_at < before, holds)


def _forget_contacts(row: models.Dossier) -> bool:
    changed = False
    for name in ("applicant", "representative"):
        person = getattr(row, name)
        if person and any(key in person for key in CONTACT):
            setattr(row, name, {key: value for key, value in person.items() if key not in CONTACT})
            changed = True
    return changed


def _purge_events(session: orm.Session, before: dt.datetime) -> int:
    event = models.table(models.Event)
    newest = sa.select(sa.func.max(event.c.id)).scalar_subquery()
    return _count(session.execute(sa.delete(event).where(event.c.created_at < before, event.c.id < newest)))


def _count(result: sa.Result[Any]) -> int:
    return result.rowcount if isinstance(result, sa.CursorResult) else 0


def _of(id_number: str) -> sa.Select[models.Dossier]:
    """The dossiers a person filed or filed for someone (as representative), oldest first."""
    d = models.Dossier
    as_representative = sa.cast(d.representative, sa.Text).contains(f'"{id_number}"')
    return sa.select(d).where(sa.or_(d.applicant_id_number == id_number, as_representative)).order_by(d.id)


def _theirs(session: orm.Session, id_number: str) -> list[models.Dossier]:
    rows = session.scalars(_of(id_number)).all()
    return [
        row
        for row in rows
        if row.applicant_id_number == id_number or (row.representative or {}).get("id_number") == id_number
    ]


def export(db: Database, *, id_number: str) -> dict[str, Any]:
    """Everything about the person: each dossier in full, its centre and its history."""
    with db.read() as session:
        found = []
        for row in _theirs(session, id_number):
            centre = session.get_one(models.Centre, row.centre_id)
            shown = dossiers.to_out(session, row, full=True).model_dump(mode="json", exclude={"public_token"})
            steps = dossier_lookup.history(session, row=row)
            found.append(
                shown | {"centre": centre.name, "history": [step.model_dump(mode="json") for step in steps]}
            )
    return {"id_number": id_number, "dossiers": found}


class StillInProgress(Exception):
    """The person has dossiers not ended yet: their data is needed to finish them."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(", ".join(codes))
        self.codes = codes


def erase(db: Database, *, id_number: str, now: dt.datetime, actor: str) -> list[str]:
    """Remove the person from every dossier of theirs, all of which must have ended; the codes.

    The dossiers stay (code, procedure, times, status, rating) for the centre's records and
    reports; the person's name, numbers, address and contacts go, and so does the name of who
    collected the result.
    """
    with db.write() as session:
        rows = _theirs(session, id_number)
        open_ = [row.code for row in rows if row.status not in ENDED]
        if open_:
            raise StillInProgress(open_)
        for row in rows:
            if row.applicant_id_number == id_number:
                kind = row.applicant.get("kind", "person")
                row.applicant = {"kind": kind, "full_name": ERASED_NAME, "id_number": ""}
                row.applicant_id_number = None
            if (row.representative or {}).get("id_number") == id_number:
                row.representative = None
            row.returned_to = None  # the applicant or their representative, in the end
            _forget_notes(session, row.code)
        codes = [row.code for row in rows]
        tickets.audit(
            session,
            now=now,
            actor=actor,
            action="personal_data.erased",
            target="personal-data",
            details={"dossiers": codes},
        )
    return codes


def _forget_notes(session: orm.Session, code: str) -> None:
    """The collector's name in the dossier's history (the note of its return)."""
    entries = session.scalars(
        sa.select(models.AuditEntry).where(
            models.AuditEntry.target == code, models.AuditEntry.action == "dossier.returned"
        )
    )
    for entry in entries:
        entry.details = {**(entry.details or {}), "note": None}
