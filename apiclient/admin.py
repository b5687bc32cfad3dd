"""Administration calls (/api/v1/admin): the catalogue, counters, users, devices, calendar."""

from __future__ import annotations

from typing import Any
from urllib import parse

from apiclient import errors
from apiclient.calls import Calls, JsonObject


def _object(value: Any) -> JsonObject:
    if not isinstance(value, dict):
        raise errors.ServerUnavailable(errors.BAD_REPLY, reason=f"expected an object, got {value!r:.80}")
    return value


def _segment(value: object) -> str:
    return parse.quote(str(value), safe="")


class AdminCalls(Calls):
    """``kind`` is one of: centres, priority-groups, agencies, fields, procedures, services,
    counters, users, devices, calendar (whose ids are days, "2026-09-01")."""

    def admin_list(self, kind: str) -> list[JsonObject]:
        reply = self._get(f"/admin/{_segment(kind)}")
        if not isinstance(reply, list) or not all(isinstance(item, dict) for item in reply):
            raise errors.ServerUnavailable(errors.BAD_REPLY, reason=f"expected a list, got {reply!r:.80}")
        return reply

    def admin_get(self, kind: str, id: int | str) -> JsonObject:
        return _object(self._get(f"/admin/{_segment(kind)}/{_segment(id)}"))

    def admin_create(self, kind: str, body: JsonObject) -> JsonObject:
        """The new object; a device's carries its key ("key"), shown this once."""
        return _object(self._post(f"/admin/{_segment(kind)}", body))

    def admin_update(self, kind: str, id: int | str, body: JsonObject) -> JsonObject:
        """Replace every editable field (send them all)."""
        return _object(self._put(f"/admin/{_segment(kind)}/{_segment(id)}", body))

    def admin_delete(self, kind: str, id: int | str) -> None:
        """IllegalTransition (409) with the reason when the object is still in use."""
        self._delete(f"/admin/{_segment(kind)}/{_segment(id)}")

    def admin_new_device_key(self, device_id: int) -> JsonObject:
        """The device with a new "key"; its old key stops working."""
        return _object(self._post(f"/admin/devices/{int(device_id)}/new-key"))

    def admin_unlock_user(self, user_id: int) -> JsonObject:
        """Forget the account's failed sign-ins from every address; the account, with
        "failures_cleared"."""
        return _object(self._post(f"/admin/users/{int(user_id)}/unlock"))

    def export_catalogue(self, centre_id: int | None, fmt: str) -> bytes:
        """The centre's catalogue, ``fmt`` "json" (UTF-8 JSON bytes) or "xlsx" (a spreadsheet)."""
        return self._get_bytes("/admin/catalogue", centre_id=centre_id, format=fmt)

    def import_catalogue(
        self, data: bytes, content_type: str, *, centre_id: int | None, dry_run: bool
    ) -> JsonObject:
        """Create or update by code what ``data`` holds; InvalidRequest (422) lists every problem
        (its ``errors``), and then nothing was written. Returns the created/updated/unchanged counts."""
        query: dict[str, str | int] = {"dry_run": "true" if dry_run else "false"}
        if centre_id is not None:
            query["centre_id"] = centre_id
        path = "/admin/catalogue?" + parse.urlencode(query)
        return _object(self._post(path, data, headers={"Content-Type": content_type}))
