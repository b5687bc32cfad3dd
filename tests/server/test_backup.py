"""Back up while the server runs, lose the database, restore it: nothing that was backed up is lost."""

from __future__ import annotations

import datetime as dt
import pathlib
import shutil

import pytest
import sqlalchemy as sa

from onestop import calendar
from server import backup, migrate
from tests import live
from tests.server import test_dossiers


def _destroy(url: str) -> None:
    """What a dead disk or a wrong command does to the database."""
    if sa.make_url(url).get_backend_name() == "sqlite":
        database = pathlib.Path(str(sa.make_url(url).database))
        for path in database.parent.glob(database.name + "*"):
            path.unlink()
        return
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def test_back_up_destroy_restore_loses_nothing(server: live.LiveServer, tmp_path: pathlib.Path) -> None:
    url = server.settings.resolved_database_url()
    if not url.startswith("sqlite") and shutil.which("pg_dump") is None:
        pytest.skip(reason="pg_dump is not installed (Debian package postgresql-client)")
    kiosk = server.device("kiosk-1")
    officer = server.user("canbo1")
    tickets = [kiosk.post("/tickets", json={"service_id": 1}).json() for _ in range(3)]
    assert officer.post("/counters/1/open").status_code == 200
    assert officer.post("/counters/1/call-next").json()["number"] == tickets[0]["number"]
    procedure_id = next(
        p["id"] for p in officer.get("/procedures", params={"limit": 500}).json() if p["code"] == "1.002804"
    )
    dossier = test_dossiers.post(officer, test_dossiers.body(procedure_id))
    assert dossier.status_code == 201, dossier.text

    saved = backup.backup(url, tmp_path / "backups")  # a folder: the file is named by the time
    assert saved.parent == tmp_path / "backups" and saved.stat().st_size > 0
    assert not list(saved.parent.glob("*.partial"))

    server.stop()
    _destroy(url)
    backup.restore(url, saved)
    server.start()

    officer = server.user("canbo1")
    code = dossier.json()["code"]
    restored = officer.get(f"/dossiers/{code}")
    assert restored.status_code == 200
    assert restored.json()["applicant"]["full_name"] == "Nguyễn Văn An"
    for ticket in tickets:
        assert officer.get(f"/tickets/{ticket['id']}").json()["number"] == ticket["number"]
    # Numbering continues after the restored tickets: no number handed out twice.
    assert server.device("kiosk-1").post("/tickets", json={"service_id": 1}).json()["number"] == "A004"
    assert officer.get("/counters/1").json()["status"] == "open"


def test_a_file_that_is_not_a_backup_is_refused_and_the_database_kept(
    server: live.LiveServer, tmp_path: pathlib.Path
) -> None:
    url = server.settings.resolved_database_url()
    if not url.startswith("sqlite"):
        pytest.skip(reason="the SQLite file check; pg_restore refuses a foreign file by itself")
    junk = tmp_path / "not-a-backup.sqlite3"
    junk.write_bytes(b"this is not a database" * 100)
    server.stop()
    with pytest.raises(backup.BackupError, match="không phải bản sao lưu"):
        backup.restore(url, junk)
    server.start()
    assert server.user("canbo1").get("/counters/1").status_code == 200


def test_backups_taken_in_the_same_second_each_keep_a_file(
    database_url: str, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The nightly backup and an administrator's in the same second: two whole files, pruned
    newest last; a backup that fails leaves nothing behind that looks like one."""
    if not database_url.startswith("sqlite") and shutil.which("pg_dump") is None:
        pytest.skip(reason="pg_dump is not installed (Debian package postgresql-client)")
    migrate.upgrade(database_url)
    monkeypatch.setattr(backup, "vn_now", lambda: dt.datetime(2026, 11, 27, 21, 30, 5, tzinfo=calendar.VN_TZ))
    folder = tmp_path / "backups"
    saved = [backup.backup(database_url, folder) for _ in range(3)]
    suffix = saved[0].suffix
    assert [path.name for path in saved] == [
        f"qms-backup-20261127-213005{suffix}",
        f"qms-backup-20261127-213005-2{suffix}",
        f"qms-backup-20261127-213005-3{suffix}",
    ]
    assert sorted(folder.iterdir()) == sorted(saved)  # no partial file left
    assert all(path.stat().st_size > 0 for path in saved)

    assert backup.prune(folder, keep=2) == [saved[0]]
    assert sorted(folder.iterdir()) == sorted(saved[1:])

    if database_url.startswith("sqlite"):
        missing = f"sqlite:///{tmp_path / 'gone.sqlite3'}"
        with pytest.raises(backup.BackupError, match="Không tìm thấy cơ sở dữ liệu"):
            backup.backup(missing, folder)
        assert sorted(folder.iterdir()) == sorted(saved[1:])
