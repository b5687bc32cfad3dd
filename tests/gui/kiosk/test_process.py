"""``qms-kiosk`` in its own process stops cleanly on SIGTERM, though its window refuses to
close without the admin PIN (a service manager must still be able to stop it)."""

from __future__ import annotations

import signal
import sys

from tests import live
from tests.gui import app_process


def seen(server: live.LiveServer, name: str) -> bool:
    return any(d["name"] == name and d["last_seen_at"] for d in server.user("giamsat").get("/devices").json())


def test_kiosk_stops_on_sigterm(server: live.LiveServer, tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('admin_pin = "2468"\n')
    args = [sys.executable, "-m", "kiosk_app", "--server", server.base_url, "--config", str(config)]
    args += ["--printer", f"preview://{tmp_path / 'tickets'}"]
    key = {"QMS_DEVICE_KEY": server.device_keys["kiosk-1"]}  # never on the command line (ps shows it)
    with app_process.running(args, log_path=tmp_path / "kiosk.log", env=key) as process:
        # The kiosk reports itself to the server once it runs.
        app_process.wait_until(process, lambda: seen(server, "kiosk-1"), what="the kiosk to report itself")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
