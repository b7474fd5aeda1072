"""Measurements that need a process of their own: ``python -m tests.bench.probes rss LIBRARY_DIR``,
``python -m tests.bench.probes window LIBRARY_DIR SETTINGS_INI``,
``python -m tests.bench.probes notes-sync LIBRARY_DIR NOTES_FILE`` and
``python -m tests.bench.probes more-like-this LIBRARY_DIR SECONDS``.

Prints one JSON object on stdout.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import sys
import time
from pathlib import Path


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    return float("nan")


class _Gaps:
    """The gaps between turns of the event loop, as a timer firing every ``interval_ms`` records them (in
    ``seconds``): the longest is the longest the window could not handle an event (a keystroke, a repaint).
    Needs a QApplication."""

    def __init__(self, interval_ms: int = 0) -> None:
        from PySide6.QtCore import QTimer

        self.seconds: list[float] = []
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.tick)

    def start(self) -> float:
        """Measure from now on (the time now)."""
        self._last = time.perf_counter()
        self._timer.start()
        return self._last

    def tick(self) -> None:
        """The gap since the last turn (or start) ends now."""
        now = time.perf_counter()
        self.seconds.append(now - self._last)
        self._last = now

    def stop(self) -> None:
        """Stop measuring; the gap up to now counts."""
        if self._timer.isActive():
            self._timer.stop()
            self.tick()

    def sorted_ms(self) -> list[float]:
        return sorted(gap * 1000 for gap in self.seconds)


def rss(library_dir: str) -> dict[str, object]:
    """Open the library, build the table model (and the search index, as the window does); RSS on the way."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from papershelf.core.library import Library
    from papershelf.ui.paper_model import PaperTableModel

    steps: dict[str, float] = {"start": _status_mb("VmRSS")}
    started = time.perf_counter()
    app = QApplication([])
    steps["qt"] = _status_mb("VmRSS")
    library = Library(library_dir)
    steps["library"] = _status_mb("VmRSS")
    model = PaperTableModel(library)
    steps["model"] = _status_mb("VmRSS")
    index_built = False
    found = 0
    try:
        from papershelf.core.search.index import SearchIndex
    except ImportError:
        pass
    else:
        try:
            index = SearchIndex(library, word_index=True)  # as the window's (word index: cached or built)
        except TypeError:
            index = SearchIndex(library)
        index.build()
        index_built = True
        steps["search_index"] = _status_mb("VmRSS")
        from papershelf.core.search.query import parse_query

        found = len(index.filter(parse_query("graph")))
        steps["one_search"] = _status_mb("VmRSS")
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    result = {
        "papers": len(library),
        "rows": model.rowCount(),
        "search_index": index_built,
        "found": found,
        "peak_mb": round(peak_mb, 1),
        # ru_maxrss of a process spawned (vfork + exec) by a large one starts at the parent's peak; the
        # high-water mark of this process's own memory does not.
        "hwm_mb": round(_status_mb("VmHWM"), 1),
        "rss_mb": round(_status_mb("VmRSS"), 1),
        "steps_rss_mb": {k: round(v, 1) for k, v in steps.items()},
        "seconds": round(seconds, 3),
    }
    del app
    return result


