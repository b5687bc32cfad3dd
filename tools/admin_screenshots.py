"""Screenshot of the administration screen for docs/screenshots/: the procedures list with the
editor open on a real demo procedure (Cấp Phiếu lý lịch tư pháp).

Runs a real server (demo catalogue, fresh SQLite file) in this process, offscreen, at the
1920×1080 of an administrator's PC, signed in as admin. The editor is a window of its own,
so it is painted over the page where a desktop would show it.
``.venv/bin/python tools/admin_screenshots.py [OUT_DIR]``
"""

from __future__ import annotations

import pathlib

import _offscreen  # Qt offscreen and the work tree on sys.path, before the imports below
from PySide6 import QtCore, QtGui, QtWidgets

from apiclient import client
from counter_app import window
from counter_app.views.admin import page
from qtkit import tasks
from tests import live

spin = _offscreen.spin
PROCEDURE = "1.001234"  # Cấp Phiếu lý lịch tư pháp (demo catalogue)


def with_editor(screen: page.AdminPage) -> QtGui.QPixmap:
    """The page with its editor painted centred over it, as the window manager would place it."""
    shot = screen.grab()
    editor = screen.editor
    assert editor is not None
    dialog = editor.grab()
    painter = QtGui.QPainter(shot)
    painter.fillRect(shot.rect(), QtGui.QColor(0, 0, 0, 60))  # the page dims behind a modal editor
    x, y = (shot.width() - dialog.width()) // 2, (shot.height() - dialog.height()) // 2
    painter.fillRect(
        QtCore.QRect(x - 2, y - 2, dialog.width() + 4, dialog.height() + 4), QtGui.QColor("#44525f")
    )
    painter.drawPixmap(x, y, dialog)
    painter.end()
    return shot


def shoot(app: QtWidgets.QApplication, srv: live.LiveServer, out: pathlib.Path) -> None:
    api = client.Client(srv.base_url)
    api.login("admin", live.PASSWORD)
    runner = tasks.Runner()
    screen = page.AdminPage(api, runner)
    screen.resize(1920, 1080)
    screen.show()
    screen.show_kind("procedures")
    spin(app, lambda: screen.table.rowCount() > 0 and not screen.busy)
    target = next(row for row in screen.shown if row["code"] == PROCEDURE)
    screen.select(target["id"])
    screen.table.scrollToTop()
    screen.edit_selected()
    spin(app, lambda: screen.editor is not None and screen.editor.isVisible())
    assert screen.editor is not None
    spin(app, lambda: False, 0.3)
    with_editor(screen).save(str(out / "admin-procedures.png"))
    screen.editor.reject()
    runner.close()
    api.close()


if __name__ == "__main__":
    _offscreen.main_with_server(shoot, window.apply_theme)
