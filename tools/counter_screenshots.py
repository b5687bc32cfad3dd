"""Screenshots of the counter's calling desk in each state, and of the supervisor's overview,
for docs/screenshots/.

Runs a real server (demo catalogue, fresh SQLite file) in this process, offscreen, at the
1366×768 of a typical counter PC. ``.venv/bin/python tools/counter_screenshots.py [OUT_DIR]``
"""

from __future__ import annotations

import datetime as dt
import pathlib
import sys
import tempfile
import uuid
from collections.abc import Callable

import _offscreen  # Qt offscreen and the work tree on sys.path, before the imports below
import sqlalchemy as sa
from PySide6 import QtCore, QtWidgets

from counter_app import app as counter_app
from counter_app import config as counter_config
from counter_app import window
from counter_app.views import transfer
from onestop import calendar
from onestop.enums import Role
from server import auth, models, tickets
from server.db import open_database
from tests import live
from tests.server.checks import DOSSIER

spin = _offscreen.spin


def shoot(
    app: QtWidgets.QApplication, srv: live.LiveServer, out: pathlib.Path, data_dir: pathlib.Path
) -> None:
    kiosk = srv.device("kiosk-1")
    for service_id, group in [(1, None)] * 2 + [(1, "elderly")] + [(1, None)] * 6 + [(5, None)] * 3:
        kiosk.post("/tickets", json={"service_id": service_id, "priority_group": group}).raise_for_status()
    desk_app = counter_app.CounterApp(
        counter_config.CounterConfig(server=srv.base_url, counter=8, data_dir=str(data_dir))
    )
    w, page = desk_app.window, desk_app.window.desk
    desk_app.start()
    w.resize(1366, 768)
    spin(app, lambda: w.sign_in.counter.count() > 0)
    w.sign_in.username.setText("canbo1")
    w.grab().save(str(out / "counter-sign-in.png"))

    def save(name: str, done: Callable[[], bool]) -> None:
        spin(app, lambda: done() and not desk_app.desk.busy)
        spin(app, lambda: False, 0.3)
        w.grab().save(str(out / f"counter-{name}.png"))

    desk_app.desk.sign_in("canbo1", live.PASSWORD, 8)
    save("idle", lambda: desk_app.desk.connection.connected and bool(desk_app.services))
    desk_app.desk.act("next")
    save("called", lambda: page.number.text() != "—")
    desk_app.desk.act("start")
    save("serving", lambda: page.state.text() == "Đang phục vụ")
    dialog = transfer.TransferDialog(
        [s for s in desk_app.services if s["id"] != desk_app.desk.current["service_id"]],
        number=page.number.text(),
    )
    dialog.grab().save(str(out / "counter-transfer.png"))
    shoot_dossier_work(app, srv, out, desk_app)
    desk_app.desk.act("finish")
    spin(app, lambda: page.number.text() == "—" and not desk_app.desk.busy)
    desk_app.desk.act("next")
    spin(app, lambda: page.number.text() != "—" and not desk_app.desk.busy)
    for _ in range(2):
        desk_app.desk.act("recall")
        spin(app, lambda: desk_app.desk.busy)
        spin(app, lambda: not desk_app.desk.busy)
    desk_app.desk.act("no_show")
    spin(app, lambda: page.no_shows.count() == 1)
    desk_app.desk.act("pause")
    save("paused", lambda: "TẠM DỪNG" in page.officer.text())
    srv.stop()
    save("disconnected", lambda: page.connection.text().startswith("● Mất"))
    srv.start()
    spin(app, lambda: desk_app.desk.connection.connected)
    desk_app.shutdown()


