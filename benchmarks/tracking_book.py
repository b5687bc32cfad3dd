"""What does one officer's tracking book for a whole year cost the server, and everyone else?

Prepares an empty database (SQLite by default, --database-url for PostgreSQL) with the demo
catalogue, fills one year (2025) of a busy centre with about 20,000 dossiers (the largest
tracking book the server hands out) and the ratings of most returned ones, by bulk Core
inserts (benchmarks/reports.py's Filler), then starts the server in a process of its own and
measures through HTTP:

  1. one GET /dossiers/tracking-book for the year: seconds, rows, bytes, and the server
     process's peak RSS above what it held before (sampled from /proc every few ms);
  2. ticket issue (POST /tickets, the two kiosks in turn) on a quiet server, then while 3
     tracking-book requests for the year run at once: p50 / p95 / max.

    .venv/bin/python benchmarks/tracking_book.py [--database-url URL] [--dossiers 20000]
"""

from __future__ import annotations

import argparse
import contextlib
import pathlib
import threading
import time

import _launch
import httpx
import reports

YEAR = reports.YEAR
BOOK = {"start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"}
CONCURRENT_BOOKS = 3
QUIET_ISSUES = 100
SAMPLE_SECONDS = 0.005


def fill(url: str, *, dossiers: int, seed: int) -> None:
    from server import models

    filler = reports.Filler(url, seed)
    t0 = time.perf_counter()
    staff = filler.officers()
    n_dossiers = filler.insert(models.Dossier, filler.dossiers(dossiers, staff))
    n_ratings = filler.insert(models.DossierRating, filler.rating_rows())
    filler.engine.dispose()
    print(f"filled in {time.perf_counter() - t0:.1f} s: {n_dossiers} dossiers, {n_ratings} ratings")


def rss_kib(pid: int) -> int:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


class PeakRss:
    """The highest resident set size of a process while the block runs (sampled)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.before, self.peak = pid, rss_kib(pid), 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_kib(self.pid))
            self._stop.wait(SAMPLE_SECONDS)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_kib(self.pid))

    @property
    def increase_mib(self) -> float:
        return (self.peak - self.before) / 1024


def officer(server: _launch.Server) -> httpx.Client:
    client = httpx.Client(base_url=server.api, timeout=900, trust_env=False)
    reply = client.post("/auth/login", json={"username": "canbo1", "password": _launch.password()})
    reply.raise_for_status()
    client.headers["Authorization"] = f"Bearer {reply.json()['access_token']}"
    return client


def book(client: httpx.Client) -> tuple[float, int, int]:
    """Seconds, rows and bytes of one tracking book for the year."""
    t0 = time.perf_counter()
    reply = client.get("/dossiers/tracking-book", params=BOOK)
    seconds = time.perf_counter() - t0
    reply.raise_for_status()
    return seconds, len(reply.json()), len(reply.content)


class Kiosks:
    """The two kiosks taking tickets in turn, each request timed."""

    def __init__(self, server: _launch.Server) -> None:
        self.clients = [
            httpx.Client(
                base_url=server.api,
                timeout=900,
                trust_env=False,
                headers={"Authorization": f"Bearer {server.device_keys[name]}"},
            )
            for name in ("kiosk-1", "kiosk-2")
        ]
        services = self.clients[0].get("/services").json()
        self.service_ids = [s["id"] for s in services]
        self.count = 0

    def issue(self) -> float:
        """Milliseconds to take one ticket."""
        client = self.clients[self.count % len(self.clients)]
        body = {"service_id": self.service_ids[self.count % len(self.service_ids)]}
        self.count += 1
        t0 = time.perf_counter()
        client.post("/tickets", json=body).raise_for_status()
        return (time.perf_counter() - t0) * 1000

    def close(self) -> None:
        for client in self.clients:
            client.close()


def busy_issue(server: _launch.Server, kiosks: Kiosks) -> tuple[list[float], list[float]]:
    """Ticket issue while CONCURRENT_BOOKS officers each fetch the year's book at once:
    issue latencies (ms) and the books' seconds."""
    books: list[float] = []
    clients = [officer(server) for _ in range(CONCURRENT_BOOKS)]

    def fetch(client: httpx.Client) -> None:
        books.append(book(client)[0])

    threads = [threading.Thread(target=fetch, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    issues: list[float] = []
    while any(thread.is_alive() for thread in threads):
        issues.append(kiosks.issue())
        time.sleep(0.05)  # a busy hall, not a flood: about 15 tickets a second at most
    for thread in threads:
        thread.join()
    for client in clients:
        client.close()
    return issues, books


def run(args: argparse.Namespace) -> int:
    with _launch.running_server(args.database_url, keep_data=args.keep_data) as server:
        fill(server.database_url, dossiers=args.dossiers, seed=args.seed)
        kiosks = Kiosks(server)
        with contextlib.closing(officer(server)) as client:
            client.get("/dossiers/tracking-book", params={"start": f"{YEAR}-03-03", "end": f"{YEAR}-03-03"})
            with PeakRss(server.pid) as rss:
                seconds, rows, size = book(client)
        print(
            f"one tracking book for {YEAR}: {seconds:.2f} s, {rows} rows, {size / 2**20:.1f} MiB of JSON; "
            f"server peak RSS +{rss.increase_mib:.0f} MiB (from {rss.before / 1024:.0f} MiB)"
        )
        quiet = [kiosks.issue() for _ in range(QUIET_ISSUES)]
        print(f"ticket issue, quiet ({len(quiet)}):                 {_launch.summary(quiet)}")
        with PeakRss(server.pid) as rss:
            busy, books = busy_issue(server, kiosks)
        print(
            f"ticket issue, {CONCURRENT_BOOKS} tracking books at once ({len(busy)}): {_launch.summary(busy)}"
        )
        print(
            f"  the {CONCURRENT_BOOKS} books took {', '.join(f'{s:.1f}' for s in sorted(books))} s; "
            f"server peak RSS +{rss.increase_mib:.0f} MiB"
        )
        kiosks.close()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    _launch.add_server_options(parser)
    parser.add_argument("--dossiers", type=int, default=20_000, help="dossiers in the year (at most 20,000)")
    parser.add_argument("--seed", type=int, default=2025)
    return run(parser.parse_args())


if __name__ == "__main__":
    _launch.run_main(main)
