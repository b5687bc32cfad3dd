"""Printer connections chosen by one URL, each behind the small ``Transport`` protocol.

``parse_url`` turns the configured URL into a ``PrinterConfig``; ``open_transport`` opens
the connection it names. Every write and read has a timeout: ``timeout`` (default 3 s)
bounds each write chunk — it means "no progress for that long", so a long job on a slow
serial line is fine while a stalled printer is not — and ``status_timeout`` (default 0.5 s)
bounds each status read. Every failure is translated into an ``errors.PrinterError``.

URL forms (query parameters ``width``, ``timeout``, ``status_timeout``, ``qr``, ``layout``,
``status`` work on all of them)::

    tcp://192.168.1.50[:9100]               raw TCP (JetDirect port 9100)
    serial:///dev/ttyUSB0?baudrate=38400&rtscts=1   serial://COM3 on Windows
    socket://HOST:PORT  loop://  spy://...  rfc2217://HOST:PORT     pyserial URL handlers
    usb://04b8:0202[?interface=0&out_ep=0x01&in_ep=0x82]            pyusb (optional)
    file:///dev/usb/lp0                     write-only device or spool file (must exist)
    win32://Printer Name                    Windows spooler, raw (pywin32, Windows only)
    cups://Queue                            ``lp -d Queue -o raw`` (write-only)
    preview://FOLDER                        each job saved as a PNG (demos, no printer)
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import errno
import importlib
import itertools
import math
import os
import pathlib
import select
import shutil
import socket
import subprocess
import sys
import types
import typing
import urllib.parse

from hardware import errors

WIDTHS = (384, 512, 576)
DEFAULT_PORT = 9100
_SERIAL_URL_SCHEMES = frozenset({"socket", "loop", "spy", "rfc2217"})
_COMMON = frozenset({"width", "timeout", "status_timeout", "qr", "layout", "status"})
_OPTIONS: dict[str, frozenset[str]] = {
    "tcp": frozenset(),
    "serial": frozenset({"baudrate", "bytesize", "parity", "stopbits", "rtscts", "xonxoff", "dsrdtr"}),
    "usb": frozenset({"interface", "in_ep", "out_ep"}),
    "file": frozenset(),
    "win32": frozenset(),
    "cups": frozenset(),
    "preview": frozenset(),
    # pyserial's URL handlers take these; checked here because pyserial's own complaint
    # comes back as a failure to open (it would read as "printer offline").
    "socket": frozenset({"logging"}),
    "loop": frozenset({"logging"}),
    "rfc2217": frozenset({"logging", "ign_set_control", "poll_modem"}),
    "spy": frozenset({"file", "color", "raw", "all"}),
}
_CHOICES = {"qr": ("image", "native"), "layout": ("normal", "light"), "status": ("on", "off")}
_TCP_CHUNK = 16384
# 512 bytes take 0.53 s at 9600 baud: well inside the write timeout even at slow rates.
_SERIAL_CHUNK = 512
_preview_counter = itertools.count(1)


class Transport(typing.Protocol):
    """An open connection to one printer."""

    @property
    def supports_status(self) -> bool:
        """False for write-only connections (file, CUPS, spooler, preview)."""
        ...

    def write(self, data: bytes) -> None:
        """Send all of ``data`` or raise ``errors.PrinterError`` (NoReply on timeout)."""
        ...

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes; b"" when nothing came within the status timeout."""
        ...

    def close(self) -> None:
        """Release the connection; never raises."""
        ...


@dataclasses.dataclass(frozen=True, kw_only=True)
class PrinterConfig:
    url: str
    scheme: str
    target: str
    width: int = 576
    timeout: float = 3.0
    status_timeout: float = 0.5
    qr: str = "image"
    layout: str = "normal"
    status: bool = True
    options: tuple[tuple[str, str], ...] = ()

    @property
    def light(self) -> bool:
        return self.layout == "light"

    @property
    def qr_native(self) -> bool:
        return self.qr == "native"

    @property
    def device_key(self) -> tuple[str, str]:
        """Same for every URL naming the same device, whatever its parameters."""
        return (self.scheme, self.target)

    def option(self, name: str, default: str | None = None) -> str | None:
        return dict(self.options).get(name, default)


