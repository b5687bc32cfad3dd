"""Printing with status checks: typed errors, nothing sent without paper, exact raster,
one job at a time — against the fake network printer and pyserial's URL handlers."""

from __future__ import annotations

import collections.abc
import contextlib
import dataclasses
import datetime as dt
import pathlib
import threading
import time

import pytest
from PIL import Image, ImageChops, ImageDraw

from hardware import errors, printer, raster, render, status, transports
from tests.hardware import fakeprinter

Mode = fakeprinter.Mode
State = status.PrinterState
FakeFactory = collections.abc.Callable[..., fakeprinter.FakePrinter]
CENTRE = "Trung tâm Phục vụ hành chính công tỉnh Phú Thọ"
FAST = "status_timeout=0.2&timeout=0.5"


@pytest.fixture
def fakes() -> collections.abc.Iterator[FakeFactory]:
    with contextlib.ExitStack() as stack:

        def start(mode: Mode = Mode.ONLINE, **options: int) -> fakeprinter.FakePrinter:
            return stack.enter_context(fakeprinter.FakePrinter(mode, **options))

        yield start


def make_printer(url: str) -> printer.Printer:
    return printer.Printer(transports.parse_url(url))


def ticket_data() -> render.TicketData:
    return render.TicketData(
        centre_name=CENTRE,
        service_name="Lý lịch tư pháp",
        number="A001",
        priority_group="Người cao tuổi",
        issued_at=dt.datetime(2026, 11, 26, 9, 5, tzinfo=render.VN_TZ),
        people_ahead=12,
        estimated_wait_minutes=25,
        qr_url="https://dichvucong.phutho.gov.vn/hang-doi/ve/A001-20261126",
    )


def receipt_data() -> render.ReceiptData:
    return render.ReceiptData(
        centre_name=CENTRE,
        dossier_code="000.00.25.H45-261126-0001",
        procedure_name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
        applicant_name="Nguyễn Thị Ngọc Ánh",
        id_number="025085001789",
        received_at=dt.datetime(2026, 11, 26, 9, 10, tzinfo=render.VN_TZ),
        due_at=dt.datetime(2026, 12, 3, 9, 10, tzinfo=render.VN_TZ),
        collect_at="Quầy số 3",
    )


def assert_same_image(actual: Image.Image, expected: Image.Image) -> None:
    """Pixel for pixel; on a mismatch, say where the images differ."""
    actual, expected = actual.convert("1"), expected.convert("1")
    assert actual.size == expected.size
    if actual.tobytes() != expected.tobytes():
        pytest.fail(f"images differ within {ImageChops.logical_xor(actual, expected).getbbox()}")


class ScriptedTransport:
    """A transport whose printer answers each status query with the next scripted reply."""

    supports_status = True

    def __init__(self, answers: list[bytes], *, pending: bytes = b"") -> None:
        self.answers = list(answers)
        self.buffer = bytearray(pending)
        self.written = bytearray()
        self.closed = False

    def write(self, data: bytes) -> None:
        self.written += data
        if data.startswith(status.DLE_EOT) and len(data) == 3 and self.answers:
            self.buffer += self.answers.pop(0)

    def read(self, size: int) -> bytes:
        chunk = bytes(self.buffer[:size])
        del self.buffer[:size]
        return chunk

    def close(self) -> None:
        self.closed = True


# --- status: combining replies -----------------------------------------------------------


