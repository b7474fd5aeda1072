"""An index derived from a library, row by row in library order, kept current as the library changes.

The search index and the facet counter are both one: a row of values per paper, recomputed when the
library reports a change, extended when papers are added, and built in steps between a window's events
when that takes long. This base class does the keeping current; a kind of index says what a row is
(``_clear``, ``_append_rows``, ``_update_row``).

Keeping it current is the caller's job; the index registers nothing on the library::

    library.events.connect_ids(index.invalidate)   # annotation edits, imports

A question calls ``sync`` first, which adds rows for papers added since. Work in steps (``step``, from a
window's idle timer) comes in two kinds. ``start_catch_up`` adds those rows in place; a question
meanwhile finishes it first. ``start_rebuild`` builds a fresh index of the same kind while this one
keeps answering as it was (or, if it has nothing to answer from yet, finishes the build at once); the
fresh state is adopted when done. Changes reported meanwhile are applied to the rows there are, and
again once the work is done.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from typing import ClassVar, Self

from papershelf.core.library import Library
from papershelf.core.search.steps import advance, run


class DerivedIndex:
    """Rows derived from a library's papers, in library order (``_order``; ``_pos``: id -> row)."""

    STEP_ROWS: ClassVar[int] = 256
    """Rows per step of work in steps (a few milliseconds)."""
    LARGE_CHANGE: ClassVar[int] = 1024
    """With ``update_in_steps``, a change to more rows than this is recomputed in steps."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._order: list[str] = []
        self._pos: dict[str, int] = {}
        self._built = False  # there is a row for each id in _order
        self._generation = 0  # changes whenever any row does
        self._steps: Iterator[None] | None = None
        self._fresh: Self | None = None  # the index being built anew in steps
        self._pending: set[str] = set()  # changed while working in steps
        # A window that advances the work in steps sets this: a change to many rows at once (a notes-file
        # sync that took in thousands of long notes: seconds of folding) is then recomputed in steps too,
        # and a question meanwhile finishes it first.
        self.update_in_steps = False

    # -- what a kind of index says -----------------------------------------------------------------

    def _clear(self) -> None:
        """Drop every row (a build from scratch follows)."""
        raise NotImplementedError

    def _append_rows(self, ids: Sequence[str]) -> None:
        """Add the rows of these papers at the end (their ids are in ``_order`` and ``_pos`` already)."""
        raise NotImplementedError

    def _update_row(self, row: int, paper_id: str) -> None:
        """Recompute the row of a paper that changed."""
        raise NotImplementedError

    def _after_append(self) -> Generator[None, None, None]:
        """Work after each step's rows were added in ``_build_steps``, pausing as it likes."""
        yield from ()

    def _before_rows(self, ids: Sequence[str], *, in_steps: bool) -> Generator[None, None, None]:
        """Work before the rows of ``ids`` are made in a build from scratch (``_clear`` was called), pausing."""
        yield from ()

    def _rows_added(self, first: int, *, in_steps: bool) -> Generator[None, None, None]:
        """Work after rows from ``first`` on were added (0: built from scratch), pausing as it likes."""
        yield from ()

    def _fresh_copy(self) -> Self:
        """An empty index of the same kind and settings, to build anew."""
        return type(self)(self.library)

    def _adopt(self, fresh: Self) -> None:
        """Take over the rows of ``fresh``, built anew in steps (the base takes ``row_ids``); the papers
        changed meanwhile (``_pending``) are recomputed after."""
        raise NotImplementedError

    # -- keeping current ---------------------------------------------------------------------------

    @property
    def row_ids(self) -> list[str]:
        """The paper id of each row (do not change it)."""
        return self._order

    @property
    def ready(self) -> bool:
        """True once there is something to answer from (work in steps may be under way for a rebuild)."""
        return self._built

    def invalidate(self, ids: Sequence[str]) -> None:
        """Recompute these papers' rows (meant as a library listener); new papers are added on the next use.

        With ``update_in_steps``, more than ``LARGE_CHANGE`` rows are recomputed in steps (``step``).
        """
        self._generation += 1
        if self._steps is not None:
            self._pending.update(ids)  # the work in steps may have read them before the change
        if not self._built:
            return
        if self.update_in_steps and self._steps is None and len(ids) > self.LARGE_CHANGE:
            rows = [pid for pid in ids if pid in self._pos]  # new papers get rows on the next use
            if len(rows) > self.LARGE_CHANGE:
                self._start_steps(self._update_steps(rows))
                return
        self._update_rows(ids)

    def _update_rows(self, ids: Sequence[str]) -> None:
        papers = self.library.papers
        for pid in ids:
            row = self._pos.get(pid)
            if row is None:
                continue
            if pid not in papers:
                self._built = False  # a paper went away: built again on the next use
                return
            self._update_row(row, pid)

    def _update_steps(self, ids: Sequence[str]) -> Generator[None, None, None]:
        rows = max(1, self.STEP_ROWS // 8)  # changed rows can be long (a note of 20k characters: ~1 ms)
        for start in range(0, len(ids), rows):
            if not self._built:
                return  # built again on the next use
            self._update_rows(ids[start : start + rows])
            self._generation += 1
            yield

    def _build_steps(self, *, anew: bool = False, in_steps: bool = True) -> Generator[None, None, None]:
        """Add rows for the papers the library has and the index not yet, pausing every ``STEP_ROWS`` rows.

        From scratch when ``anew``, when there are no rows, or when the rows are not the start of the
        library's order.
        """
        ids = list(self.library.papers)
        known = len(self._order) if self._built and not anew else 0
        if known and (len(ids) < known or ids[:known] != self._order):
            known = 0
        if known == len(ids) and self._built:
            return
        if not known:
            self._built = False
            self._order = []
            self._pos = {}
            self._clear()
            yield from self._before_rows(ids, in_steps=in_steps)
        for start in range(known, len(ids), self.STEP_ROWS):
            chunk = ids[start : start + self.STEP_ROWS]
            self._pos.update(zip(chunk, range(start, start + len(chunk)), strict=True))
            self._order.extend(chunk)
            self._append_rows(chunk)
            yield
            yield from self._after_append()
        self._built = True
        self._generation += 1
        yield from self._rows_added(known, in_steps=in_steps)

    def sync(self) -> None:
        """Bring the rows up to date now (before answering a question)."""
        if self._steps is not None and (self._fresh is None or not self._built):
            self.finish()  # catching up in place, or nothing to answer from yet
        if not self._built or len(self.library.papers) != len(self._order):
            run(self._build_steps(in_steps=False))

    # -- work in steps -----------------------------------------------------------------------------

    @property
    def working(self) -> bool:
        """True from ``start_catch_up`` or ``start_rebuild`` until the work is done (and adopted)."""
        return self._steps is not None

    def start_catch_up(self) -> None:
        """Start adding rows for the papers added (or building them all, if there are none), in place."""
        if self._steps is None:
            self._start_steps(self._build_steps())

    def start_rebuild(self) -> None:
        """Start building every row anew on a fresh index, answering from these rows meanwhile."""
        if self._steps is None:
            fresh = self._fresh_copy()
            self._start_steps(fresh._build_steps(anew=True), fresh)

    def _start_steps(self, steps: Iterator[None], fresh: Self | None = None) -> None:
        self._pending = set()
        self._fresh = fresh
        self._steps = steps

    def step(self, seconds: float = 0.01) -> bool:
        """Work for about ``seconds`` (one step at least); True once the work is done (and adopted)."""
        steps = self._steps
        if steps is None:
            return True
        try:
            if not advance(steps, seconds):
                return False
        except BaseException:
            self._steps = self._fresh = None
            raise
        fresh, self._fresh, self._steps = self._fresh, None, None
        if fresh is not None:
            self._order, self._pos, self._built = fresh._order, fresh._pos, fresh._built
            self._adopt(fresh)  # (``_pending`` still holds the papers changed meanwhile)
            self._generation += 1
        pending, self._pending = self._pending, set()
        self._generation += 1
        if self._built:
            self._update_rows(sorted(pending))
        if fresh is not None:
            self.sync()  # papers added while it was built
        return True

    def cancel(self) -> None:
        """Stop the work in steps, dropping what it made (a build's child processes are stopped too). A
        rebuild's rows answer as before; work done in place (rows added or recomputed) is all done again on
        the next use."""
        steps, self._steps, fresh, self._fresh = self._steps, None, self._fresh, None
        self._pending = set()
        close = getattr(steps, "close", None)
        if close is not None:
            close()  # (a generator's finally clauses run now)
        if steps is not None and fresh is None:
            self._built = False  # (which rows it had reached is not known: none is trusted)

    def finish(self) -> None:
        """Do the rest of the work in steps now."""
        while not self.step(60.0):
            pass
