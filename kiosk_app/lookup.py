"""Look-ups: procedures (search as you type) and a dossier's status (scanned or typed code)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6 import QtCore

from apiclient import client as api_client
from onestop import dossier, errors
from qtkit import tasks

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 250  # wait for a pause in typing before asking the server
SEARCH_LIMIT = 50


class _NewestOnly(QtCore.QObject):
    """Look-ups on the runner where only the newest request's answer counts: a citizen who
    typed on, or scanned again, must not see an older answer arrive last."""

    def __init__(
        self, *, api: api_client.Client, runner: tasks.Runner, parent: QtCore.QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._api = api
        self._runner = runner
        self._sent = 0  # number of the newest request

    def _submit(
        self,
        call: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[Exception], None],
    ) -> None:
        self._sent += 1
        number = self._sent
        self._runner.submit(
            call,
            done=lambda value: done(value) if number == self._sent else None,
            failed=lambda exc: failed(exc) if number == self._sent else None,
        )


def _message(exc: Exception, what: str) -> str:
    if not isinstance(exc, errors.DomainError):
        log.error("%s failed", what, exc_info=exc)
    return str(exc)


class ProcedureSearch(_NewestOnly):
    """Signals:
    results(str, object): the query and its list of procedures (only the newest query's).
    failed(str): a Vietnamese message.
    """

    results = QtCore.Signal(str, object)
    failed = QtCore.Signal(str)

    def __init__(
        self, *, api: api_client.Client, runner: tasks.Runner, parent: QtCore.QObject | None = None
    ) -> None:
        super().__init__(api=api, runner=runner, parent=parent)
        self._query = ""
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._send)

    def search(self, text: str) -> None:
        """Search for ``text`` once typing pauses."""
        self._query = " ".join(text.split())
        self._timer.start()

    def search_now(self, text: str) -> None:
        self._query = " ".join(text.split())
        self._timer.stop()
        self._send()

    def _send(self) -> None:
        query = self._query
        self._submit(
            lambda: self._api.procedures(q=query, limit=SEARCH_LIMIT),
            lambda found: self.results.emit(query, found),
            lambda exc: self.failed.emit(_message(exc, "procedure search")),
        )


class DossierLookup(_NewestOnly):
    """Signals:
    found(object): the dossier (public view: personal data masked by the server).
    not_found(str): the code, which the server does not know.
    bad_code(str): the text, which holds no dossier code.
    failed(str): a Vietnamese message (server unavailable ...).
    """

    found = QtCore.Signal(object)
    not_found = QtCore.Signal(str)
    bad_code = QtCore.Signal(str)
    failed = QtCore.Signal(str)

    def lookup(self, text: str) -> None:
        code = dossier.find_code(text)
        if code is None:
            self.bad_code.emit(text.strip())
            return
        token = dossier.find_token(text)  # a scanned receipt carries it: the masked details then
        self._submit(
            lambda: self._api.dossier(code, token=token),
            self.found.emit,
            lambda exc: self._on_failed(code, exc),
        )

    def _on_failed(self, code: str, exc: Exception) -> None:
        if isinstance(exc, errors.NotFound):
            self.not_found.emit(code)
        else:
            self.failed.emit(_message(exc, "dossier look-up"))
