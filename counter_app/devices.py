"""The counter's LED display and call keypad, driven off the GUI thread.

Usage (signals are listed on the class)::

    devices = CounterDevices(display_url="/dev/ttyUSB0", keypad_url="/dev/ttyUSB0",
                             display_address=5, keypad_address=5, counter_number=5, parent=app)
    devices.key_pressed.connect(on_keypad_key)
    devices.start()
    devices.show_call("A012")  # returns at once; the board follows on the worker
    devices.close()            # on quit, before the parent goes away

A board command can block for ~0.6 s (hardware.keypad retries), so every command runs on one
worker thread, in order. Display commands replace each other while they wait: a slow board gets
only the latest state, never a backlog of stale numbers. Key presses arrive on the bus reader
thread and cross to the GUI thread by a queued signal; TRANSFER + digits + ENTER is assembled
there, so that state belongs to one thread.
"""

from __future__ import annotations

import collections.abc
import contextlib
import logging
import threading

from PySide6 import QtCore

from hardware import display

_log = logging.getLogger(__name__)

ACTION_KEYS = frozenset({"NEXT", "RECALL", "NOSHOW", "START", "FINISH", "PAUSE", "RESUME"})
PAUSED_TEXT = "Tạm dừng"  # the drivers fold it to "Tam dung": boards have ASCII fonts only
_MAX_DIGITS = 3  # counter numbers are short; more digits means a stuck key, not a counter
_CLOSE_WAIT = 3.0  # seconds; above show + blink both failing (2 x 0.6 s) plus opening
_NOUNS = {"display": "Bảng LED quầy", "keypad": "Bàn phím gọi số"}
_PROBLEMS: tuple[tuple[type[display.DeviceError], str], ...] = (
    (display.NoAnswer, "không trả lời."),
    (display.Refused, "từ chối lệnh."),
    (display.PortError, "không dùng được cổng nối tiếp."),
    (display.BadConfig, "cấu hình sai."),
)

Command = collections.abc.Callable[[display.Display], None]


def describe(role: str, error: display.DeviceError) -> str:
    """A short Vietnamese fault line for the officer; the long one goes to the log."""
    problem = next((text for kind, text in _PROBLEMS if isinstance(error, kind)), "báo lỗi.")
    return f"{_NOUNS[role]} {problem}"


