"""Counter displays and keypads: qms frames against the protocol document's test vectors,
the shared bus against a fake device on a socat pty pair, and the Modbus driver's bytes."""

from __future__ import annotations

import collections.abc
import pathlib
import queue
import re
import threading
import time
import unicodedata

import pytest
import serial

from hardware import display, keypad, modbus
from tests.hardware import fakedevice

PROTOCOL_DOC = pathlib.Path(__file__).parents[2] / "docs" / "counter-display-protocol.md"
VECTORS = [
    (5, "N", ("A1023", "5"), "02 30 35 4E 41 31 30 32 33 3B 35 03 30 37"),
    (5, "B", ("3",), "02 30 35 42 33 03 37 37"),
    (12, "C", (), "02 31 32 43 03 34 33"),
    (0, "T", ("Moi cong dan",), "02 30 30 54 4D 6F 69 20 63 6F 6E 67 20 64 61 6E 03 37 32"),
    (5, "P", (), "02 30 35 50 03 35 36"),
    (7, "K", ("NEXT", "41"), "02 30 37 4B 4E 45 58 54 3B 34 31 03 37 36"),
]
DOC_ROW = re.compile(r"^\| (\d\d) \| ([A-Z]) \| (?:`([^`]*)`|\(empty\)) \| `([0-9A-F ]+)` \|$", re.MULTILINE)


# --- frames -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("address", "command", "fields", "wire"), VECTORS)
def test_frames_match_the_test_vectors(
    address: int, command: str, fields: tuple[str, ...], wire: str
) -> None:
    frame = display.encode_frame(address=address, command=command, fields=fields)
    assert frame == bytes.fromhex(wire)
    assert display.FrameParser().feed(frame) == [
        display.Frame(address=address, command=command, fields=fields)
    ]


def test_the_protocol_document_lists_the_same_vectors() -> None:
    section = PROTOCOL_DOC.read_text(encoding="utf-8").split("## Test vectors", 1)[1]
    rows = DOC_ROW.findall(section)
    assert len(rows) >= 4
    for address, command, payload, wire in rows:
        fields = tuple(payload.split(";")) if payload else ()
        assert display.encode_frame(address=int(address), command=command, fields=fields) == bytes.fromhex(
            wire
        )
    assert {(int(a), c) for a, c, _, _ in rows} == {(a, c) for a, c, _, _ in VECTORS}


def test_answers_encode_and_parse() -> None:
    assert display.encode_answer(address=5, ok=True) == b"\x0605"
    assert display.encode_answer(address=5, ok=False) == b"\x1505"
    assert display.FrameParser().feed(b"\x0605\x1512") == [
        display.Answer(address=5, ok=True),
        display.Answer(address=12, ok=False),
    ]


def test_parser_skips_noise_bad_checksums_and_cut_frames() -> None:
    good = bytes.fromhex(VECTORS[0][3])
    bad = good[:-2] + b"00"
    parser = display.FrameParser()
    found = parser.feed(b"noise" + bad + good[:6] + good + b"\xff" + good[:3])
    found += parser.feed(good[3:])
    assert found == [display.Frame(address=5, command="N", fields=("A1023", "5"))] * 2
    assert parser.rejected == 2  # the bad checksum, and the frame cut short by a new STX


def test_parser_gives_up_on_a_frame_without_etx() -> None:
    parser = display.FrameParser()
    assert parser.feed(b"\x0205T" + b"x" * 60 + b"\x0605") == [display.Answer(address=5, ok=True)]
    assert parser.rejected == 1


@pytest.mark.parametrize(
    "fields",
    [("Quầy 5",), ("a;b",), ("x" * 33,), ("A\x02",), ("A\x03",), ("tab\t",), ("A1023", "x" * 27)],
)
def test_payloads_that_cannot_travel_are_refused(fields: tuple[str, ...]) -> None:
    with pytest.raises(display.BadPayload):
        display.encode_frame(address=5, command="T", fields=fields)


def test_the_longest_payload_is_32_characters() -> None:
    assert len(display.encode_frame(address=5, command="T", fields=("x" * 32,))) == 1 + 2 + 1 + 32 + 1 + 2


@pytest.mark.parametrize("address", [-1, 100])
def test_addresses_outside_00_to_99_are_refused(address: int) -> None:
    with pytest.raises(display.BadConfig):
        display.encode_frame(address=address, command="P")


