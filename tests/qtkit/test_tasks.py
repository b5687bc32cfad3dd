"""The runner hands results back on the GUI thread, and drops them when their dialog is gone."""

from __future__ import annotations

import threading

from PySide6 import QtWidgets

from qtkit import tasks


def test_a_result_for_a_closed_dialog_is_dropped_and_others_still_arrive(qtbot) -> None:
    runner = tasks.Runner()
    dialog = QtWidgets.QDialog()
    label = QtWidgets.QLabel(dialog)
    release = threading.Event()
    shown: list[str] = []
    try:
        runner.submit(lambda: release.wait(10) and "lịch sử", done=label.setText, owner=dialog)
        dialog.deleteLater()  # the officer closed it while the server was answering
        qtbot.waitUntil(lambda: not tasks.alive(dialog), timeout=5000)
        release.set()
        qtbot.waitUntil(lambda: runner.in_flight == 0, timeout=5000)  # the result came back
        # Nothing was drawn on the deleted label (it would raise "already deleted"), and the
        # runner goes on serving others.
        runner.submit(lambda: "tiếp", done=shown.append)
        qtbot.waitUntil(lambda: shown == ["tiếp"], timeout=5000)
    finally:
        release.set()
        runner.close()
