"""A day in the centre, end to end: the server and the three apps each in processes of their
own, ~300 tickets over six services and eight counters, then everything checked against the
day's log: tickets, the board, the printed tickets, the receipts, the dossiers and the reports."""

from __future__ import annotations

import contextlib
import os
import time

import pytest

from tests.e2e import day as day_mod
from tests.e2e.conftest import Centre

# Up to 15 minutes' wait for midnight (conftest), then a day that ends itself within 20.
pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.timeout(2400)]

TICKETS = int(os.environ.get("QMS_E2E_TICKETS", "300"))


def test_a_day_in_the_centre(centre: Centre) -> None:
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        kiosk, board, counters = centre.open_hall(stack)
        ready = time.monotonic()
        day = centre.day(kiosk, counters, tickets=TICKETS)
        day.run()
        ran = time.monotonic()
        figures = centre.check_day(day, board, counters)
        log = day.log
        assert len(log.issued) == TICKETS
        assert len(log.print_failed) == sum(1 for tap in day_mod.PRINT_FAILS_AT if tap <= day.taps)
        assert figures["unacknowledged"] == [] and not log.tap_refused
        if day.taps >= day_mod.PAPER_OUT_AT:
            assert log.banners == [
                "Máy in phiếu đang gặp sự cố: Hết giấy. Tạm ngừng cấp số — vui lòng báo cán bộ hỗ trợ."
            ]
        # The script did what a day does: every kind of outcome happened.
        assert {"done", "no_show"} <= set(log.outcome.values()) and log.transfers
        assert {a for _, a in log.actions} == {"return", "supplement", "supplemented", "refuse"}
        assert {level for level, _ in log.ratings.values()} == set(day_mod.LEVELS)
    print(
        f"\nday: {TICKETS} tickets; start {ready - started:.1f} s, day {ran - ready:.1f} s, "
        f"checks {time.monotonic() - ran:.1f} s; {figures}"
    )
