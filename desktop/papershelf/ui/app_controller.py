"""The window's application logic, below the widgets: search, facet counts, similarity, auto-export, backups.

``AppController`` extends the edit bridge (``LibraryController``: changes, undo, change signals) with what
the window used to run itself: it steps the search index and the facet codes between events, filters the
papers for the table, keeps the similarity index and the "keep updated" exports, and takes the daily
backup. Widgets call its methods and listen to its signals; none of it needs a widget to be tested.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from PySide6.QtCore import QObject, QTimer, Signal

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import PRIORITIES, now_iso
from papershelf.core.search.index import REBUILD_STALE_SHARE, WORD_INDEX_FROM
from papershelf.core.search.query import Query
from papershelf.core.similar import SimilarityIndex, SimilarityKeeper
from papershelf.core.storage.store import StoreError
from papershelf.services import trash as trash_service
from papershelf.services.exporting import AutoExport
from papershelf.ui.controller import LibraryController
from papershelf.ui.paper_model import STATUS_LABELS

LARGE_LIBRARY: Final = 20_000  # papers; above this a search box without a word index waits for a pause in typing
INDEX_STEP_S: Final = 0.008  # the search index builds in steps of this long between events
# papers; from here the similarity index (~0.15 s a thousand papers) is built in steps between events
SIMILARITY_STEPS_FROM: Final = 2_000
AUTO_EXPORT_DELAY_MS: Final = 800
BACKUP_INTERVAL_MS: Final = 24 * 60 * 60 * 1000

Selection = Mapping[str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class FilterResult:
    """One search pass: the papers the query matched, and those of them the facet selection keeps."""

    matched: list[str]
    shown: list[str]


class AppController(LibraryController):
    """Owns the Library and everything derived from it for one window.

    Signals (besides ``LibraryController``'s ``annotations_changed``, ``papers_added``, ``papers_changed``,
    ``lists_changed`` and ``error``): ``facet_codes_ready`` once a large library's facet codes are prepared
    (counts can be shown), ``search_index_ready`` once its search index is built or loaded and in use;
    ``words_ready`` before that when, built without a ``search.cache``, its word index answers plain words
    while the rest is prepared.
    """

    facet_codes_ready = Signal()
    search_index_ready = Signal()
    words_ready = Signal()
    similarity_progress = Signal(int)  # percent of the similarity index built (in steps)
    similarity_ready = Signal()  # the similarity index, built in steps, is ready

    def __init__(self, library: Library, parent: QObject | None = None) -> None:
        super().__init__(library, parent)
        self.similarity = SimilarityKeeper(library)
        # Files tied to a reading list or the whole library ("keep updated"), rewritten shortly after changes.
        self.auto_export = AutoExport(library, immediate=False, on_error=lambda _tie, message: self.error.emit(message))
        self.matched: list[str] = []  # what the last search matched, before the facet selection
        self.matched_early = False  # ... answered by the word index built first, while the rest is prepared
        self._search_index_started = False
        self._stopped = False  # stop_background_work: the window closed
        self._index_announced = True  # search_index_ready was emitted for the index's last work in steps
        self._words_announced = True  # ... and words_ready, if its word index answered before the rest

        self.similarity_timer = QTimer(self)  # builds the similarity index in steps between events
        self.similarity_timer.setInterval(0)
        self.similarity_timer.timeout.connect(self._similarity_step)
        self._similarity_waiting: list[Callable[[], None]] = []

        self.index_timer = QTimer(self)  # builds the search index in steps between events
        self.index_timer.setInterval(0)
        self.index_timer.timeout.connect(self._search_index_step)
        # ... and recomputes its rows in steps after a change to thousands of papers (a notes-file sync)
        self.index.update_in_steps = True
        self.export_timer = QTimer(self)
        self.export_timer.setSingleShot(True)
        self.export_timer.setInterval(AUTO_EXPORT_DELAY_MS)
        self.export_timer.timeout.connect(self.auto_export.flush)
        self.backup_timer = QTimer(self)
        self.backup_timer.setInterval(BACKUP_INTERVAL_MS)
        self.backup_timer.timeout.connect(self.backup)
        self.backup_timer.start()

        self.annotations_changed.connect(self._annotations_changed)
        self.papers_changed.connect(self._annotations_changed)  # an import filled in fields: export again
        self.papers_removed.connect(self._annotations_changed)
        self.papers_added.connect(self._papers_added)

    def backup(self) -> None:
        """The daily backup; a store that could not be backed up is said in the window (``error``)."""
        for failure in self.library.backup():
            self.error.emit(failure)

    # -- searching -----------------------------------------------------------------------------------

    def search_waits_for_pause(self) -> bool:
        """Whether the search box should wait for a pause in typing before filtering.

        In very large libraries a word search without the word index scans ~100 MB of abstracts
        (50-130 ms at 100k papers); with the word index every keystroke is answered at once.
        """
        return len(self.library) > LARGE_LIBRARY and not self.index.word_indexed

    def search_pending(self, query: Query) -> bool:
        """True while a search must wait for the index being prepared (the table keeps what it shows)."""
        index = self.index
        return not index.ready and index.building and not query.is_empty and not index.answers_early(query)

    def filter(self, query: Query, selection: Selection, scope: Sequence[str]) -> FilterResult:
        """The papers of ``scope`` that match ``query`` and the facet ``selection``, in ``scope``'s order.

        ``scope`` is the table's order (``PaperTableModel.order``), an immutable tuple that is replaced,
        never changed, when the order changes: the index starts from its previous answer only when it
        is handed the very same scope again, and with a tuple that can never be a changed list.
        """
        if self._stopped:  # the window closed: no search builds the index now (the model may still ask)
            return FilterResult(list(scope), list(scope))
        # An empty search keeps every paper: no need to build the index (seconds at 100k) for it.
        self.matched_early = not query.is_empty and self.index.answers_early(query)
        matched = list(scope) if query.is_empty else self.index.filter_incremental(query, scope)
        self.matched = matched
        return FilterResult(matched, self.facet_counter.apply(matched, selection))

    def facet_counts(self, selection: Selection) -> dict[str, Counter[str]] | None:
        """Counts per facet value for the last search, or None while the facet codes are prepared."""
        if self.facet_counter.syncing:
            return None  # facet_codes_ready follows when they are
        return self.facet_counter.counts(self.matched, selection)

    def start_search_index(self) -> None:
        """Prepare a large library's facet counts and search index in small steps between events; once.

        At 100k papers: ~0.4 s for the facet codes, then the search index (~8 s when built, ~2 s from
        the cache). The window stays responsive (a step is a few ms; threads would fight the UI for the
        GIL); facet counts can be shown once ``facet_codes_ready``, and ``search_index_ready`` follows.
        """
        if self._search_index_started or len(self.library) < WORD_INDEX_FROM:
            return
        self._search_index_started = True
        self.facet_counter.start_sync()
        self.index.start_build()
        self.similarity_timer.stop()  # (a paper selected as the window opened started it) resumed after this
        self._step_search_index()

    def stop_background_work(self) -> None:
        """Stop preparing the search, facet and similarity indexes (the window is closing): nothing more is
        built between events, and a search index build under way stops with its child processes."""
        self._stopped = True
        self.index_timer.stop()
        self.similarity_timer.stop()
        self._index_announced = self._words_announced = True
        self.index.cancel()

    @property
    def stopped(self) -> bool:
        """True from ``stop_background_work`` until ``resume_background_work``."""
        return self._stopped

    def resume_background_work(self) -> None:
        """Undo ``stop_background_work`` (the window is shown again): the search index is prepared again."""
        if self._stopped:
            self._stopped = False
            self._search_index_started = False

    def _step_search_index(self) -> None:
        """Advance the search index's work in steps between events; ``search_index_ready`` once it is done."""
        self._index_announced = self._words_announced = False
        self.index_timer.start()

    def _search_index_step(self) -> None:
        """The search index first (the window answers words from it as soon as it can), then the facet codes."""
        if not self._index_announced:
            if not self.index.build_step(INDEX_STEP_S):
                if not self._words_announced and self.index.words_answered_early:
                    self._words_announced = True
                    self.words_ready.emit()
                return
            self._index_announced = True
            self.search_index_ready.emit()
        counter = self.facet_counter
        if counter.syncing:
            if not counter.sync_step(INDEX_STEP_S):
                return
            self.facet_codes_ready.emit()
        self.index_timer.stop()
        self.start_similarity_index()  # the next thing the window will want, while the user reads

    # -- more like this ----------------------------------------------------------------------------------

    def similar_index(self) -> SimilarityIndex | None:
        """The similarity index, or None while it is built in steps (``similarity_ready`` follows).

        A small library's index is built at once the first time it is asked for; from
        ``SIMILARITY_STEPS_FROM`` papers it is built between events (~25 s at 100k papers would freeze the
        window), like the search index, and ``similarity_progress`` says how far it got. So is a rebuild after
        an import that changed too much of the library for the index to take the papers in one by one.
        """
        keeper = self.similarity
        if len(self.library) < SIMILARITY_STEPS_FROM and not keeper.loading:
            return keeper()
        if keeper.loaded:
            if not keeper.rebuild_due():
                return keeper()
            keeper.rebuild_in_steps()
        self.start_similarity_index()
        return None

    def start_similarity_index(self) -> None:
        """Load or build the similarity index in steps between events, unless it is loaded or loading.

        While the search index is prepared in steps, that comes first (the two took turns: a first open
        at 100k answered words after twice the time); it starts this when it is done.
        """
        if self.similarity.loaded or self.similarity_timer.isActive() or self.index_timer.isActive():
            return
        self.similarity.start_loading()
        self.similarity_timer.start()

    def similarity_percent(self) -> int:
        """How far a build in steps got, in percent."""
        return int(self.similarity.progress * 100)

    def when_similarity_ready(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once the index built in steps is ready (once, however often asked)."""
        if callback not in self._similarity_waiting:
            self._similarity_waiting.append(callback)
        self.start_similarity_index()

    def _similarity_step(self) -> None:
        if not self.similarity.load_step(INDEX_STEP_S):
            self.similarity_progress.emit(self.similarity_percent())
            return
        self.similarity_timer.stop()
        self.similarity_ready.emit()
        waiting, self._similarity_waiting = self._similarity_waiting, []
        for callback in waiting:
            callback()

    def recommendations(self) -> list[tuple[str, float]] | None:
        """Untriaged papers most like the ones read or rated 4-5, best first, with their scores; None while the
        similarity index is built in steps."""
        index = self.similar_index()
        return None if index is None else index.recommend(self.library, n=len(self.library))

    def recommended(self) -> list[str]:
        """Untriaged papers most like the ones read or rated 4-5, best first (the index built at once if need be)."""
        return [pid for pid, _score in self.similarity().recommend(self.library, n=len(self.library))]

    # -- editing a selection -------------------------------------------------------------------------

    def set_status(self, ids: Sequence[str], status: str) -> bool:
        label = STATUS_LABELS[status]
        text = f"Mark {len(ids)} papers as {label}" if len(ids) > 1 else f"Mark as {label}"
        return self.annotate(ids, AnnotationChange(status=status), text)

    def cycle_priority(self, ids: Sequence[str], current: str) -> bool:
        """Give ``ids`` the priority after ``current``'s (the paper the user is on)."""
        priority = (self.library.annotation(current).priority + 1) % len(PRIORITIES)
        return self.annotate(ids, AnnotationChange(priority=priority), f"Priority {PRIORITIES[priority]}")

    def add_to_list(self, ids: Sequence[str], name: str) -> bool:
        return self.annotate(ids, AnnotationChange(add_lists=(name,)), f"Add to “{name}”")

    def remove_from_list(self, ids: Sequence[str], name: str) -> bool:
        return self.annotate(ids, AnnotationChange(remove_lists=(name,)), f"Remove from “{name}”")

    def add_keys_to_list(self, name: str, keys: Sequence[str]) -> bool:
        """Papers dropped on a reading list, by citation key (unknown keys are left out)."""
        ids = [self.library.paper(k).id for k in keys if self.library.has_key(k)]
        return self.add_to_list(ids, name) if ids else False

    def tag(self, ids: Sequence[str], tag: str, remove: bool = False) -> bool:
        verb = "Remove tag from" if remove else "Add tag to"
        change = AnnotationChange(remove_tags=(tag,)) if remove else AnnotationChange(add_tags=(tag,))
        return self.annotate(ids, change, f"{verb} selection: {tag}")

    def lists_of(self, ids: Sequence[str]) -> list[str]:
        """The reading lists any of ``ids`` is in, sorted for a menu."""
        return sorted({n for pid in ids for n in self.library.annotation(pid).lists}, key=str.casefold)

    def rename_list(self, old: str, new: str) -> bool:
        ok = super().rename_list(old, new)
        if ok:
            self.auto_export.rename_list(old, new)  # a file tied to the list stays tied to it
            self.export_timer.start()
        return ok

    # -- the Trash ------------------------------------------------------------------------------------

    def move_to_trash(self, ids: Sequence[str]) -> list[str]:
        """Move ``ids`` to the Trash as one undo step (Ctrl+Z brings them back); the ids moved."""
        moved = [pid for pid in ids if not self.library.is_trashed(pid)]
        text = f"Move {len(moved)} papers to the Trash" if len(moved) > 1 else "Move to the Trash"
        return moved if moved and self.annotate(moved, AnnotationChange(trashed=now_iso()), text) else []

    def restore_from_trash(self, ids: Sequence[str]) -> list[str]:
        """Take ``ids`` out of the Trash as one undo step; the ids restored."""
        back = [pid for pid in ids if self.library.is_trashed(pid)]
        text = f"Restore {len(back)} papers from the Trash" if len(back) > 1 else "Restore from the Trash"
        return back if back and self.annotate(back, AnnotationChange(trashed=""), text) else []

    def empty_trash(self) -> list[str]:
        """Remove every paper in the Trash for good (the caller asked first); the ids removed. Not undoable:
        the undo steps before it may name those papers, so they go too."""
        try:
            removed = trash_service.empty_trash(self.library)
        except (StoreError, ValueError) as exc:
            self.error.emit(str(exc))
            return []
        if removed:
            self.undo_stack.clear()
        return removed

    # -- keeping things current ----------------------------------------------------------------------

    def schedule_export(self) -> None:
        """Rewrite the tied files shortly (flush() rewrites only those whose papers changed)."""
        if self.auto_export.ties:
            self.export_timer.start()

    def _annotations_changed(self, _ids: list[str]) -> None:
        self.schedule_export()
        if self.index.working and not self.index_timer.isActive():
            self._step_search_index()  # rows recomputed in steps (a large change); search_index_ready follows

    def _papers_added(self, _ids: list[str]) -> None:
        self.schedule_export()
        index = self.index
        if index.stale_share > REBUILD_STALE_SHARE and not index.building:
            # many new papers are scanned on every new word: index them again, in steps; the search
            # keeps answering from the index it has meanwhile
            index.start_build()
            self._step_search_index()

    # -- the Library subscription (LibraryController subscribes in __init__) ----------------------------

    def detach(self) -> None:
        """Stop listening to the library (a window closed while the library lives on, as in a benchmark)."""
        self.close()
