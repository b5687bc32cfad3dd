"""/api/v1/admin: the administrator edits the catalogue, counters, accounts, devices and
calendar, and loads or saves the whole catalogue as JSON or as a spreadsheet.

Every kind shares one set of routes, ``/admin/{kind}`` and ``/admin/{kind}/{id}`` (see
server/admin.py); bodies are read here and checked against the kind's model, so a bad field
is a 422 naming it, as everywhere else.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from onestop import exports
from server import admin, admin_accounts, auth, catalogue, catalogue_xlsx, events, tickets, views, waits
from server.deps import Admin, AppState, State

router = APIRouter(prefix="/admin", tags=["admin"])
MAX_ID = 2**31 - 1
MAX_BODY = 20 * 1024 * 1024  # a province's whole catalogue as a spreadsheet is well under 2 MB
JSON_TYPE = "application/json"
CentreQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
# Kinds whose change can end someone's access (a user made inactive, a device key replaced).
_ACCESS = frozenset({"users", "devices"})


def _change(app: AppState, principal: auth.Principal) -> admin.Change:
    return admin.Change(actor=principal.actor, now=app.settings.clock())


def _forget_cached(app: AppState, kind: str) -> None:
    # Resolved secrets are cached for a minute: drop them so that a deactivated user's
    # token, or a replaced device key, is refused from the next request on. Services' settings
    # are cached for seconds: a new priority rule applies from the next call on.
    if kind in _ACCESS:  # at once here; other processes when their event hub sees the change
        app.principals.clear()
    if kind == "services":
        waits.forget_services()


async def _body(request: Request) -> bytes:
    if int(request.headers.get("content-length") or 0) > MAX_BODY:
        raise HTTPException(413, "Nội dung gửi lên quá lớn (tối đa 20 MB).")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise HTTPException(413, "Nội dung gửi lên quá lớn (tối đa 20 MB).")
        chunks.append(chunk)
    return b"".join(chunks)


def _json(raw: bytes) -> Any:
    if not raw.strip():
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "Field required"}])
    try:
        return json.loads(raw)
    # RecursionError: nested deeper than the parser's stack ({"a": {"a": … 100,000 times).
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise RequestValidationError(
            [{"type": "json_invalid", "loc": ("body",), "msg": "JSON decode error"}]
        ) from None


# ---------------------------------------------------------------- the whole catalogue


def _filename(code: str) -> str:
    # The centre code is checked on the way in; rows stored before that still make a safe name
    # (and a header value without quotes or line breaks).
    return f"danh-muc-{exports.file_part(code, fallback='trung-tam')}.xlsx"


@router.get(
    "/catalogue",
    response_model=None,
    responses={
        200: {
            "description": "The catalogue document (format=json) or spreadsheet (format=xlsx)",
            "content": {JSON_TYPE: {}, catalogue_xlsx.CONTENT_TYPE: {}},
        }
    },
)
def export_catalogue(
    app: State,
    principal: Admin,
    centre_id: CentreQuery = None,
    fmt: Annotated[Literal["json", "xlsx"], Query(alias="format")] = "json",
) -> Response:
    """The centre's catalogue (default: the first centre) as JSON or as an .xlsx spreadsheet."""
    with app.db.read() as session:
        centre = views.default_centre(session, centre_id)
        doc = catalogue.export(session, centre)
        code = centre.code
    if fmt == "json":
        return JSONResponse(doc)
    return Response(
        catalogue_xlsx.write(doc),
        media_type=catalogue_xlsx.CONTENT_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{_filename(code)}"'},
    )


class _DryRun(Exception):
    def __init__(self, reply: dict[str, Any]) -> None:
        super().__init__("dry run")
        self.reply = reply


def _import(
    app: AppState, principal: auth.Principal, *, centre_id: int | None, dry_run: bool, entries: Any
) -> dict[str, Any]:
    change = _change(app, principal)
    try:
        with app.db.write() as session:
            centre = views.default_centre(session, centre_id)
            tally = catalogue.load(session, centre, entries)
            reply = {"created": tally.created, "updated": tally.updated, "unchanged": tally.unchanged}
            if dry_run:
                raise _DryRun({**reply, "dry_run": True})  # rolls the transaction back
            if tally.changed:
                details = {"centre_id": centre.id, "created": tally.created, "updated": tally.updated}
                tickets.audit(
                    session,
                    now=change.now,
                    actor=change.actor,
                    action="admin.catalogue-import",
                    target=f"centres:{centre.id}",
                    details=details,
                )
                payload = {"kind": "catalogue", "id": centre.id}
                events.append(session, type=admin.EVENT, now=change.now, payload=payload, centre_id=centre.id)
    except _DryRun as done:
        return done.reply
    waits.forget_services()
    return {**reply, "dry_run": False}


