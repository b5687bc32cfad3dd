"""``qms-kiosk`` in its own process stops cleanly on SIGTERM, though its window refuses to
close without the admin PIN (a service manager must still be able to stop it)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tests import live


def seen(server: live.LiveServer, name: str) -> bool:
    return any(d["name"] == name and d["last_seen_at"] for d in server.user("giamsat").get("/devices").json())


def test_kiosk_stops_on_sigterm(server: live.LiveServer, tmp_path):
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    config = tmp_path / "kiosk.toml"
    config.write_text('admin_pin = "2468"\n')
    args = [sys.executable, "-m", "kiosk_app", "--server", server.base_url, "--config", str(config)]
    args += ["--device-key", server.device_keys["kiosk-1"], "--printer", f"preview://{tmp_path / 'tickets'}"]
    log_path = tmp_path / "kiosk.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        # The kiosk reports itself to the server once it runs: poll with a deadline.
        while not seen(server, "kiosk-1"):
            assert process.poll() is None, "qms-kiosk exited early"
            assert time.monotonic() < deadline, "the kiosk never reported itself"
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "Traceback" not in log_path.read_text()
