"""qms-server personal-data: give out, or erase, what the server holds about one person
(Law 91/2025 on personal data protection), by their ID number, in every centre."""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
from collections.abc import Callable
from typing import Any

from onestop import identity
from server import personal_data, settings
from server.db import Database

OpenDatabase = Callable[[argparse.Namespace], Database]


def add_commands(sub: Any, common: argparse.ArgumentParser, open_db: OpenDatabase) -> None:
    # The common options (--data-dir …) go after the action: "personal-data export --data-dir D".
    personal = sub.add_parser("personal-data", help="xuất hoặc xóa dữ liệu cá nhân của một người")
    actions = personal.add_subparsers(dest="action", required=True)
    out = actions.add_parser("export", parents=[common], help="xuất mọi dữ liệu của một người (JSON)")
    out.add_argument("--id-number", required=True, help="số định danh cá nhân hoặc mã số thuế")
    out.add_argument("--to", help="tệp JSON để ghi (mặc định: in ra màn hình)")
    out.set_defaults(func=lambda args: _export(args, open_db))
    gone = actions.add_parser("erase", parents=[common], help="xóa một người khỏi các hồ sơ đã kết thúc")
    gone.add_argument("--id-number", required=True, help="số định danh cá nhân hoặc mã số thuế")
    gone.add_argument("--yes", action="store_true", help="xác nhận xóa")
    gone.set_defaults(func=lambda args: _erase(args, open_db))


def _number(args: argparse.Namespace) -> str:
    return "".join(args.id_number.split())


def _export(args: argparse.Namespace, open_db: OpenDatabase) -> int:
    db = open_db(args)
    try:
        found = personal_data.export(db, id_number=_number(args))
    finally:
        db.dispose()
    text = json.dumps(found, ensure_ascii=False, indent=2) + "\n"
    if args.to is None:
        sys.stdout.write(text)
    else:
        path = pathlib.Path(args.to)
        # Created for the server's account alone (the umask), never through a link left there.
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        print(f"Đã xuất {len(found['dossiers'])} hồ sơ vào {path}.", file=sys.stderr)
    return 0


def _erase(args: argparse.Namespace, open_db: OpenDatabase) -> int:
    number = _number(args)
    masked = identity.mask_id_number(number)
    if not args.yes:
        print(
            f"Lệnh này xóa vĩnh viễn tên, số giấy tờ, địa chỉ và liên lạc của người có số {masked} "
            "khỏi mọi hồ sơ đã kết thúc. Chạy lại với --yes để xác nhận.",
            file=sys.stderr,
        )
        return 2
    db = open_db(args)
    try:
        codes = personal_data.erase(db, id_number=number, now=settings.vn_now(), actor="cli")
    except personal_data.StillInProgress as busy:
        print(
            f"Người có số {masked} còn hồ sơ đang giải quyết ({', '.join(busy.codes)}): chưa thể xóa "
            "cho đến khi trả kết quả hoặc kết thúc.",
            file=sys.stderr,
        )
        return 1
    finally:
        db.dispose()
    print(f"Đã xóa dữ liệu cá nhân của người có số {masked} khỏi {len(codes)} hồ sơ.")
    return 0
