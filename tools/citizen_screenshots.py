"""Screenshots of the citizen's pages behind the QR codes, on a phone-sized screen, for
docs/screenshots/: a ticket waiting, the same ticket called, a dossier's status.

Needs Debian's chromium and chromium-driver. ``.venv/bin/python tools/citizen_screenshots.py [OUT_DIR]``
"""

from __future__ import annotations

import pathlib
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from tests import live
from tests.browser.conftest import phone_browser
from tests.server.checks import DOSSIER


def main() -> None:
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        with (
            live.fresh_database(folder) as url,
            live.run_server(data_dir=folder / "data", database_url=url, clock=live.Clock()) as srv,
        ):
            kiosk, officer = srv.device("kiosk-1"), srv.user("canbo1")
            tickets = [kiosk.post("/tickets", json={"service_id": 1}).json() for _ in range(6)]
            mine = tickets[-1]
            driver = phone_browser()
            try:
                driver.get(f"{srv.base_url}/tra-cuu/so/{mine['public_token']}")
                driver.save_screenshot(str(out / "citizen-ticket-waiting.png"))
                officer.post("/counters/1/open").raise_for_status()
                for ticket in tickets:
                    officer.post("/counters/1/call-next").raise_for_status()
                    if ticket is not mine:
                        for action in ("start", "finish"):
                            officer.post(f"/tickets/{ticket['id']}/{action}").raise_for_status()
                driver.get(f"{srv.base_url}/tra-cuu/so/{mine['public_token']}")
                driver.save_screenshot(str(out / "citizen-ticket-called.png"))
                dossier = officer.post(
                    "/dossiers", json=DOSSIER, headers={"Idempotency-Key": "screenshot-dossier"}
                ).json()
                driver.get(f"{srv.base_url}/tra-cuu/ho-so/{dossier['code']}/{dossier['public_token']}")
                driver.save_screenshot(str(out / "citizen-dossier.png"))
            finally:
                driver.quit()
    print(f"saved in {out}")


if __name__ == "__main__":
    main()
