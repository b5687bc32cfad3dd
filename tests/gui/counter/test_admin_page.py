"""The administration screen (catalogue, counters, users, devices, calendar) against a real
server, signed in as admin; the editor's widgets and the import summaries on their own first."""

from __future__ import annotations

import collections.abc
import dataclasses
import json
import pathlib
from typing import Any

import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from apiclient import client, errors
from counter_app import window
from counter_app.views.admin import catalogue_io, dialogs, form, kinds, page
from onestop import errors as domain_errors
from qtkit import tasks
from tests import live

WAIT_MS = 8000
LOOKUPS: kinds.Lookups = {
    "agencies": [{"id": 1, "code": "STP", "name": "Sở Tư pháp", "id_code": ""}],
    "fields": [
        {"id": 1, "agency_id": 1, "code": "STP-LLTP", "name": "Lý lịch tư pháp"},
        {"id": 2, "agency_id": 1, "code": "STP-CT", "name": "Chứng thực"},
    ],
    "centres": [{"id": 1, "code": "PT", "name": "Trung tâm Phú Thọ", "short_name": "TTPVHCC Phú Thọ"}],
    "services": [
        {"id": 1, "letter": "A", "name": "Tư pháp"},
        {"id": 2, "letter": "B", "name": "Đất đai"},
        {"id": 3, "letter": "C", "name": "Kinh doanh"},
    ],
}


# ------------------------------------------------------------ the editor on its own


def editor(qtbot, key: str, row: kinds.Row | None = None) -> form.EditorDialog:
    dialog = form.EditorDialog(kinds.KINDS[key], LOOKUPS, row)
    qtbot.addWidget(dialog)
    return dialog


def test_a_procedure_shows_names_money_and_papers(qtbot):
    row = {
        "id": 7,
        "field_id": 2,
        "code": "2.000815",
        "name": "Chứng thực bản sao từ bản chính",
        "processing_days": 0.5,
        "fee": 200000,
        "fee_note": None,
        "online_level": "mot_phan",
        "sets": 1,
        "cutoff": "15:00",
        "documents": [{"name": "Bản chính giấy tờ", "kind": "original", "copies": 1}],
    }
    dialog = editor(qtbot, "procedures", row)
    assert dialog.windowTitle() == "Sửa thủ tục"
    assert dialog.editors["field_id"].combo.currentText() == "Chứng thực"
    assert dialog.editors["fee"].spin.text() == "200.000 đ"
    assert dialog.editors["processing_days"].spin.text() == "0,50"
    assert dialog.editors["online_level"].combo.currentText() == "Một phần"
    papers = dialog.editors["documents"]
    papers.add.click()
    papers.table.item(1, 0).setText("Tờ khai")
    papers.table.cellWidget(1, 1).setCurrentIndex(2)
    papers.table.cellWidget(1, 2).setValue(2)
    assert dialog.body() == {
        **{k: v for k, v in row.items() if k not in {"id", "documents"}},
        "documents": [
            {"name": "Bản chính giấy tờ", "kind": "original", "copies": 1},
            {"name": "Tờ khai", "kind": "photocopy", "copies": 2},
        ],
    }
    dialog.editors["cutoff"].edit.clear()
    dialog.editors["online_level"].combo.setCurrentIndex(0)
    assert (dialog.value("cutoff"), dialog.value("online_level")) == (None, None)


def test_a_counter_orders_its_services_and_may_have_no_agency(qtbot):
    row = {"id": 3, "centre_id": 1, "number": 3, "name": "Quầy số 3", "agency_id": None}
    dialog = editor(qtbot, "counters", {**row, "display_address": None, "service_ids": [3, 1]})
    services = dialog.editors["service_ids"]
    assert [services.list.item(i).text() for i in range(3)] == [
        "C — Kinh doanh",
        "A — Tư pháp",
        "B — Đất đai",
    ]
    assert dialog.value("service_ids") == [3, 1]
    services.list.setCurrentRow(1)
    services.up.click()
    services.check("B — Đất đai")
    assert dialog.value("service_ids") == [1, 3, 2]
    assert dialog.editors["agency_id"].combo.currentText() == "— Không —"
    assert dialog.editors["display_address"].spin.text() == "— Không —"
    assert (dialog.value("agency_id"), dialog.value("display_address")) == (None, None)


