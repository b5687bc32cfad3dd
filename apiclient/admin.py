"""Administration calls (/api/v1/admin): the catalogue, counters, users, devices, calendar."""

from __future__ import annotations

from apiclient.calls import Calls


class AdminCalls(Calls):
    pass
