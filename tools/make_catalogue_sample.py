"""Write tests/server/data/catalogue-sample.xlsx: a small province catalogue as the admin would
load it (POST /api/v1/admin/catalogue), in the spreadsheet layout the server exports.

It adds to the demo catalogue: the industrial parks' management board with two fields and
five procedures, one more construction procedure under an existing field (Sở Xây dựng), a
queue service and a counter for them, and one more priority group.

Usage: .venv/bin/python tools/make_catalogue_sample.py [output.xlsx]
"""

from __future__ import annotations

import pathlib
import sys
from typing import Any

from server import catalogue_xlsx

OUTPUT = (
    pathlib.Path(__file__).resolve().parent.parent / "tests" / "server" / "data" / "catalogue-sample.xlsx"
)
ID_CARD = "Bản chụp Thẻ căn cước hoặc Thẻ căn cước công dân hoặc Hộ chiếu còn giá trị sử dụng"


def _paper(name: str, kind: str = "original", copies: int = 1) -> dict[str, Any]:
    return {"name": name, "kind": kind, "copies": copies}


def _procedure(code: str, name: str, days: float, fee: int, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "processing_days": days,
        "fee": fee,
        "fee_note": extra.get("fee_note"),
        "online_level": extra.get("online_level"),
        "sets": extra.get("sets", 1),
        "cutoff": extra.get("cutoff"),
        "documents": extra.get("documents", []),
    }


INVESTMENT = [
    _procedure(
        "1.009735",
        "Cấp Giấy chứng nhận đăng ký đầu tư đối với dự án không thuộc diện chấp thuận chủ trương đầu tư",
        15,
        0,
        online_level="mot_phan",
        documents=[
            _paper("Văn bản đề nghị thực hiện dự án đầu tư (Mẫu A.I.1)"),
            _paper("Đề xuất dự án đầu tư (Mẫu A.I.3)"),
            _paper("Bản sao giấy tờ pháp lý của nhà đầu tư", "certified_copy"),
            _paper("Báo cáo tài chính 02 năm gần nhất của nhà đầu tư", "photocopy"),
        ],
    ),
    _procedure(
        "1.009736",
        "Điều chỉnh Giấy chứng nhận đăng ký đầu tư trong trường hợp điều chỉnh tên dự án, "
        "tên và địa chỉ nhà đầu tư",
        3,
        0,
        online_level="toan_trinh",
        documents=[
            _paper("Văn bản đề nghị điều chỉnh dự án đầu tư (Mẫu A.I.11)"),
            _paper("Tài liệu liên quan đến việc thay đổi tên, địa chỉ nhà đầu tư", "certified_copy"),
        ],
    ),
    _procedure(
        "1.000459",
        "Cấp Giấy xác nhận ưu đãi dự án sản xuất sản phẩm công nghiệp hỗ trợ",
        10,
        0,
        sets=2,
        documents=[_paper("Đơn đề nghị xác nhận ưu đãi (theo mẫu)"), _paper(ID_CARD, "photocopy")],
    ),
]
LABOUR = [
    _procedure(
        "2.000205",
        "Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại doanh nghiệp "
        "trong khu công nghiệp",
        5,
        600_000,
        fee_note="600.000 đ/giấy phép; cấp lại: 450.000 đ/giấy phép",
        online_level="toan_trinh",
        documents=[
            _paper("Văn bản đề nghị cấp giấy phép lao động (Mẫu số 11/PLI)"),
            _paper("Giấy chứng nhận sức khỏe còn hiệu lực", "certified_copy"),
            _paper("Ảnh màu cỡ 4 cm x 6 cm, nền trắng, chụp không quá 06 tháng", copies=2),
        ],
    ),
    _procedure(
        "2.001955",
        "Đăng ký nội quy lao động của doanh nghiệp trong khu công nghiệp",
        0.5,
        0,
        cutoff="15:00",
        documents=[
            _paper("Văn bản đề nghị đăng ký nội quy lao động"),
            _paper("Nội quy lao động của doanh nghiệp"),
        ],
    ),
]
BUILDING = [
    _procedure(
        "1.009974",
        "Cấp giấy phép sửa chữa, cải tạo đối với công trình cấp đặc biệt, cấp I, cấp II",
        20,
        150_000,
        fee_note="Lệ phí cấp giấy phép xây dựng theo Nghị quyết của Hội đồng nhân dân tỉnh Phú Thọ",
        online_level="mot_phan",
        cutoff="16:00",
        documents=[
            _paper("Đơn đề nghị cấp giấy phép sửa chữa, cải tạo công trình (Mẫu số 01)"),
            _paper("Giấy tờ chứng minh quyền sử dụng đất", "certified_copy"),
            _paper("Bản vẽ hiện trạng của bộ phận, hạng mục công trình sửa chữa, cải tạo", copies=2),
        ],
    ),
]

DOCUMENT: dict[str, Any] = {
    "priority_groups": [{"code": "veteran", "name": "Cựu chiến binh"}],
    "agencies": [
        {
            "code": "BQLKCN",
            "name": "Ban Quản lý các khu công nghiệp tỉnh Phú Thọ",
            "id_code": "000.16.25.H42",
            "fields": [
                {"code": "BQLKCN-DT", "name": "Đầu tư tại khu công nghiệp", "procedures": INVESTMENT},
                {"code": "BQLKCN-LD", "name": "Lao động trong khu công nghiệp", "procedures": LABOUR},
            ],
        },
    ],
    "services": [
        {
            "code": "K",
            "letter": "K",
            "name": "Khu công nghiệp – Đầu tư, Lao động",
            "number_width": 3,
            "priority_policy": "strict",
            "priority_every": 3,
            "default_service_minutes": 12,
            "active": True,
            "field_codes": ["BQLKCN-DT", "BQLKCN-LD"],
        }
    ],
    "counters": [
        {
            "number": 9,
            "name": "Quầy số 9 – Khu công nghiệp",
            "agency_code": "BQLKCN",
            "display_address": 9,
            "service_codes": ["K"],
        }
    ],
}


def build() -> bytes:
    rows = catalogue_xlsx.rows_of(DOCUMENT)
    # The construction procedure sits in a field the server knows already (SXD-HDXD): a
    # "Thủ tục" row may name any existing field without repeating it on "Lĩnh vực".
    rows["procedures"] += [{**proc, "field_code": "SXD-HDXD"} for proc in BUILDING]
    rows["documents"] += [{**d, "procedure_code": p["code"]} for p in BUILDING for d in p["documents"]]
    return catalogue_xlsx.write_rows(rows)


def main() -> int:
    target = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(build())
    print(f"Đã ghi {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
