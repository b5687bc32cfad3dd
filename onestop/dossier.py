"""Dossier rules: states, the dossier code, extensions and ratings (domain.md)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from onestop import errors
from onestop.enums import DocumentKind, DossierStatus, Rating, ReturnMethod, Timeliness

VN_TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

TRANSITIONS: dict[DossierStatus, frozenset[DossierStatus]] = {
    DossierStatus.RECEIVED: frozenset(
        {DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.REFUSED, DossierStatus.READY}
    ),
    # Once the citizen brings what was asked for, the dossier is received again.
    DossierStatus.SUPPLEMENT_REQUESTED: frozenset({DossierStatus.RECEIVED, DossierStatus.REFUSED}),
    DossierStatus.READY: frozenset({DossierStatus.RETURNED}),
    DossierStatus.REFUSED: frozenset(),
    DossierStatus.RETURNED: frozenset(),
}

STATUS_NAMES_VI: dict[DossierStatus, str] = {
    DossierStatus.RECEIVED: "Đã tiếp nhận, đang giải quyết",
    DossierStatus.SUPPLEMENT_REQUESTED: "Chờ bổ sung, hoàn thiện hồ sơ",
    DossierStatus.REFUSED: "Từ chối tiếp nhận giải quyết",
    DossierStatus.READY: "Đã có kết quả, chờ trả",
    DossierStatus.RETURNED: "Đã trả kết quả",
}

DOCUMENT_KIND_NAMES_VI: dict[DocumentKind, str] = {
    DocumentKind.ORIGINAL: "Bản chính",
    DocumentKind.CERTIFIED_COPY: "Bản sao có chứng thực",
    DocumentKind.PHOTOCOPY: "Bản sao",
}

RETURN_METHOD_NAMES_VI: dict[ReturnMethod, str] = {
    ReturnMethod.COUNTER: "Tại Trung tâm",
    ReturnMethod.POST: "Qua dịch vụ bưu chính",
}

TIMELINESS_NAMES_VI: dict[Timeliness, str] = {
    Timeliness.EARLY: "Trước hạn",
    Timeliness.ON_TIME: "Đúng hạn",
    Timeliness.LATE: "Quá hạn",
}

RATING_NAMES_VI: dict[Rating, str] = {
    Rating.VERY_SATISFIED: "Rất hài lòng",
    Rating.SATISFIED: "Hài lòng",
    Rating.DISSATISFIED: "Không hài lòng",
}


def check_transition(code: str, current: DossierStatus, target: DossierStatus) -> None:
    """Raise IllegalTransition with a Vietnamese reason unless current → target is allowed."""
    if target not in TRANSITIONS[current]:
        raise errors.IllegalTransition(
            f"Hồ sơ {code} đang ở trạng thái “{STATUS_NAMES_VI[current]}”, không thể chuyển "
            f"sang “{STATUS_NAMES_VI[target]}”."
        )


def format_code(*, agency_code: str, day: dt.date, seq: int) -> str:
    """``<agency code>-<YYMMDD>-<sequence of at least 4 digits>``, e.g. 000.00.25.H42-261126-0007."""
    return f"{agency_code}-{day:%y%m%d}-{seq:04d}"


def check_extension(
    *,
    code: str,
    already_extended: bool,
    now: dt.datetime,
    due_at: dt.datetime,
    new_due_at: dt.datetime,
) -> None:
    """The due date may be extended once, with notice at least one day before it falls due."""
    if already_extended:
        raise errors.IllegalTransition(f"Hồ sơ {code} đã được gia hạn một lần; không thể gia hạn thêm.")
    if now > due_at - dt.timedelta(days=1):
        raise errors.IllegalTransition(
            f"Phải thông báo gia hạn hồ sơ {code} chậm nhất 01 ngày trước thời hạn trả kết quả."
        )
    if new_due_at <= due_at:
        raise errors.InvalidValue("new_due_at", "Ngày hẹn mới phải sau ngày hẹn trả kết quả cũ.")


def check_rating(level: Rating, reason: str | None) -> None:
    """A reason is required when the citizen is not satisfied."""
    if level is Rating.DISSATISFIED and not (reason or "").strip():
        raise errors.InvalidValue("reason", "Vui lòng cho biết lý do không hài lòng.")


def classify_timeliness(*, due_at: dt.datetime, done_at: dt.datetime) -> Timeliness:
    """Early if finished on a day before the due day (local time), on time up to the due time."""
    if done_at.astimezone(VN_TZ).date() < due_at.astimezone(VN_TZ).date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME if done_at <= due_at else Timeliness.LATE


# An agency's id code (mã định danh), the first part of its dossiers' codes: groups of 1 to 4
# letters or digits with dots between, e.g. 000.18.25.H42. A dossier code is a path segment of
# the API and a file name at the counter: nothing else may enter it.
AGENCY_CODE = r"[0-9A-Z]{1,4}(?:\.[0-9A-Z]{1,4}){2,5}"
# <agency id code>-<YYMMDD>-<sequence>.
_CODE = re.compile(rf"{AGENCY_CODE}-\d{{6}}-\d{{4,}}", re.IGNORECASE)
_AGENCY_CODE = re.compile(AGENCY_CODE)
# A centre's own code (e.g. PVHCC-XA-THANHSON): letters and digits, single dots, dashes or
# underscores between them; it names the centre's files, so no separator or leading dot.
_CENTRE_CODE = re.compile(r"[0-9A-Za-z]+(?:[._-][0-9A-Za-z]+)*")


def check_agency_code(text: str, *, field: str = "id_code") -> str:
    """The agency id code in capitals, or InvalidValue on ``field`` unless it fits the grammar."""
    code = text.strip().upper()
    if not _AGENCY_CODE.fullmatch(code):
        raise errors.InvalidValue(
            field,
            f"Mã định danh «{text}» không hợp lệ: gồm 3 đến 6 nhóm, mỗi nhóm 1–4 chữ cái không dấu "
            "hoặc chữ số, cách nhau bằng dấu chấm, ví dụ 000.18.25.H42.",
        )
    return code


def check_centre_code(text: str, *, field: str = "code") -> str:
    """The centre's code, or InvalidValue on ``field`` unless it fits the grammar."""
    code = text.strip()
    if not _CENTRE_CODE.fullmatch(code):
        raise errors.InvalidValue(
            field,
            f"Mã trung tâm «{text}» không hợp lệ: chỉ gồm chữ cái không dấu, chữ số và các dấu . _ - "
            "ở giữa, ví dụ PVHCC-PT.",
        )
    return code


def find_code(text: str) -> str | None:
    """The dossier code in what a scanner or a citizen gave: the code alone, or a receipt's QR
    holding a link or data around it; spaces and lower case are forgiven. None if there is none."""
    match = _CODE.search("".join(text.split()))
    return match.group(0).upper() if match else None


# The receipt's QR opens /tra-cuu/ho-so/<code>/<token>: the token follows the code.
_TOKEN_AFTER_CODE = re.compile(_CODE.pattern + r"/([A-Za-z0-9_-]{8,24})(?![A-Za-z0-9_-])", re.IGNORECASE)


def find_token(text: str) -> str | None:
    """The dossier's public token in a receipt's QR (after its code), or None. Unlike the
    code, the token is case-sensitive: it is returned as scanned."""
    match = _TOKEN_AFTER_CODE.search("".join(text.split()))
    return match.group(1) if match else None
