"""A large library's word index built by child processes, a run of rows each, while the window goes on.

Building the word index of 100k papers takes ~5 s of one CPU (each paper's catalogue words, then
tokenising them). Where a second CPU is free, the build is shared: ``Forked`` forks one child per run of
rows; each child makes its rows' catalogue words, tokenises them (``Builder``), writes the word index of
its rows to an anonymous in-memory file and exits. The parent only waits, between the window's events
(``waiting`` sleeps in ``select`` on the children's pipes, leaving the CPUs to them), then reads the
runs' indexes, which answer as one (``Segments``) and are merged into one later.

Why fork, and why it is safe here:

* The children need the library as the parent has it (100k papers, their abstracts' places in the
  catalogue file). A fresh process would read the catalogue again (~2 s); a forked child has it at once.
* A child runs only pure Python and numpy on data already in memory: its papers' catalogue words
  (``fields``), the tokeniser (``Builder``), its rows' annotated texts (the caller's ``Annotated``),
  reading abstracts from the catalogue file with ``pread`` on the descriptor it shares with the parent
  (``pread`` moves no file offset). Never Qt, never a lock another of the parent's threads may hold. It
  leaves with ``os._exit`` (no atexit handlers, no output flushed twice), also when anything goes wrong
  (after printing what to stderr), and the kernel kills it if the parent dies first (``prctl``).
* Linux only (``processes_for``): where fork is not safe with the system's GUI libraries (macOS) or
  does not exist, the parent builds the words itself, in steps, as before.

A child that fails, is killed, takes longer than ``_DEADLINE_S``, or writes something that does not read
back as a word index of its rows (``WordIndex.from_built_parts`` checks the header and the arrays' sizes)
makes the parent build the words itself (``waiting`` gives None). ``stop`` (also when ``waiting`` is closed)
kills and reaps the children.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import itertools
import os
import select
import signal
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Final, NamedTuple, cast

from papershelf.core.fields import catalogue_words
from papershelf.core.memory import temporaries_kept
from papershelf.core.model import Paper, read_abstracts_ahead
from papershelf.core.search.steps import run
from papershelf.core.search.wordindex import Builder, Segments, WordIndex, WordIndexError
from papershelf.core.storage import cachefile

PROCESSES_FROM: Final = 20_000  # rows: a smaller build takes under a second, not worth a child
RUN_ROWS_FROM: Final = 10_000  # ... and no child gets fewer rows than this
MAX_PROCESSES: Final = 4
_CHUNK_ROWS: Final = 256  # rows a child tokenises at a time (as the parent would: see Builder)
_WAIT_S: Final = 0.004  # the longest one waiting step sleeps (a step of the window's may take a few)
_DEADLINE_S: Final = 300.0  # children not done by then are stopped, and the parent builds the words itself
_PR_SET_PDEATHSIG: Final = 1  # prctl(2)
_MAGIC: Final = b"PAPERSHELF-WORDS\n"


def can_fork() -> bool:
    """True where children can build (Linux: fork is safe with its GUI libraries, and memfd exists)."""
    return sys.platform.startswith("linux") and hasattr(os, "memfd_create")


def processes_for(rows: int) -> int:
    """How many children to build the word index of ``rows`` rows with: 1 (none: the parent builds it) on a
    single CPU, for a small library, or where they cannot (``can_fork``)."""
    if not can_fork() or rows < PROCESSES_FROM:
        return 1
    cpus = len(os.sched_getaffinity(0))
    return max(1, min(cpus, MAX_PROCESSES, rows // RUN_ROWS_FROM))


def runs_of(rows: int, processes: int) -> list[tuple[int, int]]:
    """``rows`` cut into ``processes`` runs of about equal length, every cut at a multiple of 8 rows."""
    cuts = sorted({rows * k // processes // 8 * 8 for k in range(processes)} | {rows})
    return [(low, high) for low, high in itertools.pairwise(cuts) if high > low]


Annotated = Callable[[int, int], tuple[list[str], list[int]]]
"""Given a run of rows (``low``, ``high``), the texts of the annotated papers among them and their rows: what
a child reads besides its rows' catalogue words."""


class Built(NamedTuple):
    """What the children built: the word index of every row (their runs', answering as one), and the
    annotated papers' texts (``Annotated``) with their rows, in row order."""

    words: Segments
    annotated_texts: list[str]
    annotated_rows: list[int]


@dataclass(slots=True)
class _Child:
    """One forked child: its pid, the pipe it holds open until it exits, the file it writes its run to."""

    pid: int
    pipe: int
    out: int
    rows: tuple[int, int]
    status: int | None = None  # its exit status once reaped (0 too if another reaped it: see waiting)


