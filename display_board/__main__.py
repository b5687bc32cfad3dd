"""``qms-display``: start a hall screen (see display_board/config.py for the settings)."""

from __future__ import annotations

import sys

from display_board import app as board_app
from display_board import config as board_config
from qtkit import main as main_loop
from qtkit import theme


def main(argv: list[str] | None = None) -> int:
    return main_loop.launch(
        "qms-display",
        argv,
        load=board_config.load,
        style=lambda _application: theme.load_fonts(),
        build=board_app.BoardApp,
    )


if __name__ == "__main__":
    sys.exit(main())
