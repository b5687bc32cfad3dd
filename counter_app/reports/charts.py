"""The reports' bar charts in QtCharts, on screen and as images for the PDF."""

from __future__ import annotations

from PySide6 import QtCharts, QtCore, QtGui, QtWidgets

from counter_app.reports import model
from qtkit import theme

LABEL_CHARS = 24  # a longer category (a procedure's name) is cut with "…" under its bar
VIETNAMESE = QtCore.QLocale(QtCore.QLocale.Language.Vietnamese, QtCore.QLocale.Country.Vietnam)


def short(text: str, limit: int = LABEL_CHARS) -> str:
    """A category under its bar: a service's first part ("Tư pháp – Hộ tịch" -> "Tư pháp"),
    and a long name cut with "…"."""
    text = text.split(" – ", maxsplit=1)[0]
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def chart(spec: model.Chart, *, font_px: int = 13) -> QtCharts.QChart:
    """A bar chart (stacked when the spec says so), numbers written the Vietnamese way."""
    made = QtCharts.QChart()
    made.setTitle(spec.title)
    made.setAnimationOptions(QtCharts.QChart.AnimationOption.NoAnimation)
    made.setLocale(VIETNAMESE)
    made.setLocalizeNumbers(True)
    font = QtGui.QFont(theme.FONT_FAMILY)
    font.setPixelSize(font_px)
    title_font = QtGui.QFont(font)
    title_font.setBold(True)
    title_font.setPixelSize(round(font_px * 1.2))
    made.setTitleFont(title_font)
    made.legend().setFont(font)
    made.legend().setAlignment(QtCore.Qt.AlignmentFlag.AlignBottom)
    series = QtCharts.QStackedBarSeries() if spec.stacked else QtCharts.QBarSeries()
    for data in spec.series:
        bars = QtCharts.QBarSet(data.name)
        bars.append([float(value) for value in data.values])
        bars.setColor(QtGui.QColor(data.color))
        bars.setBorderColor(QtGui.QColor(data.color))
        bars.setLabelColor(QtGui.QColor("white" if spec.stacked else theme.INK))
        bars.setLabelFont(font)
        series.append(bars)
    series.setLabelsVisible(True)
    series.setLabelsFormat("@value")
    series.setLabelsPosition(
        QtCharts.QAbstractBarSeries.LabelsPosition.LabelsCenter
        if spec.stacked
        else QtCharts.QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd
    )
    made.addSeries(series)
    categories = QtCharts.QBarCategoryAxis()
    categories.append([short(name) for name in spec.categories] or [""])
    categories.setLabelsFont(font)
    made.addAxis(categories, QtCore.Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(categories)
    values = _value_axis(spec, font)
    made.addAxis(values, QtCore.Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(values)
    return made


def _value_axis(spec: model.Chart, font: QtGui.QFont) -> QtCharts.QValueAxis:
    """Counts on whole ticks from 0; rates (served per hour) on nice decimal ticks."""
    values = QtCharts.QValueAxis()
    values.setLabelsFont(font)
    values.setTitleText(spec.axis_title)
    values.setTitleFont(font)
    whole = all(float(v).is_integer() for s in spec.series for v in s.values)
    top = _top(spec)
    if whole:
        step = _step(top)
        values.setRange(0, step * -(-top // step))  # up to a whole tick
        values.setTickType(QtCharts.QValueAxis.TickType.TicksDynamic)
        values.setTickAnchor(0)
        values.setTickInterval(step)
        # "%d" prints nothing once numbers are localized; "%.0f" does.
        values.setLabelFormat("%.0f")
    else:
        values.setRange(0, top)
        values.applyNiceNumbers()
        values.setLabelFormat("%.2f")
    return values


def _top(spec: model.Chart) -> float:
    """The value axis' end: the highest bar (or stack) and some room for its label."""
    if not spec.series or not spec.categories:
        return 1.0
    heights = (
        [sum(s.values[i] for s in spec.series) for i in range(len(spec.categories))]
        if spec.stacked
        else [v for s in spec.series for v in s.values]
    )
    highest = max(heights, default=0.0)
    return max(1.0, highest * 1.15)


def _step(top: float) -> float:
    """A whole tick interval giving at most about eight ticks."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top / step <= 8:
            return float(step)
    return float(10 ** len(str(int(top))) / 10)


def image(spec: model.Chart, size: QtCore.QSize, *, font_px: int = 22) -> QtGui.QImage:
    """The chart painted on a white image (for the PDF), through a scene, without a window."""
    made = chart(spec, font_px=font_px)
    scene = QtWidgets.QGraphicsScene()
    rect = QtCore.QRectF(0, 0, size.width(), size.height())
    made.setGeometry(rect)
    scene.addItem(made)
    scene.setSceneRect(rect)
    picture = QtGui.QImage(size, QtGui.QImage.Format.Format_RGB32)
    picture.fill(QtGui.QColor("white"))
    painter = QtGui.QPainter(picture)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    scene.render(painter, rect, rect)
    painter.end()
    scene.removeItem(made)
    return picture
