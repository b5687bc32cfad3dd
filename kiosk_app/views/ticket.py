"""After a touch: "printing…", then the ticket (the number huge, beside the printed image),
or why there is no ticket."""

from __future__ import annotations

from PIL import Image
from PySide6 import QtCore, QtWidgets

from kiosk_app import texts
from qtkit import widgets

IMAGE_SIZE = QtCore.QSize(400, 620)  # on screen, the printed image fits in this


class TicketPage(QtWidgets.QWidget):
    """Signals:
    home(): the citizen touched "home" (the window also returns by itself).
    """

    home = QtCore.Signal()

    def __init__(self, text: texts.Texts, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = text
        self._state = "busy"
        outer = QtWidgets.QVBoxLayout(self)
        self._body = QtWidgets.QBoxLayout(QtWidgets.QBoxLayout.Direction.LeftToRight)
        info = QtWidgets.QVBoxLayout()
        self.heading = widgets.label(name="title", centre=True)
        self.number = widgets.label(name="number", centre=True, wrap=False)
        self.service = widgets.label(name="subtitle", centre=True)
        self.priority = widgets.label(name="subtitle", centre=True)
        self.wait = widgets.label(name="title", centre=True)
        self.ahead = widgets.label(name="subtitle", centre=True)
        self.take = widgets.label(name="subtitle", centre=True)
        self.message = widgets.label(name="alarm", centre=True)
        # What a printed ticket shows; hidden while printing and after a failure.
        self._ticket_parts = (self.number, self.service, self.priority, self.wait, self.ahead, self.take)
        for widget in (self.heading, *self._ticket_parts, self.message):
            info.addWidget(widget)
        for widget in (self.heading, *self._ticket_parts[1:]):
            # Wrapped labels ask for their height at their narrowest: far too tall here.
            widget.setWordWrap(False)
        info.addStretch(1)
        self.image = QtWidgets.QLabel()
        self.image.setObjectName("printed")
        self.image.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.image.setStyleSheet("border: 2px solid #9aa6b2; background: white;")
        self._body.addLayout(info, 3)
        self._body.addWidget(self.image, 2)
        outer.addLayout(self._body, 1)
        self.home_button = widgets.button("", kind="secondary", name="home")
        self.home_button.clicked.connect(self.home)
        outer.addWidget(self.home_button)
        self.number.setStyleSheet("font-size: 220px; font-weight: bold; color: #c8102e;")
        self.show_busy()

    def set_portrait(self, portrait: bool) -> None:
        self._body.setDirection(
            QtWidgets.QBoxLayout.Direction.TopToBottom
            if portrait
            else QtWidgets.QBoxLayout.Direction.LeftToRight
        )

    def retranslate(self) -> None:
        self.home_button.setText(self._text.get("home"))
        if self._state == "busy":
            self.heading.setText(self._text.get("issuing"))

    def show_busy(self) -> None:
        self._state = "busy"
        self._show(number=False, message=False)
        self.heading.setText(self._text.get("issuing"))

    def show_ticket(
        self,
        *,
        number: str,
        service: str,
        priority: str | None,
        ahead: int | None,
        minutes: int | None,
        image: Image.Image,
    ) -> None:
        self._state = "ticket"
        self._show(number=True, message=False)
        self.heading.setText(self._text.get("your_number"))
        self.number.setText(number)
        self.service.setText(service)
        self.priority.setText(self._text.get("priority_given", group=priority) if priority else "")
        self.priority.setVisible(bool(priority))
        self.wait.setText(self._text.get("please_wait"))
        self.ahead.setText(
            self._text.get("ahead", n=ahead, minutes=minutes or 0) if ahead else self._text.get("ahead_none")
        )
        self.take.setText(self._text.get("take_ticket"))
        self.image.setPixmap(
            widgets.pixmap(image).scaled(
                IMAGE_SIZE,
                QtCore.Qt.AspectRatioMode.KeepAspectRatio,
                QtCore.Qt.TransformationMode.SmoothTransformation,
            )
        )

    def show_failure(self, message: str) -> None:
        self._state = "failed"
        self._show(number=False, message=True)
        self.heading.setText("")
        self.message.setText(message)

    def _show(self, *, number: bool, message: bool) -> None:
        for widget in (*self._ticket_parts, self.image):
            widget.setVisible(number)
        self.message.setVisible(message)
        self.heading.setVisible(not message)
