"""No ghost tickets: the server issues a ticket but its reply never reaches the kiosk.

Real server, fake TCP printer, and a relay between kiosk and server that loses the reply to
the ticket request (tests/apiclient/tcpproxy.py)."""

from __future__ import annotations

import collections.abc
import time

import pytest
import sqlalchemy as sa

from hardware import raster
from kiosk_app import printing
from server import models
from server.db import open_database
from tests import live
from tests.apiclient import tcpproxy
from tests.gui.kiosk.conftest import ready
from tests.hardware import fakeprinter

WAIT_MS = 15_000
TICKET_REQUEST = b"POST /api/v1/tickets "


@pytest.fixture
def relay(server: live.LiveServer) -> collections.abc.Iterator[tcpproxy.Proxy]:
    proxy = tcpproxy.Proxy(int(server.base_url.rsplit(":", 1)[1]))
    yield proxy
    proxy.close()


def tickets(server: live.LiveServer) -> list[tuple[str, str, str | None]]:
    """Every ticket on the server: (number, status, cancel reason)."""
    db = open_database(server.settings.resolved_database_url())
    try:
        with db.read() as session:
            rows = session.execute(
                sa.select(models.Ticket.number, models.Ticket.status, models.Ticket.cancel_reason).order_by(
                    models.Ticket.id
                )
            )
            return [(number, status.value, reason) for number, status, reason in rows]
    finally:
        db.dispose()


def print_jobs(fake: fakeprinter.FakePrinter) -> list[bytes]:
    """What reached the printer besides status queries."""
    return [job for job in map(fake.job, range(len(fake.connections))) if job]


def test_a_lost_reply_is_resent_and_the_citizen_gets_the_ticket(
    make_kiosk, fake_printer, qtbot, server, relay
) -> None:
    kiosk = make_kiosk(fake_printer.url, server=relay.base_url)
    qtbot.waitUntil(lambda: ready(kiosk), timeout=WAIT_MS)
    relay.drop(TICKET_REQUEST)
    kiosk.window.home.buttons["A"].click()
    with qtbot.waitSignal(kiosk.flow.issued, timeout=WAIT_MS) as signal:
        kiosk.window.priority.regular.click()

    issued: printing.Issued = signal.args[0]
    assert relay.dropped == 1
    assert issued.ticket["number"] == "A001"
    assert tickets(server) == [("A001", "waiting", None)]  # the resend made no second ticket
    assert kiosk.window.ticket.number.text() == "A001"
    fake_printer.wait_closed(len(fake_printer.connections))
    jobs = print_jobs(fake_printer)
    assert len(jobs) == 1
    assert raster.decode(jobs[0]).convert("1").tobytes() == issued.image.convert("1").tobytes()
    assert kiosk.printer.unanswered == []


def test_no_answer_at_all_then_the_issued_ticket_is_cancelled_once_the_server_is_back(
    make_kiosk, fake_printer, qtbot, server, relay
) -> None:
    kiosk = make_kiosk(fake_printer.url, server=relay.base_url)
    qtbot.waitUntil(lambda: ready(kiosk), timeout=WAIT_MS)
    relay.drop(TICKET_REQUEST, down_after=True)
    kiosk.window.home.buttons["A"].click()
    tapped = time.monotonic()
    with qtbot.waitSignal(kiosk.flow.failed, timeout=WAIT_MS) as signal:
        kiosk.window.priority.regular.click()

    # The resends (0.5 + 1 + 2 s) keep the citizen waiting a few seconds, no more.
    assert 3.0 <= time.monotonic() - tapped <= printing.RESEND_BUDGET_SECONDS + 1.5
    error = signal.args[0]
    assert isinstance(error, printing.NotIssued) and error.unanswered is not None
    assert "Chưa cấp được số" in kiosk.window.ticket.message.text()
    qtbot.waitUntil(lambda: "Hệ thống đang tạm gián đoạn" in kiosk.window.banner.text(), timeout=WAIT_MS)
    # The server did issue it; the kiosk holds its key until the server answers again.
    assert tickets(server) == [("A001", "waiting", None)]
    assert [lost.key for lost in kiosk.printer.unanswered] == [error.unanswered.key]

    relay.down = False

    def cancelled() -> None:
        assert tickets(server) == [("A001", "cancelled", printing.LOST_REASON)]
        assert kiosk.printer.unanswered == []

    qtbot.waitUntil(cancelled, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: ready(kiosk) and not kiosk.window.banner.isVisible(), timeout=WAIT_MS)
    board = server.client().get("/services").json()
    assert sum(service["waiting"] for service in board) == 0  # nobody will be called for it
    assert print_jobs(fake_printer) == []


@pytest.fixture
def settle_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A key the server does not know is forgotten at its first look-up, not after a minute."""
    monkeypatch.setattr(printing, "SETTLE_SECONDS", 0.0)


@pytest.mark.usefixtures("settle_at_once")
def test_a_request_that_never_reached_the_server_is_forgotten_and_nothing_issued(
    make_kiosk, fake_printer, qtbot, server, relay
) -> None:
    kiosk = make_kiosk(fake_printer.url, server=relay.base_url)
    qtbot.waitUntil(lambda: ready(kiosk), timeout=WAIT_MS)
    service = next(s for s in server.client().get("/services").json() if s["code"] == "A")
    relay.down = True
    with qtbot.waitSignal(kiosk.flow.failed, timeout=WAIT_MS) as signal:
        assert kiosk.flow.take(service=service, priority_group=None, centre_name="")
    assert signal.args[0].unanswered is not None
    assert tickets(server) == []

    relay.down = False

    def settled() -> None:
        assert kiosk.printer.unanswered == []

    qtbot.waitUntil(settled, timeout=WAIT_MS)
    assert tickets(server) == []  # looking the key up issued nothing
    assert print_jobs(fake_printer) == []
