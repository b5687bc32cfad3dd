"""``qms-display`` as the demo starts it: its own process, full screen by default, reporting
itself alive to the server, and a clean exit on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys

from tests import live
from tests.gui import app_process


def test_the_board_reports_itself_and_stops_on_sigterm(server: live.LiveServer, tmp_path):
    args = [sys.executable, "-m", "display_board", "--server", server.base_url]
    args += ["--counters", "1,2"]
    key = {"QMS_DEVICE_KEY": server.device_keys["display-1"]}  # never on the command line (ps shows it)
    admin = server.user("admin")

    def seen() -> bool:
        devices = {d["name"]: d for d in admin.get("/devices").json()}
        return devices["display-1"]["last_seen_at"] is not None

    with app_process.running(args, log_path=tmp_path / "board.log", env=key) as process:
        app_process.wait_until(process, seen, what="the board to report itself")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0


def test_bad_settings_exit_with_the_reason():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "display_board",
            "--server",
            "http://s",
            "--counters",
            "1",
            "--voice",
            "loud",
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--voice: invalid choice: 'loud'" in result.stderr
