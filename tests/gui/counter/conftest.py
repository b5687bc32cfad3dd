"""Counter windows against a real server on 127.0.0.1."""

from __future__ import annotations

import collections.abc
import pathlib
from typing import Any

import pytest
from PySide6 import QtWidgets

from counter_app import app as counter_app
from counter_app import config as counter_config
from counter_app import window
from tests import live

# Generous: only a failing test waits this long, and a loaded CI machine signs in slowly.
WAIT_MS = 10_000


@pytest.fixture
def make_counter(
    qtbot, qapp: QtWidgets.QApplication, server: live.LiveServer, tmp_path: pathlib.Path
) -> collections.abc.Iterator[collections.abc.Callable[..., counter_app.CounterApp]]:
    """Builds started counter apps (1366×768) and shuts them down after the test.

    With ``user`` and ``counter`` the officer is signed in by the configuration, as the
    demo does; without, the test signs in through the form.
    """
    window.apply_theme(qapp)
    made: list[counter_app.CounterApp] = []

    def make(
        *, user: str | None = None, counter: int | None = None, **overrides: Any
    ) -> counter_app.CounterApp:
        values: dict[str, Any] = {"server": server.base_url, "counter": counter, "resync_seconds": 60.0}
        # Each counter PC has its own disk: its outbox and receipts (a restart passes the same).
        values["data_dir"] = str(tmp_path / f"counter-pc-{len(made) + 1}")
        if user is not None:
            values |= {"user": user, "password": live.PASSWORD}
        values.update(overrides)
        app = counter_app.CounterApp(counter_config.CounterConfig(**values))
        made.append(app)
        qtbot.addWidget(app.window, before_close_func=lambda _window: app.shutdown())
        app.start()
        app.window.resize(1366, 768)
        return app

    yield make
    for app in made:
        app.shutdown()


@pytest.fixture
def signed_in(make_counter, qtbot) -> counter_app.CounterApp:
    """canbo1 at counter 1 (service A only in the demo catalogue), connected and idle."""
    app = make_counter(user="canbo1", counter=1)
    qtbot.waitUntil(lambda: ready(app), timeout=WAIT_MS)
    return app


def ready(app: counter_app.CounterApp) -> None:
    """The desk shows and its live stream is connected (for qtbot.waitUntil)."""
    assert app.window.stack.currentWidget() is app.window.desk
    assert app.desk.connection.connected, app.desk.connection
    assert app.window.desk.connection.text().startswith("● Đã kết nối")
