"""/api/v1 routes for sign-in, the public catalogue, devices and health."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy import orm

from onestop import errors, textfold
from server import auth, events, models, schemas, signin, throttle, tickets, views
from server.deps import AnyDevice, Manager, Staff, State

router = APIRouter()
# Ids are INTEGER columns: a larger number is a 422 naming the parameter, not a database error.
MAX_ID = 2**31 - 1
IdQuery = Annotated[int | None, Query(le=MAX_ID)]
# PostgreSQL text cannot hold NUL; refusing it here gives the same 422 on every database.
SearchText = Annotated[str, Query(max_length=500, pattern=r"^[^\x00]*$")]


@router.get("/healthz", tags=["health"])
def healthz(app: State) -> dict[str, Any]:
    with app.db.read() as session:
        session.execute(sa.text("SELECT 1"))
    return {"status": "ok", "time": schemas._local(app.settings.clock())}


@router.post("/auth/login", response_model=schemas.TokenOut)
async def login(body: schemas.LoginIn, request: Request, app: State) -> schemas.TokenOut:
    """A bearer token for the right password. Throttled per client address and per (address,
    username), never per account alone: 429 with Retry-After while this address must wait;
    503 with Retry-After when the server is busy checking other passwords (server/signin.py)."""
    # As Uvicorn gives it (behind the proxy: from X-Forwarded-For); the column holds 64.
    address = (request.client.host if request.client is not None else "")[:64]
    slots = throttle.hash_slots(request.app.state, app.settings)
    return await signin.sign_in(app, slots, address=address, username=body.username, password=body.password)


@router.post("/auth/logout", status_code=204)
def logout(app: State, principal: Staff) -> Response:
    """Sign out: the caller's access token stops working at once, on every server process,
    and the live streams opened with it end."""
    # Staff are signed-in users: each request carries a token of theirs.
    assert principal.user is not None
    assert principal.token_id is not None
    now = app.settings.clock()
    username = principal.user.username
    with app.db.write() as session:
        auth.logout(session, token_id=principal.token_id)
        tickets.audit(
            session, now=now, actor=principal.actor, action="auth.logout", target=username, details={}
        )
        events.append(session, type=events.SESSION_ENDED, now=now, payload={"token_id": principal.token_id})
    app.principals.clear()
    return Response(status_code=204)


@router.get("/centres", response_model=list[schemas.CentreOut])
def centres(app: State) -> list[schemas.CentreOut]:
    with app.db.read() as session:
        rows = session.scalars(sa.select(models.Centre).order_by(models.Centre.id)).all()
        return [views.centre_out(row) for row in rows]


@router.put("/centres/{centre_id}/notice", response_model=schemas.CentreOut)
def set_notice(
    centre_id: Annotated[int, Path(le=MAX_ID)], body: schemas.NoticeIn, app: State, principal: Manager
) -> schemas.CentreOut:
    """The line that scrolls along the foot of the centre's hall screens; empty clears it."""
    now = app.settings.clock()
    with app.db.write() as session:
        centre = session.get(models.Centre, centre_id)
        if centre is None:
            raise errors.NotFound(f"Không tìm thấy trung tâm số hiệu {centre_id}.")
        if not principal.oversees(centre.id):
            raise errors.Forbidden("Chỉ được đặt thông báo cho trung tâm của mình.")
        centre.notice = body.notice
        payload = {"centre_id": centre.id, "notice": body.notice}
        tickets.audit(
            session,
            now=now,
            actor=principal.actor,
            action="centre.notice",
            target=centre.code,
            details=payload,
        )
        events.append(session, type="centre.notice", now=now, payload=payload, centre_id=centre.id)
        return views.centre_out(centre)


@router.get("/priority-groups", response_model=list[schemas.PriorityGroupOut])
def priority_groups(app: State) -> list[schemas.PriorityGroupOut]:
    with app.db.read() as session:
        rows = session.scalars(sa.select(models.PriorityGroup).order_by(models.PriorityGroup.id)).all()
        return [schemas.PriorityGroupOut(code=r.code, name=r.name) for r in rows]


@router.get("/agencies")
def agencies(app: State) -> list[dict[str, Any]]:
    with app.db.read() as session:
        rows = session.scalars(sa.select(models.Agency).order_by(models.Agency.name)).all()
        fields = session.scalars(sa.select(models.Field).order_by(models.Field.name)).all()
        return [
            {
                "id": a.id,
                "code": a.code,
                "name": a.name,
                "fields": [
                    {"id": f.id, "code": f.code, "name": f.name} for f in fields if f.agency_id == a.id
                ],
            }
            for a in rows
        ]


def _procedures(session: orm.Session) -> sa.Select[models.Procedure]:
    return sa.select(models.Procedure).options(
        orm.joinedload(models.Procedure.field).joinedload(models.Field.agency)
    )


@router.get("/procedures", response_model=list[schemas.ProcedureOut])
def procedures(
    app: State,
    q: SearchText = "",
    agency_id: IdQuery = None,
    field_id: IdQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[schemas.ProcedureOut]:
    """Search that ignores diacritics: "ly lich tu phap" finds "Lý lịch tư pháp"."""
    with app.db.read() as session:
        stmt = _procedures(session).order_by(models.Procedure.name)
        for token in textfold.fold(q).split()[:10]:
            stmt = stmt.where(models.Procedure.search_text.contains(token, autoescape=True))
        if field_id is not None:
            stmt = stmt.where(models.Procedure.field_id == field_id)
        if agency_id is not None:
            stmt = stmt.join(models.Field).where(models.Field.agency_id == agency_id)
        return [views.procedure_out(p) for p in session.scalars(stmt.limit(limit)).unique().all()]


@router.get("/procedures/{procedure_id}", response_model=schemas.ProcedureOut)
def procedure(procedure_id: Annotated[int, Path(le=MAX_ID)], app: State) -> schemas.ProcedureOut:
    with app.db.read() as session:
        row = session.scalar(_procedures(session).where(models.Procedure.id == procedure_id))
        if row is None:
            raise errors.NotFound(f"Không tìm thấy thủ tục số hiệu {procedure_id}.")
        return views.procedure_out(row)


@router.post("/devices/status", response_model=schemas.DeviceOut)
def device_status(body: schemas.DeviceStatusIn, app: State, principal: AnyDevice) -> schemas.DeviceOut:
    """A kiosk or board reports it is alive and any fault (printer out of paper …)."""
    assert principal.device is not None
    now = app.settings.clock()
    with app.db.write() as session:
        device = session.get_one(models.Device, principal.device.id)
        changed = device.fault != body.fault
        device.fault, device.last_seen_at = body.fault, now
        if changed:
            events.append(
                session,
                type="device.status",
                now=now,
                centre_id=device.centre_id,
                payload={
                    "device_id": device.id,
                    "name": device.name,
                    "kind": device.kind.value,
                    "fault": body.fault,
                },
            )
        return schemas.DeviceOut.model_validate(device, from_attributes=True)


@router.get("/devices", response_model=list[schemas.DeviceOut])
def devices(app: State, principal: Manager) -> list[schemas.DeviceOut]:
    """The devices of the caller's centre (of every centre for an administrator)."""
    stmt = sa.select(models.Device).order_by(models.Device.name)
    if not principal.sees_all_centres:
        stmt = stmt.where(models.Device.centre_id == principal.centre_id)
    with app.db.read() as session:
        rows = session.scalars(stmt).all()
        return [schemas.DeviceOut.model_validate(r, from_attributes=True) for r in rows]
