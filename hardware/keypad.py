"""The "qms" driver: counter displays and call keypads sharing one RS-485 bus per serial port.

The protocol is docs/counter-display-protocol.md; frames are encoded and parsed by
``hardware.display``. This module owns the line: a ``Bus`` per serial port, shared by every
display and keypad opened on that port (RS-485 is multidrop; two port objects on one device
would steal each other's bytes), with

- an exchange lock: one command waits for its answer before the next is sent, so answers
  cannot be confused and devices never talk over each other;
- a write lock: every frame (and every ACK we send for a key) goes out in one piece, so
  frames never interleave on the wire, also while a command waits for its answer;
- a reader thread that routes what arrives: ACK/NAK to the waiting command, K frames (key
  presses) to key listeners after acknowledging and de-duplicating them.

Key listeners run on the reader thread: they must return quickly and must not touch Qt
widgets (emit a queued signal instead).
"""

from __future__ import annotations

import logging
import queue
import threading
import time

from hardware import display

ANSWER_TIMEOUT = 0.2
ATTEMPTS = 3  # the first try and two retries
# A device resends a key whose ACK it missed within about a second; the same seq from the
# same device later than this is a new press (the device restarted and reused the number).
DEDUPLICATE_SECONDS = 10.0
KEYS = frozenset(
    {"NEXT", "RECALL", "NOSHOW", "START", "FINISH", "TRANSFER", "PAUSE", "RESUME", "ENTER", "CLEAR"}
    | {str(digit) for digit in range(10)}
)
_READ_TIMEOUT = 0.05  # how long the reader blocks before it looks at the close flag

_log = logging.getLogger(__name__)
_shared: dict[str, Bus] = {}
_shared_lock = threading.Lock()


def connect(url: str, *, address: int) -> QmsDisplay:
    """The ``qms`` driver for ``display.open_display``: the device at ``address`` on ``url``."""
    if not 0 <= address <= display.MAX_ADDRESS:
        raise display.BadConfig(f"Địa chỉ bảng hiển thị {address} ngoài khoảng 0..{display.MAX_ADDRESS}.")
    return QmsDisplay(bus=acquire(url), address=address)


def acquire(url: str) -> Bus:
    """The bus on ``url``'s port, opened on first use; pair every call with ``release``."""
    port_name = url.removeprefix("serial://").partition("?")[0]
    with _shared_lock:
        bus = _shared.get(port_name)
        if bus is None:
            bus = Bus(port=display.open_port(url, timeout=_READ_TIMEOUT), name=port_name)
            bus.url = url
            _shared[port_name] = bus
        elif bus.url != url:
            raise display.BadConfig(f"Cổng «{port_name}» đã mở với cấu hình khác: «{bus.url}».")
        bus.users += 1
        return bus


def release(bus: Bus) -> None:
    """Drop one user of ``bus``; the last one closes it."""
    with _shared_lock:
        bus.users -= 1
        if bus.users > 0:
            return
        if _shared.get(bus.name) is bus:
            del _shared[bus.name]
    bus.close()


