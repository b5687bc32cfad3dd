"""Work the server does by itself: adding up finished days for the reports, forgetting old
replies kept for resends, and citizens' personal data once it has served (personal_data).

Without it the first report over a long period after a quiet night adds the days up itself
(seconds for a year of a busy centre). The keeper does it shortly after start and then every
``summarise_every_seconds``, so reports stay within a second. Days already added up are skipped
at the cost of one indexed read, and several server processes doing it at once is harmless
(report_days writes each day once).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

import sqlalchemy as sa

from server import models, personal_data, report_days, throttle, waits
from server.db import Database
from server.settings import Settings

log = logging.getLogger(__name__)

LOOK_BACK = dt.timedelta(days=366)  # the longest period a report may cover
# Replies kept for resends with the same Idempotency-Key (one per ticket a kiosk issues): a
# counter PC may send its queued work days late, a month later nobody resends.
KEEP_REPLIES = dt.timedelta(days=30)
FIRST_DELAY_SECONDS = 10.0  # let the screens connect first after a (re)start


class ReportDayKeeper:
    def __init__(self, db: Database, settings: Settings, every_seconds: float) -> None:
        self._db, self._settings, self._every = db, settings, every_seconds
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="report-days")

    async def stop(self) -> None:
        # A summary in progress runs in a thread: let it finish (a month at most) rather than
        # cancel it, so its connection is back in the pool before the pool is disposed.
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._task, timeout=30)

    async def _run(self) -> None:
        delay = min(FIRST_DELAY_SECONDS, self._every)
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)
            if self._stop.is_set():
                return
            try:
                await asyncio.to_thread(self.summarise_now)
                await asyncio.to_thread(self.forget_old_replies)
                await asyncio.to_thread(self.purge_personal_data)
                await asyncio.to_thread(self.forget_old_login_failures)
            except Exception:  # the database may be briefly away; try again next round
                log.exception("housekeeping failed")
            delay = self._every

    def summarise_now(self) -> int:
        now = self._settings.clock()
        today = waits.business_day(now)
        written = report_days.summarise(self._db, start=today - LOOK_BACK, end=today, today=today, now=now)
        if written:
            log.info("report days: %d finished day(s) added up for the reports", written)
        return written

    def forget_old_replies(self) -> int:
        table = models.table(models.ActionReply)
        before = self._settings.clock() - KEEP_REPLIES
        with self._db.write() as session:
            result = session.execute(sa.delete(table).where(table.c.created_at < before))
            deleted = result.rowcount if isinstance(result, sa.CursorResult) else 0
        if deleted:
            log.info("replies kept for resends: %d older than %d days forgotten", deleted, KEEP_REPLIES.days)
        return deleted

    def purge_personal_data(self) -> personal_data.Purged:
        days = self._settings.retention_days
        purged = personal_data.purge(self._db, now=self._settings.clock(), days=days)
        if purged.tickets or purged.dossiers:
            log.info(
                "personal data older than %d days forgotten: %d ticket(s), contacts of %d dossier(s)",
                days,
                purged.tickets,
                purged.dossiers,
            )
        return purged

    def forget_old_login_failures(self) -> int:
        """Wrong passwords older than the sign-in throttle remembers (a day)."""
        with self._db.write() as session:
            return throttle.forget_old(session, now=self._settings.clock())
