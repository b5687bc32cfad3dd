"""Who is calling: officers with expiring bearer tokens, devices with keys.

Both arrive as ``Authorization: Bearer <secret>``; only a SHA-256 of each secret is
stored, so a copy of the database gives nobody a working token or key.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
import threading
import time

import argon2
import sqlalchemy as sa
from argon2 import exceptions as argon2_errors
from sqlalchemy import orm

from onestop.enums import DeviceKind, Role
from server import models

TOKEN_PREFIX = "qmst_"  # noqa: S105 (a prefix, not a secret)
DEVICE_KEY_PREFIX = "qmsd_"

_hasher = argon2.PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (argon2_errors.VerificationError, argon2_errors.InvalidHashError):
        return False


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


@dataclasses.dataclass(frozen=True)
class Principal:
    """The authenticated caller of one request."""

    user: models.User | None = None
    device: models.Device | None = None
    expires_at: dt.datetime | None = None  # of the access token; device keys do not expire
    token_id: int | None = None  # the access token's row, for signing out

    @property
    def role(self) -> Role | None:
        return self.user.role if self.user else None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None

    @property
    def device_kind(self) -> DeviceKind | None:
        return self.device.kind if self.device else None

    @property
    def actor(self) -> str:
        if self.user is not None:
            return f"user:{self.user.username}"
        assert self.device is not None
        return f"device:{self.device.name}"

    @property
    def is_manager(self) -> bool:
        return self.role in (Role.ADMIN, Role.SUPERVISOR)

    @property
    def centre_id(self) -> int | None:
        """The centre the caller belongs to: a device's, a user's; None for a user without one."""
        if self.device is not None:
            return self.device.centre_id
        return self.user.centre_id if self.user is not None else None

    @property
    def sees_all_centres(self) -> bool:
        """An administrator of the province: acts on and reads every centre."""
        return self.role is Role.ADMIN

    def oversees(self, centre_id: int) -> bool:
        """The one rule of a province's server: whether the caller may act on the centre's
        tickets, counters and dossiers and read its citizens' data. An administrator on every
        centre; every other user and every device on their own centre only (a user without a
        centre who is not an administrator on none)."""
        return self.sees_all_centres or (self.centre_id is not None and self.centre_id == centre_id)


def issue_token(
    session: orm.Session, *, user_id: int, now: dt.datetime, ttl: dt.timedelta
) -> tuple[str, models.AccessToken]:
    """A new access token for a user whose password was checked (server/routes_misc.py login:
    the check runs outside any transaction, a few at once, see server/throttle.py)."""
    token = new_secret(TOKEN_PREFIX)
    row = models.AccessToken(token_hash=digest(token), user_id=user_id, expires_at=now + ttl)
    session.add(row)
    session.flush()
    return token, row


def resolve(session: orm.Session, *, secret: str, now: dt.datetime) -> Principal | None:
    """The principal a bearer secret stands for, or None if it is unknown or expired."""
    hashed = digest(secret)
    if secret.startswith(DEVICE_KEY_PREFIX):
        device = session.scalar(sa.select(models.Device).where(models.Device.key_hash == hashed))
        return Principal(device=device) if device is not None and device.active else None
    token = session.scalar(
        sa.select(models.AccessToken)
        .where(models.AccessToken.token_hash == hashed)
        .options(orm.joinedload(models.AccessToken.user))
    )
    if token is None or token.expires_at <= now or not token.user.active:
        return None
    return Principal(user=token.user, expires_at=token.expires_at, token_id=token.id)


def create_user(
    session: orm.Session,
    *,
    username: str,
    password: str,
    role: Role,
    full_name: str = "",
    centre_id: int | None = None,
) -> models.User:
    user = models.User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        full_name=full_name,
        centre_id=centre_id,
    )
    session.add(user)
    session.flush()
    return user


def create_device(
    session: orm.Session, *, name: str, kind: DeviceKind, centre_id: int
) -> tuple[models.Device, str]:
    """A new device and its key; the key is shown once and only its hash is kept."""
    key = new_secret(DEVICE_KEY_PREFIX)
    device = models.Device(name=name, kind=kind, key_hash=digest(key), centre_id=centre_id)
    session.add(device)
    session.flush()
    return device, key


def logout(session: orm.Session, *, token_id: int) -> None:
    session.execute(sa.delete(models.AccessToken).where(models.AccessToken.id == token_id))


class PrincipalCache:
    """Recently resolved secrets, so a request does not cost a query to find who sent it.

    Token expiry is checked on every hit against the request's clock. An administrator's
    change that ends someone's access (a user made inactive, a device key replaced) empties
    the cache of the server process that made it, so that process refuses at once; other
    worker processes of a multi-worker server refuse within the entries' life, a minute.
    (With 1,500 devices and officers each asking every ten seconds or so, entries living a
    few seconds missed almost always: resolving secrets took a sixth of the server's time.)
    """

    def __init__(self, ttl_seconds: float = 60.0) -> None:
        self._ttl = ttl_seconds
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, Principal]] = {}

    def get(self, secret: str, now: dt.datetime) -> Principal | None:
        with self._lock:
            entry = self._entries.get(secret)
        if entry is None or entry[0] < time.monotonic():
            return None
        principal = entry[1]
        if principal.expires_at is not None and principal.expires_at <= now:
            return None
        return principal

    def clear(self) -> None:
        """Forget everyone: access may have ended (from any thread)."""
        with self._lock:
            self._entries.clear()

    def put(self, secret: str, principal: Principal) -> None:
        with self._lock:
            if len(self._entries) > 10_000:  # bounded: drop everything rather than grow
                self._entries.clear()
            self._entries[secret] = (time.monotonic() + self._ttl, principal)
