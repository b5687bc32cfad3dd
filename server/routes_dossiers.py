"""/api/v1/dossiers: intake, its life cycle, and the public status look-up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Header, Response

from onestop import errors
from server import dossiers, models, schemas
from server.auth import Principal
from server.deps import OptionalPrincipal, Staff, State

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


@router.get("/{code}", response_model=schemas.DossierOut)
def get(code: str, app: State, principal: OptionalPrincipal) -> schemas.DossierOut:
    """Public: status and due date by code; personal data in full only for staff."""
    with app.db.read() as session:
        return dossiers.to_out(session, dossiers.get(session, code), full=_is_staff(principal))


def _is_staff(principal: Principal | None) -> bool:
    return principal is not None and principal.user is not None


def _act(
    app: State, principal: Principal, func: Callable[..., models.Dossier], code: str, **kwargs: Any
) -> schemas.DossierOut:
    if principal.user is None:
        raise errors.Forbidden("Chỉ cán bộ được thao tác trên hồ sơ.")
    with app.db.write() as session:
        row = func(session, principal=principal, code=code, now=app.settings.clock(), **kwargs)
        return dossiers.to_out(session, row, full=True)


@router.post("/{code}/supplement-request", response_model=schemas.DossierOut)
def supplement_request(
    code: str, body: schemas.SupplementIn, app: State, principal: Staff
) -> schemas.DossierOut:
    return _act(app, principal, dossiers.request_supplement, code, body=body)


@router.post("/{code}/supplemented", response_model=schemas.DossierOut)
def supplemented(code: str, app: State, principal: Staff) -> schemas.DossierOut:
    return _act(app, principal, dossiers.supplemented, code)


@router.post("/{code}/refuse", response_model=schemas.DossierOut)
def refuse(code: str, body: schemas.ReasonIn, app: State, principal: Staff) -> schemas.DossierOut:
    return _act(app, principal, dossiers.refuse, code, reason=body.reason)


@router.post("/{code}/extend", response_model=schemas.DossierOut)
def extend(code: str, body: schemas.ExtendIn, app: State, principal: Staff) -> schemas.DossierOut:
    return _act(app, principal, dossiers.extend, code, body=body)


@router.post("/{code}/ready", response_model=schemas.DossierOut)
def ready(code: str, app: State, principal: Staff) -> schemas.DossierOut:
    return _act(app, principal, dossiers.ready, code)


@router.post("/{code}/return", response_model=schemas.DossierOut)
def return_result(code: str, body: schemas.ReturnIn, app: State, principal: Staff) -> schemas.DossierOut:
    return _act(app, principal, dossiers.return_result, code, body=body)


@router.post("/{code}/rating", response_model=schemas.DossierOut)
def rating(code: str, body: schemas.RatingIn, app: State, principal: Staff) -> schemas.DossierOut:
    return _act(app, principal, dossiers.rate, code, body=body)
