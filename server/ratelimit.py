"""Rate limits held in the server process: one token bucket per key.

Used where a flood from one client must not cost everyone else: look-ups of dossiers by code
(per client address, or per device), and the tickets a kiosk issues (per device; a citizen
needs seconds per tap, a stolen key scripted in a loop does not). A bucket holds ``burst``
requests and refills at ``per_minute``; a request finding it empty is refused with the time
until the next one would pass.

Each worker process of a multi-worker server keeps its own buckets, so N workers admit up to N
times the rate: these limits stop floods, they are not exact counts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

MAX_KEYS = 50_000  # bounded memory: beyond it, full buckets (nobody throttled) are forgotten


class Limiter:
    def __init__(self, *, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = per_minute / 60.0  # tokens a second
        self._burst = float(max(burst, 1))
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def take(self, key: str) -> float | None:
        """Take one request for ``key``: None if it may go on, else the seconds to wait."""
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (self._burst, now))
            tokens = min(self._burst, tokens + (now - at) * self._rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return (1.0 - tokens) / self._rate if self._rate > 0 else 60.0
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > MAX_KEYS:
                self._forget_full(now)
            return None

    def _forget_full(self, now: float) -> None:
        full = [
            key
            for key, (tokens, at) in self._buckets.items()
            if tokens + (now - at) * self._rate >= self._burst
        ]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) > MAX_KEYS:  # still too many: start afresh rather than grow
            self._buckets.clear()