@pytest.mark.parametrize(
    ("text", "ascii"),
    [
        ("Quầy 5", "Quay 5"),
        ("ĐANG PHỤC VỤ", "DANG PHUC VU"),
        ("Mời công dân số A1023 đến quầy 5", "Moi cong dan so A1023 den quay 5"),
        ("Tạm nghỉ – quay lại lúc 13:30", "Tam nghi - quay lai luc 13:30"),
        (unicodedata.normalize("NFD", "Quầy 5"), "Quay 5"),  # as pasted from some systems
        ("Sở Tư pháp; Quầy\t2", "So Tu phap, Quay 2"),
        ("漢", "?"),
    ],
)
def test_text_is_folded_to_ascii_keeping_case(text: str, ascii: str) -> None:
    assert display.to_ascii(text) == ascii


# --- configuration --------------------------------------------------------------------------


def test_an_unknown_driver_is_a_clear_error() -> None:
    with pytest.raises(display.BadConfig, match=r"«ledmatrix».*modbus, qms") as caught:
        display.open_display("loop://", driver="ledmatrix", address=5)
    assert isinstance(caught.value, display.DeviceError)


@pytest.mark.parametrize(
    ("url", "target", "settings"),
    [
        ("/dev/ttyUSB0", "/dev/ttyUSB0", {}),
        ("/dev/ttyUSB0?baudrate=19200&parity=e", "/dev/ttyUSB0", {"baudrate": 19200, "parity": "E"}),
        ("serial://COM3?stopbits=2&rtscts=1", "COM3", {"stopbits": 2.0, "rtscts": True}),
        ("loop://?logging=debug&baudrate=9600", "loop://?logging=debug", {"baudrate": 9600}),
        ("socket://127.0.0.1:7000", "socket://127.0.0.1:7000", {}),
    ],
)
def test_port_urls_are_split_into_pyserial_url_and_settings(
    url: str, target: str, settings: dict[str, object]
) -> None:
    assert display.split_url(url) == (target, settings)


@pytest.mark.parametrize(
    "url", ["/dev/ttyUSB0?speed=9600", "/dev/ttyUSB0?baudrate=fast", "loop://?colour=red"]
)
def test_bad_port_urls_are_configuration_errors(url: str) -> None:
    with pytest.raises(display.BadConfig):
        display.open_display(url, address=5)


def test_a_missing_port_is_a_port_error_not_a_serial_exception(tmp_path: pathlib.Path) -> None:
    with pytest.raises(display.PortError, match="Không mở được cổng") as caught:
        display.open_display(str(tmp_path / "ttyUSB9"), address=5)
    assert not isinstance(caught.value, serial.SerialException)
    assert isinstance(caught.value.__cause__, serial.SerialException)


def test_one_bus_per_port_shared_by_its_displays() -> None:
    first = keypad.acquire("loop://")
    second = keypad.acquire("loop://")
    assert first is second
    with pytest.raises(display.BadConfig, match="cấu hình khác"):
        keypad.acquire("loop://?logging=debug")
    keypad.release(first)
    keypad.release(second)
    third = keypad.acquire("loop://")
    assert third is not first
    keypad.release(third)


# --- loop:// --------------------------------------------------------------------------------


def test_the_loop_echo_is_not_taken_for_an_ack() -> None:
    with display.open_display("loop://", address=5) as board:
        started = time.monotonic()
        with pytest.raises(display.NoAnswer, match="không phản hồi sau 3 lần"):
            board.show("A1023", 5)
        assert time.monotonic() - started >= 3 * keypad.ANSWER_TIMEOUT
        assert board.ping() is False


def test_a_broadcast_over_loop_does_not_wait() -> None:
    with display.open_display("loop://", address=0) as everyone:
        started = time.monotonic()
        everyone.clear()
        everyone.text("Tạm nghỉ")
        assert time.monotonic() - started < keypad.ANSWER_TIMEOUT


# --- a fake device on a socat pty pair -----------------------------------------------------------


@pytest.fixture
def host(pty_pair: tuple[str, str]) -> str:
    return pty_pair[0]


@pytest.fixture
def device(pty_pair: tuple[str, str]) -> collections.abc.Iterator[fakedevice.FakeDevice]:
    with fakedevice.FakeDevice(pty_pair[1], addresses=(5, 6)) as fake:
        yield fake


def received(device: fakedevice.FakeDevice, count: int) -> list[tuple[int, str, str]]:
    frames = [device.frames.get(timeout=2) for _ in range(count)]
    assert device.frames.empty()
    return frames


