"""Dossier operations: intake with a server-assigned code and due time, then its life cycle."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from onestop import calendar, dossier, errors, identity
from onestop.enums import DossierStatus, Role, TicketStatus
from server import events, models, schemas, tickets
from server.auth import Principal
from server.tickets import next_sequence


@functools.lru_cache(maxsize=16)
def _calendar(
    office_hours: str, days_off: tuple[dt.date, ...], working_days: tuple[dt.date, ...]
) -> calendar.WorkCalendar:
    # Cached by value: python-holidays is costly to build and the inputs rarely change.
    return calendar.WorkCalendar(
        office_hours=calendar.OfficeHours.parse(office_hours),
        extra_days_off=days_off,
        extra_working_days=working_days,
    )


def work_calendar(session: orm.Session, centre: models.Centre) -> calendar.WorkCalendar:
    overrides = session.execute(
        sa.select(models.CalendarOverride.day, models.CalendarOverride.working).order_by(
            models.CalendarOverride.day
        )
    ).all()
    return _calendar(
        centre.office_hours,
        tuple(day for day, working in overrides if not working),
        tuple(day for day, working in overrides if working),
    )


def get(
    session: orm.Session, code: str, *, principal: Principal | None = None, lock: bool = False
) -> models.Dossier:
    """The dossier with this code. Given a principal, only one of the centres it oversees:
    another centre's dossier is "not found" alike, so a code never confirms that a dossier
    exists elsewhere."""
    stmt = sa.select(models.Dossier).where(models.Dossier.code == code)
    found = session.scalar(stmt.with_for_update() if lock else stmt)
    if found is None or (principal is not None and not principal.oversees(found.centre_id)):
        raise errors.NotFound(f"Không tìm thấy hồ sơ có mã {code}.")
    return found


# A time the counter PC recorded and sent from its outbox later: an outbox held over a long
# weekend is at most this old; a PC clock may run this much ahead of the server's.
RECORDED_MAX_AGE = dt.timedelta(hours=72)
RECORDED_MAX_AHEAD = dt.timedelta(minutes=2)


def check_recorded_time(*, field: str, recorded: dt.datetime, now: dt.datetime) -> dt.datetime:
    """``recorded`` if it lies within [now - 72 h, now + 2 min], else InvalidValue on ``field``."""
    if recorded > now + RECORDED_MAX_AHEAD:
        raise errors.InvalidValue(field, "Thời điểm ghi nhận không được ở tương lai.")
    if recorded < now - RECORDED_MAX_AGE:
        raise errors.InvalidValue(field, "Thời điểm ghi nhận đã quá 72 giờ; không thể ghi nhận muộn như vậy.")
    return recorded


def _record(
    session: orm.Session,
    *,
    principal: Principal,
    now: dt.datetime,
    action: str,
    row: models.Dossier,
    note: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Audit and event for one step; ``at`` is when it happened if the counter PC recorded it."""
    payload = {
        "code": row.code,
        "status": row.status.value,
        "procedure_id": row.procedure_id,
        "due_at": row.due_at.isoformat(),
        "counter_id": row.counter_id,
    }
    session.add(
        models.AuditEntry(
            at=now,
            actor=principal.actor,
            action=f"dossier.{action}",
            target=row.code,
            # The note (a reason, who took the result) stays off the event stream the halls see.
            details=payload | {"note": note, "happened_at": (at or now).isoformat()},
        )
    )
    events.append(
        session,
        type=f"dossier.{action}",
        now=now,
        payload=payload,
        centre_id=row.centre_id,
        counter_id=row.counter_id,
    )


