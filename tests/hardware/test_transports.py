"""Printer URLs and the connections they open: every failure is a typed PrinterError."""

from __future__ import annotations

import collections.abc
import contextlib
import os
import pathlib
import shutil
import stat
import sys

import pytest
from PIL import Image, ImageChops, ImageDraw

from hardware import errors, raster, transports
from tests.hardware import fakeprinter

Mode = fakeprinter.Mode
FakeFactory = collections.abc.Callable[..., fakeprinter.FakePrinter]
QUERY_PRINTER = b"\x10\x04\x01"
# The fake lp scripts run with PATH holding only themselves.
CAT = shutil.which("cat")
SLEEP = shutil.which("sleep")


@pytest.fixture
def fakes() -> collections.abc.Iterator[FakeFactory]:
    with contextlib.ExitStack() as stack:

        def start(mode: Mode = Mode.ONLINE, **options: int) -> fakeprinter.FakePrinter:
            return stack.enter_context(fakeprinter.FakePrinter(mode, **options))

        yield start


@contextlib.contextmanager
def opened(url: str) -> collections.abc.Iterator[transports.Transport]:
    transport = transports.open_transport(transports.parse_url(url))
    try:
        yield transport
    finally:
        transport.close()


def ask(transport: transports.Transport) -> bytes:
    transport.write(QUERY_PRINTER)
    return transport.read(1)


# --- parse_url -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "scheme", "target", "options"),
    [
        ("tcp://10.0.0.5", "tcp", "10.0.0.5", ()),
        ("TCP://10.0.0.5:9101", "tcp", "10.0.0.5:9101", ()),
        ("tcp://[::1]:9100", "tcp", "[::1]:9100", ()),
        (
            "serial:///dev/ttyUSB0?baudrate=38400&rtscts=1",
            "serial",
            "/dev/ttyUSB0",
            (("baudrate", "38400"), ("rtscts", "1")),
        ),
        ("serial://COM3?baudrate=115200", "serial", "COM3", (("baudrate", "115200"),)),
        ("socket://127.0.0.1:4000", "socket", "127.0.0.1:4000", ()),
        ("socket://127.0.0.1:4000?logging=debug", "socket", "127.0.0.1:4000", (("logging", "debug"),)),
        ("rfc2217://10.0.0.9:7000", "rfc2217", "10.0.0.9:7000", ()),
        ("loop://", "loop", "", ()),
        ("usb://04b8:0202?out_ep=0x01", "usb", "04b8:0202", (("out_ep", "0x01"),)),
        ("file:///dev/usb/lp0", "file", "/dev/usb/lp0", ()),
        ("win32://EPSON TM-T20 Receipt", "win32", "EPSON TM-T20 Receipt", ()),
        ("win32://EPSON%20TM-T20", "win32", "EPSON TM-T20", ()),
        ("cups://Receipt_1", "cups", "Receipt_1", ()),
        ("preview://tickets", "preview", "tickets", ()),
        ("preview:///srv/qms/tickets", "preview", "/srv/qms/tickets", ()),
    ],
)
def test_parse_url_finds_the_connection(
    url: str, scheme: str, target: str, options: tuple[tuple[str, str], ...]
) -> None:
    config = transports.parse_url(url)
    assert (config.scheme, config.target, config.options) == (scheme, target, options)
    assert (config.width, config.timeout, config.status_timeout) == (576, 3.0, 0.5)
    assert (config.qr_native, config.light, config.status) == (False, False, True)


def test_parse_url_reads_the_common_parameters() -> None:
    config = transports.parse_url(
        "tcp://printer.local?width=384&timeout=1.5&status_timeout=0.2&qr=native&layout=light&status=off"
    )
    assert config.width == 384
    assert (config.timeout, config.status_timeout) == (1.5, 0.2)
    assert config.qr_native
    assert config.light
    assert not config.status
    assert config.options == ()
    assert config.device_key == ("tcp", "printer.local")


