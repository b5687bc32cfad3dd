"""``python -m tests.e2e.driver kiosk|counter|board --server URL ...``: one real app (or, for
counters, several windows) in this process, offscreen, driven over stdin/stdout (channel.py).

The test starts one of these per app; see harness.py for its side of the channel.
"""

from __future__ import annotations

import argparse
import logging
import os
import pathlib
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6 import QtWidgets

from qtkit import main as main_loop
from tests.e2e import channel, drive_board, drive_counter, drive_kiosk


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tests.e2e.driver")
    parser.add_argument("app", choices=("kiosk", "counter", "board"))
    parser.add_argument("--server", required=True)
    parser.add_argument("--printer", help="kiosk: the ticket printer's URL")
    parser.add_argument("--seats", help="counter: number=username,… (the password in QMS_PASSWORD)")
    parser.add_argument("--data-dir", type=pathlib.Path, help="counter: one folder per counter below")
    return parser


def build(
    args: argparse.Namespace, application: QtWidgets.QApplication, out: channel.Channel | None
) -> object:
    # The kiosk's and the board's key comes as the real apps take it: QMS_DEVICE_KEY.
    if args.app == "kiosk":
        return drive_kiosk.KioskDriver(
            application, server=args.server, device_key=os.environ["QMS_DEVICE_KEY"], printer=args.printer
        )
    if args.app == "counter":
        seats = [(int(n), user) for n, user in (part.split("=") for part in args.seats.split(","))]
        return drive_counter.CounterDriver(
            application,
            server=args.server,
            seats=seats,
            password=os.environ["QMS_PASSWORD"],
            data_dir=args.data_dir,
        )
    return drive_board.BoardDriver(
        application, server=args.server, device_key=os.environ["QMS_DEVICE_KEY"], out=out
    )


def main(argv: list[str] | None = None) -> int:
    # The apps log to stderr (the test keeps it in a file); stdout is the channel's alone.
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    args = parser().parse_args(argv)
    application = QtWidgets.QApplication(sys.argv[:1])
    late = channel.Channel({})
    driver = build(args, application, late)
    late.handlers.update(driver.handlers)  # type: ignore[attr-defined]
    driver.start()  # type: ignore[attr-defined]
    late.start()
    late.tell("started")
    return main_loop.run(application, shutdown=driver.shutdown)  # type: ignore[attr-defined]


if __name__ == "__main__":
    sys.exit(main())
