"""One thermal printer: status checks around every job, and one job at a time.

Usage::

    printer = get_printer("tcp://192.168.1.50:9100?width=576")
    state = printer.print_ticket(ticket_data)   # raises errors.PaperOut etc., else the state

A printer accepts bytes while out of paper and no write error says so (hardware.md), so
``print_job`` asks the printer's state before the job (a blocking state raises and nothing
is sent: no ticket without paper) and after it (a blocking state raises with
``job_started=True``: the ticket on paper may be incomplete and the caller must not hand
out its number as if it were printed). NO_REPLY is never taken for "fine".

Jobs are serialised with a lock per device, held for the whole job (status, bytes, status),
rather than with a worker thread and a queue: callers need each job's outcome synchronously
(issue the number only if the print succeeded) and already print from a worker thread (the
GUI never blocks), so a queue would only add futures and a thread to start and stop, while a
lock gives the same ordering with nothing to shut down. Every I/O step has a timeout, so the
lock is never held forever. The lock is per device (scheme + target), not per URL, so two
URLs naming one printer with different parameters still never interleave.

The connection is opened per job and always closed, also on error: network printers often
accept a single connection and drop idle ones, so holding one open would block other hosts
and need reconnect logic; opening takes milliseconds.
"""

from __future__ import annotations

import collections.abc
import contextlib
import threading

from PIL import Image

from hardware import errors, raster, render, transports
from hardware import status as printer_status  # `status` is also a Printer method

Opener = collections.abc.Callable[[transports.PrinterConfig], transports.Transport]

# After a job, our status query waits in line behind the job's last bytes (still in OS and
# printer buffers): give its first reply at least this long before calling it NO_REPLY.
_MIN_DRAIN_WAIT = 5.0

_registry_lock = threading.RLock()
_printers: dict[str, Printer] = {}
_device_locks: dict[tuple[str, str], threading.Lock] = {}


def get_printer(url: str) -> Printer:
    """The one ``Printer`` for ``url`` (created on first use); raises errors.BadPrinterUrl."""
    key = url.strip()
    with _registry_lock:
        printer = _printers.get(key)
        if printer is None:
            printer = _printers[key] = Printer(transports.parse_url(key))
        return printer


def device_lock(config: transports.PrinterConfig) -> threading.Lock:
    """The lock shared by every Printer of the device ``config`` names."""
    with _registry_lock:
        return _device_locks.setdefault(config.device_key, threading.Lock())


class Printer:
    """A configured printer. Thread-safe; prefer ``get_printer(url)`` to share one per URL."""

    def __init__(
        self, config: transports.PrinterConfig, *, opener: Opener = transports.open_transport
    ) -> None:
        self.config = config
        self._open = opener
        self._lock = device_lock(config)

    def status(self) -> printer_status.PrinterState:
        """The printer's state now. Offline and silent printers give OFFLINE and NO_REPLY;
        configuration problems (NotFound, BadPrinterUrl, MissingPackage) raise."""
        with self._lock:
            try:
                with self._session() as transport:
                    return self._state(transport)
            except errors.Offline:
                return printer_status.PrinterState.OFFLINE
            except errors.NoReply:
                return printer_status.PrinterState.NO_REPLY

    def print_job(self, data: bytes) -> printer_status.PrinterState:
        """Send ESC/POS ``data`` as one job between two status checks; return the state after
        it (ONLINE, PAPER_NEAR_END, or NOT_SUPPORTED when the connection can't tell)."""
        with self._lock, self._session() as transport:
            printer_status.raise_for(self._state(transport))
            try:
                transport.write(data)
                after = self._state(transport, job=data)
            except errors.PrinterError as exc:
                exc.job_started = True
                raise
            printer_status.raise_for(after, job_started=True)
            return after

    def print_image(self, image: Image.Image) -> printer_status.PrinterState:
        if image.width > self.config.width:
            raise ValueError(f"image is {image.width} dots wide; the printer takes {self.config.width}")
        return self.print_job(raster.encode(image))

    def print_ticket(
        self, data: render.TicketData, *, image: Image.Image | None = None
    ) -> printer_status.PrinterState:
        """Print ``data``; pass ``image`` (from ``ticket_image``) when it is already rendered,
        e.g. to show the citizen the very ticket that is printed."""
        return self.print_job(self._job(image or self.ticket_image(data), render.qr_payload(data)))

    def print_receipt(self, data: render.ReceiptData) -> printer_status.PrinterState:
        return self.print_job(self._job(self.receipt_image(data), render.qr_payload(data)))

    def ticket_image(self, data: render.TicketData) -> Image.Image:
        """The ticket as this printer prints it (width, layout; QR drawn unless native)."""
        return render.ticket(
            data, width=self.config.width, light=self.config.light, qr_in_image=not self.config.qr_native
        )

    def receipt_image(self, data: render.ReceiptData) -> Image.Image:
        return render.receipt(
            data, width=self.config.width, light=self.config.light, qr_in_image=not self.config.qr_native
        )

    def _job(self, image: Image.Image, qr: str | None) -> bytes:
        if not (self.config.qr_native and qr):
            return raster.encode(image)
        # The printer draws the QR itself below the image, then feeds and cuts.
        return raster.encode(image, cut=False, feed_lines=0) + raster.qr_command(qr) + raster.feed_and_cut()

    @contextlib.contextmanager
    def _session(self) -> collections.abc.Iterator[transports.Transport]:
        transport = self._open(self.config)
        try:
            yield transport
        finally:
            transport.close()

    def _state(
        self, transport: transports.Transport, *, job: bytes | None = None
    ) -> printer_status.PrinterState:
        if not self.config.status:
            return printer_status.PrinterState.NOT_SUPPORTED
        if job is None:
            return printer_status.query(transport)
        wait = max(self.config.timeout, _MIN_DRAIN_WAIT)
        return printer_status.query(transport, stale=printer_status.provoked_replies(job), patience=wait)
