"""Secrets stay off command lines (any account reads those with ``ps``), and both systemd units
read the database's address from one environment file (issue 16, item 10)."""

from __future__ import annotations

import configparser
import contextlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests import live

ROOT = pathlib.Path(__file__).resolve().parents[2]
PASSWORD = "mat-khau-csdl-Bi-Mat"


def _recording_tool(folder: pathlib.Path, name: str, record: pathlib.Path) -> None:
    """``name`` on PATH: writes down its argv and PGPASSWORD, then runs the real tool when there
    is one and a real database to reach, or writes a stand-in dump."""
    real = shutil.which(name) if live.postgres_url() else None
    script = f"""#!{sys.executable}
import json, os, sys
with open({str(record)!r}, "a") as out:
    out.write(json.dumps({{"argv": sys.argv, "password": os.environ.get("PGPASSWORD")}}) + "\\n")
if {real!r}:
    os.execv({real!r}, [{real!r}, *sys.argv[1:]])
for arg in sys.argv[1:]:
    if arg.startswith("--file="):
        open(arg[len("--file="):], "wb").write(b"PGDMP stand-in")
"""
    path = folder / name
    path.write_text(script)
    path.chmod(0o700)


def qms_server(*args: str, path: pathlib.Path, data_dir: pathlib.Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PYTHONPATH": str(ROOT), "PATH": f"{path}{os.pathsep}{os.environ['PATH']}"}
    command = [sys.executable, "-m", "server.cli", *args, "--data-dir", str(data_dir)]
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.database  # its own PostgreSQL database on the second run
def test_pg_dump_and_pg_restore_get_the_password_from_their_environment(tmp_path: pathlib.Path) -> None:
    """Against the real PostgreSQL when the tests run on it (it trusts local connections, so
    the password in the URL is carried but not checked); else against a stand-in pg_dump."""
    tools, record = tmp_path / "bin", tmp_path / "argv.jsonl"
    tools.mkdir()
    for name in ("pg_dump", "pg_restore"):
        _recording_tool(tools, name, record)
    data_dir, folder = tmp_path / "data", tmp_path / "backups"
    with _database() as url:
        with_password = sa.make_url(url).set(password=PASSWORD).render_as_string(hide_password=False)
        args = ("--database-url", with_password)
        if live.postgres_url():
            assert qms_server("seed-demo", *args, path=tools, data_dir=data_dir).returncode == 0
        saved = qms_server("backup", "--to", str(folder), *args, path=tools, data_dir=data_dir)
        assert saved.returncode == 0, saved.stderr
        (dump,) = folder.iterdir()
        assert dump.stat().st_mode & 0o777 == 0o600
        if live.postgres_url():
            restored = qms_server("restore", str(dump), "--yes", *args, path=tools, data_dir=data_dir)
            assert restored.returncode == 0, restored.stderr
    calls = [json.loads(line) for line in record.read_text().splitlines()]
    assert [pathlib.Path(call["argv"][0]).name for call in calls] == (
        ["pg_dump", "pg_restore"] if live.postgres_url() else ["pg_dump"]
    )
    for call in calls:
        assert not any(PASSWORD in arg for arg in call["argv"]), call["argv"]
        assert call["password"] == PASSWORD
        assert any(arg.startswith("--dbname=postgresql://") for arg in call["argv"])


@contextlib.contextmanager
def _database() -> Iterator[str]:
    """A PostgreSQL database of its own when the tests run on PostgreSQL; else an address where
    nothing answers (the stand-in pg_dump does not connect)."""
    url = live.postgres_url()
    if url is None:
        yield "postgresql+psycopg://qms@127.0.0.1:9/qms"
        return
    with live.postgres_database(url) as fresh:
        yield fresh


def _unit(name: str) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(ROOT / "deploy" / name, encoding="utf-8")
    return unit


def test_the_server_and_its_nightly_backup_read_one_private_environment_file() -> None:
    """The backup unit used to get no QMS_DATABASE_URL: on PostgreSQL it failed every night."""
    server, nightly = _unit("qms-server.service")["Service"], _unit("qms-backup.service")["Service"]
    assert server["EnvironmentFile"] == nightly["EnvironmentFile"] == "/etc/qms/qms.env"
    assert server["UMask"] == nightly["UMask"] == "0077"
    # 1,500 live streams of a province, with room for the database and the logs.
    assert int(server["LimitNOFILE"]) >= 1500 + 160
    assert "postgresql" not in server["ExecStart"]  # the database's password never on a command line
