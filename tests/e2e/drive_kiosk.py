"""The real kiosk (``kiosk_app.app.Kiosk``) driven by the test: taps on its buttons, answers
with what its screen shows."""

from __future__ import annotations

import hashlib
from typing import Any

from PySide6 import QtWidgets

from kiosk_app import app as kiosk_app
from kiosk_app import config as kiosk_config
from kiosk_app import printing
from qtkit import theme
from tests.e2e import channel

PIN = "2468"


class KioskDriver:
    def __init__(self, application: QtWidgets.QApplication, *, server: str, device_key: str, printer: str):
        theme.apply(application, base_px=26)
        config = kiosk_config.KioskConfig(
            server=server,
            device_key=device_key,
            printer=printer,
            admin_pin=PIN,
            windowed=True,
            orientation="portrait",
            refresh_seconds=0.5,
            printer_check_seconds=0.5,
            ticket_seconds=600,  # the test goes home itself after reading the ticket screen
            idle_seconds=600,
        )
        self.kiosk = kiosk_app.Kiosk(config)
        self.outcome: printing.Issued | Exception | None = None
        self.kiosk.flow.issued.connect(self._on_outcome)
        self.kiosk.flow.failed.connect(self._on_outcome)
        self.handlers: dict[str, channel.Handler] = {"state": self.state, "tap": self.tap}

    def start(self) -> None:
        self.kiosk.start()
        self.kiosk.window.resize(1080, 1920)

    def shutdown(self) -> None:
        self.kiosk.shutdown()

    def _on_outcome(self, outcome: Any) -> None:
        self.outcome = outcome

    def _screen(self) -> dict[str, Any]:
        window = self.kiosk.window
        buttons = window.home.buttons
        return {
            "home": window.stack.currentWidget() is window.home,
            "banner": window.banner.text() if window.banner.isVisible() else None,
            "services": sorted(buttons),
            "enabled": bool(buttons) and all(b.isEnabled() for b in buttons.values()),
        }

    def state(self, request: channel.Request) -> None:
        request.reply(**self._screen())

    def tap(self, request: channel.Request) -> None:
        """Touch a service (then "regular" or a priority group); answers with the ticket screen."""
        window = self.kiosk.window
        code, group = request["service"], request.get("group")

        def enabled() -> bool | None:
            button = window.home.buttons.get(code)
            home = window.stack.currentWidget() is window.home
            return True if home and button is not None and button.isEnabled() else None

        def touch(_: object) -> None:
            self.outcome = None
            window.home.buttons[code].click()
            if window.stack.currentWidget() is window.priority:
                page = window.priority
                (page.group_buttons[group] if group else page.regular).click()
            request.wait(lambda: self.outcome, answer, what="the ticket screen")

        def answer(outcome: object) -> None:
            page = window.ticket
            if isinstance(outcome, printing.Issued):
                ticket = outcome.ticket
                bits = outcome.image.convert("1").tobytes()
                request.reply(
                    number=page.number.text(),
                    ticket={k: ticket[k] for k in ("id", "number", "service_id", "priority_group")},
                    link=self.kiosk.config.ticket_link(ticket),
                    image_sha=hashlib.sha256(bits).hexdigest(),
                )
            else:
                cancelled = outcome.ticket if isinstance(outcome, printing.PrintFailed) else None
                request.reply(failed=page.message.text(), ticket=cancelled and {"id": cancelled["id"]})
            page.home_button.click()

        request.wait(enabled, touch, what=f"the button of service {code} to be enabled")