def test_a_password_is_masked_and_left_out_when_empty_on_update(qtbot):
    new = editor(qtbot, "users")
    assert new.editors["password"].edit.echoMode() == QtWidgets.QLineEdit.EchoMode.Password
    new.editors["password"].edit.setText("mat-khau-moi-1")
    assert new.body()["password"] == "mat-khau-moi-1"
    row = {"id": 2, "username": "canbo9", "full_name": "Lê Thị Chín", "role": "officer", "centre_id": 1}
    existing = editor(qtbot, "users", {**row, "active": True})
    assert existing.editors["password"].edit.text() == ""
    assert "password" not in existing.body()
    assert existing.body()["role"] == "officer"


def test_field_errors_show_under_their_fields_and_keep_the_typing(qtbot):
    dialog = editor(qtbot, "services")
    dialog.editors["letter"].edit.setText("a1")
    dialog.editors["name"].edit.setText("Dịch vụ thử")
    dialog.show()
    refusal = errors.InvalidRequest(
        [
            errors.FieldError("letter", "Chữ đầu số gồm 1 đến 4 chữ cái in hoa."),
            errors.FieldError("", "Mã dịch vụ đã có ở trung tâm này."),
        ]
    )
    dialog.show_failure(refusal)
    assert dialog.error_text("letter") == "Chữ đầu số gồm 1 đến 4 chữ cái in hoa."
    assert dialog.error_text("name") == ""
    assert dialog.banner.text() == "Mã dịch vụ đã có ở trung tâm này."
    assert (dialog.value("letter"), dialog.value("name")) == ("a1", "Dịch vụ thử")
    assert dialog.isVisible()
    dialog.show_failure(errors.ServerUnavailable())
    assert dialog.banner.text() == errors.UNAVAILABLE
    assert dialog.save.isEnabled()


def test_the_key_dialog_copies_the_key_and_warns_it_shows_once(qtbot):
    dialog = dialogs.KeyDialog("kiosk-3", "khoa-bi-mat-123")
    qtbot.addWidget(dialog)
    dialog.copy.click()
    assert QtGui.QGuiApplication.clipboard().text() == "khoa-bi-mat-123"
    assert dialog.key.isReadOnly()
    assert "chỉ hiện một lần" in dialog.findChild(QtWidgets.QLabel, "warning").text()


def test_import_summaries_and_problems_read_in_vietnamese():
    result = {
        "created": {"procedures": 2, "agencies": 0},
        "updated": {"procedures": 1},
        "unchanged": {"procedures": 61, "agencies": 12, "priority_groups": 5},
        "dry_run": True,
    }
    assert catalogue_io.summary_lines(result) == [
        "Nhóm ưu tiên: thêm 0, cập nhật 0, giữ nguyên 5",
        "Cơ quan: thêm 0, cập nhật 0, giữ nguyên 12",
        "Thủ tục: thêm 2, cập nhật 1, giữ nguyên 61",
    ]
    assert catalogue_io.changes(result) == 3
    sheet = "Trang «Thủ tục», dòng 5, cột «Lệ phí»: Phải lớn hơn hoặc bằng 0."
    assert catalogue_io.problem_line(errors.FieldError("Thủ tục.5.Lệ phí", sheet)) == sheet
    bare = errors.FieldError("fee", "Phải lớn hơn hoặc bằng 0.")
    assert catalogue_io.problem_line(bare) == "fee: Phải lớn hơn hoặc bằng 0."
    assert catalogue_io.content_type("D:/Danh mục.XLSX") == catalogue_io.CONTENT_TYPES[".xlsx"]
    assert catalogue_io.content_type("danh-muc.csv") is None


# ------------------------------------------------------------ the page against a real server


@dataclasses.dataclass
class Shown:
    """What the patched dialogs were asked to show (no modal box ever opens in the tests)."""

    notices: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    keys: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    confirmations: list[list[str]] = dataclasses.field(default_factory=list)
    problems: list[list[str]] = dataclasses.field(default_factory=list)
    save_to: str | None = None
    open_from: str | None = None
    confirm_import: bool = True


