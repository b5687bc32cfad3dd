"""The app side of the line-based JSON channel: commands on stdin, replies and events on stdout.

Each command is one JSON object per line, ``{"id": 7, "cmd": "tap", ...}``; its reply is
``{"id": 7, "ok": true, ...}`` or ``{"id": 7, "ok": false, "error": "..."}``. Unasked lines
(``{"event": ...}``) report what the app did by itself. stdin is read on a thread of its own;
each command is handled on the GUI thread, and may finish later (when the app's visible state
says so): commands to different windows run side by side.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6 import QtCore, QtWidgets

POLL_MS = 10
Handler = Callable[["Request"], None]


class Failed(Exception):
    """A command that could not be done; the message goes back to the test."""


class Request:
    """One command in flight: its arguments, and how it answers (once)."""

    def __init__(self, channel: Channel, message: dict[str, Any]) -> None:
        self.channel = channel
        self.id = message.get("id")
        self.args = message
        self.done = False

    def __getitem__(self, name: str) -> Any:
        return self.args[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.args.get(name, default)

    def reply(self, **values: Any) -> None:
        if not self.done:
            self.done = True
            self.channel.write({"id": self.id, "ok": True, **values})

    def fail(self, error: str) -> None:
        if not self.done:
            self.done = True
            self.channel.write({"id": self.id, "ok": False, "error": error})

    def wait(
        self,
        ready: Callable[[], Any],
        then: Callable[[Any], None],
        *,
        what: str,
        timeout: float | None = None,
    ) -> None:
        """Call ``then(value)`` on the GUI thread once ``ready()`` gives a value that is not
        None (polled every few ms: the app's own state, in this process), or fail after
        ``timeout`` seconds (the command's "timeout", else 30 s)."""
        limit = timeout if timeout is not None else float(self.get("timeout", 30.0))
        deadline = time.monotonic() + limit

        def poll() -> None:
            if self.done:
                return
            try:
                value = ready()
                if value is not None:
                    then(value)
                    return
            except Failed as exc:
                self.fail(str(exc))
                return
            except Exception:
                self.fail(traceback.format_exc())
                return
            if time.monotonic() > deadline:
                self.fail(f"timed out after {limit:g} s waiting for {what}")
                return
            QtCore.QTimer.singleShot(POLL_MS, poll)

        poll()


class Channel(QtCore.QObject):
    """Reads commands from stdin and hands each to its handler on the GUI thread."""

    arrived = QtCore.Signal(object)

    def __init__(self, handlers: dict[str, Handler], parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.handlers = {"quit": self._quit, "ping": lambda request: request.reply(), **handlers}
        self._lock = threading.Lock()
        self.arrived.connect(self._on_arrived, QtCore.Qt.ConnectionType.QueuedConnection)
        self._reader = threading.Thread(target=self._read, name="channel-stdin", daemon=True)

    def start(self) -> None:
        self._reader.start()

    def write(self, message: dict[str, Any]) -> None:
        line = json.dumps(message, ensure_ascii=False, default=str)
        with self._lock:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def tell(self, kind: str, **values: Any) -> None:
        self.write({"event": kind, **values})

    def _read(self) -> None:
        for line in sys.stdin:
            if line.strip():
                self.arrived.emit(json.loads(line))
        self.arrived.emit({"cmd": "quit"})  # the test is gone: so are we

    def _on_arrived(self, message: dict[str, Any]) -> None:
        request = Request(self, message)
        handler = self.handlers.get(str(message.get("cmd")))
        if handler is None:
            request.fail(f"unknown command {message.get('cmd')!r}")
            return
        try:
            handler(request)
        except Failed as exc:
            request.fail(str(exc))
        except Exception:
            request.fail(traceback.format_exc())

    def _quit(self, request: Request) -> None:
        request.reply()
        QtWidgets.QApplication.exit(0)