def shoot_dossier_work(
    app: QtWidgets.QApplication, srv: live.LiveServer, out: pathlib.Path, desk_app: counter_app.CounterApp
) -> None:
    """The intake form filled in, a return found with its history, and the citizen's rating."""
    work = desk_app.work
    spin(app, lambda: bool(work.procedures))
    work.open_intake()
    form = work.intake_dialog
    form.search.setText("ly lich tu phap")
    form.results.setCurrentRow(0)
    for name, text in (
        ("full_name", "Nguyễn Thị Lựu"),
        ("id_number", "02519001234"),
        ("phone", "0912 345 678"),
        ("address", "Số 5 đường Hùng Vương, phường Việt Trì, tỉnh Phú Thọ"),
    ):
        form.fields[name].edit.setText(text)
    form.papers.item(0, 0).setCheckState(QtCore.Qt.CheckState.Checked)
    form.resize(1366, 760)
    spin(app, lambda: False, 0.3)
    form.grab().save(str(out / "counter-intake.png"))
    form.reject()
    officer = srv.user("canbo2")
    body = dict(DOSSIER, applicant=dict(DOSSIER["applicant"], full_name="Trần Văn Khoa"))
    code = officer.post("/dossiers", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}).json()["code"]
    officer.post(f"/dossiers/{code}/ready").raise_for_status()
    work.open_return()
    dialog = work.return_dialog
    dialog.query.setText(code)
    dialog.search.click()
    spin(app, lambda: "Quá trình giải quyết" in dialog.details.toHtml())
    dialog.grab().save(str(out / "counter-return.png"))
    dialog.accept()
    spin(app, work.rating.isVisible)
    work.rating.resize(1280, 720)
    spin(app, lambda: False, 0.3)
    work.rating.grab().save(str(out / "counter-rating.png"))
    work.rating.levels["rat_hai_long"].click()
    spin(app, lambda: work.sync.waiting == 0)


OFFICERS = {  # realistic names for the overview's officer column
    "canbo1": "Nguyễn Thị Hoa",
    "canbo2": "Trần Văn Minh",
    "canbo3": "Lê Thu Trang",
    "canbo4": "Phạm Quốc Huy",
    "canbo5": "Đỗ Thị Lan",
    "giamsat": "Hoàng Minh Tuấn",
}


def _prepare_people(srv: live.LiveServer) -> None:
    """Two more officers, and every officer with a real-looking name."""
    db = open_database(srv.settings.resolved_database_url())
    try:
        with db.write() as session:
            for username in ("canbo4", "canbo5"):
                auth.create_user(
                    session, username=username, password=live.PASSWORD, role=Role.OFFICER, centre_id=1
                )
            for username, name in OFFICERS.items():
                session.execute(
                    sa.update(models.User).where(models.User.username == username).values(full_name=name)
                )
    finally:
        db.dispose()


def _set_due(srv: live.LiveServer, code: str, due_at: dt.datetime) -> None:
    db = open_database(srv.settings.resolved_database_url())
    try:
        with db.write() as session:
            session.execute(
                sa.update(models.Dossier).where(models.Dossier.code == code).values(due_at=due_at)
            )
    finally:
        db.dispose()


# Minute of the morning → what the officers do then (serve = call the next number and start).
MORNING = {
    9: [("canbo1", 1, "open"), ("canbo2", 2, "open"), ("canbo5", 4, "open"), ("canbo3", 5, "open")],
    10: [("canbo1", 1, "serve"), ("canbo2", 2, "serve"), ("canbo5", 4, "serve"), ("canbo3", 5, "serve")],
    12: [("canbo4", 6, "open")],
    17: [("canbo2", 2, "finish"), ("canbo3", 5, "finish"), ("canbo4", 6, "serve")],
    18: [("canbo2", 2, "serve"), ("canbo3", 5, "serve")],
    24: [("canbo5", 4, "finish"), ("canbo4", 6, "finish"), ("canbo4", 6, "pause")],
    25: [("canbo5", 4, "serve")],
    29: [("canbo2", 2, "finish"), ("canbo3", 5, "finish")],
    30: [("canbo2", 2, "serve")],
    37: [("canbo5", 4, "finish"), ("canbo5", 4, "serve")],
    39: [("canbo3", 5, "call")],
}
SERVICES_TAKEN = [1, 2, 1, 4, 3, 1, 2, 5, 1, 4, 2, 1, 6, 1, 4, 2, 3, 1, 4, 1, 2, 5, 1, 4, 2, 1, 4, 3, 1, 2]


def _officer_step(srv: live.LiveServer, user: str, counter: int, action: str) -> None:
    officer = srv.user(user)
    if action in ("open", "pause"):
        officer.post(f"/counters/{counter}/{action}").raise_for_status()
        return
    if action == "finish":
        current = officer.get(f"/counters/{counter}/queue").json()["current"]
        officer.post(f"/tickets/{current['id']}/finish").raise_for_status()
        return
    ticket = officer.post(f"/counters/{counter}/call-next").json()
    if action == "serve":
        officer.post(f"/tickets/{ticket['id']}/start").raise_for_status()