@pytest.mark.parametrize(
    ("printer_byte", "paper", "cause", "state"),
    [
        (0x12, 0x12, None, State.ONLINE),
        (0x12, 0x1E, None, State.PAPER_NEAR_END),
        (0x12, 0x16, None, State.PAPER_NEAR_END),  # one near-end bit is enough
        (0x1A, 0x7E, 0x32, State.PAPER_OUT),
        (0x12, 0x72, None, State.PAPER_OUT),  # paper sensor wins over "online"
        (0x1A, 0x12, 0x32, State.PAPER_OUT),  # stopped at paper end
        (0x1A, 0x12, 0x16, State.COVER_OPEN),
        (0x1A, 0x7E, 0x36, State.COVER_OPEN),  # cover open and paper out: close the cover first
        (0x1A, 0x12, 0x12, State.OFFLINE),
        (0x1A, 0x1E, None, State.OFFLINE),  # offline beats near end; cause unknown
        (0x1A, 0x12, 0x10, State.OFFLINE),  # a malformed cause only loses detail
        (None, 0x12, None, State.NO_REPLY),
        (0x12, None, None, State.NO_REPLY),
        (0x10, 0x12, None, State.NO_REPLY),  # the echoed query is not a reply
        (0x12, 0x04, None, State.NO_REPLY),
        (0x00, 0x00, None, State.NO_REPLY),
        (0xFF, 0xFF, None, State.NO_REPLY),
    ],
)
def test_combine_replies_into_one_state(
    printer_byte: int | None, paper: int | None, cause: int | None, state: State
) -> None:
    assert status.combine(printer=printer_byte, paper=paper, offline_cause=cause) is state


@pytest.mark.parametrize(
    ("state", "error", "message"),
    [
        (State.PAPER_OUT, errors.PaperOut, "Máy in hết giấy. Vui lòng báo cán bộ hỗ trợ."),
        (State.COVER_OPEN, errors.CoverOpen, "Nắp máy in đang mở."),
        (State.OFFLINE, errors.Offline, "Máy in đang tắt hoặc mất kết nối."),
        (State.NO_REPLY, errors.NoReply, "Máy in không phản hồi."),
    ],
)
def test_blocking_states_raise_their_error(
    state: State, error: type[errors.PrinterError], message: str
) -> None:
    assert state.blocks_printing
    with pytest.raises(error) as caught:
        status.raise_for(state)
    assert caught.value.message == message
    assert not caught.value.job_started


@pytest.mark.parametrize("state", [State.ONLINE, State.PAPER_NEAR_END, State.NOT_SUPPORTED])
def test_other_states_let_printing_go_on(state: State) -> None:
    assert not state.blocks_printing
    status.raise_for(state)


def test_every_state_has_a_vietnamese_label() -> None:
    labels = {state: state.label for state in State}
    assert labels[State.PAPER_NEAR_END] == "Sắp hết giấy"
    assert labels[State.PAPER_OUT] == "Hết giấy"
    assert len(set(labels.values())) == len(State)


def test_query_skips_replies_provoked_by_the_job() -> None:
    # Two stale "paper out" replies (DLE EOT 4 patterns inside raster data) arrive first.
    job = b"\x1d\x76\x30\x00" + b"\x10\x04\x04" * 2
    assert status.provoked_replies(job) == 2
    stale = b"\x7e\x7e"
    assert status.query(ScriptedTransport([b"\x12", b"\x12"], pending=stale), stale=2) is State.ONLINE
    # Without skipping, the stale bytes would be read as the answers.
    assert status.query(ScriptedTransport([b"\x12", b"\x12"], pending=stale)) is not State.ONLINE


def test_query_asks_the_offline_cause_only_when_offline() -> None:
    online = ScriptedTransport([b"\x12", b"\x12"])
    assert status.query(online) is State.ONLINE
    assert online.written == b"\x10\x04\x01\x10\x04\x04"
    cover = ScriptedTransport([b"\x1a", b"\x12", b"\x16"])
    assert status.query(cover) is State.COVER_OPEN
    assert cover.written == b"\x10\x04\x01\x10\x04\x04\x10\x04\x02"


# --- the printer against the fake --------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "state"),
    [
        (Mode.ONLINE, State.ONLINE),
        (Mode.NEAR_END, State.PAPER_NEAR_END),
        (Mode.PAPER_OUT, State.PAPER_OUT),
        (Mode.COVER_OPEN, State.COVER_OPEN),
        (Mode.OFFLINE, State.OFFLINE),
        (Mode.SILENT, State.NO_REPLY),
        (Mode.REFUSE, State.OFFLINE),
        (Mode.HANGUP, State.OFFLINE),
    ],
)
def test_status_of_each_mode(fakes: FakeFactory, mode: Mode, state: State) -> None:
    fake = fakes(mode)
    assert make_printer(f"{fake.url}?{FAST}").status() is state


