"""The calling desk of one counter: its state from the server, and what each action does.

``Desk`` holds the counter's snapshot (``GET /counters/{id}/queue``) and keeps it current:
every event about the counter or its services schedules a reload (bursts coalesce into
one), a full resync runs every ``resync_seconds``, and an action's own reply shows at once
without waiting for its event. Actions run on the Runner's workers; while one is in flight,
while the event stream is down, or where the domain's rules forbid it, ``allowed()`` says
no, so the window disables the button instead of the server answering 409.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6 import QtCore

from apiclient import client as api_client
from apiclient import errors as api_errors
from apiclient import events
from counter_app import session
from onestop import errors, queue
from onestop.enums import CounterStatus, TicketStatus
from qtkit import live, tasks

log = logging.getLogger(__name__)

# A burst of events (a call updates the ticket and the counts) becomes one reload.
RELOAD_DELAY_MS = 30
SESSION_ENDED = session.SESSION_ENDED
SIGN_IN_RETRY_MS = 5000  # an unattended sign-in tries again this often while the server is away
ACTIONS = (
    "next",
    "recall",
    "no_show",
    "start",
    "transfer",
    "finish",
    "pause",
    "resume",
    "reactivate",
    "close",
    "intake",
    "return",
)


class Desk(QtCore.QObject):
    """Signals:
    changed(): the snapshot, the connection or the busy state changed: redraw.
    message(str): a sentence for the officer ("" clears it).
    signed_in(): the counter is open and its snapshot loaded.
    signed_out(str): back to the sign-in screen, with the reason ("" after closing the counter).
    board(str, str): what the counter's LED display should show: ("call" | "recall", number),
        ("clear", ""), ("paused", "").
    reconnected(): the event stream is connected again (or for the first time).
    """

    changed = QtCore.Signal()
    message = QtCore.Signal(str)
    signed_in = QtCore.Signal()
    signed_out = QtCore.Signal(str)
    board = QtCore.Signal(str, str)
    reconnected = QtCore.Signal()

    def __init__(
        self,
        *,
        api: api_client.Client,
        runner: tasks.Runner,
        resync_seconds: float = 60.0,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.api = api
        self.runner = runner
        self.data: dict[str, Any] | None = None
        self.user: dict[str, Any] | None = None
        self.connection = events.Status(connected=False, reason="Chưa kết nối.")
        self.busy = ""
        self._generation = 0  # bumped by every applied change; older reload replies are stale
        self._reloading = False
        self._reload_again = False
        self.feed = live.EventFeed(api, parent=self)
        queued = QtCore.Qt.ConnectionType.QueuedConnection
        self.feed.arrived.connect(self.on_feed_event, queued)
        self.feed.status.connect(self.on_feed_status, queued)
        self.feed.refused.connect(self.on_feed_refused, queued)
        self._reload_timer = QtCore.QTimer(self, singleShot=True, interval=RELOAD_DELAY_MS)
        self._reload_timer.timeout.connect(self.reload)
        self._resync = QtCore.QTimer(self, interval=round(resync_seconds * 1000))
        self._resync.timeout.connect(self.resync)
        self._sign_in_again = QtCore.QTimer(self, singleShot=True, interval=SIGN_IN_RETRY_MS)
        self._sign_in_again.timeout.connect(self._on_sign_in_again)
        self._retry: Callable[[], None] | None = None

    # ------------------------------------------------------------ reading the state

    @property
    def counter(self) -> dict[str, Any] | None:
        return self.data["counter"] if self.data else None

    @property
    def current(self) -> dict[str, Any] | None:
        return self.data["current"] if self.data else None

    @property
    def counter_id(self) -> int | None:
        return self.counter["id"] if self.counter else None

    def allowed(self, action: str) -> bool:
        """Whether ``action`` makes sense now (the window enables its button by this).

        An action in flight does not count: buttons do not flicker at every press; ``act``
        ignores presses until the reply is in.
        """
        if self.data is None:
            return False
        if action == "intake":  # kept in the outbox while the server is away: works offline
            return self.current is not None and self.current["status"] == TicketStatus.SERVING
        if not self.connection.connected:
            return False
        if action == "return":  # the dossier is looked up on the server
            return True
        status = CounterStatus(self.data["counter"]["status"])
        ticket = self.current
        if ticket is None:
            return {
                "next": status is CounterStatus.OPEN,
                "pause": status is CounterStatus.OPEN,
                "resume": status is CounterStatus.PAUSED,
                "reactivate": status is not CounterStatus.CLOSED,
                "close": True,
            }.get(action, False)
        moves = queue.TRANSITIONS[TicketStatus(ticket["status"])]
        return {
            "recall": TicketStatus.CALLED in moves,
            "no_show": TicketStatus.NO_SHOW in moves
            and ticket["call_count"] >= self.data["no_show_after_calls"],
            "start": TicketStatus.SERVING in moves,
            "transfer": TicketStatus.TRANSFERRED in moves,
            "finish": TicketStatus.DONE in moves,
            "pause": status is CounterStatus.OPEN,
            "resume": status is CounterStatus.PAUSED,
            "reactivate": status is not CounterStatus.CLOSED,
        }.get(action, False)

    # ------------------------------------------------------------ sign-in and out

    def sign_in(self, username: str, password: str, counter_number: int, *, unattended: bool = False) -> None:
        """Sign in and open the counter. ``unattended`` (the PC signs in by its configuration):
        while the server is away or busy (many desks signing in at opening time), try again
        by itself every few seconds."""
        self._sign_in_again.stop()  # a sign-in now replaces one waiting to try again
        self._retry = None

        def work() -> tuple[dict[str, Any], dict[str, Any]]:
            reply = self.api.login(username, password)
            counter = next((c for c in self.api.counters() if c["number"] == counter_number), None)
            if counter is None:
                raise errors.NotFound(f"Không có quầy số {counter_number}.")
            self.api.open_counter(counter["id"])
            return reply["user"], self.api.counter_queue(counter["id"])

        def again() -> None:
            self.sign_in(username, password, counter_number, unattended=True)

        self._run("sign_in", work, self._on_signed_in, when_away=again if unattended else None)

    def _on_signed_in(self, result: tuple[dict[str, Any], dict[str, Any]]) -> None:
        self.user, data = result
        self._apply(data)
        self._start_feed()
        self._resync.start()
        self.signed_in.emit()

    def sign_out(self, reason: str = "") -> None:
        """Stop following the counter and forget the session (the counter stays as it is)."""
        self._resync.stop()
        self._reload_timer.stop()
        self.feed.stop()
        session.end(self.api, self.runner, reason)
        self.data = self.user = None
        self.busy = ""
        self.connection = events.Status(connected=False, reason="Chưa kết nối.")
        self.signed_out.emit(reason)

    def shutdown(self) -> None:
        self._sign_in_again.stop()
        self._resync.stop()
        self._reload_timer.stop()
        self.feed.stop()

    # ------------------------------------------------------------ actions

    def act(self, action: str, argument: int | None = None) -> None:
        """Do ``action`` (one of ACTIONS) if allowed; ``argument`` is a service id for
        "transfer" and a ticket id for "reactivate"."""
        if self.busy or not self.allowed(action):
            return
        counter_id, ticket = self.counter_id, self.current
        assert counter_id is not None
        calls: dict[str, Callable[[], Any]] = {
            "next": lambda: self.api.call_next(counter_id),
            "pause": lambda: self.api.pause_counter(counter_id),
            "resume": lambda: self.api.open_counter(counter_id),
            "close": lambda: self.api.close_counter(counter_id),
        }
        if ticket is not None:
            calls |= {
                "recall": lambda: self.api.recall(ticket["id"]),
                "no_show": lambda: self.api.no_show(ticket["id"]),
                "start": lambda: self.api.start(ticket["id"]),
                "finish": lambda: self.api.finish(ticket["id"]),
            }
            if argument is not None:
                calls["transfer"] = lambda: self.api.transfer(ticket["id"], argument)
        if action == "reactivate" and argument is not None:
            calls["reactivate"] = lambda: self.api.reactivate(argument)
        call = calls.get(action)
        if call is not None:
            self._run(action, call, lambda reply: self._on_acted(action, reply))

    def _on_acted(self, action: str, reply: dict[str, Any] | None) -> None:
        assert self.data is not None
        if action == "close":
            self.board.emit("clear", "")
            self.sign_out()
            return
        if action in ("pause", "resume"):
            self.data["counter"] = reply
            self.board.emit("paused" if action == "pause" else "clear", "")
        elif action == "next" and reply is None:
            self.message.emit("Không còn ai chờ ở các dịch vụ của quầy.")
        elif action != "reactivate" and reply is not None:
            active = reply["status"] in (TicketStatus.CALLED, TicketStatus.SERVING)
            self.data["current"] = reply if active else None
            if action in ("next", "recall"):
                self.board.emit("call" if action == "next" else "recall", reply["number"])
            elif not active:
                self.board.emit("clear", "")
        if action == "reactivate" and reply is not None:
            self.message.emit(f"Số {reply['number']} đã được xếp lại vào hàng chờ.")
        self._generation += 1
        self.changed.emit()
        self.schedule_reload()

    def _run(
        self,
        action: str,
        call: Callable[[], Any],
        done: Callable[[Any], None],
        *,
        when_away: Callable[[], None] | None = None,
    ) -> None:
        self.busy = action
        self.message.emit("")
        self.changed.emit()

        def finished(value: Any) -> None:
            self.busy = ""
            done(value)
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            self.busy = ""
            if when_away is not None and isinstance(exc, api_errors.ServerUnavailable):
                self.message.emit(f"{exc.message} Đang thử lại…")
                self._retry_later(when_away)
                self.changed.emit()
                return
            ended = isinstance(exc, api_errors.Unauthorized) and action != "sign_in" and self.data is None
            # An action refused after the stream already ended the session: its reason stays
            # on the sign-in page, not replaced by the server's bare 401.
            if not ended:
                self.report_failure(exc)
            self.changed.emit()

        self.runner.submit(call, done=finished, failed=failed)

    def _retry_later(self, retry: Callable[[], None]) -> None:
        self._retry = retry
        self._sign_in_again.start()

    def _on_sign_in_again(self) -> None:
        retry, self._retry = self._retry, None
        if retry is not None:
            retry()

    def report_failure(self, exc: BaseException) -> None:
        if isinstance(exc, api_errors.Unauthorized) and self.data is not None:
            self.sign_out(SESSION_ENDED)
            return
        if isinstance(exc, errors.DomainError):
            self.message.emit(exc.message)
        else:
            log.error("counter action failed", exc_info=exc)
            self.message.emit("Lỗi không mong đợi; thao tác chưa thực hiện. Vui lòng thử lại.")
        if self.data is not None:
            # A 409 means our picture was old (another counter took the ticket): refresh it.
            self.schedule_reload()

    # ------------------------------------------------------------ keeping current

    def schedule_reload(self) -> None:
        if self.data is not None and not self._reload_timer.isActive():
            self._reload_timer.start()

    def reload(self) -> None:
        counter_id = self.counter_id
        if counter_id is None:
            return
        if self._reloading:
            self._reload_again = True
            return
        self._reloading, self._reload_again = True, False
        generation = self._generation

        def done(data: dict[str, Any]) -> None:
            self._reloading = False
            if self.data is None or data["counter"]["id"] != self.counter_id:
                return  # signed out meanwhile
            if self.busy:
                # An action is in flight: its reply shows first (a button never lights up for
                # a state whose action has not finished), and it schedules the next read.
                self._reload_again = False
            elif generation == self._generation:
                self._apply(data)
                self.changed.emit()
            else:
                self._reload_again = True  # an action changed things while we read: read again
            if self._reload_again:
                self.schedule_reload()

        def failed(exc: BaseException) -> None:
            self._reloading = False
            if isinstance(exc, api_errors.Unauthorized) and self.data is not None:
                self.sign_out(SESSION_ENDED)
            else:
                log.info("reload failed: %s", exc)

        self.runner.submit(lambda: self.api.counter_queue(counter_id), done=done, failed=failed)

    def resync(self) -> None:
        """The periodic full reload; also restarts the stream if it died or the services changed."""
        self.reload()
        if self.data is not None and (not self.feed.running or self.feed.filters != self._filters()):
            self._start_feed()

    def _apply(self, data: dict[str, Any]) -> None:
        self.data = data
        self._generation += 1

    def _filters(self) -> tuple[frozenset[int] | None, frozenset[int] | None]:
        assert self.data is not None
        counter = self.data["counter"]
        return frozenset({counter["id"]}), frozenset(counter["service_ids"])

    def _start_feed(self) -> None:
        assert self.data is not None
        counters, services = self._filters()
        self.feed.start(counters=counters, services=services, last_event_id=self.data["last_event_id"])

    def on_feed_event(self, event: dict[str, Any]) -> None:
        self.schedule_reload()

    def on_feed_status(self, status: events.Status) -> None:
        was = self.connection.connected
        self.connection = status
        if status.connected and not was:
            self.schedule_reload()  # whatever happened while away
            self.reconnected.emit()
        self.changed.emit()

    def on_feed_refused(self, exc: errors.DomainError) -> None:
        if isinstance(exc, api_errors.Unauthorized):
            self.sign_out(SESSION_ENDED)
        else:
            self.message.emit(exc.message)
