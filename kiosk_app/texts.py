"""Every text the kiosk shows, in Vietnamese and English (the citizen's toggle).

``Texts.get(key, **values)`` formats the text of the current language. Vietnamese is the
default and the reference: every key has it; the tests check both languages have every key.
"""

from __future__ import annotations

from onestop import dossier
from onestop.enums import DossierStatus

VI, EN = "vi", "en"

TEXTS: dict[str, tuple[str, str]] = {
    "centre": ("TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", "PUBLIC ADMINISTRATION SERVICE CENTRE"),
    "home_prompt": ("Chạm vào lĩnh vực cần giải quyết để lấy số thứ tự", "Touch a service to take a number"),
    "waiting": ("{n} người đang chờ · khoảng {minutes} phút", "{n} waiting · about {minutes} min"),
    "nobody_waiting": ("Không có người chờ", "Nobody waiting"),
    "no_counter": ("Chưa có quầy mở", "No counter open yet"),
    "procedures": ("Tra cứu thủ tục", "Look up procedures"),
    "dossier": ("Tra cứu hồ sơ", "Dossier status"),
    "language": ("English", "Tiếng Việt"),
    "back": ("‹ Quay lại", "‹ Back"),
    "home": ("Về màn hình chính", "Home"),
    "priority_title": ("Bạn có thuộc nhóm được ưu tiên không?", "Do you belong to a priority group?"),
    "priority_hint": (
        "Nếu có, chạm vào nhóm của bạn. Cán bộ có thể đề nghị xuất trình giấy tờ.",
        "If so, touch your group. Staff may ask for proof.",
    ),
    "priority_none": ("Không — Lấy số thường", "No — regular number"),
    "issuing": ("Đang cấp số và in phiếu…", "Issuing and printing your number…"),
    "your_number": ("Số thứ tự của bạn", "Your number"),
    "please_wait": ("Vui lòng chờ đến lượt", "Please wait for your turn"),
    "ahead": ("Trước bạn còn {n} người · khoảng {minutes} phút", "{n} ahead of you · about {minutes} min"),
    "ahead_none": (
        "Bạn sẽ được gọi ngay khi có quầy trống",
        "You will be called as soon as a counter is free",
    ),
    "take_ticket": ("Vui lòng nhận phiếu ở khe máy in", "Please take your ticket from the printer"),
    "priority_given": ("Ưu tiên: {group}", "Priority: {group}"),
    "print_failed": (
        "Không in được phiếu: {reason} Số vừa cấp đã được hủy. Vui lòng thử lại hoặc báo cán bộ hỗ trợ.",
        "The ticket could not be printed: {reason} The number was cancelled. Please try again or ask staff.",
    ),
    "issue_failed": (
        "Chưa cấp được số: {reason} Vui lòng thử lại.",
        "No number was issued: {reason} Please try again.",
    ),
    "printer_fault": (
        "Máy in phiếu đang gặp sự cố: {state}. Tạm ngừng cấp số — vui lòng báo cán bộ hỗ trợ.",
        "The ticket printer has a problem: {state}. Numbers are paused — please ask staff.",
    ),
    "offline": (
        "Hệ thống đang tạm gián đoạn. Đang tự kết nối lại, vui lòng chờ trong giây lát.",
        "The system is temporarily unavailable. Reconnecting, please wait.",
    ),
    "search_title": ("Tra cứu thủ tục hành chính", "Administrative procedures"),
    "search_hint": ("Gõ tên thủ tục — không cần gõ dấu", "Type a procedure name (accents optional)"),
    "search_empty": ("Không tìm thấy thủ tục phù hợp với «{q}».", "No procedure matches «{q}»."),
    "search_count": ("{n} thủ tục", "{n} procedures"),
    "agency": ("Cơ quan giải quyết", "Agency"),
    "field": ("Lĩnh vực", "Field"),
    "processing": ("Thời hạn giải quyết", "Processing time"),
    "fee": ("Phí, lệ phí", "Fee"),
    "free": ("Không thu phí", "Free"),
    "sets": ("Số lượng hồ sơ", "Number of sets"),
    "sets_value": ("{n} bộ", "{n} set(s)"),
    "documents": ("Thành phần hồ sơ", "Required papers"),
    "online": ("Dịch vụ công trực tuyến", "Online"),
    "online_toan_trinh": ("Toàn trình — nộp và nhận kết quả trực tuyến", "Fully online"),
    "online_mot_phan": ("Một phần — nộp trực tuyến, nhận kết quả tại Trung tâm", "Partly online"),
    "online_none": ("Không — nộp trực tiếp tại Trung tâm", "No — file in person"),
    "kind_original": ("bản chính", "original"),
    "kind_certified_copy": ("bản sao chứng thực", "certified copy"),
    "kind_photocopy": ("bản chụp", "photocopy"),
    "copies": ("{n} {kind}", "{n} {kind}"),
    "dossier_title": ("Tra cứu tình trạng hồ sơ", "Dossier status"),
    "dossier_hint": (
        "Đưa mã QR trên giấy tiếp nhận và hẹn trả kết quả vào máy quét, hoặc nhập mã hồ sơ",
        "Scan the QR code on your receipt, or type the dossier code",
    ),
    "dossier_search": ("Tra cứu", "Look up"),
    "dossier_searching": ("Đang tra cứu…", "Looking up…"),
    "dossier_not_found": (
        "Không tìm thấy hồ sơ có mã «{code}». Vui lòng kiểm tra lại mã.",
        "No dossier «{code}».",
    ),
    "dossier_bad_code": (
        "«{text}» không phải mã hồ sơ. Mã có dạng 000.00.25.H42-261126-0007.",
        "«{text}» is not a dossier code.",
    ),
    "dossier_code": ("Mã hồ sơ", "Dossier code"),
    "dossier_procedure": ("Thủ tục", "Procedure"),
    "dossier_applicant": ("Người nộp", "Applicant"),
    "dossier_status": ("Tình trạng", "Status"),
    "dossier_received": ("Ngày tiếp nhận", "Received"),
    "dossier_due": ("Ngày hẹn trả kết quả", "Due"),
    "dossier_returned": ("Ngày trả kết quả", "Returned"),
    "dossier_scan_for_more": (
        "Hồ sơ nộp tại trung tâm khác: quét mã QR trên giấy tiếp nhận để xem thủ tục và người nộp.",
        "Filed at another centre: scan the QR code on the receipt to see the procedure and applicant.",
    ),
    "status_received": (dossier.STATUS_NAMES_VI[DossierStatus.RECEIVED], "Received, in progress"),
    "status_supplement_requested": (
        dossier.STATUS_NAMES_VI[DossierStatus.SUPPLEMENT_REQUESTED],
        "Waiting for more papers",
    ),
    "status_refused": (dossier.STATUS_NAMES_VI[DossierStatus.REFUSED], "Refused"),
    "status_ready": (dossier.STATUS_NAMES_VI[DossierStatus.READY], "Ready to collect"),
    "status_returned": (dossier.STATUS_NAMES_VI[DossierStatus.RETURNED], "Returned"),
    "pin_title": ("Nhập mã quản trị", "Admin PIN"),
    "pin_wrong": ("Mã không đúng", "Wrong PIN"),
    "pin_ok": ("Xác nhận", "OK"),
    "cancel": ("Hủy", "Cancel"),
    "admin_title": ("Quản trị ki-ốt", "Kiosk admin"),
    "admin_printer": ("Máy in: {url} — {state}", "Printer: {url} — {state}"),
    "admin_test": ("In thử", "Test print"),
    "admin_quit": ("Thoát ứng dụng", "Quit"),
    "clear": ("Xóa", "Clear"),
    "space": ("Dấu cách", "Space"),
}


class Texts:
    def __init__(self, language: str = VI) -> None:
        self.language = language

    @property
    def english(self) -> bool:
        return self.language == EN

    def get(self, key: str, **values: object) -> str:
        vi, en = TEXTS[key]
        return (en if self.english else vi).format(**values)
