"""The test's side of a day in the centre: the server (``python -m server.cli run``) and the
apps (``python -m tests.e2e.driver``) as processes of their own, and the channel to each app."""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import httpx

ROOT = pathlib.Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    # The day is played fast: its kiosk issues far beyond a citizen's pace (the server's limit).
    fast = {"QMS_KIOSK_TICKETS_PER_MINUTE": "1000000"}
    return os.environ | {"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)} | fast | (extra or {})


def _no_traceback(log: pathlib.Path) -> None:
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, f"{log.name}:\n{text[-4000:]}"


class ServerProcess:
    """``qms-server run`` on a fixed port, so a restart is found where the apps look for it."""

    def __init__(
        self,
        *,
        data_dir: pathlib.Path,
        database_url: str,
        log_dir: pathlib.Path,
        args: Sequence[str] = ("--log-level", "warning"),
    ) -> None:
        self.args = list(args)
        self.data_dir = data_dir
        self.database_url = database_url
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_dir = log_dir
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        assert self.process is None
        self.starts += 1
        args = [sys.executable, "-m", "server.cli", "run", "--data-dir", str(self.data_dir)]
        args += ["--database-url", self.database_url, "--port", str(self.port), *self.args]
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                args, cwd=ROOT, env=_environment(), stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while not self._answers():
            assert self.process.poll() is None, "the server exited at start"
            assert time.monotonic() < deadline, "the server did not start in 60 s"
            time.sleep(0.05)  # fixed wait is right: another process; nothing to wait on but its port

    @property
    def log_path(self) -> pathlib.Path:
        """The output of the latest start."""
        return self.log_dir / f"server-{self.starts}.log"

    def _answers(self) -> bool:
        try:
            return httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        """SIGKILL: no shutdown of any kind, as when the power goes."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def check_logs(self) -> None:
        """No traceback in any start's output (a stop ends the open event streams cleanly)."""
        for log in self.log_dir.glob("server-*.log"):
            _no_traceback(log)


class AppFailed(AssertionError):
    pass


class App:
    """One driver process (tests/e2e/driver.py) and its channel."""

    def __init__(self, name: str, args: list[str], *, log: pathlib.Path, env: dict[str, str] | None = None):
        self.name = name
        self.log = log
        command = [sys.executable, "-m", "tests.e2e.driver", *args]
        with log.open("w") as stderr:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=_environment(env),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
            )
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._changed = threading.Condition()
        self._replies: dict[int, dict[str, Any]] = {}
        self.events: collections.deque[dict[str, Any]] = collections.deque()
        self.all_events: list[dict[str, Any]] = []
        self._reader = threading.Thread(target=self._read, name=f"{name}-stdout", daemon=True)
        self._reader.start()
        self.wait_event(lambda e: e["event"] == "started", timeout=60)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            message = json.loads(raw)
            with self._changed:
                if "event" in message:
                    self.all_events.append(message)
                else:
                    self._replies[int(message["id"])] = message
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def _await(self, ready: Callable[[], Any], timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                value = ready()
                if value is not None:
                    return value
                if self.process.poll() is not None:
                    raise AppFailed(
                        f"{self.name} exited ({self.process.returncode}) waiting for {what}:\n"
                        + self.log.read_text(errors="replace")[-4000:]
                    )
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AppFailed(f"{self.name}: no {what} in {timeout:g} s")
                self._changed.wait(min(left, 1.0))

    def ask(self, cmd: str, *, timeout: float = 30.0, **args: Any) -> dict[str, Any]:
        """Send one command and wait for its answer (thread-safe: commands may overlap)."""
        number = next(self._ids)
        line = json.dumps({"id": number, "cmd": cmd, "timeout": timeout, **args}, ensure_ascii=False)
        with self._lock:
            assert self.process.stdin is not None
            self.process.stdin.write(line.encode() + b"\n")
            self.process.stdin.flush()
        reply: dict[str, Any] = self._await(
            lambda: self._replies.pop(number, None), timeout + 10, f"answer to {cmd}"
        )
        return reply

    def do(self, cmd: str, *, timeout: float = 30.0, **args: Any) -> dict[str, Any]:
        """ask(), failing the test when the app could not do it."""
        reply = self.ask(cmd, timeout=timeout, **args)
        if not reply["ok"]:
            raise AppFailed(f"{self.name} {cmd} {args}: {reply['error']}")
        return reply

    def wait_event(self, match: Callable[[dict[str, Any]], bool], *, timeout: float = 30.0) -> dict[str, Any]:
        found: dict[str, Any] = self._await(
            lambda: next((e for e in self.all_events if match(e)), None), timeout, "the event awaited"
        )
        return found

    def until(
        self, cmd: str, check: Callable[[dict[str, Any]], bool], *, timeout: float = 30.0, **args: Any
    ) -> dict[str, Any]:
        """Ask ``cmd`` again until its answer passes ``check`` (the app's state, seen from here)."""
        deadline = time.monotonic() + timeout
        while True:
            reply = self.do(cmd, **args)
            if check(reply):
                return reply
            if time.monotonic() > deadline:
                raise AppFailed(f"{self.name}: {cmd} never passed the check; last: {reply}")
            time.sleep(0.1)  # fixed wait is right: another process, asked again

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(OSError, AppFailed):
                self.ask("quit", timeout=10)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=10)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()
        _no_traceback(self.log)


@contextlib.contextmanager
def running(app: App) -> Iterator[App]:
    try:
        yield app
    finally:
        app.close()
