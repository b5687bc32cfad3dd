"""The legal forms (Mẫu 01-04, the tracking book) as PDF and XLSX, read back as a reader would."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pathlib
from typing import Any

import openpyxl
import pypdf
import pytest
import zxingcpp
from PIL import Image
from PySide6 import QtCore, QtGui, QtPdf, QtPrintSupport

from counter_app import forms
from onestop.dossier import find_code

CODE = "000.00.25.H42-261126-0007"
CONTEXT = forms.FormContext(
    officer_name="Trần Văn Bình",
    officer_phone="0210 3812 345",
    centre_phone="0210 3811 111",
    centre_address="Số 1 đường Trần Phú, phường Việt Trì",
    issued_on=dt.date(2026, 11, 28),
)
PAPERS = [
    {"name": "Đơn đề nghị cấp giấy phép xây dựng", "kind": "original", "copies": 1},
    {"name": "Giấy chứng nhận quyền sử dụng đất", "kind": "certified_copy", "copies": 1},
    {"name": "Bản vẽ thiết kế xây dựng", "kind": "photocopy", "copies": 2},
]


def make_dossier(code: str = CODE, **changes: Any) -> dict[str, Any]:
    """A dossier as the server returns it to staff (server/schemas.py DossierOut, as JSON),
    plus the procedure's ``processing_days`` that the counter adds for Mẫu 01."""
    dossier: dict[str, Any] = {
        "code": code,
        "status": "received",
        "status_name": "Đã tiếp nhận",
        "procedure_id": 1,
        "procedure_name": "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "agency_name": "Sở Xây dựng tỉnh Phú Thọ",
        "channel": "counter",
        "received_at": "2026-11-27T09:10:00+07:00",
        "due_at": "2026-12-04T09:10:00+07:00",
        "original_due_at": None,
        "ready_at": None,
        "returned_at": None,
        "timeliness": None,
        "applicant": {
            "kind": "person",
            "full_name": "Nguyễn Thị Hương Giang",
            "id_number": "025190012345",
            "phone": "0912345678",
            "address": "Số 12 đường Hùng Vương, phường Việt Trì, tỉnh Phú Thọ",
            "email": "giang.nguyen@example.vn",
        },
        "representative": {
            "full_name": "Lê Đức Thắng",
            "id_number": "025090054321",
            "phone": "0987654321",
            "authorisation": "Giấy ủy quyền số 15/UQ ngày 20/11/2026",
        },
        "documents": PAPERS,
        "sets": 2,
        "fee_collected": 200000,
        "return_method": "counter",
        "ticket_id": 12,
        "supplement_items": None,
        "reason": None,
        "extension_reason": None,
        "returned_to": None,
        "rating": None,
        "processing_days": 5,
    }
    dossier.update(changes)
    return dossier


def pdf_text(path: pathlib.Path, page: int = 0) -> str:
    """A page's text with runs of whitespace made one space (pypdf puts tabs between words).

    The invisible word joiner that keeps "Ông/Bà" on one line is drawn as a run of its own,
    which pypdf reads as a tab after the "/": that tab is dropped too."""
    text = pypdf.PdfReader(path).pages[page].extract_text().replace("\u2060", "").replace("/\t", "/")
    return " ".join(text.split())


def render_page(path: pathlib.Path, page: int = 0, dpi: int = 150) -> Image.Image:
    document = QtPdf.QPdfDocument()
    assert document.load(str(path)) == QtPdf.QPdfDocument.Error.None_
    points = document.pagePointSize(page)
    image = document.render(
        page, QtCore.QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
    )
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    data = bytes(image.constBits())[: image.sizeInBytes()]
    return Image.frombuffer(
        "RGB", (image.width(), image.height()), data, "raw", "RGB", image.bytesPerLine(), 1
    )


@pytest.fixture
def receipt_pdf(qapp: Any, tmp_path: pathlib.Path) -> pathlib.Path:
    return forms.save_pdf(forms.receipt(make_dossier(), CONTEXT), tmp_path / "receipt.pdf", copies=2)


