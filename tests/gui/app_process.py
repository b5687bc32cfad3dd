"""An app (``python -m kiosk_app`` / ``counter_app``) in a process of its own, for the tests that
stop it the way a service manager does."""

from __future__ import annotations

import collections.abc
import contextlib
import os
import pathlib
import subprocess
import time


@contextlib.contextmanager
def running(
    args: list[str], *, log_path: pathlib.Path, env: dict[str, str] | None = None
) -> collections.abc.Iterator[subprocess.Popen[bytes]]:
    """Start the app offscreen, its output in ``log_path``; killed if still running at the end,
    and its output must hold no traceback."""
    environment = os.environ | {"QT_QPA_PLATFORM": "offscreen"} | (env or {})
    with log_path.open("w") as log:
        process = subprocess.Popen(args, env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "Traceback" not in log_path.read_text()


def wait_until(
    process: subprocess.Popen[bytes], ready: collections.abc.Callable[[], bool], *, what: str
) -> None:
    """Poll ``ready`` (a question to the server) until it holds, the app exits, or 30 s pass.

    A fixed pause between polls is right here: the app is another process and tells the test
    nothing; the server only answers when asked.
    """
    deadline = time.monotonic() + 30
    while not ready():
        assert process.poll() is None, "the app exited early"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)  # fixed wait is right: another process, nothing to wait on but the server
