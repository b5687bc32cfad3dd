"""The live event log: appended in the writer's transaction, fanned out to SSE streams.

Every change appends an Event row in the same transaction as the change itself, so an
event exists exactly when its change does. Each server process runs one EventHub that
reads new rows and hands them to its subscribers. It is woken at once by its own commits;
rows other processes (other Uvicorn workers) wrote wake it through PostgreSQL's
LISTEN/NOTIFY (the NOTIFY is part of the writing transaction, so it arrives at commit), and
a short poll catches anything else (SQLite, or a moment the listener was reconnecting). A
subscriber that reconnects with Last-Event-ID reads what it missed from the table, so
nothing is lost in between.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from server import models
from server.db import Database

log = logging.getLogger(__name__)

PAGE = 500  # rows per read, so a subscriber far behind catches up in bounded steps
QUEUE_LIMIT = 10_000  # a subscriber this far behind is dropped; it reconnects and resumes
# Built once: every change appends an event, and building the statement costs more than running it.
_INSERT = sa.insert(models.table(models.Event))
NOTIFY_CHANNEL = "qms_events"
# Event ids come from a sequence: without the lock a later id could commit before an earlier
# one, and a reader that has moved past it would never see the earlier. The notification is
# delivered when (and only if) the transaction commits; several in one transaction are one.
_PG_LOCK_AND_NOTIFY = sa.text(f"SELECT pg_advisory_xact_lock(7406001), pg_notify('{NOTIFY_CHANNEL}', '')")
LISTEN_RETRY_SECONDS = 2.0
SESSION_ENDED = "session.ended"  # {"token_id"}: a sign-out, for the hubs only
ADMIN_CHANGE = "catalogue.changed"  # server/admin.py: {"kind", "id"}
# Events for the server's own processes, never sent down a stream.
INTERNAL = frozenset({SESSION_ENDED})
RESYNC = "stream.resync"  # sent instead of a catch-up too long (or purged): re-read /board
_PENDING = "qms_pending_events"  # Session.info key


def append(
    session: orm.Session,
    *,
    type: str,
    now: dt.datetime,
    payload: dict[str, Any],
    centre_id: int | None = None,
    counter_id: int | None = None,
    service_id: int | None = None,
) -> None:
    """Add an event to the current transaction. It is written just before the commit, so the
    lock that orders events across processes is held only for the insert and the commit, not
    while the rest of the request (the reply, the stored idempotent reply) is worked out."""
    row = {
        "created_at": now,
        "type": type,
        "payload": payload,
        "centre_id": centre_id,
        "counter_id": counter_id,
        "service_id": service_id,
    }
    session.info.setdefault(_PENDING, []).append(row)


@sa.event.listens_for(orm.Session, "before_commit")
def _write_pending(session: orm.Session) -> None:
    rows = session.info.pop(_PENDING, None)
    if not rows:
        return
    session.flush()  # the rest of the change first: the lock below is held until the commit
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_PG_LOCK_AND_NOTIFY)
    session.execute(_INSERT, rows)


@sa.event.listens_for(orm.Session, "after_soft_rollback")
def _forget_pending(session: orm.Session, previous_transaction: orm.SessionTransaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_PENDING, None)


def frame(row: dict[str, Any]) -> bytes:
    """An event as the stream sends it (text/event-stream): its id, its type, its JSON on one
    line (JSON escapes every newline in its strings)."""
    data = json.dumps(row, ensure_ascii=False)
    return f"id: {row['id']}\nevent: {row['type']}\ndata: {data}\n\n".encode()


def comment(text: str, *, last_id: int | None = None, retry_ms: int | None = None) -> bytes:
    """A line the client does not show (keeps the connection alive), with its resume point."""
    lines = [f": {text}"]
    if last_id is not None:
        lines.append(f"id: {last_id}")
    if retry_ms is not None:
        lines.append(f"retry: {retry_ms}")
    return ("\n".join(lines) + "\n\n").encode()


def fetch_after(db: Database, after_id: int, limit: int = PAGE) -> list[dict[str, Any]]:
    """Events after an id, oldest first, as the JSON the stream sends."""
    table = models.table(models.Event)
    with db.read() as session:
        rows = session.execute(
            sa.select(table).where(table.c.id > after_id).order_by(table.c.id).limit(limit)
        ).all()
    return [{**row._asdict(), "created_at": row.created_at.isoformat()} for row in rows]


def last_id(db: Database) -> int:
    with db.read() as session:
        return session.scalar(sa.select(sa.func.max(models.Event.id))) or 0


def access_changed_after(db: Database, after_id: int) -> tuple[bool, int]:
    """Whether an event after ``after_id`` may end someone's access, and the newest id."""
    table = models.table(models.Event)
    with db.read() as session:
        newest = session.scalar(sa.select(sa.func.max(table.c.id))) or 0
        changed = session.scalar(
            sa.select(
                sa.exists().where(table.c.id > after_id, table.c.type.in_((SESSION_ENDED, ADMIN_CHANGE)))
            )
        )
    return bool(changed), newest


