"""Look-ups: procedures (search as you type) and a dossier's status (scanned or typed code)."""

from __future__ import annotations

import logging
from typing import Any

from PySide6 import QtCore

from apiclient import client as api_client
from onestop import dossier, errors
from qtkit import tasks

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 250  # wait for a pause in typing before asking the server
SEARCH_LIMIT = 50


class ProcedureSearch(QtCore.QObject):
    """Signals:
    results(str, object): the query and its list of procedures (only the newest query's).
    failed(str): a Vietnamese message.
    """

    results = QtCore.Signal(str, object)
    failed = QtCore.Signal(str)

    def __init__(
        self, *, api: api_client.Client, runner: tasks.Runner, parent: QtCore.QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._api = api
        self._runner = runner
        self._query = ""
        self._sent = 0  # number of the newest request; older answers are dropped
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
        self._sent += 1
        number, query = self._sent, self._query
        self._runner.submit(
            lambda: self._api.procedures(q=query, limit=SEARCH_LIMIT),
            done=lambda found: self._on_found(number, query, found),
            failed=lambda exc: self._on_failed(number, exc),
        )

    def _on_found(self, number: int, query: str, found: list[dict[str, Any]]) -> None:
        if number == self._sent:
            self.results.emit(query, found)

    def _on_failed(self, number: int, exc: Exception) -> None:
        if number != self._sent:
            return
        if not isinstance(exc, errors.DomainError):
            log.error("procedure search failed", exc_info=exc)
        self.failed.emit(str(exc))


class DossierLookup(QtCore.QObject):
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

    def __init__(
        self, *, api: api_client.Client, runner: tasks.Runner, parent: QtCore.QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._api = api
        self._runner = runner
        self._sent = 0

    def lookup(self, text: str) -> None:
        code = dossier.find_code(text)
        if code is None:
            self.bad_code.emit(text.strip())
            return
        self._sent += 1
        number = self._sent
        self._runner.submit(
            lambda: self._api.dossier(code),
            done=lambda found: self._on_found(number, found),
            failed=lambda exc: self._on_failed(number, code, exc),
        )

    def _on_found(self, number: int, found: dict[str, Any]) -> None:
        if number == self._sent:
            self.found.emit(found)

    def _on_failed(self, number: int, code: str, exc: Exception) -> None:
        if number != self._sent:
            return
        if isinstance(exc, errors.NotFound):
            self.not_found.emit(code)
        else:
            if not isinstance(exc, errors.DomainError):
                log.error("dossier look-up failed", exc_info=exc)
            self.failed.emit(str(exc))
