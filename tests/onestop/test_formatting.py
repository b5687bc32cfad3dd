import datetime as dt

import pytest

from onestop import calendar, dossier, formatting


@pytest.mark.parametrize(
    ("amount", "text"), [(0, "0 đ"), (2000, "2.000 đ"), (200000, "200.000 đ"), (1250000, "1.250.000 đ")]
)
def test_money(amount, text):
    assert formatting.money(amount) == text


def test_dates_are_vietnamese_time_day_first():
    moment = dt.datetime(2026, 11, 26, 18, 30, tzinfo=dt.UTC)  # 01:30 on the 27th in Hà Nội
    assert formatting.date(moment) == "27/11/2026"
    assert formatting.date_time(moment) == "01:30 27/11/2026"
    assert formatting.date(dt.date(2026, 1, 5)) == "05/01/2026"
    assert calendar.VN_TZ.key == "Asia/Ho_Chi_Minh"


def test_a_hall_screen_heads_the_day_with_its_weekday():
    assert formatting.long_date(dt.date(2026, 11, 27)) == "Thứ Sáu, 27/11/2026"
    assert formatting.long_date(dt.date(2026, 11, 29)) == "Chủ nhật, 29/11/2026"
    assert formatting.long_date(dt.date(2026, 11, 30)) == "Thứ Hai, 30/11/2026"


@pytest.mark.parametrize(
    ("days", "vi", "en"),
    [
        (0, "Trong ngày làm việc", "Within the working day"),
        (0.5, "0,5 ngày làm việc", "0.5 working day"),
        (10, "10 ngày làm việc", "10 working days"),
    ],
)
def test_working_days(days, vi, en):
    assert formatting.working_days(days) == vi
    assert formatting.working_days(days, english=True) == en


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("000.18.25.H42-261126-0007", "000.18.25.H42-261126-0007"),
        ("https://dichvucong.phutho.gov.vn/?ma=000.18.25.h42-261126-0012&x=1", "000.18.25.H42-261126-0012"),
        (" 000.00.25.H42 - 261126-0007\r\n", "000.00.25.H42-261126-0007"),
        ("xin chao", None),
        ("A001", None),
        ("1-2-3", None),
    ],
)
def test_find_code_in_what_a_scanner_or_citizen_gives(text, code):
    assert dossier.find_code(text) == code


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "dưới 1 phút"),
        (59.9, "dưới 1 phút"),
        (60, "1 phút"),
        (725, "12 phút"),
        (3900, "1 giờ 05 phút"),
        (-5, "dưới 1 phút"),
    ],
)
def test_duration(seconds: float, text: str) -> None:
    assert formatting.duration(seconds) == text
