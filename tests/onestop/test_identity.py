from __future__ import annotations

from datetime import date

import pytest

from onestop.errors import InvalidValue
from onestop.identity import (
    PROVINCE_CODES,
    PersonalId,
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_email,
    normalize_phone,
    normalize_tax_code,
    parse_personal_id,
)

TODAY = date(2025, 7, 1)
BAD_PREFIX = "Số điện thoại di động phải bắt đầu bằng 03, 05, 07, 08 hoặc 09."


# --- province codes -------------------------------------------------------------------------


def test_there_are_63_province_codes() -> None:
    assert len(PROVINCE_CODES) == 63


@pytest.mark.parametrize("code", sorted(PROVINCE_CODES))
def test_every_province_code_is_three_digits_in_range(code: str) -> None:
    assert len(code) == 3
    assert code.isascii() and code.isdigit()
    assert 1 <= int(code) <= 96


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("001", "Hà Nội"),
        ("002", "Hà Giang"),
        ("004", "Cao Bằng"),
        ("017", "Hòa Bình"),
        ("025", "Phú Thọ"),
        ("026", "Vĩnh Phúc"),
        ("046", "Thừa Thiên Huế"),
        ("066", "Đắk Lắk"),
        ("077", "Bà Rịa - Vũng Tàu"),
        ("079", "Hồ Chí Minh"),
        ("096", "Cà Mau"),
    ],
)
def test_known_province_names(code: str, name: str) -> None:
    assert PROVINCE_CODES[code] == name


def test_province_names_are_unique() -> None:
    assert len(set(PROVINCE_CODES.values())) == len(PROVINCE_CODES)


# --- personal ID ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("025085001234", PersonalId("025085001234", "025", "Phú Thọ", "male", 1985)),
        (
            "026303000123",
            PersonalId("026303000123", "026", "Vĩnh Phúc", "female", 2003),
        ),
        ("017199000001", PersonalId("017199000001", "017", "Hòa Bình", "female", 1999)),
        ("001201123456", PersonalId("001201123456", "001", "Hà Nội", "male", 2001)),
        (
            "079300000001",
            PersonalId("079300000001", "079", "Hồ Chí Minh", "female", 2000),
        ),
        ("096025000009", PersonalId("096025000009", "096", "Cà Mau", "male", 1925)),
        ("025 085 001234", PersonalId("025085001234", "025", "Phú Thọ", "male", 1985)),
        (
            "  025085001234\t",
            PersonalId("025085001234", "025", "Phú Thọ", "male", 1985),
        ),
    ],
)
def test_parse_valid_personal_id(text: str, expected: PersonalId) -> None:
    assert parse_personal_id(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("digit", "sex", "birth_year"),
    [
        ("0", "male", 1900),
        ("1", "female", 1900),
        ("2", "male", 2000),
        ("3", "female", 2000),
        ("4", "male", 2100),
        ("5", "female", 2100),
        ("6", "male", 2200),
        ("7", "female", 2200),
        ("8", "male", 2300),
        ("9", "female", 2300),
    ],
)
def test_century_and_sex_digit(digit: str, sex: str, birth_year: int) -> None:
    far_future = date(2399, 12, 31)
    parsed = parse_personal_id(f"025{digit}00000001", today=far_future)
    assert (parsed.sex, parsed.birth_year) == (sex, birth_year)


def _id_error(text: str, today: date = TODAY) -> InvalidValue:
    with pytest.raises(InvalidValue) as caught:
        parse_personal_id(text, today=today)
    return caught.value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Chưa nhập số định danh cá nhân."),
        ("   ", "Chưa nhập số định danh cá nhân."),
        ("02508500123", "Số định danh cá nhân phải gồm đúng 12 chữ số."),
        ("0250850012345", "Số định danh cá nhân phải gồm đúng 12 chữ số."),
        ("02508500123A", "Số định danh cá nhân chỉ được gồm các chữ số."),
        ("abc", "Số định danh cá nhân chỉ được gồm các chữ số."),
        ("025-085-001234", "Số định danh cá nhân chỉ được gồm các chữ số."),
        # Arabic-Indic digits pass str.isdigit() but are not an ID number.
        ("025085٠٠١٢٣٤", "Số định danh cá nhân chỉ được gồm các chữ số."),
        ("000085001234", "Mã tỉnh 000 trong số định danh cá nhân không hợp lệ."),
        ("003085001234", "Mã tỉnh 003 trong số định danh cá nhân không hợp lệ."),
        ("099085001234", "Mã tỉnh 099 trong số định danh cá nhân không hợp lệ."),
    ],
)
def test_invalid_personal_id(text: str, message: str) -> None:
    error = _id_error(text)
    assert error.field == "id_number"
    assert error.message == message


@pytest.mark.parametrize(
    ("text", "today"),
    [
        ("025326000001", date(2025, 12, 31)),  # 2026 in 2025
        ("025400000001", date(2099, 1, 1)),  # 2100 in 2099
        ("025199000001", date(1998, 6, 1)),  # 1999 in 1998
    ],
)
def test_birth_year_in_the_future_is_rejected(text: str, today: date) -> None:
    error = _id_error(text, today)
    assert "không được sau năm nay" in error.message


def test_birth_year_this_year_is_accepted() -> None:
    assert parse_personal_id("025325000001", today=date(2025, 1, 1)).birth_year == 2025


