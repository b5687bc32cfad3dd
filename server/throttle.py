"""Sign-in throttling by client address, with back-off, and a cap on password checks at once.

A guesser must never lock an account for its owner: failures are counted per client address
and per (address, username), never per account alone. The first FREE_PER_PAIR failures of a
pair cost nothing; after them each further attempt from that pair waits, since the pair's last
failure, 30 s, then 1 min, 2 min … up to 15 min. An address that failed FREE_PER_ADDRESS
times (any usernames, unknown ones included) waits the same way for every username. So
someone guessing the admin's password from one address never stops the admin signing in from
another. Attempts refused by the throttle are not counted: waiting is enough to be heard again.

Failures are rows of ``login_failure`` (address, username, time; never the password), so every
server process and a restarted server see the same counts. They are remembered a day (the
housekeeping forgets older ones): a memory of 15 minutes would let the waits never grow
beyond a few minutes, and a guesser start over with free tries every quarter hour. A
successful sign-in forgets its pair's failures (and so they no longer count for the address);
an administrator's unlock forgets a username's failures from every address.

Checking a password costs ~0.2 s of argon2 on one core; HashSlots lets only a few run at
once in a process, in threads of lower priority, so a flood of sign-ins cannot starve the
rest of the server.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import math
import os
import threading
from collections.abc import AsyncIterator
from typing import Any

import anyio
import sqlalchemy as sa
from sqlalchemy import orm

from server import auth, models
from server.settings import Settings

FREE_PER_PAIR = 5
FREE_PER_ADDRESS = 20
FIRST_WAIT = dt.timedelta(seconds=30)
LONGEST_WAIT = dt.timedelta(minutes=15)
MEMORY = dt.timedelta(days=1)
FAILED = "auth.failed"
SUCCEEDED = "auth.login"
UNLOCKED = "auth.unlocked"
# A 429 is answered after this pause: a flood that ignores Retry-After would otherwise keep
# the server answering 429s as fast as it can (benchmarks/login_flood.py).
REFUSAL_PAUSE_SECONDS = 0.5
BUSY_RETRY_SECONDS = 5  # after a 503: every slot was taken for the whole wait
# Password checks run in threads of this nice value: when the cores are busy they give way to
# the queue's requests; when not, they run at full speed.
CHECK_NICENESS = 10

_FAILURES = models.table(models.LoginFailure)


def wait_after(failures: int, free: int) -> dt.timedelta | None:
    """How long after the last of ``failures`` the next attempt waits; None: it need not."""
    if failures < free:
        return None
    doublings = min(failures - free, 16)  # 30 s × 2**5 is past the cap already
    return min(FIRST_WAIT * (1 << doublings), LONGEST_WAIT)


def _seconds_left(
    session: orm.Session, condition: sa.ColumnElement[bool], free: int, now: dt.datetime
) -> float:
    count, last = session.execute(
        sa.select(sa.func.count(), sa.func.max(_FAILURES.c.at)).where(
            condition, _FAILURES.c.at > now - MEMORY
        )
    ).one()
    wait = wait_after(count, free)
    if wait is None or last is None:
        return 0.0
    left: dt.timedelta = last + wait - now
    return left.total_seconds()


def retry_after(session: orm.Session, *, address: str, username: str, now: dt.datetime) -> int | None:
    """Seconds until ``username`` may be tried again from ``address``; None: it may now."""
    from_address = _FAILURES.c.address == address
    pair = _seconds_left(session, sa.and_(from_address, _FAILURES.c.username == username), FREE_PER_PAIR, now)
    anyone = _seconds_left(session, from_address, FREE_PER_ADDRESS, now)
    left = max(pair, anyone)
    return math.ceil(left) if left > 0 else None


def refusal(seconds: int) -> str:
    """The Vietnamese reason shown to whoever must wait ``seconds`` (the apps show it as is)."""
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        when = f"{rest} giây"
    elif not rest:
        when = f"{minutes} phút"
    else:
        when = f"{minutes} phút {rest} giây"
    return f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {when}."


def record_failure(session: orm.Session, *, address: str, username: str, now: dt.datetime) -> None:
    session.execute(sa.insert(_FAILURES).values(address=address, username=username, at=now))


def forget_pair(session: orm.Session, *, address: str, username: str) -> None:
    """After a successful sign-in: that address's failures for that username are forgiven."""
    session.execute(
        sa.delete(_FAILURES).where(_FAILURES.c.address == address, _FAILURES.c.username == username)
    )


def forget_user(session: orm.Session, *, username: str) -> int:
    """An administrator's unlock: the username's failures from every address; how many."""
    result = session.execute(sa.delete(_FAILURES).where(_FAILURES.c.username == username))
    return result.rowcount if isinstance(result, sa.CursorResult) else 0


def forget_old(session: orm.Session, *, now: dt.datetime) -> int:
    """The housekeeping: failures older than the throttle's memory; how many."""
    result = session.execute(sa.delete(_FAILURES).where(_FAILURES.c.at <= now - MEMORY))
    return result.rowcount if isinstance(result, sa.CursorResult) else 0


def _give_way() -> None:
    # Linux keeps a nice value per thread: this lowers only the password-check thread's.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), CHECK_NICENESS)


_CHECKERS = concurrent.futures.ThreadPoolExecutor(
    max_workers=4, thread_name_prefix="password-check", initializer=_give_way
)


class HashSlots:
    """At most ``size`` password checks at once in this server process.

    A sign-in that finds every slot taken waits up to ``wait_seconds`` (in the event loop, not
    in a worker thread) and is then told to come back, so a flood of sign-ins queues here
    rather than on the cores the queue needs.
    """

    def __init__(self, size: int, wait_seconds: float) -> None:
        self._free = anyio.Semaphore(size)
        self._wait = wait_seconds

    async def check(self, password_hash: str, password: str) -> bool:
        """Whether the password is right (call within a slot), checked in a thread that gives
        way to the rest of the server."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(_CHECKERS, auth.verify_password, password_hash, password)

    async def _acquire(self) -> bool:
        try:
            self._free.acquire_nowait()
            return True
        except anyio.WouldBlock:
            pass
        with anyio.move_on_after(self._wait):
            await self._free.acquire()
            return True
        return False

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[bool]:
        """Yields whether a slot was had (within the wait); it is given back when the block ends."""
        if not await self._acquire():
            yield False
            return
        try:
            yield True
        finally:
            self._free.release()


def hash_slots(holder: Any, settings: Settings) -> HashSlots:
    """The server process's slots, kept on ``holder`` (the app's state) from the first sign-in,
    so they are made inside the app's event loop."""
    slots: HashSlots | None = getattr(holder, "hash_slots", None)
    if slots is None:  # no await since the look-up: no other sign-in can make them meanwhile
        slots = HashSlots(settings.login_hash_slots, settings.login_slot_wait_seconds)
        holder.hash_slots = slots
    return slots
