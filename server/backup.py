"""Backing up the system of record, and restoring a backup.

SQLite: the sqlite3 online backup API, a consistent copy taken while the server runs (the
database is in WAL mode, so the server keeps writing meanwhile). PostgreSQL: ``pg_dump`` in its
custom format, taken while the server runs too (one snapshot transaction).

Restoring replaces the whole database with the backup, so the server must be stopped first.
The SQLite database being replaced is kept beside it (``*.before-restore-<time>``); a
PostgreSQL database has its ``public`` schema emptied first. Migrations then bring a backup
taken by an older version up to date.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import pathlib
import shutil
import sqlite3
import subprocess
import tempfile

import sqlalchemy as sa

from server import migrate
from server.settings import vn_now


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why, in Vietnamese."""


def default_name(url: str, now: dt.datetime) -> str:
    suffix = "sqlite3" if _is_sqlite(url) else "pgdump"
    return f"qms-backup-{now:%Y%m%d-%H%M%S}.{suffix}"


def backup(url: str, folder: pathlib.Path) -> pathlib.Path:
    """Write a backup of the database at ``url`` into ``folder``, named by the time; its path.

    Two backups taken in the same second (the nightly one and an administrator's) each get a
    file of their own: the second is named ``…-2``.
    """
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = default_name(url, vn_now())
    # mkstemp makes the file 0600, and pg_dump and SQLite write into it, keeping its mode:
    # a backup holds every citizen's personal data.
    handle, written = tempfile.mkstemp(dir=folder, prefix=f"{name}.", suffix=".partial")
    os.close(handle)
    partial = pathlib.Path(written)
    try:
        if _is_sqlite(url):
            source = _sqlite_path(url)
            if not source.exists():
                raise BackupError(f"Không tìm thấy cơ sở dữ liệu {source}.")
            _copy_sqlite(source, partial)
            _check_sqlite(partial)
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}"], url)
        return _publish(partial, folder / name)
    finally:
        partial.unlink(missing_ok=True)


def _publish(partial: pathlib.Path, dest: pathlib.Path) -> pathlib.Path:
    """Give the whole backup its final name, never over another: a file with such a name is
    always a complete backup."""
    stem, suffix = dest.name.split(".", 1)
    for number in itertools.count(1):
        final = dest if number == 1 else dest.with_name(f"{stem}-{number}.{suffix}")
        try:
            os.link(partial, final)  # fails if the name is taken, where a rename would replace it
        except FileExistsError:
            continue
        return final
    raise AssertionError("unreachable")


def prune(folder: pathlib.Path, keep: int) -> list[pathlib.Path]:
    """Delete all but the ``keep`` newest backups in ``folder`` (by their names' times); the deleted."""
    backups = sorted(
        (path for path in folder.glob("qms-backup-*") if path.suffix in (".sqlite3", ".pgdump")),
        key=lambda path: path.name.split(".", 1)[0],  # …-010203 before …-010203-2 before …-010204
    )
    old = backups[:-keep] if keep > 0 else backups
    for path in old:
        path.unlink()
    return old


def restore(url: str, source: pathlib.Path) -> None:
    """Replace the database at ``url`` with the backup ``source`` (the server must be stopped)."""
    if not source.is_file():
        raise BackupError(f"Không tìm thấy tệp sao lưu {source}.")
    if _is_sqlite(url):
        _check_sqlite(source)
        target = _sqlite_path(url)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if target.exists():
            stamp = vn_now().strftime("%Y%m%d-%H%M%S")
            kept = target.with_name(f"{target.name}.before-restore-{stamp}")
            shutil.move(target, kept)
            os.chmod(kept, 0o600)  # a database of an older version may have been 0644
        for extra in ("-wal", "-shm"):
            target.with_name(target.name + extra).unlink(missing_ok=True)
        # Made 0600 before SQLite opens it: SQLite gives its -wal and -shm the same mode.
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        _copy_sqlite(source, target)
    else:
        engine = sa.create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        finally:
            engine.dispose()
        _run(["pg_restore", "--no-owner", "--single-transaction"], url, str(source))
    migrate.upgrade(url)


def _is_sqlite(url: str) -> bool:
    return sa.make_url(url).get_backend_name() == "sqlite"


def _sqlite_path(url: str) -> pathlib.Path:
    database = sa.make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được.")
    return pathlib.Path(database)


def _copy_sqlite(source: pathlib.Path, dest: pathlib.Path) -> None:
    """SQLite's online backup; the copy is one self-contained file (no -wal beside it)."""
    with contextlib.closing(sqlite3.connect(source)) as src, contextlib.closing(sqlite3.connect(dest)) as out:
        src.backup(out)
        out.execute("PRAGMA journal_mode=DELETE")


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The SQLAlchemy URL as libpq takes it (pg_dump, pg_restore), without its password, and
    the environment that gives the password instead: a command line is readable by every
    account on the machine (``ps``, /proc/PID/cmdline), a process's environment is not."""
    parsed = sa.make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    address = sa.URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return address.render_as_string(hide_password=False), env


def _check_sqlite(path: pathlib.Path) -> None:
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            (result,) = conn.execute("PRAGMA integrity_check").fetchone()
            has_schema = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"Tệp {path} không phải bản sao lưu hợp lệ: {exc}.") from exc
    if result != "ok" or not has_schema:
        raise BackupError(f"Tệp {path} không phải bản sao lưu hợp lệ của hệ thống ({result}).")


def _run(command: list[str], url: str, *files: str) -> None:
    """``command --dbname=ADDRESS files…``, the address without its password."""
    if shutil.which(command[0]) is None:
        raise BackupError(f"Không tìm thấy chương trình {command[0]} (gói postgresql-client).")
    address, env = _libpq(url)
    done = subprocess.run(  # noqa: S603 (fixed program)
        [*command, f"--dbname={address}", *files], capture_output=True, text=True, check=False, env=env
    )
    if done.returncode != 0:
        raise BackupError(f"{command[0]} không thành công: {done.stderr.strip()}")
