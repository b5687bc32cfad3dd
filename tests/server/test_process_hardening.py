"""``qms-server run`` as a process on a real machine: its open-file limit, its data folder's
lock, the modes of the files it writes (issue 16, items 7, 9 and 15)."""

from __future__ import annotations

import contextlib
import os
import pathlib
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.e2e import harness

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _wait(condition: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(0.05)  # fixed wait is right: polling another process, nothing to wait on


def credential(data_dir: pathlib.Path, kind: str, name: str) -> str:
    """A demo account's password or device key, from the first run's credentials file."""
    text = (data_dir / "first-run-credentials.txt").read_text(encoding="utf-8")
    match = re.search(rf"{kind}\s+{name}\s+\S+\s+\w+: (\S+)", text)
    assert match, text
    return match.group(1)


def _as_a_service(command: list[str], open_files: int | None = None) -> list[str]:
    """``command`` as the service starts it: systemd's default umask (0022, as the shipped units
    had it before UMask=0077), and its open-file limit as ``ulimit -n`` sets it."""
    limit = f"ulimit -n {open_files}; " if open_files is not None else ""
    return ["sh", "-c", f'umask 022; {limit}exec "$@"', "sh", *command]


def qms_server(
    *args: str, data_dir: pathlib.Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """One qms-server command, run to its end."""
    command = [sys.executable, "-m", "server.cli", *args, "--data-dir", str(data_dir)]
    environment = os.environ | {"PYTHONPATH": str(ROOT)} | (env or {})
    return subprocess.run(
        _as_a_service(command),
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@contextlib.contextmanager
def qms_server_run(
    data_dir: pathlib.Path,
    *args: str,
    env: dict[str, str] | None = None,
    open_files: int | None = None,
    log: pathlib.Path,
) -> Iterator[str]:
    """``qms-server run --demo`` as a process; its base URL once it answers."""
    port = harness.free_port()
    command = [sys.executable, "-m", "server.cli", "run", "--demo", "--data-dir", str(data_dir)]
    command += ["--port", str(port), "--log-level", "warning", *args]
    environment = os.environ | {"PYTHONPATH": str(ROOT)} | (env or {})
    with log.open("w") as out:
        process = subprocess.Popen(
            _as_a_service(command, open_files),
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        assert process.poll() is None, log.read_text()
        try:
            return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        _wait(answers, seconds=60, what="the server answering")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _closed_by_peer(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except ConnectionError:
        return True


def test_idle_connections_beyond_the_open_file_limit_leave_the_server_answering(
    tmp_path: pathlib.Path,
) -> None:
    """1,100 idle connections used to take a server with 1,024 open files down (/healthz too);
    here 400 against 256: the server keeps answering and closes the silent ones."""
    data_dir = tmp_path / "data"
    header_timeout = 2.0
    env = {"QMS_HEADER_TIMEOUT": str(header_timeout)}
    with qms_server_run(data_dir, env=env, open_files=256, log=tmp_path / "server.log") as base:
        kiosk_key = credential(data_dir, "device", "kiosk-1")
        kiosk = httpx.Client(base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {kiosk_key}"})
        service = kiosk.get("/services").json()[0]["id"]
        kiosk.close()
        port = int(base.rsplit(":", 1)[1])
        idle = []
        for _ in range(400):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.setblocking(False)
            idle.append(sock)
        try:
            # A client that comes now is served at once, not after the silent ones time out.
            health = httpx.get(f"{base}/api/v1/healthz", timeout=10)
            assert health.status_code == 200, health.text
            headers = {"Authorization": f"Bearer {kiosk_key}"}
            issued = httpx.post(
                f"{base}/api/v1/tickets", json={"service_id": service}, headers=headers, timeout=10
            )
            assert issued.status_code == 201, issued.text
            # Every connection that never sent a request is closed by the server.
            _wait(
                lambda: all(_closed_by_peer(sock) for sock in idle),
                seconds=header_timeout + 5,
                what="the idle connections closed",
            )
            assert httpx.get(f"{base}/api/v1/healthz", timeout=5).status_code == 200
        finally:
            for sock in idle:
                sock.close()


def test_a_head_sent_a_byte_at_a_time_is_cut_off(tmp_path: pathlib.Path) -> None:
    """A slow client (slowloris) that keeps sending, just never a whole head, is closed too."""
    header_timeout = 1.5
    env = {"QMS_HEADER_TIMEOUT": str(header_timeout)}
    with qms_server_run(tmp_path / "data", env=env, log=tmp_path / "server.log") as base:
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\n")
            deadline = time.monotonic() + header_timeout + 5
            closed = False
            while not closed:
                assert time.monotonic() < deadline, "the slow head was never cut off"
                try:
                    sock.sendall(b"X-Slow: 1\r\n")
                    sock.settimeout(0.3)  # the trickle's pace: a header line every 0.3 s
                    closed = sock.recv(1) == b""
                except TimeoutError:
                    continue
                except ConnectionError:
                    closed = True
        # A client that sends its request is answered as before, on a kept-alive connection too.
        with httpx.Client(base_url=base, timeout=10) as client:
            assert [client.get("/healthz").status_code for _ in range(3)] == [200, 200, 200]


def _modes(root: pathlib.Path) -> dict[str, str]:
    """Every folder and file under ``root`` (itself included) with its permission bits."""
    paths = [root, *root.rglob("*")]
    return {str(path.relative_to(root.parent)): oct(path.stat().st_mode & 0o777) for path in paths}


def test_every_file_of_personal_data_is_for_the_servers_account_alone(tmp_path: pathlib.Path) -> None:
    """The database and its -wal/-shm, backups, the copy a restore keeps and the first run's
    passwords: 0600 files in 0700 folders, even under systemd's default umask 0022 and in a
    data folder an older version made 0755."""
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    os.chmod(data_dir, 0o755)  # noqa: S103 (as an older version left it)
    seeded = qms_server("seed-demo", data_dir=data_dir)
    assert seeded.returncode == 0, seeded.stderr
    outside = tmp_path / "nightly"
    with qms_server_run(data_dir, log=tmp_path / "server.log"):
        assert (data_dir / "qms.sqlite3-wal").exists() and (data_dir / "qms.sqlite3-shm").exists()
        while_running = _modes(data_dir)
        for args in (["backup"], ["backup", "--to", str(outside)]):
            saved = qms_server(*args, data_dir=data_dir)
            assert saved.returncode == 0, saved.stderr
    backup_file = next(outside.iterdir())
    restored = qms_server("restore", str(backup_file), "--yes", data_dir=data_dir)
    assert restored.returncode == 0, restored.stderr
    assert list(data_dir.glob("qms.sqlite3.before-restore-*"))
    with qms_server_run(data_dir, log=tmp_path / "server-2.log"):
        after = _modes(data_dir) | _modes(outside)
    assert {"data/first-run-credentials.txt", "data/qms.sqlite3-wal", "data/qms.sqlite3-shm"} <= set(
        while_running
    )
    assert {"data/backups", "nightly", "data/server.lock"} <= set(after)
    assert sum(".before-restore-" in name for name in after) == 1
    assert sum(name.endswith(".sqlite3") for name in after) == 3  # the database and two backups
    for name, mode in (while_running | after).items():
        wanted = oct(0o700) if (tmp_path / name).is_dir() else oct(0o600)
        assert mode == wanted, f"{name} is {mode}, not {wanted}"


def test_a_second_server_on_the_same_sqlite_folder_is_refused(tmp_path: pathlib.Path) -> None:
    data_dir = tmp_path / "data"
    with qms_server_run(data_dir, log=tmp_path / "server.log") as base:
        second = qms_server("run", "--port", str(harness.free_port()), data_dir=data_dir)
        assert second.returncode == 2
        assert "Một máy chủ khác đang chạy" in second.stderr
        assert str(data_dir.resolve()) in second.stderr
        # A restore would replace the database under the running server's feet: refused too.
        saved = qms_server("backup", data_dir=data_dir)
        assert saved.returncode == 0, saved.stderr
        backup_file = next((data_dir / "backups").iterdir())
        refused = qms_server("restore", str(backup_file), "--yes", data_dir=data_dir)
        assert refused.returncode == 2 and "hãy dừng máy chủ trước" in refused.stderr
        assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200  # the first one serves on
    # Once it has stopped, the folder is free again (the kernel drops the lock with the process).
    with qms_server_run(data_dir, log=tmp_path / "server-2.log") as base:
        assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200


def test_servers_on_one_postgresql_database_may_run_side_by_side(
    tmp_path: pathlib.Path, database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip(reason="PostgreSQL only (QMS_TEST_DATABASE_URL)")
    data_dir = tmp_path / "data"
    args = ("--database-url", database_url)
    with (
        qms_server_run(data_dir, *args, log=tmp_path / "one.log") as one,
        qms_server_run(data_dir, *args, log=tmp_path / "two.log") as two,
    ):
        assert httpx.get(f"{one}/healthz", timeout=10).status_code == 200
        assert httpx.get(f"{two}/healthz", timeout=10).status_code == 200


def test_the_real_client_address_is_believed_from_the_proxy_only(tmp_path: pathlib.Path) -> None:
    """Login throttling goes by the client's address: X-Forwarded-For counts only when it comes
    from the reverse proxy (127.0.0.1 by default), or anyone could pick their own address."""
    forwarded = {"X-Forwarded-For": "203.0.113.7"}
    seen = {}
    for name, env in (("trusted", {}), ("untrusted", {"QMS_FORWARDED_ALLOW_IPS": "192.0.2.1"})):
        log = tmp_path / f"{name}.log"
        with qms_server_run(tmp_path / name, "--log-level", "info", env=env, log=log) as base:
            assert httpx.get(f"{base}/healthz", headers=forwarded, timeout=10).status_code == 200
        seen[name] = [line for line in log.read_text().splitlines() if '"GET /healthz' in line][-1]
    assert "203.0.113.7" in seen["trusted"]
    assert "203.0.113.7" not in seen["untrusted"] and "127.0.0.1" in seen["untrusted"]
