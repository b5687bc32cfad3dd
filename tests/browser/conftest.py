"""A real headless browser (Debian's chromium, driven by its chromedriver through Selenium)
at the size of a cheap phone, and a server whose pages refresh fast enough to watch."""

from __future__ import annotations

import collections.abc
import os
import pathlib
import shutil
from typing import Any

import pytest

from tests import live

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
PHONE = (360, 740)  # CSS pixels of a common low-end Android phone


@pytest.fixture
def fast_server(
    tmp_path: pathlib.Path, database_url: str, clock: live.Clock
) -> collections.abc.Iterator[live.LiveServer]:
    with live.run_server(
        data_dir=tmp_path / "data", database_url=database_url, clock=clock, citizen_poll_seconds=0.3
    ) as running:
        yield running


def phone_browser() -> Any:
    """Headless chromium with a phone's viewport (a desktop window cannot be made this narrow);
    the caller quits it. Also used by tools/citizen_screenshots.py."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
    ):
        options.add_argument(flag)
    options.add_experimental_option(
        "mobileEmulation", {"deviceMetrics": {"width": PHONE[0], "height": PHONE[1], "pixelRatio": 2}}
    )
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


@pytest.fixture
def browser() -> collections.abc.Iterator[Any]:
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        # ./dev.sh test installs them (Debian packages chromium, chromium-driver) when run as root.
        pytest.skip(reason="chromium and chromedriver are missing: apt-get install chromium chromium-driver")
    driver = phone_browser()
    try:
        yield driver
    finally:
        driver.quit()
