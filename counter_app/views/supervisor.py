"""The supervisor's page: who is signed in, the centre, the connection, and one tab per tool."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from qtkit import theme, widgets

STYLE = f"""
QPushButton#sign_out {{ font-size: 15px; padding: 4px 14px; border: 2px solid {theme.BRAND};
                        border-radius: 6px; }}
QLabel#user {{ color: {theme.MUTED}; padding-right: 8px; }}
"""


class SupervisorPage(QtWidgets.QWidget):
    """A header (user, centre, connection, "Đăng xuất") above a QTabWidget ``tabs``.

    The first tab is the live overview; other tools join with ``add_tab``.

    Signals:
        sign_out_requested(): "Đăng xuất".
    """

    sign_out_requested = QtCore.Signal()

    def __init__(self, overview: QtWidgets.QWidget, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        box = QtWidgets.QVBoxLayout(self)
        box.setContentsMargins(8, 6, 8, 6)
        self.setStyleSheet(STYLE)
        header = QtWidgets.QHBoxLayout()
        self.centre = widgets.label(name="header_title", wrap=False)
        # A long centre name is cut rather than pushing the sign-out button off the screen.
        self.centre.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred
        )
        self.user = widgets.label(wrap=False)
        self.user.setObjectName("user")
        self.connection = widgets.label(name="connection", wrap=False)
        self.sign_out = widgets.button("Đăng xuất", kind="secondary", touch=False, name="sign_out")
        header.addWidget(self.centre, 1)
        header.addWidget(self.user)
        header.addWidget(self.connection)
        header.addWidget(self.sign_out)
        box.addLayout(header)
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setObjectName("tabs")
        box.addWidget(self.tabs, 1)
        self.overview = overview
        self.add_tab(overview, "Tổng quan")
        self.sign_out.clicked.connect(self.sign_out_requested)

    def add_tab(self, widget: QtWidgets.QWidget, title: str) -> None:
        self.tabs.addTab(widget, title)

    def show_header(self, *, user: str, centre: str) -> None:
        self.user.setText(user)
        self.centre.setText(f"Giám sát — {centre}")
        self.centre.setToolTip(centre)

    def show_connection(self, connected: bool, detail: str = "") -> None:
        text = "● Đã kết nối máy chủ" if connected else "● Mất kết nối máy chủ"
        self.connection.setText(text)
        self.connection.setToolTip(detail)
        self.connection.setProperty("state", "ok" if connected else "down")
        self.connection.style().unpolish(self.connection)
        self.connection.style().polish(self.connection)
