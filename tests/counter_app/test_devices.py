"""The counter's display and keypad driven off the GUI thread, against the fake qms device on a
socat pty pair: what reaches the board, which keys reach the app, and what the officer is told."""

from __future__ import annotations

import collections.abc
import pathlib
import shutil
import threading
import time

import pytest

from counter_app import devices as devices_mod
from tests.hardware import fakedevice

SILENT_BOARD = "Bảng LED quầy không trả lời."
WAIT_MS = 5000


@pytest.fixture
def host(pty_pair: tuple[str, str]) -> str:
    return pty_pair[0]


@pytest.fixture
def fake(pty_pair: tuple[str, str]) -> collections.abc.Iterator[fakedevice.FakeDevice]:
    with fakedevice.FakeDevice(pty_pair[1], addresses=(5, 7)) as device:
        yield device


def device_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "counter-devices" or t.name.startswith("qms-bus")]


@pytest.fixture
def make_devices(
    qtbot,
) -> collections.abc.Iterator[collections.abc.Callable[..., devices_mod.CounterDevices]]:
    """Builds CounterDevices (display at 7 on counter 5 unless told); closes them and fails a
    test that leaves a worker or bus reader thread behind."""
    made: list[devices_mod.CounterDevices] = []

    def make(**overrides: object) -> devices_mod.CounterDevices:
        values: dict[str, object] = {
            "display_url": None,
            "keypad_url": None,
            "display_address": 7,
            "keypad_address": 7,
            "counter_number": 5,
        }
        values.update(overrides)
        made.append(devices_mod.CounterDevices(**values))  # type: ignore[arg-type]
        return made[-1]

    yield make
    for devices in made:
        devices.close()
    assert device_threads() == []


def frames(fake: fakedevice.FakeDevice, count: int) -> list[tuple[int, str, str]]:
    return [fake.frames.get(timeout=WAIT_MS / 1000) for _ in range(count)]


def started(devices: devices_mod.CounterDevices, fake: fakedevice.FakeDevice, *addresses: int) -> None:
    """Start, and wait for the start-up ping of each device (the board answers it)."""
    devices.start()
    assert sorted(frames(fake, len(addresses))) == [(a, "P", "") for a in sorted(addresses)]


def press(fake: fakedevice.FakeDevice, address: int, *keys: str, first_seq: int = 1) -> None:
    for seq, key in enumerate(keys, start=first_seq):
        fake.send(fakedevice.frame(address, "K", f"{key};{seq}"))


def test_a_call_shows_number_and_counter_at_the_board_address_then_blinks(
    make_devices, host: str, fake: fakedevice.FakeDevice
) -> None:
    devices = make_devices(display_url=host)
    started(devices, fake, 7)
    devices.show_call("A012")
    assert frames(fake, 2) == [(7, "N", "A012;5"), (7, "B", "3")]
    devices.show_call("A012")  # a recall shows and blinks again
    assert frames(fake, 2) == [(7, "N", "A012;5"), (7, "B", "3")]
    assert devices.fault == ""


def test_clear_and_paused_reach_the_board(make_devices, host: str, fake: fakedevice.FakeDevice) -> None:
    devices = make_devices(display_url=host)
    started(devices, fake, 7)
    devices.show_paused()
    assert frames(fake, 1) == [(7, "T", "Tam dung")]  # diacritics folded for the ASCII font
    devices.clear()
    assert frames(fake, 1) == [(7, "C", "")]


def test_a_slow_board_gets_only_the_latest_state(
    make_devices, host: str, fake: fakedevice.FakeDevice
) -> None:
    fake.queue_answers("SILENT", "SILENT", "SILENT")  # the start-up ping takes 3 x 200 ms
    devices = make_devices(display_url=host)
    devices.start()
    devices.show_call("A001")
    devices.show_call("A002")
    devices.show_paused()
    assert frames(fake, 4) == [(7, "P", "")] * 3 + [(7, "T", "Tam dung")]


