"""The "modbus" driver: LED digit boards that speak Modbus RTU, one holding register per digit.

Register layout (the common one for such boards; change ``first_register`` and the digit
counts per board): the ticket right-aligned in ``ticket_digits`` registers, then the counter
right-aligned in ``counter_digits`` registers; each register holds the ASCII code of its
character (blank = 0x20). ``show`` and ``clear`` write all of them in one "write multiple
registers" (function 16) request, so the board never shows half an update. ``ping`` reads one
register (function 03). These boards have no keys and cannot blink.
"""

from __future__ import annotations

from hardware import display

WRITE_REGISTERS = 0x10
READ_REGISTERS = 0x03
ANSWER_TIMEOUT = 0.2
ATTEMPTS = 3


def crc16(data: bytes) -> bytes:
    """Modbus CRC-16 (reflected polynomial 0xA001, start 0xFFFF), low byte first."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc.to_bytes(2, "little")


def request(*, unit: int, function: int, body: bytes) -> bytes:
    """Unit address, function code, body, CRC."""
    frame = bytes([unit, function]) + body
    return frame + crc16(frame)


def write_registers(*, unit: int, first: int, values: list[int]) -> bytes:
    """Function 16: start register, register count, byte count, then 16-bit big-endian values."""
    body = first.to_bytes(2, "big") + len(values).to_bytes(2, "big") + bytes([2 * len(values)])
    return request(
        unit=unit, function=WRITE_REGISTERS, body=body + b"".join(v.to_bytes(2, "big") for v in values)
    )


def connect(url: str, *, address: int) -> ModbusDisplay:
    """The ``modbus`` driver for ``display.open_display``: the board with unit ``address``."""
    if not 1 <= address <= 247:
        raise display.BadConfig(f"Địa chỉ Modbus {address} ngoài khoảng 1..247.")
    return ModbusDisplay(port=display.open_port(url, timeout=ANSWER_TIMEOUT), address=address)


class ModbusDisplay:
    """A Modbus RTU digit board; the port is its own (one master per RS-485 line)."""

    def __init__(
        self,
        *,
        port: display.Port,
        address: int,
        first_register: int = 0,
        ticket_digits: int = 5,
        counter_digits: int = 2,
    ) -> None:
        self.address = address
        self._port = port
        self._first = first_register
        self._widths = (ticket_digits, counter_digits)

    def show(self, ticket: str, counter: int) -> None:
        ticket_width, counter_width = self._widths
        number = str(counter)
        if len(display.check_field(ticket)) > ticket_width or len(number) > counter_width or counter < 0:
            raise display.BadPayload(f"«{ticket}» / quầy {counter} không vừa số chữ số của bảng.")
        self._write(ticket.rjust(ticket_width) + number.rjust(counter_width))

    def clear(self) -> None:
        self._write(" " * sum(self._widths))

    def text(self, message: str) -> None:
        """Show the first characters of ``message`` (ASCII-folded) that fit on the board."""
        self._write(display.to_ascii(message)[: sum(self._widths)].ljust(sum(self._widths)))

    def blink(self, times: int = 3) -> None:
        raise display.Unsupported("Bảng số Modbus không hỗ trợ nhấp nháy.")

    def ping(self) -> bool:
        ask = request(
            unit=self.address, function=READ_REGISTERS, body=self._first.to_bytes(2, "big") + b"\x00\x01"
        )
        try:
            self._exchange(ask, answer_length=7)
        except (display.NoAnswer, display.Refused):
            return False
        return True

    def on_key(self, listener: display.KeyListener) -> None:
        """Digit boards have no keys: ``listener`` is never called."""

    def close(self) -> None:
        self._port.close()

    def __enter__(self) -> ModbusDisplay:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, cells: str) -> None:
        self._exchange(
            write_registers(unit=self.address, first=self._first, values=[ord(c) for c in cells]),
            answer_length=8,
        )

    def _exchange(self, ask: bytes, *, answer_length: int) -> None:
        refused = False
        for _ in range(ATTEMPTS):
            try:
                self._port.reset_input_buffer()  # a late answer to an earlier attempt is stale
                self._port.write(ask)
                answer = self._port.read(answer_length)
            except OSError as error:  # SerialException is an OSError
                raise display.PortError("Lỗi cổng nối tiếp của bảng số Modbus.", detail=str(error)) from error
            if _valid(answer[:5]) and answer[1] == ask[1] | 0x80:
                refused = True  # an exception response: the board understood and said no
            elif _valid(answer) and len(answer) == answer_length and answer[:2] == ask[:2]:
                return
        if refused:
            raise display.Refused(f"Bảng số Modbus địa chỉ {self.address} từ chối lệnh.")
        raise display.NoAnswer(
            f"Bảng số Modbus địa chỉ {self.address} không phản hồi sau {ATTEMPTS} lần gửi."
        )


def _valid(frame: bytes) -> bool:
    return len(frame) >= 4 and crc16(frame[:-2]) == frame[-2:]