def test_every_command_reaches_the_device_and_is_acknowledged(
    host: str, device: fakedevice.FakeDevice
) -> None:
    with display.open_display(f"{host}?baudrate=9600", address=5) as board:
        board.show("A1023", 5)
        board.blink()
        board.text("Quầy 5 tạm nghỉ")
        assert board.ping() is True
        board.clear()
    assert received(device, 5) == [
        (5, "N", "A1023;5"),
        (5, "B", "3"),
        (5, "T", "Quay 5 tam nghi"),
        (5, "P", ""),
        (5, "C", ""),
    ]


def test_a_nak_is_retried(host: str, device: fakedevice.FakeDevice) -> None:
    device.queue_answers("NAK", "SILENT")
    with display.open_display(host, address=5) as board:
        board.show("B0007", 12)
    assert received(device, 3) == [(5, "N", "B0007;12")] * 3


def test_nak_forever_is_refused_after_three_attempts(host: str, device: fakedevice.FakeDevice) -> None:
    device.default = "NAK"
    with (
        display.open_display(host, address=5) as board,
        pytest.raises(display.Refused, match="từ chối lệnh sau 3"),
    ):
        board.show("A1023", 5)
    assert received(device, 3) == [(5, "N", "A1023;5")] * 3


def test_a_silent_device_is_reported_after_three_timeouts(host: str, device: fakedevice.FakeDevice) -> None:
    device.default = "SILENT"
    with display.open_display(host, address=5) as board:
        started = time.monotonic()
        with pytest.raises(display.NoAnswer) as caught:
            board.clear()
        elapsed = time.monotonic() - started
        assert board.ping() is False
    assert 3 * keypad.ANSWER_TIMEOUT <= elapsed < 3 * keypad.ANSWER_TIMEOUT + 1.0
    assert "Bảng hiển thị địa chỉ 05" in caught.value.message
    assert received(device, 6) == [(5, "C", "")] * 3 + [(5, "P", "")] * 3


def test_a_device_at_another_address_does_not_answer(host: str, device: fakedevice.FakeDevice) -> None:
    with display.open_display(host, address=9) as missing:
        assert missing.ping() is False
    assert device.frames.empty()


def test_a_broadcast_is_not_waited_for(host: str, device: fakedevice.FakeDevice) -> None:
    device.default = "SILENT"
    with display.open_display(host, address=0) as everyone:
        started = time.monotonic()
        everyone.text("Giờ nghỉ trưa")
        assert time.monotonic() - started < keypad.ANSWER_TIMEOUT
        with pytest.raises(display.BadConfig):
            everyone.ping()
    assert received(device, 1) == [(0, "T", "Gio nghi trua")]


def keys_into(sink: queue.Queue[tuple[str, int]]) -> display.KeyListener:
    def listener(key: str, address: int) -> None:
        sink.put((key, address))

    return listener


def test_a_key_press_is_acknowledged_and_delivered(host: str, device: fakedevice.FakeDevice) -> None:
    keys: queue.Queue[tuple[str, int]] = queue.Queue()
    with display.open_display(host, address=5) as board:
        board.on_key(keys_into(keys))
        device.send(fakedevice.frame(5, "K", "NEXT;1"))
        assert keys.get(timeout=2) == ("NEXT", 5)
        assert device.host_acks.get(timeout=2) == 5


def test_a_resent_key_is_delivered_once(host: str, device: fakedevice.FakeDevice) -> None:
    keys: queue.Queue[tuple[str, int]] = queue.Queue()
    with display.open_display(host, address=5) as board:
        board.on_key(keys_into(keys))
        for payload in ("NEXT;41", "NEXT;41", "RECALL;42", "RECALL;42", "NEXT;43"):
            device.send(fakedevice.frame(5, "K", payload))
        assert [keys.get(timeout=2) for _ in range(3)] == [("NEXT", 5), ("RECALL", 5), ("NEXT", 5)]
        assert [device.host_acks.get(timeout=2) for _ in range(5)] == [5] * 5  # resends are acknowledged too
        assert keys.empty()


def test_a_key_frame_with_a_bad_checksum_is_ignored(host: str, device: fakedevice.FakeDevice) -> None:
    keys: queue.Queue[tuple[str, int]] = queue.Queue()
    with display.open_display(host, address=5) as board:
        board.on_key(keys_into(keys))
        device.send(fakedevice.frame(5, "K", "NOSHOW;7", bad_checksum=True))
        device.send(fakedevice.frame(5, "K", "FINISH;8"))
        assert keys.get(timeout=2) == ("FINISH", 5)
        assert device.host_acks.get(timeout=2) == 5
        assert device.host_acks.empty()  # the bad frame came first: its ACK would be here already
        assert keys.empty()


