"""Tickets and receipts: one 1-bit image at the printer's width, readable, nothing cut off."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import unicodedata

import pytest
import qrcode
import qrcode.constants
from PIL import Image, ImageDraw

from hardware import fonts, raster, render

UTC = dt.UTC
CENTRE = "Trung tâm Phục vụ hành chính công tỉnh Phú Thọ"
URL = "https://dichvucong.phutho.gov.vn/hang-doi/ve/A001-20261126"
LONG_SERVICE = (
    "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất"
)
PROCEDURE = "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam"
WIDTHS = [384, 512, 576]


def make_ticket(**changes: object) -> render.TicketData:
    ticket = render.TicketData(
        centre_name=CENTRE,
        service_name="Lý lịch tư pháp",
        number="A001",
        priority_group="Người cao tuổi",
        issued_at=dt.datetime(2026, 11, 26, 2, 5, tzinfo=UTC),  # 09:05 in Vietnam
        people_ahead=12,
        estimated_wait_minutes=25,
        qr_url=URL,
    )
    return dataclasses.replace(ticket, **changes)  # type: ignore[arg-type]


def make_receipt(**changes: object) -> render.ReceiptData:
    receipt = render.ReceiptData(
        centre_name=CENTRE,
        dossier_code="000.00.25.H45-261126-0001",
        procedure_name=PROCEDURE,
        applicant_name="Nguyễn Thị Ngọc Ánh",
        id_number="025085001789",
        received_at=dt.datetime(2026, 11, 26, 9, 10, tzinfo=render.VN_TZ),
        due_at=dt.datetime(2026, 12, 3, 2, 10, tzinfo=UTC),  # 09:10 in Vietnam
        collect_at=f"Quầy số 3 — {CENTRE}",
    )
    return dataclasses.replace(receipt, **changes)  # type: ignore[arg-type]


def texts(layout: render.Layout, role: str) -> str:
    """The lines of one role joined with spaces, as a reader would read them."""
    lines = [item.text for item in layout.find(role) if isinstance(item, render.TextLine)]
    return " ".join(lines).replace(fonts.NO_BREAK_SPACE, " ")


def ink(image: Image.Image) -> int:
    return image.convert("1").histogram()[0]


def all_layouts(width: int) -> list[render.Layout]:
    long_ticket = make_ticket(service_name=LONG_SERVICE, priority_group="Người khuyết tật, phụ nữ mang thai")
    return [
        render.ticket_layout(make_ticket(), width=width),
        render.ticket_layout(long_ticket, width=width),
        render.ticket_layout(long_ticket, width=width, light=True),
        render.receipt_layout(make_receipt(), width=width),
        render.receipt_layout(make_receipt(), width=width, light=True),
    ]


# --- the image --------------------------------------------------------------------------------


@pytest.mark.parametrize("light", [False, True])
@pytest.mark.parametrize("width", WIDTHS)
def test_slips_are_one_1_bit_image_at_the_printer_width(width: int, light: bool) -> None:
    for image in (
        render.ticket(make_ticket(), width=width, light=light),
        render.receipt(make_receipt(), width=width, light=light),
    ):
        assert image.mode == "1"
        assert image.width == width
        assert 200 < image.height < 2000


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_is_cut_off(width: int) -> None:
    for layout in all_layouts(width):
        margin = width // 48
        for item in layout.items:
            left, top, right, bottom = item.box
            assert left > 0, item
            assert right <= width - margin // 2, item
            assert top >= 0, item
            assert bottom <= layout.height, item
        image = render.paint(layout)
        # Text running off the paper would leave ink in the outermost columns.
        assert ink(image.crop((0, 0, margin // 2, image.height))) == 0
        assert ink(image.crop((width - margin // 2, 0, width, image.height))) == 0


@pytest.mark.parametrize("width", WIDTHS)
def test_lines_never_overlap(width: int) -> None:
    for layout in all_layouts(width):
        boxes = sorted(item.box for item in layout.items)
        tops = sorted((box[1], box[3]) for box in boxes)
        for (_, above_bottom), (below_top, _) in itertools.pairwise(tops):
            assert above_bottom <= below_top


def test_a_long_vietnamese_service_name_wraps_at_58_mm() -> None:
    layout = render.ticket_layout(make_ticket(service_name=LONG_SERVICE), width=384)
    assert len(layout.find("service")) >= 3
    assert texts(layout, "service") == LONG_SERVICE


def test_a_word_longer_than_the_paper_is_broken() -> None:
    code = "000.00.25.H45-261126-0001-000.00.25.H45-261126-0002"
    layout = render.receipt_layout(make_receipt(dossier_code=code), width=384)
    lines = layout.find("dossier_code")
    assert len(lines) >= 2
    assert "".join(texts(layout, "dossier_code").split()) == f"Mãhồsơ:{code}"
    assert all(item.box[2] <= 384 for item in lines)


def test_text_is_normalised_to_nfc() -> None:
    decomposed = make_ticket(
        centre_name=unicodedata.normalize("NFD", CENTRE),
        service_name=unicodedata.normalize("NFD", LONG_SERVICE),
    )
    layout = render.ticket_layout(decomposed, width=576)
    assert texts(layout, "centre") == CENTRE
    assert texts(layout, "service") == LONG_SERVICE
    composed = render.ticket(make_ticket(service_name=LONG_SERVICE), width=576)
    assert render.ticket(decomposed, width=576).tobytes() == composed.tobytes()


def test_every_vietnamese_letter_renders_without_tofu() -> None:
    letters = fonts.VIETNAMESE_LETTERS
    groups = " ".join(letters[index : index + 8] for index in range(0, len(letters), 8))
    layout = render.ticket_layout(make_ticket(service_name=groups, centre_name=groups), width=384)
    assert texts(layout, "service") == groups
    for item in layout.items:
        if isinstance(item, render.TextLine):
            font = fonts.BOLD if item.bold else fonts.REGULAR
            assert fonts.missing_glyphs(font, chars=item.text) == set(), item.text


# --- the ticket's content -----------------------------------------------------------------------


def test_ticket_lines_say_what_the_citizen_needs_in_vietnam_time() -> None:
    layout = render.ticket_layout(make_ticket(), width=576)
    assert texts(layout, "centre") == CENTRE
    assert texts(layout, "service") == "Lý lịch tư pháp"
    assert texts(layout, "number") == "A001"
    assert texts(layout, "priority") == "Ưu tiên: Người cao tuổi"
    assert texts(layout, "issued_at") == "Thời gian lấy số: 26/11/2026 09:05"
    assert texts(layout, "people_ahead") == "Số người đang chờ trước bạn: 12"
    assert texts(layout, "wait") == "Thời gian chờ dự kiến: khoảng 25 phút"
    assert texts(layout, "qr_caption") == render.TICKET_QR_CAPTION
    assert texts(layout, "guidance") == render.DEFAULT_GUIDANCE


def test_lines_without_a_value_are_left_out() -> None:
    ticket = make_ticket(priority_group=None, people_ahead=None, estimated_wait_minutes=None, qr_url=None)
    layout = render.ticket_layout(ticket, width=384)
    for role in ("priority", "people_ahead", "wait", "qr_caption", "qr"):
        assert layout.find(role) == []
    assert texts(layout, "number") == "A001"


@pytest.mark.parametrize(
    ("minutes", "said"),
    [(0, "dưới 1 phút"), (1, "khoảng 1 phút"), (60, "khoảng 1 giờ"), (95, "khoảng 1 giờ 35 phút")],
)
def test_waiting_time_reads_naturally(minutes: int, said: str) -> None:
    layout = render.ticket_layout(make_ticket(estimated_wait_minutes=minutes), width=576)
    assert texts(layout, "wait") == f"Thời gian chờ dự kiến: {said}"


def test_date_and_time_stay_on_one_line_at_58_mm() -> None:
    layout = render.ticket_layout(make_ticket(), width=384)
    assert any("26/11/2026\u00a009:05" in item.text for item in layout.find("issued_at"))  # type: ignore[union-attr]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_number_is_huge(width: int) -> None:
    layout = render.ticket_layout(make_ticket(), width=width)
    (number,) = layout.find("number")
    left, top, right, bottom = number.box
    assert right - left >= 0.6 * width
    body = layout.find("issued_at")[0]
    assert bottom - top >= 3 * (body.box[3] - body.box[1])
    light = render.ticket_layout(make_ticket(), width=width, light=True).find("number")[0]
    assert light.box[2] - light.box[0] < right - left


def test_a_long_number_still_fits() -> None:
    layout = render.ticket_layout(make_ticket(number="UT10234"), width=384)
    (number,) = layout.find("number")
    assert texts(layout, "number") == "UT10234"
    assert number.box[0] > 0
    assert number.box[2] < 384


@pytest.mark.parametrize("role", ["number", "centre", "service", "issued_at"])
def test_the_text_is_drawn_where_the_layout_says(role: str) -> None:
    layout = render.ticket_layout(make_ticket(), width=384)
    image = render.paint(layout)
    for item in layout.find(role):
        assert isinstance(item, render.TextLine)
        left, top, _, _ = item.box
        region = image.crop(item.box)
        assert ink(region) > 0.05 * region.width * region.height
        alone = Image.new("1", region.size, 1)
        font = fonts.load(item.size, bold=item.bold)
        ImageDraw.Draw(alone).text(
            (item.x - left, item.baseline - top), item.text, font=font, anchor="ls", fill=0
        )
        assert region.tobytes() == alone.tobytes()


# --- QR codes --------------------------------------------------------------------------------


def modules_in(image: Image.Image, qr: render.QrBlock) -> list[list[bool]]:
    """Read the QR back from the image: the centre pixel of each module."""
    left, top, _, _ = qr.box
    count = len(qr.matrix)
    half = qr.module // 2
    pixel = image.load()
    assert pixel is not None
    return [
        [pixel[left + col * qr.module + half, top + row * qr.module + half] == 0 for col in range(count)]
        for row in range(count)
    ]


def reference_matrix(payload: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(payload)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


@pytest.mark.parametrize("light", [False, True])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_qr_in_the_image_is_the_qr_of_the_url(width: int, light: bool) -> None:
    layout = render.ticket_layout(make_ticket(), width=width, light=light)
    image = render.paint(layout)
    (qr,) = layout.find("qr")
    assert isinstance(qr, render.QrBlock)
    assert modules_in(image, qr) == reference_matrix(URL)
    # Crisp: every module is a solid square of whole dots.
    left, top, right, bottom = qr.box
    assert (right - left) == (bottom - top) == len(qr.matrix) * qr.module
    assert render.qr_image(qr.matrix, module=qr.module).tobytes() == image.crop(qr.box).tobytes()
    # Quiet zone: four modules of white all round.
    quiet = render.QR_QUIET_MODULES * qr.module
    around = image.crop((left - quiet, top - quiet, right + quiet, bottom + quiet))
    assert ink(around) == ink(image.crop(qr.box))


@pytest.mark.parametrize("light", [False, True])
@pytest.mark.parametrize("width", [384, 576])
def test_a_scanner_reads_the_url_from_the_printed_ticket(width: int, light: bool) -> None:
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp reads the QR back")
    printed = raster.decode(raster.encode(render.ticket(make_ticket(), width=width, light=light)))
    assert [result.text for result in zxingcpp.read_barcodes(printed)] == [URL]


def test_a_scanner_reads_the_dossier_code_from_the_receipt() -> None:
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp reads the QR back")
    printed = raster.decode(raster.encode(render.receipt(make_receipt(), width=384)))
    assert [result.text for result in zxingcpp.read_barcodes(printed)] == ["000.00.25.H45-261126-0001"]


def test_a_long_qr_payload_still_fits_on_58_mm() -> None:
    url = "https://dichvucong.phutho.gov.vn/hang-doi/ve/" + "A001-20261126-" * 20
    layout = render.ticket_layout(make_ticket(qr_url=url), width=384, light=True)
    (qr,) = layout.find("qr")
    assert isinstance(qr, render.QrBlock)
    assert qr.box[0] > 0 and qr.box[2] < 384
    assert modules_in(render.paint(layout), qr) == reference_matrix(url)


def test_a_qr_payload_too_long_for_any_slip_is_refused() -> None:
    with pytest.raises(ValueError, match="QR data too long"):
        render.ticket(make_ticket(qr_url="x" * 3000), width=384)


def test_qr_payloads() -> None:
    assert render.qr_payload(make_ticket()) == URL
    assert render.qr_payload(make_ticket(qr_url=None)) is None
    assert render.qr_payload(make_receipt()) == "000.00.25.H45-261126-0001"
    assert render.qr_payload(make_receipt(qr_data="https://x.vn/h/1")) == "https://x.vn/h/1"


@pytest.mark.parametrize("width", [384, 576])
def test_without_the_qr_in_the_image_the_caption_ends_the_slip(width: int) -> None:
    for layout in (
        render.ticket_layout(make_ticket(), width=width, qr_in_image=False),
        render.receipt_layout(make_receipt(), width=width, qr_in_image=False),
    ):
        assert layout.find("qr") == []
        assert layout.items[-1].role == "qr_caption"  # the printer's own QR comes right after
    with_qr = render.ticket(make_ticket(), width=width)
    assert render.ticket(make_ticket(), width=width, qr_in_image=False).height < with_qr.height - 100


# --- the light layout ------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_the_light_layout_sends_clearly_fewer_bytes(width: int) -> None:
    pairs = [
        (render.ticket(make_ticket(), width=width), render.ticket(make_ticket(), width=width, light=True)),
        (
            render.receipt(make_receipt(), width=width),
            render.receipt(make_receipt(), width=width, light=True),
        ),
    ]
    for normal, light in pairs:
        assert len(raster.encode(light)) < 0.75 * len(raster.encode(normal))


# --- the receipt -----------------------------------------------------------------------------


def test_receipt_lines() -> None:
    layout = render.receipt_layout(make_receipt(), width=576)
    assert texts(layout, "title") == "GIẤY TIẾP NHẬN HỒ SƠ"
    assert texts(layout, "centre") == CENTRE
    assert texts(layout, "dossier_code") == "Mã hồ sơ: 000.00.25.H45-261126-0001"
    assert texts(layout, "procedure").startswith("Thủ tục: Cấp Phiếu lý lịch tư pháp")
    assert texts(layout, "applicant") == "Người nộp: Nguyễn Thị Ngọc Ánh"
    assert texts(layout, "id_number") == "Số định danh: 025******789"
    assert texts(layout, "received_at") == "Nhận lúc: 09:10 26/11/2026"
    assert texts(layout, "due_at") == "Hẹn trả: 09:10 03/12/2026"
    assert texts(layout, "collect_at") == f"Nơi nhận kết quả: Quầy số 3 — {CENTRE}"
    assert texts(layout, "qr_caption") == render.RECEIPT_QR_CAPTION


def test_the_full_id_number_is_never_printed() -> None:
    layout = render.receipt_layout(make_receipt(id_number="025 085 001 789"), width=576)
    printed = " ".join(item.text for item in layout.items if isinstance(item, render.TextLine))
    assert "025085001789" not in printed
    assert "085001" not in printed
    assert texts(layout, "id_number") == "Số định danh: 025******789"
    (qr,) = layout.find("qr")
    assert isinstance(qr, render.QrBlock)
    assert qr.payload == "000.00.25.H45-261126-0001"


# --- refusals --------------------------------------------------------------------------------


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="issued_at"):
        make_ticket(issued_at=dt.datetime(2026, 11, 26, 9, 5))  # noqa: DTZ001
    with pytest.raises(ValueError, match="due_at"):
        make_receipt(due_at=dt.datetime(2026, 12, 3, 9, 10))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"number": " "}, "number"),
        ({"people_ahead": -1}, "people_ahead"),
        ({"estimated_wait_minutes": -5}, "wait"),
    ],
)
def test_impossible_tickets_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_ticket(**changes)


@pytest.mark.parametrize("width", [0, 100, 4096])
def test_impossible_widths_are_refused(width: int) -> None:
    with pytest.raises(ValueError, match="width"):
        render.ticket(make_ticket(), width=width)
