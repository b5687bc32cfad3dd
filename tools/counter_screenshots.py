"""Screenshots of the counter's calling desk in each state, for docs/screenshots/.

Runs a real server (demo catalogue, fresh SQLite file) in this process, offscreen, at the
1366×768 of a typical counter PC. ``.venv/bin/python tools/counter_screenshots.py [OUT_DIR]``
"""

from __future__ import annotations

import pathlib
import sys
import tempfile
import uuid
from collections.abc import Callable

import _offscreen  # Qt offscreen and the work tree on sys.path, before the imports below
from PySide6 import QtCore, QtWidgets

from counter_app import app as counter_app
from counter_app import config as counter_config
from counter_app import window
from counter_app.views import transfer
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


def main() -> None:
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QtWidgets.QApplication([])
    window.apply_theme(app)
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        with (
            live.fresh_database(folder) as url,
            live.run_server(data_dir=folder / "data", database_url=url, clock=live.Clock()) as srv,
        ):
            shoot(app, srv, out, folder / "counter-pc")
    print(f"saved in {out}")


if __name__ == "__main__":
    main()
