"""The hall board against a real server: calls featured in turn and spoken, live and resumed."""

from __future__ import annotations

import datetime as dt

from PySide6 import QtCore

from display_board import speech
from tests.gui.board.conftest import WAIT_MS, Clock, connected

CALL_CLIPS_A001_AT_1 = [
    "chime",
    "moi_cong_dan",
    "letter_a",
    "digit_0",
    "digit_0",
    "digit_1",
    "den_quay_so",
    "digit_1",
]


def featured_text(app) -> tuple[str, str, str]:
    window = app.window
    return window.featured_caption.text(), window.featured_number.text(), window.featured_counter.text()


def tile(app, number: int):
    return next(t for t in app.window.tiles if t.title.text() == f"Quầy {number}")


def test_a_call_appears_within_a_second_is_featured_and_spoken(make_board, hall, qtbot):
    hall.open(1, "canbo1")
    app = make_board()
    qtbot.waitUntil(lambda: connected(app), timeout=WAIT_MS)
    assert app.window.title.text() == "Trung tâm Phục vụ hành chính công tỉnh Phú Thọ"
    assert tile(app, 1).number.text() == "—" and tile(app, 1).agency.text() == "Sở Tư pháp"
    assert tile(app, 2).note.text() == "Tạm đóng"

    hall.issue("A")
    with qtbot.waitSignal(app.board.featured, timeout=1000) as featured:
        hall.call_next(1)
    call = featured.args[0]
    assert (call.number, call.counter_number, call.recall, call.priority) == ("A001", 1, False, False)
    assert featured_text(app) == ("MỜI CÔNG DÂN CÓ SỐ", "A001", "ĐẾN QUẦY 1")
    assert app.window.featured.property("live") is True
    assert tile(app, 1).number.text() == "A001" and tile(app, 1).property("called") is True
    assert app.window.recent_rows[0][0].text() == "A001"
    assert app.window.recent_rows[0][1].text() == "Quầy 1"
    qtbot.waitUntil(lambda: bool(app.said), timeout=WAIT_MS)
    assert app.said[0][1] == CALL_CLIPS_A001_AT_1
    # The sound played is exactly those clips joined.
    assert app.output.played == [speech.ClipLibrary().join(CALL_CLIPS_A001_AT_1)]
    # Once spoken and shown long enough, the panel calms down but keeps the latest call.
    qtbot.waitUntil(lambda: app.board.current is None, timeout=WAIT_MS)
    assert featured_text(app) == ("SỐ VỪA GỌI", "A001", "ĐẾN QUẦY 1")
    assert app.window.featured.property("live") is False
    assert tile(app, 1).property("called") is False


def test_calls_made_together_are_each_featured_and_spoken_in_turn(make_board, hall, qtbot):
    for number, officer in ((1, "canbo1"), (2, "canbo2"), (3, "giamsat")):
        hall.open(number, officer)
    for letter in "ABC":
        hall.issue(letter)
    app = make_board()
    qtbot.waitUntil(lambda: connected(app), timeout=WAIT_MS)
    shown = []
    app.board.featured.connect(lambda call: shown.append(call and (call.number, call.counter_number)))
    for number in (1, 2, 3):
        hall.call_next(number)
    qtbot.waitUntil(lambda: len(shown) == 4, timeout=WAIT_MS)
    assert shown == [("A001", 1), ("B001", 2), ("C001", 3), None]
    assert [(call.number, plan[2], plan[-1]) for call, plan in app.said] == [
        ("A001", "letter_a", "digit_1"),
        ("B001", "letter_b", "digit_2"),
        ("C001", "letter_c", "digit_3"),
    ]
    assert not app.output.overlapped  # one announcement at a time
    assert [row[0].text() for row in app.window.recent_rows[:3]] == ["C001", "B001", "A001"]


def test_a_recall_is_featured_and_announced_again(make_board, hall, qtbot):
    hall.open(1, "canbo1")
    ticket = hall.issue("A", priority_group="elderly")
    app = make_board()
    qtbot.waitUntil(lambda: connected(app), timeout=WAIT_MS)
    hall.call_next(1)
    qtbot.waitUntil(lambda: len(app.said) == 1 and app.board.current is None, timeout=WAIT_MS)
    with qtbot.waitSignal(app.board.featured, timeout=1000) as featured:
        hall.ticket_action(1, ticket["id"], "recall")
    assert featured.args[0].recall and featured.args[0].priority
    assert featured_text(app) == ("MỜI CÔNG DÂN CÓ SỐ · ƯU TIÊN", "A001", "ĐẾN QUẦY 1")
    assert tile(app, 1).note.text() == "Ưu tiên"
    qtbot.waitUntil(lambda: len(app.said) == 2, timeout=WAIT_MS)
    assert app.said[1][1][:3] == ["chime", "nhac_lai", "moi_cong_dan"]
    # The recent list keeps one line per ticket.
    assert [row[0].text() for row in app.window.recent_rows[:2]] == ["A001", ""]


def test_the_board_comes_back_after_a_server_restart_with_the_calls_it_missed(
    make_board, hall, qtbot, server
):
    hall.open(1, "canbo1")
    hall.open(2, "canbo2")
    hall.issue("A")
    hall.issue("B")
    app = make_board()
    qtbot.waitUntil(lambda: connected(app), timeout=WAIT_MS)
    server.stop()
    qtbot.waitUntil(app.window.marker.isVisible, timeout=WAIT_MS)
    server.start()
    hall.call_next(1)
    hall.call_next(2)
    qtbot.waitUntil(lambda: not app.window.marker.isVisible(), timeout=15_000)
    qtbot.waitUntil(lambda: tile(app, 2).number.text() == "B001", timeout=WAIT_MS)
    assert tile(app, 1).number.text() == "A001"
    qtbot.waitUntil(lambda: [c.number for c, _ in app.said] == ["A001", "B001"], timeout=WAIT_MS)