def test_keys_go_to_the_display_at_their_address(host: str, device: fakedevice.FakeDevice) -> None:
    fives: queue.Queue[tuple[str, int]] = queue.Queue()
    sixes: queue.Queue[tuple[str, int]] = queue.Queue()
    with display.open_display(host, address=5) as five, display.open_display(host, address=6) as six:
        five.on_key(keys_into(fives))
        six.on_key(keys_into(sixes))
        device.send(fakedevice.frame(6, "K", "START;1") + fakedevice.frame(5, "K", "PAUSE;1"))
        assert sixes.get(timeout=2) == ("START", 6)
        assert fives.get(timeout=2) == ("PAUSE", 5)
        device.send(fakedevice.frame(5, "K", "BOGUS;2") + fakedevice.frame(5, "K", "7;3"))
        assert fives.get(timeout=2) == ("7", 5)  # an unknown key name is dropped
        assert fives.empty()
        assert sixes.empty()


def test_a_failing_listener_does_not_stop_the_bus(host: str, device: fakedevice.FakeDevice) -> None:
    keys: queue.Queue[tuple[str, int]] = queue.Queue()

    def broken(key: str, address: int) -> None:
        raise RuntimeError(key)

    with display.open_display(host, address=5) as board:
        board.on_key(broken)
        board.on_key(keys_into(keys))
        device.send(fakedevice.frame(5, "K", "NEXT;1"))
        device.send(fakedevice.frame(5, "K", "RECALL;2"))
        assert [keys.get(timeout=2) for _ in range(2)] == [("NEXT", 5), ("RECALL", 5)]
        board.show("A0001", 5)


WIRE_ITEM = re.compile(rb"\x02(\d\d)([A-Z])([\x20-\x7e]*?)\x03[0-9A-F]{2}|\x06\d\d")


def test_frames_from_two_threads_never_interleave(host: str, device: fakedevice.FakeDevice) -> None:
    failures: list[BaseException] = []
    count = 20

    def talk(board: display.Display, label: str) -> None:
        try:
            for i in range(count):
                board.text(f"{label} {i:02d} " + "x" * 20)
        except BaseException as error:
            failures.append(error)
            raise

    keys: queue.Queue[tuple[str, int]] = queue.Queue()
    with display.open_display(host, address=5) as five, display.open_display(host, address=6) as six:
        five.on_key(keys_into(keys))
        threads = [
            threading.Thread(target=talk, args=(b, name)) for b, name in ((five, "five"), (six, "six"))
        ]
        for thread in threads:
            thread.start()
        for seq in range(10):  # key presses meanwhile: the host's ACKs share the wire too
            device.send(fakedevice.frame(5, "K", f"NEXT;{seq}"))
            assert keys.get(timeout=2) == ("NEXT", 5)
        for thread in threads:
            thread.join(timeout=30)
    assert failures == []
    assert received(device, 2 * count)
    raw = bytes(device.raw)
    items = list(WIRE_ITEM.finditer(raw))
    assert b"".join(item.group(0) for item in items) == raw  # nothing but whole frames and ACKs
    texts = [item.group(3).decode() for item in items if item.group(2) == b"T"]
    assert [t for t in texts if t.startswith("five")] == [f"five {i:02d} " + "x" * 20 for i in range(count)]
    assert [t for t in texts if t.startswith("six")] == [f"six {i:02d} " + "x" * 20 for i in range(count)]
    assert raw.count(b"\x0605") == 10


# --- port failures, with fakes ----------------------------------------------------------------


class BrokenPort(fakedevice.ScriptedPort):
    def __init__(self, *, fail_read: bool) -> None:
        super().__init__(lambda _request: b"")
        self.fail_read = fail_read
        self.read_failed = threading.Event()

    def write(self, data: bytes, /) -> int:
        raise serial.SerialTimeoutException("Write timeout")

    def read(self, size: int = 1) -> bytes:
        if self.fail_read:
            self.read_failed.set()
            raise serial.SerialException("device reports readiness to read but returned no data")
        time.sleep(0.01)  # fixed wait is right: a real port blocks up to its timeout; do not spin
        return b""


def test_a_write_failure_is_a_port_error() -> None:
    bus = keypad.Bus(port=BrokenPort(fail_read=False), name="COM9")
    try:
        with pytest.raises(display.PortError, match="COM9") as caught:
            keypad.QmsDisplay(bus=bus, address=5).show("A1", 1)
        assert isinstance(caught.value.__cause__, serial.SerialTimeoutException)
    finally:
        bus.close()


