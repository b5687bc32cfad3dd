"""PySide6 6.12.0 on CPython 3.11 drops a reference to True/False on every bool signal
emit until the interpreter aborts (architecture.md). setup.cfg pins it away; these
tests fail if a broken PySide6 ever gets installed again."""

from __future__ import annotations

import sys

import PySide6
from PySide6 import QtCore


class _Emitter(QtCore.QObject):
    flag = QtCore.Signal(bool)
    anything = QtCore.Signal(object)


def test_bool_signals_keep_the_bool_reference_counts(qtbot: object) -> None:
    emitter = _Emitter()
    seen: list[object] = []
    emitter.flag.connect(seen.append)
    emitter.anything.connect(seen.append)
    emitter.flag.emit(True)  # warm up: Qt caches a thing or two on the first emit
    emitter.anything.emit(False)
    seen.clear()
    true_before, false_before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(1_000):  # few enough that a leaking build fails here, not aborts
        emitter.flag.emit(True)
        emitter.anything.emit(False)
    assert len(seen) == 2_000
    seen.clear()
    # The broken release loses one reference per emit (thousands here); allow only noise.
    assert abs(sys.getrefcount(True) - true_before) < 5
    assert abs(sys.getrefcount(False) - false_before) < 5


def test_the_known_broken_release_is_not_installed() -> None:
    if sys.version_info < (3, 12):
        assert not PySide6.__version__.startswith("6.12.0"), PySide6.__version__
