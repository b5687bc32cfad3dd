"""The counter's one window: sign-in, then the calling desk or the supervisor's page."""

from __future__ import annotations

import collections.abc

from PySide6 import QtCore, QtGui, QtWidgets

from counter_app.views import desk, overview, signin, supervisor
from qtkit import theme

# Added to the shared style sheet: what only the desk shows.
STYLE = f"""
QLabel#number {{ font-size: 96px; font-weight: bold; color: {theme.ACCENT}; }}
QLabel#state {{ font-size: 22px; font-weight: bold; }}
QLabel#group {{ color: {theme.ACCENT}; font-weight: bold; }}
QLabel#section {{ font-weight: bold; color: {theme.BRAND_DARK}; padding-top: 8px; }}
QLabel#connection[state="ok"] {{ color: {theme.OK}; font-weight: bold; }}
QLabel#connection[state="down"] {{ color: white; background: {theme.ERROR_BG}; padding: 4px 8px;
                                   font-weight: bold; }}
QLabel#unsynced {{ color: white; background: {theme.WARN_INK}; padding: 4px 8px; font-weight: bold; }}
QLabel#question, QLabel#idle_text, QLabel#thanks_text {{ font-size: 36px; font-weight: bold;
    color: {theme.BRAND_DARK}; }}
QPushButton#rat_hai_long, QPushButton#hai_long, QPushButton#khong_hai_long {{ font-size: 32px; }}
QPushButton#rat_hai_long {{ background: {theme.OK}; }}
QPushButton#khong_hai_long {{ background: {theme.ACCENT}; }}
QLabel#devices {{ color: {theme.WARN_INK}; background: {theme.WARN_BG}; padding: 4px 8px; }}
QFrame#ticket_panel {{ border: 2px solid #9aa6b2; border-radius: 10px; }}
QFrame#ticket_panel QLabel {{ background: transparent; }}
QPushButton {{ font-size: 19px; border-radius: 8px; }}
QPushButton[kind="call"] {{ background: {theme.OK}; }}
QPushButton[kind="call"]:disabled {{ background: {theme.DISABLED_BG}; }}
QLineEdit, QComboBox {{ border: 2px solid {theme.BRAND}; border-radius: 6px; padding: 6px; font-size: 18px; }}
QTableWidget {{ border: 1px solid #9aa6b2; gridline-color: #d5dbe1; }}
QHeaderView::section {{ background: #e8edf3; padding: 6px; border: none; font-weight: bold; }}
QListWidget::item {{ padding: 6px; }}
"""
BASE_PX = 17


def apply_theme(app: QtWidgets.QApplication) -> None:
    theme.apply(app, base_px=BASE_PX)
    app.setStyleSheet(app.styleSheet() + STYLE)


class QuitDialog:
    @staticmethod
    def ask(parent: QtWidgets.QWidget, waiting: int) -> bool:
        """Whether to quit with ``waiting`` pieces of work unsent (tests monkeypatch this)."""
        answer = QtWidgets.QMessageBox.question(
            parent,
            "Còn việc chưa đồng bộ",
            f"Còn {waiting} việc chưa gửi được lên máy chủ. Chúng vẫn được giữ trên máy này và sẽ "
            "tự gửi khi mở lại chương trình. Vẫn thoát?",
        )
        return answer == QtWidgets.QMessageBox.StandardButton.Yes


class CounterWindow(QtWidgets.QMainWindow):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.may_close: collections.abc.Callable[[], bool] = lambda: True
        self.setWindowTitle("Quầy tiếp nhận — Hệ thống xếp hàng")
        self.setMinimumSize(1024, 640)
        self.stack = QtWidgets.QStackedWidget()
        self.sign_in = signin.SignInPage()
        self.desk = desk.DeskPage()
        self.desk.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self.overview = overview.OverviewPage()
        self.supervisor = supervisor.SupervisorPage(self.overview)
        self.stack.addWidget(self.sign_in)
        self.stack.addWidget(self.desk)
        self.stack.addWidget(self.supervisor)
        self.setCentralWidget(self.stack)

    def show_sign_in(self) -> None:
        self.setWindowTitle("Quầy tiếp nhận — Hệ thống xếp hàng")
        self.stack.setCurrentWidget(self.sign_in)
        self.sign_in.password.clear()
        self.sign_in.username.setFocus()

    def show_desk(self) -> None:
        self.stack.setCurrentWidget(self.desk)
        self.desk.setFocus()

    def show_supervisor(self) -> None:
        self.stack.setCurrentWidget(self.supervisor)
        self.setWindowTitle("Giám sát trung tâm — Hệ thống xếp hàng")

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 (Qt API)
        if self.may_close():
            event.accept()
        else:
            event.ignore()

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802 (Qt API)
        # With no widget focused the window gets the keys: the desk's F-keys still work.
        if self.stack.currentWidget() is self.desk:
            self.desk.keyPressEvent(event)
        else:
            super().keyPressEvent(event)
