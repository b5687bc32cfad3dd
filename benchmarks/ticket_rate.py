"""How fast can kiosks take tickets, compared with the app's cheapest endpoint?

Starts the server in its own process on a fresh database, then, with C concurrent HTTP
clients (threads, one keep-alive requests.Session each):

  (a) POST /api/v1/tickets for S seconds, spread over the centre's services -> tickets/s
  (b) GET /healthz (one `SELECT 1` through a read session) for S seconds    -> requests/s

and prints both rates, their ratio (goal: >= 0.5) and p50/p95 latencies. Afterwards it
reads the ticket table and checks that each service's numbers for the day are 1..n: no
duplicate, no gap, and exactly the tickets the clients were given.

    .venv/bin/python benchmarks/ticket_rate.py [--seconds 10] [--clients 8] [--keys]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import threading
import time
from collections.abc import Callable, Sequence

import _launch
import requests

RATIO_GOAL = 0.5


@dataclasses.dataclass
class WorkerResult:
    latencies: list[float] = dataclasses.field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    issued: list[tuple[int, str]] = dataclasses.field(default_factory=list)  # (service id, number)
    finished_at: float = 0.0


@dataclasses.dataclass
class Phase:
    name: str
    results: list[WorkerResult]
    elapsed: float
    server_cpu: float
    client_cpu: float

    @property
    def latencies(self) -> list[float]:
        return [x for r in self.results for x in r.latencies]

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.results)

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed if self.elapsed > 0 else 0.0


# A request: (client, its index, the iteration) -> (ok, issued ticket or None, error text)
Request = Callable[[requests.Session, int, int], tuple[bool, tuple[int, str] | None, str]]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads (Linux /proc)."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_phase(
    name: str, sessions: list[requests.Session], request: Request, seconds: float, server_pid: int
) -> Phase:
    results = [WorkerResult() for _ in sessions]
    barrier = threading.Barrier(len(sessions) + 1)
    stop = threading.Event()

    def work(index: int) -> None:
        result, session = results[index], sessions[index]
        barrier.wait()
        end = start_at[0] + seconds
        i = 0
        while not stop.is_set():
            t0 = time.perf_counter()
            if t0 >= end:
                break
            try:
                ok, issued, error = request(session, index, i)
            except requests.RequestException as exc:
                ok, issued, error = False, None, repr(exc)
            t1 = time.perf_counter()
            if ok:
                result.latencies.append(t1 - t0)
                if issued is not None:
                    result.issued.append(issued)
            else:
                result.errors += 1
                result.first_error = result.first_error or error
            i += 1
        result.finished_at = time.perf_counter()

    start_at = [0.0]
    threads = [
        threading.Thread(target=work, args=(i,), name=f"{name}-{i}", daemon=True)
        for i in range(len(sessions))
    ]
    for thread in threads:
        thread.start()
    cpu0, pcpu0 = cpu_seconds(server_pid), time.process_time()
    start_at[0] = time.perf_counter()
    barrier.wait()
    try:
        for thread in threads:
            thread.join()
    finally:
        stop.set()  # on Ctrl+C the workers end after their current request
    elapsed = max(r.finished_at for r in results) - start_at[0]
    return Phase(
        name=name,
        results=results,
        elapsed=elapsed,
        server_cpu=(cpu_seconds(server_pid) - cpu0) / elapsed,
        client_cpu=(time.process_time() - pcpu0) / elapsed,
    )


def verify_numbers(database_url: str, issued: list[tuple[int, str]]) -> tuple[bool, str]:
    """Per (numbering service, day): seq is exactly 1..n, numbers distinct, same as the clients got."""
    read = _launch.read_numbering(database_url, issued)
    problems: list[str] = []
    for (_, service_id, day), items in sorted(read.lines.items()):
        seqs = sorted(seq for seq, _ in items)
        if seqs != list(range(1, len(seqs) + 1)):
            dupes = len(seqs) - len(set(seqs))
            missing = sorted(set(range(1, max(seqs) + 1)) - set(seqs))
            problems.append(f"service {service_id} on {day}: {dupes} duplicate(s), missing {missing[:10]}")
    repeated = sum(len(items) - len({number for _, number in items}) for items in read.lines.values())
    if repeated:
        problems.append(f"{repeated} duplicate ticket number(s)")
    if read.given_not_stored or read.stored_not_given:
        problems.append(
            f"the clients were given {read.given} tickets, the table holds {read.tickets}; "
            f"{read.given_not_stored} given but not stored, {read.stored_not_given} stored but not given"
        )
    days = {day for _, _, day in read.lines}
    per_service = ", ".join(
        f"service {sid}{f' on {day}' if len(days) > 1 else ''}: {len(items)}"
        for (_, sid, day), items in sorted(read.lines.items())
    )
    if problems:
        return False, "numbers: FAILED: " + "; ".join(problems)
    return True, f"numbers: OK, {read.tickets} tickets, no duplicate, no gap ({per_service})"


def line(phase: Phase, label: str, unit: str) -> str:
    ms = [x * 1000 for x in phase.latencies]
    return (
        f"{label:<34} {phase.ok:>6} in {phase.elapsed:5.2f} s = {phase.rate:7.1f} {unit}/s   "
        f"p50 {_launch.percentile(ms, 0.5):6.1f} ms  p95 {_launch.percentile(ms, 0.95):6.1f} ms"
        f"   errors {phase.errors}   CPU: server {phase.server_cpu:4.0%}, client {phase.client_cpu:4.0%}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase (default 10)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients (default 8)")
    parser.add_argument(
        "--services", type=int, default=6, help="spread tickets over this many services (default 6)"
    )
    parser.add_argument(
        "--keys", action="store_true", help="send a fresh Idempotency-Key with each ticket, as the kiosk does"
    )
    _launch.add_server_options(parser)
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 600 or not 1 <= args.clients <= 256:
        parser.error("--seconds must be in (0, 600] and --clients in [1, 256]")

    with _launch.running_server(args.database_url, keep_data=args.keep_data) as server:
        sessions = [requests.Session() for _ in range(args.clients)]
        try:
            for session in sessions:
                session.trust_env = False  # no proxy for 127.0.0.1
            listed = sessions[0].get(f"{server.api}/services", timeout=10)
            listed.raise_for_status()
            service_ids = [int(s["id"]) for s in listed.json()][: args.services]
            kiosk = {"Authorization": f"Bearer {server.device_keys['kiosk-1']}"}
            cores = os.cpu_count() or 0
            print(
                f"server: pid {server.pid}, Uvicorn, 1 process, {server.database_url}\n"
                f"client: {args.clients} threads in this process, keep-alive requests.Session each; "
                f"{args.seconds:g} s per phase; {cores} CPU core(s) shared by both; "
                f"load average {os.getloadavg()[0]:.2f} at start"
            )
            for session in sessions:  # warm up: connections open on both sides
                for _ in range(3):
                    session.get(f"{server.base_url}/healthz", timeout=10).raise_for_status()

            def issue(
                session: requests.Session, index: int, i: int
            ) -> tuple[bool, tuple[int, str] | None, str]:
                service_id = service_ids[(index + i) % len(service_ids)]
                headers = {**kiosk, "Idempotency-Key": f"bench-{index}-{i}"} if args.keys else kiosk
                reply = session.post(
                    f"{server.api}/tickets", json={"service_id": service_id}, headers=headers, timeout=30
                )
                if reply.status_code != 201:
                    return False, None, f"{reply.status_code} {reply.text[:200]}"
                return True, (service_id, str(reply.json()["number"])), ""

            def health(
                session: requests.Session, index: int, i: int
            ) -> tuple[bool, tuple[int, str] | None, str]:
                reply = session.get(f"{server.base_url}/healthz", timeout=30)
                if reply.status_code != 200:
                    return False, None, f"{reply.status_code} {reply.text[:200]}"
                return True, None, ""

            tickets = run_phase("tickets", sessions, issue, args.seconds, server.pid)
            healthz = run_phase("healthz", sessions, health, args.seconds, server.pid)
        finally:
            for session in sessions:
                session.close()

        print(line(tickets, "(a) POST /api/v1/tickets" + (" + key" if args.keys else ""), "tickets"))
        print(line(healthz, "(b) GET /healthz (one SELECT 1)", "req"))
        ratio = tickets.rate / healthz.rate if healthz.rate else float("nan")
        verdict = "meets the goal" if ratio >= RATIO_GOAL else "BELOW the goal"
        print(f"ratio tickets/s ÷ healthz req/s = {ratio:.2f} (goal ≥ {RATIO_GOAL}: {verdict})")
        for phase in (tickets, healthz):
            first = next((r.first_error for r in phase.results if r.first_error), "")
            if first:
                print(f"first error in {phase.name}: {first}")
        issued = [pair for r in tickets.results for pair in r.issued]
        ok, report = verify_numbers(server.database_url, issued)
        print(report)
    return 0 if ok and tickets.errors == 0 and healthz.errors == 0 else 1


if __name__ == "__main__":
    _launch.run_main(main, interrupted="interrupted; the server process has been stopped")