def test_a_board_started_before_the_server_waits_for_it_and_comes_up(make_board, hall, qtbot, server):
    hall.open(1, "canbo1")
    hall.issue("A")
    hall.call_next(1)
    server.stop()
    app = make_board()
    qtbot.waitUntil(app.window.marker.isVisible, timeout=WAIT_MS)
    assert app.window.marker_text.text() == "Đang kết nối…"
    server.start()
    qtbot.waitUntil(lambda: connected(app), timeout=15_000)
    assert not app.window.marker.isVisible()
    assert tile(app, 1).number.text() == "A001"
    assert app.said == []  # made before the board was up: history, not a new call


def test_a_call_missed_long_ago_is_listed_but_not_announced(make_board, hall, qtbot):
    hall.open(1, "canbo1")
    hall.issue("A")
    clock = Clock()
    app = make_board(clock=clock)
    qtbot.waitUntil(lambda: connected(app), timeout=WAIT_MS)
    clock.shift = dt.timedelta(minutes=5)  # as if the event reached the board 5 minutes late
    hall.call_next(1)
    qtbot.waitUntil(lambda: tile(app, 1).number.text() == "A001", timeout=WAIT_MS)
    assert app.window.recent_rows[0][0].text() == "A001"
    assert app.board.current is None and app.said == []


def test_the_supervisors_notice_scrolls_along_the_foot(make_board, qtbot, server):
    app = make_board()
    qtbot.waitUntil(lambda: connected(app), timeout=WAIT_MS)
    assert app.window.notice.text().startswith("Giờ làm việc: 07:00 – 11:30, 13:30 – 17:00")
    text = "Từ ngày 01/12/2026, Trung tâm tiếp nhận hồ sơ đất đai cả sáng thứ Bảy. " * 2
    reply = server.user("giamsat").put("/centres/1/notice", json={"notice": text})
    assert reply.status_code == 200, reply.text
    qtbot.waitUntil(lambda: app.window.notice.text() == text.strip(), timeout=1000)
    assert app.window.notice.moving  # longer than the screen is wide


def test_a_floor_board_shows_its_counters_in_pages(make_board, hall, qtbot):
    hall.open(1, "canbo1")
    hall.open(5, "canbo2")
    hall.issue("A")
    hall.issue("D")
    app = make_board(counters=(1, 2, 3), counters_per_page=2, page_seconds=0.5)
    qtbot.waitUntil(lambda: connected(app), timeout=WAIT_MS)
    assert [t.title.text() for t in app.window.tiles] == ["Quầy 1", "Quầy 2"]
    assert app.window.page_label.text() == "Trang 1/2"
    qtbot.waitUntil(lambda: app.window.tiles[0].title.text() == "Quầy 3", timeout=WAIT_MS)
    assert app.window.tiles[1].title.text() == "" and app.window.page_label.text() == "Trang 2/2"
    # Only the lines those counters serve, with their counts.
    lines = {left.text(): right.text() for left, right in app.window.waiting_rows if left.text()}
    assert lines == {
        "A · Tư pháp – Hộ tịch – Chứng thực": "1",
        "B · Công an – Giấy phép lái xe, Xuất nhập cảnh": "0",
        "C · Đăng ký kinh doanh – Đầu tư – Công Thương": "0",
    }
    # A call at a counter on another floor is not this board's.
    hall.call_next(5)
    hall.call_next(1)
    qtbot.waitUntil(lambda: bool(app.said), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: app.board.current is None, timeout=WAIT_MS)
    assert [c.number for c, _ in app.said] == ["A001"]
    assert [row[0].text() for row in app.window.recent_rows[:2]] == ["A001", ""]
    qtbot.waitUntil(lambda: app.window.waiting_rows[0][1].text() == "0", timeout=WAIT_MS)


def test_the_featured_number_is_readable_across_the_hall_in_both_orientations(make_board, hall, qtbot):
    for size in ((1920, 1080), (1080, 1920), (3840, 2160)):
        app = make_board(size=size)
        qtbot.waitUntil(lambda app=app: connected(app), timeout=WAIT_MS)
        qtbot.waitUntil(lambda app=app, size=size: app.window.size().toTuple() == size, timeout=WAIT_MS)
        assert app.window.portrait is (size[1] > size[0])
        label = app.window.featured_number
        # FitLabel draws its text at 95 % of its height: at least 8 % of the screen's height.
        assert label.height() * 0.95 >= 0.08 * size[1], (size, label.height())
        for part in [*app.window.tiles, app.window.featured, app.window.notice]:
            corner = part.mapTo(app.window, QtCore.QPoint(0, 0))
            assert corner.x() >= 0 and corner.x() + part.width() <= size[0], (size, part)
            assert corner.y() >= 0 and corner.y() + part.height() <= size[1], (size, part)
        app.shutdown()


def test_a_board_whose_key_is_refused_says_so(make_board, qtbot):
    app = make_board(device_key="not-a-key")
    qtbot.waitUntil(app.window.problem.isVisible, timeout=WAIT_MS)
    assert "Khóa thiết bị" in app.window.problem.text()
    assert not app.window.featured.isVisible()


def test_the_board_reports_itself_alive_and_its_sound_fault(make_board, qtbot, server):
    app = make_board()
    qtbot.waitUntil(lambda: connected(app), timeout=WAIT_MS)

    def reported() -> None:
        devices = {d["name"]: d for d in server.user("admin").get("/devices").json()}
        assert devices["display-1"]["last_seen_at"] is not None

    qtbot.waitUntil(reported, timeout=WAIT_MS)
