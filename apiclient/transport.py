"""One HTTP exchange with the API: send, wait with a timeout, decode or raise an onestop error.

Nothing from ``requests`` leaves this module except through the stream helpers that
apiclient.events uses; everything else callers see is JSON or an apiclient/onestop error.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import logging
from collections.abc import Mapping
from typing import Any

import requests

from apiclient import errors

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
Params = Mapping[str, str | int | float | None]


def api_root(base_url: str) -> str:
    """``http://host:8000`` or ``http://host:8000/`` → ``http://host:8000/api/v1``."""
    root = base_url.rstrip("/")
    return root if root.endswith(API_PREFIX) else root + API_PREFIX


def auth_headers(secret: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"} if secret else {}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def encode(body: Any) -> bytes:
    """JSON that also carries datetimes (ISO 8601) and enums (their value)."""
    return json.dumps(body, default=_jsonable, ensure_ascii=False).encode()


def json_or_none(response: requests.Response) -> Any:
    """The body as JSON, or None when it is not JSON (an error page from a proxy …)."""
    try:
        return response.json()
    except ValueError:
        return None


def decode(response: requests.Response) -> Any:
    """The reply's JSON (None for 204 or an empty body), or the error it stands for."""
    if not response.ok:
        raise errors.from_reply(response.status_code, json_or_none(response))
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError as exc:
        raise errors.ServerUnavailable(errors.BAD_REPLY, reason=f"not JSON: {exc}") from exc


def unavailable(exc: BaseException) -> errors.ServerUnavailable:
    """The error a failed exchange stands for; the cause stays for logs in ``reason``."""
    return errors.ServerUnavailable(reason=f"{type(exc).__name__}: {exc}")


class Transport:
    """Sends requests to one API root with one requests.Session (safe to share across threads)."""

    def __init__(self, root: str, *, timeout: float, session: requests.Session | None = None) -> None:
        self.root = root
        self.timeout = timeout
        self.session = session if session is not None else requests.Session()
        # Only the Authorization header changes; assigning a str is atomic, so threads may share.
        self.secret: str | None = None

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Params | None = None,
        headers: Mapping[str, str] | None = None,
        retry_connect: bool = False,
        raw: bool = False,
    ) -> Any:
        """Send and decode. ``retry_connect``: resend once if the connection failed (safe reads).

        ``body`` as bytes goes out as it is (give its Content-Type in ``headers``); ``raw``
        returns the reply's bytes undecoded (a spreadsheet), errors still raised as usual.
        """
        tries = 2 if retry_connect else 1
        for attempt in range(1, tries + 1):
            try:
                response = self._send(method, path, body=body, params=params, headers=headers)
            except requests.ConnectionError as exc:
                if attempt == tries:
                    raise unavailable(exc) from exc
                # A pooled keep-alive connection the server had just closed: one fresh try.
                log.debug("%s %s: %s; trying once more", method, path, exc)
                continue
            except requests.RequestException as exc:
                raise unavailable(exc) from exc
            if raw:
                if not response.ok:
                    raise errors.from_reply(response.status_code, json_or_none(response))
                return response.content
            return decode(response)
        raise AssertionError("unreachable: the last try returns or raises")

    def _send(
        self,
        method: str,
        path: str,
        *,
        body: Any,
        params: Params | None,
        headers: Mapping[str, str] | None,
    ) -> requests.Response:
        all_headers = {"Accept": "application/json", **auth_headers(self.secret), **(headers or {})}
        data = None
        if isinstance(body, bytes):
            data = body
        elif body is not None:
            data = encode(body)
            all_headers["Content-Type"] = "application/json"
        wanted = {k: v for k, v in (params or {}).items() if v is not None}
        return self.session.request(
            method,
            self.root + path,
            data=data,
            params=wanted,
            headers=all_headers,
            timeout=self.timeout,
        )

    def close(self) -> None:
        self.session.close()
