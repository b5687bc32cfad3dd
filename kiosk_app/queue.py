"""The home screen's data: who this kiosk is, the services with their waits, and whether the
server answers. Polls the server; when it stops answering, retries with backoff and recovers
by itself."""

from __future__ import annotations

import dataclasses
import logging
import random
from collections.abc import Callable
from typing import Any

from PySide6 import QtCore

from apiclient import client as api_client
from apiclient import errors as api_errors
from apiclient import events as api_events
from onestop import errors
from qtkit import tasks

log = logging.getLogger(__name__)

RETRY_BASE, RETRY_CAP = 1.0, 30.0


@dataclasses.dataclass(frozen=True)
class Identity:
    """What the server knows of this kiosk."""

    centre_id: int
    centre_name: str
    priority_groups: tuple[tuple[str, str], ...]  # (code, Vietnamese name)
    agencies: tuple[dict[str, Any], ...]


@dataclasses.dataclass(frozen=True)
class Snapshot:
    identity: Identity
    services: tuple[dict[str, Any], ...]


class QueueModel(QtCore.QObject):
    """Signals:
    services_changed(object): a Snapshot, after every successful refresh.
    online_changed(bool): the server answers (True) or not (False).
    """

    services_changed = QtCore.Signal(object)
    online_changed = QtCore.Signal(bool)

    def __init__(
        self,
        *,
        api: api_client.Client,
        runner: tasks.Runner,
        whoami: Callable[[], dict[str, Any]],
        refresh_seconds: float,
        rng: random.Random | None = None,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._api = api
        self._runner = runner
        self._whoami = whoami  # reports to the server and answers with this device
        self._refresh_ms = int(refresh_seconds * 1000)
        self._rng = rng or random.Random()
        self._identity: Identity | None = None
        self._online: bool | None = None
        self._failures = 0
        self._busy = False
        self.last_error = ""
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh)

    @property
    def online(self) -> bool:
        return bool(self._online)

    @property
    def identity(self) -> Identity | None:
        return self._identity

    def start(self) -> None:
        self.refresh()

    def stop(self) -> None:
        self._timer.stop()

    def refresh(self) -> None:
        """Fetch now (also what the timer calls); a refresh in flight is not doubled."""
        if self._busy:
            return
        self._busy = True
        self._timer.stop()
        identity = self._identity
        self._runner.submit(
            lambda: self._fetch(identity), done=self._on_fetch_done, failed=self._on_fetch_failed
        )

    def report_failure(self, exc: Exception) -> None:
        """Another part of the kiosk found the server gone: show it now, not at the next poll."""
        self._on_fetch_failed(exc, busy=False)

    def _fetch(self, identity: Identity | None) -> Snapshot:
        if identity is None:
            identity = self._identify()
        return Snapshot(identity=identity, services=tuple(self._api.services(identity.centre_id)))

    def _identify(self) -> Identity:
        me = self._whoami()
        centre_id = int(me["centre_id"])
        names = {int(c["id"]): str(c["name"]) for c in self._api.centres()}
        groups = tuple((str(g["code"]), str(g["name"])) for g in self._api.priority_groups())
        return Identity(
            centre_id=centre_id,
            centre_name=names.get(centre_id, ""),
            priority_groups=groups,
            agencies=tuple(self._api.agencies()),
        )

    def _on_fetch_done(self, snapshot: Snapshot) -> None:
        self._busy = False
        self._identity = snapshot.identity
        self._failures = 0
        self._set_online(True)
        self.services_changed.emit(snapshot)
        self._timer.start(self._refresh_ms)

    def _on_fetch_failed(self, exc: Exception, *, busy: bool = True) -> None:
        if busy:
            self._busy = False
        if not isinstance(exc, errors.DomainError):
            log.error("unexpected error while refreshing", exc_info=exc)
        self.last_error = str(exc)
        if isinstance(exc, api_errors.Unauthorized):
            log.error("the server refuses this kiosk's device key: %s", exc)
        self._set_online(False)
        delay = api_events.backoff(self._failures, base=RETRY_BASE, cap=RETRY_CAP, rng=self._rng)
        self._failures += 1
        log.warning("server unavailable (%s); retrying in %.1f s", exc, delay)
        self._timer.start(int(delay * 1000))

    def _set_online(self, online: bool) -> None:
        if online != self._online:
            self._online = online
            self.online_changed.emit(online)