@pytest.mark.parametrize(
    ("mode", "error", "message"),
    [
        (Mode.PAPER_OUT, errors.PaperOut, "Máy in hết giấy. Vui lòng báo cán bộ hỗ trợ."),
        (Mode.COVER_OPEN, errors.CoverOpen, "Nắp máy in đang mở."),
        (Mode.OFFLINE, errors.Offline, "Máy in đang tắt hoặc mất kết nối."),
        (Mode.SILENT, errors.NoReply, "Máy in không phản hồi."),
        (Mode.REFUSE, errors.Offline, "Máy in đang tắt hoặc mất kết nối."),
        (Mode.HANGUP, errors.Offline, "Máy in đang tắt hoặc mất kết nối."),
    ],
)
def test_no_job_is_sent_when_the_check_before_fails(
    fakes: FakeFactory, mode: Mode, error: type[errors.PrinterError], message: str
) -> None:
    fake = fakes(mode)
    target = make_printer(f"{fake.url}?{FAST}")
    with pytest.raises(error) as caught:
        target.print_ticket(ticket_data())
    assert caught.value.message == message
    assert not caught.value.job_started
    if mode is not Mode.REFUSE:
        fake.wait_closed(1)
    assert fakeprinter.only_queries(bytes(fake.stream))


def test_paper_near_end_still_prints_and_says_so(fakes: FakeFactory) -> None:
    fake = fakes(Mode.NEAR_END)
    assert make_printer(fake.url).print_job(b"\x1b@job") is State.PAPER_NEAR_END
    fake.wait_closed(1)
    assert fake.job(0) == b"\x1b@job"


def test_paper_running_out_during_the_job_is_reported(fakes: FakeFactory) -> None:
    fake = fakes(Mode.PAPER_OUT_MID_JOB)
    target = make_printer(fake.url)
    with pytest.raises(errors.PaperOut) as caught:
        target.print_job(b"\x1b@first ticket")
    assert caught.value.job_started  # the ticket may be incomplete
    fake.wait_closed(1)
    assert fake.job(0) == b"\x1b@first ticket"
    with pytest.raises(errors.PaperOut) as again:
        target.print_job(b"\x1b@second ticket")
    assert not again.value.job_started
    fake.wait_closed(2)
    assert b"second" not in fake.stream


def test_a_printer_unplugged_during_the_job_is_offline_until_plugged_back(fakes: FakeFactory) -> None:
    fake = fakes(Mode.UNPLUGGED_MID_JOB)
    target = make_printer(fake.url)
    with pytest.raises(errors.Offline) as caught:
        target.print_job(b"\x1b@first ticket" * 1000)
    assert caught.value.job_started  # the ticket may be incomplete
    assert target.status() is State.OFFLINE
    fake.mode = Mode.ONLINE
    assert target.print_job(b"\x1b@second ticket") is State.ONLINE


def test_a_stalled_printer_fails_the_job_with_no_reply(fakes: FakeFactory) -> None:
    fake = fakes(Mode.STALL, stall_after=2000)
    with pytest.raises(errors.NoReply) as caught:
        make_printer(f"{fake.url}?timeout=0.3").print_job(bytes(64 * 1024 * 1024))
    assert caught.value.job_started


def test_replies_provoked_inside_the_job_are_skipped(fakes: FakeFactory) -> None:
    fake = fakes(Mode.ONLINE)
    job = b"\x1b@" + b"\xff\x10\x04\x01\xff\x10\x04\x04" * 3 + b"\x1dV\x01"
    started = time.monotonic()
    assert make_printer(fake.url).print_job(job) is State.ONLINE
    assert time.monotonic() - started < 2  # no waiting out the drain deadline
    fake.wait_closed(1)
    assert fake.job(0) == job
    assert len(fake.queries) == 2 + 6 + 2


