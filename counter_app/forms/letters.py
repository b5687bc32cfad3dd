"""Mẫu 01-04 of Circular 03/2025/TT-VPCP (carried over from Circular 01/2018), one template each."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import qrcode
import qrcode.constants
from PySide6 import QtGui

from counter_app.forms import page, values
from counter_app.forms.page import FormContext, line, para
from onestop import formatting

# The number suffixes the forms carry after the dossier code ("Số: <code>/TNHS").
RECEIPT_SUFFIX = "TNHS"  # tiếp nhận hồ sơ
SUPPLEMENT_SUFFIX = "HDHS"  # hướng dẫn (bổ sung) hồ sơ
REFUSAL_SUFFIX = "TCHS"  # từ chối hồ sơ
EXTENSION_SUFFIX = "XLHS"  # xin lỗi, hẹn lại
QR_CAPTION = "Quét mã để tra cứu hồ sơ"
QR_MM = 30


def receipt(dossier: dict[str, Any], context: FormContext) -> QtGui.QTextDocument:
    """Mẫu 01, Giấy tiếp nhận hồ sơ và hẹn trả kết quả, with a QR code of the dossier's page.

    The processing time is read from ``dossier["processing_days"]`` (the procedure's, which
    DossierOut does not carry: the counter adds it); without it the line is left blank.
    """
    document = page.new_document()
    code = dossier["code"]
    received = values.moment(dossier["received_at"])
    qr_src = page.add_image(document, "qr", qr_image(context.status_link(dossier)))
    body = [
        page.header(document, context, f"{values.esc(code)}/{RECEIPT_SUFFIX}"),
        page.date_line(context.place, received.date() if received else values.today()),
        page.title("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
        _code_and_qr(code, qr_src, _receipt_parties(dossier, context)),
        *_receipt_items(dossier, context),
        page.signatures(
            page.signature_cell("NGƯỜI NỘP HỒ SƠ", values.applicant(dossier).get("full_name", "")),
            page.signature_cell("NGƯỜI TIẾP NHẬN", context.officer_name),
        ),
    ]
    return page.finish(
        document, "".join(body), title=f"Mẫu 01 - Giấy tiếp nhận hồ sơ và hẹn trả kết quả - {code}"
    )


def qr_image(payload: str) -> QtGui.QImage:
    """The QR code (qrcode library, error correction M, 4-module quiet zone) as a QImage."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(payload)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    image = QtGui.QImage.fromData(buffer.getvalue())
    if image.isNull():
        raise ValueError("the QR code could not be turned into an image")
    return image


def _code_and_qr(code: str, qr_src: str, parties: str) -> str:
    # The dossier code and the parties on the left, the QR code (and what it is for) on the right.
    qr = (
        f'<p align="center" style="margin:0"><img src="{qr_src}" width="{page.mm(QR_MM):.0f}" '
        f'height="{page.mm(QR_MM):.0f}"></p>'
        f'<p align="center" style="margin:0; font-size:8pt"><i>{QR_CAPTION}</i></p>'
    )
    return (
        '<table width="100%" cellspacing="0" cellpadding="0"><tr>'
        f'<td width="78%" valign="top">{line("Mã hồ sơ", code, bold_value=True)}{parties}</td>'
        f'<td width="22%" valign="top" align="right">{qr}</td></tr></table>'
    )


def _receipt_parties(dossier: dict[str, Any], context: FormContext) -> str:
    return (
        para(f"{values.esc(_unit_name(context))} tiếp nhận hồ sơ của:")
        + _applicant_lines(values.applicant(dossier))
        + _representative_lines(dossier.get("representative"))
        + line("Nội dung yêu cầu giải quyết", dossier.get("procedure_name"), bold_value=True)
    )


def _receipt_items(dossier: dict[str, Any], context: FormContext) -> list[str]:
    code = dossier["code"]
    received = values.moment(dossier["received_at"])
    fee = int(dossier.get("fee_collected") or 0)
    days = dossier.get("processing_days")
    due = values.esc(values.date_time(dossier["due_at"]))
    where = values.return_name(dossier.get("return_method"))
    if dossier.get("return_method") == "counter" and context.centre_address:
        where = f"{where} ({context.centre_address})"
    return [
        para("1. Thành phần hồ sơ nộp gồm:"),
        _papers(dossier.get("documents") or []),
        para(f"2. Số lượng hồ sơ: {values.esc(dossier.get('sets') or 1)} bộ"),
        para(f"3. Thời gian giải quyết hồ sơ theo quy định: {values.esc(_days(days))}"),
        para(f"4. Thời gian nhận hồ sơ: {values.esc(values.date_time(dossier['received_at']))}"),
        para(f"5. Thời gian trả kết quả giải quyết hồ sơ: <b>{due}</b>"),
        para(f"6. Nơi nhận kết quả: {values.esc(where)}"),
        para(f"Phí, lệ phí đã nộp: {formatting.money(fee)}") if fee > 0 else "",
        para(
            f"Vào Sổ theo dõi hồ sơ: Quyển số {received.year if received else values.BLANK}, "
            f"Số thứ tự {values.esc(values.sequence(code))}"
        ),
        _contact(context),
    ]


