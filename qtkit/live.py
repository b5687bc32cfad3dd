"""The server's live event stream, read on its own thread, delivered as Qt signals."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from PySide6 import QtCore

from apiclient import client as api_client
from apiclient import events
from onestop import errors

log = logging.getLogger(__name__)


class EventFeed(QtCore.QObject):
    """Events (all of the centre's, or those of some counters and services), resuming after any
    drop with nothing missed.

    Signals (queued onto the thread that owns the feed):
        arrived(object): one event dict (apiclient.events describes it).
        status(object): an ``events.Status`` each time the stream connects or drops.
        refused(object): the server refused the stream (a onestop error; 401 = signed out).
    """

    arrived = QtCore.Signal(object)
    status = QtCore.Signal(object)
    refused = QtCore.Signal(object)

    def __init__(self, api: api_client.Client, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._api = api
        self._stream: events.EventStream | None = None
        self._thread: threading.Thread | None = None
        self.filters: tuple[frozenset[int] | None, frozenset[int] | None] | None = None

    def start(
        self,
        *,
        last_event_id: int,
        counters: Iterable[int] | None = None,
        services: Iterable[int] | None = None,
    ) -> None:
        """(Re)start the stream after ``last_event_id``; no filters means every event."""
        self.stop()
        wanted = (
            None if counters is None else frozenset(counters),
            None if services is None else frozenset(services),
        )
        self.filters = wanted
        stream = self._api.events(
            counters=None if wanted[0] is None else sorted(wanted[0]),
            services=None if wanted[1] is None else sorted(wanted[1]),
            last_event_id=last_event_id,
            on_status=self.status.emit,
        )
        self._stream = stream
        self._thread = threading.Thread(target=self._read, args=(stream,), name="qms-events", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """End the stream; returns once its thread has (promptly: close() wakes it)."""
        stream, thread = self._stream, self._thread
        self._stream = self._thread = None
        self.filters = None
        if stream is not None:
            stream.close()
        if thread is not None:
            thread.join(timeout=5)

    @property
    def running(self) -> bool:
        """Reading now: started, not stopped, and its thread has not died of a bug."""
        return self._thread is not None and self._thread.is_alive()

    def _read(self, stream: events.EventStream) -> None:
        try:
            for item in stream:
                self.arrived.emit(item)
        except errors.DomainError as exc:
            self.refused.emit(exc)
        except Exception:  # a bug: log it, the periodic resync restarts the stream
            log.exception("event stream failed")