def _request_hash(body: schemas.DossierIn) -> str:
    return hashlib.sha256(
        json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def find_by_key(session: orm.Session, key: str, body: schemas.DossierIn) -> models.Dossier | None:
    """The dossier an earlier try with this Idempotency-Key created, if any."""
    found = session.scalar(sa.select(models.Dossier).where(models.Dossier.idempotency_key == key))
    if found is not None and found.request_hash != _request_hash(body):
        raise errors.IllegalTransition(
            "Khóa Idempotency-Key này đã dùng cho một hồ sơ khác; hãy tạo khóa mới cho hồ sơ mới."
        )
    return found


def _intake_ticket(
    session: orm.Session, principal: Principal, ticket_id: int | None
) -> tuple[models.Ticket | None, int | None]:
    if ticket_id is None:
        return None, None
    ticket = session.get(models.Ticket, ticket_id)
    if ticket is None:
        raise errors.NotFound(f"Không tìm thấy vé số hiệu {ticket_id}.")
    if ticket.status not in (TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.DONE):
        raise errors.IllegalTransition(f"Số {ticket.number} chưa được gọi vào quầy để tiếp nhận hồ sơ.")
    tickets.check_ticket_centre(principal, ticket)
    counter = session.get(models.Counter, ticket.counter_id) if ticket.counter_id else None
    if not principal.is_manager and (counter is None or counter.officer_id != principal.user_id):
        raise errors.Forbidden(f"Số {ticket.number} không được phục vụ tại quầy của bạn.")
    return ticket, ticket.counter_id


def intake(
    session: orm.Session, *, principal: Principal, body: schemas.DossierIn, key: str, now: dt.datetime
) -> models.Dossier:
    procedure = session.get(models.Procedure, body.procedure_id)
    if procedure is None:
        raise errors.NotFound(f"Không tìm thấy thủ tục số hiệu {body.procedure_id}.")
    ticket, counter_id = _intake_ticket(session, principal, body.ticket_id)
    centre = session.get_one(models.Centre, ticket.centre_id if ticket else _user_centre(session, principal))
    received_at = _received_at(body, now)
    if received_at > now + dt.timedelta(minutes=5):
        raise errors.InvalidValue("received_at", "Thời điểm tiếp nhận không được ở tương lai.")
    due_at = work_calendar(session, centre).due_at(
        received_at=received_at, working_days=procedure.processing_days, cutoff=procedure.cutoff
    )
    agency_code = procedure.field.agency.id_code or centre.agency_code
    local_day = received_at.astimezone(calendar.VN_TZ).date()
    seq = next_sequence(session, scope=f"dossier:{agency_code}", day=local_day)
    row = models.Dossier(
        code=dossier.format_code(agency_code=agency_code, day=local_day, seq=seq),
        idempotency_key=key,
        public_token=tickets.public_token(),
        request_hash=_request_hash(body),
        centre_id=centre.id,
        procedure_id=procedure.id,
        ticket_id=ticket.id if ticket else None,
        counter_id=counter_id,
        officer_id=principal.user_id,
        channel=body.channel,
        status=DossierStatus.RECEIVED,
        applicant=body.applicant.model_dump(mode="json"),
        applicant_id_number=body.applicant.id_number,
        representative=body.representative.model_dump(mode="json") if body.representative else None,
        documents=[d.model_dump(mode="json") for d in body.documents],
        sets=body.sets,
        fee_collected=body.fee_collected,
        return_method=body.return_method,
        received_at=received_at,
        due_at=due_at,
    )
    session.add(row)
    session.flush()
    _record(session, principal=principal, now=now, action="received", row=row, at=received_at)
    return row


def _received_at(body: schemas.DossierIn, now: dt.datetime) -> dt.datetime:
    """The postmark or portal time if given, else when the counter PC recorded it, else now.

    The schema requires a postmark for post and refuses received_at at the counter.
    """
    recorded = body.recorded_at
    if recorded is not None:
        check_recorded_time(field="recorded_at", recorded=recorded, now=now)
    return body.received_at or recorded or now


def _user_centre(session: orm.Session, principal: Principal) -> int:
    """The centre a dossier taken in without a ticket belongs to: the officer's own; for an
    administrator of the province without one, the first centre."""
    if principal.centre_id is not None:
        return principal.centre_id
    if not principal.sees_all_centres:
        raise errors.Forbidden("Tài khoản này chưa thuộc trung tâm nào.")
    first = session.scalar(sa.select(models.Centre.id).order_by(models.Centre.id).limit(1))
    if first is None:
        raise errors.NotFound("Chưa có trung tâm nào được cấu hình.")
    return first


def _transition(
    session: orm.Session, principal: Principal, code: str, target: DossierStatus
) -> models.Dossier:
    row = get(session, code, principal=principal, lock=True)
    dossier.check_transition(row.code, row.status, target)
    return row


def request_supplement(
    session: orm.Session, *, principal: Principal, code: str, body: schemas.SupplementIn, now: dt.datetime
) -> models.Dossier:
    row = _transition(session, principal, code, DossierStatus.SUPPLEMENT_REQUESTED)
    row.status = DossierStatus.SUPPLEMENT_REQUESTED
    row.supplement_items = [item.model_dump(mode="json") for item in body.items]
    row.reason = body.reason
    session.flush()
    _record(session, principal=principal, now=now, action="supplement_requested", row=row, note=body.reason)
    return row


def supplemented(
    session: orm.Session, *, principal: Principal, code: str, now: dt.datetime
) -> models.Dossier:
    """The citizen brought what was asked: processing time counts again from now."""
    row = _transition(session, principal, code, DossierStatus.RECEIVED)
    centre = session.get_one(models.Centre, row.centre_id)
    row.status = DossierStatus.RECEIVED
    row.received_at = now
    row.due_at = work_calendar(session, centre).due_at(
        received_at=now, working_days=row.procedure.processing_days, cutoff=row.procedure.cutoff
    )
    session.flush()
    _record(session, principal=principal, now=now, action="supplemented", row=row)
    return row


def refuse(
    session: orm.Session, *, principal: Principal, code: str, reason: str, now: dt.datetime
) -> models.Dossier:
    row = _transition(session, principal, code, DossierStatus.REFUSED)
    row.status = DossierStatus.REFUSED
    row.reason = reason
    session.flush()
    _record(session, principal=principal, now=now, action="refused", row=row, note=reason)
    return row


def extend(
    session: orm.Session, *, principal: Principal, code: str, body: schemas.ExtendIn, now: dt.datetime
) -> models.Dossier:
    row = get(session, code, principal=principal, lock=True)
    if row.status is not DossierStatus.RECEIVED:
        raise errors.IllegalTransition(f"Chỉ gia hạn được hồ sơ đang giải quyết; hồ sơ {code} thì không.")
    dossier.check_extension(
        code=row.code,
        already_extended=row.original_due_at is not None,
        now=now,
        due_at=row.due_at,
        new_due_at=body.new_due_at,
    )
    row.original_due_at = row.due_at
    row.due_at = body.new_due_at
    row.extension_reason = body.reason
    session.flush()
    _record(session, principal=principal, now=now, action="extended", row=row, note=body.reason)
    return row


def ready(session: orm.Session, *, principal: Principal, code: str, now: dt.datetime) -> models.Dossier:
    row = _transition(session, principal, code, DossierStatus.READY)
    row.status = DossierStatus.READY
    row.ready_at = now
    session.flush()
    _record(session, principal=principal, now=now, action="ready", row=row)
    return row


def return_result(
    session: orm.Session, *, principal: Principal, code: str, body: schemas.ReturnIn, now: dt.datetime
) -> models.Dossier:
    row = _transition(session, principal, code, DossierStatus.RETURNED)
    returned_at = _returned_at(row, body.returned_at, now)
    row.status = DossierStatus.RETURNED
    row.returned_at = returned_at
    row.returned_to = body.returned_to
    if body.method is not None:  # otherwise the way the applicant chose at intake
        row.return_method = body.method
    session.flush()
    _record(
        session,
        principal=principal,
        now=now,
        action="returned",
        row=row,
        note=body.returned_to,
        at=returned_at,
    )
    return row


def _returned_at(row: models.Dossier, recorded: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if recorded is None:
        return now
    check_recorded_time(field="returned_at", recorded=recorded, now=now)
    if recorded < row.received_at:
        raise errors.InvalidValue(
            "returned_at", "Thời điểm trả kết quả không được trước thời điểm tiếp nhận hồ sơ."
        )
    return recorded


def rate(
    session: orm.Session, *, principal: Principal, code: str, body: schemas.RatingIn, now: dt.datetime
) -> models.Dossier:
    row = get(session, code, principal=principal, lock=True)
    if row.status is not DossierStatus.RETURNED:
        raise errors.IllegalTransition(f"Hồ sơ {code} chưa trả kết quả nên chưa thể đánh giá.")
    if rating_of(session, row) is not None:
        raise errors.IllegalTransition(f"Hồ sơ {code} đã được đánh giá.")
    dossier.check_rating(body.level, body.reason)
    rated_at = now
    if body.rated_at is not None:
        rated_at = check_recorded_time(field="rated_at", recorded=body.rated_at, now=now)
    session.add(
        models.DossierRating(
            dossier_id=row.id,
            level=body.level,
            reason=body.reason,
            officer_id=row.officer_id,
            created_at=rated_at,
        )
    )
    session.flush()
    note = dossier.RATING_NAMES_VI[body.level] + (f": {body.reason}" if body.reason else "")
    _record(session, principal=principal, now=now, action="rated", row=row, note=note, at=rated_at)
    return row


def rating_of(session: orm.Session, row: models.Dossier) -> models.DossierRating | None:
    return session.scalar(sa.select(models.DossierRating).where(models.DossierRating.dossier_id == row.id))


def status_out(row: models.Dossier) -> schemas.DossierOut:
    """What anyone may know of a dossier by its code alone: its status and due time."""
    return schemas.DossierOut(
        code=row.code, status=row.status, status_name=dossier.STATUS_NAMES_VI[row.status], due_at=row.due_at
    )


def to_out(session: orm.Session, row: models.Dossier, *, full: bool) -> schemas.DossierOut:
    """The dossier as the API shows it; ``full`` only for staff, masked for the public."""
    done_at = row.ready_at or row.returned_at
    timeliness = None
    if done_at is not None:
        timeliness = dossier.classify_timeliness(due_at=row.due_at, done_at=done_at).value
    rating = rating_of(session, row)
    applicant = (
        dict(row.applicant)
        if full
        else {
            "full_name": identity.mask_name(row.applicant["full_name"]),
            "id_number": identity.mask_id_number(row.applicant["id_number"]),
        }
    )
    out = schemas.DossierOut(
        code=row.code,
        status=row.status,
        status_name=dossier.STATUS_NAMES_VI[row.status],
        procedure_id=row.procedure_id,
        procedure_name=row.procedure.name,
        agency_name=row.procedure.field.agency.name,
        channel=row.channel,
        received_at=row.received_at,
        due_at=row.due_at,
        original_due_at=row.original_due_at,
        ready_at=row.ready_at,
        returned_at=row.returned_at,
        timeliness=timeliness,
        applicant=applicant,
        return_method=row.return_method,
        rating=schemas.RatingOut(level=rating.level, reason=rating.reason, created_at=rating.created_at)
        if rating and full
        else None,
    )
    if full:
        out.representative = row.representative
        out.documents = [schemas.DocumentOut(**d) for d in row.documents]
        out.sets, out.fee_collected, out.ticket_id = row.sets, row.fee_collected, row.ticket_id
        out.supplement_items, out.reason = row.supplement_items, row.reason
        out.extension_reason, out.returned_to = row.extension_reason, row.returned_to
        out.public_token = row.public_token
    elif row.status in (DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.REFUSED):
        out.reason = row.reason  # the citizen needs to know what to bring or why
        if row.status is DossierStatus.SUPPLEMENT_REQUESTED:
            out.supplement_items = row.supplement_items  # papers, not personal data
    return out


# ---------------------------------------------------------------- many at once


def listing_select() -> sa.Select[*tuple[Any, ...]]:
    """Every column the staff view of a dossier shows, with its procedure's and agency's names
    and its rating: many dossiers in one query each page, without loading them as objects
    (a year's tracking book is 20,000 of them). staff_view turns a row into the view."""
    d, r, p = models.Dossier, models.DossierRating, models.Procedure
    return (
        sa.select(
            d.id,
            d.code,
            d.status,
            d.procedure_id,
            d.channel,
            d.received_at,
            d.due_at,
            d.original_due_at,
            d.ready_at,
            d.returned_at,
            d.applicant,
            d.representative,
            d.documents,
            d.sets,
            d.fee_collected,
            d.return_method,
            d.ticket_id,
            d.supplement_items,
            d.reason,
            d.extension_reason,
            d.returned_to,
            d.public_token,
            p.name.label("procedure_name"),
            models.Agency.name.label("agency_name"),
            r.level.label("rating_level"),
            r.reason.label("rating_reason"),
            r.created_at.label("rated_at"),
        )
        .join(p, p.id == d.procedure_id)
        .join(models.Field, models.Field.id == p.field_id)
        .join(models.Agency, models.Agency.id == models.Field.agency_id)
        .outerjoin(r, r.dossier_id == d.id)
    )


def staff_view(row: sa.Row[Any]) -> schemas.DossierOut:
    """A row of listing_select as to_out(full=True) shows its dossier (the tests hold the two
    equal), built in one go."""
    done_at = row.ready_at or row.returned_at
    rating = None
    if row.rating_level is not None:
        rating = schemas.RatingOut(level=row.rating_level, reason=row.rating_reason, created_at=row.rated_at)
    return schemas.DossierOut(
        code=row.code,
        status=row.status,
        status_name=dossier.STATUS_NAMES_VI[row.status],
        procedure_id=row.procedure_id,
        procedure_name=row.procedure_name,
        agency_name=row.agency_name,
        channel=row.channel,
        received_at=row.received_at,
        due_at=row.due_at,
        original_due_at=row.original_due_at,
        ready_at=row.ready_at,
        returned_at=row.returned_at,
        timeliness=dossier.classify_timeliness(due_at=row.due_at, done_at=done_at).value if done_at else None,
        applicant=row.applicant,
        return_method=row.return_method,
        rating=rating,
        representative=row.representative,
        documents=row.documents,
        sets=row.sets,
        fee_collected=row.fee_collected,
        ticket_id=row.ticket_id,
        supplement_items=row.supplement_items,
        reason=row.reason,
        extension_reason=row.extension_reason,
        returned_to=row.returned_to,
        public_token=row.public_token,
    )


STAFF = (Role.ADMIN, Role.SUPERVISOR, Role.OFFICER)
