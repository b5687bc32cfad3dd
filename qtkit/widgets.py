"""Small widgets the apps share."""

from __future__ import annotations

from PIL import Image, ImageQt
from PySide6 import QtCore, QtGui, QtWidgets

TOUCH_PX = 120  # the smallest touch target the kiosk may show (both sides)


def button(text: str, *, kind: str = "primary", touch: bool = True, name: str = "") -> QtWidgets.QPushButton:
    widget = QtWidgets.QPushButton(text)
    widget.setProperty("kind", kind)
    widget.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus if touch else QtCore.Qt.FocusPolicy.StrongFocus)
    if touch:
        widget.setMinimumSize(TOUCH_PX, TOUCH_PX)
    if name:
        widget.setObjectName(name)
    return widget


def label(text: str = "", *, name: str = "", wrap: bool = True, centre: bool = False) -> QtWidgets.QLabel:
    widget = QtWidgets.QLabel(text)
    widget.setWordWrap(wrap)
    if name:
        widget.setObjectName(name)
    if centre:
        widget.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
    return widget


def pixmap(image: Image.Image) -> QtGui.QPixmap:
    """A Pillow image (e.g. the ticket as printed) as a pixmap."""
    return QtGui.QPixmap.fromImage(ImageQt.ImageQt(image.convert("L")))


def clear_layout(layout: QtWidgets.QLayout) -> None:
    while (item := layout.takeAt(0)) is not None:
        widget, inner = item.widget(), item.layout()
        if widget is not None:
            widget.deleteLater()
        elif inner is not None:
            clear_layout(inner)


def kinetic_scroll(area: QtWidgets.QAbstractScrollArea) -> None:
    """Drag with a finger to scroll, as on a phone."""
    QtWidgets.QScroller.grabGesture(
        area.viewport(), QtWidgets.QScroller.ScrollerGestureType.LeftMouseButtonGesture
    )