class Forked:
    """The word index of ``papers`` (in row order; ``ids`` theirs) built by ``processes`` forked children,
    each of which also reads its rows' ``annotated`` texts.

    Use ``waiting`` (steps) until it returns. Raises OSError if the children cannot be started (the caller
    builds the words itself then).
    """

    def __init__(self, papers: Sequence[Paper], ids: Sequence[str], processes: int, annotated: Annotated) -> None:
        self.ids = list(ids)
        self._children: list[_Child] = []
        try:
            for rows in runs_of(len(papers), processes):
                self._children.append(_start(papers, rows, annotated))
        except BaseException:
            self.stop()
            raise

    @property
    def pids(self) -> list[int]:
        """The children's process ids (those not yet reaped)."""
        return [child.pid for child in self._children if child.status is None]

    def waiting(self) -> Generator[None, None, Built | None]:
        """Wait for the children, sleeping at most a few ms a step; what they built, or None if a child did
        not build its run (the caller builds the words itself then)."""
        deadline = time.monotonic() + _DEADLINE_S
        try:
            while True:
                running = [child for child in self._children if child.status is None]
                if not running:
                    break
                if time.monotonic() > deadline:  # (stuck: reading a file that does not answer, ...)
                    return None
                with contextlib.suppress(InterruptedError):
                    select.select([child.pipe for child in running], [], [], _WAIT_S)
                for child in running:
                    try:
                        pid, status = os.waitpid(child.pid, os.WNOHANG)
                    except ChildProcessError:  # reaped already (SIGCHLD ignored): what it wrote says if it was done
                        pid, status = child.pid, 0
                    if pid:
                        child.status = status
                yield
            if any(child.status != 0 for child in self._children):
                return None
            parts, texts, rows = [], [], []
            for child in self._children:
                low, high = child.rows
                read = _read_run(child.out, self.ids[low:high])
                os.close(child.out)  # (its memory goes now)
                child.out = -1
                if read is None:
                    return None
                part, (run_texts, run_rows) = read
                yield
                yield from part.preparing()
                parts.append(part)
                texts += run_texts
                rows += run_rows
            return Built(Segments(parts, self.ids), texts, rows)
        finally:
            self.stop()

    def stop(self) -> None:
        """Kill the children still running, reap them, close their pipes and files."""
        children, self._children = self._children, []
        for child in children:
            if child.status is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child.pid, signal.SIGKILL)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(child.pid, 0)
                child.status = -1
            for fd in (child.pipe, child.out):
                if fd >= 0:
                    with contextlib.suppress(OSError):
                        os.close(fd)


def _start(papers: Sequence[Paper], rows: tuple[int, int], annotated: Annotated) -> _Child:
    """Fork a child that builds the word index of ``papers[rows]`` into an anonymous file."""
    out = os.memfd_create("papershelf-words", os.MFD_CLOEXEC)
    try:
        pipe_read, pipe_write = os.pipe()
    except BaseException:
        os.close(out)
        raise
    parent, prctl, collecting = os.getpid(), _prctl(), gc.isenabled()
    gc.disable()  # (off from the fork on in the child: a collection would touch, and copy, the parent's pages)
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns of fork in a process with threads (the parent has Qt's): the child touches
            # nothing they may hold (see the module's docstring)
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
            if pid == 0:
                _child(parent, prctl, papers, rows, annotated, out)  # (never returns)
    except BaseException:
        for fd in (out, pipe_read, pipe_write):
            os.close(fd)
        raise
    finally:
        if collecting:
            gc.enable()
    os.close(pipe_write)
    return _Child(pid, pipe_read, out, rows)


def _child(
    parent: int, prctl: Callable[..., int] | None, papers: Sequence[Paper], rows: tuple[int, int],
    annotated: Annotated, out: int,
) -> None:
    """The child's life: build its run, write it to ``out``, leave (status 0 only if all of it was written)."""
    status = 1
    try:
        _die_with(parent, prctl)
        _build_run(papers[rows[0] : rows[1]], annotated(*rows), out)
        status = 0
    except BaseException:  # (said on stderr; the parent builds the words itself)
        with contextlib.suppress(BaseException):
            traceback.print_exc()
            sys.stderr.flush()
    finally:
        os._exit(status)


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """libc's ``prctl``, looked up once (in the parent: the child makes no new classes), or None."""
    try:
        function = ctypes.CDLL(None).prctl
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    function.restype = ctypes.c_int
    return cast(Callable[..., int], function)


def _die_with(parent: int, prctl: Callable[..., int] | None) -> None:
    """Have the kernel kill this child when the thread that forked it ends (the window's main thread: a crashed
    window leaves no child working on); where that cannot be asked, the deadline still stops it."""
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)  # (-1 if refused: nothing more to do about it)
    if os.getppid() != parent:  # (the parent died before that was set)
        os._exit(1)


def _build_run(papers: Sequence[Paper], annotated: tuple[list[str], list[int]], out: int) -> None:
    """(In the child) the word index of ``papers``' catalogue words, and ``annotated``, written to ``out``."""
    builder = Builder(len(papers), checksums=False)  # (the search index sets them as it makes its columns)
    with temporaries_kept():
        for start in range(0, len(papers), _CHUNK_ROWS):
            chunk = papers[start : start + _CHUNK_ROWS]
            read_abstracts_ahead(chunk)
            builder.add(list(map(catalogue_words, chunk)))
            run(builder.merging())
        index = run(builder.finishing([""] * len(papers), prepare=False))
    header, blobs = index.built_parts()
    header["annotated"] = annotated
    with os.fdopen(out, "wb", closefd=False) as file:
        for part in cachefile.laid_out(_MAGIC, header, blobs):
            file.write(part)


def _read_run(out: int, ids: list[str]) -> tuple[WordIndex, tuple[list[str], list[int]]] | None:
    """The word index a child wrote to ``out`` for the rows ``ids`` and the annotated texts it read, or None
    if that is not what it holds."""
    size = os.fstat(out).st_size
    raw = os.pread(out, size, 0)
    try:
        header, raw, at = cachefile.parse(raw, _MAGIC, WordIndexError)
        texts, rows = header["annotated"]
        if len(texts) != len(rows) or not all(type(t) is str for t in texts) or not all(type(r) is int for r in rows):
            return None
        return WordIndex.from_built_parts(ids, header, raw, at, prepare=False), (texts, rows)
    except (WordIndexError, KeyError, TypeError, ValueError):
        return None
