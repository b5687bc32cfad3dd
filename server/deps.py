"""Request dependencies: the app's state and who is calling."""

from __future__ import annotations

import dataclasses
import math
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import Dependant
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from onestop.enums import DeviceKind, Role
from server import auth, ratelimit
from server.db import Database
from server.events import EventHub
from server.settings import Settings


@dataclasses.dataclass
class AppState:
    settings: Settings
    db: Database
    hub: EventHub
    principals: auth.PrincipalCache = dataclasses.field(default_factory=auth.PrincipalCache)
    lookups: ratelimit.Limiter = dataclasses.field(init=False)
    issuing: ratelimit.Limiter = dataclasses.field(init=False)
    # A kiosk's burst is recorded for the supervisor at most once a minute.
    flood_marks: ratelimit.Limiter = dataclasses.field(
        default_factory=lambda: ratelimit.Limiter(per_minute=1, burst=1)
    )

    def __post_init__(self) -> None:
        settings = self.settings
        self.lookups = ratelimit.Limiter(per_minute=settings.lookups_per_minute, burst=settings.lookup_burst)
        self.issuing = ratelimit.Limiter(
            per_minute=settings.kiosk_tickets_per_minute, burst=settings.kiosk_ticket_burst
        )


def state(request: Request) -> AppState:
    result: AppState = request.app.state.qms
    return result


State = Annotated[AppState, Depends(state)]
_bearer = HTTPBearer(auto_error=False, description="An officer's access token or a device key")
UNAUTHORISED = {"WWW-Authenticate": "Bearer"}


def optional_principal(
    app: State,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> auth.Principal | None:
    if credentials is None:
        return None
    now = app.settings.clock()
    principal = app.principals.get(credentials.credentials, now)
    if principal is None:
        with app.db.read() as session:
            principal = auth.resolve(session, secret=credentials.credentials, now=now)
        if principal is not None:
            app.principals.put(credentials.credentials, principal)
    if principal is None:
        raise HTTPException(401, "Phiên đăng nhập đã hết hạn hoặc khóa thiết bị không hợp lệ.", UNAUTHORISED)
    return principal


OptionalPrincipal = Annotated[auth.Principal | None, Depends(optional_principal)]


class Guard:
    """A dependency that admits the given user roles and device kinds, nobody else.

    A class rather than a closure so that `refusal` can find a route's guard.
    """

    def __init__(self, *allowed: Role | DeviceKind) -> None:
        self.allowed = frozenset(allowed)

    def __call__(self, principal: OptionalPrincipal) -> auth.Principal:
        if principal is None:
            raise HTTPException(401, "Cần đăng nhập hoặc khóa thiết bị.", UNAUTHORISED)
        if principal.role not in self.allowed and principal.device_kind not in self.allowed:
            raise HTTPException(403, "Tài khoản hoặc thiết bị này không có quyền thực hiện thao tác này.")
        return principal


def require(*allowed: Role | DeviceKind) -> Guard:
    return Guard(*allowed)


def _guard(dependant: Dependant | None) -> Guard | None:
    if dependant is None:
        return None
    if isinstance(dependant.call, Guard):
        return dependant.call
    return next(filter(None, (_guard(sub) for sub in dependant.dependencies)), None)


async def refusal(request: Request) -> HTTPException | None:
    """The 401/403 the route's guard gives this caller, or None if it would let them in.

    FastAPI parses a JSON body before it solves any dependency, so a body that is not JSON
    at all fails before the guard has run; the app asks this first, so that missing or
    wrong credentials are still answered 401/403 and never reveal what the body should be.
    """
    guard = _guard(getattr(request.scope.get("route"), "dependant", None))
    if guard is None:
        return None
    credentials = await _bearer(request)
    try:
        principal = await run_in_threadpool(optional_principal, state(request), credentials)
        guard(principal)
    except HTTPException as refused:
        return refused
    return None


def check_rate(limiter: ratelimit.Limiter, key: str, message: str) -> None:
    """429 with Retry-After when ``key`` has used up its requests for now."""
    wait = limiter.take(key)
    if wait is not None:
        raise HTTPException(429, message, {"Retry-After": str(max(1, math.ceil(wait)))})


def client_address(request: Request) -> str:
    """The caller's address (behind the reverse proxy, the one it forwards: uvicorn's
    forwarded_allow_ips)."""
    return request.client.host if request.client is not None else "unknown"


STAFF = (Role.ADMIN, Role.SUPERVISOR, Role.OFFICER)
MANAGERS = (Role.ADMIN, Role.SUPERVISOR)

Staff = Annotated[auth.Principal, Depends(require(*STAFF))]
Manager = Annotated[auth.Principal, Depends(require(*MANAGERS))]
Admin = Annotated[auth.Principal, Depends(require(Role.ADMIN))]
Issuer = Annotated[auth.Principal, Depends(require(*STAFF, DeviceKind.KIOSK))]
Canceller = Annotated[auth.Principal, Depends(require(*MANAGERS, DeviceKind.KIOSK))]
Watcher = Annotated[auth.Principal, Depends(require(*STAFF, *DeviceKind))]
AnyDevice = Annotated[auth.Principal, Depends(require(*DeviceKind))]