def test_keys_from_a_shared_device_reach_the_gui_thread_once(
    qtbot, make_devices, host: str, fake: fakedevice.FakeDevice
) -> None:
    devices = make_devices(display_url=host, keypad_url=host, display_address=5, keypad_address=5)
    started(devices, fake, 5)  # one device for both roles: opened and pinged once
    seen: list[tuple[str, bool]] = []
    devices.key_pressed.connect(
        lambda key: seen.append((key, threading.current_thread() is threading.main_thread()))
    )
    with qtbot.waitSignal(devices.key_pressed, timeout=WAIT_MS) as blocker:
        press(fake, 5, "NEXT")
    assert blocker.args == ["NEXT"]
    fake.send(fakedevice.frame(5, "K", "NEXT;1"))  # a resend of the same press
    press(fake, 5, "RECALL", "START", first_seq=2)

    def both_arrived() -> None:
        assert seen == [("NEXT", True), ("RECALL", True), ("START", True)]

    qtbot.waitUntil(both_arrived, timeout=WAIT_MS)
    assert fake.frames.empty()  # keys are acknowledged, not answered with display commands
    devices.show_call("A003")  # the shared device still shows numbers
    assert frames(fake, 2) == [(5, "N", "A003;5"), (5, "B", "3")]


@pytest.fixture
def keypad_only(
    make_devices, host: str, fake: fakedevice.FakeDevice
) -> tuple[devices_mod.CounterDevices, fakedevice.FakeDevice]:
    """A started keypad of its own at address 5, and no display."""
    devices = make_devices(keypad_url=host, keypad_address=5)
    started(devices, fake, 5)
    return devices, fake


@pytest.mark.parametrize(
    ("keys", "emitted"),
    [
        (["TRANSFER", "1", "2", "ENTER"], [("transfer", 12)]),
        (["TRANSFER", "1", "CLEAR", "3", "ENTER"], [("transfer", 3)]),
        (["4", "ENTER", "CLEAR"], []),
        (["TRANSFER", "5", "TRANSFER", "6", "ENTER", "ENTER"], [("transfer", 6)]),
        (["TRANSFER", "5", "NOSHOW", "ENTER"], [("key", "NOSHOW")]),
        (["TRANSFER", "ENTER", "TRANSFER", "0", "ENTER"], []),
        (["TRANSFER", "4", "2", "ENTER", "TRANSFER", "7", "ENTER"], [("transfer", 42), ("transfer", 7)]),
    ],
)
def test_transfer_is_typed_on_the_keypad(
    qtbot, keypad_only: tuple[devices_mod.CounterDevices, fakedevice.FakeDevice], keys: list[str], emitted
) -> None:
    devices, fake = keypad_only
    got: list[tuple[str, object]] = []
    devices.transfer_requested.connect(lambda counter: got.append(("transfer", counter)))
    devices.key_pressed.connect(lambda key: got.append(("key", key)))
    press(fake, 5, *keys, "FINISH")  # FINISH marks the end of the sequence

    def all_handled() -> None:
        assert got[-1:] == [("key", "FINISH")]

    qtbot.waitUntil(all_handled, timeout=WAIT_MS)
    assert got == [*emitted, ("key", "FINISH")]


def test_a_silent_board_is_reported_once_and_recovery_clears_it(
    qtbot, make_devices, host: str, fake: fakedevice.FakeDevice
) -> None:
    devices = make_devices(display_url=host)
    started(devices, fake, 7)
    faults: list[str] = []
    devices.fault_changed.connect(faults.append)
    fake.default = "SILENT"
    with qtbot.waitSignal(devices.fault_changed, timeout=WAIT_MS) as blocker:
        devices.show_call("A004")
    assert blocker.args == [SILENT_BOARD]
    assert devices.fault == SILENT_BOARD
    assert frames(fake, 3) == [(7, "N", "A004;5")] * 3  # no blink after a failed show
    devices.clear()
    assert frames(fake, 3) == [(7, "C", "")] * 3
    fake.default = "ACK"
    with qtbot.waitSignal(devices.fault_changed, timeout=WAIT_MS) as blocker:
        devices.show_call("A004")
    assert blocker.args == [""]
    assert faults == [SILENT_BOARD, ""]  # the second failure changed nothing, so no signal
    assert devices.fault == ""


def test_a_board_that_is_off_at_start_is_reported_at_start(
    qtbot, make_devices, host: str, fake: fakedevice.FakeDevice
) -> None:
    fake.default = "SILENT"
    devices = make_devices(display_url=host)
    with qtbot.waitSignal(devices.fault_changed, timeout=WAIT_MS) as blocker:
        devices.start()
    assert blocker.args == [SILENT_BOARD]


