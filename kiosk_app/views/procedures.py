"""Procedure look-up: type (accents optional) and the list narrows; touch one for its papers,
sets, fee, processing time, agency and whether it can be done online."""

from __future__ import annotations

import html
from typing import Any

from PySide6 import QtCore, QtWidgets

from kiosk_app import texts
from kiosk_app.views import keyboard
from onestop import formatting
from qtkit import widgets


def describe(procedure: dict[str, Any], text: texts.Texts) -> str:
    """The procedure as rich text for the detail panel."""
    days = formatting.working_days(float(procedure["processing_days"]), english=text.english)
    fee = formatting.money(int(procedure["fee"])) if procedure["fee"] else text.get("free")
    if procedure.get("fee_note"):
        fee += f" ({procedure['fee_note']})"
    online = text.get(f"online_{procedure.get('online_level') or 'none'}")
    papers = "".join(
        f"<li>{html.escape(doc['name'])} — "
        f"{html.escape(text.get('copies', n=doc['copies'], kind=text.get('kind_' + doc['kind'])))}</li>"
        for doc in procedure.get("documents", [])
    )
    rows = [
        ("agency", procedure["agency_name"]),
        ("field", procedure["field_name"]),
        ("processing", days),
        ("fee", fee),
        ("sets", text.get("sets_value", n=procedure["sets"])),
        ("online", online),
    ]
    table = "".join(
        f"<tr><td style='padding:6px 18px 6px 0'><b>{text.get(key)}</b></td><td style='padding:6px 0'>"
        f"{html.escape(str(value))}</td></tr>"
        for key, value in rows
    )
    return (
        f"<h2 style='color:#083a73'>{html.escape(procedure['name'])}</h2>"
        f"<table>{table}</table><h3>{text.get('documents')}</h3><ol>{papers}</ol>"
    )


class ProceduresPage(QtWidgets.QWidget):
    """Signals:
    query_changed(str): the search text, after each key.
    back(): leave the page (or close the detail first).
    """

    query_changed = QtCore.Signal(str)
    back = QtCore.Signal()

    def __init__(self, text: texts.Texts, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = text
        self._found: list[dict[str, Any]] = []
        self._query = ""
        outer = QtWidgets.QVBoxLayout(self)
        top = QtWidgets.QHBoxLayout()
        self.back_button = widgets.button("", kind="secondary", name="back")
        self.back_button.clicked.connect(self._on_back_clicked)
        self.title = widgets.label(name="title", centre=True)
        top.addWidget(self.back_button)
        top.addWidget(self.title, 1)
        outer.addLayout(top)
        self.search = QtWidgets.QLineEdit()
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.query_changed)
        outer.addWidget(self.search)
        self._stack = QtWidgets.QStackedWidget()
        list_page = QtWidgets.QWidget()
        list_box = QtWidgets.QVBoxLayout(list_page)
        list_box.setContentsMargins(0, 0, 0, 0)
        self.count = widgets.label(name="subtitle")
        self.results = QtWidgets.QListWidget()
        self.results.setObjectName("results")
        self.results.setWordWrap(True)
        self.results.setVerticalScrollMode(QtWidgets.QAbstractItemView.ScrollMode.ScrollPerPixel)
        widgets.kinetic_scroll(self.results)
        self.results.itemClicked.connect(self._on_results_clicked)
        list_box.addWidget(self.count)
        list_box.addWidget(self.results, 1)
        self.detail = QtWidgets.QTextBrowser()
        self.detail.setObjectName("detail")
        widgets.kinetic_scroll(self.detail)
        self._stack.addWidget(list_page)
        self._stack.addWidget(self.detail)
        self.keyboard = keyboard.Keyboard(digits=False, space_text=text.get("space"))
        self.keyboard.attach(self.search)
        outer.addWidget(self._stack, 1)
        outer.addWidget(self.keyboard)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self._text.get("search_title"))
        self.search.setPlaceholderText(self._text.get("search_hint"))
        self.back_button.setText(self._text.get("back"))
        self.keyboard.set_space_text(self._text.get("space"))
        self.show_results(self._query, self._found)

    def reset(self) -> None:
        self.search.clear()
        self._stack.setCurrentIndex(0)

    def show_results(self, query: str, found: list[dict[str, Any]]) -> None:
        self._query, self._found = query, found
        self.results.clear()
        for procedure in found:
            item = QtWidgets.QListWidgetItem(f"{procedure['name']}\n{procedure['agency_name']}")
            item.setData(QtCore.Qt.ItemDataRole.UserRole, procedure)
            self.results.addItem(item)
        if found:
            self.count.setText(self._text.get("search_count", n=len(found)))
        else:
            self.count.setText(self._text.get("search_empty", q=query) if query else "")

    def show_error(self, message: str) -> None:
        self.count.setText(message)

    def open_procedure(self, procedure: dict[str, Any]) -> None:
        self.detail.setHtml(describe(procedure, self._text))
        self._stack.setCurrentIndex(1)

    @property
    def showing_detail(self) -> bool:
        return self._stack.currentIndex() == 1

    def _on_results_clicked(self, item: QtWidgets.QListWidgetItem) -> None:
        self.open_procedure(item.data(QtCore.Qt.ItemDataRole.UserRole))

    def _on_back_clicked(self) -> None:
        if self.showing_detail:
            self._stack.setCurrentIndex(0)
        else:
            self.back.emit()