@pytest.mark.parametrize(
    "expected",
    [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND TỈNH PHÚ THỌ",
        f"Số: {CODE}/TNHS",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        f"Mã hồ sơ: {CODE}",
        "Ông/Bà: Nguyễn Thị Hương Giang",
        "Số định danh cá nhân: 025190012345",
        "Địa chỉ: Số 12 đường Hùng Vương, phường Việt Trì, tỉnh Phú Thọ",
        "Số điện thoại: 0912345678",
        "Email: giang.nguyen@example.vn",
        "Người được ủy quyền: Lê Đức Thắng",
        "025090054321",
        "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "1. Thành phần hồ sơ nộp gồm:",
        "1 Đơn đề nghị cấp giấy phép xây dựng Bản chính 1",
        "2 Giấy chứng nhận quyền sử dụng đất Bản sao có chứng thực 1",
        "3 Bản vẽ thiết kế xây dựng Bản sao 2",
        "2. Số lượng hồ sơ: 2 bộ",
        "3. Thời gian giải quyết hồ sơ theo quy định: 5 ngày làm việc",
        "4. Thời gian nhận hồ sơ: 09:10 27/11/2026",
        "5. Thời gian trả kết quả giải quyết hồ sơ: 09:10 04/12/2026",
        "6. Nơi nhận kết quả: Tại Trung tâm",
        "Phí, lệ phí đã nộp: 200.000 đ",
        "Vào Sổ theo dõi hồ sơ: Quyển số 2026, Số thứ tự 0007",
        "Phú Thọ, ngày 27 tháng 11 năm 2026",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN",
        "(Ký và ghi rõ họ tên)",
        "Trần Văn Bình",
    ],
)
def test_receipt_holds_every_field(receipt_pdf: pathlib.Path, expected: str) -> None:
    assert expected in pdf_text(receipt_pdf)


def test_receipt_prints_twice_in_one_pdf(receipt_pdf: pathlib.Path) -> None:
    reader = pypdf.PdfReader(receipt_pdf)
    assert len(reader.pages) == 2
    assert pdf_text(receipt_pdf, 0) == pdf_text(receipt_pdf, 1)


def test_receipt_qr_code_reads_back_as_the_dossier_code(receipt_pdf: pathlib.Path) -> None:
    found = zxingcpp.read_barcodes(render_page(receipt_pdf))
    assert [code.text for code in found] == [CODE]


def test_receipt_qr_opens_the_dossiers_page_and_still_holds_its_code(qapp: Any) -> None:
    context = dataclasses.replace(CONTEXT, server="http://10.0.0.2:8000/")
    dossier = make_dossier() | {"public_token": "k3y-Of-16-chars_"}
    link = context.status_link(dossier)
    assert link == f"http://10.0.0.2:8000/tra-cuu/ho-so/{CODE}/k3y-Of-16-chars_"
    assert find_code(link) == CODE  # counters and kiosks scanning it still find the dossier
    assert context.status_link(make_dossier()) == CODE  # no token: the bare code, as before


def test_receipt_by_post_without_fee_or_representative(qapp: Any, tmp_path: pathlib.Path) -> None:
    dossier = make_dossier(return_method="post", fee_collected=0, representative=None, sets=1)
    text = pdf_text(forms.save_pdf(forms.receipt(dossier, CONTEXT), tmp_path / "post.pdf"))
    assert "6. Nơi nhận kết quả: Qua dịch vụ bưu chính" in text
    assert "Phí, lệ phí" not in text
    assert "Người được ủy quyền" not in text
    assert "2. Số lượng hồ sơ: 1 bộ" in text


def test_times_are_shown_in_vietnamese_time(qapp: Any, tmp_path: pathlib.Path) -> None:
    # 02:10 UTC is 09:10 in Việt Nam; the form must not print the server's offset.
    dossier = make_dossier(received_at="2026-11-27T02:10:00+00:00", due_at="2026-12-04T02:10:00Z")
    text = pdf_text(forms.save_pdf(forms.receipt(dossier, CONTEXT), tmp_path / "utc.pdf"))
    assert "4. Thời gian nhận hồ sơ: 09:10 27/11/2026" in text
    assert "09:10 04/12/2026" in text


def test_receipt_without_processing_days_leaves_a_blank(qapp: Any, tmp_path: pathlib.Path) -> None:
    dossier = make_dossier()
    del dossier["processing_days"]
    text = pdf_text(forms.save_pdf(forms.receipt(dossier, CONTEXT), tmp_path / "blank.pdf"))
    assert "3. Thời gian giải quyết hồ sơ theo quy định: …" in text


