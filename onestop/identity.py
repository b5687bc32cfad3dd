"""Personal ID numbers, tax codes, phone numbers and e-mail: checking, normalising and masking.

These are personal data: the normalised form is what gets stored, and the masks are what the
hall displays, public look-ups and printed slips show (domain.md, "Identity and contact numbers").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Literal

from onestop.errors import InvalidValue
from onestop.textfold import nfc

# Province of birth registration, first three digits of the personal ID number (Circular
# 07/2016/TT-BCA as amended by 59/2021/TT-BCA). These are the 63 provinces before the 2025
# merger; the codes stay valid because they record where the birth was registered.
PROVINCE_CODES: Mapping[str, str] = MappingProxyType(
    {
        "001": "Hà Nội",
        "002": "Hà Giang",
        "004": "Cao Bằng",
        "006": "Bắc Kạn",
        "008": "Tuyên Quang",
        "010": "Lào Cai",
        "011": "Điện Biên",
        "012": "Lai Châu",
        "014": "Sơn La",
        "015": "Yên Bái",
        "017": "Hòa Bình",
        "019": "Thái Nguyên",
        "020": "Lạng Sơn",
        "022": "Quảng Ninh",
        "024": "Bắc Giang",
        "025": "Phú Thọ",
        "026": "Vĩnh Phúc",
        "027": "Bắc Ninh",
        "030": "Hải Dương",
        "031": "Hải Phòng",
        "033": "Hưng Yên",
        "034": "Thái Bình",
        "035": "Hà Nam",
        "036": "Nam Định",
        "037": "Ninh Bình",
        "038": "Thanh Hóa",
        "040": "Nghệ An",
        "042": "Hà Tĩnh",
        "044": "Quảng Bình",
        "045": "Quảng Trị",
        "046": "Thừa Thiên Huế",
        "048": "Đà Nẵng",
        "049": "Quảng Nam",
        "051": "Quảng Ngãi",
        "052": "Bình Định",
        "054": "Phú Yên",
        "056": "Khánh Hòa",
        "058": "Ninh Thuận",
        "060": "Bình Thuận",
        "062": "Kon Tum",
        "064": "Gia Lai",
        "066": "Đắk Lắk",
        "067": "Đắk Nông",
        "068": "Lâm Đồng",
        "070": "Bình Phước",
        "072": "Tây Ninh",
        "074": "Bình Dương",
        "075": "Đồng Nai",
        "077": "Bà Rịa - Vũng Tàu",
        "079": "Hồ Chí Minh",
        "080": "Long An",
        "082": "Tiền Giang",
        "083": "Bến Tre",
        "084": "Trà Vinh",
        "086": "Vĩnh Long",
        "087": "Đồng Tháp",
        "089": "An Giang",
        "091": "Kiên Giang",
        "092": "Cần Thơ",
        "093": "Hậu Giang",
        "094": "Sóc Trăng",
        "095": "Bạc Liêu",
        "096": "Cà Mau",
    }
)

Sex = Literal["male", "female"]

_ID_LENGTH = 12
_MOBILE_PREFIXES = frozenset("35789")
_PHONE_SEPARATORS = re.compile(r"[\s.\-]")
# [0-9] rather than \d: \d also matches digits of other scripts.
_TAX_CODE = re.compile(r"[0-9]{10}(-[0-9]{3})?")
_ASCII_DIGITS = frozenset("0123456789")


@dataclass(frozen=True)
class PersonalId:
    """A checked personal ID number and what its digits tell."""

    number: str
    province_code: str
    province_name: str
    sex: Sex
    birth_year: int


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit() also accepts superscripts and other scripts' digits, which no ID contains.
    return bool(text) and set(text) <= _ASCII_DIGITS


def _remove_whitespace(text: str) -> str:
    # Numbers are often typed or pasted in groups ("025 085 001234").
    return "".join(text.split())


# --- personal ID number -----------------------------------------------------------------


def _check_id_shape(number: str, field: str) -> None:
    if not number:
        raise InvalidValue(field, "Chưa nhập số định danh cá nhân.")
    if not _is_ascii_digits(number):
        raise InvalidValue(field, "Số định danh cá nhân chỉ được gồm các chữ số.")
    if len(number) != _ID_LENGTH:
        raise InvalidValue(field, "Số định danh cá nhân phải gồm đúng 12 chữ số.")


def _province_name(code: str, field: str) -> str:
    name = PROVINCE_CODES.get(code)
    if name is None:
        raise InvalidValue(field, f"Mã tỉnh {code} trong số định danh cá nhân không hợp lệ.")
    return name


def _birth_year(century_sex_digit: int, two_digit_year: int) -> int:
    # Digits 0/1 mean the 1900s, 2/3 the 2000s, and so on every pair up to 8/9 (the 2300s).
    return 1900 + (century_sex_digit // 2) * 100 + two_digit_year


def _sex(century_sex_digit: int) -> Sex:
    return "male" if century_sex_digit % 2 == 0 else "female"


def parse_personal_id(text: str, *, field: str = "id_number", today: date | None = None) -> PersonalId:
    """Check a 12-digit personal ID number and decode its province, sex and birth year."""
    number = _remove_whitespace(text)
    _check_id_shape(number, field)
    province_code = number[:3]
    province_name = _province_name(province_code, field)
    century_sex_digit = int(number[3])
    birth_year = _birth_year(century_sex_digit, int(number[4:6]))
    # The local date is what matters, and the ID card's year has no time zone.
    current_year = (today or date.today()).year  # noqa: DTZ011
    if birth_year > current_year:
        raise InvalidValue(
            field,
            f"Năm sinh {birth_year} trong số định danh cá nhân không được sau năm nay.",
        )
    return PersonalId(
        number=number,
        province_code=province_code,
        province_name=province_name,
        sex=_sex(century_sex_digit),
        birth_year=birth_year,
    )


# --- phone --------------------------------------------------------------------------------


def _drop_country_code(number: str) -> str:
    """Turn +84 / 84 international forms into the domestic 0-prefixed form."""
    if number.startswith("+84"):
        national = number[3:]
        # "+84 0912…" (the trunk 0 kept after the country code) is a common way to write it.
        return national if national.startswith("0") else "0" + national
    # Without "+", only an 11-digit number can be 84 + nine digits; a domestic number
    # always starts with 0, so there is no ambiguity.
    if number.startswith("84") and len(number) == 11:
        return "0" + number[2:]
    return number


def normalize_phone(text: str, *, field: str = "phone") -> str:
    """Return a Vietnamese mobile number as ``0`` + nine digits, or raise ``InvalidValue``."""
    compact = _PHONE_SEPARATORS.sub("", text)
    if not compact:
        raise InvalidValue(field, "Chưa nhập số điện thoại.")
    number = _drop_country_code(compact)
    if not _is_ascii_digits(number):
        raise InvalidValue(field, "Số điện thoại chỉ được gồm các chữ số.")
    if len(number) != 10:
        raise InvalidValue(field, "Số điện thoại di động phải gồm đúng 10 chữ số.")
    if number[0] != "0" or number[1] not in _MOBILE_PREFIXES:
        raise InvalidValue(field, "Số điện thoại di động phải bắt đầu bằng 03, 05, 07, 08 hoặc 09.")
    return number


# --- tax code -----------------------------------------------------------------------------


def normalize_tax_code(text: str, *, field: str = "id_number") -> str:
    """Return an organisation's tax code: 10 digits, or 10 digits + "-" + 3 for a branch."""
    code = _remove_whitespace(text)
    if not code:
        raise InvalidValue(field, "Chưa nhập mã số thuế.")
    if _TAX_CODE.fullmatch(code) is None:
        raise InvalidValue(field, "Mã số thuế phải gồm 10 chữ số (chi nhánh: 10 chữ số-3 chữ số).")
    return code


