"""The kiosk as a citizen uses it: real server on 127.0.0.1, fake TCP printer, offscreen Qt."""

from __future__ import annotations

import httpx
import pytest
from PySide6 import QtCore, QtWidgets

from hardware import raster
from kiosk_app import printing
from kiosk_app.views import admin
from qtkit import widgets
from tests.gui.kiosk.conftest import ready
from tests.hardware import fakeprinter
from tests.server.test_centres import add_commune_centre
from tests.server.test_dossiers import body as dossier_body

WAIT_MS = 15_000


def _home(kiosk, qtbot) -> None:
    qtbot.waitUntil(lambda: ready(kiosk), timeout=WAIT_MS)


def _take(kiosk, qtbot, code: str = "A", group: str | None = None) -> printing.Issued:
    kiosk.window.home.buttons[code].click()
    assert kiosk.window.stack.currentWidget() is kiosk.window.priority
    target = kiosk.window.priority.group_buttons[group] if group else kiosk.window.priority.regular
    with qtbot.waitSignal(kiosk.flow.issued, timeout=WAIT_MS) as issued:
        target.click()
    return issued.args[0]


def _ticket(server, ticket_id: int) -> dict:
    reply = server.device("display-1").get(f"/tickets/{ticket_id}")
    reply.raise_for_status()
    return reply.json()


def test_a_tap_issues_a_ticket_and_the_printer_prints_that_number(kiosk, qtbot, server, fake_printer):
    _home(kiosk, qtbot)
    issued = _take(kiosk, qtbot, "A")
    number = issued.ticket["number"]
    assert number == "A001"
    assert _ticket(server, issued.ticket["id"])["status"] == "waiting"
    fake_printer.wait_closed(len(fake_printer.connections))
    job = next(
        fake_printer.job(i) for i in reversed(range(len(fake_printer.connections))) if fake_printer.job(i)
    )
    printed = raster.decode(job)
    # What reached the printer is, pixel for pixel, the image the screen shows.
    assert printed.convert("1").tobytes() == issued.image.convert("1").tobytes()
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp reads the QR back")
    link = kiosk.config.ticket_link(issued.ticket)
    assert [r.text for r in zxingcpp.read_barcodes(printed)] == [link]
    # The QR opens the citizen's page of this very ticket.
    assert link.startswith(f"{kiosk.config.server}/tra-cuu/so/")
    page_text = httpx.get(link, timeout=10).text
    assert f">{number}<" in page_text and "Đang chờ đến lượt" in page_text
    page = kiosk.window.ticket
    assert page.number.text() == number and page.number.isVisible()
    assert page.wait.text() == "Vui lòng chờ đến lượt"
    assert page.image.pixmap() is not None and not page.image.pixmap().isNull()


def test_the_ticket_screen_returns_home_by_itself(make_kiosk, fake_printer, qtbot):
    kiosk = make_kiosk(fake_printer.url, ticket_seconds=0.5)
    _home(kiosk, qtbot)
    _take(kiosk, qtbot, "B")
    assert kiosk.window.stack.currentWidget() is kiosk.window.ticket
    qtbot.waitUntil(lambda: kiosk.window.stack.currentWidget() is kiosk.window.home, timeout=WAIT_MS)


def test_any_screen_returns_home_after_inactivity(make_kiosk, fake_printer, qtbot):
    kiosk = make_kiosk(fake_printer.url, idle_seconds=0.5)
    _home(kiosk, qtbot)
    kiosk.window.home.procedures.click()
    assert kiosk.window.stack.currentWidget() is kiosk.window.procedures
    qtbot.waitUntil(lambda: kiosk.window.stack.currentWidget() is kiosk.window.home, timeout=WAIT_MS)


def test_priority_step_issues_a_priority_ticket(kiosk, qtbot, server):
    _home(kiosk, qtbot)
    issued = _take(kiosk, qtbot, "C", group="elderly")
    assert issued.ticket["priority_group"] == "elderly"
    assert _ticket(server, issued.ticket["id"])["priority_group"] == "elderly"
    assert issued.data.priority_group == "Người cao tuổi (từ 60 tuổi)"
    assert "Người cao tuổi" in kiosk.window.ticket.priority.text()


def test_back_from_the_priority_step_issues_nothing(kiosk, qtbot, server):
    _home(kiosk, qtbot)
    kiosk.window.home.buttons["A"].click()
    kiosk.window.priority.back_button.click()
    assert kiosk.window.stack.currentWidget() is kiosk.window.home
    services = server.client().get("/services").json()
    assert sum(s["waiting"] for s in services) == 0