def _days(days: object) -> str | None:
    return None if days is None else formatting.working_days(float(str(days)))


def _contact(context: FormContext) -> str:
    if not context.centre_phone:
        return ""
    return para(f"<i>Mọi thắc mắc xin liên hệ số điện thoại: {values.esc(context.centre_phone)}</i>")


def _papers(documents: list[dict[str, Any]]) -> str:
    rows: list[tuple[object, ...]] = [
        (number, paper.get("name"), values.kind_name(paper.get("kind", "")), paper.get("copies"))
        for number, paper in enumerate(documents, start=1)
    ]
    return page.papers_table(rows, ("STT", "Tên giấy tờ", "Hình thức", "Số lượng"), (8, 56, 24, 12))


def _applicant_lines(person: dict[str, Any]) -> str:
    organisation = values.is_organisation(person)
    lines = [
        line("Tổ chức" if organisation else "Ông/Bà", person.get("full_name"), bold_value=True),
        line(
            "Mã số thuế/Mã số doanh nghiệp" if organisation else "Số định danh cá nhân",
            person.get("id_number"),
        ),
        line("Địa chỉ", person.get("address")),
        line("Số điện thoại", person.get("phone")),
    ]
    if person.get("email"):
        lines.append(line("Email", person["email"]))
    return "".join(lines)


def _representative_lines(person: dict[str, Any] | None) -> str:
    if not person:
        return ""
    details = [f"Số định danh cá nhân: {values.esc(person.get('id_number'))}"]
    if person.get("phone"):
        details.append(f"Số điện thoại: {values.esc(person['phone'])}")
    if person.get("authorisation"):
        details.append(f"Giấy ủy quyền: {values.esc(person['authorisation'])}")
    return line("Người được ủy quyền", person.get("full_name"), bold_value=True) + para("; ".join(details))


def _unit_name(context: FormContext) -> str:
    # In running text the unit reads as it is written ("Trung tâm Phục vụ hành chính công tỉnh
    # Phú Thọ"); a name given in capitals only can but be put in sentence case.
    if context.unit != context.unit.upper():
        return context.unit
    return context.unit[:1].upper() + context.unit[1:].lower()


def _issued_on(context: FormContext) -> dt.date:
    return context.issued_on or values.today()


