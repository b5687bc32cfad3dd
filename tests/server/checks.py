"""Helpers for the HTTP tests: clients that fail on any 5xx, and a walk of the OpenAPI document.

Nothing here is autouse: a test asks for `Api(server)` and every client it makes from it
asserts, on every response, that the server did not answer 5xx.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Any

import httpx

from tests import live

API_PREFIX = "/api/v1"
# Letters only Vietnamese uses among Latin scripts: đ, ă, ơ, ư and the stacked-tone vowels.
_VIETNAMESE = re.compile("[đĐăĂơƠưƯ\u1ea0-\u1ef9]")


# A dossier any officer may take in (the procedure id must exist for it to be accepted).
DOSSIER = {
    "procedure_id": 1,
    "channel": "counter",
    "applicant": {
        "full_name": "Nguyễn Văn An",
        "id_number": "001090012345",
        "phone": "0912345678",
        "address": "Phường Việt Trì, tỉnh Phú Thọ",
    },
    "documents": [{"name": "Tờ khai yêu cầu", "kind": "original", "copies": 1}],
    "sets": 1,
    "fee_collected": 0,
    "return_method": "counter",
}


def detail(reply: httpx.Response) -> Any:
    """The "detail" of an error answer, or None when the body is not a JSON object."""
    try:
        body = reply.json()
    except ValueError:
        return None
    return body.get("detail") if isinstance(body, dict) else None


def is_vietnamese(text: object) -> bool:
    return isinstance(text, str) and _VIETNAMESE.search(unicodedata.normalize("NFC", text)) is not None


def refuse_server_error(response: httpx.Response) -> None:
    """An httpx response hook: a 5xx fails the test right where the request was made."""
    if response.status_code >= 500:
        response.read()
        request = response.request
        raise AssertionError(
            f"{request.method} {request.url} answered {response.status_code}: {response.text[:500]}"
        )


class Api:
    """The live server, handing out clients that never accept a 5xx."""

    def __init__(self, server: live.LiveServer) -> None:
        self.server = server

    def _guard(self, client: httpx.Client) -> httpx.Client:
        client.event_hooks["response"].append(refuse_server_error)
        return client

    def client(self, secret: str | None = None) -> httpx.Client:
        return self._guard(self.server.client(secret))

    def raw(self, authorization: str) -> httpx.Client:
        """A client that sends this exact Authorization header."""
        client = self.client()
        client.headers["Authorization"] = authorization
        return client

    def root(self) -> httpx.Client:
        """A client for paths outside /api/v1 (the load balancer's /healthz)."""
        client = httpx.Client(base_url=self.server.base_url, timeout=30)
        self.server.clients.append(client)
        return self._guard(client)

    def user(self, username: str) -> httpx.Client:
        return self.client(self.server.token(username))

    def device(self, name: str) -> httpx.Client:
        return self.client(self.server.device_keys[name])

    def services(self) -> dict[str, int]:
        """Queue service ids by code (A, B, …)."""
        return {s["code"]: s["id"] for s in self.client().get("/services").raise_for_status().json()}

    def counters(self) -> dict[int, int]:
        """Counter ids by counter number."""
        return {c["number"]: c["id"] for c in self.client().get("/counters").raise_for_status().json()}


# ---------------------------------------------------------------- the OpenAPI document


@dataclasses.dataclass(frozen=True)
class Endpoint:
    method: str
    template: str  # below /api/v1, e.g. /tickets/{ticket_id}/start
    parameters: tuple[dict[str, Any], ...]
    body_schema: str | None  # the request body's component name, e.g. "TicketIn"

    def __str__(self) -> str:
        return f"{self.method} {self.template}"

    def url(self, values: dict[str, str]) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in values:
                return values[name]
            schema = next(p for p in self.parameters if p["name"] == name).get("schema", {})
            return "1" if schema.get("type") == "integer" else "x"

        return re.sub(r"\{(\w+)\}", value, self.template)

    def headers(self) -> dict[str, str]:
        """A valid-looking value for each required header (e.g. Idempotency-Key)."""
        return {
            p["name"]: "kiem-thu-0001"
            for p in self.parameters
            if p["in"] == "header" and p.get("required") and p["name"].lower() != "authorization"
        }


def _first_ref(node: Any) -> str | None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            return ref.rsplit("/", 1)[-1]
        return next(filter(None, (_first_ref(v) for v in node.values())), None)
    if isinstance(node, list):
        return next(filter(None, (_first_ref(v) for v in node)), None)
    return None


def endpoints(document: dict[str, Any]) -> list[Endpoint]:
    found = []
    for path, operations in document["paths"].items():
        assert path.startswith(API_PREFIX), path
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            found.append(
                Endpoint(
                    method=method.upper(),
                    template=path.removeprefix(API_PREFIX),
                    parameters=tuple(operation.get("parameters", [])),
                    body_schema=_first_ref(body["schema"]) if body else None,
                )
            )
    return found


def mutating(document: dict[str, Any]) -> list[Endpoint]:
    """Every POST under /api/v1 except signing in."""
    return [e for e in endpoints(document) if e.method == "POST" and e.template != "/auth/login"]


def openapi(api: Api) -> dict[str, Any]:
    document: dict[str, Any] = api.client().get("/openapi.json").raise_for_status().json()
    return document