# --- e-mail -------------------------------------------------------------------------------


def _is_sane_domain(domain: str) -> bool:
    labels = domain.split(".")
    # At least one dot, and no empty label ("a@.vn", "a@gov..vn", "a@gov.vn.").
    return len(labels) >= 2 and all(labels)


def normalize_email(text: str, *, field: str = "email") -> str:
    """Trim and lowercase the domain of an e-mail address after a simple sanity check.

    Only the domain is lowercased: the local part is case-sensitive in principle.
    """
    address = nfc(text)
    if not address:
        raise InvalidValue(field, "Chưa nhập địa chỉ email.")
    local, at, domain = address.partition("@")
    valid = (
        bool(at)
        and bool(local)
        and "@" not in domain
        and not any(ch.isspace() for ch in address)
        and _is_sane_domain(domain)
    )
    if not valid:
        raise InvalidValue(field, "Địa chỉ email không hợp lệ.")
    return f"{local}@{domain.lower()}"


# --- masks for public display ---------------------------------------------------------------


def _mask_middle(value: str, keep_start: int, keep_end: int) -> str:
    hidden = len(value) - keep_start - keep_end
    if hidden <= 0:
        # Too short to reveal anything safely: hide it all rather than show it whole.
        return "*" * len(value)
    return value[:keep_start] + "*" * hidden + value[len(value) - keep_end :]


def mask_id_number(number: str) -> str:
    """Keep the first and last three characters: "025085001789" -> "025******789"."""
    return _mask_middle(_remove_whitespace(number), 3, 3)


def mask_phone(number: str) -> str:
    """Keep the first four and last three characters: "0912345678" -> "0912***678"."""
    return _mask_middle(_remove_whitespace(number), 4, 3)


def mask_name(full_name: str) -> str:
    """Keep the given name (last word) and the initials of the rest: "N. V. An"."""
    words = nfc(full_name).split()
    if not words:
        return ""
    initials = [f"{word[0].upper()}." for word in words[:-1]]
    return " ".join([*initials, words[-1]])
