"""``qms-counter`` as the demo starts it: its own process, the officer signed in from the
environment, and a clean exit on SIGTERM (what a service manager or Ctrl+C sends)."""

from __future__ import annotations

import signal
import subprocess
import sys

from tests import live
from tests.gui import app_process


def test_demo_counter_signs_in_and_stops_on_sigterm(server: live.LiveServer, tmp_path):
    args = [sys.executable, "-m", "counter_app", "--server", server.base_url, "--counter", "2"]
    args += ["--user", "canbo2", "--data-dir", str(tmp_path / "counter-pc")]
    env = {"QMS_PASSWORD": live.PASSWORD}
    with app_process.running(args, log_path=tmp_path / "counter.log", env=env) as process:
        # The counter opens on the server once the app has signed in.
        app_process.wait_until(
            process,
            lambda: server.client().get("/counters/2").json()["status"] == "open",
            what="the counter to open",
        )
        assert server.client().get("/counters/2").json()["officer_name"] == "Cán bộ canbo2"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0


def test_bad_settings_exit_with_the_reason(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "counter_app", "--server", "10.0.0.2"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "qms-counter: server must be an http:// or https:// address" in result.stderr
