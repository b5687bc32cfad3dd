"""The kiosk's settings: a TOML file, then the command line on top.

``qms-kiosk --config FILE [--server URL] [--printer PRINTER_URL] [--windowed]``

Every key of the file but ``device_key`` may also be given on the command line (the line
wins). The device key is a secret: it goes in the file (``chmod 600``; the kiosk warns when
others may read it) or in the environment variable ``QMS_DEVICE_KEY``, never on the command
line, which every account on the machine can read. Example file::

    server = "http://10.0.0.2:8000"
    device_key = "…"            # from `qms-server add-device kiosk-1 --kind kiosk`
    printer = "tcp://10.0.0.31:9100?width=576"
    admin_pin = "492817"        # leaving full screen or opening settings asks for it
    scanner = "/dev/ttyACM0"    # optional: a scanner in serial (virtual COM) mode
    language = "vi"             # or "en" at start; citizens can switch on screen
    idle_seconds = 60           # any screen goes home after this long without a touch
    ticket_seconds = 10         # the "your number" screen stays this long
    priority_step = true        # ask for priority groups before issuing
    orientation = "auto"        # or "portrait" / "landscape"
"""

from __future__ import annotations

import argparse
import dataclasses
import pathlib
from typing import Any

from qtkit import settings

ConfigError = settings.ConfigError

# The citizen's page of the ticket (its place in the line, live), found by the ticket's
# unguessable token; {id} is also offered for a centre that points the QR elsewhere.
DEFAULT_TICKET_URL = "{server}/tra-cuu/so/{token}"


@dataclasses.dataclass(frozen=True)
class KioskConfig:
    server: str
    device_key: str
    printer: str
    admin_pin: str | None = None
    scanner: str | None = None
    language: str = "vi"
    idle_seconds: float = 60.0
    ticket_seconds: float = 10.0
    priority_step: bool = True
    windowed: bool = False
    orientation: str = "auto"  # or "portrait" / "landscape" when the screen reports it wrong
    # What the QR on the ticket opens: the ticket's live position.
    ticket_url: str = DEFAULT_TICKET_URL
    # Seconds between refreshes of the waiting counts and of the printer's state.
    refresh_seconds: float = 5.0
    printer_check_seconds: float = 10.0

    def __post_init__(self) -> None:
        if not self.server.startswith(("http://", "https://")):
            raise ConfigError(f"server must be an http:// or https:// address, not {self.server!r}")
        if not self.device_key.strip():
            raise ConfigError(
                "device_key is empty: create one with `qms-server add-device NAME --kind kiosk`"
            )
        if not self.printer.strip():
            raise ConfigError("printer is empty: give a printer URL such as tcp://10.0.0.31:9100")
        if self.language not in ("vi", "en"):
            raise ConfigError(f"language must be vi or en, not {self.language!r}")
        if self.orientation not in ("auto", "portrait", "landscape"):
            raise ConfigError(f"orientation must be auto, portrait or landscape, not {self.orientation!r}")
        if self.admin_pin is not None and not (self.admin_pin.isdigit() and 4 <= len(self.admin_pin) <= 12):
            raise ConfigError("admin_pin must be 4 to 12 digits")
        if not self.windowed and self.admin_pin is None:
            raise ConfigError("a full-screen kiosk needs admin_pin (or run it with --windowed)")
        for name in ("idle_seconds", "ticket_seconds", "refresh_seconds", "printer_check_seconds"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be positive")

    def ticket_link(self, ticket: dict[str, Any]) -> str:
        return self.ticket_url.format(
            server=self.server.rstrip("/"), id=ticket["id"], token=ticket.get("public_token") or ""
        )


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qms-kiosk", description="Ki-ốt lấy số thứ tự và tra cứu.")
    parser.add_argument("--config", type=pathlib.Path, help="TOML file with the settings below")
    parser.add_argument("--server", help="the server's address, e.g. http://10.0.0.2:8000")
    settings.refuse_device_key_option(parser)  # the key: in the file or QMS_DEVICE_KEY
    parser.add_argument(
        "--printer", help="printer URL: tcp://HOST:9100, serial:///dev/ttyUSB0, preview://DIR …"
    )
    parser.add_argument("--admin-pin", help="PIN to leave full screen or open settings")
    parser.add_argument("--scanner", help="a scanner in serial mode (pyserial URL or device)")
    parser.add_argument("--language", choices=("vi", "en"))
    parser.add_argument(
        "--windowed", action="store_true", default=None, help="a normal window (demos, set-up)"
    )
    return parser


def load(argv: list[str] | None = None) -> KioskConfig:
    """Settings from ``--config``, QMS_DEVICE_KEY, then the command line; raises ConfigError."""
    return settings.load(
        KioskConfig,
        parser().parse_args(argv),
        required=("server", "device_key", "printer"),
        text_fields=frozenset({"admin_pin"}),
        secrets=settings.DEVICE_KEY,
    )
