"""qms-server: run the server and administer it from a terminal."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import logging
import os
import pathlib
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
import uvicorn
from sqlalchemy import orm

from onestop.enums import DeviceKind, Role
from server import auth, backup, cli_personal, migrate, models, report_days, seed, serving, waits
from server.db import open_database
from server.settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(data_dir=pathlib.Path(args.data_dir), database_url=args.database_url)


def _private_data_dir(settings: Settings) -> None:
    """The data folder (the database, its backups, the first run's passwords) for the server's
    account alone: 0700, and its files 0600 (those of an older version were 0644)."""
    folder = settings.data_dir
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.chmod(folder, 0o700)
        for path in [*folder.glob("qms.sqlite3*"), folder / seed.CREDENTIALS_FILE]:
            if path.is_file() and path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)
    except PermissionError:  # a folder the administrator made for another account: theirs to set
        logging.getLogger(__name__).warning("cannot make %s private to this account", folder)


def _database(settings: Settings):  # type: ignore[no-untyped-def]
    _private_data_dir(settings)
    url = settings.resolved_database_url()
    migrate.upgrade(url)
    return open_database(url)


def _first_run(settings: Settings, *, demo: bool) -> None:
    db = _database(settings)
    try:
        with db.write() as session:
            if demo and seed.seed_demo(session) is not None:
                print("Đã nạp danh mục mẫu (demo).")
            lines = seed.first_run(session)
    finally:
        db.dispose()
    if lines:
        text = "\n".join(lines) + "\n"
        print(text)
        path = settings.data_dir / seed.CREDENTIALS_FILE
        # Made 0600 from the start: a chmod after writing leaves a moment when others may read
        # the passwords. O_EXCL after removing a stale copy: never written through a symlink.
        path.unlink(missing_ok=True)
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        print(f"(Đã lưu vào {path}; hãy đổi mật khẩu và xóa tệp này khi đưa vào sử dụng.)")


class StreamEndingServer(uvicorn.Server):
    """Ends the live event streams the moment a stop is asked: the graceful shutdown then has
    nothing to wait for, instead of cancelling each stream (a traceback each) after 5 s."""

    def handle_exit(self, sig: int, frame: Any) -> None:
        super().handle_exit(sig, frame)
        state = getattr(getattr(self.config.app, "state", None), "qms", None)
        if state is not None:
            state.hub.end_streams()


def _connections(args: argparse.Namespace) -> int:
    """Raise the open-file limit and say how many connections it holds (or what was asked)."""
    open_files = serving.raise_open_file_limit()
    fit = serving.connection_limit(open_files)
    if args.max_connections is None:
        return fit
    if args.max_connections > fit:
        print(
            f"Cảnh báo: --max-connections {args.max_connections} vượt quá số kết nối mà giới hạn "
            f"{open_files} tệp mở (ulimit -n, LimitNOFILE) cho phép ({fit}).",
            file=sys.stderr,
        )
    return int(args.max_connections)


def cmd_run(args: argparse.Namespace) -> int:
    from server.app import create_app

    # Reports stay fast: finished days are added up in the background, hourly (every worker
    # reads this, as Settings does).
    os.environ.setdefault("QMS_SUMMARISE_EVERY_SECONDS", "3600")
    # Every worker's connections read it (serving.header_timeout).
    os.environ["QMS_HEADER_TIMEOUT"] = str(args.header_timeout)
    settings = _settings(args)
    sqlite = settings.resolved_database_url().startswith("sqlite")
    if args.workers > 1 and sqlite:
        print("Nhiều tiến trình (--workers) chỉ dùng với PostgreSQL (--database-url).", file=sys.stderr)
        return 2
    lock = None
    if sqlite:  # several servers on one PostgreSQL database are fine; on one SQLite file, not
        _private_data_dir(settings)
        try:
            lock = serving.lock_data_dir(settings.data_dir)
        except serving.DataDirLocked:
            print(
                f"Một máy chủ khác đang chạy với thư mục dữ liệu {settings.data_dir.resolve()}; "
                "hãy dừng máy chủ đó trước, hoặc chọn thư mục khác (--data-dir).",
                file=sys.stderr,
            )
            return 2
    try:
        return _serve(args, settings, create_app)
    finally:
        if lock is not None:
            lock.close()


def _serve(args: argparse.Namespace, settings: Settings, create_app: Any) -> int:
    connections = _connections(args)
    _first_run(settings, demo=args.demo)
    print(f"Máy chủ chạy tại http://{args.host}:{args.port}/api/v1 (Ctrl+C để dừng)")
    print(f"Tối đa {connections} kết nối đồng thời.")
    # Event streams never end by themselves: give them a few seconds, then stop anyway.
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "log_level": args.log_level,
        "timeout_graceful_shutdown": 5,
        # With the cap, a full server answers 503 instead of running out of open files; the
        # protocol closes silent connections (serving.GuardedHttpProtocol says why).
        "limit_concurrency": connections,
        "http": serving.GuardedHttpProtocol,
        # X-Forwarded-For is believed from the reverse proxy only: login throttling and the
        # look-up limits go by the client's address.
        "forwarded_allow_ips": args.forwarded_allow_ips,
    }
    if args.workers > 1:
        # Each worker process builds its own app from the environment (Settings reads it).
        os.environ["QMS_DATA_DIR"] = str(settings.data_dir)
        os.environ["QMS_DATABASE_URL"] = settings.resolved_database_url()
        # PostgreSQL's default max_connections is 100: keep the workers' pools within ~80.
        os.environ.setdefault("QMS_DB_POOL_SIZE", str(max(4, 40 // args.workers)))
        uvicorn.run("server.app:create_app", factory=True, workers=args.workers, **options)
    else:
        StreamEndingServer(uvicorn.Config(create_app(settings), **options)).run()
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    settings = _settings(args)
    folder = pathlib.Path(args.to) if args.to else settings.data_dir / "backups"
    try:
        path = backup.backup(settings.resolved_database_url(), folder)
    except backup.BackupError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Đã sao lưu vào {path} ({path.stat().st_size:,} byte).".replace(",", "."))
    if args.keep:
        for old in backup.prune(folder, args.keep):
            print(f"Đã xoá bản sao lưu cũ {old.name}.")
    return 0


@contextlib.contextmanager
def _no_server_running(settings: Settings, url: str) -> Iterator[None]:
    """Holds the data folder's lock (as `run` does) on SQLite: a restore under a running
    server would replace the file under its feet."""
    if not url.startswith("sqlite"):
        yield
        return
    _private_data_dir(settings)
    with serving.lock_data_dir(settings.data_dir):
        yield


def cmd_restore(args: argparse.Namespace) -> int:
    settings = _settings(args)
    url = settings.resolved_database_url()
    if not args.yes:
        print(
            f"Khôi phục sẽ THAY TOÀN BỘ dữ liệu hiện có bằng bản sao lưu {args.file}.\n"
            "Hãy dừng máy chủ trước, rồi chạy lại lệnh với --yes.",
            file=sys.stderr,
        )
        return 2
    try:
        with _no_server_running(settings, url):
            backup.restore(url, pathlib.Path(args.file))
    except serving.DataDirLocked:
        print(
            f"Máy chủ đang chạy với thư mục dữ liệu {settings.data_dir.resolve()}: hãy dừng máy chủ trước.",
            file=sys.stderr,
        )
        return 2
    except backup.BackupError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Đã khôi phục từ {args.file}. Có thể khởi động lại máy chủ.")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    _first_run(_settings(args), demo=True)
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    password = args.password or getpass.getpass("Mật khẩu: ")
    if len(password) < 8:
        print("Mật khẩu phải có ít nhất 8 ký tự.", file=sys.stderr)
        return 2
    db = _database(_settings(args))
    try:
        with db.write() as session:
            if session.scalar(sa.select(models.User).where(models.User.username == args.username)):
                print(f"Tên đăng nhập {args.username} đã tồn tại.", file=sys.stderr)
                return 1
            role = Role(args.role)
            centre = _centre_of(session, args.centre, for_admin=role is Role.ADMIN)
            if centre is None and (args.centre is not None or role is not Role.ADMIN):
                return 2
            auth.create_user(
                session,
                username=args.username,
                password=password,
                role=role,
                full_name=args.full_name or "",
                centre_id=centre,
            )
    finally:
        db.dispose()
    print(f"Đã tạo tài khoản {args.username} ({args.role}).")
    return 0


def _centre_of(session: orm.Session, code: str | None, *, for_admin: bool) -> int | None:
    """The centre a new account or device belongs to: the one named, else the only one there
    is. An administrator of the province, left without one, belongs to none. None (after
    saying why) when it is unclear."""
    if code is not None:
        centre = session.scalar(sa.select(models.Centre.id).where(models.Centre.code == code))
        if centre is None:
            print(f"Không có trung tâm mã {code}.", file=sys.stderr)
        return centre
    if for_admin:
        return None
    centres = session.scalars(sa.select(models.Centre.id).limit(2)).all()
    if not centres:
        print("Chưa có trung tâm nào; hãy chạy seed-demo hoặc nạp danh mục trước.", file=sys.stderr)
    elif len(centres) > 1:
        print("Có nhiều trung tâm: hãy chọn trung tâm bằng --centre MÃ.", file=sys.stderr)
    return centres[0] if len(centres) == 1 else None


def cmd_add_device(args: argparse.Namespace) -> int:
    db = _database(_settings(args))
    try:
        with db.write() as session:
            if session.scalar(sa.select(models.Device).where(models.Device.name == args.name)):
                print(f"Thiết bị {args.name} đã tồn tại.", file=sys.stderr)
                return 1
            centre = _centre_of(session, args.centre, for_admin=False)
            if centre is None:
                return 1
            _, key = auth.create_device(session, name=args.name, kind=DeviceKind(args.kind), centre_id=centre)
    finally:
        db.dispose()
    print(f"Khóa của thiết bị {args.name} (chỉ hiện một lần):\n{key}")
    return 0


def cmd_summarise(args: argparse.Namespace) -> int:
    """Summarise the finished business days for the reports ahead of time (report_days)."""
    settings = _settings(args)
    now = settings.clock()
    today = waits.business_day(now)
    yesterday = today - dt.timedelta(days=1)
    end = args.end or yesterday
    start = args.start or end - dt.timedelta(days=365)
    if end < start and args.end is not None:
        print("Ngày cuối không được trước ngày đầu.", file=sys.stderr)
        return 2
    last = min(end, yesterday)
    if last < start:
        print(
            f"Chưa có ngày nào kết thúc từ {start:%d/%m/%Y}: hôm nay ({today:%d/%m/%Y}) được tính trực tiếp."
        )
        return 0
    db = _database(settings)
    try:
        written = report_days.summarise(db, start=start, end=end, today=today, now=now)
    finally:
        db.dispose()
    print(f"Đã tổng hợp {written} ngày mới từ {start:%d/%m/%Y} đến {last:%d/%m/%Y}.")
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ngày phải có dạng YYYY-MM-DD, không phải {text!r}") from None


def _positive(kind: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} không phải một số") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"phải lớn hơn 0, không phải {text}")
        return value

    return parse


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="qms-server", description="Máy chủ hệ thống xếp hàng một cửa")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        default=os.environ.get("QMS_DATA_DIR", "qms-data"),
        help="thư mục dữ liệu (CSDL SQLite, tệp tài khoản ban đầu)",
    )
    common.add_argument(
        "--database-url",
        default=os.environ.get("QMS_DATABASE_URL"),
        help="URL SQLAlchemy, ví dụ postgresql+psycopg://user@host/db (mặc định SQLite)",
    )
    sub = top.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", parents=[common], help="chạy máy chủ")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--demo", action="store_true", help="nạp danh mục mẫu nếu chưa có")
    run.add_argument("--log-level", default="info")
    run.add_argument("--workers", type=int, default=1, help="số tiến trình (chỉ với PostgreSQL)")
    run.add_argument(
        "--max-connections",
        type=_positive(int),
        default=os.environ.get("QMS_MAX_CONNECTIONS"),  # argparse parses a text default too
        help="số kết nối đồng thời tối đa của mỗi tiến trình (mặc định: theo giới hạn tệp mở, ulimit -n)",
    )
    run.add_argument(
        "--header-timeout",
        type=_positive(float),
        default=os.environ.get("QMS_HEADER_TIMEOUT") or str(serving.HEADER_TIMEOUT_SECONDS),
        help="đóng kết nối chưa gửi xong phần đầu yêu cầu sau ngần ấy giây (mặc định 10)",
    )
    run.add_argument(
        "--forwarded-allow-ips",
        default=os.environ.get("QMS_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        help="địa chỉ reverse proxy được tin X-Forwarded-For, cách nhau bởi dấu phẩy (mặc định 127.0.0.1)",
    )
    run.set_defaults(func=cmd_run)
    save = sub.add_parser("backup", parents=[common], help="sao lưu CSDL (khi máy chủ đang chạy)")
    save.add_argument("--to", help="thư mục chứa bản sao lưu (mặc định: <data-dir>/backups)")
    save.add_argument("--keep", type=int, default=0, help="chỉ giữ N bản mới nhất trong thư mục")
    save.set_defaults(func=cmd_backup)
    load = sub.add_parser(
        "restore", parents=[common], help="khôi phục CSDL từ bản sao lưu (dừng máy chủ trước)"
    )
    load.add_argument("file")
    load.add_argument("--yes", action="store_true", help="xác nhận thay toàn bộ dữ liệu hiện có")
    load.set_defaults(func=cmd_restore)
    sub.add_parser("seed-demo", parents=[common], help="nạp danh mục mẫu").set_defaults(func=cmd_seed_demo)
    user = sub.add_parser("create-user", parents=[common], help="tạo tài khoản")
    user.add_argument("username")
    user.add_argument("--role", required=True, choices=[r.value for r in Role])
    user.add_argument("--password", help="mặc định: hỏi tại dấu nhắc")
    user.add_argument("--full-name")
    user.add_argument(
        "--centre", help="mã trung tâm (cán bộ, giám sát; mặc định: trung tâm duy nhất); quản trị: bỏ trống"
    )
    user.set_defaults(func=cmd_create_user)
    device = sub.add_parser("add-device", parents=[common], help="thêm thiết bị và in khóa")
    device.add_argument("name")
    device.add_argument("--kind", required=True, choices=[k.value for k in DeviceKind])
    device.add_argument("--centre", help="mã trung tâm của thiết bị (mặc định: trung tâm duy nhất)")
    device.set_defaults(func=cmd_add_device)
    summarise = sub.add_parser(
        "summarise", parents=[common], help="tổng hợp trước số liệu vé của các ngày đã qua cho báo cáo"
    )
    summarise.add_argument("--from", dest="start", type=_date, help="ngày đầu (mặc định: một năm trước)")
    summarise.add_argument("--to", dest="end", type=_date, help="ngày cuối (mặc định: hôm qua)")
    summarise.set_defaults(func=cmd_summarise)
    cli_personal.add_commands(sub, common, lambda args: _database(_settings(args)))
    return top


def main(argv: Sequence[str] | None = None) -> int:
    # Everything the server writes (the database and its -wal/-shm, backups, the first run's
    # passwords, exports) holds personal data: for the server's account alone.
    os.umask(0o077)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