def test_supplement_request_lists_every_item_and_the_reason(qapp: Any, tmp_path: pathlib.Path) -> None:
    items = [
        {
            "name": "Bản vẽ mặt bằng công trình",
            "kind": "original",
            "copies": 2,
            "note": "Có chữ ký của chủ đầu tư",
        },
        {"name": "Giấy chứng nhận quyền sử dụng đất", "kind": "certified_copy", "copies": 1},
        {"name": "Căn cước của người được ủy quyền", "kind": "photocopy", "copies": 1},
    ]
    reason = "Bản vẽ thiếu mặt cắt, giấy chứng nhận chưa được chứng thực."
    dossier = make_dossier(status="supplement_requested", supplement_items=items, reason=reason)
    text = pdf_text(forms.save_pdf(forms.supplement_request(dossier, CONTEXT), tmp_path / "m02.pdf"))
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "1 Bản vẽ mặt bằng công trình Bản chính 2 Có chữ ký của chủ đầu tư" in text
    assert "2 Giấy chứng nhận quyền sử dụng đất Bản sao có chứng thực 1" in text
    assert "3 Căn cước của người được ủy quyền Bản sao 1" in text
    assert f"Lý do: {reason}" in text
    assert "Trần Văn Bình, số điện thoại 0210 3812 345" in text
    assert "NGƯỜI HƯỚNG DẪN" in text
    assert "Phú Thọ, ngày 28 tháng 11 năm 2026" in text


def test_refusal_gives_the_reason(qapp: Any, tmp_path: pathlib.Path) -> None:
    reason = "Thửa đất nằm trong quy hoạch mở rộng đường Hùng Vương, không được cấp phép xây dựng."
    dossier = make_dossier(status="refused", reason=reason)
    text = pdf_text(forms.save_pdf(forms.refusal(dossier, CONTEXT), tmp_path / "m03.pdf"))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert reason in text
    assert "Nguyễn Thị Hương Giang" in text
    assert "025190012345" in text
    assert f"Mã hồ sơ: {CODE}" in text


def test_extension_gives_original_and_new_due_times(qapp: Any, tmp_path: pathlib.Path) -> None:
    dossier = make_dossier(
        original_due_at="2026-12-04T09:10:00+07:00",
        due_at="2026-12-11T15:30:00+07:00",
        extension_reason="Cần lấy ý kiến của Sở Tài nguyên và Môi trường.",
    )
    text = pdf_text(forms.save_pdf(forms.extension(dossier, CONTEXT), tmp_path / "m04.pdf"))
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "Thời hạn trả kết quả giải quyết hồ sơ: 09:10 04/12/2026" in text
    assert "vào 15:30 11/12/2026" in text
    assert "Lý do: Cần lấy ý kiến của Sở Tài nguyên và Môi trường." in text
    assert "xin lỗi Ông/Bà" in text
    assert "Ngày 27/11/2026" in text


def book_dossiers() -> list[dict[str, Any]]:
    names = ["Nguyễn Văn An", "Trần Thị Bích Ngọc", "Phạm Quốc Việt", "Hoàng Thị Lụa", "Đỗ Minh Đức"]
    dossiers = []
    for number, name in enumerate(names, start=1):
        applicant = dict(make_dossier()["applicant"], full_name=name)
        dossiers.append(
            make_dossier(
                f"000.00.25.H42-2611{20 + number}-{number:04d}",
                applicant=applicant,
                received_at=f"2026-11-{20 + number}T08:{number:02d}:00+07:00",
                returned_at="2026-11-30T10:00:00+07:00" if number == 1 else None,
                returned_to=name if number == 1 else None,
                timeliness="early" if number == 1 else None,
            )
        )
    return dossiers


