"""Supervision calls (/api/v1/supervision): the centre's live overview and the supervisor's actions."""

from __future__ import annotations

from apiclient.calls import Calls


class SupervisionCalls(Calls):
    pass
