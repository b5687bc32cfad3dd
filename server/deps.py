"""Request dependencies: the app's state and who is calling."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from onestop.enums import DeviceKind, Role
from server import auth
from server.db import Database
from server.events import EventHub
from server.settings import Settings


@dataclasses.dataclass
class AppState:
    settings: Settings
    db: Database
    hub: EventHub


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
    with app.db.read() as session:
        principal = auth.resolve(session, secret=credentials.credentials, now=app.settings.clock())
    if principal is None:
        raise HTTPException(401, "Phiên đăng nhập đã hết hạn hoặc khóa thiết bị không hợp lệ.", UNAUTHORISED)
    return principal


OptionalPrincipal = Annotated[auth.Principal | None, Depends(optional_principal)]


def require(*allowed: Role | DeviceKind) -> Callable[[auth.Principal | None], auth.Principal]:
    """A dependency that admits the given user roles and device kinds, nobody else."""

    def check(principal: OptionalPrincipal) -> auth.Principal:
        if principal is None:
            raise HTTPException(401, "Cần đăng nhập hoặc khóa thiết bị.", UNAUTHORISED)
        if principal.role not in allowed and principal.device_kind not in allowed:
            raise HTTPException(403, "Tài khoản hoặc thiết bị này không có quyền thực hiện thao tác này.")
        return principal

    return check


STAFF = (Role.ADMIN, Role.SUPERVISOR, Role.OFFICER)
MANAGERS = (Role.ADMIN, Role.SUPERVISOR)

Staff = Annotated[auth.Principal, Depends(require(*STAFF))]
Manager = Annotated[auth.Principal, Depends(require(*MANAGERS))]
Admin = Annotated[auth.Principal, Depends(require(Role.ADMIN))]
Issuer = Annotated[auth.Principal, Depends(require(*STAFF, DeviceKind.KIOSK))]
Canceller = Annotated[auth.Principal, Depends(require(*MANAGERS, DeviceKind.KIOSK))]
Watcher = Annotated[auth.Principal, Depends(require(*STAFF, *DeviceKind))]
AnyDevice = Annotated[auth.Principal, Depends(require(*DeviceKind))]
