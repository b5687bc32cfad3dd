"""The end of a signed-in session of the counter app, at the desk or supervising."""

from __future__ import annotations

import logging

from apiclient import client as api_client
from qtkit import tasks

log = logging.getLogger(__name__)

SESSION_ENDED = "Phiên đăng nhập đã hết hạn; vui lòng đăng nhập lại."


def end(api: api_client.Client, runner: tasks.Runner, reason: str) -> None:
    """Forget the token now; unless the server already ended the session, tell it to, so the
    token stops working everywhere (in the background: a server away changes nothing)."""
    token, api.secret = api.secret, None
    if token is not None and reason != SESSION_ENDED:
        runner.submit(
            lambda: api.logout(token),
            failed=lambda exc: log.info("sign-out not sent to the server: %s", exc),
        )
