"""Dossier look-up: scan the receipt's code or type it; status and due date, data masked."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from PySide6 import QtCore, QtWidgets

from kiosk_app import texts
from kiosk_app.views import keyboard
from onestop import formatting
from qtkit import widgets


def describe(found: dict[str, Any], text: texts.Texts) -> str:
    def when(key: str) -> str:
        value = found.get(key)
        return formatting.date_time(dt.datetime.fromisoformat(value)) if value else ""

    applicant = found.get("applicant") or {}
    rows = [
        ("dossier_code", found["code"]),
        ("dossier_procedure", found.get("procedure_name")),
        ("agency", found.get("agency_name")),
        ("dossier_applicant", applicant.get("full_name", "")),
        ("dossier_received", when("received_at")),
        ("dossier_due", when("due_at")),
    ]
    if found.get("returned_at"):
        rows.append(("dossier_returned", when("returned_at")))
    # A dossier of another centre, looked up by its code alone, comes with its status and
    # due time only: the rows it lacks are left out.
    table = "".join(
        f"<tr><td style='padding:8px 24px 8px 0'><b>{text.get(key)}</b></td>"
        f"<td>{html.escape(str(value))}</td></tr>"
        for key, value in rows
        if value
    )
    status = text.get("status_" + found["status"])
    shown = f"<h2 style='color:#116b2f'>{html.escape(status)}</h2><table>{table}</table>"
    if found.get("procedure_name") is None:  # the server gave the status only
        shown += f"<p>{html.escape(text.get('dossier_scan_for_more'))}</p>"
    return shown


class DossierPage(QtWidgets.QWidget):
    """Signals:
    lookup_wanted(str): the typed text, on "look up" or Enter.
    back(): leave the page.
    """

    lookup_wanted = QtCore.Signal(str)
    back = QtCore.Signal()

    def __init__(self, text: texts.Texts, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = text
        self._shown: dict[str, Any] | None = None
        outer = QtWidgets.QVBoxLayout(self)
        top = QtWidgets.QHBoxLayout()
        self.back_button = widgets.button("", kind="secondary", name="back")
        self.back_button.clicked.connect(self.back)
        self.title = widgets.label(name="title", centre=True)
        top.addWidget(self.back_button)
        top.addWidget(self.title, 1)
        row = QtWidgets.QHBoxLayout()
        self.code = QtWidgets.QLineEdit()
        self.code.setObjectName("code")
        self.code.returnPressed.connect(self._on_lookup_clicked)
        self.search = widgets.button("", name="lookup")
        self.search.clicked.connect(self._on_lookup_clicked)
        row.addWidget(self.code, 1)
        row.addWidget(self.search)
        self.last_message = ""  # shown in the answer area
        # Before a look-up the answer area says what to do.
        self.result = QtWidgets.QTextBrowser()
        self.result.setObjectName("result")
        self.keyboard = keyboard.Keyboard(digits=True, space_text=text.get("space"))
        self.keyboard.attach(self.code)
        outer.addLayout(top)
        outer.addLayout(row)
        outer.addWidget(self.result, 1)
        outer.addWidget(self.keyboard)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self._text.get("dossier_title"))
        self.code.setPlaceholderText(self._text.get("dossier_code"))
        self.search.setText(self._text.get("dossier_search"))
        self.back_button.setText(self._text.get("back"))
        self.keyboard.set_space_text(self._text.get("space"))
        if self._shown is not None:
            self.show_dossier(self._shown)
        elif not self.last_message:
            self._show_hint()

    def reset(self) -> None:
        self.code.clear()
        self.last_message = ""
        self._shown = None
        self._show_hint()

    def _show_hint(self) -> None:
        self.result.setHtml(
            f"<p style='font-size:34px; color:#44525f'>{html.escape(self._text.get('dossier_hint'))}</p>"
        )

    def show_searching(self, code: str) -> None:
        self.code.setText(code)
        self._shown = None
        self._say(self._text.get("dossier_searching"))

    def show_dossier(self, found: dict[str, Any]) -> None:
        self._shown = found
        self.last_message = ""
        self.code.setText(found["code"])
        self.result.setHtml(describe(found, self._text))

    def show_message(self, key: str, **values: object) -> None:
        self._shown = None
        self._say(self._text.get(key, **values))

    def show_error(self, message: str) -> None:
        self._shown = None
        self._say(message)

    def _say(self, message: str) -> None:
        # In the answer area, which scrolls: a long message never gets cut off.
        self.last_message = message
        self.result.setHtml(f"<p style='font-size:34px; color:#5c3c00'><b>{html.escape(message)}</b></p>")

    def _on_lookup_clicked(self) -> None:
        if self.code.text().strip():
            self.lookup_wanted.emit(self.code.text())
