"""``qms-counter`` as the demo starts it: its own process, the officer signed in from the
environment, and a clean exit on SIGTERM (what a service manager or Ctrl+C sends)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tests import live


def test_demo_counter_signs_in_and_stops_on_sigterm(server: live.LiveServer, tmp_path):
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen", "QMS_PASSWORD": live.PASSWORD}
    args = [
        sys.executable,
        "-m",
        "counter_app",
        "--server",
        server.base_url,
        "--counter",
        "2",
        "--user",
        "canbo2",
    ]
    log_path = tmp_path / "counter.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        # The counter opens on the server once the app has signed in: poll with a deadline.
        while server.client().get("/counters/2").json()["status"] != "open":
            assert process.poll() is None, "qms-counter exited early"
            assert time.monotonic() < deadline, "the counter never opened"
            time.sleep(0.1)
        assert server.client().get("/counters/2").json()["officer_name"] == "Cán bộ canbo2"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "Traceback" not in log_path.read_text()


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
