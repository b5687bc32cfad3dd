"""The counter app's settings: a TOML file, then the command line on top.

``qms-counter --server URL [--counter N] [--display SERIAL_URL] [--keypad SERIAL_URL]``

Example file::

    server = "http://10.0.0.2:8000"
    counter = 5                      # fixed counter; left out, the officer picks one at sign-in
    display = "/dev/ttyUSB0?baudrate=9600"   # counter LED display (optional)
    display_driver = "qms"           # or "modbus"
    display_address = 5              # left out: the counter's address from the server, else its number
    keypad = "/dev/ttyUSB0?baudrate=9600"    # call keypad (optional; may share the display's line)
    keypad_address = 5               # left out: the display's address
    resync_seconds = 60              # full reload besides the live events
    data_dir = "/var/lib/qms-counter"        # the outbox of unsent work and the receipts (PDF)
    a4_printer = "HP LaserJet"       # print receipts and forms here (left out: PDF only)
    ticket_printer = "tcp://10.0.0.31:9100?width=576"   # supervisor's reprints (kiosk URL forms)
    parent_unit = "UBND TỈNH PHÚ THỌ"        # printed above the centre's name on the forms
    place = "Phú Thọ"                # "Phú Thọ, ngày … tháng … năm …"

For a demo the officer can be signed in at start: ``--user canbo1`` with the password in
the environment variable ``QMS_PASSWORD`` (never on the command line, where ``ps`` shows it).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import pathlib

from hardware import errors as printer_errors
from hardware import transports
from qtkit import settings

ConfigError = settings.ConfigError
PASSWORD_VARIABLE = "QMS_PASSWORD"  # noqa: S105 (the variable's name, not a password)
# Kept on the counter PC across restarts: unsent work must outlive the app.
DEFAULT_DATA_DIR = str(pathlib.Path.home() / ".local" / "share" / "qms-counter")


@dataclasses.dataclass(frozen=True)
class CounterConfig:
    server: str
    counter: int | None = None
    display: str | None = None
    display_driver: str = "qms"
    display_address: int | None = None
    keypad: str | None = None
    keypad_address: int | None = None
    user: str | None = None
    password: str | None = None
    resync_seconds: float = 60.0
    data_dir: str = DEFAULT_DATA_DIR
    a4_printer: str | None = None
    # Where a supervisor reprints a ticket: the kiosk's printer URL forms (tcp://, serial://,
    # usb://, preview://DIR …). Left out, reprinting is off.
    ticket_printer: str | None = None
    parent_unit: str = "UBND TỈNH PHÚ THỌ"
    place: str = "Phú Thọ"

    def __post_init__(self) -> None:
        if not self.server.startswith(("http://", "https://")):
            raise ConfigError(f"server must be an http:// or https:// address, not {self.server!r}")
        if self.counter is not None and not 1 <= self.counter <= 999:
            raise ConfigError(f"counter must be a counter number 1..999, not {self.counter}")
        if self.display_driver not in ("qms", "modbus"):
            raise ConfigError(f"display_driver must be qms or modbus, not {self.display_driver!r}")
        for name in ("display_address", "keypad_address"):
            value = getattr(self, name)
            if value is not None and not 1 <= value <= 99:
                raise ConfigError(f"{name} must be 1..99, not {value}")
        if self.resync_seconds <= 0:
            raise ConfigError("resync_seconds must be positive")
        if self.ticket_printer is not None:
            try:
                transports.parse_url(self.ticket_printer)
            except printer_errors.BadPrinterUrl as exc:
                raise ConfigError(f"ticket_printer: {exc.message}") from exc
        if self.user is not None and not self.password:
            raise ConfigError(f"--user needs the password in the environment variable {PASSWORD_VARIABLE}")


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qms-counter", description="Quầy tiếp nhận và trả kết quả.")
    parser.add_argument("--config", type=pathlib.Path, help="TOML file with the settings")
    parser.add_argument("--server", help="the server's address, e.g. http://10.0.0.2:8000")
    parser.add_argument("--counter", type=int, help="this PC's counter number (else chosen at sign-in)")
    parser.add_argument("--display", help="counter LED display: serial device or pyserial URL")
    parser.add_argument("--display-driver", choices=("qms", "modbus"))
    parser.add_argument("--display-address", type=int, help="the display's bus address (1..99)")
    parser.add_argument("--keypad", help="call keypad: serial device or pyserial URL")
    parser.add_argument("--keypad-address", type=int, help="the keypad's bus address (1..99)")
    parser.add_argument("--data-dir", help="where unsent work and receipts are kept")
    parser.add_argument("--a4-printer", help="printer name for receipts and forms (else PDF only)")
    parser.add_argument(
        "--ticket-printer", help="ticket printer for reprints: tcp://HOST:9100, preview://DIR …"
    )
    parser.add_argument("--user", help=f"sign this officer in at start (password in ${PASSWORD_VARIABLE})")
    return parser


def load(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> CounterConfig:
    """Settings from ``--config`` then the command line; raises ConfigError."""
    args = parser().parse_args(argv)
    password = (os.environ if environ is None else environ).get(PASSWORD_VARIABLE)
    if password:
        args.password = password
    return settings.load(CounterConfig, args, required=("server",))
