"""The board's view-model: the snapshot and the live stream, the featured calls, the pages.

Start-up reads GET /board and streams events after its ``last_event_id``; every change to
tickets or counters also schedules a (coalesced) re-read, which keeps the waiting counts
right; a full re-read runs every minute anyway and restarts a stream that died. Calls are
featured one after another, each at least ``feature_seconds`` and until its announcement is
over; calls that come together queue up and none is skipped.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from PySide6 import QtCore

from apiclient import client as api_client
from apiclient import errors as api_errors
from apiclient import events
from display_board.announcer import Announcer
from display_board.config import BoardConfig
from display_board.state import BoardState, Call
from onestop import calendar, errors
from qtkit import live, tasks

log = logging.getLogger(__name__)

RELOAD_DELAY_MS = 300  # events within this are one re-read
RETRY_MS = 3000  # a failed start-up read is tried again this soon
WATCHDOG_MS = 30_000  # a featured call moves on after this even if its sound never ended
SEEN_KEPT = 1000
NOT_ACCEPTED = "Khóa thiết bị của màn hình không hợp lệ: cần cấp lại khóa."


def _now() -> dt.datetime:
    return dt.datetime.now(calendar.VN_TZ)


class Board(QtCore.QObject):
    """Signals:
    changed(): counters, lines, recent calls, notice or page changed.
    featured(object): the Call now shown large, or None (the screen then shows the latest).
    connection(object): an ``events.Status`` when the stream connects or drops.
    """

    changed = QtCore.Signal()
    featured = QtCore.Signal(object)
    connection = QtCore.Signal(object)

    def __init__(
        self,
        config: BoardConfig,
        *,
        api: api_client.Client,
        announcer: Announcer,
        runner: tasks.Runner,
        clock: Callable[[], dt.datetime] = _now,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.config = config
        self.api = api
        self.announcer = announcer
        self.runner = runner
        self._clock = clock
        self.state = BoardState(
            counter_numbers=config.counters, agency_codes=config.agencies, recent_limit=config.recent_calls
        )
        self.status = events.Status(connected=False, reason="Đang kết nối máy chủ…")
        self.problem = ""  # shown in place of the hall when the server refuses this board
        self.current: Call | None = None
        self.page = 0
        self._pending: collections.deque[Call] = collections.deque()
        self._seen: collections.OrderedDict[int, None] = collections.OrderedDict()
        self._shown_long_enough = self._spoken = False
        self._clock_offset = dt.timedelta()
        self._agencies: dict[int, str] | None = None
        self._reloading = self._reload_again = False
        self._stopped = False

        self.feed = live.EventFeed(api, parent=self)
        queued = QtCore.Qt.ConnectionType.QueuedConnection
        self.feed.arrived.connect(self.on_event, queued)
        self.feed.status.connect(self.on_status, queued)
        self.feed.refused.connect(self.on_refused, queued)
        self.announcer.spoken.connect(self._on_spoken)
        self._reload_timer = self._timer(RELOAD_DELAY_MS, self.reload, single=True)
        self._resync_timer = self._timer(round(config.resync_seconds * 1000), self.resync)
        self._page_timer = self._timer(round(config.page_seconds * 1000), self.turn_page)
        self._feature_timer = self._timer(
            round(config.feature_seconds * 1000), self._shown_enough, single=True
        )
        self._watchdog = self._timer(WATCHDOG_MS, self._advance, single=True)

    def _timer(self, ms: int, slot: Callable[[], None], *, single: bool = False) -> QtCore.QTimer:
        timer = QtCore.QTimer(self, interval=ms, singleShot=single)
        timer.timeout.connect(slot)
        return timer

    # ------------------------------------------------------------ life

    def start(self) -> None:
        self._resync_timer.start()
        self._page_timer.start()
        self.connection.emit(self.status)  # "connecting" until the first read
        self.reload()

    def stop(self) -> None:
        self._stopped = True
        for timer in (self._reload_timer, self._resync_timer, self._page_timer, self._feature_timer):
            timer.stop()
        self._watchdog.stop()
        self.feed.stop()
        self.announcer.stop()

    # ------------------------------------------------------------ reading the server

    def schedule_reload(self) -> None:
        if not self._reload_timer.isActive():
            self._reload_timer.start()

    def reload(self) -> None:
        """Read the whole board once; a read asked for meanwhile runs after this one."""
        if self._stopped:
            return
        if self._reloading:
            self._reload_again = True
            return
        self._reloading, self._reload_again = True, False
        need_agencies = bool(self.config.agencies) and self._agencies is None

        def read() -> tuple[dict[str, Any], dict[int, str] | None, dt.datetime]:
            agencies = {a["id"]: a["code"] for a in self.api.agencies()} if need_agencies else None
            return self.api.board(), agencies, self._clock()

        self.runner.submit(read, done=self._loaded, failed=self._load_failed)

    def _loaded(self, result: tuple[dict[str, Any], dict[int, str] | None, dt.datetime]) -> None:
        snapshot, agencies, asked_at = result
        self._reloading = False
        if agencies is not None:
            self._agencies = agencies
        first = not self.state.loaded
        self.state.load(snapshot, self._agencies)
        assert self.state.server_time is not None
        self._clock_offset = self.state.server_time - (asked_at + (self._clock() - asked_at) / 2)
        self.problem = ""
        if first:
            for call in self.state.recent:  # history: listed, not featured again
                self._mark_seen(call.event_id)
        if not self.feed.running:
            self.feed.start(last_event_id=self.state.last_event_id)
        self.page %= self.pages
        self.changed.emit()
        if self._reload_again:
            self.schedule_reload()

    def _load_failed(self, exc: BaseException) -> None:
        self._reloading = False
        if isinstance(exc, api_errors.Unauthorized | errors.Forbidden):
            self._refuse(exc)
            return
        log.info("board read failed: %s", exc)
        if not self.state.loaded:
            self.status = events.Status(connected=False, reason=str(exc))
            self.connection.emit(self.status)
            QtCore.QTimer.singleShot(RETRY_MS, self.reload)

    def resync(self) -> None:
        """Every minute: re-read everything, restart a dead stream, say the board is alive."""
        self.reload()
        fault = self.announcer.fault
        self.runner.submit(lambda: self.api.report_device_status(fault), failed=lambda _: None)

    def on_status(self, status: events.Status) -> None:
        was = self.status.connected
        self.status = status
        if status.connected and not was and self.state.loaded:
            self.schedule_reload()  # the waiting counts of whatever happened while away
        self.connection.emit(status)

    def on_refused(self, exc: errors.DomainError) -> None:
        self._refuse(exc)

    def _refuse(self, exc: BaseException) -> None:
        log.error("the server refuses this board: %s", exc)
        self.problem = NOT_ACCEPTED
        self.feed.stop()
        self.changed.emit()

    # ------------------------------------------------------------ live events

    def on_event(self, event: dict[str, Any]) -> None:
        call = self.state.apply(event)
        if call is not None and call.event_id not in self._seen:
            self._mark_seen(call.event_id)
            if self.fresh(call):
                self._enqueue(call)
        # A stream.resync: the server would not replay what was missed, the snapshot has it.
        if event["type"].startswith(("ticket.", "counter.", "stream.")):
            self.schedule_reload()
        self.changed.emit()

    def fresh(self, call: Call) -> bool:
        """Made moments ago by the server's clock (not one missed while the board was away)."""
        server_now = self._clock() + self._clock_offset
        return (server_now - call.called_at).total_seconds() <= self.config.stale_seconds

    def _mark_seen(self, event_id: int) -> None:
        self._seen[event_id] = None
        while len(self._seen) > SEEN_KEPT:
            self._seen.popitem(last=False)

    # ------------------------------------------------------------ featured calls

    @property
    def latest(self) -> Call | None:
        """The newest call shown here, for the large panel when nothing is featured."""
        return self.state.recent[0] if self.state.recent else None

    def _enqueue(self, call: Call) -> None:
        for index, waiting in enumerate(self._pending):
            if waiting.ticket_id == call.ticket_id:  # called again before its turn: one turn
                self._pending[index] = call
                return
        self._pending.append(call)
        if self.current is None:
            self._advance()

    def _advance(self) -> None:
        self._feature_timer.stop()
        self._watchdog.stop()
        self.current = self._pending.popleft() if self._pending else None
        self.featured.emit(self.current)
        if self.current is not None:
            self._shown_long_enough = self._spoken = False
            self._feature_timer.start()
            self._watchdog.start()
            self.announcer.announce(self.current)

    def _shown_enough(self) -> None:
        self._shown_long_enough = True
        if self._spoken:
            self._advance()

    def _on_spoken(self, call: Call) -> None:
        if call is not self.current:
            return
        self._spoken = True
        if self._shown_long_enough:
            self._advance()

    # ------------------------------------------------------------ pages

    @property
    def pages(self) -> int:
        per = self.config.counters_per_page
        return max(1, -(-len(self.state.counters) // per))

    def page_counters(self) -> list[dict[str, Any]]:
        per = self.config.counters_per_page
        return self.state.counters[self.page * per : (self.page + 1) * per]

    def turn_page(self) -> None:
        if self.pages > 1:
            self.page = (self.page + 1) % self.pages
            self.changed.emit()
