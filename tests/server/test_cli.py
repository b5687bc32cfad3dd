"""qms-server's commands, run as a user would, and the migrations against the models."""

from __future__ import annotations

import datetime as dt
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from onestop.enums import DeviceKind
from server import auth, migrate, models
from server.db import Base, open_database
from tests.e2e import harness


def qms_server(*args: str, database_url: str, data_dir: pathlib.Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "server.cli", *args, "--data-dir", str(data_dir)]
    command += ["--database-url", database_url]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_migrations_match_the_models(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()
    assert migrate.current_revision(database_url) is not None
    migrate.upgrade(database_url)  # a second start changes nothing


def test_seed_demo_first_run_and_admin_commands(database_url: str, tmp_path: pathlib.Path) -> None:
    data_dir = tmp_path / "data"
    first = qms_server("seed-demo", database_url=database_url, data_dir=data_dir)
    assert first.returncode == 0, first.stderr
    assert "Đã nạp danh mục mẫu" in first.stdout
    assert "canbo1" in first.stdout
    assert "kiosk-1" in first.stdout
    credentials = data_dir / "first-run-credentials.txt"
    assert credentials.stat().st_mode & 0o077 == 0  # only the owner may read the passwords
    again = qms_server("seed-demo", database_url=database_url, data_dir=data_dir)
    assert again.returncode == 0
    assert "canbo1" not in again.stdout  # accounts are made once

    made = qms_server(
        "create-user",
        "tiepnhan7",
        "--role",
        "officer",
        "--password",
        "mot-mat-khau-dai",
        database_url=database_url,
        data_dir=data_dir,
    )
    assert made.returncode == 0, made.stderr
    duplicate = qms_server(
        "create-user",
        "tiepnhan7",
        "--role",
        "officer",
        "--password",
        "mot-mat-khau-dai",
        database_url=database_url,
        data_dir=data_dir,
    )
    assert duplicate.returncode == 1
    assert "đã tồn tại" in duplicate.stderr
    device = qms_server(
        "add-device", "kiosk-tang-2", "--kind", "kiosk", database_url=database_url, data_dir=data_dir
    )
    assert device.returncode == 0, device.stderr
    key = device.stdout.strip().splitlines()[-1]
    assert key.startswith(auth.DEVICE_KEY_PREFIX)

    db = open_database(database_url)
    try:
        with db.write() as session:
            now = dt.datetime.now(dt.UTC)
            principal = auth.resolve(session, secret=key, now=now)
            assert principal is not None
            assert principal.device_kind is DeviceKind.KIOSK
            user = session.scalar(sa.select(models.User).where(models.User.username == "tiepnhan7"))
            assert user is not None
            assert auth.verify_password(user.password_hash, "mot-mat-khau-dai")
            assert session.scalar(sa.select(sa.func.count()).select_from(models.Procedure)) >= 30
            assert session.scalar(sa.select(sa.func.count()).select_from(models.Agency)) >= 8
            assert session.scalar(sa.select(sa.func.count()).select_from(models.QueueService)) == 6
            assert session.scalar(sa.select(sa.func.count()).select_from(models.Counter)) == 8
    finally:
        db.dispose()


def test_short_password_is_refused(database_url: str, tmp_path: pathlib.Path) -> None:
    result = qms_server(
        "create-user",
        "x",
        "--role",
        "admin",
        "--password",
        "ngan",
        database_url=database_url,
        data_dir=tmp_path,
    )
    assert result.returncode == 2
    assert "ít nhất 8 ký tự" in result.stderr


def test_summarise_finished_days_ahead_of_reports(database_url: str, tmp_path: pathlib.Path) -> None:
    first = qms_server(
        "summarise",
        "--from",
        "2026-01-01",
        "--to",
        "2026-01-31",
        database_url=database_url,
        data_dir=tmp_path,
    )
    assert first.returncode == 0, first.stderr
    assert "Đã tổng hợp 31 ngày mới từ 01/01/2026 đến 31/01/2026." in first.stdout
    again = qms_server(
        "summarise",
        "--from",
        "2026-01-15",
        "--to",
        "2026-02-01",
        database_url=database_url,
        data_dir=tmp_path,
    )
    assert "Đã tổng hợp 1 ngày mới từ 15/01/2026 đến 01/02/2026." in again.stdout
    today = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)  # not over: nothing to summarise
    later = qms_server("summarise", "--from", today.isoformat(), database_url=database_url, data_dir=tmp_path)
    assert later.returncode == 0, later.stderr
    assert "Chưa có ngày nào kết thúc" in later.stdout
    wrong = qms_server("summarise", "--from", "01/01/2026", database_url=database_url, data_dir=tmp_path)
    assert wrong.returncode == 2
    assert "YYYY-MM-DD" in wrong.stderr
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(models.ReportDay)) == 32
    engine.dispose()


