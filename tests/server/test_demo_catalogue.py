"""Shape and invariants of the demo catalogue that `qms-server seed-demo` loads."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CATALOGUE_PATH = Path(__file__).resolve().parent.parent.parent / "server" / "demo_catalogue.json"

ID_CODE = re.compile(r"^000\.\d{2}\.25\.H42$")
PROCEDURE_CODE = re.compile(r"^[123]\.\d{6}$")
HHMM = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$")
KINDS = {"original", "certified_copy", "photocopy"}
ONLINE_LEVELS = {"toan_trinh", "mot_phan", None}
PRIORITY_POLICIES = {"strict", "one_in_n"}

CENTRE_KEYS = {
    "code",
    "name",
    "short_name",
    "address",
    "phone",
    "agency_code",
    "office_hours",
}
AGENCY_KEYS = {"code", "name", "id_code", "fields"}
FIELD_KEYS = {"code", "name", "procedures"}
PROCEDURE_KEYS = {
    "code",
    "name",
    "processing_days",
    "fee",
    "fee_note",
    "online_level",
    "sets",
    "cutoff",
    "documents",
}
DOCUMENT_KEYS = {"name", "kind", "copies"}
SERVICE_KEYS = {
    "code",
    "letter",
    "name",
    "number_width",
    "priority_policy",
    "priority_every",
    "default_service_minutes",
    "field_codes",
}
COUNTER_KEYS = {"number", "name", "agency_code", "service_codes", "display_address"}


@pytest.fixture(scope="module")
def raw() -> bytes:
    return CATALOGUE_PATH.read_bytes()


@pytest.fixture(scope="module")
def cat(raw: bytes) -> dict[str, Any]:
    data = json.loads(raw.decode("utf-8"))
    assert isinstance(data, dict)
    return data


def _fields(cat: dict[str, Any]) -> list[dict[str, Any]]:
    return [field for agency in cat["agencies"] for field in agency["fields"]]


def _procedures(cat: dict[str, Any]) -> list[dict[str, Any]]:
    return [proc for field in _fields(cat) for proc in field["procedures"]]


def _strings(node: Any) -> Iterator[str]:
    """Every string in the document, keys included."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _non_empty_str(value: Any) -> bool:
    return isinstance(value, str) and value.strip() == value and value != ""


# --- the file itself -----------------------------------------------------------------------


def test_file_is_utf8_with_real_characters_and_two_space_indent(raw: bytes, cat: dict[str, Any]) -> None:
    text = raw.decode("utf-8")
    assert "\\u" not in text, "write real characters, not \\u escapes"
    assert text == json.dumps(cat, ensure_ascii=False, indent=2) + "\n"


def test_top_level_keys(cat: dict[str, Any]) -> None:
    assert set(cat) == {"centre", "priority_groups", "agencies", "services", "counters"}


def test_every_string_is_nfc_and_trimmed(cat: dict[str, Any]) -> None:
    bad = [s for s in _strings(cat) if not unicodedata.is_normalized("NFC", s)]
    assert bad == []
    untrimmed = [s for s in _strings(cat) if s != s.strip() or "  " in s]
    assert untrimmed == []


@pytest.mark.parametrize("char", ["Đ", "ế", "ữ", "ợ"])
def test_full_vietnamese_diacritics_present(cat: dict[str, Any], char: str) -> None:
    assert any(char in s for s in _strings(cat))


# --- centre and priority groups ------------------------------------------------------------


def test_centre(cat: dict[str, Any]) -> None:
    centre = cat["centre"]
    assert set(centre) == CENTRE_KEYS
    assert all(_non_empty_str(v) for v in centre.values())
    assert centre["code"] == "PVHCC-PT"
    assert centre["name"] == "Trung tâm Phục vụ hành chính công tỉnh Phú Thọ"
    assert centre["address"].endswith("phường Việt Trì, tỉnh Phú Thọ")
    assert centre["phone"].startswith("0210 ")
    assert ID_CODE.match(centre["agency_code"])
    spans = centre["office_hours"].split(",")
    assert spans
    for span in spans:
        start, end = span.split("-")
        assert HHMM.match(start) and HHMM.match(end) and start < end


def test_priority_groups(cat: dict[str, Any]) -> None:
    groups = cat["priority_groups"]
    assert [g["code"] for g in groups] == [
        "elderly",
        "disabled",
        "pregnant",
        "merit",
        "small_child",
    ]
    for group in groups:
        assert set(group) == {"code", "name"}
        assert _non_empty_str(group["name"])


# --- agencies, fields, procedures ----------------------------------------------------------


def test_agencies(cat: dict[str, Any]) -> None:
    agencies = cat["agencies"]
    assert len(agencies) >= 10
    for agency in agencies:
        assert set(agency) == AGENCY_KEYS
        assert _non_empty_str(agency["code"]) and _non_empty_str(agency["name"])
        assert ID_CODE.match(agency["id_code"]), agency["id_code"]
        assert agency["fields"], agency["code"]
    id_codes = [a["id_code"] for a in agencies] + [cat["centre"]["agency_code"]]
    assert len(set(id_codes)) == len(id_codes), "id_code NN must be distinct (and differ from the centre's)"
    names = [a["name"] for a in agencies]
    assert len(set(names)) == len(names)


def test_post_2025_merged_agency_names(cat: dict[str, Any]) -> None:
    names = {a["name"] for a in cat["agencies"]}
    for expected in (
        "Sở Tư pháp",
        "Công an tỉnh",
        "Sở Xây dựng",
        "Sở Tài chính",
        "Sở Nông nghiệp và Môi trường",
        "Sở Công Thương",
        "Sở Y tế",
        "Sở Giáo dục và Đào tạo",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở Nội vụ",
        "Sở Khoa học và Công nghệ",
    ):
        assert expected in names
    for gone in (
        "Sở Kế hoạch và Đầu tư",
        "Sở Tài nguyên và Môi trường",
        "Sở Giao thông vận tải",
        "Sở Lao động - Thương binh và Xã hội",
        "Sở Thông tin và Truyền thông",
    ):
        assert gone not in names


