"""Home: the services as big buttons with their waits, and the two look-ups."""

from __future__ import annotations

import collections
from typing import Any

from PySide6 import QtCore, QtWidgets

from kiosk_app import texts
from qtkit import widgets

GROUP_ABOVE = 8  # more services than this are shown under their agencies' names


def group_services(
    services: list[dict[str, Any]], agencies: list[dict[str, Any]]
) -> list[tuple[str, list[dict[str, Any]]]]:
    """Services under the agency that owns most of their fields, agencies in order of first
    appearance; one nameless group when there are few services."""
    if len(services) <= GROUP_ABOVE:
        return [("", services)]
    owner = {int(f["id"]): str(a["name"]) for a in agencies for f in a.get("fields", [])}
    groups: dict[str, list[dict[str, Any]]] = {}
    for service in services:
        names = collections.Counter(owner[f] for f in service.get("field_ids", []) if f in owner)
        name = names.most_common(1)[0][0] if names else ""
        groups.setdefault(name, []).append(service)
    return list(groups.items())


class ServiceButton(QtWidgets.QPushButton):
    """A service: its letter and name, and below how many wait and for how long."""

    def __init__(self, service: dict[str, Any], parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.setObjectName(f"service-{service['code']}")
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.setMinimumSize(widgets.TOUCH_PX * 2, 170)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Expanding)
        box = QtWidgets.QVBoxLayout(self)
        box.setContentsMargins(20, 12, 20, 12)
        self.title = widgets.label(f"{service['letter']}  ·  {service['name']}", name="svc_title")
        self.wait = widgets.label("", name="svc_wait")
        for part in (self.title, self.wait):
            part.setAttribute(QtCore.Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            box.addWidget(part)

    def show_wait(self, text: texts.Texts) -> None:
        service = self.service
        parts = []
        if service["waiting"]:
            parts.append(text.get("waiting", n=service["waiting"], minutes=service["estimated_wait_minutes"]))
        if not service.get("open_counters"):
            parts.append(text.get("no_counter"))
        self.wait.setText(" · ".join(parts) or text.get("nobody_waiting"))


class HomePage(QtWidgets.QWidget):
    """Signals:
    service_chosen(object): the service dict of the button touched.
    procedures_wanted(), dossier_wanted(): the look-up buttons.
    """

    service_chosen = QtCore.Signal(object)
    procedures_wanted = QtCore.Signal()
    dossier_wanted = QtCore.Signal()

    def __init__(self, text: texts.Texts, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = text
        self._services: list[dict[str, Any]] = []
        self._agencies: list[dict[str, Any]] = []
        self._columns = 2
        self._enabled = False
        self.buttons: dict[str, ServiceButton] = {}
        box = QtWidgets.QVBoxLayout(self)
        self.prompt = widgets.label(name="subtitle", centre=True)
        box.addWidget(self.prompt)
        self._area = QtWidgets.QScrollArea()
        self._area.setWidgetResizable(True)
        self._area.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        widgets.kinetic_scroll(self._area)
        self._grid_host = QtWidgets.QWidget()
        self._grid = QtWidgets.QGridLayout(self._grid_host)
        self._grid.setSpacing(16)
        self._area.setWidget(self._grid_host)
        box.addWidget(self._area, 1)
        row = QtWidgets.QHBoxLayout()
        self.procedures = widgets.button("", kind="secondary", name="procedures")
        self.dossier = widgets.button("", kind="secondary", name="dossier")
        self.procedures.clicked.connect(self.procedures_wanted)
        self.dossier.clicked.connect(self.dossier_wanted)
        row.addWidget(self.procedures)
        row.addWidget(self.dossier)
        box.addLayout(row)
        self.retranslate()

    def retranslate(self) -> None:
        self.prompt.setText(self._text.get("home_prompt"))
        self.procedures.setText(self._text.get("procedures"))
        self.dossier.setText(self._text.get("dossier"))
        for button in self.buttons.values():
            button.show_wait(self._text)

    def set_columns(self, columns: int) -> None:
        if columns != self._columns:
            self._columns = columns
            self._rebuild()

    def set_services(self, services: list[dict[str, Any]], agencies: list[dict[str, Any]]) -> None:
        # What the buttons show besides the waits: a rename or a new letter (an administrator's
        # edit) rebuilds them like a new service does.
        def faces(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
            return [(s["code"], s["letter"], s["name"], s.get("agency_id")) for s in items]

        if faces(services) == faces(self._services) and agencies == self._agencies:
            for service in services:  # same buttons: only the waits change
                self.buttons[service["code"]].service = service
                self.buttons[service["code"]].show_wait(self._text)
            self._services = services
            return
        self._services, self._agencies = services, agencies
        self._rebuild()

    def set_issuing_enabled(self, enabled: bool) -> None:
        self._enabled = enabled
        for button in self.buttons.values():
            button.setEnabled(enabled)

    def _rebuild(self) -> None:
        widgets.clear_layout(self._grid)
        self.buttons = {}
        row = 0
        for name, services in group_services(self._services, self._agencies):
            if name:
                self._grid.addWidget(widgets.label(name, name="title"), row, 0, 1, self._columns)
                row += 1
            for index, service in enumerate(services):
                button = ServiceButton(service)
                button.show_wait(self._text)
                button.setEnabled(self._enabled)
                button.clicked.connect(lambda _=False, b=button: self.service_chosen.emit(b.service))
                self.buttons[service["code"]] = button
                self._grid.addWidget(button, row + index // self._columns, index % self._columns)
            row += (len(services) + self._columns - 1) // self._columns
        self._grid.setRowStretch(row, 1)