def ends_access(row: dict[str, Any]) -> tuple[str, int] | None:
    """Whose streams an event ends, if any: ("user", id), ("device", id) or ("token", id).

    An administrator's change to a user or a device (deactivated, new password, new key,
    another centre or role) ends their open streams; they reconnect, and are admitted again
    only if their credentials still hold. A sign-out ends the streams of that session.
    """
    payload = row["payload"]
    if row["type"] == SESSION_ENDED:
        return ("token", int(payload["token_id"]))
    if row["type"] == ADMIN_CHANGE and payload.get("kind") in ("users", "devices"):
        return ("user" if payload["kind"] == "users" else "device", int(payload["id"]))
    return None


class Listener:
    """PostgreSQL: a thread that LISTENs on its own connection and calls ``wake`` per notification.

    A lost connection is reopened every LISTEN_RETRY_SECONDS; ``wake`` is also called right
    after each (re)connection, since notifications sent while it was away are gone (the
    hub then reads the table, which has everything).
    """

    def __init__(self, url: sa.URL, wake: Callable[[], None]) -> None:
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._wake = wake
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="event-listener", daemon=True)
        self.listening = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        import psycopg

        while not self._stopping.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self.listening.set()
                    self._wake()
                    while not self._stopping.is_set():
                        # Returns after a second without notifications, to look at _stopping.
                        for _ in conn.notifies(timeout=1.0):
                            self._wake()
            except psycopg.Error as exc:
                self.listening.clear()
                log.warning("event listener: %s; listening again in %.0f s", exc, LISTEN_RETRY_SECONDS)
                self._stopping.wait(LISTEN_RETRY_SECONDS)


class Refused(Exception):
    """A stream not admitted: too many open for this caller or for the server."""


@dataclasses.dataclass(frozen=True)
class Owner:
    """Who holds a stream: a user (and which of their sessions) or a device."""

    user_id: int | None = None
    token_id: int | None = None
    device_id: int | None = None

    def key(self) -> tuple[str, int | None]:
        return ("device", self.device_id) if self.device_id is not None else ("user", self.user_id)

    def ended_by(self, ended: tuple[str, int]) -> bool:
        kind, ident = ended
        return {"user": self.user_id, "device": self.device_id, "token": self.token_id}[kind] == ident


@dataclasses.dataclass(eq=False)
class Subscriber:
    """One stream's queue and filters (None: not filtered on that)."""

    counters: frozenset[int] | None = None
    services: frozenset[int] | None = None
    centre_id: int | None = None
    owner: Owner = dataclasses.field(default_factory=Owner)
    # The newest event when the stream was admitted: an access change up to it does not end
    # the stream (its credentials were checked after it).
    admitted_at: int = 0
    # The hub's position when it subscribed: it is offered every event after it.
    offered_after: int = 0
    # (event id, its frame), or None: the stream ends.
    queue: asyncio.Queue[tuple[int, bytes] | None] = dataclasses.field(
        default_factory=lambda: asyncio.Queue(QUEUE_LIMIT)
    )

    def wants(self, row: dict[str, Any]) -> bool:
        """Filters are a union: an event about a wanted counter or a wanted service passes; a
        transfer also reaches the service it left (its line got shorter).

        Events about neither (a centre-wide notice) always pass, within the centre filter.
        """
        if self.centre_id is not None and row["centre_id"] not in (None, self.centre_id):
            return False
        if self.counters is None and self.services is None:
            return True
        if row["counter_id"] is None and row["service_id"] is None:
            return True
        if self.counters is not None and row["counter_id"] in self.counters:
            return True
        return self.services is not None and (
            row["service_id"] in self.services or row["payload"].get("from_service_id") in self.services
        )


