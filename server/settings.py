"""Server settings: one frozen object, built by the CLI or a test, handed to create_app."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import pathlib
from collections.abc import Callable

from onestop import calendar


def vn_now() -> dt.datetime:
    """The current time in Asia/Ho_Chi_Minh (the business day is the local day)."""
    return dt.datetime.now(calendar.VN_TZ)


@dataclasses.dataclass(frozen=True)
class Settings:
    # Read from the environment when left out (how each of several Uvicorn workers gets them).
    data_dir: pathlib.Path = dataclasses.field(
        default_factory=lambda: pathlib.Path(os.environ.get("QMS_DATA_DIR", "qms-data"))
    )
    # None means an SQLite file in data_dir; otherwise any SQLAlchemy URL (PostgreSQL).
    database_url: str | None = dataclasses.field(
        default_factory=lambda: os.environ.get("QMS_DATABASE_URL") or None
    )
    token_ttl: dt.timedelta = dt.timedelta(hours=12)
    # Comment lines on an idle event stream, so proxies and clients see it is alive.
    heartbeat_seconds: float = 15.0
    # How often each server process looks for events written by other processes.
    event_poll_seconds: float = 0.5
    # How often the citizen's ticket page (behind the QR) asks for its ticket's state.
    citizen_poll_seconds: float = 5.0
    # Finished days added up for the reports in the background, this often (server/housekeeping.py);
    # None: only when a report asks. `qms-server run` turns it on (QMS_SUMMARISE_EVERY_SECONDS).
    summarise_every_seconds: float | None = dataclasses.field(
        default_factory=lambda: float(os.environ.get("QMS_SUMMARISE_EVERY_SECONDS") or 0) or None
    )
    # Floods from one client (server/ratelimit.py): look-ups of dossiers by code per client
    # address or device, and tickets per kiosk (a citizen needs seconds per tap).
    lookups_per_minute: float = 20.0
    lookup_burst: int = 10
    kiosk_tickets_per_minute: float = dataclasses.field(
        default_factory=lambda: float(os.environ.get("QMS_KIOSK_TICKETS_PER_MINUTE") or 20)
    )
    kiosk_ticket_burst: int = 10
    # Live streams (GET /events): at most this many per server process, and per user or device;
    # a resume point more events back than this gets a "stream.resync" instead of the replay.
    max_streams: int = dataclasses.field(
        default_factory=lambda: int(os.environ.get("QMS_MAX_STREAMS") or 2000)
    )
    max_streams_per_caller: int = 5
    stream_catchup_events: int = 5000
    # The interactive API pages (/api/v1/docs, /api/v1/redoc) load their scripts from a CDN, so
    # a browser on the staff network would fetch code from the Internet: off unless
    # QMS_API_DOCS=1 (`./dev.sh run` turns them on). /api/v1/openapi.json is always served.
    api_docs: bool = dataclasses.field(default_factory=lambda: os.environ.get("QMS_API_DOCS") == "1")
    # Days citizens' contact details and ticket links are kept once they no longer serve
    # (server/personal_data.py).
    retention_days: int = dataclasses.field(
        default_factory=lambda: int(os.environ.get("QMS_RETENTION_DAYS") or 30)
    )
    # Password checks (argon2, ~0.2 s of one core each) at once in a server process, and how
    # long a sign-in waits for one before it is told to come back (503, server/throttle.py).
    login_hash_slots: int = 1
    login_slot_wait_seconds: float = 10.0  # a centre's desks all sign in at opening time
    clock: Callable[[], dt.datetime] = vn_now

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'qms.sqlite3').resolve()}"
