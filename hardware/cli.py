"""Printer set-up from the command line: ``python -m hardware`` or ``qms-test-print``.

    python -m hardware test-print PRINTER_URL [--width 384|512|576]
    python -m hardware status PRINTER_URL
    qms-test-print PRINTER_URL            (test-print is the default command)

Prints in Vietnamese; exit code 0 on success, 1 when the printer can't print, 2 when the URL
is wrong.
"""

from __future__ import annotations

import argparse
import collections.abc
import dataclasses
import datetime
import io
import sys

from hardware import errors, printer, render, status, transports

CENTRE = "Trung tâm Phục vụ hành chính công tỉnh Phú Thọ"
SAMPLE_QR_URL = "https://qms.example/ve/A001"  # .example: reserved, never a real site
_COMMANDS = ("test-print", "status")


def sample_ticket() -> render.TicketData:
    return render.TicketData(
        centre_name=CENTRE,
        service_name="Lý lịch tư pháp",
        number="A001",
        priority_group=None,
        issued_at=datetime.datetime.now(render.VN_TZ),
        people_ahead=3,
        estimated_wait_minutes=10,
        qr_url=SAMPLE_QR_URL,
        guidance="Phiếu in thử — không dùng để xếp hàng.",
    )


def main(argv: collections.abc.Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] not in _COMMANDS and not args[0].startswith("-"):
        args.insert(0, "test-print")  # qms-test-print URL
    options = _parser().parse_args(args)
    _tolerant_output()
    try:
        config = transports.parse_url(options.url)
        if options.width is not None:
            config = dataclasses.replace(config, width=options.width)
        result: int = options.run(printer.Printer(config))
    except errors.PrinterError as exc:
        _report(exc)
        return 2 if isinstance(exc, errors.BadPrinterUrl) else 1
    return result


def test_print(target: printer.Printer) -> int:
    print(f"Máy in: {target.config.url} (khổ {target.config.width} điểm ảnh)")
    before = target.status()
    print(f"Trạng thái trước khi in: {before.label}")
    status.raise_for(before)
    after = target.print_ticket(sample_ticket())
    print(f"Trạng thái sau khi in: {after.label}")
    print("In thử thành công: vé A001 — Lý lịch tư pháp.")
    if after is status.PrinterState.PAPER_NEAR_END:
        print("Lưu ý: giấy sắp hết, hãy chuẩn bị cuộn giấy mới.")
    return 0


def show_status(target: printer.Printer) -> int:
    state = target.status()
    print(f"Trạng thái máy in {target.config.url}: {state.label}")
    return 1 if state.blocks_printing else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m hardware", description="In thử và kiểm tra máy in vé.")
    commands = parser.add_subparsers(required=True, metavar="LỆNH")
    for name, run, help_text in (
        ("test-print", test_print, "in một vé mẫu và báo trạng thái trước, sau khi in"),
        ("status", show_status, "báo trạng thái máy in"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("url", metavar="PRINTER_URL", help="ví dụ tcp://192.168.1.50:9100")
        command.add_argument("--width", type=int, choices=transports.WIDTHS, help="khổ in, điểm ảnh")
        command.set_defaults(run=run)
    return parser


def _report(exc: errors.PrinterError) -> None:
    print(f"Lỗi: {exc.message}", file=sys.stderr)
    if exc.job_started:
        print("Vé có thể chưa được in đủ.", file=sys.stderr)
    if exc.detail:
        print(f"(chi tiết: {exc.detail})", file=sys.stderr)


def _tolerant_output() -> None:
    # A console or file in a legacy code page must not crash on Vietnamese letters.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