def test_a_read_failure_fails_the_next_command_at_once() -> None:
    port = BrokenPort(fail_read=True)
    bus = keypad.Bus(port=port, name="COM9")
    try:
        assert port.read_failed.wait(timeout=2)
        started = time.monotonic()
        with pytest.raises(display.PortError, match="Mất kết nối"):
            bus.command(address=5, command="P")
        assert time.monotonic() - started < keypad.ANSWER_TIMEOUT
    finally:
        bus.close()
    assert port.closed


# --- the Modbus driver -------------------------------------------------------------------------


def modbus_board(
    respond: collections.abc.Callable[[bytes], bytes],
) -> tuple[modbus.ModbusDisplay, fakedevice.ScriptedPort]:
    port = fakedevice.ScriptedPort(respond)
    return modbus.ModbusDisplay(port=port, address=1), port


def echo_write_header(request: bytes) -> bytes:
    """A Modbus slave's answer to function 16: unit, function, start, count, CRC."""
    return modbus.request(unit=request[0], function=request[1], body=request[2:6])


@pytest.mark.parametrize(
    ("frame", "crc"),
    [("01 03 00 00 00 0A", "C5 CD"), ("01 06 00 01 00 03", "98 0B"), ("01 03 00 00 00 01", "84 0A")],
)
def test_modbus_crc_matches_published_frames(frame: str, crc: str) -> None:
    assert modbus.crc16(bytes.fromhex(frame)) == bytes.fromhex(crc)


def test_modbus_show_writes_one_register_per_digit() -> None:
    board, port = modbus_board(echo_write_header)
    board.show("A1023", 5)
    board.clear()
    assert port.written == [
        bytes.fromhex("01 10 0000 0007 0E 0041 0031 0030 0032 0033 0020 0035 80C9"),
        bytes.fromhex("01 10 0000 0007 0E 0020 0020 0020 0020 0020 0020 0020 E819"),
    ]


def test_modbus_ping_reads_a_register() -> None:
    board, port = modbus_board(lambda _request: bytes.fromhex("01 03 02 0041 7874"))
    assert board.ping() is True
    assert port.written == [bytes.fromhex("01 03 0000 0001 840A")]


def test_modbus_exception_answer_is_refused() -> None:
    board, port = modbus_board(lambda _request: modbus.request(unit=1, function=0x90, body=b"\x02"))
    with pytest.raises(display.Refused):
        board.show("A1", 5)
    assert len(port.written) == 3


def test_modbus_silence_is_no_answer() -> None:
    board, port = modbus_board(lambda _request: b"")
    with pytest.raises(display.NoAnswer):
        board.clear()
    assert len(port.written) == modbus.ATTEMPTS
    assert board.ping() is False


def test_modbus_refuses_what_does_not_fit_and_cannot_blink() -> None:
    board, port = modbus_board(echo_write_header)
    with pytest.raises(display.BadPayload):
        board.show("A10234", 5)
    with pytest.raises(display.Unsupported):
        board.blink()
    board.text("Tạm nghỉ")
    assert port.written[-1][7:-2] == b"".join(b"\x00" + c.encode() for c in "Tam ngh")
    board.close()
    assert port.closed


def test_modbus_over_loop_takes_the_echo_for_no_answer() -> None:
    # loop:// echoes the request, which is not a valid answer to function 16.
    board = display.open_display("loop://", driver="modbus", address=1)
    try:
        with pytest.raises(display.NoAnswer):
            board.show("A1023", 5)
    finally:
        board.close()


def test_closing_one_display_keeps_the_other_s_keys(host: str, device: fakedevice.FakeDevice) -> None:
    keys: queue.Queue[tuple[str, int]] = queue.Queue()
    with display.open_display(host, address=5) as keypad_part:
        keypad_part.on_key(keys_into(keys))
        with display.open_display(host, address=5) as display_part:
            display_part.on_key(print)
        device.send(fakedevice.frame(5, "K", "NEXT;1"))
        assert keys.get(timeout=2) == ("NEXT", 5)
        keypad_part.show("A0001", 5)  # the bus is still open


@pytest.mark.parametrize(("driver", "address"), [("qms", 100), ("qms", -1), ("modbus", 0), ("modbus", 248)])
def test_an_address_out_of_range_is_a_configuration_error(driver: str, address: int) -> None:
    with pytest.raises(display.BadConfig, match="ngoài khoảng"):
        display.open_display("loop://", driver=driver, address=address)
