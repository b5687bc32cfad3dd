"""``qms-counter``: start a counter's calling desk (see counter_app/config.py for the settings)."""

from __future__ import annotations

import sys

from counter_app import app as counter_app
from counter_app import config as counter_config
from counter_app import window
from qtkit import main as main_loop


def main(argv: list[str] | None = None) -> int:
    return main_loop.launch(
        "qms-counter",
        argv,
        load=counter_config.load,
        style=window.apply_theme,
        build=counter_app.CounterApp,
    )


if __name__ == "__main__":
    sys.exit(main())