def test_a_port_that_cannot_open_is_a_fault_not_an_exception(qtbot, make_devices) -> None:
    devices = make_devices(display_url="/nonexistent/tty", keypad_url="/nonexistent/tty2")
    both = "Bảng LED quầy không dùng được cổng nối tiếp. Bàn phím gọi số không dùng được cổng nối tiếp."
    faults: list[str] = []
    devices.fault_changed.connect(faults.append)
    devices.start()

    def both_reported() -> None:
        assert devices.fault == both

    qtbot.waitUntil(both_reported, timeout=WAIT_MS)
    assert faults[-1] == both
    devices.show_call("A005")  # tries the port again, fails again: still no exception
    devices.clear()
    devices.close()
    assert devices.fault == both


def test_a_missing_keypad_does_not_stop_the_display(
    qtbot, make_devices, host: str, fake: fakedevice.FakeDevice
) -> None:
    devices = make_devices(display_url=host, keypad_url="/nonexistent/tty")
    with qtbot.waitSignal(devices.fault_changed, timeout=WAIT_MS) as blocker:
        devices.start()
    assert blocker.args == ["Bàn phím gọi số không dùng được cổng nối tiếp."]
    assert frames(fake, 1) == [(7, "P", "")]
    devices.show_call("A006")
    assert frames(fake, 2) == [(7, "N", "A006;5"), (7, "B", "3")]


def test_an_unknown_driver_is_a_fault(qtbot, make_devices, host: str) -> None:
    devices = make_devices(display_url=host, driver="acme")
    with qtbot.waitSignal(devices.fault_changed, timeout=WAIT_MS) as blocker:
        devices.start()
    assert blocker.args == ["Bảng LED quầy cấu hình sai."]


def test_close_is_idempotent_and_stops_every_thread(
    make_devices, host: str, fake: fakedevice.FakeDevice
) -> None:
    devices = make_devices(display_url=host, keypad_url=host, keypad_address=5)
    started(devices, fake, 5, 7)
    assert len(device_threads()) == 2  # the worker and the one shared bus reader
    fake.default = "SILENT"
    devices.show_call("A007")
    assert frames(fake, 1) == [(7, "N", "A007;5")]
    began = time.monotonic()
    devices.close()  # waits for the command in flight, which is bounded by the retries
    devices.close()
    assert time.monotonic() - began < devices_mod._CLOSE_WAIT
    assert device_threads() == []
    devices.show_call("A008")  # ignored once closed
    devices.start()
    assert device_threads() == []


def test_without_devices_nothing_runs(qtbot, make_devices) -> None:
    devices = make_devices()
    devices.start()
    devices.show_call("A009")
    devices.show_paused()
    devices.clear()
    assert device_threads() == []
    assert devices.fault == ""
    devices.close()


def test_an_unplugged_adapter_is_reported_and_works_again_when_back(
    qtbot, make_devices, tmp_path: pathlib.Path
) -> None:
    if shutil.which("socat") is None:
        pytest.skip(reason="socat is not on PATH (apt-get install socat; ./dev.sh setup does it)")
    with fakedevice.socat_pair(tmp_path) as (host, device_end), fakedevice.FakeDevice(device_end) as fake:
        devices = make_devices(display_url=host, display_address=5)
        started(devices, fake, 5)
    # socat is gone, like an unplugged USB adapter: the port fails.
    with qtbot.waitSignal(devices.fault_changed, timeout=WAIT_MS) as blocker:
        devices.show_call("A010")
    assert blocker.args == ["Bảng LED quầy không dùng được cổng nối tiếp."]
    with fakedevice.socat_pair(tmp_path) as (again, device_end), fakedevice.FakeDevice(device_end) as fake:
        assert again == host
        with qtbot.waitSignal(devices.fault_changed, timeout=WAIT_MS) as blocker:
            devices.show_call("A011")
        assert blocker.args == [""]
        assert frames(fake, 3) == [(5, "P", ""), (5, "N", "A011;5"), (5, "B", "3")]
        devices.close()  # while the pty is still there
