"""The counter PC's outbox: every intake, return and rating is written here before it is sent.

A SQLite file on the counter PC (stdlib sqlite3, WAL, one row per piece of work). Each row has
its Idempotency-Key, made once when the officer records the work, so sending it again after a
lost reply, a server restart or an app restart never makes a second dossier, return or rating.
Rows stay ``queued`` until the server accepts them (``sent``, with the server's reply) or
refuses them for good (``failed``, with the server's reason for the officer to act on).

Rows belong to the officer who recorded them: they are sent only while that officer is
signed in, so the server records the right person.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import pathlib
import sqlite3
import threading
import uuid
from typing import Any

INTAKE, RETURN, RATING = "intake", "return", "rating"
QUEUED, SENT, FAILED = "queued", "sent", "failed"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS work (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL,
    body TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',
    reply TEXT,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS work_state ON work (state, username, id);
"""


@dataclasses.dataclass(frozen=True)
class Work:
    id: int
    kind: str
    key: str
    username: str
    body: dict[str, Any]
    recorded_at: dt.datetime
    state: str
    reply: dict[str, Any] | None
    error: str | None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Outbox:
    """Thread-safe: the GUI thread adds, a worker sends. Every write is committed at once."""

    def __init__(self, path: pathlib.Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # an officer's work survives a power cut
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add(self, kind: str, body: dict[str, Any], *, username: str) -> Work:
        """Record a piece of work (committed to disk before this returns)."""
        now = _now()
        key = str(uuid.uuid4())
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO work (kind, key, username, body, recorded_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (kind, key, username, json.dumps(body, ensure_ascii=False), now.isoformat(), now.isoformat()),
            )
        assert cursor.lastrowid is not None
        return self.get(cursor.lastrowid)

    def get(self, work_id: int) -> Work:
        with self._lock:
            row = self._db.execute(_SELECT_ONE, (work_id,)).fetchone()
        if row is None:
            raise KeyError(work_id)
        return _work(row)

    def queued(self, username: str | None = None) -> list[Work]:
        """Queued work in the order it was recorded (of one officer, or everyone's)."""
        with self._lock:
            if username is None:
                rows = self._db.execute(_SELECT_QUEUED).fetchall()
            else:
                rows = self._db.execute(_SELECT_QUEUED_OF, (username,)).fetchall()
        return [_work(row) for row in rows]

    def failed(self, username: str) -> list[Work]:
        with self._lock:
            rows = self._db.execute(_SELECT_FAILED_OF, (username,)).fetchall()
        return [_work(row) for row in rows]

    def count_queued(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM work WHERE state = 'queued'").fetchone()[0])

    def mark_sent(self, work_id: int, reply: dict[str, Any]) -> None:
        self._finish(work_id, SENT, reply=json.dumps(reply, ensure_ascii=False), error=None)

    def mark_failed(self, work_id: int, error: str) -> None:
        self._finish(work_id, FAILED, reply=None, error=error)

    def note_attempt(self, work_id: int) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE work SET attempts = attempts + 1, updated_at = ? WHERE id = ?",
                (_now().isoformat(), work_id),
            )

    def _finish(self, work_id: int, state: str, *, reply: str | None, error: str | None) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE work SET state = ?, reply = ?, error = ?, updated_at = ?"
                " WHERE id = ? AND state = 'queued'",
                (state, reply, error, _now().isoformat(), work_id),
            )


_SELECT_ONE = "SELECT id, kind, key, username, body, recorded_at, state, reply, error FROM work WHERE id = ?"
_SELECT_QUEUED = (
    "SELECT id, kind, key, username, body, recorded_at, state, reply, error FROM work"
    " WHERE state = 'queued' ORDER BY id"
)
_SELECT_QUEUED_OF = (
    "SELECT id, kind, key, username, body, recorded_at, state, reply, error FROM work"
    " WHERE state = 'queued' AND username = ? ORDER BY id"
)
_SELECT_FAILED_OF = (
    "SELECT id, kind, key, username, body, recorded_at, state, reply, error FROM work"
    " WHERE state = 'failed' AND username = ? ORDER BY id"
)


def _work(row: tuple[Any, ...]) -> Work:
    work_id, kind, key, username, body, recorded_at, state, reply, error = row
    return Work(
        id=work_id,
        kind=kind,
        key=key,
        username=username,
        body=json.loads(body),
        recorded_at=dt.datetime.fromisoformat(recorded_at),
        state=state,
        reply=json.loads(reply) if reply else None,
        error=error,
    )
