"""BackgroundJob: the work runs in a worker thread and what it returns comes back on the window's thread,
a Cancel leaves the rest to the owner, and a stop joins the worker and drops the run."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QCoreApplication, QThread, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from papershelf.ui.background import BackgroundJob

WAIT_MS = 10_000


def on_window_thread() -> bool:
    return QThread.currentThread() == QApplication.instance().thread()


def deliver_what_is_queued() -> None:
    QCoreApplication.sendPostedEvents()
    QCoreApplication.processEvents()


def test_the_work_runs_in_the_worker_and_the_callbacks_on_the_window_thread(qtbot: QtBot) -> None:
    """The callbacks are plain lambdas: PySide would call a lambda connected to the worker's own signal in
    the worker's thread (where the Library must never be touched); the job calls them on the window's."""
    job = BackgroundJob(lambda: None)
    work_threads: list[bool] = []
    each_threads: list[bool] = []
    results: list[int] = []
    ended: list[tuple[list[int], bool]] = []
    progress: list[tuple[int, int]] = []
    job.progress.connect(lambda done, total: progress.append((done, total)))

    def square(n: int) -> int:
        work_threads.append(on_window_thread())
        return n * n

    job.run([1, 2, 3], square, lambda r: (each_threads.append(on_window_thread()), results.append(r)),
            lambda left: ended.append((left, on_window_thread())))
    assert job.busy
    qtbot.waitUntil(lambda: bool(ended), timeout=WAIT_MS)
    assert work_threads == [False, False, False]
    assert each_threads == [True, True, True]
    assert ended == [([], True)]
    assert results == [1, 4, 9]
    assert progress == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert not job.busy
    assert job.worker_thread is None


def test_a_cancel_ends_the_run_after_the_item_being_worked_on_and_says_what_was_left(qtbot: QtBot) -> None:
    job = BackgroundJob(lambda: None)
    entered, gate = threading.Event(), threading.Event()

    def slow(n: int) -> int:
        entered.set()
        gate.wait()
        return n

    results: list[int] = []
    ended: list[list[int]] = []
    job.run([1, 2, 3], slow, results.append, ended.append)
    qtbot.waitUntil(entered.is_set, timeout=WAIT_MS)  # the worker is inside the first item
    job.cancel()
    gate.set()
    qtbot.waitUntil(lambda: bool(ended), timeout=WAIT_MS)
    assert results == [1]  # the item being read is finished and kept
    assert ended == [[2, 3]]


def test_a_stop_joins_the_worker_and_nothing_of_the_run_is_delivered_after(qtbot: QtBot) -> None:
    """The window closes while an item is worked on: ``stop`` returns once the worker thread has ended,
    and what the worker sent before ending is not delivered (nothing is written after the close)."""
    job = BackgroundJob(lambda: None)
    entered, gate = threading.Event(), threading.Event()

    def slow(n: int) -> int:
        entered.set()
        gate.wait()
        return n

    results: list[int] = []
    ended: list[list[int]] = []
    progress: list[tuple[int, int]] = []
    job.progress.connect(lambda done, total: progress.append((done, total)))
    job.run([1, 2], slow, results.append, ended.append)
    qtbot.waitUntil(entered.is_set, timeout=WAIT_MS)
    thread = job.worker_thread
    assert thread is not None
    assert thread.isRunning()
    gate.set()  # the first item can end now, so the join below returns
    job.stop()
    assert thread.isFinished()
    assert not job.busy
    deliver_what_is_queued()  # the worker's result for the first item was queued before the join
    assert results == []
    assert ended == []
    assert progress[-1] == (0, 0)  # the status bar's progress and Cancel are hidden

    job.run([7], lambda n: n, results.append, ended.append)  # a close that was refused: the job still runs
    qtbot.waitUntil(lambda: bool(ended), timeout=WAIT_MS)
    assert results == [7]
    assert ended == [[]]


def test_a_run_asked_for_during_one_is_due_after_the_pause_once_it_ends(qtbot: QtBot) -> None:
    due: list[int] = []
    job = BackgroundJob(lambda: due.append(1))
    ended: list[list[int]] = []
    job.run([1], lambda n: n, lambda _r: None, ended.append)
    job.ask_again()
    assert not job.timer.isActive()
    qtbot.waitUntil(lambda: bool(ended), timeout=WAIT_MS)
    assert job.timer.isActive()
    job.timer.setInterval(0)
    qtbot.waitUntil(lambda: bool(due), timeout=WAIT_MS)
    job.stop()


class RefusesToClose(QWidget):
    """A window that keeps itself open (as the main window does when notes could not be saved)."""

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()


@pytest.mark.parametrize("refuses", [False, True])
def test_a_close_stops_the_run_and_a_refused_close_looks_again_after_the_pause(
    qtbot: QtBot, refuses: bool
) -> None:
    due: list[int] = []
    job = BackgroundJob(lambda: due.append(1))
    window = RefusesToClose() if refuses else QWidget()
    qtbot.addWidget(window)
    window.show()
    window.installEventFilter(job)
    ended: list[list[int]] = []
    job.timer.setInterval(0)
    job.run([1, 2], lambda n: n, lambda _r: None, ended.append)
    window.close()  # before the worker's results came back
    assert not job.busy
    assert window.isVisible() == refuses
    after_the_close: list[int] = []
    QTimer.singleShot(0, lambda: after_the_close.append(1))  # fires after the job's own look at the window
    qtbot.waitUntil(lambda: bool(after_the_close), timeout=WAIT_MS)
    if refuses:
        qtbot.waitUntil(lambda: bool(due), timeout=WAIT_MS)  # the stopped run is asked for again
    else:
        assert not job.timer.isActive()
        assert due == []
    assert ended == []  # the stopped run's results were dropped either way
    job.stop()