def _reset_peak() -> bool:
    """Start VmHWM again from the current RSS (Linux 4.0+); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def notes_sync(library_dir: str, notes_file: str) -> dict[str, object]:
    """The window syncs a (large) notes file chosen for a library whose search index is ready.

    While the sync runs, a zero-interval timer records the gaps between its turns: the longest gap is
    the longest time the window could not handle an event (a keystroke, a repaint), until the search index
    has taken the synced notes in too. Memory: the peak RSS during all that minus the RSS before it (VmHWM
    is reset first). Then the first search keystroke, and the longest stall of two more syncs: with nothing
    changed, and with one section edited in the file (which writes annotations.json again).
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import tempfile

    from PySide6.QtCore import QEventLoop, QSettings
    from PySide6.QtWidgets import QApplication

    from papershelf.core.library import Library
    from papershelf.ui.main_window import MainWindow

    app = QApplication([])
    library = Library(library_dir)
    with tempfile.TemporaryDirectory() as home:
        settings = QSettings(str(Path(home) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(library, settings=settings)
        window.show()
        app.processEvents()
        index = window.controller.index
        if getattr(index, "building", False):
            index.finish_build()  # the search index the window builds after it opens: ready first
        app.processEvents()
        gaps = _Gaps()
        loop = QEventLoop()
        outcome: list[str] = []
        window.notes_sync.synced.connect(lambda _report: (outcome.append("synced"), loop.quit()))
        window.notes_sync.failed.connect(lambda message: (outcome.append(message), loop.quit()))
        size = Path(notes_file).stat().st_size
        reset = _reset_peak()
        before_mb = _status_mb("VmRSS")
        started = gaps.start()
        window.notes_sync.set_path(Path(notes_file))  # as File > Notes file… does
        if window.notes_sync.syncing:
            loop.exec()
        gaps.tick()  # the gap up to the end of the sync counts too
        seconds = time.perf_counter() - started
        during_sync_ms = round(max(gaps.seconds) * 1000, 1)
        if index.working:  # the search index takes the synced notes in, in steps: the window stays usable
            window.controller.search_index_ready.connect(loop.quit)
            loop.exec()
        gaps.stop()
        index_seconds = time.perf_counter() - started - seconds
        peak_mb = _status_mb("VmHWM")
        after_mb = _status_mb("VmRSS")
        report = window.notes_sync.last_report
        window.search.blockSignals(True)
        window.search.setText("g")
        window.search.blockSignals(False)
        keystroke_started = time.perf_counter()
        window.apply_filters()
        keystroke_s = time.perf_counter() - keystroke_started
        gaps_ms = gaps.sorted_ms()

        def again() -> float:
            """The longest stall of one more sync (as a file change starts it), in ms."""
            gaps.seconds.clear()
            gaps.start()
            window.notes_sync.start_sync()
            if window.notes_sync.syncing:
                loop.exec()
            gaps.stop()
            return round(max(gaps.seconds) * 1000, 1)

        unchanged_ms = again()
        text = Path(notes_file).read_text(encoding="utf-8")
        at = text.index("\n\n", text.index("papershelf:key=", len(text) // 2))
        Path(notes_file).write_text(text[:at] + " Edited in another editor." + text[at:], encoding="utf-8")
        del text
        one_edit_ms = again()
        result = {
            "outcome": outcome[0] if outcome else "synced at once",
            "file_mb": round(size / 1e6, 2),
            "to_library": len(report.to_library) if report else None,
            "seconds": round(seconds, 3),
            "max_stall_ms": round(gaps_ms[-1], 1),
            "max_stall_during_sync_ms": during_sync_ms,
            "longest_stalls_ms": [round(gap, 1) for gap in gaps_ms[-5:]],
            "index_catch_up_s": round(index_seconds, 3),
            "turns": len(gaps_ms),
            "turns_over_100ms": sum(gap > 100 for gap in gaps_ms),
            "rss_before_mb": round(before_mb, 1),
            "peak_mb": round(peak_mb, 1) if reset else None,
            "peak_over_file": round((peak_mb - before_mb) * 2**20 / size, 2) if reset else None,
            "retained_over_file": round((after_mb - before_mb) * 2**20 / size, 2),
            "first_keystroke_ms": round(keystroke_s * 1000, 1),
            "again_unchanged_max_stall_ms": unchanged_ms,
            "again_one_section_edited_max_stall_ms": one_edit_ms,
        }
    return result  # the window is not closed: closing syncs once more


def window(library_dir: str, settings_file: str) -> dict[str, object]:
    """Open the library in the real window, show it, wait until its search index is ready (built in steps
    between events, or loaded from search.cache, as a person's window does), search one word; peak RSS.

    ``seconds_to_search_index``: from the window shown until plain words are looked up in the word index
    (``cpu_seconds_to_search_index``: the CPU time the process took meanwhile, less dependent on the load):
    ``words_ready`` when the word index is built before the rest (then "graph" is searched at once, answered
    from it), else ``search_index_ready``; ``seconds_to_all_ready``: until the whole index is ready (the
    search is made again then: ``rows_found_when_ready`` must equal ``rows_found``); ``max_stall_ms``: until
    then, the longest the window could not handle an event.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from papershelf.core.library import Library
    from papershelf.ui.main_window import MainWindow

    steps: dict[str, float] = {"start": _status_mb("VmRSS")}
    started = time.perf_counter()
    app = QApplication([])
    gc.disable()  # as papershelf.app.run opens the library: not collected while read, then frozen
    library = Library(library_dir)
    gc.freeze()
    gc.enable()
    steps["library"] = _status_mb("VmRSS")
    opened = time.perf_counter()
    shown_window = MainWindow(library, settings=QSettings(settings_file, QSettings.Format.IniFormat))
    shown_window.show()
    app.processEvents()
    shown, shown_cpu = time.perf_counter(), time.process_time()
    steps["window_shown"] = _status_mb("VmRSS")
    index = shown_window.controller.index
    from papershelf.core.search.query import parse_query

    loop = QEventLoop()
    shown_window.search_index_ready.connect(loop.quit)
    shown_window.words_ready.connect(loop.quit)
    QTimer.singleShot(300_000, loop.quit)
    gaps = _Gaps()  # between turns of the event loop while the index is prepared: the window's stalls
    waiting = len(library) >= index.word_index_from and not index.word_indexed
    if waiting:
        gaps.start()
        loop.exec()
    ready, ready_cpu = time.perf_counter(), time.process_time()
    steps["words_ready"] = _status_mb("VmRSS")
    early = index.answers_early(parse_query("graph"))
    gaps.stop()  # (the search is not a stall)
    shown_window.search.setText("graph")
    shown_window.apply_filters()
    app.processEvents()
    searched = time.perf_counter()
    rows_found = shown_window.model.rowCount()
    if waiting and not index.word_indexed:  # the rest of the index, prepared after words were answered
        shown_window.words_ready.disconnect(loop.quit)
        gaps.start()
        loop.exec()
    gaps.stop()
    all_ready = time.perf_counter()
    gaps_ms = gaps.sorted_ms()
    steps["search_index_ready"] = _status_mb("VmRSS")
    shown_window.apply_filters()
    app.processEvents()
    steps["one_search"] = _status_mb("VmRSS")
    result = {
        "papers": len(library),
        "rows_found": rows_found,
        "answered_early": early,
        "rows_found_when_ready": shown_window.model.rowCount(),
        "seconds_to_all_ready": round(all_ready - shown, 3),
        "word_indexed": index.word_indexed,
        "word_index_source": index.word_index_source,
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "hwm_mb": round(_status_mb("VmHWM"), 1),
        "steps_rss_mb": {k: round(v, 1) for k, v in steps.items()},
        "seconds_to_open": round(opened - started, 3),
        "seconds_to_window": round(shown - started, 3),
        "seconds_to_search_index": round(ready - shown, 3),
        # the process's CPU time meanwhile (all threads): what the machine's load changes least
        "cpu_seconds_to_search_index": round(ready_cpu - shown_cpu, 3),
        "seconds_to_search": round(searched - ready, 3),
        "max_stall_ms": round(gaps_ms[-1], 1) if gaps_ms else None,  # until the index was ready
        "longest_stalls_ms": [round(gap, 1) for gap in gaps_ms[-5:]],
        "turns_over_100ms": sum(gap > 100 for gap in gaps_ms),
    }
    index.wait_for_cache()
    shown_window.close()
    return result


def more_like_this(library_dir: str, seconds: float) -> dict[str, object]:
    """Show the window on a library without similarity.cache, a paper selected (the window selects the first
    one as it is shown): the longest gap between turns of a 10 ms timer from just before the window is shown
    over the next ``seconds`` (or until More like this has filled in), i.e. the longest the window could not
    handle an event."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import tempfile

    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from papershelf.core.library import Library
    from papershelf.core.similar import CACHE_FILE
    from papershelf.ui.main_window import MainWindow

    _app = QApplication([])  # kept alive for the window
    (Path(library_dir) / CACHE_FILE).unlink(missing_ok=True)
    library = Library(library_dir)
    with tempfile.TemporaryDirectory() as home:
        window = MainWindow(library, settings=QSettings(str(Path(home) / "s.ini"), QSettings.Format.IniFormat))
        gaps = _Gaps(10)
        filled: list[float] = []
        loop = QEventLoop()
        QTimer.singleShot(round(seconds * 1000), loop.quit)
        started = gaps.start()
        window.similar_panel.shown_for.connect(lambda _pid: filled.append(time.perf_counter() - started))
        window.show()  # the window selects its first paper as it is shown
        if window.current_paper_id() is None:
            window.select_paper(next(iter(library.papers)))  # as a click on the first row does
        loop.exec()
        if not filled:  # not yet: wait for it (still counting the stalls)
            window.similar_panel.shown_for.connect(loop.quit)
            loop.exec()
        gaps.stop()
        first_ms = gaps.seconds[0] * 1000  # showing the window itself
        gaps_ms = gaps.sorted_ms()
        result = {
            "papers": len(library),
            "max_stall_ms": round(gaps_ms[-1], 1),
            "first_turn_ms": round(first_ms, 1),
            "max_stall_after_first_turn_ms": round(max(gaps.seconds[1:], default=0.0) * 1000, 1),
            "longest_stalls_ms": [round(gap, 1) for gap in gaps_ms[-5:]],
            "turns": len(gaps_ms),
            "seconds_to_similar_shown": round(filled[0], 2) if filled else None,
            "similar_rows": window.similar_panel.model.rowCount(),
            "similarity_update": window.controller.similarity().last_update,
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        window.close()
    return result


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "rss":
        result = rss(argv[1])
    elif len(argv) == 3 and argv[0] == "window":
        result = window(argv[1], argv[2])
    elif len(argv) == 3 and argv[0] == "notes-sync":
        result = notes_sync(argv[1], argv[2])
    elif len(argv) == 3 and argv[0] == "more-like-this":
        result = more_like_this(argv[1], float(argv[2]))
    else:
        print("usage: python -m tests.bench.probes rss LIBRARY_DIR | window LIBRARY_DIR SETTINGS_INI"
              " | notes-sync LIBRARY_DIR NOTES_FILE | more-like-this LIBRARY_DIR SECONDS", file=sys.stderr)
        return 2
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