def test_fields(cat: dict[str, Any]) -> None:
    for field in _fields(cat):
        assert set(field) == FIELD_KEYS
        assert _non_empty_str(field["code"]) and _non_empty_str(field["name"])
        assert field["procedures"], field["code"]


def test_procedures(cat: dict[str, Any]) -> None:
    procedures = _procedures(cat)
    assert len(procedures) >= 40
    for proc in procedures:
        where = proc.get("code")
        assert set(proc) == PROCEDURE_KEYS, where
        assert PROCEDURE_CODE.match(proc["code"]), where
        assert _non_empty_str(proc["name"]), where
        assert _is_number(proc["processing_days"]) and proc["processing_days"] >= 0, where
        assert (proc["processing_days"] * 2) == int(proc["processing_days"] * 2), "whole or half days"
        assert _is_int(proc["fee"]) and proc["fee"] >= 0, where
        assert proc["fee_note"] is None or _non_empty_str(proc["fee_note"]), where
        assert proc["online_level"] in ONLINE_LEVELS, where
        assert _is_int(proc["sets"]) and proc["sets"] >= 1, where
        assert proc["cutoff"] is None or HHMM.match(proc["cutoff"]), where
        assert 1 <= len(proc["documents"]) <= 6, where
        for doc in proc["documents"]:
            assert set(doc) == DOCUMENT_KEYS, where
            assert _non_empty_str(doc["name"]), where
            assert doc["kind"] in KINDS, where
            assert _is_int(doc["copies"]) and doc["copies"] >= 1, where


def test_procedure_variety(cat: dict[str, Any]) -> None:
    procedures = _procedures(cat)
    days = Counter(p["processing_days"] for p in procedures)
    assert days[0.5] >= 1 and days[0] >= 1
    for common in (3, 5, 10, 15, 20):
        assert days[common] >= 1, common
    assert sum(1 for p in procedures if p["fee"] == 0) >= 1
    assert sum(1 for p in procedures if p["cutoff"] == "15:00") >= 2
    assert {p["online_level"] for p in procedures} == ONLINE_LEVELS
    assert {d["kind"] for p in procedures for d in p["documents"]} == KINDS


def test_known_procedures(cat: dict[str, Any]) -> None:
    by_name = {p["name"]: p for p in _procedures(cat)}
    lltp = by_name[
        "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam"
    ]
    assert lltp["fee"] == 200000
    assert by_name["Cấp đổi giấy phép lái xe do ngành Giao thông vận tải cấp"]["fee"] == 135000
    assert any(name.startswith("Chứng thực bản sao từ bản chính") for name in by_name)


def test_codes_unique_across_the_whole_file(cat: dict[str, Any]) -> None:
    codes = (
        [cat["centre"]["code"]]
        + [g["code"] for g in cat["priority_groups"]]
        + [a["code"] for a in cat["agencies"]]
        + [f["code"] for f in _fields(cat)]
        + [p["code"] for p in _procedures(cat)]
        + [s["code"] for s in cat["services"]]
    )
    dupes = [code for code, n in Counter(codes).items() if n > 1]
    assert dupes == []


# --- services and counters -----------------------------------------------------------------


def test_services(cat: dict[str, Any]) -> None:
    services = cat["services"]
    assert len(services) == 6
    assert sorted(s["letter"] for s in services) == list("ABCDEF")
    for svc in services:
        assert set(svc) == SERVICE_KEYS
        assert _non_empty_str(svc["code"]) and _non_empty_str(svc["name"])
        assert _is_int(svc["number_width"]) and 2 <= svc["number_width"] <= 4
        assert svc["priority_policy"] in PRIORITY_POLICIES
        if svc["priority_policy"] == "one_in_n":
            assert _is_int(svc["priority_every"]) and svc["priority_every"] >= 2
        else:
            assert svc["priority_every"] is None or _is_int(svc["priority_every"])
        assert _is_int(svc["default_service_minutes"]) and svc["default_service_minutes"] > 0
        assert svc["field_codes"], svc["code"]


def test_every_field_covered_by_exactly_one_service(cat: dict[str, Any]) -> None:
    field_codes = [f["code"] for f in _fields(cat)]
    covered = Counter(code for svc in cat["services"] for code in svc["field_codes"])
    assert set(covered) <= set(field_codes), "services name unknown fields"
    assert {code: covered[code] for code in field_codes} == dict.fromkeys(field_codes, 1)


def test_counters(cat: dict[str, Any]) -> None:
    counters = cat["counters"]
    assert [c["number"] for c in counters] == list(range(1, 9))
    agency_codes = {a["code"] for a in cat["agencies"]}
    service_codes = {s["code"] for s in cat["services"]}
    for counter in counters:
        assert set(counter) == COUNTER_KEYS
        assert _non_empty_str(counter["name"])
        assert counter["agency_code"] in agency_codes
        assert 1 <= len(counter["service_codes"]) <= 3
        assert len(set(counter["service_codes"])) == len(counter["service_codes"])
        assert set(counter["service_codes"]) <= service_codes
        assert _is_int(counter["display_address"]) and 1 <= counter["display_address"] <= 8
    addresses = [c["display_address"] for c in counters]
    assert len(set(addresses)) == len(addresses)


def test_every_service_served_by_a_counter(cat: dict[str, Any]) -> None:
    served = {code for counter in cat["counters"] for code in counter["service_codes"]}
    assert served == {s["code"] for s in cat["services"]}
