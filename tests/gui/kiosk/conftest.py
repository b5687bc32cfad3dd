"""A kiosk window against a real server on 127.0.0.1 and a fake TCP printer."""

from __future__ import annotations

import collections.abc

import pytest
from PySide6 import QtWidgets

from hardware import printer as printer_mod
from hardware import transports
from kiosk_app import app as kiosk_app
from kiosk_app import config as kiosk_config
from qtkit import theme
from tests import live
from tests.hardware import fakeprinter

PIN = "2468"


@pytest.fixture
def fake_printer() -> collections.abc.Iterator[fakeprinter.FakePrinter]:
    with fakeprinter.FakePrinter() as fake:
        yield fake


@pytest.fixture
def kiosk_config_for(server: live.LiveServer) -> collections.abc.Callable[..., kiosk_config.KioskConfig]:
    def make(printer_url: str, **overrides: object) -> kiosk_config.KioskConfig:
        values: dict[str, object] = {
            "server": server.base_url,
            "device_key": server.device_keys["kiosk-1"],
            "printer": printer_url,
            "admin_pin": PIN,
            "windowed": True,
            "refresh_seconds": 0.5,
            "printer_check_seconds": 0.5,
        }
        values.update(overrides)
        return kiosk_config.KioskConfig(**values)  # type: ignore[arg-type]

    return make


@pytest.fixture
def make_kiosk(
    qtbot, qapp: QtWidgets.QApplication, kiosk_config_for
) -> collections.abc.Iterator[collections.abc.Callable[..., kiosk_app.Kiosk]]:
    """Builds started kiosks (1080×1920 unless told) and shuts them down after the test."""
    theme.apply(qapp, base_px=26)
    made: list[kiosk_app.Kiosk] = []

    def make(
        printer_url: str, *, size: tuple[int, int] = (1080, 1920), **overrides: object
    ) -> kiosk_app.Kiosk:
        overrides.setdefault("orientation", "portrait" if size[1] > size[0] else "landscape")
        config = kiosk_config_for(printer_url, **overrides)
        # A Printer of its own, not the process-wide one per URL: tests must not share state.
        kiosk = kiosk_app.Kiosk(config, printer=printer_mod.Printer(transports.parse_url(printer_url)))
        made.append(kiosk)
        # pytest-qt closes its widgets before fixtures end; a kiosk asks for the PIN on close.
        qtbot.addWidget(kiosk.window, before_close_func=lambda _window: kiosk.shutdown())
        kiosk.start()
        kiosk.window.resize(*size)
        return kiosk

    yield make
    for kiosk in made:
        kiosk.shutdown()


@pytest.fixture
def kiosk(make_kiosk, fake_printer: fakeprinter.FakePrinter) -> kiosk_app.Kiosk:
    return make_kiosk(fake_printer.url)


def ready(kiosk: kiosk_app.Kiosk) -> None:
    """Assert the home screen is loaded and numbers can be taken (for qtbot.waitUntil)."""
    assert kiosk.window.home.buttons, "no services yet"
    assert all(button.isEnabled() for button in kiosk.window.home.buttons.values())
