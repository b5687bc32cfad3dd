"""The plumbing every group of API calls relies on; ``client.Client`` provides it.

Groups of calls live in their own modules as mixins of ``Calls`` (apiclient.admin,
apiclient.supervision), so ``Client`` stays one object with one method per endpoint.
"""

from __future__ import annotations

from typing import Any

JsonObject = dict[str, Any]


class Calls:
    def _get(self, path: str, **params: str | int | None) -> Any:
        raise NotImplementedError

    def _get_bytes(self, path: str, **params: str | int | None) -> bytes:
        raise NotImplementedError

    def _post(self, path: str, body: Any = None, *, headers: dict[str, str] | None = None) -> Any:
        raise NotImplementedError

    def _put(self, path: str, body: Any) -> Any:
        raise NotImplementedError

    def _delete(self, path: str) -> Any:
        raise NotImplementedError
