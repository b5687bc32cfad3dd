"""/api/v1/dossiers: intake, its life cycle, and the public status look-up."""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Callable
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy import orm

from onestop import errors
from server import dossier_lookup, dossiers, models, replies, schemas
from server.auth import Principal
from server.deps import OptionalPrincipal, Staff, State, check_rate, client_address

router = APIRouter(prefix="/dossiers")
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=128,
        description="A fresh random key per dossier; a retry with the same key returns the same dossier",
    ),
]
OptionalKey = replies.OptionalKey


@router.post("", status_code=201, response_model=schemas.DossierOut)
def create(
    body: schemas.DossierIn, key: IdempotencyKey, app: State, principal: Staff, response: Response
) -> schemas.DossierOut:
    now = app.settings.clock()
    with app.db.read() as session:
        earlier = dossiers.find_by_key(session, key, body)
        if earlier is not None:
            response.status_code = 200
            return dossiers.to_out(session, earlier, full=True)
    try:
        with app.db.write() as session:
            row = dossiers.intake(session, principal=principal, body=body, key=key, now=now)
            return dossiers.to_out(session, row, full=True)
    except sa.exc.IntegrityError:
        # A concurrent retry with the same key won the race: answer with its dossier.
        with app.db.read() as session:
            earlier = dossiers.find_by_key(session, key, body)
            if earlier is None:
                raise
            response.status_code = 200
            return dossiers.to_out(session, earlier, full=True)


