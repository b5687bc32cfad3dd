"""Text that sizes itself to the screen: a hall board runs on 1080p, portrait and 4K alike."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from qtkit import theme

Align = QtCore.Qt.AlignmentFlag


class FitLabel(QtWidgets.QWidget):
    """One line of text as tall as ``fill`` of the widget's height, shrunk to fit its width
    (or elided with … when ``elide``). ``text()`` is what it shows."""

    def __init__(
        self,
        text: str = "",
        *,
        fill: float = 0.8,
        bold: bool = False,
        colour: str = theme.INK,
        align: QtCore.Qt.AlignmentFlag = Align.AlignLeft | Align.AlignVCenter,
        elide: bool = False,
        name: str = "",
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._text = text
        self._fill, self._bold, self._align, self._elide = fill, bold, align, elide
        self._colour = QtGui.QColor(colour)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Ignored)
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_TranslucentBackground)
        if name:
            self.setObjectName(name)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 (Qt naming, as QLabel)
        if text != self._text:
            self._text = text
            self.update()

    def set_colour(self, colour: str) -> None:
        if QtGui.QColor(colour) != self._colour:
            self._colour = QtGui.QColor(colour)
            self.update()

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802 (Qt override)
        if not self._text:
            return
        painter = QtGui.QPainter(self)
        painter.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)
        font = QtGui.QFont(theme.FONT_FAMILY)
        font.setBold(self._bold)
        font.setPixelSize(max(6, round(self.height() * self._fill)))
        width = QtGui.QFontMetrics(font).horizontalAdvance(self._text)
        text = self._text
        if width > self.width():
            if self._elide:
                text = QtGui.QFontMetrics(font).elidedText(
                    text, QtCore.Qt.TextElideMode.ElideRight, self.width()
                )
            else:
                font.setPixelSize(max(6, int(font.pixelSize() * self.width() / width)))
        painter.setFont(font)
        painter.setPen(self._colour)
        painter.drawText(self.rect(), self._align, text)


class Marquee(QtWidgets.QWidget):
    """The notice line: still when it fits, else scrolling right to left at a reading pace
    (about three letters' height a second), redrawn 30 times a second only while it moves."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._offset = 0.0
        self._timer = QtCore.QTimer(self, interval=33)
        self._timer.timeout.connect(self._step)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Ignored)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 (Qt naming)
        if text != self._text:
            self._text, self._offset = text, 0.0
            self._sync()
            self.update()

    @property
    def moving(self) -> bool:
        return self._timer.isActive()

    def _font(self) -> QtGui.QFont:
        font = QtGui.QFont(theme.FONT_FAMILY)
        font.setPixelSize(max(6, round(self.height() * 0.6)))
        return font

    def _text_width(self) -> int:
        return QtGui.QFontMetrics(self._font()).horizontalAdvance(self._text)

    def _sync(self) -> None:
        scroll = self.isVisible() and bool(self._text) and self._text_width() > self.width()
        if scroll and not self._timer.isActive():
            self._timer.start()
        elif not scroll and self._timer.isActive():
            self._timer.stop()
            self._offset = 0.0

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 (Qt override)
        self._sync()

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802 (Qt override)
        self._sync()

    def hideEvent(self, event: QtGui.QHideEvent) -> None:  # noqa: N802 (Qt override)
        self._timer.stop()

    def _step(self) -> None:
        self._offset += self.height() * 2 * self._timer.interval() / 1000
        gap = self.width() / 3
        if self._offset > self._text_width() + gap:
            self._offset -= self._text_width() + gap
        self.update()

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802 (Qt override)
        if not self._text:
            return
        painter = QtGui.QPainter(self)
        painter.setFont(self._font())
        painter.setPen(QtGui.QColor("white"))
        flags = Align.AlignVCenter | Align.AlignLeft
        if not self.moving:
            painter.drawText(self.rect(), Align.AlignCenter, self._text)
            return
        width, gap = self._text_width(), self.width() / 3
        x = -self._offset
        while x < self.width():
            painter.drawText(QtCore.QRectF(x, 0, width + 10, self.height()), flags, self._text)
            x += width + gap