def test_waiting_counts_follow_the_server(kiosk, qtbot, server):
    _home(kiosk, qtbot)
    kiosk_2 = server.device("kiosk-2")
    for _ in range(3):
        kiosk_2.post(
            "/tickets", json={"service_id": kiosk.window.home.buttons["D"].service["id"]}
        ).raise_for_status()
    qtbot.waitUntil(
        lambda: kiosk.window.home.buttons["D"].wait.text().startswith("3 người đang chờ"), timeout=WAIT_MS
    )


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        (fakeprinter.Mode.PAPER_OUT, "Hết giấy"),
        (fakeprinter.Mode.COVER_OPEN, "Nắp máy in đang mở"),
        (fakeprinter.Mode.SILENT, "Máy in không phản hồi"),
        (fakeprinter.Mode.REFUSE, "Máy in đang tắt hoặc mất kết nối"),
    ],
)
def test_a_printer_that_cannot_print_disables_numbers_and_tells_the_supervisor(
    make_kiosk, qtbot, server, mode, words
):
    with fakeprinter.FakePrinter(mode) as fake:
        kiosk = make_kiosk(fake.url)
        qtbot.waitUntil(
            lambda: kiosk.window.banner.isVisible() and words in kiosk.window.banner.text(), timeout=WAIT_MS
        )
        qtbot.waitUntil(lambda: bool(kiosk.window.home.buttons), timeout=WAIT_MS)
        assert not any(b.isEnabled() for b in kiosk.window.home.buttons.values())
        assert kiosk.window.home.procedures.isEnabled() and kiosk.window.home.dossier.isEnabled()
        supervisor = server.user("giamsat")

        def reported() -> None:
            devices = {d["name"]: d for d in supervisor.get("/devices").json()}
            assert words in (devices["kiosk-1"]["fault"] or "")

        qtbot.waitUntil(reported, timeout=WAIT_MS)
        fake.mode = fakeprinter.Mode.ONLINE if mode is not fakeprinter.Mode.REFUSE else mode
        if mode is not fakeprinter.Mode.REFUSE:  # paper back in: numbers again, fault cleared
            qtbot.waitUntil(lambda: ready(kiosk), timeout=WAIT_MS)
            assert not kiosk.window.banner.isVisible()

            def cleared() -> None:
                devices = {d["name"]: d for d in supervisor.get("/devices").json()}
                assert devices["kiosk-1"]["fault"] is None

            qtbot.waitUntil(cleared, timeout=WAIT_MS)


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        (fakeprinter.Mode.PAPER_OUT_MID_JOB, "Máy in hết giấy"),
        (fakeprinter.Mode.UNPLUGGED_MID_JOB, "Máy in đang tắt hoặc mất kết nối"),
    ],
)
def test_print_failure_after_issue_cancels_the_ticket(make_kiosk, qtbot, server, mode, words):
    with fakeprinter.FakePrinter(mode) as fake:
        kiosk = make_kiosk(fake.url)
        _home(kiosk, qtbot)
        kiosk.window.home.buttons["A"].click()
        with qtbot.waitSignal(kiosk.flow.failed, timeout=WAIT_MS) as failed:
            kiosk.window.priority.regular.click()
        error = failed.args[0]
        assert isinstance(error, printing.PrintFailed) and error.cancelled
        assert _ticket(server, error.ticket["id"])["status"] == "cancelled"
        message = kiosk.window.ticket.message.text()
        assert words in message and "Số vừa cấp đã được hủy" in message and "thử lại" in message
        board = server.client().get("/services").json()
        assert sum(s["waiting"] for s in board) == 0  # nobody will be called for it

        # Paper back in / plugged back: numbers again, and the next one follows the cancelled one.
        fake.mode = fakeprinter.Mode.ONLINE
        kiosk.go_home()
        _home(kiosk, qtbot)
        again = _take(kiosk, qtbot)
        assert again.ticket["number"] == f"A{int(error.ticket['number'][1:]) + 1:03d}"


def test_search_without_diacritics(kiosk, qtbot):
    _home(kiosk, qtbot)
    kiosk.window.home.procedures.click()
    page = kiosk.window.procedures
    for letter in "LY LICH":
        page.keyboard.findChild(QtWidgets.QPushButton, f"key-{letter!r}").click()
    assert page.search.text() == "LY LICH"

    def found() -> None:
        assert page.results.count() >= 1
        assert all("lý lịch" in page.results.item(i).text().lower() for i in range(page.results.count()))

    qtbot.waitUntil(found, timeout=WAIT_MS)
    page.results.itemClicked.emit(page.results.item(0))
    detail = page.detail.toPlainText()
    for words in ("Sở Tư pháp", "10 ngày làm việc", "200.000 đ", "Toàn trình", "Thành phần hồ sơ", "1 bộ"):
        assert words in detail


def test_dossier_lookup_by_a_scanned_code(kiosk, qtbot, server):
    _home(kiosk, qtbot)
    officer = server.user("canbo1")
    procedure = officer.get("/procedures", params={"q": "ly lich tu phap"}).json()[0]
    reply = officer.post(
        "/dossiers", json=dossier_body(procedure["id"]), headers={"Idempotency-Key": "kiosk-test-1"}
    )
    assert reply.status_code == 201, reply.text
    code = reply.json()["code"]
    # A keyboard-wedge scanner: the code typed in a fast burst, then Enter, on the home screen.
    target = QtWidgets.QApplication.focusWidget() or kiosk.window  # where key presses land
    with qtbot.waitSignal(kiosk.dossiers.found, timeout=WAIT_MS):
        qtbot.keyClicks(target, code)
        qtbot.keyClick(target, QtCore.Qt.Key.Key_Return)
    assert kiosk.window.stack.currentWidget() is kiosk.window.dossier
    shown = kiosk.window.dossier.result.toPlainText()
    assert code in shown and "Đã tiếp nhận, đang giải quyết" in shown
    assert "Nguyễn Văn An" not in shown  # personal data masked for the public
    assert "Ngày hẹn trả kết quả" in shown