def test_today_defaults_to_the_real_date() -> None:
    assert parse_personal_id("025085001234").birth_year == 1985
    with pytest.raises(InvalidValue):
        parse_personal_id("025999000001")  # 2399


def test_error_messages_are_distinct() -> None:
    texts = ["", "abc", "02508500123", "000085001234", "025999000001"]
    messages = {_id_error(text).message for text in texts}
    assert len(messages) == len(texts)


def test_personal_id_field_name_is_passed_through() -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_personal_id("1", field="representative.id_number")
    assert caught.value.field == "representative.id_number"


# --- phone ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "0912345678",
        "+84 912 345 678",
        "+84912345678",
        "84912345678",
        "091.234.5678",
        "0912-345-678",
        " 0912 345 678 ",
        "+84 0912 345 678",
    ],
)
def test_phone_forms_normalise_to_domestic(text: str) -> None:
    assert normalize_phone(text) == "0912345678"


@pytest.mark.parametrize("number", ["0312345678", "0512345678", "0712345678", "0812345678", "0987654321"])
def test_every_mobile_prefix_is_accepted(number: str) -> None:
    assert normalize_phone(number) == number


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Chưa nhập số điện thoại."),
        (" - ", "Chưa nhập số điện thoại."),
        ("abc", "Số điện thoại chỉ được gồm các chữ số."),
        ("+1 555 123 4567", "Số điện thoại chỉ được gồm các chữ số."),
        ("091234567a", "Số điện thoại chỉ được gồm các chữ số."),
        ("012345678", "Số điện thoại di động phải gồm đúng 10 chữ số."),
        ("09123456789", "Số điện thoại di động phải gồm đúng 10 chữ số."),
        ("+84 91234567", "Số điện thoại di động phải gồm đúng 10 chữ số."),
        ("0212345678", BAD_PREFIX),
        ("0112345678", BAD_PREFIX),
        ("0612345678", BAD_PREFIX),
        ("8412345678", BAD_PREFIX),
    ],
)
def test_invalid_phone(text: str, message: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        normalize_phone(text, field="applicant.phone")
    assert caught.value.field == "applicant.phone"
    assert caught.value.message == message


# --- tax code ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0100109106", "0100109106"),
        ("0100109106-001", "0100109106-001"),
        (" 2600 123 456 ", "2600123456"),
        ("2600123456 - 012", "2600123456-012"),
    ],
)
def test_valid_tax_code(text: str, expected: str) -> None:
    assert normalize_tax_code(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "260012345",
        "26001234567",
        "2600123456-01",
        "2600123456-0123",
        "2600123456/001",
        "260012345A",
        "2600123456-",
        "-001",
        "٢٦٠٠١٢٣٤٥٦",
    ],
)
def test_invalid_tax_code(text: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        normalize_tax_code(text)
    assert caught.value.field == "id_number"
    assert caught.value.message.startswith("Mã số thuế phải gồm 10 chữ số")


def test_empty_tax_code() -> None:
    with pytest.raises(InvalidValue, match=r"Chưa nhập mã số thuế\."):
        normalize_tax_code("  ")


# --- e-mail --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("an@phutho.gov.vn", "an@phutho.gov.vn"),
        ("  An.Nguyen@PhuTho.Gov.VN ", "An.Nguyen@phutho.gov.vn"),
        ("a+tag@example.com", "a+tag@example.com"),
    ],
)
def test_valid_email(text: str, expected: str) -> None:
    assert normalize_email(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "an",
        "an@",
        "@phutho.gov.vn",
        "an@localhost",
        "an@@phutho.gov.vn",
        "an@phu@tho.vn",
        "an nguyen@phutho.gov.vn",
        "an@phu tho.vn",
        "an@.vn",
        "an@gov..vn",
        "an@gov.vn.",
    ],
)
def test_invalid_email(text: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        normalize_email(text)
    assert caught.value.field == "email"
    assert caught.value.message == "Địa chỉ email không hợp lệ."


def test_empty_email() -> None:
    with pytest.raises(InvalidValue, match=r"Chưa nhập địa chỉ email\."):
        normalize_email(" ")


# --- masks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("025085123789", "025******789"),
        ("0100109106-001", "010********001"),
        ("1234567", "123*567"),
        ("123456", "******"),
        ("", ""),
    ],
)
def test_mask_id_number(number: str, masked: str) -> None:
    assert mask_id_number(number) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("0912345678", "0912***678"),
        ("1234567", "*******"),
        ("", ""),
    ],
)
def test_mask_phone(number: str, masked: str) -> None:
    assert mask_phone(number) == masked


@pytest.mark.parametrize(
    ("full_name", "masked"),
    [
        ("Nguyễn Văn An", "N. V. An"),
        ("Đặng Thị Thu Hà", "Đ. T. T. Hà"),
        ("  Lê   Minh  ", "L. Minh"),
        ("nguyễn văn an", "N. V. an"),
        ("An", "An"),
        ("", ""),
        ("   ", ""),
        # Decomposed input: the initial must be the whole letter, not a bare base letter.
        ("E\u0302\u0301 Hoa", "Ế. Hoa"),
    ],
)
def test_mask_name(full_name: str, masked: str) -> None:
    assert mask_name(full_name) == masked