class _Index:
    """The subscribers by what they filter on, so an event wakes only the streams that may want
    it (a province server holds thousands of streams; each event concerns one centre)."""

    def __init__(self) -> None:
        self.everyone: set[Subscriber] = set()  # subscribers with no filter at all
        self.centre: dict[int, set[Subscriber]] = {}  # subscribers filtering on a centre only
        self.counter: dict[int, set[Subscriber]] = {}
        self.service: dict[int, set[Subscriber]] = {}

    def _places(self, sub: Subscriber) -> list[tuple[dict[int, set[Subscriber]], int]]:
        if sub.counters is None and sub.services is None:
            return [] if sub.centre_id is None else [(self.centre, sub.centre_id)]
        return [(self.counter, c) for c in sub.counters or ()] + [
            (self.service, s) for s in sub.services or ()
        ]

    def add(self, sub: Subscriber) -> None:
        if sub.counters is None and sub.services is None and sub.centre_id is None:
            self.everyone.add(sub)
        for index, key in self._places(sub):
            index.setdefault(key, set()).add(sub)

    def discard(self, sub: Subscriber) -> None:
        self.everyone.discard(sub)
        for index, key in self._places(sub):
            subs = index.get(key)
            if subs is not None:
                subs.discard(sub)
                if not subs:  # streams come and go all day: keep no empty entries
                    del index[key]

    def candidates(self, row: dict[str, Any], every: set[Subscriber]) -> set[Subscriber]:
        if row["counter_id"] is None and row["service_id"] is None:
            return every  # a centre-wide event: every stream of the centre wants it
        found = set(self.everyone)
        if row["centre_id"] is None:
            for subs in self.centre.values():
                found |= subs
        else:
            found |= self.centre.get(row["centre_id"], set())
        for key, index in ((row["counter_id"], self.counter), (row["service_id"], self.service)):
            found |= index.get(key, set())
        left = row["payload"].get("from_service_id")
        if isinstance(left, int):
            found |= self.service.get(left, set())
        return found