def test_tracking_book_pdf_has_one_row_per_dossier(qapp: Any, tmp_path: pathlib.Path) -> None:
    dossiers = book_dossiers()
    outside = make_dossier("000.00.25.H42-261201-0001", received_at="2026-12-01T08:00:00+07:00")
    document = forms.tracking_book(
        [*dossiers, outside],
        CONTEXT,
        start=dt.date(2026, 11, 21),
        end=dt.date(2026, 11, 30),
        field_name="Xây dựng",
    )
    path = forms.save_pdf(document, tmp_path / "book.pdf")
    page = pypdf.PdfReader(path).pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    text = pdf_text(path)
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert "Lĩnh vực: Xây dựng" in text
    assert "Từ ngày 21/11/2026 đến ngày 30/11/2026" in text
    for heading in (
        "Mã hồ sơ",
        "Tên thủ tục hành chính",
        "Tên tổ chức, cá nhân",
        "Cơ quan chủ trì giải quyết",
    ):
        assert heading in text
    for dossier in dossiers:
        assert dossier["code"] in text
        assert dossier["applicant"]["full_name"] in text
    assert outside["code"] not in text
    assert "08:01 21/11/2026" in text
    assert "10:00 30/11/2026" in text


def test_tracking_book_xlsx_has_header_and_rows(qapp: Any, tmp_path: pathlib.Path) -> None:
    dossiers = book_dossiers()
    path = forms.tracking_book_xlsx(
        dossiers, tmp_path / "book.xlsx", start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30)
    )
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    heading = next(i for i, row in enumerate(table) if row[0] == "STT")
    assert table[heading][1:4] == ["Mã hồ sơ", "Tên thủ tục hành chính", "Tên tổ chức, cá nhân"]
    assert len(table[heading]) == 12
    body = table[heading + 1 :]
    assert [row[1] for row in body] == [d["code"] for d in dossiers]
    assert [row[3] for row in body] == [d["applicant"]["full_name"] for d in dossiers]
    assert body[0][6] == "08:01 21/11/2026"


def test_print_document_to_a_pdf_printer(qapp: Any, tmp_path: pathlib.Path) -> None:
    printer = QtPrintSupport.QPrinter(QtPrintSupport.QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QtPrintSupport.QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    forms.print_document(forms.receipt(make_dossier(), CONTEXT), printer, copies=2)
    assert len(pypdf.PdfReader(tmp_path / "printed.pdf").pages) == 2
    assert f"Mã hồ sơ: {CODE}" in pdf_text(tmp_path / "printed.pdf", 1)
    assert zxingcpp.read_barcodes(render_page(tmp_path / "printed.pdf"))[0].text == CODE


def test_context_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        CONTEXT.unit = "X"  # type: ignore[misc]


def test_long_receipt_never_splits_a_paper_row_or_the_signatures(qapp: Any, tmp_path: pathlib.Path) -> None:
    papers: list[dict[str, Any]] = [
        {"name": f"Giấy tờ số {n} có tên dài để bảng sang trang thứ hai", "kind": "original", "copies": 1}
        for n in range(1, 31)
    ]
    path = forms.save_pdf(forms.receipt(make_dossier(documents=papers), CONTEXT), tmp_path / "long.pdf")
    pages = [pdf_text(path, number) for number in range(len(pypdf.PdfReader(path).pages))]
    assert len(pages) > 1
    for paper in papers:
        assert sum(paper["name"] in text for text in pages) == 1, paper["name"]
    signed = [text for text in pages if "NGƯỜI TIẾP NHẬN" in text]
    assert len(signed) == 1
    assert "Trần Văn Bình" in signed[0]
    assert "Tên giấy tờ" in pages[1]  # the heading row repeats on the next page


def test_long_tracking_book_repeats_heading_and_keeps_rows_whole(qapp: Any, tmp_path: pathlib.Path) -> None:
    dossiers = [
        make_dossier(f"000.00.25.H42-261121-{n:04d}", received_at=f"2026-11-21T08:{n:02d}:00+07:00")
        for n in range(1, 41)
    ]
    document = forms.tracking_book(dossiers, CONTEXT, start=dt.date(2026, 11, 21), end=dt.date(2026, 11, 21))
    path = forms.save_pdf(document, tmp_path / "book.pdf")
    pages = [pdf_text(path, number) for number in range(len(pypdf.PdfReader(path).pages))]
    assert len(pages) > 1
    assert all("Tên thủ tục hành chính" in text for text in pages)
    for dossier in dossiers:
        # The row's code and its received time are on the same page.
        assert [dossier["code"] in text for text in pages] == [
            f"{dossier['received_at'][11:16]} 21/11/2026" in text for text in pages
        ]
