"""The printer code's one exception family.

Every failure of a printer (a socket, serial port, USB device, spooler or bad configuration)
reaches callers as a ``PrinterError`` subclass: they never see ``socket``, ``serial`` or
``usb`` exceptions. The original exception, when there is one, is kept as ``__cause__``
for logs. ``message`` is Vietnamese and meant to be shown on a kiosk as is.
"""

from __future__ import annotations


class PrinterError(Exception):
    """Base of every printer error.

    ``message``: Vietnamese, shown as is. ``detail``: technical text for logs (OS error,
    reply bytes), may be empty. ``job_started``: True when part of the job may already have
    reached the printer, so the ticket on paper may be missing or incomplete.
    """

    default_message = "Lỗi máy in."

    def __init__(self, message: str | None = None, *, detail: str = "", job_started: bool = False) -> None:
        self.message = message or self.default_message
        self.detail = detail
        self.job_started = job_started
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.message} ({self.detail})" if self.detail else self.message


class Offline(PrinterError):
    """The printer is off, unplugged, reports itself offline, or closed the connection."""

    default_message = "Máy in đang tắt hoặc mất kết nối."


class PaperOut(PrinterError):
    """The roll paper sensor reports no paper (or printing stopped at paper end)."""

    default_message = "Máy in hết giấy. Vui lòng báo cán bộ hỗ trợ."


class CoverOpen(PrinterError):
    """The printer reports its cover open."""

    default_message = "Nắp máy in đang mở."


class NoReply(PrinterError):
    """A status query or a write timed out, or the reply was not a status byte."""

    default_message = "Máy in không phản hồi."


class NotFound(PrinterError):
    """The device, host name, USB id or print queue does not exist."""

    default_message = "Không tìm thấy máy in."


class MissingPackage(PrinterError):
    """The connection kind needs an optional package (pyusb, pywin32) or another system."""

    default_message = "Thiếu thư viện cần cho kiểu kết nối máy in này."


class BadPrinterUrl(PrinterError):
    """The printer URL in the configuration is wrong; the message names the URL and why."""

    def __init__(self, *, url: str, reason: str) -> None:
        super().__init__(f"Địa chỉ máy in không hợp lệ: «{url}» — {reason}.")
        self.url = url
        self.reason = reason
