"""The whole API fuzzed from its own OpenAPI description (schemathesis): never a 500, and
every reply matches the schema the server publishes for it.

Run as an officer, an administrator and a kiosk, so the generated requests get past the role
checks into the handlers. The server is the real one on a real database (SQLite, or
PostgreSQL with QMS_TEST_DATABASE_URL); examples per operation: QMS_FUZZ_EXAMPLES (default 15).
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterator

import hypothesis
import pytest
import schemathesis
from schemathesis import checks

from server.app import create_app
from tests import live

SCHEMA = schemathesis.openapi.from_dict(create_app().openapi())
EXAMPLES = int(os.environ.get("QMS_FUZZ_EXAMPLES", "15"))
CHECKS = (checks.not_a_server_error, checks.response_schema_conformance, checks.content_type_conformance)
# The event stream never ends by itself; it has its own tests (tests/server/test_events.py).
SKIP = {"/api/v1/events"}


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[live.LiveServer]:
    """One server for every operation: what the fuzzing writes piles up, as in a real centre."""
    tmp: pathlib.Path = tmp_path_factory.mktemp("fuzz")
    with (
        live.fresh_database(tmp) as url,
        live.run_server(data_dir=tmp / "data", database_url=url, clock=live.Clock()) as running,
    ):
        yield running


@pytest.fixture(scope="module")
def secrets(shared_server: live.LiveServer) -> dict[str, str]:
    return {
        "canbo1": shared_server.token("canbo1"),
        "admin": shared_server.token("admin"),
        "kiosk-1": shared_server.device_keys["kiosk-1"],
    }


@pytest.mark.slow
@pytest.mark.parametrize("who", ["canbo1", "admin", "kiosk-1"])
@SCHEMA.exclude(path=list(SKIP)).parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
)
def test_no_request_breaks_the_server(
    case: schemathesis.Case, who: str, shared_server: live.LiveServer, secrets: dict[str, str]
) -> None:
    case.call_and_validate(
        base_url=shared_server.base_url,
        headers={"Authorization": f"Bearer {secrets[who]}"},
        checks=CHECKS,
        timeout=30,
    )