@router.post("/catalogue", response_model=None)
async def import_catalogue(
    request: Request, app: State, principal: Admin, centre_id: CentreQuery = None, dry_run: bool = False
) -> JSONResponse:
    """Create or update, by code, what a JSON document or an .xlsx spreadsheet holds; nothing
    is deleted. Any problem: 422 listing every one (sheet, row and column, or JSON path) and
    nothing written. ``dry_run=true`` checks and counts without writing."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in (JSON_TYPE, catalogue_xlsx.CONTENT_TYPE):
        raise HTTPException(
            415, "Hãy gửi tài liệu JSON (application/json) hoặc bảng tính .xlsx (Content-Type của tệp .xlsx)."
        )
    raw = await _body(request)
    try:
        if media == JSON_TYPE:
            entries = catalogue.from_json(_json(raw))
        else:
            entries = await run_in_threadpool(catalogue_xlsx.read, raw)
        reply = await run_in_threadpool(
            lambda: _import(app, principal, centre_id=centre_id, dry_run=dry_run, entries=entries)
        )
    except catalogue.Invalid as exc:
        return JSONResponse({"detail": exc.problems}, status_code=422)
    return JSONResponse(reply)


# ---------------------------------------------------------------- devices' keys


@router.post("/devices/{device_id}/new-key")
def new_device_key(
    device_id: Annotated[int, Path(le=MAX_ID)], app: State, principal: Admin
) -> dict[str, Any]:
    """The device with a new key, shown this once; the old key stops working."""
    with app.db.write() as session:
        reply = admin.new_device_key(session, device_id=device_id, change=_change(app, principal))
    _forget_cached(app, "devices")
    return reply


# ---------------------------------------------------------------- sign-in lock-outs


@router.post("/users/{user_id}/unlock")
def unlock_user(user_id: Annotated[int, Path(le=MAX_ID)], app: State, principal: Admin) -> dict[str, Any]:
    """Forget the account's failed sign-ins from every address: it may sign in at once."""
    with app.db.write() as session:
        return admin_accounts.unlock_user(
            session, user_id=user_id, actor=principal.actor, now=app.settings.clock()
        )


# ---------------------------------------------------------------- every kind


@router.get("/{kind}")
def list_items(kind: str, app: State, principal: Admin) -> list[dict[str, Any]]:
    """centres, priority-groups, agencies, fields, procedures, services, counters, users,
    devices, calendar."""
    found = admin.kind_of(kind)
    with app.db.read() as session:
        return admin.list_rows(session, kind=found)


@router.get("/{kind}/{item_id}")
def get_item(kind: str, item_id: str, app: State, principal: Admin) -> dict[str, Any]:
    found = admin.kind_of(kind)
    with app.db.read() as session:
        return admin.get(session, kind=found, raw_id=item_id)


@router.post("/{kind}", status_code=201)
async def create_item(kind: str, request: Request, app: State, principal: Admin) -> dict[str, Any]:
    found = admin.kind_of(kind)
    body = _json(await _body(request))

    def work() -> dict[str, Any]:
        with app.db.write() as session:
            return admin.create(session, kind=found, body=body, change=_change(app, principal))

    reply = await run_in_threadpool(work)
    _forget_cached(app, kind)
    return reply


@router.put("/{kind}/{item_id}")
async def update_item(
    kind: str, item_id: str, request: Request, app: State, principal: Admin
) -> dict[str, Any]:
    found = admin.kind_of(kind)
    body = _json(await _body(request))

    def work() -> dict[str, Any]:
        with app.db.write() as session:
            return admin.update(
                session, kind=found, raw_id=item_id, body=body, change=_change(app, principal)
            )

    reply = await run_in_threadpool(work)
    _forget_cached(app, kind)
    return reply


@router.delete("/{kind}/{item_id}", status_code=204)
def delete_item(kind: str, item_id: str, app: State, principal: Admin) -> Response:
    found = admin.kind_of(kind)
    with app.db.write() as session:
        admin.delete(session, kind=found, raw_id=item_id, change=_change(app, principal))
    _forget_cached(app, kind)
    return Response(status_code=204)
