"""Sending the outbox: one piece of work at a time, in the order recorded, exactly once.

``Sync.record(kind, body)`` writes the work to the outbox (on disk before anything is sent)
and starts sending. Sending stops at the first "server unavailable" and is tried again every
``retry_seconds`` and whenever ``kick()`` is called (the desk calls it on reconnect); the
Idempotency-Key recorded with the work makes every resend safe. A refusal (422, 409, 404,
403) marks the work failed with the server's reason and sending goes on with the next.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any

from PySide6 import QtCore

from apiclient import client as api_client
from apiclient import errors as api_errors
from counter_app import outbox
from onestop import errors
from qtkit import tasks

log = logging.getLogger(__name__)


class Sync(QtCore.QObject):
    """Signals:
    changed(int): how many pieces of this officer's work wait to be sent.
    sent(object): an ``outbox.Work`` the server accepted (``reply`` holds its answer).
    failed(object): an ``outbox.Work`` the server refused for good (``error`` says why).
    """

    changed = QtCore.Signal(int)
    sent = QtCore.Signal(object)
    failed = QtCore.Signal(object)

    def __init__(
        self,
        *,
        box: outbox.Outbox,
        api: api_client.Client,
        runner: tasks.Runner,
        retry_seconds: float = 5.0,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.box = box
        self.api = api
        self.runner = runner
        self.username: str | None = None
        self._sending = False
        self._retry = QtCore.QTimer(self, singleShot=True, interval=round(retry_seconds * 1000))
        self._retry.timeout.connect(self.kick)

    @property
    def waiting(self) -> int:
        return len(self.box.queued(self.username)) if self.username else 0

    def set_user(self, username: str | None) -> None:
        """Send this officer's work from now on (None: send nothing, e.g. signed out)."""
        self.username = username
        self.changed.emit(self.waiting)
        self.kick()

    def stop(self) -> None:
        """Send nothing more (the app is closing; the outbox keeps what is left)."""
        self._retry.stop()
        self.username = None

    def record(self, kind: str, body: dict[str, Any]) -> outbox.Work:
        """Keep the work on disk, then send it when the server can take it."""
        assert self.username is not None, "work is recorded by a signed-in officer"
        work = self.box.add(kind, body, username=self.username)
        self.changed.emit(self.waiting)
        self.kick()
        return work

    def kick(self) -> None:
        if self._sending or self.username is None:
            return
        pending = self.box.queued(self.username)
        if not pending:
            return
        self._sending = True
        work = pending[0]
        self.runner.submit(
            lambda: self._send(work), done=self._on_sent, failed=lambda exc: self._on_failed(work, exc)
        )

    def _send(self, work: outbox.Work) -> tuple[outbox.Work, dict[str, Any]]:
        """Worker thread: one request, no retries of its own (the outbox retries)."""
        self.box.note_attempt(work.id)
        body = work.body
        if work.kind == outbox.INTAKE:
            reply = self.api.create_dossier(body, idempotency_key=work.key)
        elif work.kind == outbox.RETURN:
            reply = self.api.return_result(
                body["code"],
                body["returned_to"],
                body.get("method") or "counter",
                returned_at=dt.datetime.fromisoformat(body["returned_at"]),
                idempotency_key=work.key,
            )
        elif work.kind == outbox.RATING:
            reply = self.api.rate(
                body["code"],
                body["level"],
                body.get("reason"),
                rated_at=dt.datetime.fromisoformat(body["rated_at"]),
                idempotency_key=work.key,
            )
        else:
            raise errors.InvalidValue("kind", f"Loại việc không rõ: {work.kind}")
        self.box.mark_sent(work.id, reply)
        return work, reply

    def _on_sent(self, result: tuple[outbox.Work, dict[str, Any]]) -> None:
        work, reply = result
        self._sending = False
        self.sent.emit(dataclasses.replace(work, state=outbox.SENT, reply=reply))
        self.changed.emit(self.waiting)
        self.kick()

    def _on_failed(self, work: outbox.Work, exc: BaseException) -> None:
        self._sending = False
        if isinstance(exc, api_errors.ServerUnavailable | api_errors.Unauthorized):
            # Not the work's fault: keep it and try again later (after sign-in for a 401).
            log.info("outbox: %s not sent now (%s); retrying", work.kind, exc)
            self._retry.start()
            return
        message = exc.message if isinstance(exc, errors.DomainError) else "Lỗi không mong đợi khi gửi."
        if not isinstance(exc, errors.DomainError):
            log.error("outbox: sending %s %s failed", work.kind, work.key, exc_info=exc)
        self.box.mark_failed(work.id, message)
        self.failed.emit(dataclasses.replace(work, state=outbox.FAILED, error=message))
        self.changed.emit(self.waiting)
        self.kick()
