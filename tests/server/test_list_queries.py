"""Lists that grow with the province (150 centres) are read in a fixed number of queries, not
one more per row: the admin's counters and services, the catalogue export, the overview."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests import live
from tests.server.test_centres import add_commune_centre
from tests.server.test_tracking_book import Statements

# The tables behind a counter's and a service's lists (the links read lazily before).
LINKS = r"\b(counter|counter_service|queue_service|service_field|field)\b"


def counted(server: live.LiveServer, request: Callable[[], httpx.Response]) -> int:
    statements = Statements(server, LINKS)
    try:
        return statements.during(request)
    finally:
        statements.close()


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("admin", "/admin/counters"),
        ("admin", "/admin/services"),
        ("admin", "/admin/catalogue"),
        ("giamsat", "/supervision/overview"),
    ],
)
def test_a_list_takes_as_many_queries_for_two_centres_as_for_one(
    server: live.LiveServer, who: str, path: str
) -> None:
    client = server.user(who)
    one = counted(server, lambda: client.get(path).raise_for_status())
    add_commune_centre(server)  # two more counters and services, in another centre
    admin = server.user("admin")
    for number in (9, 10):  # and two more counters in this one
        body = {
            "centre_id": server.ids["centre"],
            "number": number,
            "name": f"Quầy {number}",
            "service_ids": [1, 2],
        }
        assert admin.post("/admin/counters", json=body).status_code == 201
    two = counted(server, lambda: client.get(path).raise_for_status())
    assert two == one
