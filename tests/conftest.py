"""Shared fixtures: a real server on 127.0.0.1 (SQLite file, or PostgreSQL when
QMS_TEST_DATABASE_URL is set), a settable clock, and signed-in HTTP clients."""

from __future__ import annotations

import os

# Qt must never try to reach a display in tests; set before any Qt import.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import collections.abc
import pathlib
import shutil

import pytest

from tests import live
from tests.hardware import fakedevice


@pytest.fixture
def clock() -> live.Clock:
    return live.Clock()


@pytest.fixture
def database_url(tmp_path: pathlib.Path) -> collections.abc.Iterator[str]:
    with live.fresh_database(tmp_path) as url:
        yield url


@pytest.fixture
def server(
    tmp_path: pathlib.Path, database_url: str, clock: live.Clock
) -> collections.abc.Iterator[live.LiveServer]:
    with live.run_server(data_dir=tmp_path / "data", database_url=database_url, clock=clock) as running:
        yield running


@pytest.fixture
def pty_pair(tmp_path: pathlib.Path) -> collections.abc.Iterator[tuple[str, str]]:
    """Two linked serial ports (host end, device end) made by socat."""
    if shutil.which("socat") is None:
        pytest.skip(reason="socat is not on PATH (apt-get install socat; ./dev.sh setup does it)")
    with fakedevice.socat_pair(tmp_path) as pair:
        yield pair
