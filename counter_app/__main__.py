"""``qms-counter``: start a counter's calling desk (see counter_app/config.py for the settings)."""

from __future__ import annotations

import logging
import sys

from PySide6 import QtWidgets

from counter_app import app as counter_app
from counter_app import config as counter_config
from counter_app import window
from qtkit import main as main_loop


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = counter_config.load(argv)
    except counter_config.ConfigError as exc:
        print(f"qms-counter: {exc}", file=sys.stderr)
        return 2
    application = QtWidgets.QApplication(sys.argv[:1])
    window.apply_theme(application)
    counter = counter_app.CounterApp(config)
    counter.start()
    return main_loop.run(application, shutdown=counter.shutdown)


if __name__ == "__main__":
    sys.exit(main())
