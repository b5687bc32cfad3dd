"""``qms-kiosk``: start a kiosk (see kiosk_app/config.py for the settings)."""

from __future__ import annotations

import logging
import sys

from PySide6 import QtWidgets

from kiosk_app import app as kiosk_app
from kiosk_app import config as kiosk_config
from qtkit import main as main_loop
from qtkit import theme

BASE_PX = 26


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = kiosk_config.load(argv)
    except kiosk_config.ConfigError as exc:
        print(f"qms-kiosk: {exc}", file=sys.stderr)
        return 2
    application = QtWidgets.QApplication(sys.argv[:1])
    theme.apply(application, base_px=BASE_PX)
    kiosk = kiosk_app.Kiosk(config)
    kiosk.start()
    return main_loop.run(application, shutdown=kiosk.shutdown)


if __name__ == "__main__":
    sys.exit(main())