@pytest.fixture
def shown(monkeypatch) -> Shown:
    seen = Shown()
    monkeypatch.setattr(
        dialogs.Notice, "show", staticmethod(lambda _p, t, text: seen.notices.append((t, text)))
    )
    monkeypatch.setattr(dialogs.Confirm, "ask", staticmethod(lambda _p, _t, _text: True))
    monkeypatch.setattr(
        dialogs.KeyDialog, "show_key", staticmethod(lambda _p, n, k: seen.keys.append((n, k)))
    )
    monkeypatch.setattr(dialogs.Files, "save_path", staticmethod(lambda _p, _c, _s, _f: seen.save_to))
    monkeypatch.setattr(dialogs.Files, "open_path", staticmethod(lambda _p: seen.open_from))

    def confirm(_parent: object, lines: list[str]) -> bool:
        seen.confirmations.append(lines)
        return seen.confirm_import

    monkeypatch.setattr(dialogs.ImportConfirm, "ask", staticmethod(confirm))
    monkeypatch.setattr(dialogs.Problems, "show", staticmethod(lambda _p, lines: seen.problems.append(lines)))
    return seen


@pytest.fixture
def api(server: live.LiveServer) -> collections.abc.Iterator[client.Client]:
    with client.Client(server.base_url) as signed_in:
        signed_in.login("admin", live.PASSWORD)
        yield signed_in


@pytest.fixture
def admin(qtbot, qapp, api, shown) -> collections.abc.Iterator[page.AdminPage]:
    window.apply_theme(qapp)
    runner = tasks.Runner()
    screen = page.AdminPage(api, runner)
    qtbot.addWidget(screen, before_close_func=lambda _w: runner.close())
    screen.resize(1366, 768)
    screen.show()
    with qtbot.waitSignal(screen.loaded, timeout=WAIT_MS):
        screen.load()
    yield screen
    runner.close()


def show(qtbot, screen: page.AdminPage, key: str) -> None:
    with qtbot.waitSignal(screen.loaded, timeout=WAIT_MS, check_params_cb=lambda k: k == key):
        screen.show_kind(key)


def column(screen: page.AdminPage, title: str) -> list[str]:
    index = [c.title for c in screen.kind.columns].index(title)
    return [screen.table.item(row, index).text() for row in range(screen.table.rowCount())]


def open_editor(qtbot, screen: page.AdminPage, *, select: Any = None) -> form.EditorDialog:
    if select is None:
        screen.add.click()
    else:
        screen.select(select)
        screen.edit.click()
    qtbot.waitUntil(lambda: screen.editor is not None and screen.editor.isVisible(), timeout=WAIT_MS)
    assert screen.editor is not None
    return screen.editor


def save(qtbot, screen: page.AdminPage, dialog: form.EditorDialog) -> None:
    """Press Lưu and wait until the editor closed and the list was reloaded."""
    with qtbot.waitSignal(screen.loaded, timeout=WAIT_MS):
        dialog.save.click()
    assert screen.editor is None


def fill(dialog: form.EditorDialog, **values: Any) -> None:
    for key, value in values.items():
        dialog.set_value(key, value)


def row_id(rows: list[dict[str, Any]], **match: Any) -> Any:
    return next(r["id"] for r in rows if all(r.get(k) == v for k, v in match.items()))