class Bus:
    """One serial port and the devices on it. ``command`` sends and waits for the answer."""

    def __init__(
        self,
        *,
        port: display.Port,
        name: str = "",
        answer_timeout: float = ANSWER_TIMEOUT,
        attempts: int = ATTEMPTS,
    ) -> None:
        self.name = name
        self.url = ""
        self.users = 0
        self._port = port
        self._answer_timeout = answer_timeout
        self._attempts = attempts
        self._exchange_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._answers: queue.Queue[display.Answer | None] = queue.Queue()
        self._listeners: list[tuple[int | None, display.KeyListener]] = []
        self._last_seq: dict[int, tuple[str, float]] = {}
        self._failure: display.PortError | None = None
        self._closed = threading.Event()
        self._reader = threading.Thread(target=self._read_loop, name=f"qms-bus {name}", daemon=True)
        self._reader.start()

    def command(self, *, address: int, command: str, fields: tuple[str, ...] = ()) -> None:
        """Send a command; wait for ACK unless ``address`` is the broadcast address.

        Raises ``Refused`` when every attempt got NAK, ``NoAnswer`` when an attempt got no
        answer in time, ``PortError`` when the port failed, ``BadPayload`` for bad fields.
        """
        frame = display.encode_frame(address=address, command=command, fields=fields)
        with self._exchange_lock:
            if address == display.BROADCAST:
                self._write(frame)  # broadcasts are never answered: nothing to wait for
                return
            self._exchange(frame, address=address)

    def add_listener(self, listener: display.KeyListener, *, address: int | None = None) -> None:
        """Call ``listener(key, address)`` for key presses from ``address`` (None: any)."""
        self._listeners.append((address, listener))

    def remove_listener(self, listener: display.KeyListener, *, address: int | None = None) -> None:
        # Rebinding (not mutating) keeps the reader's iteration over the old list safe.
        self._listeners = [item for item in self._listeners if item != (address, listener)]

    def close(self) -> None:
        """Stop the reader, then close the port (in that order: no read on a closed port)."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._reader.join()
        self._port.close()

    def _exchange(self, frame: bytes, *, address: int) -> None:
        refused = False
        for attempt in range(1, self._attempts + 1):
            self._drain_answers()
            self._write(frame)
            answer = self._wait_answer(address)
            if answer is not None and answer.ok:
                return
            refused = answer is not None
            _log.info("device %02d: %s on attempt %d", address, "NAK" if refused else "no answer", attempt)
        if refused:
            raise display.Refused(
                f"Bảng hiển thị địa chỉ {address:02d} từ chối lệnh sau {self._attempts} lần gửi."
            )
        raise display.NoAnswer(
            f"Bảng hiển thị địa chỉ {address:02d} không phản hồi sau {self._attempts} lần gửi. "
            "Kiểm tra nguồn, dây nối và địa chỉ của bảng."
        )

    def _wait_answer(self, address: int) -> display.Answer | None:
        deadline = time.monotonic() + self._answer_timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                answer = self._answers.get(timeout=left)
            except queue.Empty:
                return None
            if answer is None:  # the reader stopped because the port failed
                raise self._failure or display.PortError()
            if answer.address == address:
                return answer
        return None

    def _drain_answers(self) -> None:
        # A late answer to an earlier attempt must not be taken for this attempt's answer.
        while True:
            try:
                self._answers.get_nowait()
            except queue.Empty:
                return

    def _write(self, data: bytes) -> None:
        if self._failure is not None:
            raise self._failure
        with self._write_lock:
            try:
                self._port.write(data)
            except OSError as error:  # SerialException and SerialTimeoutException are OSErrors
                raise display.PortError(
                    f"Không ghi được ra cổng «{self.name}».", detail=str(error)
                ) from error

    def _read_loop(self) -> None:
        parser = display.FrameParser()
        while not self._closed.is_set():
            try:
                data = self._port.read(max(1, self._port.in_waiting))
            except OSError as error:
                self._failure = display.PortError(f"Mất kết nối cổng «{self.name}».", detail=str(error))
                self._answers.put(None)
                _log.error("qms bus %s stopped reading: %s", self.name, error)
                return
            for item in parser.feed(data):
                if isinstance(item, display.Answer):
                    self._answers.put(item)
                elif item.command == "K":
                    self._on_key_frame(item)
                # Other frames are our own, echoed by loop:// or an echoing adapter: ignored.

    def _on_key_frame(self, frame: display.Frame) -> None:
        if frame.address == display.BROADCAST or len(frame.fields) != 2:
            _log.warning("ignored malformed key frame %r", frame)
            return
        key, seq = frame.fields
        try:
            self._write(display.encode_answer(address=frame.address, ok=True))
        except display.PortError:
            _log.exception("could not acknowledge key %s from %02d", key, frame.address)
        if self._is_resend(frame.address, seq):
            return
        if key not in KEYS:
            _log.warning("ignored unknown key %r from %02d", key, frame.address)
            return
        for address, listener in list(self._listeners):
            if address in (None, frame.address):
                self._notify(listener, key, frame.address)

    def _is_resend(self, address: int, seq: str) -> bool:
        now = time.monotonic()
        last = self._last_seq.get(address)
        self._last_seq[address] = (seq, now)
        return last is not None and last[0] == seq and now - last[1] < DEDUPLICATE_SECONDS

    @staticmethod
    def _notify(listener: display.KeyListener, key: str, address: int) -> None:
        try:
            listener(key, address)
        except Exception:  # a listener's bug must not stop the bus: log it and go on
            _log.exception("key listener failed for %s from %02d", key, address)


class QmsDisplay:
    """A display (and its keypad, if any) at one address on a shared ``Bus``."""

    def __init__(self, *, bus: Bus, address: int) -> None:
        self.address = address
        self._bus = bus
        self._listeners: list[display.KeyListener] = []
        self._closed = False

    def show(self, ticket: str, counter: int) -> None:
        """Show ``ticket`` called to ``counter`` (command N)."""
        if counter < 0:
            raise display.BadPayload(f"Số quầy {counter} không hợp lệ.")
        self._bus.command(address=self.address, command="N", fields=(ticket, str(counter)))

    def blink(self, times: int = 3) -> None:
        """Blink the shown number ``times`` times (1..99; command B)."""
        if not 1 <= times <= 99:
            raise display.BadPayload(f"Số lần nhấp nháy {times} ngoài khoảng 1..99.")
        self._bus.command(address=self.address, command="B", fields=(str(times),))

    def clear(self) -> None:
        self._bus.command(address=self.address, command="C")

    def text(self, message: str) -> None:
        """Show ``message``, folded to ASCII without diacritics (command T)."""
        self._bus.command(address=self.address, command="T", fields=(display.to_ascii(message),))

    def ping(self) -> bool:
        """True when the device acknowledges a ping (command P); False when it does not."""
        if self.address == display.BROADCAST:
            raise display.BadConfig("Không thể kiểm tra kết nối bằng địa chỉ quảng bá 00.")
        try:
            self._bus.command(address=self.address, command="P")
        except (display.NoAnswer, display.Refused):
            return False
        return True

    def on_key(self, listener: display.KeyListener) -> None:
        """Call ``listener(key, address)`` on the reader thread for each key press here."""
        self._bus.add_listener(listener, address=self.address)
        self._listeners.append(listener)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for listener in self._listeners:
            self._bus.remove_listener(listener, address=self.address)
        release(self._bus)

    def __enter__(self) -> QmsDisplay:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