def test_common_parameters_are_not_passed_to_pyserial() -> None:
    config = transports.parse_url("socket://127.0.0.1:4000?width=512&timeout=1")
    assert config.width == 512
    assert config.options == ()


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://10.0.0.5", "kiểu kết nối «http» không hỗ trợ"),
        ("10.0.0.5:9100", "kiểu kết nối «» không hỗ trợ"),
        ("tcp://", "thiếu địa chỉ"),
        ("tcp://10.0.0.5:99999", "cổng TCP không hợp lệ"),
        ("tcp://10.0.0.5:port", "cổng TCP không hợp lệ"),
        ("tcp://10.0.0.5/queue", "cần dạng tcp://MÁY:CỔNG"),
        ("tcp://10.0.0.5?width=500", "width phải là một trong 384, 512, 576"),
        ("tcp://10.0.0.5?width=", "width phải là"),
        ("tcp://10.0.0.5?timeout=0", "timeout phải là số giây"),
        ("tcp://10.0.0.5?timeout=abc", "timeout phải là số giây"),
        ("tcp://10.0.0.5?timeout=nan", "timeout phải là số giây"),
        ("tcp://10.0.0.5?status_timeout=-1", "status_timeout phải là số giây"),
        ("tcp://10.0.0.5?qr=svg", "qr phải là image hoặc native"),
        ("tcp://10.0.0.5?layout=big", "layout phải là normal hoặc light"),
        ("tcp://10.0.0.5?status=maybe", "status phải là on hoặc off"),
        ("tcp://10.0.0.5?widht=384", "tham số không hỗ trợ: widht"),
        ("tcp://10.0.0.5?width=384&width=576", "tham số «width» lặp lại"),
        ("serial:///dev/ttyUSB0?baud=9600", "tham số không hỗ trợ: baud"),
        ("socket://127.0.0.1:4000?bogus=1", "tham số không hỗ trợ: bogus"),
        ("usb://epson", "cần dạng usb://VID:PID"),
        ("usb://04b8:zz", "cần dạng usb://VID:PID"),
        ("file://", "thiếu địa chỉ"),
        ("cups://-oraw", "tên hàng đợi CUPS không hợp lệ"),
        ("preview://", "thiếu địa chỉ"),
    ],
)
def test_bad_urls_are_configuration_errors_naming_the_url(url: str, why: str) -> None:
    with pytest.raises(errors.BadPrinterUrl) as caught:
        transports.parse_url(url)
    assert f"Địa chỉ máy in không hợp lệ: «{url}»" in caught.value.message
    assert why in caught.value.message
    assert isinstance(caught.value, errors.PrinterError)


@pytest.mark.parametrize(
    "url",
    [
        "serial:///dev/ttyUSB0?baudrate=fast",
        "serial:///dev/ttyUSB0?rtscts=maybe",
        "serial:///dev/ttyUSB0?parity=Q",
    ],
)
def test_bad_serial_settings_are_configuration_errors(url: str) -> None:
    with pytest.raises(errors.BadPrinterUrl):
        transports.open_transport(transports.parse_url(url))


def test_error_messages_are_vietnamese() -> None:
    assert errors.Offline().message == "Máy in đang tắt hoặc mất kết nối."
    assert errors.PaperOut().message == "Máy in hết giấy. Vui lòng báo cán bộ hỗ trợ."
    assert errors.CoverOpen().message == "Nắp máy in đang mở."
    assert errors.NoReply().message == "Máy in không phản hồi."
    assert errors.NotFound().message.startswith("Không tìm thấy máy in")
    assert str(errors.NoReply(detail="timed out")) == "Máy in không phản hồi. (timed out)"


# --- tcp:// --------------------------------------------------------------------------------


def test_tcp_writes_and_reads_status(fakes: FakeFactory) -> None:
    fake = fakes(Mode.NEAR_END)
    with opened(fake.url) as transport:
        assert transport.supports_status
        transport.write(b"\x1b@" + QUERY_PRINTER)
        assert transport.read(1) == b"\x12"
    fake.wait_closed(1)
    assert fake.connection_bytes(0) == b"\x1b@" + QUERY_PRINTER


def test_tcp_read_returns_nothing_when_the_printer_is_silent(fakes: FakeFactory) -> None:
    fake = fakes(Mode.SILENT)
    with opened(fake.url + "?status_timeout=0.1") as transport:
        transport.write(QUERY_PRINTER)
        assert transport.read(1) == b""