def _supervisor_data(srv: live.LiveServer) -> None:
    """A morning at the centre: lines, counters open and paused, a kiosk out of paper, dossiers due."""
    start = dt.datetime(2026, 3, 2, 8, 0, tzinfo=calendar.VN_TZ)  # a Monday morning
    _prepare_people(srv)
    kiosk = srv.device("kiosk-1")
    for minute in range(41):
        srv.clock.set(start + dt.timedelta(minutes=minute, seconds=13))
        if minute % 4 != 3:
            service_id = SERVICES_TAKEN[minute % len(SERVICES_TAKEN)]
            kiosk.post("/tickets", json={"service_id": service_id}).raise_for_status()
        for step in MORNING.get(minute, []):
            _officer_step(srv, *step)
        if minute == 36:
            srv.device("kiosk-2").post("/devices/status", json={}).raise_for_status()
    officer = srv.user("canbo2")
    names = ["Nguyễn Văn Bình", "Hoàng Thị Mai", "Vũ Đức Thắng", "Bùi Thị Ngọc", "Đặng Văn Long"]
    now = srv.clock()
    for i, name in enumerate(names):
        body = dict(DOSSIER, applicant=dict(DOSSIER["applicant"], full_name=name))
        code = officer.post("/dossiers", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}).json()[
            "code"
        ]
        due = now - dt.timedelta(days=2 - i, hours=1) if i < 2 else now.replace(hour=13 + i, minute=30)
        _set_due(srv, code, due)
    srv.clock.set(start + dt.timedelta(minutes=41, seconds=25))
    srv.device("display-1").post("/devices/status", json={}).raise_for_status()
    _flooded(srv, "kiosk-2")
    kiosk.post("/devices/status", json={"fault": "Máy in phiếu: Hết giấy"}).raise_for_status()
    srv.user("giamsat").put(
        "/centres/1/notice", json={"notice": "Trung tâm làm việc buổi chiều từ 13 giờ 30 đến 17 giờ 00."}
    ).raise_for_status()


def _flooded(srv: live.LiveServer, name: str) -> None:
    """What the server records when a kiosk's key issues faster than a citizen taps."""
    db = open_database(srv.settings.resolved_database_url())
    try:
        with db.write() as session:
            device = session.scalars(sa.select(models.Device).where(models.Device.name == name)).one()
            tickets.mark_flood(session, device=device, now=srv.clock())
    finally:
        db.dispose()


def shoot_supervisor(
    app: QtWidgets.QApplication, srv: live.LiveServer, out: pathlib.Path, data_dir: pathlib.Path
) -> None:
    _supervisor_data(srv)
    sup = counter_app.CounterApp(
        counter_config.CounterConfig(
            server=srv.base_url, data_dir=str(data_dir), ticket_printer=f"preview://{data_dir / 'tickets'}"
        )
    )
    w = sup.window
    sup.start()
    w.resize(1366, 768)
    w.sign_in.username.setText("giamsat")
    w.sign_in.password.setText(live.PASSWORD)
    w.sign_in.supervise.setChecked(True)
    w.sign_in.submit.click()
    spin(app, lambda: sup.overview.online and w.overview.waiting.rowCount() > 0)
    w.overview.waiting.selectRow(2)
    spin(app, lambda: False, 1.2)
    w.grab().save(str(out / "supervisor-overview.png"))
    w.resize(1920, 1080)
    spin(app, lambda: False, 0.5)
    w.grab().save(str(out / "supervisor-overview-1080p.png"))
    sup.shutdown()


def main() -> None:
    """``[OUT_DIR] [--supervisor-only]``"""
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    only_supervisor = "--supervisor-only" in sys.argv
    out = pathlib.Path(args[0] if args else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QtWidgets.QApplication([])
    window.apply_theme(app)
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        if not only_supervisor:
            with (
                live.fresh_database(folder) as url,
                live.run_server(data_dir=folder / "data", database_url=url, clock=live.Clock()) as srv,
            ):
                shoot(app, srv, out, folder / "counter-pc")
        (folder / "sup").mkdir()
        with (
            live.fresh_database(folder / "sup") as url,
            live.run_server(data_dir=folder / "sup-data", database_url=url, clock=live.Clock()) as srv,
        ):
            shoot_supervisor(app, srv, out, folder / "supervisor-pc")
    print(f"saved in {out}")


if __name__ == "__main__":
    main()
