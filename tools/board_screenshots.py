"""Screenshots of the hall board in a busy hall, for docs/screenshots/.

A real server (demo catalogue plus four more counters: 12 in all, 10 open, one paused, one
closed; 40 citizens waiting; a notice) runs in this process; the board is shown offscreen
at 1920×1080 and 1080×1920 while a call is being announced, and while disconnected.
``.venv/bin/python tools/board_screenshots.py [OUT_DIR]``
"""

from __future__ import annotations

import pathlib

import _offscreen  # Qt offscreen and the work tree on sys.path, before the imports below
import sqlalchemy as sa
from PySide6 import QtWidgets

from display_board import app as board_app
from display_board.config import BoardConfig
from onestop.enums import Role
from qtkit import theme
from server import auth, models
from server.db import open_database
from tests import live
from tests.gui.board.conftest import Hall, RecordingOutput

spin = _offscreen.spin

MORE_COUNTERS = [(9, "SGDDT", "F"), (10, "SNV", "E"), (11, "SKHCN", "F"), (12, "SDTTG", "E")]
# (letter, tickets issued); the open counters call 12 of them: 40 wait.
TICKETS = [("A", 14), ("B", 9), ("C", 8), ("D", 10), ("E", 6), ("F", 5)]
CALLS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2]  # counter numbers, the last two call again later


def add_counters_and_officers(srv: live.LiveServer) -> None:
    db = open_database(srv.settings.resolved_database_url())
    try:
        with db.write() as session:
            agencies = {a.code: a.id for a in session.scalars(sa.select(models.Agency))}
            services = {s.letter: s.id for s in session.scalars(sa.select(models.QueueService))}
            for number, agency, letter in MORE_COUNTERS:
                counter = models.Counter(
                    centre_id=1, number=number, name=f"Quầy số {number}", agency_id=agencies[agency]
                )
                counter.links = [models.CounterService(service_id=services[letter], position=0)]
                session.add(counter)
            for number in range(4, 13):  # the test server has canbo1–canbo3
                auth.create_user(
                    session,
                    username=f"canbo{number}",
                    password=live.PASSWORD,
                    role=Role.OFFICER,
                    full_name=f"Cán bộ {number}",
                    centre_id=1,
                )
    finally:
        db.dispose()


def fill_hall(srv: live.LiveServer) -> Hall:
    hall = Hall(srv)
    for letter, count in TICKETS:
        for index in range(count):
            hall.issue(letter, "elderly" if (letter, index) == ("D", 3) else None)
    for number in range(1, 12):
        hall.open(number, f"canbo{number}")
    hall.officers[11].post(f"/counters/{hall.counter_ids[11]}/pause").raise_for_status()
    return hall


def shoot(app: QtWidgets.QApplication, srv: live.LiveServer, out: pathlib.Path) -> None:
    add_counters_and_officers(srv)
    hall = fill_hall(srv)
    notice = (
        "Trung tâm Phục vụ hành chính công tỉnh Phú Thọ tiếp nhận hồ sơ từ 07:00 đến 17:00 các ngày làm "
        "việc. Công dân vui lòng chuẩn bị đầy đủ giấy tờ theo hướng dẫn tại ki-ốt tra cứu."
    )
    srv.user("giamsat").put("/centres/1/notice", json={"notice": notice}).raise_for_status()
    serving = {number: hall.call_next(number) for number in CALLS[:10]}
    boards = []
    for size in ((1920, 1080), (1080, 1920)):
        config = BoardConfig(
            server=srv.base_url, device_key=srv.device_keys["display-1"], windowed=True, feature_seconds=60
        )
        board = board_app.BoardApp(config, wav_output=RecordingOutput(30))
        board.start()
        board.window.resize(*size)
        boards.append((board, size))
    for board, _ in boards:
        spin(app, lambda board=board: board.board.status.connected and board.board.state.loaded)
    for number in CALLS[10:]:
        for action in ("start", "finish"):
            hall.ticket_action(number, serving[number]["id"], action)
        hall.call_next(number)
    for board, size in boards:
        spin(app, lambda board=board: board.board.current is not None and board.board.state.waiting == 40)
        spin(app, lambda: False, 0.5)
        name = "landscape" if size[0] > size[1] else "portrait"
        board.window.grab().save(str(out / f"board-{name}.png"))
    srv.stop()
    board, _ = boards[0]
    spin(app, board.window.marker.isVisible)
    board.window.grab().save(str(out / "board-disconnected.png"))
    srv.start()
    for board, _ in boards:
        board.shutdown()


if __name__ == "__main__":
    _offscreen.main_with_server(shoot, lambda _app: theme.load_fonts())
