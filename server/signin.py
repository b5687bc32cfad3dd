"""Signing in: the password is checked outside any transaction, a few at once per process,
and only for an active user that this client address may try now (server/throttle.py).

The steps that touch the database run in worker threads; waiting for a password-check slot
happens in the event loop, so a flood of sign-ins holds no thread while it waits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import NoReturn

import anyio
import sqlalchemy as sa
from fastapi import HTTPException
from fastapi.concurrency import run_in_threadpool

from server import auth, models, schemas, throttle, tickets
from server.deps import AppState

REFUSED = "Sai tên đăng nhập hoặc mật khẩu."
BUSY = "Máy chủ đang bận kiểm tra các lượt đăng nhập khác. Vui lòng thử lại sau ít giây."


@dataclasses.dataclass(frozen=True)
class Attempt:
    address: str  # the client's, as Uvicorn sees it (behind the proxy: X-Forwarded-For)
    username: str
    now: dt.datetime


def admit(app: AppState, attempt: Attempt) -> models.User | None:
    """429 if this address must wait; else the active user to check the password of, if any."""
    with app.db.read() as session:
        wait = throttle.retry_after(
            session, address=attempt.address, username=attempt.username, now=attempt.now
        )
        if wait is not None:
            raise HTTPException(429, throttle.refusal(wait), {"Retry-After": str(wait)})
        user = session.scalar(sa.select(models.User).where(models.User.username == attempt.username))
    return user if user is not None and user.active else None


def refuse(app: AppState, attempt: Attempt, *, known: bool) -> NoReturn:
    """Count the failure against the address (and pair), then 401 saying nothing more."""
    with app.db.write() as session:
        throttle.record_failure(session, address=attempt.address, username=attempt.username, now=attempt.now)
        if known:  # the security log: someone tried this account's password
            tickets.audit(
                session,
                now=attempt.now,
                actor="anonymous",
                action=throttle.FAILED,
                target=attempt.username,
                details={"address": attempt.address},
            )
    raise HTTPException(401, REFUSED, {"WWW-Authenticate": "Bearer"})


def welcome(app: AppState, attempt: Attempt, user: models.User) -> schemas.TokenOut:
    """A new token; this address's failures for this user are forgiven."""
    with app.db.write() as session:
        throttle.forget_pair(session, address=attempt.address, username=user.username)
        token, row = auth.issue_token(session, user_id=user.id, now=attempt.now, ttl=app.settings.token_ttl)
        tickets.audit(
            session,
            now=attempt.now,
            actor=f"user:{user.username}",
            action=throttle.SUCCEEDED,
            target=user.username,
            details={},
        )
    shown = schemas.UserOut.model_validate(user, from_attributes=True)
    return schemas.TokenOut(access_token=token, expires_at=row.expires_at, user=shown)


async def _admit(app: AppState, attempt: Attempt) -> models.User | None:
    try:
        return await run_in_threadpool(admit, app, attempt)
    except HTTPException as refused:
        if refused.status_code == 429:
            # A client that ignores Retry-After and hammers gets one answer per pause per
            # connection; the pause holds no thread and costs the server nothing.
            await anyio.sleep(throttle.REFUSAL_PAUSE_SECONDS)
        raise


async def _refuse(app: AppState, attempt: Attempt, *, known: bool, since: float) -> NoReturn:
    """The 401, never sooner than REFUSAL_PAUSE_SECONDS after the attempt arrived: a wrong
    username answers no faster than a wrong password (little to learn from the time), and a
    flood of guesses reaches the database at a walk, not in bursts."""
    await anyio.sleep(max(0.0, since + throttle.REFUSAL_PAUSE_SECONDS - anyio.current_time()))
    await run_in_threadpool(lambda: refuse(app, attempt, known=known))


async def sign_in(
    app: AppState, slots: throttle.HashSlots, *, address: str, username: str, password: str
) -> schemas.TokenOut:
    since = anyio.current_time()
    attempt = Attempt(address=address, username=username, now=app.settings.clock())
    # An unknown or inactive username costs no password check and no audit row; it still
    # counts against the address.
    if await _admit(app, attempt) is None:
        await _refuse(app, attempt, known=False, since=since)
    async with slots.slot() as got:
        if not got:
            raise HTTPException(503, BUSY, {"Retry-After": str(throttle.BUSY_RETRY_SECONDS)})
        # Again (without the pause: the slot is held): other attempts from this address may
        # have failed while this one waited.
        user = await run_in_threadpool(admit, app, attempt)
        if user is None:
            await run_in_threadpool(lambda: refuse(app, attempt, known=False))
        if not await slots.check(user.password_hash, password):
            # Recorded before the slot is given back, so the next in line sees it.
            await run_in_threadpool(lambda: refuse(app, attempt, known=True))
    return await run_in_threadpool(welcome, app, attempt, user)