def test_add_an_agency_a_field_and_a_procedure_through_the_dialogs(admin, qtbot, api):
    show(qtbot, admin, "agencies")
    dialog = open_editor(qtbot, admin)
    qtbot.keyClicks(dialog.editors["code"].edit, "BQLKCN")
    dialog.editors["name"].edit.setText("Ban Quản lý các khu công nghiệp")  # QTest types ASCII only
    save(qtbot, admin, dialog)
    assert "Ban Quản lý các khu công nghiệp" in column(admin, "Tên")
    assert admin.selected()["code"] == "BQLKCN"

    show(qtbot, admin, "fields")
    dialog = open_editor(qtbot, admin)
    agency = dialog.editors["agency_id"].combo
    agency.setCurrentIndex(agency.findText("Ban Quản lý các khu công nghiệp"))
    fill(dialog, code="BQL-LD", name="Lao động trong khu công nghiệp")
    save(qtbot, admin, dialog)
    assert admin.selected()["name"] == "Lao động trong khu công nghiệp"
    assert column(admin, "Cơ quan")[admin.shown.index(admin.selected())] == "Ban Quản lý các khu công nghiệp"

    show(qtbot, admin, "procedures")
    dialog = open_editor(qtbot, admin)
    field = dialog.editors["field_id"].combo
    field.setCurrentIndex(field.findText("Lao động trong khu công nghiệp"))
    fill(
        dialog,
        code="1.012345",
        name="Gia hạn giấy phép lao động cho người nước ngoài làm việc trong khu công nghiệp",
        processing_days=7.5,
        cutoff="15:00",
    )
    fee = dialog.editors["fee"].spin
    dialog.activateWindow()  # as the window manager does; keys and focus need an active window
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    fee.setFocus()
    fee.selectAll()
    qtbot.keyClicks(fee, "150000")
    qtbot.keyClick(fee, QtCore.Qt.Key.Key_Tab)  # on to the next field: the amount is regrouped
    assert (fee.value(), fee.text()) == (150000, "150.000 đ")
    dialog.editors["documents"].add_row({"name": "Văn bản đề nghị gia hạn", "kind": "original", "copies": 1})
    save(qtbot, admin, dialog)
    made = admin.selected()
    assert made["code"] == "1.012345"
    index = admin.shown.index(made)
    assert column(admin, "Lệ phí")[index] == "150.000 đ"
    assert column(admin, "Thời hạn")[index] == "7,5 ngày làm việc"
    assert column(admin, "Lĩnh vực")[index] == "Lao động trong khu công nghiệp"

    stored = api.admin_get("procedures", made["id"])
    assert (stored["fee"], float(stored["processing_days"]), stored["cutoff"][:5]) == (150000, 7.5, "15:00")
    assert stored["documents"] == [{"name": "Văn bản đề nghị gia hạn", "kind": "original", "copies": 1}]
    assert any(p["code"] == "1.012345" for p in api.procedures("gia han giay phep lao dong"))
    # Searched by code or by name, accents optional.
    admin.search.setText("gia han giay phep lao dong")
    assert [r["code"] for r in admin.shown] == ["1.012345"]
    admin.search.setText("1.012345")
    assert len(admin.shown) == 1


def test_edit_a_services_name(admin, qtbot, api):
    show(qtbot, admin, "services")
    service = next(s for s in admin.shown if s["letter"] == "A")
    dialog = open_editor(qtbot, admin, select=service["id"])
    assert dialog.value("letter") == "A"
    dialog.editors["name"].edit.setText("Tư pháp – Hộ tịch")
    save(qtbot, admin, dialog)
    assert "Tư pháp – Hộ tịch" in column(admin, "Tên")
    fresh = next(s for s in api.services() if s["id"] == service["id"])
    assert (fresh["name"], fresh["letter"]) == ("Tư pháp – Hộ tịch", "A")


def test_a_refused_field_shows_beside_it_and_keeps_what_was_typed(admin, qtbot, api):
    show(qtbot, admin, "services")
    service = next(s for s in admin.shown if s["letter"] == "A")
    dialog = open_editor(qtbot, admin, select=service["id"])
    dialog.editors["letter"].edit.setText("a1")
    dialog.editors["name"].edit.setText("Tên mới chưa lưu")
    dialog.save.click()
    qtbot.waitUntil(lambda: dialog.error_text("letter") != "", timeout=WAIT_MS)
    assert dialog.isVisible()
    assert admin.editor is dialog
    assert (dialog.value("letter"), dialog.value("name")) == ("a1", "Tên mới chưa lưu")
    assert dialog.error_text("name") == ""
    assert next(s for s in api.services() if s["id"] == service["id"])["letter"] == "A"

    dialog.editors["letter"].edit.setText("AB")
    save(qtbot, admin, dialog)
    assert next(s for s in api.services() if s["id"] == service["id"])["letter"] == "AB"


def test_a_refused_delete_says_why(admin, qtbot, shown):
    show(qtbot, admin, "agencies")
    justice = next(a for a in admin.shown if a["code"] == "STP")  # its fields and counters use it
    admin.select(justice["id"])
    admin.delete.click()
    qtbot.waitUntil(lambda: len(shown.notices) == 1, timeout=WAIT_MS)
    title, reason = shown.notices[0]
    assert title == "Không xoá được"
    assert reason
    assert admin.status.text() == reason
    assert any(a["code"] == "STP" for a in admin.shown)


def test_a_new_device_shows_its_key_once(admin, qtbot, server, shown):
    show(qtbot, admin, "devices")
    dialog = open_editor(qtbot, admin)
    fill(dialog, name="kiosk-3", kind="kiosk", centre_id=server.ids["centre"])
    save(qtbot, admin, dialog)
    assert len(shown.keys) == 1
    name, key = shown.keys[0]
    assert name == "kiosk-3"
    assert all("key" not in row for row in admin.shown)
    with client.Client(server.base_url, secret=key) as kiosk:
        kiosk.report_device_status()
        index = admin.shown.index(admin.selected())
        assert column(admin, "Lần cuối kết nối")[index] == "Chưa kết nối"

        admin.new_key.click()
        qtbot.waitUntil(lambda: len(shown.keys) == 2, timeout=WAIT_MS)
        with pytest.raises(errors.Unauthorized):
            kiosk.report_device_status()
        kiosk.secret = shown.keys[1][1]
        kiosk.report_device_status()


