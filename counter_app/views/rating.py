"""The citizen's rating: three big buttons on the counter's second screen (or the officer's)."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from onestop import dossier
from onestop.enums import Rating

REASONS = (
    "Thời gian chờ đợi lâu",
    "Hướng dẫn chưa rõ ràng",
    "Thái độ phục vụ chưa tốt",
    "Thủ tục còn phức tạp",
)
THANKS_MS = 6000


class RatingWindow(QtWidgets.QWidget):
    """Signals:
    rated(str, str): the level (onestop.enums.Rating value) and the reason ("" unless unhappy).
    """

    rated = QtCore.Signal(str, str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent, QtCore.Qt.WindowType.Window)
        self.setWindowTitle("Đánh giá mức độ hài lòng")
        self.code = ""
        self.stack = QtWidgets.QStackedLayout(self)
        self.idle = self._page("Xin kính chào Ông/Bà!", "idle_text")
        self.ask_page = QtWidgets.QWidget()
        ask = QtWidgets.QVBoxLayout(self.ask_page)
        self.question = QtWidgets.QLabel()
        self.question.setObjectName("question")
        self.question.setWordWrap(True)
        self.question.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        ask.addWidget(self.question)
        row = QtWidgets.QHBoxLayout()
        self.levels: dict[str, QtWidgets.QPushButton] = {}
        for level in Rating:
            button = QtWidgets.QPushButton(dossier.RATING_NAMES_VI[level])
            button.setObjectName(level.value)
            button.setMinimumSize(240, 160)
            button.clicked.connect(lambda _=False, lv=level: self._on_level(lv))
            row.addWidget(button)
            self.levels[level.value] = button
        ask.addLayout(row)
        self.reason_box = QtWidgets.QWidget()
        reasons = QtWidgets.QVBoxLayout(self.reason_box)
        reasons.addWidget(QtWidgets.QLabel("Xin Ông/Bà cho biết lý do:"))
        self.reasons: dict[str, QtWidgets.QPushButton] = {}
        for reason in REASONS:
            button = QtWidgets.QPushButton(reason)
            button.setMinimumHeight(80)
            button.clicked.connect(lambda _=False, r=reason: self._send(Rating.DISSATISFIED, r))
            reasons.addWidget(button)
            self.reasons[reason] = button
        self.reason_box.hide()
        ask.addWidget(self.reason_box)
        self.stack.addWidget(self.idle)
        self.stack.addWidget(self.ask_page)
        self.thanks = self._page("Xin cảm ơn Ông/Bà đã đánh giá!", "thanks_text")
        self.stack.addWidget(self.thanks)
        self._back = QtCore.QTimer(self, singleShot=True, interval=THANKS_MS)
        self._back.timeout.connect(lambda: self.stack.setCurrentWidget(self.idle))

    def _page(self, text: str, name: str) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        box = QtWidgets.QVBoxLayout(page)
        label = QtWidgets.QLabel(text)
        label.setObjectName(name)
        label.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        box.addWidget(label)
        return page

    def ask(self, code: str) -> None:
        """Ask the citizen to rate the dossier just returned."""
        self.code = code
        self.question.setText(
            f"Hồ sơ {code} đã trả kết quả.\nÔng/Bà đánh giá thế nào về việc giải quyết hồ sơ?"
        )
        self.reason_box.hide()
        self.stack.setCurrentWidget(self.ask_page)
        self.show()
        self.raise_()

    def place(self, screens: list[QtGui.QScreen]) -> None:
        """Full screen on the second screen when there is one; otherwise a window beside the desk."""
        if len(screens) > 1:
            self.setGeometry(screens[1].geometry())
            self.showFullScreen()
        else:
            self.resize(900, 600)

    def _on_level(self, level: Rating) -> None:
        if level is Rating.DISSATISFIED:
            self.reason_box.show()  # a reason is required for "not satisfied"
            return
        self._send(level, "")

    def _send(self, level: Rating, reason: str) -> None:
        self.rated.emit(level.value, reason)
        self.stack.setCurrentWidget(self.thanks)
        self._back.start()