def test_tcp_refused_is_offline(fakes: FakeFactory) -> None:
    fake = fakes(Mode.REFUSE)
    with pytest.raises(errors.Offline) as caught:
        transports.open_transport(transports.parse_url(fake.url))
    assert caught.value.message == "Máy in đang tắt hoặc mất kết nối."


def test_tcp_hangup_is_offline(fakes: FakeFactory) -> None:
    fake = fakes(Mode.HANGUP)
    with opened(fake.url) as transport:
        fake.wait_closed(1)
        with pytest.raises(errors.Offline):
            ask(transport)


def test_tcp_unknown_host_is_not_found() -> None:
    with pytest.raises(errors.NotFound) as caught:
        transports.open_transport(transports.parse_url("tcp://printer.invalid"))
    assert "printer.invalid" in caught.value.message


def test_tcp_write_to_a_stalled_printer_times_out(fakes: FakeFactory) -> None:
    fake = fakes(Mode.STALL, stall_after=1000)
    with pytest.raises(errors.NoReply) as caught, opened(fake.url + "?timeout=0.3") as transport:
        transport.write(bytes(64 * 1024 * 1024))
    assert caught.value.message == "Máy in không phản hồi."
    assert len(fake.stream) == 1000


# --- pyserial: serial://, socket://, loop:// -------------------------------------------------


def test_socket_url_reaches_the_fake_through_the_serial_code_path(fakes: FakeFactory) -> None:
    fake = fakes(Mode.COVER_OPEN)
    with opened(f"socket://127.0.0.1:{fake.port}") as transport:
        assert isinstance(transport, transports.SerialTransport)
        transport.write(QUERY_PRINTER)
        assert transport.read(1) == b"\x1a"
    fake.wait_closed(1)


def test_loop_url_echoes(fakes: FakeFactory) -> None:
    with opened("loop://?status_timeout=0.1") as transport:
        transport.write(QUERY_PRINTER)
        assert transport.read(3) == QUERY_PRINTER
        assert transport.read(1) == b""


def test_serial_socket_refused_is_offline(fakes: FakeFactory) -> None:
    fake = fakes(Mode.REFUSE)
    with pytest.raises(errors.Offline):
        transports.open_transport(transports.parse_url(f"socket://127.0.0.1:{fake.port}"))


def test_serial_write_to_a_stalled_peer_times_out(fakes: FakeFactory) -> None:
    fake = fakes(Mode.STALL, stall_after=1000)
    with pytest.raises(errors.NoReply), opened(f"socket://127.0.0.1:{fake.port}?timeout=0.3") as transport:
        transport.write(bytes(64 * 1024 * 1024))
    assert len(fake.stream) == 1000


def test_serial_peer_closing_is_offline(fakes: FakeFactory) -> None:
    fake = fakes(Mode.HANGUP)
    with opened(f"socket://127.0.0.1:{fake.port}") as transport:
        fake.wait_closed(1)
        with pytest.raises(errors.Offline):
            ask(transport)


def test_missing_serial_device_is_not_found(tmp_path: pathlib.Path) -> None:
    device = tmp_path / "ttyUSB9"
    with pytest.raises(errors.NotFound) as caught:
        transports.open_transport(transports.parse_url(f"serial://{device}?baudrate=38400"))
    assert str(device) in caught.value.message


# --- write-only: file://, cups://, preview:// ----------------------------------------------


def test_file_appends_each_job(tmp_path: pathlib.Path) -> None:
    spool = tmp_path / "lp0"
    spool.write_bytes(b"")
    for job in (b"first", b"second"):
        with opened(f"file://{spool}") as transport:
            assert not transport.supports_status
            transport.write(job)
            assert transport.read(1) == b""
    assert spool.read_bytes() == b"firstsecond"