def test_no_reply_after_the_job_means_it_may_be_incomplete(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(printer, "_MIN_DRAIN_WAIT", 0.0)
    transport = ScriptedTransport([b"\x12", b"\x12"])  # answers before the job only
    config = transports.parse_url("tcp://printer.test?timeout=0.01")
    with pytest.raises(errors.NoReply) as caught:
        printer.Printer(config, opener=lambda _: transport).print_job(b"\x1b@job")
    assert caught.value.job_started
    assert transport.closed


def test_the_transport_is_closed_when_the_check_fails() -> None:
    transport = ScriptedTransport([b"\x1a", b"\x7e", b"\x32"])
    config = transports.parse_url("tcp://printer.test")
    with pytest.raises(errors.PaperOut):
        printer.Printer(config, opener=lambda _: transport).print_job(b"\x1b@job")
    assert transport.closed
    assert b"job" not in transport.written


def test_status_off_sends_no_queries(fakes: FakeFactory) -> None:
    fake = fakes(Mode.PAPER_OUT)
    target = make_printer(f"{fake.url}?status=off")
    assert target.status() is State.NOT_SUPPORTED
    assert target.print_job(b"\x1b@job") is State.NOT_SUPPORTED
    fake.wait_closed(2)
    assert fake.queries == []
    assert fake.job(1) == b"\x1b@job"


# --- exact raster ------------------------------------------------------------------------


@pytest.mark.parametrize("width", [384, 576])
@pytest.mark.parametrize("kind", ["ticket", "receipt"])
def test_the_printed_raster_is_the_rendered_image(fakes: FakeFactory, width: int, kind: str) -> None:
    fake = fakes(Mode.ONLINE)
    target = make_printer(f"{fake.url}?width={width}")
    if kind == "ticket":
        target.print_ticket(ticket_data())
        expected = render.ticket(ticket_data(), width=width)
    else:
        target.print_receipt(receipt_data())
        expected = render.receipt(receipt_data(), width=width)
    fake.wait_closed(1)
    printed = raster.decode(fake.job(0))
    assert printed.width == width
    assert_same_image(printed, expected)


def test_native_qr_and_light_layout(fakes: FakeFactory) -> None:
    fake = fakes(Mode.ONLINE)
    data = ticket_data()
    make_printer(f"{fake.url}?width=384&qr=native&layout=light").print_ticket(data)
    fake.wait_closed(1)
    job = fake.job(0)
    assert raster.qr_command(data.qr_url or "") in job
    assert job.endswith(raster.feed_and_cut())
    assert_same_image(raster.decode(job), render.ticket(data, width=384, light=True, qr_in_image=False))


def test_print_image(fakes: FakeFactory) -> None:
    fake = fakes(Mode.ONLINE)
    image = Image.new("1", (384, 64), 1)
    ImageDraw.Draw(image).ellipse((10, 10, 370, 54), fill=0)
    make_printer(f"{fake.url}?width=384").print_image(image)
    fake.wait_closed(1)
    assert_same_image(raster.decode(fake.job(0)), image)
    with pytest.raises(ValueError, match="576"):
        make_printer(f"{fake.url}?width=384").print_image(Image.new("1", (576, 8), 1))


# --- one job at a time -------------------------------------------------------------------


def test_jobs_from_many_threads_never_interleave(fakes: FakeFactory) -> None:
    fake = fakes(Mode.ONLINE)
    threads, jobs_each = 8, 5
    # Each job is big enough to arrive in many pieces, filled with its own byte value.
    jobs = {
        (t, j): b"\x1b@" + bytes([0x20 + t * jobs_each + j]) * 48_000
        for t in range(threads)
        for j in range(jobs_each)
    }
    barrier = threading.Barrier(threads)
    failures: list[BaseException] = []
    seen: set[int] = set()

    def worker(t: int) -> None:
        try:
            target = printer.get_printer(fake.url)
            seen.add(id(target))
            barrier.wait(timeout=10)
            for j in range(jobs_each):
                target.print_job(jobs[t, j])
        except BaseException as exc:  # reported below
            failures.append(exc)

    workers = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=60)
    assert not failures
    assert len(seen) == 1
    fake.wait_closed(threads * jobs_each)
    stream = bytes(fake.stream)
    for job in jobs.values():
        assert stream.count(job) == 1  # contiguous: no other bytes inside it
    assert sorted(fake.job(i) for i in range(threads * jobs_each)) == sorted(jobs.values())


