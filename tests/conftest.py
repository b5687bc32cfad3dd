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

ROOT = pathlib.Path(__file__).parent
# The apps' own tests: the server under them is the one tests/server runs on both databases.
APPS_ONLY = (ROOT / "gui", ROOT / "browser")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if ROOT / "e2e" in item.path.parents:
            # Processes of their own, a whole centre each: one at a time, on one worker.
            item.add_marker(pytest.mark.xdist_group("e2e"))
    if live.postgres_url() is None:
        return
    # The second run, on PostgreSQL, runs what touches the database; the rest ran on SQLite
    # and would run the same again.
    kept = [item for item in items if _touches_the_database(item)]
    dropped = [item for item in items if not _touches_the_database(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _touches_the_database(item: pytest.Item) -> bool:
    if any(folder in item.path.parents for folder in APPS_ONLY):
        return False
    return (
        "database_url" in getattr(item, "fixturenames", ()) or item.get_closest_marker("database") is not None
    )


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