def test_backup_keeps_the_newest_and_restore_asks_for_yes(database_url: str, tmp_path: pathlib.Path) -> None:
    data_dir = tmp_path / "data"
    folder = tmp_path / "backups"
    assert qms_server("seed-demo", database_url=database_url, data_dir=data_dir).returncode == 0
    if not database_url.startswith("sqlite") and shutil.which("pg_dump") is None:
        pytest.skip(reason="pg_dump is not installed (Debian package postgresql-client)")
    names = []
    for _ in range(2):
        saved = qms_server(
            "backup", "--to", str(folder), "--keep", "1", database_url=database_url, data_dir=data_dir
        )
        assert saved.returncode == 0, saved.stderr
        assert saved.stdout.startswith("Đã sao lưu vào ")
        names.append(saved.stdout.split()[4])
    assert [path.name for path in folder.iterdir()] == [pathlib.Path(names[1]).name]
    refused = qms_server("restore", names[1], database_url=database_url, data_dir=data_dir)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    restored = qms_server("restore", names[1], "--yes", database_url=database_url, data_dir=data_dir)
    assert restored.returncode == 0, restored.stderr
    assert "Đã khôi phục" in restored.stdout


def test_several_workers_need_postgresql(tmp_path: pathlib.Path) -> None:
    sqlite = f"sqlite:///{tmp_path / 'qms.sqlite3'}"
    refused = qms_server("run", "--workers", "2", database_url=sqlite, data_dir=tmp_path / "data")
    assert refused.returncode == 2
    assert "PostgreSQL" in refused.stderr


def test_a_stop_ends_the_live_streams_at_once_and_cleanly(database_url: str, tmp_path: pathlib.Path) -> None:
    """SIGTERM (systemctl stop) with a board connected: its stream ends, the server stops within
    a few seconds, and its log holds no traceback (each stream used to be cancelled after 5 s)."""
    data_dir = tmp_path / "data"
    server = harness.ServerProcess(
        data_dir=data_dir, database_url=database_url, log_dir=tmp_path, args=["--demo"]
    )
    server.start()
    assert server.process is not None
    key = re.search(
        r"device\s+display-1\s+\S+\s+key: (\S+)", (data_dir / "first-run-credentials.txt").read_text()
    )
    assert key
    opened, ended = threading.Event(), threading.Event()

    def board() -> None:
        headers = {"Authorization": f"Bearer {key.group(1)}"}
        with httpx.stream("GET", f"{server.base_url}/api/v1/events", headers=headers, timeout=30) as stream:
            for line in stream.iter_lines():
                if line.startswith(": connected"):
                    opened.set()
        ended.set()

    try:
        threading.Thread(target=board, daemon=True).start()
        assert opened.wait(10), "the board's stream did not open"
        stopped_at = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        # Uvicorn re-raises the signal once it has shut down: systemd counts that as a clean stop.
        assert server.process.wait(timeout=15) in (0, -signal.SIGTERM)
        assert time.monotonic() - stopped_at < 4
        assert ended.wait(5)
    finally:
        server.stop()
    server.check_logs()


def test_accounts_and_devices_of_a_province_name_their_centre(
    database_url: str, tmp_path: pathlib.Path
) -> None:
    data_dir = tmp_path / "data"
    assert qms_server("seed-demo", database_url=database_url, data_dir=data_dir).returncode == 0
    db = open_database(database_url)
    try:
        with db.write() as session:
            commune = models.Centre(
                code="PVHCC-XA-THANHSON", name="Trung tâm xã Thanh Sơn", agency_code="000.00.30.H42"
            )
            session.add(commune)
    finally:
        db.dispose()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return qms_server(*args, database_url=database_url, data_dir=data_dir)

    unclear = run("create-user", "canbo_xa", "--role", "officer", "--password", "mot-mat-khau-dai")
    assert unclear.returncode == 2
    assert "--centre" in unclear.stderr
    assert (
        run(
            "create-user",
            "canbo_xa",
            "--role",
            "officer",
            "--password",
            "mot-mat-khau-dai",
            "--centre",
            "PVHCC-XA-THANHSON",
        ).returncode
        == 0
    )
    assert (
        run("create-user", "quantri_tinh", "--role", "admin", "--password", "mot-mat-khau-dai").returncode
        == 0
    )
    unknown = run(
        "create-user", "x_admin", "--role", "admin", "--password", "mot-mat-khau-dai", "--centre", "KHONG-CO"
    )
    assert unknown.returncode == 2
    assert "Không có trung tâm mã KHONG-CO" in unknown.stderr
    assert run("add-device", "kiosk-xa", "--kind", "kiosk").returncode == 1
    assert run("add-device", "kiosk-xa", "--kind", "kiosk", "--centre", "PVHCC-XA-THANHSON").returncode == 0

    db = open_database(database_url)
    try:
        with db.read() as session:
            centre_of = dict(session.execute(sa.select(models.User.username, models.User.centre_id)).all())
            device_centre = session.scalar(
                sa.select(models.Device.centre_id).where(models.Device.name == "kiosk-xa")
            )
            commune_id = session.scalar(
                sa.select(models.Centre.id).where(models.Centre.code == "PVHCC-XA-THANHSON")
            )
    finally:
        db.dispose()
    assert centre_of["canbo_xa"] == commune_id
    assert centre_of["quantri_tinh"] is None  # the province's administrator: every centre
    assert "x_admin" not in centre_of
    assert device_centre == commune_id