class CounterDevices(QtCore.QObject):
    """The display and keypad of one counter (either may be absent, or both one device).

    Signals:
        key_pressed(str): an action key, on the GUI thread: one of ``ACTION_KEYS``.
        transfer_requested(int): TRANSFER, digits, ENTER typed on the keypad: the counter number.
            CLEAR discards the digits; digits without TRANSFER are ignored; TRANSFER restarts.
        fault_changed(str): "" when every configured device works, else a short Vietnamese
            message; emitted only when it changes.
    """

    key_pressed = QtCore.Signal(str)
    transfer_requested = QtCore.Signal(int)
    fault_changed = QtCore.Signal(str)
    # Internal, emitted on the worker and bus reader threads; queued onto this object's thread.
    _reported = QtCore.Signal(str, str)  # role, fault message ("" = it works)
    _key_arrived = QtCore.Signal(str)

    def __init__(
        self,
        *,
        display_url: str | None,
        keypad_url: str | None,
        driver: str = "qms",
        display_address: int,
        keypad_address: int,
        counter_number: int,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._driver = driver
        self._counter = counter_number
        # role -> (url, address). One device at one address serves both roles: open it once.
        self._targets: dict[str, tuple[str, int]] = {}
        if display_url is not None:
            self._targets["display"] = (display_url, display_address)
        self._shared = (display_url, display_address) == (keypad_url, keypad_address)
        if keypad_url is not None and not self._shared:
            self._targets["keypad"] = (keypad_url, keypad_address)
        self._faults = dict.fromkeys(self._targets, "")  # GUI thread only
        self._fault = ""
        self._digits: str | None = None  # typed after TRANSFER; None outside a transfer
        self._devices: dict[str, display.Display] = {}  # worker thread only
        self._cond = threading.Condition()
        self._pending: Command | None = None  # the latest display command not yet sent
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._reported.connect(self._on_reported)
        self._key_arrived.connect(self._on_key_arrived)

    @property
    def fault(self) -> str:
        return self._fault

    def start(self) -> None:
        """Open the devices on the worker (a failure becomes ``fault_changed``)."""
        if not self._targets or self._thread is not None or self._stopping:
            return
        self._thread = threading.Thread(target=self._work, name="counter-devices", daemon=True)
        self._thread.start()

    def show_call(self, number: str) -> None:
        """Show ``number`` called to this counter and blink it (for a call and a recall)."""
        self._submit(lambda board: self._call(board, number))

    def show_paused(self) -> None:
        self._submit(lambda board: board.text(PAUSED_TEXT))

    def clear(self) -> None:
        self._submit(lambda board: board.clear())

    def close(self) -> None:
        """Stop the worker (waiting at most a few seconds); it closes the devices. Idempotent."""
        with self._cond:
            self._stopping = True
            self._pending = None
            self._cond.notify()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=_CLOSE_WAIT)
            if thread.is_alive():
                _log.warning("counter devices still busy after %.0f s; left to finish", _CLOSE_WAIT)

    def _submit(self, command: Command) -> None:
        if "display" not in self._targets:
            return
        with self._cond:
            if not self._stopping:
                self._pending = command  # replaces a stale one the worker has not reached yet
                self._cond.notify()

    # --- worker thread ---------------------------------------------------------------------

    def _work(self) -> None:
        try:
            self._open_missing()
            while (command := self._next_command()) is not None:
                self._run(command)
        finally:
            self._close_devices()

    def _close_devices(self) -> None:
        boards, self._devices = list(self._devices.values()), {}
        for board in boards:
            try:
                board.close()
            except Exception:  # closing the others matters more than this one's error
                _log.exception("closing counter device %s failed", board.address)

    def _next_command(self) -> Command | None:
        with self._cond:
            self._cond.wait_for(lambda: self._stopping or self._pending is not None)
            command, self._pending = self._pending, None
            return None if self._stopping else command

    def _open_missing(self) -> None:
        # Retried before every command, so a re-plugged adapter works again without a restart.
        for role, (url, address) in self._targets.items():
            if role not in self._devices:
                self._report(role, self._open(role, url, address))

    def _open(self, role: str, url: str, address: int) -> display.DeviceError | None:
        try:
            board = display.open_display(url, driver=self._driver, address=address)
        except display.DeviceError as error:
            return error
        self._devices[role] = board
        if role == "keypad" or self._shared:
            board.on_key(self._on_key)
        try:
            # A ping tells the officer at once that a board is off, not at the first call.
            return None if board.ping() else display.NoAnswer()
        except display.DeviceError as error:
            return error

    def _run(self, command: Command) -> None:
        self._open_missing()
        board = self._devices.get("display")
        if board is None:
            return  # the open failure is already reported
        try:
            command(board)
        except display.PortError as error:
            self._report("display", error)
            # A failed port (adapter unplugged) stays failed in its bus: drop every device
            # on it, so the next command opens the port afresh once it is back.
            self._close_devices()
        except display.DeviceError as error:
            self._report("display", error)
        except Exception:  # a driver bug must not kill the worker: later commands still go out
            _log.exception("counter display command failed")
            self._report("display", display.DeviceError())
        else:
            self._report("display", None)

    def _call(self, board: display.Display, number: str) -> None:
        board.show(number, self._counter)
        with contextlib.suppress(display.Unsupported):  # Modbus digit boards cannot blink
            board.blink()

    def _report(self, role: str, error: display.DeviceError | None) -> None:
        if error is not None:
            _log.warning("counter %s at %s: %s", role, self._targets[role][0], error)
        if not self._stopping:  # after close() the owner may be on its way out
            self._reported.emit(role, "" if error is None else describe(role, error))

    def _on_key(self, key: str, address: int) -> None:
        """Bus reader thread: hand the key over and return at once."""
        self._key_arrived.emit(key)

    # --- GUI thread ----------------------------------------------------------------------------

    @QtCore.Slot(str, str)
    def _on_reported(self, role: str, message: str) -> None:
        self._faults[role] = message
        fault = " ".join(text for text in self._faults.values() if text)
        if fault != self._fault:
            self._fault = fault
            self.fault_changed.emit(fault)

    @QtCore.Slot(str)
    def _on_key_arrived(self, key: str) -> None:
        if self._stopping:
            return
        if "keypad" in self._faults:
            self._on_reported("keypad", "")  # a key press proves the keypad works
        if key in ACTION_KEYS:
            self._digits = None  # an action key abandons a half-typed transfer
            self.key_pressed.emit(key)
        elif key == "TRANSFER":
            self._digits = ""
        elif self._digits is not None:
            self._on_transfer_key(key)

    def _on_transfer_key(self, key: str) -> None:
        assert self._digits is not None
        if key.isdigit():
            self._digits = (self._digits + key)[:_MAX_DIGITS]
        elif key == "CLEAR":
            self._digits = ""
        elif key == "ENTER":
            digits, self._digits = self._digits, None
            if digits and int(digits) > 0:
                self.transfer_requested.emit(int(digits))
