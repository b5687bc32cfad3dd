"""Dossier work at the counter against a real server: intake through the form with the receipt
read back from its PDF, returning a result and the citizen's rating, and an outage (and an
app restart) during which nothing recorded is lost or sent twice."""

from __future__ import annotations

import copy
import datetime as dt
import pathlib
import signal
import subprocess
import sys
import uuid
from typing import Any

import openpyxl
import pypdf
from PySide6 import QtCore, QtWidgets

from counter_app import window
from onestop import calendar
from tests import live
from tests.gui.counter.conftest import WAIT_MS, ready
from tests.gui.counter.test_counter import issue, press, shown
from tests.server.checks import DOSSIER

Key = QtCore.Qt.Key


def serving(app, qtbot, server) -> dict[str, Any]:
    """Call a fresh ticket to the counter and start serving it."""
    ticket = issue(server)
    qtbot.waitUntil(lambda: app.desk.allowed("next"), timeout=WAIT_MS)
    press(qtbot, app, Key.Key_F1)
    qtbot.waitUntil(lambda: shown(app) == ticket["number"] and not app.desk.busy, timeout=WAIT_MS)
    press(qtbot, app, Key.Key_F4)
    qtbot.waitUntil(lambda: app.desk.allowed("intake") and not app.desk.busy, timeout=WAIT_MS)
    return ticket


def pdf_text(path) -> str:
    """The PDF's text with runs of whitespace as one space (Qt's PDFs space words with tabs)."""
    return " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(path).pages).split())


def form_days(app, received: dict[str, Any]) -> str:
    days = next(p["processing_days"] for p in app.work.procedures if p["id"] == received["procedure_id"])
    return f"{days:g}".replace(".", ",")