@router.get("/tracking-book", response_model=list[schemas.DossierOut])
def tracking_book(
    start: dt.date,
    end: dt.date,
    app: State,
    principal: Staff,
    field_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> Response:
    """Staff: the Sổ theo dõi hồ sơ — dossiers received from ``start`` to ``end`` (dates in
    Vietnamese time, both included, at most a year and 20,000 dossiers), of one field if
    given, in order received. Streamed: a year is sent as it is read, a page at a time."""
    centre_id = _own_centre(principal)
    with app.db.read() as session:
        book = dossier_lookup.tracking_book(
            session, start=start, end=end, field_id=field_id, centre_id=centre_id
        )
    return StreamingResponse(dossier_lookup.book_json(app.db, book), media_type="application/json")


Token = Annotated[
    str | None,
    Query(
        min_length=8,
        max_length=24,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The receipt's token (in its QR): the masked details, not only the status",
    ),
]
LOOKUP_FLOOD = "Tra cứu quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau ít phút."


@router.get("/{code}", response_model=schemas.DossierOut)
def get(
    code: str, app: State, principal: OptionalPrincipal, request: Request, token: Token = None
) -> schemas.DossierOut:
    """A dossier by its code. Staff of its centre: in full (another centre's dossier is not
    found). A kiosk of its centre, or anyone with the receipt's token: personal data masked.
    Anyone else: only the status and due time. Look-ups without a staff sign-in are
    rate-limited per client address (or device)."""
    if principal is not None and principal.user is not None:
        with app.db.read() as session:
            return dossiers.to_out(session, dossiers.get(session, code, principal=principal), full=True)
    who = f"device:{principal.device.id}" if principal is not None and principal.device else None
    check_rate(app.lookups, who or f"address:{client_address(request)}", LOOKUP_FLOOD)
    with app.db.read() as session:
        row = dossiers.get(session, code)
        holder = (
            token is not None
            and row.public_token is not None
            and hmac.compare_digest(token, row.public_token)
        )
        if holder or (principal is not None and principal.oversees(row.centre_id)):
            return dossiers.to_out(session, row, full=False)
        return dossiers.status_out(row)


@router.get("", response_model=list[schemas.DossierOut])
def by_id_number(
    id_number: Annotated[str, Query(max_length=64, description="The applicant's ID number or tax code")],
    app: State,
    principal: Staff,
) -> list[schemas.DossierOut]:
    """Staff: the applicant's newest dossiers (at most 20) at the officer's own centre."""
    number = dossier_lookup.normalize_id_number(id_number)
    centre_id = _own_centre(principal)
    with app.db.read() as session:
        rows = dossier_lookup.by_id_number(session, id_number=number, centre_id=centre_id)
        return [dossiers.to_out(session, row, full=True) for row in rows]


@router.get("/{code}/history", response_model=list[schemas.HistoryEntryOut])
def history(code: str, app: State, principal: Staff) -> list[schemas.HistoryEntryOut]:
    """Staff: every step of the dossier, in order, with who did it."""
    with app.db.read() as session:
        return dossier_lookup.history(session, row=dossiers.get(session, code, principal=principal))


def _own_centre(principal: Principal) -> int | None:
    """The centre whose dossiers a staff list shows: the caller's; all for an administrator
    of the province without one."""
    if principal.centre_id is None and not principal.sees_all_centres:
        raise errors.Forbidden("Tài khoản này chưa thuộc trung tâm nào.")
    return principal.centre_id


def _act(
    app: State,
    principal: Principal,
    sent: replies.Request | None,
    func: Callable[..., models.Dossier],
    code: str,
    **kwargs: Any,
) -> schemas.DossierOut | Response:
    if principal.user is None:
        raise errors.Forbidden("Chỉ cán bộ được thao tác trên hồ sơ.")
    now = app.settings.clock()

    def act(session: orm.Session) -> schemas.DossierOut:
        row = func(session, principal=principal, code=code, now=now, **kwargs)
        return dossiers.to_out(session, row, full=True)

    if sent is None:
        with app.db.write() as session:
            return act(session)
    # Lock the dossier first: a resend that raced the first send waits there, then finds its reply.
    return replies.once(
        app.db,
        sent,
        act,
        user_id=principal.user_id,
        now=now,
        lock=lambda session: dossiers.get(session, code, principal=principal, lock=True),
    )


@router.post("/{code}/supplement-request", response_model=schemas.DossierOut)
def supplement_request(
    code: str,
    body: schemas.SupplementIn,
    app: State,
    principal: Staff,
    request: Request,
    key: OptionalKey = None,
) -> schemas.DossierOut | Response:
    return _act(
        app, principal, replies.sent(request, key, body), dossiers.request_supplement, code, body=body
    )


@router.post("/{code}/supplemented", response_model=schemas.DossierOut)
def supplemented(
    code: str, app: State, principal: Staff, request: Request, key: OptionalKey = None
) -> schemas.DossierOut | Response:
    return _act(app, principal, replies.sent(request, key), dossiers.supplemented, code)


@router.post("/{code}/refuse", response_model=schemas.DossierOut)
def refuse(
    code: str, body: schemas.ReasonIn, app: State, principal: Staff, request: Request, key: OptionalKey = None
) -> schemas.DossierOut | Response:
    return _act(app, principal, replies.sent(request, key, body), dossiers.refuse, code, reason=body.reason)


@router.post("/{code}/extend", response_model=schemas.DossierOut)
def extend(
    code: str, body: schemas.ExtendIn, app: State, principal: Staff, request: Request, key: OptionalKey = None
) -> schemas.DossierOut | Response:
    return _act(app, principal, replies.sent(request, key, body), dossiers.extend, code, body=body)


@router.post("/{code}/ready", response_model=schemas.DossierOut)
def ready(
    code: str, app: State, principal: Staff, request: Request, key: OptionalKey = None
) -> schemas.DossierOut | Response:
    return _act(app, principal, replies.sent(request, key), dossiers.ready, code)


@router.post("/{code}/return", response_model=schemas.DossierOut)
def return_result(
    code: str, body: schemas.ReturnIn, app: State, principal: Staff, request: Request, key: OptionalKey = None
) -> schemas.DossierOut | Response:
    return _act(app, principal, replies.sent(request, key, body), dossiers.return_result, code, body=body)


@router.post("/{code}/rating", response_model=schemas.DossierOut)
def rating(
    code: str, body: schemas.RatingIn, app: State, principal: Staff, request: Request, key: OptionalKey = None
) -> schemas.DossierOut | Response:
    return _act(app, principal, replies.sent(request, key, body), dossiers.rate, code, body=body)
