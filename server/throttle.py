"""Sign-in throttling: after repeated wrong passwords an account is refused for a while.

Failures are audit rows (``auth.failed``, the username as target, never the password), so
every server process and a restarted server see the same count. A successful sign-in starts
the count again. Attempts refused by the throttle are not counted: the lock ends
LOCK_WINDOW after the failure that caused it, whatever a guesser keeps sending.
"""

from __future__ import annotations

import datetime as dt
import math

import sqlalchemy as sa
from sqlalchemy import orm

from server import models

MAX_FAILURES = 5
LOCK_WINDOW = dt.timedelta(minutes=15)
FAILED = "auth.failed"
SUCCEEDED = "auth.login"


def retry_after(session: orm.Session, username: str, now: dt.datetime) -> int | None:
    """Seconds until ``username`` may try again, or None when it may try now."""
    audit = models.table(models.AuditEntry)
    last_success = (
        sa.select(sa.func.max(audit.c.at))
        .where(audit.c.action == SUCCEEDED, audit.c.target == username)
        .scalar_subquery()
    )
    since = now - LOCK_WINDOW
    recent = session.scalars(
        sa.select(audit.c.at)
        .where(
            audit.c.action == FAILED,
            audit.c.target == username,
            audit.c.at > since,
            sa.or_(last_success.is_(None), audit.c.at > last_success),
        )
        .order_by(audit.c.at.desc())
        .limit(MAX_FAILURES)
    ).all()
    if len(recent) < MAX_FAILURES:
        return None
    # Free once the oldest of the last MAX_FAILURES failures has left the window.
    free_at: dt.datetime = recent[-1] + LOCK_WINDOW
    return max(1, math.ceil((free_at - now).total_seconds()))


def record_failure(session: orm.Session, username: str, now: dt.datetime) -> None:
    session.add(
        models.AuditEntry(at=now, actor="anonymous", action=FAILED, target=username[:128], details={})
    )