def ready_dossier(server: live.LiveServer) -> dict[str, Any]:
    """A dossier received earlier and now ready to hand back."""
    officer = server.user("canbo2")
    reply = officer.post("/dossiers", json=DOSSIER, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert reply.status_code == 201, reply.text
    code = reply.json()["code"]
    assert officer.post(f"/dossiers/{code}/ready").status_code == 200
    return officer.get(f"/dossiers/{code}").json()


def test_intake_through_the_form_prints_the_receipt(signed_in, qtbot, server):
    app = signed_in
    qtbot.waitUntil(lambda: bool(app.work.procedures), timeout=WAIT_MS)
    ticket = serving(app, qtbot, server)
    press(qtbot, app, Key.Key_F9)  # Tiếp nhận hồ sơ
    qtbot.waitUntil(
        lambda: app.work.intake_dialog is not None and app.work.intake_dialog.isVisible(), timeout=WAIT_MS
    )
    form = app.work.intake_dialog
    qtbot.keyClicks(form.search, "ly lich tu phap cong dan")  # no accents needed
    assert form.results.count() >= 1
    form.results.setCurrentRow(0)
    assert form.procedure["name"].startswith("Cấp Phiếu lý lịch tư pháp")
    assert "Lệ phí: " in form.details.text()
    assert not form.submit.isEnabled()

    fields = form.fields
    # QTest types ASCII only (Qt asserts on others); insert() is what an input method does.
    fields["full_name"].edit.insert("Nguyễn Thị Lựu")
    qtbot.keyClicks(fields["id_number"].edit, "0991900123")  # too short
    assert "12" in fields["id_number"].error.text()
    fields["id_number"].edit.clear()
    qtbot.keyClicks(fields["id_number"].edit, "025190012345")  # Phú Thọ, born 1990, male
    assert fields["id_number"].error.text() == ""
    qtbot.keyClicks(fields["phone"].edit, "0212345678")
    assert fields["phone"].error.text() != ""  # not a mobile prefix
    fields["phone"].edit.clear()
    qtbot.keyClicks(fields["phone"].edit, "+84 912 345 678")
    assert fields["phone"].error.text() == ""
    fields["address"].edit.insert("Phường Vân Cơ, tỉnh Phú Thọ")
    assert not form.submit.isEnabled()  # no paper ticked yet
    form.papers.item(0, 0).setCheckState(QtCore.Qt.CheckState.Checked)
    assert form.submit.isEnabled()
    qtbot.mouseClick(form.submit, QtCore.Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: "Đã tiếp nhận hồ sơ" in app.window.desk.message.text(), timeout=WAIT_MS)
    receipts = list((app.work.receipts).glob("*.pdf"))
    assert len(receipts) == 1
    code = receipts[0].stem
    received = server.user("canbo1").get(f"/dossiers/{code}").json()
    assert received["ticket_id"] == ticket["id"]
    assert received["applicant"]["phone"] == "0912345678"
    text = pdf_text(receipts[0])
    due = received["due_at"]  # "2026-12-11T09:10:00+07:00" → "09:10 11/12/2026"
    due_text = f"{due[11:16]} {due[8:10]}/{due[5:7]}/{due[:4]}"
    for part in (
        code,
        "Nguyễn Thị Lựu",
        "025190012345",
        "0912345678",
        "Phường Vân Cơ, tỉnh Phú Thọ",
        due_text,
    ):
        assert part in text
    assert f"{form_days(app, received)} ngày làm việc" in text
    assert text.count("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ") == 2  # two copies
    assert not app.window.desk.unsynced.isVisible()


def test_return_then_the_citizen_rates(signed_in, qtbot, server):
    app = signed_in
    found = ready_dossier(server)
    press(qtbot, app, Key.Key_F10)  # Trả kết quả
    qtbot.waitUntil(
        lambda: app.work.return_dialog is not None and app.work.return_dialog.isVisible(), timeout=WAIT_MS
    )
    dialog = app.work.return_dialog
    # A scanned receipt QR gives a link or text holding the code; the ID number works too.
    qtbot.keyClicks(dialog.query, found["applicant"]["id_number"])
    qtbot.keyClick(dialog.query, Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.results.count() == 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Quá trình giải quyết" in dialog.details.toHtml(), timeout=WAIT_MS)
    details = dialog.details.toPlainText()
    assert found["code"] in details and "Trước hạn" in details
    assert dialog.receiver.text() == found["applicant"]["full_name"]
    dialog.receiver.setText("Nguyễn Văn Bình (được ủy quyền)")
    qtbot.mouseClick(dialog.submit, QtCore.Qt.MouseButton.LeftButton)

    rating = app.work.rating
    qtbot.waitUntil(
        lambda: rating.isVisible() and rating.stack.currentWidget() is rating.ask_page, timeout=WAIT_MS
    )
    assert found["code"] in rating.question.text()
    qtbot.mouseClick(rating.levels["khong_hai_long"], QtCore.Qt.MouseButton.LeftButton)
    assert rating.reason_box.isVisible()  # a reason is required
    qtbot.mouseClick(rating.reasons["Thời gian chờ đợi lâu"], QtCore.Qt.MouseButton.LeftButton)
    assert rating.stack.currentWidget() is rating.thanks

    def rated() -> None:
        body = server.user("canbo1").get(f"/dossiers/{found['code']}").json()
        assert (body["status"], body["returned_to"]) == ("returned", "Nguyễn Văn Bình (được ủy quyền)")
        assert body["rating"] is not None
        assert body["rating"]["level"] == "khong_hai_long"
        assert body["rating"]["reason"] == "Thời gian chờ đợi lâu"

    qtbot.waitUntil(rated, timeout=WAIT_MS)


def _intake_body(ticket_id: int | None, name: str) -> dict[str, Any]:
    body = copy.deepcopy(DOSSIER)
    body["ticket_id"] = ticket_id
    body["applicant"]["full_name"] = name
    return body


def _record_during_outage(app, qtbot, server, found: dict[str, Any]) -> None:
    ticket = serving(app, qtbot, server)
    server.stop()
    qtbot.waitUntil(lambda: not app.desk.connection.connected, timeout=WAIT_MS)
    assert app.desk.allowed("intake")  # intake keeps working offline
    for name in ("Lê Văn Một", "Phạm Thị Hai"):
        app.work.record_intake(_intake_body(ticket["id"], name))
    app.work.record_return(found, "Người nhận thay")
    app.work.on_rated("hai_long", "")
    qtbot.waitUntil(lambda: app.window.desk.unsynced.text() == "4 chưa đồng bộ", timeout=WAIT_MS)
    assert "Giấy hẹn sẽ in khi máy chủ cấp mã hồ sơ" in app.window.desk.message.text()


def _arrived_once(server: live.LiveServer, found: dict[str, Any]) -> None:
    officer = server.user("giamsat")
    mine = [
        d for d in officer.get("/dossiers", params={"id_number": DOSSIER["applicant"]["id_number"]}).json()
    ]
    names = sorted(d["applicant"]["full_name"] for d in mine if d["code"] != found["code"])
    assert names == ["Lê Văn Một", "Phạm Thị Hai"]
    back = officer.get(f"/dossiers/{found['code']}").json()
    assert back["rating"] is not None
    assert (back["status"], back["returned_to"], back["rating"]["level"]) == (
        "returned",
        "Người nhận thay",
        "hai_long",
    )


def test_an_outage_loses_nothing_and_sends_each_piece_once(signed_in, qtbot, server):
    app = signed_in
    found = ready_dossier(server)
    _record_during_outage(app, qtbot, server, found)
    server.start()
    qtbot.waitUntil(lambda: not app.window.desk.unsynced.isVisible(), timeout=20000)
    _arrived_once(server, found)
    qtbot.waitUntil(lambda: len(list(app.work.receipts.glob("*.pdf"))) == 2, timeout=WAIT_MS)


def test_work_queued_when_the_app_is_closed_is_sent_at_the_next_start(
    make_counter, qtbot, server, monkeypatch
):
    first = make_counter(user="canbo1", counter=1)
    qtbot.waitUntil(lambda: ready(first), timeout=WAIT_MS)
    found = ready_dossier(server)
    _record_during_outage(first, qtbot, server, found)
    asked: list[int] = []
    monkeypatch.setattr(window.QuitDialog, "ask", staticmethod(lambda parent, n: asked.append(n) or False))
    first.window.close()
    assert asked == [4] and first.window.isVisible()  # warned, and the officer chose to stay
    monkeypatch.setattr(window.QuitDialog, "ask", staticmethod(lambda parent, n: True))
    first.window.close()
    assert not first.window.isVisible()
    first.shutdown()

    server.start()
    again = make_counter(user="canbo1", counter=1, data_dir=first.config.data_dir)
    qtbot.waitUntil(lambda: ready(again), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: again.outbox.count_queued() == 0, timeout=20000)
    _arrived_once(server, found)
    assert len(list(again.work.receipts.glob("*.pdf"))) == 2


def test_work_the_server_refuses_is_shown_for_the_officer_to_act_on(signed_in, qtbot, server):
    """Another counter handed the result back first: this return is refused (409), kept as
    failed with the server's reason, and the desk says so; nothing is retried forever."""
    app = signed_in
    found = ready_dossier(server)
    taken = server.user("canbo2").post(f"/dossiers/{found['code']}/return", json={"returned_to": "Chị Hoa"})
    assert taken.status_code == 200, taken.text
    app.work.record_return(found, "Anh Nam")
    qtbot.waitUntil(lambda: "cần xử lý" in app.window.desk.message.text(), timeout=WAIT_MS)
    assert found["code"] in app.window.desk.message.text()
    assert app.outbox.count_queued() == 0
    assert [w.kind for w in app.outbox.failed("canbo1")] == ["return"]
    assert server.user("canbo1").get(f"/dossiers/{found['code']}").json()["returned_to"] == "Chị Hoa"
    app.work.rating.close()


def received_dossier(server: live.LiveServer) -> dict[str, Any]:
    officer = server.user("canbo2")
    reply = officer.post("/dossiers", json=DOSSIER, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert reply.status_code == 201, reply.text
    return reply.json()


def _open_dossier(app, qtbot, code: str):
    press(qtbot, app, Key.Key_F10)
    qtbot.waitUntil(
        lambda: app.work.return_dialog is not None and app.work.return_dialog.isVisible(), timeout=WAIT_MS
    )
    dialog = app.work.return_dialog
    qtbot.keyClicks(dialog.query, code)
    qtbot.keyClick(dialog.query, Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.found is not None and dialog.found["code"] == code, timeout=WAIT_MS)
    return dialog


def _asked(app, qtbot, dialog, action: str):
    qtbot.mouseClick(dialog.action_buttons[action], QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: app.work.action_dialog is not None and app.work.action_dialog.isVisible(), timeout=WAIT_MS
    )
    return app.work.action_dialog


def test_supplement_then_refusal_print_their_forms(signed_in, qtbot, server):
    app = signed_in
    code = received_dossier(server)["code"]
    dialog = _open_dossier(app, qtbot, code)
    assert not dialog.submit.isEnabled()  # not ready: nothing to hand back yet
    assert dialog.action_buttons["supplement"].isEnabled()

    asked = _asked(app, qtbot, dialog, "supplement")
    assert "một lần" in asked.findChild(QtCore.QObject, "once").text()  # list everything at once
    asked.items.item(0, 0).setCheckState(QtCore.Qt.CheckState.Checked)
    asked.other.setText("Bản sao Giấy khai sinh")
    qtbot.keyClick(asked.other, Key.Key_Return)
    asked.reason.setPlainText("Tờ khai thiếu chữ ký của người yêu cầu.")
    asked.accept()
    qtbot.waitUntil(lambda: "Mẫu 02 đã in" in dialog.note.text(), timeout=WAIT_MS)
    text = pdf_text(app.work.forms_dir / f"{code}-mau-02.pdf")
    assert "Tờ khai thiếu chữ ký của người yêu cầu." in text
    assert DOSSIER["documents"][0]["name"] in text and "Bản sao Giấy khai sinh" in text
    assert server.user("canbo1").get(f"/dossiers/{code}").json()["status"] == "supplement_requested"

    asked = _asked(app, qtbot, dialog, "refuse")
    asked.reason.setPlainText("Hồ sơ không thuộc thẩm quyền giải quyết của Sở.")
    asked.accept()
    qtbot.waitUntil(lambda: "Mẫu 03 đã in" in dialog.note.text(), timeout=WAIT_MS)
    assert "Hồ sơ không thuộc thẩm quyền giải quyết của Sở." in pdf_text(
        app.work.forms_dir / f"{code}-mau-03.pdf"
    )
    assert server.user("canbo1").get(f"/dossiers/{code}").json()["status"] == "refused"
    assert not any(button.isEnabled() for button in dialog.action_buttons.values())


def test_extension_once_with_its_apology(signed_in, qtbot, server):
    app = signed_in
    found = received_dossier(server)
    dialog = _open_dossier(app, qtbot, found["code"])
    asked = _asked(app, qtbot, dialog, "extend")
    asked.reason.setPlainText("Cần xác minh thêm thông tin tại cơ quan công an.")
    asked.accept()
    qtbot.waitUntil(lambda: "Mẫu 04 đã in" in dialog.note.text(), timeout=WAIT_MS)
    after = server.user("canbo1").get(f"/dossiers/{found['code']}").json()
    assert after["original_due_at"] == found["due_at"]
    text = pdf_text(app.work.forms_dir / f"{found['code']}-mau-04.pdf")
    assert "Cần xác minh thêm thông tin tại cơ quan công an." in text
    due = found["due_at"]
    assert f"{due[11:16]} {due[8:10]}/{due[5:7]}/{due[:4]}" in text  # the original due time
    assert not dialog.action_buttons["extend"].isEnabled()  # the law allows one extension
    again = server.user("canbo1").post(
        f"/dossiers/{found['code']}/extend", json={"reason": "Lần hai", "new_due_at": after["due_at"]}
    )
    assert again.status_code == 409


def test_the_tracking_book_exports_as_pdf_and_spreadsheet(signed_in, qtbot, server):
    app = signed_in
    codes = [received_dossier(server)["code"] for _ in range(2)]
    qtbot.mouseClick(app.window.desk.book, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: app.work.book_dialog is not None and app.work.book_dialog.isVisible(), timeout=WAIT_MS
    )
    dialog = app.work.book_dialog
    assert dialog.end() == dt.datetime.now(calendar.VN_TZ).date()
    qtbot.mouseClick(dialog.findChild(QtWidgets.QPushButton, "pdf"), QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "đã lưu" in dialog.note.text(), timeout=WAIT_MS)
    assert dialog.note.text().startswith("2 hồ sơ")
    pdf = pathlib.Path(dialog.note.text().split("đã lưu: ")[1])
    text = pdf_text(pdf)
    assert "SỔ THEO DÕI HỒ SƠ" in text.upper()
    assert all(code in text for code in codes)
    qtbot.mouseClick(dialog.findChild(QtWidgets.QPushButton, "xlsx"), QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ".xlsx" in dialog.note.text(), timeout=WAIT_MS)
    sheet = openpyxl.load_workbook(dialog.note.text().split("đã lưu: ")[1]).active
    cells = {str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert set(codes) <= cells


def test_papers_brought_after_a_supplement_request_reprint_the_receipt(signed_in, qtbot, server):
    app = signed_in
    code = received_dossier(server)["code"]
    officer = server.user("canbo2")
    items = [{"name": "Bản sao Giấy khai sinh", "kind": "certified_copy", "copies": 1}]
    asked = officer.post(
        f"/dossiers/{code}/supplement-request", json={"items": items, "reason": "Thiếu giấy khai sinh"}
    )
    assert asked.status_code == 200, asked.text
    dialog = _open_dossier(app, qtbot, code)
    assert dialog.action_buttons["supplemented"].isEnabled()
    assert not dialog.action_buttons["extend"].isEnabled()
    qtbot.mouseClick(dialog.action_buttons["supplemented"], QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Mẫu 01 đã in" in dialog.note.text(), timeout=WAIT_MS)
    after = server.user("canbo1").get(f"/dossiers/{code}").json()
    assert after["status"] == "received"
    due = after["due_at"]
    assert f"{due[11:16]} {due[8:10]}/{due[5:7]}/{due[:4]}" in pdf_text(app.work.receipts / f"{code}.pdf")


KILLED_AFTER_RECORDING = """
import os, signal, sys
from counter_app import outbox
box = outbox.Outbox(__import__("pathlib").Path(sys.argv[1]))
box.add(outbox.INTAKE, {body!r}, username="canbo1")
os.kill(os.getpid(), signal.SIGKILL)  # no clean-up of any kind: the power cord pulled
"""


def test_work_recorded_just_before_the_app_is_killed_is_sent_at_the_next_start(
    make_counter, qtbot, server, tmp_path
):
    data_dir = tmp_path / "killed-pc"
    body = dict(_intake_body(None, "Đỗ Thị Ba"), recorded_at=dt.datetime.now(dt.UTC).isoformat())
    script = KILLED_AFTER_RECORDING.format(body=body)
    killed = subprocess.run(
        [sys.executable, "-c", script, str(data_dir / "outbox.sqlite3")], check=False, timeout=60
    )
    assert killed.returncode == -signal.SIGKILL
    app = make_counter(user="canbo1", counter=1, data_dir=str(data_dir))
    qtbot.waitUntil(lambda: ready(app), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: app.outbox.count_queued() == 0, timeout=20000)
    mine = (
        server.user("giamsat")
        .get("/dossiers", params={"id_number": DOSSIER["applicant"]["id_number"]})
        .json()
    )
    assert [d["applicant"]["full_name"] for d in mine] == ["Đỗ Thị Ba"]
    qtbot.waitUntil(lambda: len(list(app.work.receipts.glob("*.pdf"))) == 1, timeout=WAIT_MS)


def test_a_dossier_code_cannot_write_outside_the_counters_folders(signed_in, server, tmp_path):
    """The receipt and the forms are named after the dossier code; a code holding "/" or ".."
    (an agency code that once let one in) still writes inside receipts/ and forms/."""
    app = signed_in
    found = {**received_dossier(server), "reason": "Thiếu giấy tờ"}
    before = set(tmp_path.rglob("*.pdf"))
    for code in ("../../ra-ngoai/000.00.25.H42-261126-0001", str(tmp_path / "tuyet-doi"), "..", "/"):
        receipt = app.work.make_receipt({**found, "code": code})
        form = app.work.print_form("refuse", {**found, "code": code})
        assert receipt.parent == app.work.receipts and form.parent == app.work.forms_dir
        assert receipt.is_file() and form.is_file()
        assert not receipt.name.startswith(".") and "/" not in receipt.name
    written = set(tmp_path.rglob("*.pdf")) - before
    folders = {app.work.receipts.resolve(), app.work.forms_dir.resolve()}
    assert written and {path.resolve().parent for path in written} == folders, written
    assert not (tmp_path / "tuyet-doi.pdf").exists() and not (tmp_path / "ra-ngoai").exists()
