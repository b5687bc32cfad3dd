"""The interactive API pages load Swagger UI and ReDoc from a CDN: off unless QMS_API_DOCS=1;
the OpenAPI document itself is always served (the apps' tools and the matrix test read it)."""

from __future__ import annotations

import pathlib

import httpx
import pytest

from server.settings import Settings
from tests import live

PAGES = ("/api/v1/docs", "/api/v1/redoc", "/docs", "/redoc")


def test_no_page_that_loads_scripts_from_the_internet_by_default(server: live.LiveServer) -> None:
    for page in PAGES:
        assert httpx.get(f"{server.base_url}{page}", timeout=10).status_code == 404, page
    document = httpx.get(f"{server.api}/openapi.json", timeout=10)
    assert document.status_code == 200 and "/api/v1/tickets" in document.json()["paths"]


def test_the_pages_come_back_when_asked_for(
    tmp_path: pathlib.Path, database_url: str, clock: live.Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QMS_API_DOCS", "1")
    assert Settings().api_docs  # read from the environment, as `qms-server run` starts it
    with live.run_server(
        data_dir=tmp_path / "data", database_url=database_url, clock=clock, api_docs=True
    ) as on:
        swagger = httpx.get(f"{on.api}/docs", timeout=10)
        assert swagger.status_code == 200 and "swagger-ui" in swagger.text
        assert "/api/v1/openapi.json" in swagger.text
        assert httpx.get(f"{on.api}/redoc", timeout=10).status_code == 200
    monkeypatch.setenv("QMS_API_DOCS", "0")
    assert not Settings().api_docs
