"""How long does a ticket take to render and encode, how many bytes is it, how long on the wire?

For a sample ticket (service "Lý lịch tư pháp", number A001, with a QR URL) at 384, 512 and 576
dots: the median of render + encode over N runs (goal: <= 30 ms), the ESC/POS bytes of the
normal and the light layout, and the wire time at 9600/38400/115200 baud (bytes x 10 / baud:
8 data bits plus start and stop bits). Then it decodes the bytes of a ticket and a receipt at
each width back into images, writes them as PNG to --out and prints their paths, so a person
can look at what the printer would print.

    .venv/bin/python benchmarks/print_ticket.py [--runs 50] [--out DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import pathlib
import statistics
import tempfile
import time
from collections.abc import Sequence

from hardware import raster, render

GOAL_MS = 30.0
BAUD_RATES = (9600, 38400, 115200)
BITS_PER_BYTE_ON_WIRE = 10  # 8N1: a start bit, 8 data bits, a stop bit
CENTRE = "Trung tâm Phục vụ hành chính công tỉnh Phú Thọ"


def sample_ticket(number: str = "A001") -> render.TicketData:
    return render.TicketData(
        centre_name=CENTRE,
        service_name="Lý lịch tư pháp",
        number=number,
        priority_group=None,
        issued_at=dt.datetime(2026, 11, 26, 9, 5, tzinfo=render.VN_TZ),
        people_ahead=12,
        estimated_wait_minutes=25,
        qr_url=f"https://dichvucong.phutho.gov.vn/hang-doi/ve/{number}-20261126",
    )


def sample_receipt() -> render.ReceiptData:
    return render.ReceiptData(
        centre_name=CENTRE,
        dossier_code="000.00.25.H45-261126-0001",
        procedure_name=(
            "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam"
        ),
        applicant_name="Nguyễn Thị Ngọc Ánh",
        id_number="025085001789",
        received_at=dt.datetime(2026, 11, 26, 9, 10, tzinfo=render.VN_TZ),
        due_at=dt.datetime(2026, 12, 3, 9, 10, tzinfo=render.VN_TZ),
        collect_at=f"Quầy số 3 — {CENTRE}",
    )


def ticket_bytes(data: render.TicketData, *, width: int, light: bool = False) -> bytes:
    return raster.encode(render.ticket(data, width=width, light=light))


def median_ms(*, width: int, runs: int) -> float:
    # A different number and URL each run, as at a kiosk: nothing is reused from the last one.
    tickets = [sample_ticket(f"A{index % 1000:03d}") for index in range(runs)]
    timings = []
    for data in tickets:
        start = time.perf_counter()
        ticket_bytes(data, width=width)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def wire_seconds(size: int, baud: int) -> float:
    return size * BITS_PER_BYTE_ON_WIRE / baud


def report_speed(*, runs: int) -> None:
    ticket_bytes(sample_ticket(), width=576)  # warm up: fonts load once per process
    header = "".join(f"  {baud:>6} baud" for baud in BAUD_RATES)
    print(f"width  layout  median ms  {'bytes':>7}{header}")
    for width in render.WIDTHS:
        ms = median_ms(width=width, runs=runs)
        for light in (False, True):
            size = len(ticket_bytes(sample_ticket(), width=width, light=light))
            wires = "".join(f"  {wire_seconds(size, baud):>9.1f} s" for baud in BAUD_RATES)
            timing = f"{ms:9.1f}" if not light else f"{'':>9}"
            print(f"{width:>5}  {'light' if light else 'normal':<6}  {timing}  {size:>7}{wires}")
    print(f"goal: render + encode <= {GOAL_MS:.0f} ms (median of {runs} runs, normal layout)")


def write_images(out: pathlib.Path) -> list[pathlib.Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for width in render.WIDTHS:
        for light in (False, True):
            suffix = "-light" if light else ""
            slips = {
                "ticket": render.ticket(sample_ticket(), width=width, light=light),
                "receipt": render.receipt(sample_receipt(), width=width, light=light),
            }
            for name, image in slips.items():
                # Decode the printer bytes, not the rendered image: this is what would be printed.
                path = out / f"{name}-{width}{suffix}.png"
                raster.decode(raster.encode(image)).save(path)
                paths.append(path)
    return paths


@dataclasses.dataclass(frozen=True)
class Options:
    runs: int
    out: pathlib.Path


def parse(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50, help="runs per width (default 50)")
    parser.add_argument("--out", type=pathlib.Path, help="folder for the PNG files (default: a new temp dir)")
    args = parser.parse_args(argv)
    out = args.out or pathlib.Path(tempfile.mkdtemp(prefix="qms-print-ticket-"))
    return Options(runs=max(1, args.runs), out=out)


def main(argv: Sequence[str] | None = None) -> None:
    options = parse(argv)
    report_speed(runs=options.runs)
    print(f"\ndecoded images in {options.out}:")
    for path in write_images(options.out):
        print(f"  {path}")


if __name__ == "__main__":
    main()