def test_the_registry_shares_printers_and_device_locks() -> None:
    url = "tcp://192.0.2.10:9100"
    assert printer.get_printer(url) is printer.get_printer(f"  {url} ")
    narrow = printer.get_printer(f"{url}?width=384")
    assert narrow is not printer.get_printer(url)
    assert narrow._lock is printer.get_printer(url)._lock  # one device, one lock
    with pytest.raises(errors.BadPrinterUrl):
        printer.get_printer("tcp://192.0.2.10?width=100")


# --- other connections -------------------------------------------------------------------


def test_loop_echo_is_no_reply_not_fine() -> None:
    target = make_printer("loop://?status_timeout=0.2")
    assert target.status() is State.NO_REPLY
    with pytest.raises(errors.NoReply) as caught:
        target.print_job(b"\x1b@job")
    assert not caught.value.job_started


def test_socket_url_prints_through_the_serial_code_path(fakes: FakeFactory) -> None:
    fake = fakes(Mode.NEAR_END)
    target = make_printer(f"socket://127.0.0.1:{fake.port}?width=384")
    assert target.status() is State.PAPER_NEAR_END
    assert target.print_ticket(ticket_data()) is State.PAPER_NEAR_END
    fake.wait_closed(2)
    assert_same_image(raster.decode(fake.job(1)), render.ticket(ticket_data(), width=384))


def test_socket_url_paper_out(fakes: FakeFactory) -> None:
    fake = fakes(Mode.PAPER_OUT)
    with pytest.raises(errors.PaperOut):
        make_printer(f"socket://127.0.0.1:{fake.port}").print_job(b"\x1b@job")
    fake.wait_closed(1)
    assert fakeprinter.only_queries(bytes(fake.stream))


def test_serial_write_timeout_with_a_stalled_peer(fakes: FakeFactory) -> None:
    fake = fakes(Mode.STALL, stall_after=2000)
    with pytest.raises(errors.NoReply) as caught:
        make_printer(f"socket://127.0.0.1:{fake.port}?timeout=0.3").print_job(bytes(64 * 1024 * 1024))
    assert caught.value.job_started


def test_file_printer(tmp_path: pathlib.Path) -> None:
    spool = tmp_path / "lp0"
    spool.write_bytes(b"")
    target = make_printer(f"file://{spool}?width=384")
    assert target.status() is State.NOT_SUPPORTED
    assert target.print_ticket(ticket_data()) is State.NOT_SUPPORTED
    assert_same_image(raster.decode(spool.read_bytes()), render.ticket(ticket_data(), width=384))


def test_missing_file_printer_is_not_found(tmp_path: pathlib.Path) -> None:
    target = make_printer(f"file://{tmp_path}/lp0")
    with pytest.raises(errors.NotFound):
        target.status()
    with pytest.raises(errors.NotFound):
        target.print_job(b"job")


def test_preview_writes_the_rendered_ticket(tmp_path: pathlib.Path) -> None:
    target = make_printer(f"preview://{tmp_path}?width=576")
    assert target.print_ticket(ticket_data()) is State.NOT_SUPPORTED
    (png_path,) = tmp_path.glob("*.png")
    with Image.open(png_path) as png:
        assert_same_image(png, render.ticket(ticket_data(), width=576))


def test_config_is_immutable() -> None:
    config = transports.parse_url("tcp://192.0.2.10")
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.width = 384  # type: ignore[misc]
