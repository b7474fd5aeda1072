"""Facts about the Qt binding the app relies on."""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal(list)


def test_emitting_a_signal_keeps_the_reference_count_of_true() -> None:
    # PySide6 6.12.0 returned True from emit() without a reference; the app emits signals all the time,
    # and on Python 3.11 the interpreter aborts when True's count runs out. pyproject excludes 6.12.
    emitter = _Emitter()
    received: list[list[int]] = []
    emitter.fired.connect(received.append)
    gc.collect()
    before = sys.getrefcount(True)
    for _ in range(200):
        emitter.fired.emit([1])
    gc.collect()
    assert len(received) == 200
    assert sys.getrefcount(True) - before > -50
