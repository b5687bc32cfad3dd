"""Blocking calls (HTTP, printers, serial ports) on worker threads, results on the GUI thread.

Usage::

    runner = tasks.Runner(parent=window)
    runner.submit(lambda: api.services(), done=self.on_services_loaded, failed=self.on_error)

``fn`` runs on a worker and must not touch widgets; ``done(result)`` or ``failed(exc)`` runs
on the thread that owns the Runner (the GUI thread), through a queued signal. ``close()``
stops taking work, waits for the calls in flight and drops their results: call it before
the window goes away (apps do so on quit; tests through their fixture).
"""

from __future__ import annotations

import collections.abc
import concurrent.futures
import logging
import threading
from typing import Any

import shiboken6
from PySide6 import QtCore

log = logging.getLogger(__name__)

Callback = collections.abc.Callable[[Any], object]


def alive(widget: QtCore.QObject) -> bool:
    """Whether Qt has not deleted ``widget`` yet (a dialog the user closed is deleted later)."""
    return bool(shiboken6.isValid(widget))


def _while_alive(owner: QtCore.QObject, callback: Callback | None) -> Callback | None:
    if callback is None:
        return None

    def call(value: Any) -> object:
        return callback(value) if alive(owner) else None

    return call


class Runner(QtCore.QObject):
    """A small thread pool whose results come back as Qt events.

    Signals:
        _finished(object): internal; carries (callback, value) from a worker to this thread.
    """

    _finished = QtCore.Signal(object)

    def __init__(self, *, workers: int = 4, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="qms-io")
        self._lock = threading.Lock()
        self._closed = False
        self._in_flight = 0
        # Emitted from worker threads: Qt queues the call onto this object's thread.
        self._finished.connect(self._on_worker_finished, QtCore.Qt.ConnectionType.QueuedConnection)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def submit(
        self,
        fn: collections.abc.Callable[[], Any],
        *,
        done: Callback | None = None,
        failed: Callback | None = None,
        owner: QtCore.QObject | None = None,
    ) -> concurrent.futures.Future[Any] | None:
        """Run ``fn`` on a worker; None when the runner is closed (nothing runs then).

        ``owner``: the widget ``done``/``failed`` draw on (a dialog); if it has been deleted by
        the time the result comes back (the officer closed it), the result is dropped.
        """
        with self._lock:
            if self._closed:
                return None
            self._in_flight += 1
        if owner is not None:
            done, failed = _while_alive(owner, done), _while_alive(owner, failed)
        return self._pool.submit(self._run, fn, done, failed)

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _run(
        self, fn: collections.abc.Callable[[], Any], done: Callback | None, failed: Callback | None
    ) -> None:
        try:
            outcome: tuple[Callback | None, Any] = (done, fn())
        except Exception as exc:  # handed to `failed` on the GUI thread
            if failed is None:
                log.exception("background call failed and nobody handles it")
            outcome = (failed, exc)
        with self._lock:
            if self._closed:
                return
            self._finished.emit(outcome)

    def _on_worker_finished(self, outcome: tuple[Callback | None, Any]) -> None:
        if self._closed:  # queued before close(): its widgets may be gone
            return
        self._in_flight -= 1
        callback, value = outcome
        if callback is not None:
            callback(value)