class EventHub:
    """One per server process: reads new events once and fans them out."""

    def __init__(
        self,
        db: Database,
        poll_seconds: float,
        *,
        max_streams: int = 2000,
        max_per_owner: int = 5,
        on_access_change: Callable[[], None] | None = None,
    ) -> None:
        self._db = db
        self._poll_seconds = poll_seconds
        self._max_streams, self._max_per_owner = max_streams, max_per_owner
        self._on_access_change = on_access_change
        self._per_owner: dict[tuple[str, int | None], int] = {}
        self._admitted: set[Subscriber] = set()  # counted: started, or about to be
        self._subscribers: set[Subscriber] = set()  # offered events
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.position = 0
        self.listener: Listener | None = None
        self._index = _Index()

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self.position = await asyncio.to_thread(last_id, self._db)
        self._task = asyncio.create_task(self._run(), name="event-hub")
        if self._db.engine.dialect.name == "postgresql":
            self.listener = Listener(self._db.engine.url, self.poke)
            self.listener.start()

    async def stop(self) -> None:
        # Let a read in progress finish rather than cancel it: a cancelled to_thread keeps
        # running in its thread and would hold a connection past the pool's disposal.
        self._stopping = True
        if self.listener is not None:
            await asyncio.to_thread(self.listener.stop)
        if self._wake is not None:
            self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=10)
            except TimeoutError:
                log.warning("event hub: a read did not finish within 10 s of shutdown")
        self._end_all()

    def poke(self) -> None:
        """Called from any thread after a commit: look for new events now.

        Waking the loop costs a thread switch per commit; with nobody listening, the
        periodic poll is enough.
        """
        loop, wake = self._loop, self._wake
        if self._subscribers and loop is not None and wake is not None and not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)

    def end_streams(self) -> None:
        """From any thread: end every open stream now (the server is stopping; clients resume
        from their Last-Event-ID at the next start)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._end_all)

    def _end_all(self) -> None:
        for sub in list(self._admitted):  # a stream about to start, too
            self._offer(sub, None)

    def admit(
        self,
        *,
        counters: frozenset[int] | None = None,
        services: frozenset[int] | None = None,
        centre_id: int | None = None,
        owner: Owner | None = None,
    ) -> Subscriber:
        """A stream counted from now on (so that the next request sees it), not yet offered
        events: ``offer_to`` does that. Refused unless one more fits: at most ``max_per_owner``
        per user or device (an app holds one; a few more cover reconnections the server has
        not noticed yet) and ``max_streams`` in all."""
        sub = Subscriber(counters=counters, services=services, centre_id=centre_id, owner=owner or Owner())
        key = sub.owner.key()
        if len(self._admitted) >= self._max_streams:
            raise Refused("Máy chủ đang phục vụ quá nhiều kết nối trực tiếp. Vui lòng thử lại sau.")
        if self._per_owner.get(key, 0) >= self._max_per_owner:
            raise Refused("Tài khoản hoặc thiết bị này đã mở quá nhiều kết nối trực tiếp cùng lúc.")
        self._admitted.add(sub)
        self._per_owner[key] = self._per_owner.get(key, 0) + 1
        return sub

    def offer_to(self, sub: Subscriber, *, admitted_at: int = 0) -> None:
        """Offer the stream every event after the hub's position now (its ``offered_after``)."""
        sub.admitted_at, sub.offered_after = admitted_at, self.position
        self._subscribers.add(sub)
        self._index.add(sub)

    def subscribe(self, **filters: Any) -> Subscriber:
        """``admit`` and ``offer_to`` at once."""
        sub = self.admit(**filters)
        self.offer_to(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        """The stream has ended (or never started): neither offered events nor counted."""
        self._subscribers.discard(sub)
        self._index.discard(sub)
        if sub in self._admitted:
            self._admitted.discard(sub)
            key = sub.owner.key()
            left = self._per_owner.get(key, 1) - 1
            if left > 0:
                self._per_owner[key] = left
            else:
                self._per_owner.pop(key, None)

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
            self._wake.clear()
            if self._stopping:
                return
            try:
                await self._drain()
            except Exception:  # the database may be briefly away; try again next round
                log.exception("event hub: reading new events failed")

    async def _drain(self) -> None:
        if not self._subscribers:  # nobody to hand rows to: keep up with the end, and with access
            changed, newest = await asyncio.to_thread(access_changed_after, self._db, self.position)
            if changed and self._on_access_change is not None:
                self._on_access_change()
            if not self._subscribers:  # one that came meanwhile is owed what follows position
                self.position = max(self.position, newest)
            return
        while True:
            rows = await asyncio.to_thread(fetch_after, self._db, self.position)
            for row in rows:
                self.position = row["id"]
                self._hand_out(row)
            if len(rows) < PAGE:
                return

    def _hand_out(self, row: dict[str, Any]) -> None:
        ended = ends_access(row)
        if ended is not None:
            if self._on_access_change is not None:
                self._on_access_change()  # this process forgets who a secret stood for
            # A change made before a stream was opened does not end it (a device just created).
            ending = [
                sub for sub in self._subscribers if sub.owner.ended_by(ended) and row["id"] > sub.admitted_at
            ]
            for sub in ending:
                self._end(sub)
        if row["type"] in INTERNAL:
            return
        encoded = None  # once for every stream that wants it: a centre's screens share each event
        for sub in list(self._index.candidates(row, self._subscribers)):
            if sub.wants(row):
                encoded = encoded or frame(row)
                self._offer(sub, (row["id"], encoded))

    def _end(self, sub: Subscriber) -> None:
        """End a stream now, whatever it has queued."""
        self.unsubscribe(sub)
        while not sub.queue.empty():
            sub.queue.get_nowait()
        sub.queue.put_nowait(None)

    def _offer(self, sub: Subscriber, item: tuple[int, bytes] | None) -> None:
        try:
            sub.queue.put_nowait(item)
        except asyncio.QueueFull:
            self._end(sub)  # too slow to keep up: it resumes from Last-Event-ID
