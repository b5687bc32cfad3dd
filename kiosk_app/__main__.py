"""``qms-kiosk``: start a kiosk (see kiosk_app/config.py for the settings)."""

from __future__ import annotations

import sys

from kiosk_app import app as kiosk_app
from kiosk_app import config as kiosk_config
from qtkit import main as main_loop
from qtkit import theme

BASE_PX = 26


def main(argv: list[str] | None = None) -> int:
    return main_loop.launch(
        "qms-kiosk",
        argv,
        load=kiosk_config.load,
        style=lambda application: theme.apply(application, base_px=BASE_PX),
        build=kiosk_app.Kiosk,
    )


if __name__ == "__main__":
    sys.exit(main())
