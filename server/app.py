"""create_app(settings): the FastAPI application. Nothing happens at import time."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request, Response, exception_handlers
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import event, exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from onestop import errors
from server import (
    auth,
    citizen,
    deps,
    housekeeping,
    limits,
    messages,
    migrate,
    privacy,
    routes_admin,
    routes_dossiers,
    routes_misc,
    routes_queue,
    routes_reports,
    routes_supervision,
)
from server.db import open_database
from server.events import EventHub
from server.settings import Settings

log = logging.getLogger(__name__)
API = "/api/v1"

_STATUS = {
    errors.NotFound: 404,
    errors.IllegalTransition: 409,
    errors.Forbidden: 403,
}


def _domain_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, errors.DomainError)
    if isinstance(error, errors.InvalidValue):
        # Body fields unless the error says it is about a header or a query parameter.
        where = getattr(error, "location", "body")
        detail = [{"loc": [where, *error.field.split(".")], "msg": error.message, "type": "value_error"}]
        return JSONResponse({"detail": detail}, status_code=422)
    return JSONResponse({"detail": error.message}, status_code=_STATUS.get(type(error), 409))


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    if any(item["type"] == "json_invalid" for item in error.errors()):
        # Raised before the route's guard ran: credentials are still checked first.
        refused = await deps.refusal(request)
        if refused is not None:
            return JSONResponse({"detail": refused.detail}, refused.status_code, refused.headers)
    detail = [
        {
            "loc": list(item["loc"]),
            "msg": messages.vietnamese(item["type"], item["msg"], item.get("ctx")),
            "type": item["type"],
        }
        for item in error.errors()
    ]
    return JSONResponse({"detail": detail}, status_code=422)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if isinstance(error.__cause__, RecursionError):
        # FastAPI answers 400 "error parsing the body" when the JSON nests deeper than the
        # parser's stack: it is JSON that does not parse, a 422 like any other.
        problem = {"type": "json_invalid", "loc": ("body",), "msg": "JSON nested too deeply"}
        return await _validation_error(request, RequestValidationError([problem]))
    return await exception_handlers.http_exception_handler(request, error)


def _out_of_range(_: Request, error: Exception) -> JSONResponse:
    # A value the database cannot hold (an id beyond its integer type, a NUL in text on
    # PostgreSQL) is the caller's mistake, not the server's: 422, never 500.
    log.warning("value the database cannot hold: %s", error)
    detail = [
        {
            "loc": [],
            "msg": "Giá trị vượt quá giới hạn cho phép hoặc chứa ký tự không hợp lệ.",
            "type": "value_error",
        }
    ]
    return JSONResponse({"detail": detail}, status_code=422)


def _database_away(_: Request, error: Exception) -> JSONResponse:
    log.error("database unavailable: %s", error)
    return JSONResponse(
        {"detail": "Cơ sở dữ liệu tạm thời không sẵn sàng, vui lòng thử lại."},
        status_code=503,
        headers={"Retry-After": "5"},  # clients (the kiosk's retry loop) know when to try again
    )


def _conflict(_: Request, error: Exception) -> JSONResponse:
    log.warning("integrity error: %s", error)
    return JSONResponse({"detail": "Dữ liệu xung đột với bản ghi đã có."}, status_code=409)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        privacy.install()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        url = settings.resolved_database_url()
        migrate.upgrade(url)
        db = open_database(url)
        principals = auth.PrincipalCache()
        hub = EventHub(
            db,
            settings.event_poll_seconds,
            max_streams=settings.max_streams,
            max_per_owner=settings.max_streams_per_caller,
            on_access_change=principals.clear,
        )
        event.listen(db.writer, "after_commit", lambda _session: hub.poke())
        await hub.start()
        keeper = None
        if settings.summarise_every_seconds:
            keeper = housekeeping.ReportDayKeeper(db, settings, settings.summarise_every_seconds)
            keeper.start()
        app.state.qms = deps.AppState(settings=settings, db=db, hub=hub, principals=principals)
        try:
            yield
        finally:
            if keeper is not None:
                await keeper.stop()
            await hub.stop()
            db.dispose()

    app = FastAPI(
        title="Hệ thống xếp hàng và một cửa — Trung tâm Phục vụ hành chính công",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url=f"{API}/openapi.json",
        docs_url=f"{API}/docs" if settings.api_docs else None,
        redoc_url=f"{API}/redoc" if settings.api_docs else None,
    )
    app.add_middleware(limits.BodyLimit)
    app.add_exception_handler(errors.DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(exc.OperationalError, _database_away)
    app.add_exception_handler(exc.IntegrityError, _conflict)
    app.add_exception_handler(exc.DataError, _out_of_range)
    # SQLite's driver raises this, unwrapped, for an integer beyond 64 bits.
    app.add_exception_handler(OverflowError, _out_of_range)
    for router in (routes_misc.router, routes_queue.router, routes_dossiers.router):
        app.include_router(router, prefix=API)
    app.include_router(citizen.router)  # the pages behind the QR codes, outside the API
    for router in (routes_reports.router, routes_admin.router, routes_supervision.router):
        app.include_router(router, prefix=API)

    @app.get("/openapi.json", include_in_schema=False)
    def openapi() -> dict[str, Any]:
        return app.openapi()

    @app.get("/healthz", include_in_schema=False)
    def healthz(request: Request) -> dict[str, str]:
        with request.app.state.qms.db.read() as session:
            session.execute(sa.text("SELECT 1"))
        return {"status": "ok"}

    return app
