"""issue_ticket with an Idempotency-Key and ticket_by_key, through a relay that loses replies."""

from __future__ import annotations

import uuid

import pytest

from apiclient import errors
from onestop import errors as domain
from tests.apiclient import tcpproxy
from tests.apiclient.conftest import Clients


def test_a_lost_reply_resent_with_its_key_gets_the_ticket_it_made(
    clients: Clients, proxy: tcpproxy.Proxy
) -> None:
    kiosk = clients.device("kiosk-1", proxy.base_url)
    key = str(uuid.uuid4())
    proxy.drop_replies = 1
    with pytest.raises(errors.ServerUnavailable):
        kiosk.issue_ticket(1, idempotency_key=key)
    assert proxy.dropped == 1

    ticket = kiosk.issue_ticket(1, idempotency_key=key)

    assert ticket["number"] == "A001"
    assert kiosk.ticket_by_key(key)["id"] == ticket["id"]
    assert kiosk.issue_ticket(1)["number"] == "A002"  # the lost send made just the one


def test_the_look_up_of_an_unused_key_is_not_found(clients: Clients) -> None:
    kiosk = clients.device("kiosk-1")
    with pytest.raises(domain.NotFound):
        kiosk.ticket_by_key(str(uuid.uuid4()))
    key = "khoa/cap so 1?#"  # any key a header may carry: quoted in the path
    kiosk.issue_ticket(1, idempotency_key=key)
    with pytest.raises(domain.NotFound):
        clients.device("kiosk-2").ticket_by_key(key)
    assert kiosk.ticket_by_key(key)["number"] == "A001"


def test_a_key_reused_for_another_service_is_refused(clients: Clients) -> None:
    kiosk = clients.device("kiosk-1")
    kiosk.issue_ticket(1, idempotency_key="khoa-dung-mot-lan")
    with pytest.raises(domain.InvalidValue, match="Idempotency-Key"):
        kiosk.issue_ticket(2, idempotency_key="khoa-dung-mot-lan")
