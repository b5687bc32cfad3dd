"""Colours and the style sheet of the Qt apps: high contrast, large, no hover-only cues."""

from __future__ import annotations

from PySide6 import QtGui, QtWidgets

from hardware import fonts

INK = "#0d1b2a"  # text
PAPER = "#ffffff"  # background
BRAND = "#0b4f9c"  # buttons: white on this is 8.3:1
BRAND_DARK = "#083a73"
ACCENT = "#c8102e"  # the red of the national emblem, for headings and numbers
MUTED = "#44525f"
OK = "#116b2f"
WARN_BG = "#fff3cd"
WARN_INK = "#5c3c00"
ERROR_BG = "#c8102e"
DISABLED_BG = "#c9cfd6"
DISABLED_INK = "#4a5560"
FONT_FAMILY = "DejaVu Sans"


def style_sheet(*, base_px: int) -> str:
    """The app-wide style sheet; ``base_px`` is the body text size (kiosk ~26, counter ~15)."""
    big = round(base_px * 1.3)
    return f"""
    QWidget {{ font-family: "{FONT_FAMILY}"; font-size: {base_px}px; color: {INK}; background: {PAPER}; }}
    QLabel#title {{ font-size: {round(base_px * 1.6)}px; font-weight: bold; color: {BRAND_DARK}; }}
    QLabel#subtitle {{ font-size: {big}px; color: {MUTED}; }}
    QLabel#banner {{ background: {WARN_BG}; color: {WARN_INK}; padding: 12px; border: 3px solid {WARN_INK};
                     font-size: {big}px; font-weight: bold; }}
    QLabel#alarm {{ background: {ERROR_BG}; color: white; padding: 12px; font-size: {big}px;
                    font-weight: bold; }}
    QLabel#svc_title {{ background: transparent; color: white; font-size: {big}px; font-weight: bold; }}
    QLabel#svc_wait {{ background: transparent; color: #e6eefb; font-size: {base_px}px; }}
    QLabel#svc_title:disabled, QLabel#svc_wait:disabled {{ color: {DISABLED_INK}; }}
    QLabel#header_title {{ font-size: {round(base_px * 1.1)}px; font-weight: bold; color: {BRAND_DARK}; }}
    QPushButton {{ background: {BRAND}; color: white; border: none; border-radius: 14px; padding: 12px;
                   font-size: {big}px; font-weight: bold; }}
    QPushButton:pressed {{ background: {BRAND_DARK}; }}
    QPushButton:disabled {{ background: {DISABLED_BG}; color: {DISABLED_INK}; }}
    QPushButton[kind="secondary"] {{ background: {PAPER}; color: {BRAND_DARK}; border: 4px solid {BRAND}; }}
    QPushButton[kind="secondary"]:disabled {{ color: {DISABLED_INK}; border-color: {DISABLED_BG}; }}
    QPushButton[kind="key"] {{ background: #e8edf3; color: {INK}; border: 2px solid #9aa6b2;
                               border-radius: 10px;
                               font-size: {big}px; padding: 4px; }}
    QPushButton[kind="key"]:pressed {{ background: {BRAND}; color: white; }}
    QLineEdit {{ border: 4px solid {BRAND}; border-radius: 10px; padding: 10px; font-size: {big}px; }}
    QListWidget {{ border: 2px solid #9aa6b2; font-size: {base_px}px; }}
    QListWidget::item {{ padding: 16px; border-bottom: 1px solid #d5dbe1; }}
    QListWidget::item:selected {{ background: {BRAND}; color: white; }}
    QScrollBar:vertical {{ width: 36px; }}
    """


def apply(app: QtWidgets.QApplication, *, base_px: int) -> None:
    load_fonts()
    app.setStyleSheet(style_sheet(base_px=base_px))
    font = QtGui.QFont(FONT_FAMILY)
    font.setPixelSize(base_px)
    app.setFont(font)


def load_fonts() -> None:
    """Register the fonts bundled with hardware/ (the ones tickets print with), so every
    machine shows every Vietnamese letter the same way, installed fonts or not."""
    for path in (fonts.REGULAR, fonts.BOLD):
        QtGui.QFontDatabase.addApplicationFont(str(path))