def supplement_request(dossier: dict[str, Any], context: FormContext) -> QtGui.QTextDocument:
    """Mẫu 02, Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ: every item to add or fix, the reason."""
    document = page.new_document()
    items: list[tuple[object, ...]] = [
        (
            number,
            item.get("name"),
            values.kind_name(item.get("kind", "")),
            item.get("copies"),
            item.get("note") or "",
        )
        for number, item in enumerate(dossier.get("supplement_items") or [], start=1)
    ]
    unit = values.esc(_unit_name(context))
    body = [
        page.header(document, context, f"{values.esc(dossier['code'])}/{SUPPLEMENT_SUFFIX}"),
        page.date_line(context.place, _issued_on(context)),
        page.title("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
        line("Mã hồ sơ", dossier["code"], bold_value=True),
        para(f"Hồ sơ của: <b>{values.esc(values.applicant(dossier).get('full_name'))}</b>"),
        line("Nội dung yêu cầu giải quyết", dossier.get("procedure_name"), bold_value=True),
        para(
            f"Sau khi nghiên cứu, đối chiếu với quy định hiện hành, {unit} đề nghị Ông/Bà "
            "bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:"
        ),
        page.papers_table(
            items,
            ("STT", "Giấy tờ cần bổ sung, hoàn thiện", "Hình thức", "Số lượng", "Ghi chú"),
            (7, 40, 19, 10, 24),
            left=(1, 4),
        ),
        line("Lý do", dossier.get("reason")),
        para(
            "Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, Ông/Bà liên hệ với "
            f"{values.esc(context.officer_name)}, số điện thoại {values.esc(context.officer_phone)} "
            "để được hướng dẫn."
        ),
        page.signatures("", page.signature_cell("NGƯỜI HƯỚNG DẪN", context.officer_name)),
    ]
    return page.finish(
        document, "".join(body), title=f"Mẫu 02 - Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ - {dossier['code']}"
    )


def refusal(dossier: dict[str, Any], context: FormContext) -> QtGui.QTextDocument:
    """Mẫu 03, Phiếu từ chối tiếp nhận giải quyết hồ sơ, with the specific reason."""
    document = page.new_document()
    person = values.applicant(dossier)
    organisation = values.is_organisation(person)
    body = [
        page.header(document, context, f"{values.esc(dossier['code'])}/{REFUSAL_SUFFIX}"),
        page.date_line(context.place, _issued_on(context)),
        page.title("PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
        para(f"{values.esc(_unit_name(context))} tiếp nhận hồ sơ của:"),
        line("Tổ chức" if organisation else "Ông/Bà", person.get("full_name"), bold_value=True),
        line(
            "Mã số thuế/Mã số doanh nghiệp" if organisation else "Số định danh cá nhân",
            person.get("id_number"),
        ),
        line("Mã hồ sơ", dossier.get("code")),
        line("Nội dung yêu cầu giải quyết", dossier.get("procedure_name"), bold_value=True),
        para(
            "Căn cứ quy định hiện hành, cơ quan, đơn vị từ chối tiếp nhận, giải quyết hồ sơ này "
            "với lý do cụ thể như sau:"
        ),
        para(f"<b>{values.esc(dossier.get('reason'))}</b>", indent=True),
        para("Xin thông báo cho Ông/Bà được biết và thực hiện./."),
        page.signatures(
            page.signature_cell("NGƯỜI NỘP HỒ SƠ", person.get("full_name", "")),
            page.signature_cell("NGƯỜI TIẾP NHẬN", context.officer_name),
        ),
    ]
    return page.finish(
        document,
        "".join(body),
        title=f"Mẫu 03 - Phiếu từ chối tiếp nhận giải quyết hồ sơ - {dossier['code']}",
    )


def extension(dossier: dict[str, Any], context: FormContext) -> QtGui.QTextDocument:
    """Mẫu 04, Phiếu xin lỗi và hẹn lại ngày trả kết quả: the original and the new due time."""
    document = page.new_document()
    person = values.applicant(dossier)
    received = values.moment(dossier.get("received_at"))
    original = dossier.get("original_due_at") or dossier.get("due_at")
    new_due = values.esc(values.date_time(dossier.get("due_at")))
    unit = values.esc(_unit_name(context))
    body = [
        page.header(document, context, f"{values.esc(dossier['code'])}/{EXTENSION_SUFFIX}"),
        page.date_line(context.place, _issued_on(context)),
        page.title("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"),
        f'<p align="center" style="margin:0">Kính gửi: <b>{values.esc(person.get("full_name"))}</b></p>',
        para(
            f"Ngày {values.esc(formatting.date(received) if received else None)}, {unit} tiếp nhận "
            f"hồ sơ đề nghị giải quyết thủ tục <b>{values.esc(dossier.get('procedure_name'))}</b> "
            f"do {values.esc(dossier.get('agency_name'))} giải quyết.",
            indent=True,
        ),
        line("Số định danh cá nhân", person.get("id_number")),
        line("Mã hồ sơ", dossier.get("code"), bold_value=True),
        line("Thời hạn trả kết quả giải quyết hồ sơ", values.date_time(original)),
        para(
            "Tuy nhiên đến nay, cơ quan, đơn vị chưa trả kết quả giải quyết hồ sơ của Ông/Bà. "
            f"Lý do: {values.esc(dossier.get('extension_reason'))}",
            indent=True,
        ),
        para(
            f"Sự chậm trễ này đã gây phiền hà cho Ông/Bà. {unit} xin lỗi Ông/Bà và sẽ trả kết quả "
            f"giải quyết hồ sơ cho Ông/Bà vào <b>{page.nowrap(new_due)}</b>.",
            indent=True,
        ),
        para("Xin trân trọng cảm ơn!", indent=True),
        page.signatures(
            "",
            page.signature_cell("THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", "", note="(Ký, ghi rõ họ tên và đóng dấu)"),
        ),
    ]
    return page.finish(
        document,
        "".join(body),
        title=f"Mẫu 04 - Phiếu xin lỗi và hẹn lại ngày trả kết quả - {dossier['code']}",
    )