def test_dossier_lookup_of_an_unknown_code_and_of_junk(kiosk, qtbot):
    _home(kiosk, qtbot)
    kiosk.window.home.dossier.click()
    page = kiosk.window.dossier
    page.code.setText("000.18.25.H42-261126-9999")
    with qtbot.waitSignal(kiosk.dossiers.not_found, timeout=WAIT_MS):
        page.search.click()
    assert "Không tìm thấy hồ sơ" in page.last_message
    page.code.setText("xin chao")
    page.search.click()
    assert "không phải mã hồ sơ" in page.last_message


def test_server_down_then_back(kiosk, qtbot, server):
    _home(kiosk, qtbot)
    server.stop()
    qtbot.waitUntil(lambda: "Hệ thống đang tạm gián đoạn" in kiosk.window.banner.text(), timeout=WAIT_MS)
    assert kiosk.window.banner.isVisible()
    assert not any(b.isEnabled() for b in kiosk.window.home.buttons.values())
    server.start()
    qtbot.waitUntil(lambda: ready(kiosk) and not kiosk.window.banner.isVisible(), timeout=40_000)
    issued = _take(kiosk, qtbot, "A")
    assert issued.ticket["number"] == "A001"


def test_english_toggle(kiosk, qtbot):
    _home(kiosk, qtbot)
    kiosk.window.language.click()
    assert kiosk.window.home.procedures.text() == "Look up procedures"
    assert kiosk.window.language.text() == "Tiếng Việt"
    kiosk.window.language.click()
    assert kiosk.window.home.procedures.text() == "Tra cứu thủ tục"


def test_leaving_needs_the_admin_pin(kiosk, qtbot, monkeypatch):
    asked: list[str] = []
    monkeypatch.setattr(
        admin.PinDialog, "ask", classmethod(lambda cls, parent, text, pin: asked.append(pin) or False)
    )
    kiosk.window.close()
    assert asked == [kiosk.config.admin_pin]
    assert kiosk.window.isVisible()


def test_the_pin_dialog_accepts_only_the_pin(qtbot):
    from kiosk_app import texts

    dialog = admin.PinDialog(texts.Texts(), "2468")
    qtbot.addWidget(dialog)
    dialog.entry.setText("1111")
    dialog.check()
    assert dialog.result() != QtWidgets.QDialog.DialogCode.Accepted and dialog.error.text() == "Mã không đúng"
    dialog.entry.setText("2468")
    dialog.check()
    assert dialog.result() == QtWidgets.QDialog.DialogCode.Accepted


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
def test_every_button_is_a_touch_target_and_fits_the_screen(make_kiosk, fake_printer, qtbot, size):
    kiosk = make_kiosk(fake_printer.url, size=size)
    _home(kiosk, qtbot)
    window = kiosk.window
    for page in (window.home, window.priority, window.procedures, window.dossier, window.ticket):
        window.show_page(page)
        qtbot.waitUntil(page.isVisible, timeout=WAIT_MS)
        assert window.width() <= size[0] and window.height() <= size[1]
        for button in window.findChildren(QtWidgets.QPushButton):
            if button.isVisible():
                assert button.width() >= widgets.TOUCH_PX and button.height() >= widgets.TOUCH_PX, (
                    button.text()
                )


def test_a_dossier_of_another_centre_shows_its_status_or_with_the_receipt_more(kiosk, qtbot, server):
    _home(kiosk, qtbot)
    add_commune_centre(server)
    officer = server.user("canbo_xa")  # the commune's
    procedure = officer.get("/procedures", params={"q": "ly lich tu phap"}).json()[0]
    made = officer.post(
        "/dossiers", json=dossier_body(procedure["id"]), headers={"Idempotency-Key": "kiosk-test-xa"}
    ).json()
    kiosk.window.home.dossier.click()
    page = kiosk.window.dossier
    page.code.setText(made["code"])  # typed: the code alone
    with qtbot.waitSignal(kiosk.dossiers.found, timeout=WAIT_MS):
        page.search.click()
    shown = page.result.toPlainText()
    assert "Đã tiếp nhận, đang giải quyết" in shown and "Ngày hẹn trả kết quả" in shown
    assert "Thủ tục" not in shown and "Người nộp" not in shown
    assert "quét mã QR trên giấy tiếp nhận" in shown
    # The receipt's QR holds its page's address, with the token: the masked details then.
    page.code.setText(f"{server.base_url}/tra-cuu/ho-so/{made['code']}/{made['public_token']}")
    with qtbot.waitSignal(kiosk.dossiers.found, timeout=WAIT_MS):
        page.search.click()
    shown = page.result.toPlainText()
    assert procedure["name"] in shown and "N. V. An" in shown
    assert "quét mã QR" not in shown