def parse_url(url: str) -> PrinterConfig:
    """Parse a printer URL; raise ``errors.BadPrinterUrl`` naming what is wrong."""
    url = url.strip()
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _OPTIONS:
        known = ", ".join(sorted(_OPTIONS))
        raise errors.BadPrinterUrl(url=url, reason=f"kiểu kết nối «{scheme}» không hỗ trợ (dùng: {known})")
    params = _query_params(url, parts.query)
    common = {k: v for k, v in params.items() if k in _COMMON}
    options = {k: v for k, v in params.items() if k not in _COMMON}
    unknown = sorted(set(options) - _OPTIONS[scheme])
    if unknown:
        raise errors.BadPrinterUrl(url=url, reason=f"tham số không hỗ trợ: {', '.join(unknown)}")
    target = _target(url, scheme, parts)
    return PrinterConfig(
        url=url,
        scheme=scheme,
        target=target,
        width=_width(url, common.get("width", "576")),
        timeout=_seconds(url, "timeout", common.get("timeout", "3")),
        status_timeout=_seconds(url, "status_timeout", common.get("status_timeout", "0.5")),
        qr=_choice(url, "qr", common.get("qr")),
        layout=_choice(url, "layout", common.get("layout")),
        status=_choice(url, "status", common.get("status")) == "on",
        options=tuple(options.items()),
    )