def test_missing_file_is_not_found_and_not_created(tmp_path: pathlib.Path) -> None:
    with pytest.raises(errors.NotFound):
        transports.open_transport(transports.parse_url(f"file://{tmp_path}/lp0"))
    assert not (tmp_path / "lp0").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_full_device_times_out(tmp_path: pathlib.Path) -> None:
    # A FIFO nobody reads stands in for a printer device that stops taking data.
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        with pytest.raises(errors.NoReply), opened(f"file://{fifo}?timeout=0.2") as transport:
            transport.write(bytes(1024 * 1024))
    finally:
        os.close(reader)


def write_script(path: pathlib.Path, body: str) -> None:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def fake_lp(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    return bin_dir / "lp"


def test_cups_sends_a_raw_job_with_lp(fake_lp: pathlib.Path, tmp_path: pathlib.Path) -> None:
    write_script(fake_lp, f'echo "$@" > {tmp_path}/argv\nexec {CAT} > {tmp_path}/job\n')
    with opened("cups://Receipt") as transport:
        assert not transport.supports_status
        transport.write(b"\x1b@job")
    assert (tmp_path / "argv").read_text() == "-d Receipt -o raw\n"
    assert (tmp_path / "job").read_bytes() == b"\x1b@job"


def test_cups_unknown_queue_is_not_found(fake_lp: pathlib.Path) -> None:
    write_script(fake_lp, 'echo "lp: The printer or class does not exist." >&2\nexit 1\n')
    with pytest.raises(errors.NotFound) as caught, opened("cups://Nope") as transport:
        transport.write(b"job")
    assert "Nope" in caught.value.message


def test_cups_hanging_lp_times_out(fake_lp: pathlib.Path) -> None:
    write_script(fake_lp, f"exec {SLEEP} 30\n")
    with pytest.raises(errors.NoReply), opened("cups://Receipt?timeout=0.2") as transport:
        transport.write(b"job")


def test_cups_without_lp_says_what_to_install(fake_lp: pathlib.Path) -> None:
    with pytest.raises(errors.MissingPackage) as caught:
        transports.open_transport(transports.parse_url("cups://Receipt"))
    assert "cups-client" in caught.value.message


def assert_same_image(actual: Image.Image, expected: Image.Image) -> None:
    """Pixel for pixel; on a mismatch, say where the images differ."""
    actual, expected = actual.convert("1"), expected.convert("1")
    assert actual.size == expected.size
    if actual.tobytes() != expected.tobytes():
        pytest.fail(f"images differ within {ImageChops.logical_xor(actual, expected).getbbox()}")


def sample_image(width: int = 384) -> Image.Image:
    image = Image.new("1", (width, 120), 1)
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, width - 10, 40), fill=0)
    draw.text((20, 60), "A001", fill=0)
    return image


def test_preview_saves_each_job_as_a_png(tmp_path: pathlib.Path) -> None:
    folder = tmp_path / "previews"
    image = sample_image()
    for _ in range(2):
        with opened(f"preview://{folder}") as transport:
            assert not transport.supports_status
            transport.write(raster.encode(image))
    saved = sorted(folder.glob("job-*.png"))
    assert len(saved) == 2
    assert saved[0].name != saved[1].name
    with Image.open(saved[0]) as png:
        assert png.size == image.size
        assert_same_image(png, image)
    assert not list(folder.glob("*.part"))


def test_preview_of_bytes_without_an_image_is_a_printer_error(tmp_path: pathlib.Path) -> None:
    with pytest.raises(errors.PrinterError), opened(f"preview://{tmp_path}") as transport:
        transport.write(b"\x1b@hello")


# --- optional packages and other systems ---------------------------------------------------


def test_usb_without_pyusb_says_what_to_install() -> None:
    try:
        import usb  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip(reason="pyusb is installed here")
    with pytest.raises(errors.MissingPackage) as caught:
        transports.open_transport(transports.parse_url("usb://04b8:0202"))
    assert "pip install pyusb" in caught.value.message


@pytest.mark.skipif(sys.platform == "win32", reason="checks the message on other systems")
def test_win32_elsewhere_is_a_clear_error() -> None:
    with pytest.raises(errors.MissingPackage) as caught:
        transports.open_transport(transports.parse_url("win32://EPSON TM-T20"))
    assert "Windows" in caught.value.message