def test_a_new_user_signs_in_with_the_password_given(admin, qtbot, server, api):
    show(qtbot, admin, "users")
    dialog = open_editor(qtbot, admin)
    fill(dialog, username="canbo9", full_name="Lê Thị Chín", role="officer", centre_id=server.ids["centre"])
    dialog.editors["password"].edit.setText("ngan")
    dialog.save.click()
    qtbot.waitUntil(lambda: dialog.error_text("password") != "", timeout=WAIT_MS)
    dialog.editors["password"].edit.setText("mat-khau-chin-9")
    save(qtbot, admin, dialog)
    assert admin.selected()["username"] == "canbo9"
    with client.Client(server.base_url) as officer:
        assert officer.login("canbo9", "mat-khau-chin-9")["access_token"]

    dialog = open_editor(qtbot, admin, select=admin.selected()["id"])  # no new password: unchanged
    fill(dialog, full_name="Lê Thị Chín (Tư pháp)")
    save(qtbot, admin, dialog)
    with client.Client(server.base_url) as officer:
        officer.login("canbo9", "mat-khau-chin-9")


def test_export_then_import_of_the_same_file_changes_nothing(admin, qtbot, shown, tmp_path):
    shown.save_to = str(tmp_path / "danh-muc")  # the extension is added
    admin.export_json.click()
    qtbot.waitUntil(lambda: admin.status.text().startswith("Đã xuất"), timeout=WAIT_MS)
    exported = tmp_path / "danh-muc.json"
    json.loads(exported.read_text(encoding="utf-8"))
    shown.save_to = str(tmp_path / "danh-muc.xlsx")
    admin.export_xlsx.click()
    qtbot.waitUntil(lambda: (tmp_path / "danh-muc.xlsx").exists() and not admin.busy, timeout=WAIT_MS)
    assert (tmp_path / "danh-muc.xlsx").read_bytes()[:2] == b"PK"

    shown.open_from = str(exported)
    admin.import_button.click()
    qtbot.waitUntil(lambda: len(shown.notices) == 1, timeout=WAIT_MS)
    assert shown.confirmations == []
    assert "Không có gì thay đổi" in shown.notices[0][1]
    lines = admin.catalogue.last_summary
    assert any(line.startswith("Thủ tục: thêm 0, cập nhật 0, giữ nguyên ") for line in lines)
    assert all(", cập nhật 0," in line and ": thêm 0," in line for line in lines)


def test_an_import_asks_first_then_applies(admin, qtbot, shown, tmp_path, api):
    shown.save_to = str(tmp_path / "danh-muc.json")
    admin.export_json.click()
    qtbot.waitUntil(lambda: admin.status.text().startswith("Đã xuất"), timeout=WAIT_MS)
    path = pathlib.Path(shown.save_to)
    path.write_text(
        path.read_text(encoding="utf-8").replace("Sở Tư pháp", "Sở Tư pháp tỉnh Phú Thọ"), "utf-8"
    )
    show(qtbot, admin, "agencies")
    shown.open_from = str(path)
    with qtbot.waitSignal(admin.loaded, timeout=WAIT_MS):
        admin.import_button.click()
    assert len(shown.confirmations) == 1
    assert "Cơ quan: thêm 0, cập nhật 1, giữ nguyên 11" in shown.confirmations[0]
    assert "Sở Tư pháp tỉnh Phú Thọ" in column(admin, "Tên")
    assert any(a["name"] == "Sở Tư pháp tỉnh Phú Thọ" for a in api.agencies())


