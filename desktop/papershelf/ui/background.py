"""Work off the window's thread: one cancellable run at a time in a worker thread, results back on the
window's thread, the worker joined when the window closes.

The worker calls only the pure function it is given (reading a PDF, building a word list): it never
touches a widget or the Library, which is not thread-safe. Each result comes back through a queued
signal to this object, which lives on the window's thread, and only there are the owner's callbacks
called: a callback may be a plain function or a lambda (PySide calls a lambda connected to a worker's
signal in the worker's thread; here it is never connected to one).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

SETTLE_MS = 1500  # a pause before a run asked for starts (a folder changes or files come in pieces)

class _Worker(QObject):
    """Lives in the worker thread: calls ``work`` on each item until the end or a Cancel."""

    one = Signal(int, int, int, object)  # run, number, total, what work returned
    done = Signal(int, int)  # run, items done

    def __init__(self, run: int, items: Sequence[object], work: Callable[[Any], object]) -> None:
        super().__init__()
        self.run_number = run
        self.items = list(items)
        self.work = work
        self.cancelled = threading.Event()

    @Slot()
    def run(self) -> None:
        total = len(self.items)
        count = 0
        for item in self.items:
            if self.cancelled.is_set():
                break
            result = self.work(item)
            count += 1
            self.one.emit(self.run_number, count, total, result)
        self.done.emit(self.run_number, count)


class BackgroundJob(QObject):
    """Runs a pure function over some items in a worker thread, one run at a time.

    ``run(items, work, each, done)``: ``work(item)`` runs in the worker; ``each(result)`` for every item
    done and then ``done(left)`` (the items a Cancel left undone) are called on the window's thread, where
    the Library may be changed. ``progress`` says how far a run is (for the status bar, whose Cancel calls
    ``cancel``). A run asked for while one goes on (``ask_again``) starts after ``SETTLE_MS`` once it ends;
    ``soon`` starts that pause now; the timer's end calls ``due``.

    ``stop`` (the window closes; installed as the window's event filter it is called on its Close) cancels,
    waits for the worker, and drops the run: nothing of it is delivered or written afterwards, and what it
    did not finish is done by the next run (the window's next start, or after the pause if the window
    refused to close).
    """

    progress = Signal(int, int)  # items done, items in the run (0, n at its start; 0, 0 when stopped)

    def __init__(self, due: Callable[[], object], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SETTLE_MS)
        self.timer.timeout.connect(due)
        self._run = 0
        self._thread: QThread | None = None
        self._worker: _Worker | None = None
        self._items: list[Any] = []
        self._quiet = False
        self._each: Callable[[Any], object] = lambda _result: None
        self._done: Callable[[list[Any]], object] = lambda _left: None
        self._again = False

    @property
    def busy(self) -> bool:
        """Whether a run goes on (from ``run`` until its ``done`` was called)."""
        return self._thread is not None

    @property
    def worker_thread(self) -> QThread | None:
        """The thread of the run going on (None between runs)."""
        return self._thread

    def soon(self) -> None:
        """Call ``due`` after the pause (again from now: the pause gathers what comes in pieces)."""
        self.timer.start()

    def ask_again(self) -> None:
        """A run was asked for while one goes on: ``due`` is called after the pause once it ends."""
        self._again = True

    def run(self, items: Sequence[Any], work: Callable[[Any], object], each: Callable[[Any], object],
            done: Callable[[list[Any]], object], *, quiet: bool = False) -> None:
        """Start a run (``busy`` must be False). ``quiet``: no ``progress`` (a short step after another)."""
        if self.busy:
            raise RuntimeError("a run is going on")
        self._run += 1
        self._items = list(items)
        self._each, self._done, self._quiet = each, done, quiet
        self._worker = _Worker(self._run, self._items, work)
        self._thread = QThread()
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        # Queued, to this object on the window's thread: the callbacks never run in the worker.
        self._worker.one.connect(self._one, Qt.ConnectionType.QueuedConnection)
        self._worker.done.connect(self._finished, Qt.ConnectionType.QueuedConnection)
        if not quiet:
            self.progress.emit(0, len(self._items))
        self._thread.start()

    def cancel(self) -> None:
        """Stop the run after the item being worked on; ``done`` is told which items were left."""
        if self._worker is not None:
            self._worker.cancelled.set()

    def stop(self) -> None:
        """Cancel, wait for the worker and drop the run (the window closes): no callback is called after."""
        self.timer.stop()
        self._again = False
        if self._thread is None:
            return
        self.cancel()
        self._join()
        self._run += 1  # what the worker sent and is still queued is for a run that is over
        if not self._quiet:
            self.progress.emit(0, 0)

    def _join(self) -> None:
        assert self._thread is not None
        self._thread.quit()
        self._thread.wait()
        self._thread = None
        self._worker = None

    def _one(self, run: int, number: int, total: int, result: object) -> None:
        if run != self._run:
            return
        self._each(result)
        if not self._quiet:
            self.progress.emit(number, total)

    def _finished(self, run: int, count: int) -> None:
        if run != self._run:
            return
        self._join()
        left = self._items[count:]
        self._items = []
        self._done(left)
        if self._again and not self.busy:  # ``done`` may have started the next step itself
            self._again = False
            self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:  # installed on the window: no worker outlives it
            pending = self.busy or self.timer.isActive() or self._again
            self.stop()
            if pending and isinstance(watched, QWidget):
                # The window may still refuse to close (notes it could not save): then what was stopped
                # is looked at again after the pause. Asked once the close has been decided.
                QTimer.singleShot(0, self, lambda: self._resume_if_open(watched))
        return False

    def _resume_if_open(self, window: QWidget) -> None:
        with contextlib.suppress(RuntimeError):  # the window is gone already
            if window.isVisible():
                self.timer.start()
