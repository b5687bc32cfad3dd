"""Screenshots of every kiosk screen, portrait and landscape, for docs/screenshots/.

Runs a real server (demo catalogue, fresh SQLite file) and a fake printer in this process,
offscreen. ``.venv/bin/python tools/kiosk_screenshots.py [OUT_DIR]``
"""

from __future__ import annotations

import pathlib
import sys
import tempfile

import _offscreen  # Qt offscreen and the work tree on sys.path, before the imports below
from PySide6 import QtWidgets

from hardware import printer as printer_mod
from hardware import transports
from kiosk_app import app as kiosk_app
from kiosk_app import config as kiosk_config
from qtkit import theme
from tests import live
from tests.hardware import fakeprinter

spin = _offscreen.spin


def shoot(app: QtWidgets.QApplication, srv: live.LiveServer, out: pathlib.Path, portrait: bool) -> None:
    tag = "portrait" if portrait else "landscape"
    with fakeprinter.FakePrinter() as fake:
        config = kiosk_config.KioskConfig(
            server=srv.base_url,
            device_key=srv.device_keys["kiosk-1"],
            printer=fake.url,
            windowed=True,
            orientation=tag,
        )
        kiosk = kiosk_app.Kiosk(config, printer=printer_mod.Printer(transports.parse_url(fake.url)))
        w = kiosk.window
        kiosk.start()
        w.resize(*((1080, 1920) if portrait else (1920, 1080)))
        spin(app, lambda: bool(w.home.buttons) and all(b.isEnabled() for b in w.home.buttons.values()))
        spin(app, lambda: False, 0.5)
        w.grab().save(str(out / f"kiosk-home-{tag}.png"))
        w.home.buttons["A"].click()
        spin(app, lambda: False, 0.3)
        w.grab().save(str(out / f"kiosk-priority-{tag}.png"))
        w.priority.group_buttons["elderly"].click()
        spin(app, w.ticket.number.isVisible)
        w.grab().save(str(out / f"kiosk-ticket-{tag}.png"))
        w.home.procedures.click()
        w.procedures.search.setText("ly lich tu phap")
        spin(app, lambda: w.procedures.results.count() > 0)
        w.grab().save(str(out / f"kiosk-procedures-{tag}.png"))
        w.procedures.results.itemClicked.emit(w.procedures.results.item(0))
        spin(app, lambda: False, 0.3)
        w.grab().save(str(out / f"kiosk-procedure-{tag}.png"))
        kiosk.go_home()
        w.home.dossier.click()
        w.dossier.code.setText("000.18.25.H42-261126-0001")
        w.dossier.search.click()
        spin(app, lambda: w.dossier.last_message.startswith("Không"))
        w.grab().save(str(out / f"kiosk-dossier-{tag}.png"))
        kiosk.go_home()
        fake.mode = fakeprinter.Mode.PAPER_OUT
        spin(app, w.banner.isVisible)
        spin(app, lambda: False, 0.3)
        w.grab().save(str(out / f"kiosk-paper-out-{tag}.png"))
        srv.stop()
        spin(app, lambda: "gián đoạn" in w.banner.text())
        w.grab().save(str(out / f"kiosk-offline-{tag}.png"))
        srv.start()
        kiosk.shutdown()


def main() -> None:
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QtWidgets.QApplication([])
    theme.apply(app, base_px=26)
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        with (
            live.fresh_database(folder) as url,
            live.run_server(data_dir=folder / "data", database_url=url, clock=live.Clock()) as srv,
        ):
            for portrait in (True, False):
                shoot(app, srv, out, portrait)
    print(f"saved in {out}")


if __name__ == "__main__":
    main()