def test_a_bad_file_lists_its_problems_and_imports_nothing(admin, qtbot, shown, tmp_path, api):
    shown.save_to = str(tmp_path / "danh-muc.json")
    admin.export_json.click()
    qtbot.waitUntil(lambda: admin.status.text().startswith("Đã xuất"), timeout=WAIT_MS)
    path = pathlib.Path(shown.save_to)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["agencies"][0]["name"] = "Sở Tư pháp mới"
    document["agencies"][0]["fields"][0]["procedures"][0]["fee"] = -5
    path.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    shown.open_from = str(path)
    admin.import_button.click()
    qtbot.waitUntil(lambda: len(shown.problems) == 1, timeout=WAIT_MS)
    assert shown.confirmations == []
    assert any("-5" in line or "fee" in line or "Lệ phí" in line for line in shown.problems[0]), (
        shown.problems
    )
    assert all(a["name"] != "Sở Tư pháp mới" for a in api.agencies())

    shown.open_from = str(tmp_path / "rac.json")
    pathlib.Path(shown.open_from).write_bytes(b"\x00 khong phai json")
    admin.import_button.click()
    qtbot.waitUntil(lambda: len(shown.problems) == 2, timeout=WAIT_MS)
    assert shown.problems[1]


def test_the_editor_keeps_the_typing_while_the_server_is_away(admin, qtbot, server, api):
    show(qtbot, admin, "priority-groups")
    dialog = open_editor(qtbot, admin)
    fill(dialog, code="thuong-binh", name="Thương binh, bệnh binh")
    server.stop()
    try:
        dialog.save.click()
        qtbot.waitUntil(lambda: dialog.banner.text() == errors.UNAVAILABLE, timeout=WAIT_MS * 2)
        assert dialog.isVisible()
        assert dialog.value("name") == "Thương binh, bệnh binh"
    finally:
        server.start()
    save(qtbot, admin, dialog)
    assert "Thương binh, bệnh binh" in column(admin, "Tên")
    assert any(g["code"] == "thuong-binh" for g in api.admin_list("priority-groups"))


def test_a_row_deleted_meanwhile_reloads_the_list(admin, qtbot, api):
    show(qtbot, admin, "calendar")
    dialog = open_editor(qtbot, admin)
    fill(dialog, day="2026-12-26", working=True, note="Làm bù cho ngày 02/01/2027")
    save(qtbot, admin, dialog)
    assert column(admin, "Ngày")[admin.shown.index(admin.selected())] == "Thứ Bảy, 26/12/2026"
    dialog = open_editor(qtbot, admin, select="2026-12-26")
    assert not dialog.editors["day"].widget.isEnabled()
    api.admin_delete("calendar", "2026-12-26")
    fill(dialog, note="Đổi ghi chú")
    with qtbot.waitSignal(admin.loaded, timeout=WAIT_MS):
        dialog.save.click()
    assert dialog.isVisible()
    assert "danh sách đã được tải lại" in dialog.banner.text()
    assert all(r["id"] != "2026-12-26" for r in admin.shown)


def test_a_user_taken_out_of_use_can_no_longer_sign_in(admin, qtbot, server):
    show(qtbot, admin, "users")
    officer = next(u for u in admin.shown if u["username"] == "canbo2")
    admin.select(officer["id"])
    assert admin.deactivate.text() == "Ngừng sử dụng"
    with qtbot.waitSignal(admin.loaded, timeout=WAIT_MS):
        admin.deactivate.click()
    assert column(admin, "Trạng thái")[admin.shown.index(admin.selected())] == "Ngừng sử dụng"
    assert admin.deactivate.text() == "Dùng lại"
    with client.Client(server.base_url) as api, pytest.raises(errors.Unauthorized):
        api.login("canbo2", live.PASSWORD)


def test_unlock_lets_an_officer_refused_for_wrong_passwords_sign_in_again(admin, qtbot, server):
    with client.Client(server.base_url) as officer:
        for _ in range(5):
            with pytest.raises(errors.Unauthorized):
                officer.login("canbo1", "sai-mat-khau")
        with pytest.raises(domain_errors.Forbidden, match="Đăng nhập sai quá nhiều lần"):
            officer.login("canbo1", live.PASSWORD)
    show(qtbot, admin, "devices")
    assert not admin.unlock.isVisible()
    show(qtbot, admin, "users")
    assert admin.unlock.isVisible()
    assert admin.unlock.text() == "Mở khóa đăng nhập"
    assert not admin.unlock.isEnabled()
    admin.select(next(row["id"] for row in admin.shown if row["username"] == "canbo1"))
    admin.unlock.click()
    done = "Đã mở khóa đăng nhập cho tài khoản «Cán bộ canbo1»."
    qtbot.waitUntil(lambda: admin.status.text() == done, timeout=WAIT_MS)
    with client.Client(server.base_url) as officer:
        assert officer.login("canbo1", live.PASSWORD)["access_token"]