def _query_params(url: str, query: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for name, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        if name in params:
            raise errors.BadPrinterUrl(url=url, reason=f"tham số «{name}» lặp lại")
        params[name] = value
    return params


def _target(url: str, scheme: str, parts: urllib.parse.SplitResult) -> str:
    if scheme in _SERIAL_URL_SCHEMES:
        return parts.netloc + parts.path  # handed to pyserial as written
    target = urllib.parse.unquote(parts.netloc + parts.path)
    if not target:
        raise errors.BadPrinterUrl(url=url, reason="thiếu địa chỉ, thiết bị hoặc tên máy in")
    if scheme == "tcp":
        _tcp_address(url, target)
    elif scheme == "usb":
        _usb_ids(url, target)
    elif scheme == "cups" and (target.startswith("-") or "/" in target):
        raise errors.BadPrinterUrl(url=url, reason="tên hàng đợi CUPS không hợp lệ")
    return target


def _width(url: str, value: str) -> int:
    if value not in {str(w) for w in WIDTHS}:
        allowed = ", ".join(map(str, WIDTHS))
        raise errors.BadPrinterUrl(url=url, reason=f"width phải là một trong {allowed} điểm ảnh")
    return int(value)


def _seconds(url: str, name: str, value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and 0 < seconds <= 600):
        raise errors.BadPrinterUrl(url=url, reason=f"{name} phải là số giây lớn hơn 0, tối đa 600")
    return seconds


def _choice(url: str, name: str, value: str | None) -> str:
    choices = _CHOICES[name]
    if value is None:
        return choices[0]
    if value not in choices:
        raise errors.BadPrinterUrl(url=url, reason=f"{name} phải là {' hoặc '.join(choices)}")
    return value


def _tcp_address(url: str, target: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit("//" + target)
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise errors.BadPrinterUrl(url=url, reason="cổng TCP không hợp lệ") from None
    if not parts.hostname or parts.path:
        raise errors.BadPrinterUrl(url=url, reason="cần dạng tcp://MÁY:CỔNG")
    return parts.hostname, port


def _usb_ids(url: str, target: str) -> tuple[int, int]:
    try:
        vendor, product = (int(part, 16) for part in target.split(":"))
    except ValueError:
        reason = "cần dạng usb://VID:PID (số hex, ví dụ 04b8:0202)"
        raise errors.BadPrinterUrl(url=url, reason=reason) from None
    return vendor, product


def open_transport(config: PrinterConfig) -> Transport:
    """Open the connection ``config`` names; raise ``errors.PrinterError`` if it can't."""
    if config.scheme in _SERIAL_URL_SCHEMES or config.scheme == "serial":
        return SerialTransport.open(config)
    openers: dict[str, typing.Callable[[PrinterConfig], Transport]] = {
        "tcp": TcpTransport.open,
        "usb": UsbTransport.open,
        "file": FileTransport.open,
        "win32": Win32Transport.open,
        "cups": CupsTransport.open,
        "preview": PreviewTransport.open,
    }
    return openers[config.scheme](config)


class TcpTransport:
    """Raw TCP (port 9100). Refused/unreachable/connect timeout → Offline; I/O timeout → NoReply."""

    supports_status = True

    def __init__(self, sock: socket.socket, config: PrinterConfig) -> None:
        self._sock = sock
        self._config = config

    @classmethod
    def open(cls, config: PrinterConfig) -> TcpTransport:
        host, port = _tcp_address(config.url, config.target)
        try:
            sock = socket.create_connection((host, port), timeout=config.timeout)
        except socket.gaierror as exc:
            raise errors.NotFound(f"Không tìm thấy máy in «{host}» trên mạng.", detail=str(exc)) from exc
        except OSError as exc:  # refused, unreachable, or no answer at all (connect timeout)
            raise errors.Offline(detail=f"{host}:{port}: {exc}") from exc
        return cls(sock, config)

    def write(self, data: bytes) -> None:
        self._sock.settimeout(self._config.timeout)
        try:
            for start in range(0, len(data), _TCP_CHUNK):
                self._sock.sendall(data[start : start + _TCP_CHUNK])
        except TimeoutError as exc:
            raise errors.NoReply(detail=f"write timed out after {self._config.timeout} s") from exc
        except OSError as exc:
            raise errors.Offline(detail=str(exc)) from exc

    def read(self, size: int) -> bytes:
        self._sock.settimeout(self._config.status_timeout)
        try:
            data = self._sock.recv(size)
        except TimeoutError:
            return b""
        except OSError as exc:
            raise errors.Offline(detail=str(exc)) from exc
        if not data:
            raise errors.Offline(detail="the printer closed the connection")
        return data

    def close(self) -> None:
        # Unread bytes at close make Linux send RST, which throws away job data still queued
        # for sending: read what is pending, then half-close so the tail is delivered.
        with contextlib.suppress(OSError):
            self._sock.setblocking(False)
            while self._sock.recv(4096):
                pass
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_WR)
        self._sock.close()


class SerialTransport:
    """pyserial: ``serial://DEVICE?baudrate=…`` and pyserial's own URL handlers.

    pyserial's ``Serial`` sets no write timeout by default (a write can block forever under
    flow control), and its ``write_timeout`` bounds a whole ``write()`` call: we set both
    timeouts and write in chunks so each chunk gets the full timeout.
    """

    supports_status = True

    def __init__(self, port: typing.Any) -> None:
        self._port = port

    @classmethod
    def open(cls, config: PrinterConfig) -> SerialTransport:
        import serial  # deferred: only serial printers need pyserial loaded

        name, settings = _serial_port(config)
        timeouts = {"timeout": config.status_timeout, "write_timeout": config.timeout}
        try:
            port = serial.serial_for_url(name, do_not_open=True, **timeouts, **settings)
            port.open()
        except ValueError as exc:
            raise errors.BadPrinterUrl(url=config.url, reason=str(exc)) from exc
        except serial.SerialException as exc:
            raise _serial_open_error(config, exc) from exc
        return cls(port)

    def write(self, data: bytes) -> None:
        import serial

        try:
            for start in range(0, len(data), _SERIAL_CHUNK):
                self._port.write(data[start : start + _SERIAL_CHUNK])
        except serial.SerialTimeoutException as exc:
            raise errors.NoReply(detail=f"serial write timed out: {exc}") from exc
        except (serial.SerialException, OSError) as exc:
            raise errors.Offline(detail=str(exc)) from exc

    def read(self, size: int) -> bytes:
        import serial

        try:
            return bytes(self._port.read(size))
        except (serial.SerialException, OSError) as exc:
            raise errors.Offline(detail=str(exc)) from exc

    def close(self) -> None:
        # Drop pending replies first (see TcpTransport.close); never raise from close.
        with contextlib.suppress(Exception):
            self._port.reset_input_buffer()
        # WORKAROUND for pyserial 3.5 protocol_socket: close() skips socket.close() when
        # shutdown() fails (peer already gone), leaking the socket; close it ourselves.
        sock = getattr(self._port, "_socket", None)
        with contextlib.suppress(Exception):
            self._port.close()
        if isinstance(sock, socket.socket):
            sock.close()


def _serial_port(config: PrinterConfig) -> tuple[str, dict[str, typing.Any]]:
    if config.scheme != "serial":
        query = "&".join(
            part
            for part in urllib.parse.urlsplit(config.url).query.split("&")
            if part and part.split("=", 1)[0] not in _COMMON
        )
        return f"{config.scheme}://{config.target}" + (f"?{query}" if query else ""), {}
    converters: dict[str, typing.Callable[[str], typing.Any]] = {
        "baudrate": int,
        "bytesize": int,
        "parity": str.upper,
        "stopbits": float,
        "rtscts": _flag,
        "xonxoff": _flag,
        "dsrdtr": _flag,
    }
    try:
        settings = {name: converters[name](value) for name, value in config.options}
    except ValueError as exc:
        raise errors.BadPrinterUrl(url=config.url, reason=f"tham số cổng COM sai: {exc}") from exc
    return config.target, settings


def _flag(value: str) -> bool:
    if value.lower() in {"1", "true", "on", "yes"}:
        return True
    if value.lower() in {"0", "false", "off", "no", ""}:
        return False
    raise ValueError(f"not a yes/no value: {value!r}")


def _serial_open_error(config: PrinterConfig, exc: Exception) -> errors.PrinterError:
    if "expected a string in the form" in str(exc):  # pyserial's words for a bad handler URL
        return errors.BadPrinterUrl(url=config.url, reason=str(exc))
    code = getattr(exc, "errno", None)
    if code in {errno.ENOENT, errno.ENODEV, errno.ENXIO}:
        return errors.NotFound(f"Không tìm thấy máy in ở cổng «{config.target}».", detail=str(exc))
    if code in {errno.EACCES, errno.EPERM}:
        message = f"Không có quyền mở cổng «{config.target}» (thêm người dùng vào nhóm dialout)."
        return errors.PrinterError(message, detail=str(exc))
    return errors.Offline(detail=str(exc))


class _WriteOnly:
    """Connections that cannot read the printer's replies."""

    supports_status = False

    def read(self, size: int) -> bytes:
        return b""

    def close(self) -> None:
        return None


class FileTransport(_WriteOnly):
    """A device node such as /dev/usb/lp0, or an existing spool file (appended to).

    The file is opened non-blocking and each write waits with select(), so an offline USB
    printer gives NoReply after the timeout instead of blocking forever.
    """

    def __init__(self, fd: int, config: PrinterConfig) -> None:
        self._fd = fd
        self._config = config

    @classmethod
    def open(cls, config: PrinterConfig) -> FileTransport:
        flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
        try:
            fd = os.open(config.target, flags)
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise errors.NotFound(f"Không tìm thấy máy in «{config.target}».", detail=str(exc)) from exc
        except OSError as exc:
            raise _file_error(config, exc) from exc
        return cls(fd, config)

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            while view:
                if sys.platform != "win32" and not select.select([], [self._fd], [], self._config.timeout)[1]:
                    raise errors.NoReply(detail=f"write timed out after {self._config.timeout} s")
                with contextlib.suppress(BlockingIOError):
                    view = view[os.write(self._fd, view) :]
        except OSError as exc:
            raise _file_error(self._config, exc) from exc

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)


def _file_error(config: PrinterConfig, exc: OSError) -> errors.PrinterError:
    if exc.errno in {errno.ENODEV, errno.ENXIO}:
        return errors.NotFound(f"Không tìm thấy máy in «{config.target}».", detail=str(exc))
    if exc.errno in {errno.EACCES, errno.EPERM}:
        message = f"Không có quyền ghi vào «{config.target}» (thêm người dùng vào nhóm lp)."
        return errors.PrinterError(message, detail=str(exc))
    return errors.Offline(detail=str(exc))


class CupsTransport(_WriteOnly):
    """Each write() is one raw job: ``lp -d QUEUE -o raw``, bounded by the write timeout."""

    def __init__(self, lp: str, config: PrinterConfig) -> None:
        self._lp = lp
        self._config = config

    @classmethod
    def open(cls, config: PrinterConfig) -> CupsTransport:
        lp = shutil.which("lp")
        if lp is None:
            raise errors.MissingPackage("Không có lệnh lp của CUPS: cài gói cups-client (Debian/Ubuntu).")
        return cls(lp, config)

    def write(self, data: bytes) -> None:
        argv = [self._lp, "-d", self._config.target, "-o", "raw"]
        try:
            # Fixed argv, no shell; the queue name was checked by parse_url.
            done = subprocess.run(  # noqa: S603
                argv, input=data, capture_output=True, timeout=self._config.timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise errors.NoReply(detail=f"lp did not finish in {self._config.timeout} s") from exc
        except OSError as exc:
            raise errors.Offline(detail=f"lp: {exc}") from exc
        if done.returncode != 0:
            detail = done.stderr.decode(errors="replace").strip()
            if "not exist" in detail or "unknown" in detail.lower():
                message = f"Không tìm thấy hàng đợi in CUPS «{self._config.target}»."
                raise errors.NotFound(message, detail=detail)
            raise errors.Offline(detail=detail)


class PreviewTransport(_WriteOnly):
    """Each write() is one job, saved as ``FOLDER/job-<time>-<n>.png`` (raster decoded).

    For demos and people without a printer. Bytes that are not raster (a native QR
    command) are not drawn.
    """

    def __init__(self, folder: pathlib.Path) -> None:
        self.folder = folder

    @classmethod
    def open(cls, config: PrinterConfig) -> PreviewTransport:
        folder = pathlib.Path(config.target).expanduser()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise errors.NotFound(f"Không tạo được thư mục xem trước «{folder}».", detail=str(exc)) from exc
        return cls(folder)

    def write(self, data: bytes) -> None:
        from hardware import raster  # deferred: Pillow is loaded only when previewing

        try:
            image = raster.decode(data)
        except ValueError as exc:
            raise errors.PrinterError("Không dựng được ảnh xem trước của phiếu in.", detail=str(exc)) from exc
        stamp = datetime.datetime.now().astimezone().strftime("%Y%m%d-%H%M%S-%f")
        path = self.folder / f"job-{stamp}-{next(_preview_counter):04d}.png"
        partial = path.with_suffix(".part")
        try:
            image.save(partial, format="PNG")
            partial.replace(path)  # viewers watching the folder never see half a file
        except OSError as exc:
            raise errors.PrinterError(f"Không ghi được ảnh vào «{self.folder}».", detail=str(exc)) from exc


def _optional_module(name: str, package: str) -> types.ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        message = f"Cần cài thư viện {package}: pip install {package}"
        raise errors.MissingPackage(message, detail=str(exc)) from exc


class UsbTransport:
    """USB printer class device via pyusb (optional dependency, imported lazily)."""

    def __init__(
        self, device: typing.Any, endpoints: tuple[typing.Any, typing.Any], config: PrinterConfig
    ) -> None:
        self._device = device
        self._out, self._in = endpoints
        self._config = config

    @property
    def supports_status(self) -> bool:
        return self._in is not None

    @classmethod
    def open(cls, config: PrinterConfig) -> UsbTransport:
        usb_core = _optional_module("usb.core", "pyusb")
        usb_util = _optional_module("usb.util", "pyusb")
        vendor, product = _usb_ids(config.url, config.target)
        try:
            device = usb_core.find(idVendor=vendor, idProduct=product)
            if device is None:
                raise errors.NotFound(f"Không tìm thấy máy in USB {config.target}.")
            endpoints = _usb_endpoints(usb_util, _usb_interface(device, config), config)
        except usb_core.USBError as exc:
            raise errors.Offline(detail=str(exc)) from exc
        if endpoints[0] is None:
            raise errors.NotFound(f"Thiết bị USB {config.target} không có cổng ghi dữ liệu in.")
        return cls(device, endpoints, config)

    def write(self, data: bytes) -> None:
        usb_core = _optional_module("usb.core", "pyusb")
        try:
            for start in range(0, len(data), _TCP_CHUNK):
                self._out.write(data[start : start + _TCP_CHUNK], timeout=_ms(self._config.timeout))
        except usb_core.USBTimeoutError as exc:
            raise errors.NoReply(detail=str(exc)) from exc
        except usb_core.USBError as exc:
            raise errors.Offline(detail=str(exc)) from exc

    def read(self, size: int) -> bytes:
        usb_core = _optional_module("usb.core", "pyusb")
        try:
            # Read whole packets (a shorter read overflows); keep what was asked for.
            packet = self._in.read(max(size, self._in.wMaxPacketSize), _ms(self._config.status_timeout))
        except usb_core.USBTimeoutError:
            return b""
        except usb_core.USBError as exc:
            raise errors.Offline(detail=str(exc)) from exc
        return bytes(packet)[:size]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            _optional_module("usb.util", "pyusb").dispose_resources(self._device)


def _ms(seconds: float) -> int:
    # pyusb's timeout 0 means "wait forever": never let a short timeout round down to 0.
    return max(1, round(seconds * 1000))


def _usb_interface(device: typing.Any, config: PrinterConfig) -> typing.Any:
    number = int(config.option("interface", "0") or "0")
    with contextlib.suppress(NotImplementedError):  # not on Windows/macOS backends
        if device.is_kernel_driver_active(number):
            device.detach_kernel_driver(number)
    with contextlib.suppress(Exception):  # already configured is fine
        device.set_configuration()
    return device.get_active_configuration()[(number, 0)]


def _usb_endpoints(
    usb_util: typing.Any, interface: typing.Any, config: PrinterConfig
) -> tuple[typing.Any, ...]:
    def find(direction: int, option: str) -> typing.Any:
        wanted = config.option(option)

        def match(endpoint: typing.Any) -> bool:
            if wanted:
                return bool(endpoint.bEndpointAddress == int(wanted, 0))
            return bool(usb_util.endpoint_direction(endpoint.bEndpointAddress) == direction)

        return usb_util.find_descriptor(interface, custom_match=match)

    return find(usb_util.ENDPOINT_OUT, "out_ep"), find(usb_util.ENDPOINT_IN, "in_ep")


class Win32Transport(_WriteOnly):
    """Windows spooler in RAW mode (pywin32); each write() is one spooler document.

    The spooler API has no timeouts: it returns once the job is queued.
    """

    def __init__(self, win32print: typing.Any, config: PrinterConfig) -> None:
        self._win32print = win32print
        self._config = config

    @classmethod
    def open(cls, config: PrinterConfig) -> Win32Transport:
        if sys.platform != "win32":
            raise errors.MissingPackage("Kết nối win32:// chỉ dùng được trên Windows.")
        win32print = _optional_module("win32print", "pywin32")
        try:
            win32print.ClosePrinter(win32print.OpenPrinter(config.target))
        except Exception as exc:  # pywintypes.error has no importable base we can name here
            message = f"Không tìm thấy máy in Windows «{config.target}»."
            raise errors.NotFound(message, detail=str(exc)) from exc
        return cls(win32print, config)

    def write(self, data: bytes) -> None:
        w = self._win32print
        try:
            handle = w.OpenPrinter(self._config.target)
            try:
                w.StartDocPrinter(handle, 1, ("Phiếu xếp hàng", None, "RAW"))
                w.StartPagePrinter(handle)
                w.WritePrinter(handle, data)
                w.EndPagePrinter(handle)
                w.EndDocPrinter(handle)
            finally:
                w.ClosePrinter(handle)
        except Exception as exc:  # pywintypes.error, see open()
            raise errors.Offline(detail=str(exc)) from exc
