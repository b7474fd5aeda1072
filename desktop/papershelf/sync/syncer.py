"""Two-way sync of notes, status and tags between a library and its notes file.

Per paper and field, a three-way merge (``sync.merge``) against the *base*: the values the notes file had
at the last sync, kept with the notes file's path in ``sync.state`` (tables of the library's annotations store).

- Changed only in the file: the library takes it. Only in the app: the file takes it.
- Both differently: a *conflict*. The library keeps its version, the file shows it as the section and the
  file's version in a marked block at the end of the section (see ``notesfile``); the paper is flagged
  (``sync.state.conflicts``) until the block is deleted from the file, or :func:`resolve` is called.
  A conflict block found in a file without a record here (the file came from another machine) is adopted.
- A section deleted from the file reads as all fields cleared, so the note is cleared only if the app did
  not change it since the base (otherwise: a conflict). A missing or empty notes file is rebuilt from the
  library instead (a vanished file never clears notes).
- Every note the sync replaces (and the file's side of a conflict) goes into the note history.
- Sections with a key this library does not know are kept verbatim and reported.
- A paper in the Trash is not synced: its section, if the file has one, is kept verbatim (with its base, so
  the sync goes on from there once the paper is restored) and reported; none is written for it.

Crash safety: the sync writes the library first (the changes taken from the file, the history, conflict
records marked pending, the base only for fields the file on disk already shows, and a *pending* record:
the full new base (a document the base gets in this same write is named, not copied: ``SAME_AS_BASE``)
and conflicts, the hash of the file about to be written, the conflict copies merged),
then the notes file (atomically, after checking it did not change since it was read; if it did,
everything is merged again: see "The write" below), then moves the merged conflict copies into the
backups, then records the rest of the base and clears the pending record. A kill between any two steps
(or inside a write: its temp file is removed) leaves states the next sync merges to exactly what an
uninterrupted sync gives:
it first finishes the cut sync (``_finish_cut_sync``) when the file is the one it wrote (the same bytes,
or edited since but with a section it changed still as it wrote it), else merges again from the older
base (where an edit made since can only read as a conflict, both sides kept).

In steps (``sync_steps``, the window's), the writes pause too, a megabyte or so at a time: each is still
a temp file renamed into place in one step, so a sync dropped at a pause (``close()``) leaves what a kill
there would, and its temp file is removed. Nothing is written over an edit made during a pause: the
merge is checked against the library once more just before the first write starts, and a write of the
library that another write (the edit) reached first is dropped, nothing of it written
(``Store.commit_steps``): the merge starts again, or, for the last write, the same record is written again.

The write, against an editor saving at the same moment: the file is read and hashed, the new version
written to a temp file, then the file is checked once more (a stat: the same file, size and time), then
renamed into place. On Linux the rename swaps the temp file and the notes file in one step
(``renameat2(RENAME_EXCHANGE)``; a new file: ``RENAME_NOREPLACE``), and what was swapped out is compared
with what was read: a save that landed between the last check and the swap is kept as a conflict copy
beside the file (``notes.sync-conflict-...-PAPERSHELF.md``), merged by the next sync. What cannot be closed
on POSIX: an editor that holds the old file open and writes into it after the swap writes into a file
that is no longer the notes file (its next save arrives as usual); and where the swap is missing (macOS,
Windows, file systems without it) a save in the two system calls between the stat and ``os.replace``
is overwritten (it stays only in the editor).
"""

from __future__ import annotations

import codecs
import contextlib
import ctypes
import errno
import functools
import hashlib
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, Final

from papershelf.core import history
from papershelf.core.events import LibraryEvent
from papershelf.core.library import Library, UnknownKeyError
from papershelf.core.memory import return_freed_memory
from papershelf.core.model import Annotation, now_iso
from papershelf.core.search.steps import run
from papershelf.core.storage.packed import PackedText, pack, unpack
from papershelf.core.storage.store import (
    BACKUP_DIR,
    STALE_TEMP_AGE_S,
    STEP_BYTES,
    atomic_write_bytes,
    fsync_dir,
    remove_stale_temp_files,
    write_pieces_steps,
)
from papershelf.formats.common import Problem
from papershelf.sync import engines, notesfile
from papershelf.sync import state as sync_state
from papershelf.sync.merge import DEFAULT, FIELDS, Fields, Merge, Outcome, merge
from papershelf.sync.notesfile import ConflictBlock, Section

MAX_ATTEMPTS: Final = 5
STEP_SECTIONS: Final = 32  # sync_steps pauses after this many sections or papers (a few ms)
TRIM_SECTIONS: Final = 8 * STEP_SECTIONS  # and gives the memory freed meanwhile back after this many
MAX_STEPPED_PLANS: Final = 2  # merges in steps redone because the library changed meanwhile; then at once
READ_STEP_BYTES: Final = 4 * STEP_BYTES  # reading, hashing, decoding in steps: this much per pause
MAX_READS: Final = 3  # reads in steps of a file that changed while it was read; then a read at once
GIT: Final = "git"  # the other side of a git merge (see notesfile.add_other_side)
NEW_FILE_MODE: Final = 0o644
DISPLACED_DEVICE: Final = "PAPERSHELF"  # the device part of the conflict copy that keeps a save made mid-write
_AT_FDCWD: Final = -100
_RENAME_NOREPLACE: Final = 1
_RENAME_EXCHANGE: Final = 2


class SyncError(Exception):
    """The sync could not run; nothing was lost. The message is for the user."""


@dataclass(slots=True)
class SyncReport:
    """What one sync did. Paper ids throughout; ``file_hash`` lets a watcher recognise this write."""

    path: Path
    to_library: list[str] = field(default_factory=list)  # annotations changed from the file
    to_file: list[str] = field(default_factory=list)  # sections changed in the file
    conflicts: dict[str, tuple[str, ...]] = field(default_factory=dict)  # all open after the sync
    new_conflicts: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)  # conflicts resolved in the file (block deleted)
    unknown_keys: list[str] = field(default_factory=list)
    trashed_keys: list[str] = field(default_factory=list)  # sections of papers in the Trash, kept as they are
    problems: list[Problem] = field(default_factory=list)
    written: bool = False
    recreated: bool = False  # the file was missing or empty: rebuilt from the library, nothing cleared
    git_merged: bool = False  # the file had git conflict markers: both sides were taken in
    waiting: bool = False  # the file was empty or missing, likely mid-replace: nothing done (wait_if_emptied)
    taken_in: list[Path] = field(default_factory=list)  # conflict copies merged, now in the library's backups
    displaced: list[Path] = field(default_factory=list)  # saves made mid-write, kept as conflict copies
    file_hash: str = ""
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class FileState:
    """The notes file as read: bytes (None if missing) and what identifies this version of it."""

    raw: bytes | None
    mtime_ns: int = 0
    size: int = -1
    digest: str = ""
    inode: int = 0

    @classmethod
    def read(cls, path: Path) -> FileState:
        try:
            with path.open("rb") as handle:
                stat = os.fstat(handle.fileno())
                raw = handle.read()
        except FileNotFoundError:
            return cls(None)
        except OSError as exc:
            raise SyncError(f"cannot read the notes file {path}: {exc.strerror or exc}") from exc
        return cls(raw, stat.st_mtime_ns, stat.st_size, file_hash(raw), stat.st_ino)

    @classmethod
    def read_steps(cls, path: Path, *, keep: bool = True) -> Generator[None, None, FileState]:
        """:meth:`read` in steps (a pause after every ``READ_STEP_BYTES`` read and hashed), into one buffer
        of the file's size (pieces joined would hold it twice). A file written while it was read (its size
        or time changed meanwhile) is read again, at last at once. ``keep=False``: only its hash and stat
        are wanted (``raw`` is then ``b""`` for a file that exists)."""
        for _ in range(MAX_READS):
            try:
                with path.open("rb") as handle:
                    stat = os.fstat(handle.fileno())
                    hasher = hashlib.blake2b(digest_size=16)
                    buffer = bytearray(stat.st_size if keep else READ_STEP_BYTES)
                    view = memoryview(buffer)
                    done = 0
                    while True:
                        into = view[done : done + READ_STEP_BYTES] if keep else view
                        count = handle.readinto(into)
                        if not count:
                            break
                        hasher.update(into[:count])
                        done += count if keep else 0
                        yield
                        if keep and done == len(buffer):
                            if handle.read(1):  # grew while read: the check below reads it again
                                done = -1
                            break
                    del into, view
                    after = os.fstat(handle.fileno())
            except FileNotFoundError:
                return cls(None)
            except OSError as exc:
                raise SyncError(f"cannot read the notes file {path}: {exc.strerror or exc}") from exc
            unchanged = (after.st_mtime_ns, after.st_size) == (stat.st_mtime_ns, stat.st_size)
            if unchanged and (not keep or done == len(buffer)):
                raw = bytes(buffer) if keep and len(buffer) <= READ_STEP_BYTES else buffer if keep else b""
                return cls(raw, stat.st_mtime_ns, stat.st_size, hasher.hexdigest(), stat.st_ino)  # type: ignore[arg-type]
        return cls.read(path)

    def same_as(self, other: FileState) -> bool:
        return (self.raw is None) == (other.raw is None) and self.digest == other.digest and (
            self.mtime_ns,
            self.size,
            self.inode,
        ) == (other.mtime_ns, other.size, other.inode)

    def still_at(self, path: Path) -> bool:
        """Whether ``path`` still looks as read (the same file, size and time; a stat, not a read)."""
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            return self.raw is None
        return self.raw is not None and (stat.st_ino, stat.st_mtime_ns, stat.st_size) == (
            self.inode,
            self.mtime_ns,
            self.size,
        )


def file_hash(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def _file_hash_steps(pieces: list[bytes | notesfile.FileSpan], path: Path) -> Generator[None, None, str]:
    """:func:`file_hash` of the concatenated ``pieces`` (spans read from ``path``), a pause after every
    ``READ_STEP_BYTES`` hashed.

    Raises:
        _ChangedMeanwhile: a span is no longer in the file as it was read.
    """
    hasher = hashlib.blake2b(digest_size=16)
    hashed = 0
    with _SpanReader(path, pieces) as spans:
        for piece in pieces:
            data = spans.read(piece)
            hasher.update(data)
            hashed += len(data)
            if hashed >= READ_STEP_BYTES:
                hashed = 0
                yield
    return hasher.hexdigest()


def _payload_size(pieces: list[bytes | notesfile.FileSpan]) -> int:
    return sum(piece.end - piece.start if isinstance(piece, notesfile.FileSpan) else len(piece) for piece in pieces)


class _FileReader:
    """Reads the notes file again in order (``read(start, end)``), hashing every byte, so that ``check``
    can tell whether it was the file as read before (``FileState``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: BinaryIO | None = None
        self.hasher = hashlib.blake2b(digest_size=16)  # as FileState's
        self.at = 0

    def __enter__(self) -> _FileReader:
        return self

    def __exit__(self, *_: object) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None

    def _take(self, size: int) -> bytes:
        if self.handle is None:
            try:
                self.handle = self.path.open("rb")
            except OSError:
                raise _ChangedMeanwhile from None
        data = self.handle.read(size)
        if len(data) != size:
            raise _ChangedMeanwhile
        self.hasher.update(data)
        self.at += size
        return data

    def read(self, start: int, end: int) -> bytes:
        """The file's bytes ``start:end``; the reads go forward only (what is skipped is hashed too)."""
        if start < self.at:
            raise ValueError("the file is read forward only")
        while self.at < start:
            self._take(min(start - self.at, READ_STEP_BYTES))
        return self._take(end - start)

    def check(self, state: FileState) -> None:
        """Raises ``_ChangedMeanwhile`` unless the whole file (what is left read now) is what ``state`` read."""
        while self.at < state.size:
            self._take(min(state.size - self.at, READ_STEP_BYTES))
        if self.handle is not None and self.handle.read(1):
            raise _ChangedMeanwhile
        if self.hasher.hexdigest() != state.digest:
            raise _ChangedMeanwhile


class _SpanReader:
    """Reads the payload's spans back from the notes file, each checked against its hash."""

    def __init__(self, path: Path, pieces: list[bytes | notesfile.FileSpan]) -> None:
        self.path = path
        self.fd = -1
        self.needed = any(isinstance(piece, notesfile.FileSpan) for piece in pieces)

    def __enter__(self) -> _SpanReader:
        if self.needed:
            try:
                self.fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
            except FileNotFoundError:
                raise _ChangedMeanwhile from None
        return self

    def __exit__(self, *_: object) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def read(self, piece: bytes | notesfile.FileSpan) -> bytes:
        """The piece's bytes (a span's, as read when the file was merged).

        Raises:
            _ChangedMeanwhile: the span's bytes are no longer those.
        """
        if not isinstance(piece, notesfile.FileSpan):
            return piece
        size = piece.end - piece.start
        os.lseek(self.fd, piece.start, os.SEEK_SET)
        data = os.read(self.fd, size)
        while len(data) < size and (more := os.read(self.fd, size - len(data))):
            data += more
        if len(data) != size or hashlib.blake2b(data, digest_size=12).hexdigest() != piece.digest:
            raise _ChangedMeanwhile  # the file changed since it was merged: merge again
        return data


def _commit(library: Library, in_steps: bool, **changes: Any) -> Generator[None, None, bool]:
    """``sync_state.commit`` in steps (False: an edit reached the library meanwhile, nothing written) or
    at once."""
    if in_steps:
        return (yield from sync_state.commit_steps(library, **changes))
    sync_state.commit(library, **changes)
    return True


@dataclass(slots=True)
class _Plan:
    """One merge's outcome, ready to write."""

    payload: list[bytes | notesfile.FileSpan]  # the file's bytes in pieces, never joined (a large file: its
    # size again); a section written back as it is in the file is a span of the file, read again to write it
    spans: bool = False  # the file was split as bytes: a section's start is its offset in the file
    annotations: dict[str, Annotation] = field(default_factory=dict)
    history: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    conflicts: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    safe_base: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # true of the file on disk
    base: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # the full new base
    report: SyncReport | None = None


def sync(
    library: Library,
    path: str | os.PathLike[str],
    *,
    on_before_write: Callable[[], None] | None = None,
    on_after_write: Callable[[], None] | None = None,
    on_replace: Callable[[], None] | None = None,
    wait_if_emptied: bool = False,
) -> SyncReport:
    """Sync the library with the notes file at ``path`` (created if missing) and remember the path.

    ``wait_if_emptied``: a watcher's sync after the file changed. An empty or missing file that was
    synced before is then an editor replacing it (truncated and not yet written, or removed and not yet
    renamed back): nothing is done (``report.waiting``), the next change syncs. Rebuilding it now would
    put the library's text where the editor is writing (a truncating editor's text would go to a file
    no longer there). A sync a person asks for rebuilds such a file from the library instead.

    ``on_before_write`` runs just before the file is checked and replaced (tests use it to edit the file
    "meanwhile"); ``on_after_write`` right after it is replaced (tests use it to die there);
    ``on_replace`` inside the write, after the last check and just before the rename (tests use it to save
    the file in that window).

    Raises:
        SyncError: the file cannot be read or written, or kept changing.
        StoreError: the library cannot be written.
    """
    return run(sync_steps(library, path, on_before_write=on_before_write, on_after_write=on_after_write,
                          on_replace=on_replace, wait_if_emptied=wait_if_emptied))


def sync_steps(
    library: Library,
    path: str | os.PathLike[str],
    *,
    on_before_write: Callable[[], None] | None = None,
    on_after_write: Callable[[], None] | None = None,
    on_replace: Callable[[], None] | None = None,
    wait_if_emptied: bool = False,
) -> Generator[None, None, SyncReport]:
    """:func:`sync` in steps: a generator that pauses (yields) every few milliseconds while it reads the
    file and merges, so that a window can handle its events between steps; it returns the report.

    The writes pause too (see the crash protocol above). If the library's annotations or conflicts change
    meanwhile (the user typed) before the library is written, the merge starts again (at once, without
    pausing, after ``MAX_STEPPED_PLANS`` tries), so the writes always come from a merge of the library as
    it is.
    """
    path = _resolve_chosen(library, Path(path))
    if not path.parent.is_dir():
        raise SyncError(f"the folder of the notes file does not exist: {path.parent}")
    if wait_if_emptied and sync_state.notes_file_path(library) == path:
        state = FileState.read(path)
        if state.raw is None or not state.raw.removeprefix(codecs.BOM_UTF8).strip():
            return SyncReport(path=path, waiting=True, file_hash=state.digest)
    if not library.read_only:  # what killed writes of the notes file left (store.py: only our own, aged)
        remove_stale_temp_files(path, older_than=STALE_TEMP_AGE_S)
    finished = SyncReport(path=path)  # what completing a sync cut short did (conflict copies set aside)
    _finish_cut_sync(library, path, finished)
    changed: list[LibraryEvent] = []
    library.events.connect(LibraryEvent, changed.append)
    try:
        hooks = (on_before_write, on_after_write, on_replace)
        return (yield from _attempts(library, path, changed, finished, *hooks))
    finally:
        library.events.disconnect(LibraryEvent, changed.append)


def _attempts(
    library: Library,
    path: Path,
    changed: list[LibraryEvent],
    finished: SyncReport,
    on_before_write: Callable[[], None] | None,
    on_after_write: Callable[[], None] | None,
    on_replace: Callable[[], None] | None,
) -> Generator[None, None, SyncReport]:
    done_to_library: list[str] = []
    stepped = 0
    attempt = 0
    while attempt < MAX_ATTEMPTS:
        attempt += 1
        in_steps = stepped < MAX_STEPPED_PLANS
        state = (yield from FileState.read_steps(path)) if in_steps else FileState.read(path)
        # The bytes go to the merge, which lets them go once decoded: from here on the file is known by its
        # hash and size (a large file would otherwise be held all through the sync).
        raw = [state.raw]
        state = replace(state, raw=None if state.raw is None else b"")
        records = dict(sync_state.conflict_records(library))
        changed.clear()
        try:
            plan = yield from _plan_steps(library, path, state, raw, in_steps)
        except _ChangedMeanwhile:
            continue  # the file changed while it was split: merge again
        hashing = _file_hash_steps(plan.payload, path)
        try:
            digest = (yield from hashing) if in_steps else run(hashing)
        except _ChangedMeanwhile:
            continue  # edited since it was read: merge again
        # No pause from this check to the start of the first write (which sees any write made after it).
        if in_steps and (changed or records != sync_state.conflict_records(library)):
            stepped += 1  # merged from a library that changed meanwhile: merge again
            attempt -= 1
            continue
        report = plan.report
        assert report is not None
        report.attempts = attempt
        notes_file = path if sync_state.notes_file_path(library) != path else None
        if state.raw is not None and (digest, _payload_size(plan.payload)) == (state.digest, state.size):
            # the file already says it all: one write
            if not (yield from _commit(
                library, in_steps,
                annotations=plan.annotations,
                history=plan.history,
                conflicts=plan.conflicts,
                base=_diff(sync_state.base(library), plan.base),
                notes_file=notes_file,
            )):
                stepped += 1  # an edit was saved while this was written: merge again
                attempt -= 1
                continue
            # The file already held all a conflict copy had; now that the library does too, set it aside.
            report.taken_in = [_set_aside(library, copy, report) for copy in report.taken_in]
        else:
            # A conflict record is "pending" until its block is in the file: a kill before the file
            # write must not read as "the user deleted the block".
            pending = {pid: {**rec, "pending": True} if rec else None for pid, rec in plan.conflicts.items()}
            final_conflicts = {pid: rec for pid, rec in plan.conflicts.items() if rec is not None}
            safe_base = _diff(sync_state.base(library), plan.safe_base)
            if not (yield from _commit(
                library, in_steps,
                annotations=plan.annotations,
                history=plan.history,
                conflicts=pending,
                base=safe_base,
                # If the process dies after the file write but before the base is recorded, the next
                # sync finds the file with this hash and completes the sync from here (see below).
                pending={
                    "path": str(path),
                    "hash": digest,
                    "base": _pending_base(_diff(sync_state.base(library), plan.base), safe_base),
                    "conflicts": final_conflicts,
                    "taken_in": [str(copy) for copy in report.taken_in],
                },
            )):
                stepped += 1  # an edit was saved while this was written: merge again
                attempt -= 1
                continue
            done_to_library += plan.annotations
            if on_before_write is not None:
                on_before_write()
            now = (yield from FileState.read_steps(path, keep=False)) if in_steps else FileState.read(path)
            if not now.same_as(state):
                continue  # edited meanwhile: merge again, never clobber it
            del now
            try:
                writing = _write_steps(path, plan.payload, state, on_replace)
                displaced = (yield from writing) if in_steps else run(writing)
            except _ChangedMeanwhile:
                continue  # saved in the last instant before the rename: merge again
            if on_after_write is not None:
                on_after_write()
            report.written = True
            if displaced is not None:
                _keep_displaced(path, displaced, report)
            # The merge is in the file now: the conflict copies are taken in (set aside, so once), before
            # the pending record goes; a kill in between is finished by the next sync (_finish_cut_sync).
            report.taken_in = [_set_aside(library, copy, report) for copy in report.taken_in]
            tries = 0
            while not (yield from _commit(
                library, in_steps and tries < MAX_STEPPED_PLANS,
                base=_diff(sync_state.base(library), plan.base),
                conflicts=final_conflicts,
                notes_file=notes_file,
                pending=None,
            )):
                tries += 1  # an edit was saved while this was written: the same record, written after it
        report.to_library = list(dict.fromkeys(done_to_library + report.to_library))
        report.taken_in = [*finished.taken_in, *report.taken_in]
        report.problems = [*finished.problems, *report.problems]
        report.file_hash = digest
        return report
    raise SyncError("the notes file kept changing while syncing; nothing was lost, sync again")


def _resolve_chosen(library: Library, path: Path) -> Path:
    """The real path of the notes file. A path given anew is resolved (links followed) and that is what is
    remembered; the remembered path itself must still be the file, not a link to another one.
    """
    given = Path(os.path.abspath(path.expanduser()))
    resolved = given.resolve()
    if resolved != given and given == sync_state.notes_file_path(library):
        raise SyncError(
            f"the notes file {given} is now a link to {resolved}; nothing was written. Papershelf writes only "
            "the file you chose: choose the file again (File → Notes file…, or papershelf sync --notes-file)"
        )
    return resolved


def _finish_cut_sync(library: Library, path: Path, report: SyncReport) -> None:
    """Complete a sync that was killed between writing the notes file and recording what it wrote.

    Without this the stored base would still hold the values from before that sync, and the next merge
    would read the app's own values in the file as edits made in the file; and a conflict copy already
    merged into the file would be merged again (its older values read as conflicts). Copies set aside
    here go into ``report``.
    """
    pending = sync_state.pending(library)
    if not pending:
        return
    if pending.get("path") == str(path):
        remove_stale_temp_files(path)  # the cut write's temp file (it would travel with the notes file)
    state = FileState.read(path)
    if pending.get("path") == str(path) and state.raw is not None and _was_written(library, pending, state, path):
        # The copies first: once the pending record is gone, nothing says they were merged already.
        copies = [Path(name) for name in pending.get("taken_in") or () if Path(name).is_file()]
        report.taken_in += [_set_aside(library, copy, report) for copy in copies]
        sync_state.commit(
            library,
            base=_resolved_base(library, pending),
            conflicts=pending.get("conflicts") or {},
            notes_file=path if sync_state.notes_file_path(library) != path else None,
            pending=None,
        )
    else:  # the file was not written after all, or has changed since: merge from the base as it is
        sync_state.commit(library, pending=None)


SAME_AS_BASE: Final = "as in sync_base"
"""A pending record's base document that is the one written to the sync base with it (not a second copy
of every note taken from the file in ``annotations.json``)."""


def _pending_base(
    base: Mapping[str, Mapping[str, Any] | None], safe_base: Mapping[str, Mapping[str, Any] | None]
) -> dict[str, Mapping[str, Any] | str | None]:
    """The pending record's base: ``base``, where a document the sync base gets in the same write
    (``safe_base``) is ``SAME_AS_BASE``."""
    return {pid: SAME_AS_BASE if doc is not None and safe_base.get(pid) == doc else doc for pid, doc in base.items()}


def _resolved_base(library: Library, pending: Mapping[str, Any]) -> dict[str, Mapping[str, Any] | None]:
    """The pending record's base with each ``SAME_AS_BASE`` the sync base's document (written with it)."""
    stored = sync_state.base(library)
    resolved: dict[str, Mapping[str, Any] | None] = {}
    for pid, doc in (pending.get("base") or {}).items():
        if doc == SAME_AS_BASE:
            if pid in stored:  # (it is: the record and the sync base were written at once)
                resolved[pid] = stored[pid]
        else:
            resolved[pid] = doc
    return resolved


def _was_written(library: Library, pending: Mapping[str, Any], state: FileState, path: Path) -> bool:
    """Whether the file on disk is the cut sync's write, possibly edited since.

    The same bytes: yes. Edited since: the sections that sync changed tell; any of them as it wrote it
    and none as it was before says yes. When every one of them was edited since, it cannot be told and
    the answer is no: the next merge then starts from the older base, where an edit can only show as a
    conflict (both sides kept), never as the file's value silently taking the app's place.
    """
    if state.digest == pending.get("hash"):
        return True
    assert state.raw is not None
    try:
        doc = notesfile.split(_decode(state.raw, path))
    except SyncError:
        return False
    on_disk: dict[str, str] = {}
    for section in doc.sections:
        if section.duplicate or section.key in on_disk:
            continue
        with contextlib.suppress(UnknownKeyError):
            on_disk.setdefault(library.paper(section.key).id, section_hash(section.raw))
    stored = sync_state.base(library)
    written = unwritten = False
    for pid, doc_ in _resolved_base(library, pending).items():
        new_hash = doc_.get("hash") if doc_ else None
        old_hash = (stored.get(pid) or {}).get("hash")
        if new_hash == old_hash:
            continue
        if on_disk.get(pid) == new_hash:
            written = True
        elif old_hash is not None and on_disk.get(pid) == old_hash:
            unwritten = True
    return written and not unwritten


def _set_aside(library: Library, copy: Path, report: SyncReport) -> Path:
    """Move a conflict copy that was merged into the library's backups/ (returns where it went)."""
    folder = library.folder / BACKUP_DIR
    target = folder / copy.name
    number = 1
    while target.exists():
        number += 1
        target = folder / f"{copy.stem}-{number}{copy.suffix}"
    try:
        folder.mkdir(exist_ok=True)
        try:
            os.replace(copy, target)
        except OSError:  # another file system: copy, then remove
            atomic_write_bytes(target, copy.read_bytes())
            copy.unlink()
    except OSError as exc:
        report.problems.append(
            Problem(0, f"the conflict copy {copy.name} was merged but could not be moved to {folder}: "
                       f"{exc.strerror or exc}; delete it by hand", severity="warning")
        )
        return copy
    return target


class _ChangedMeanwhile(Exception):
    """The notes file changed between the last check and the rename: nothing was written."""


def _write_steps(
    path: Path, payload: list[bytes | notesfile.FileSpan], state: FileState, on_replace: Callable[[], None] | None
) -> Generator[None, None, bytes | None]:
    """Replace the notes file with ``payload`` (its pieces: a temp file renamed into place) unless it changed since it
    was read; returns what another program saved there in the instant between the last check and the
    rename (None: nothing).

    The temp file is written in steps (a pause after every ``STEP_BYTES``, flushed to disk every
    ``FSYNC_BYTES``); from the last check to the end it is one step. A generator closed while it pauses
    removes its temp file.

    Where the system can swap two names in one step (Linux ``renameat2``), the temp file and the notes
    file are swapped, so whatever was at the path at that instant ends up at the temp name, where it is
    compared with what was read: a save that slipped in is returned, not lost. Elsewhere the last check
    (a stat: same file, size and time) comes right before ``os.replace``, which narrows the window to
    two system calls without closing it.

    Raises:
        _ChangedMeanwhile: the file changed since it was read (nothing written).
        SyncError: the file cannot be written.
    """
    mode = NEW_FILE_MODE
    if state.raw is not None:
        with contextlib.suppress(OSError):
            mode = path.stat().st_mode & 0o7777
    tmp = ""
    unchecked = False  # tmp holds what was swapped out of the path, not yet compared with what was read
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # store.py's names
        with os.fdopen(fd, "wb") as handle, _SpanReader(path, payload) as spans:
            yield from write_pieces_steps(handle, map(spans.read, payload))
        yield
        os.chmod(tmp, mode)  # mkstemp made it 0600; keep what the user had
        if not state.still_at(path):
            raise _ChangedMeanwhile
        if on_replace is not None:
            on_replace()
        swapped = _rename(tmp, path, exchange=state.raw is not None)
        if swapped is None:
            os.replace(tmp, path)
            tmp = ""
            displaced = None
        elif swapped:  # what was at the path when the names were swapped is at tmp now
            unchecked = True
            same = yield from _holds_steps(Path(tmp), state)
            displaced = None if same else Path(tmp).read_bytes()
            unchecked = False
            os.unlink(tmp)
            tmp = ""
        else:
            tmp = ""
            displaced = None
        yield
        fsync_dir(path.parent)
        return displaced
    except OSError as exc:
        raise SyncError(f"cannot write the notes file {path}: {exc.strerror or exc}") from exc
    finally:
        if tmp and unchecked:  # dropped while comparing (closed at a pause): a save swapped out stays
            try:
                same = run(_holds_steps(Path(tmp), state))
            except OSError:
                same = False
            if not same:  # as a conflict copy, merged by the next sync
                with contextlib.suppress(OSError):
                    os.replace(tmp, _conflict_copy_name(path))
                    tmp = ""
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _holds_steps(path: Path, state: FileState) -> Generator[None, None, bool]:
    """Whether the file at ``path`` holds what ``state`` read (its size and hash; read in pieces, a pause
    after each)."""
    if state.raw is None:
        return False
    hasher = hashlib.blake2b(digest_size=16)
    with path.open("rb") as handle:
        if os.fstat(handle.fileno()).st_size != state.size:
            return False
        while chunk := handle.read(READ_STEP_BYTES):
            hasher.update(chunk)
            yield
    return hasher.hexdigest() == state.digest


@functools.cache
def _renameat2() -> Any:
    """libc's ``renameat2`` (Linux), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _rename(tmp: str, path: Path, *, exchange: bool) -> bool | None:
    """Rename ``tmp`` to ``path`` in one step that never clobbers unseen: swap the two names (``exchange``;
    returns True) or create ``path`` only if it still does not exist (returns False). None: the system
    cannot, use ``os.replace``.

    Raises:
        _ChangedMeanwhile: the file was removed (swap) or created (create) meanwhile; nothing was renamed.
    """
    function = _renameat2()
    if function is None:
        return None
    flags = _RENAME_EXCHANGE if exchange else _RENAME_NOREPLACE
    if function(_AT_FDCWD, os.fsencode(tmp), _AT_FDCWD, os.fsencode(str(path)), flags) == 0:
        return exchange
    error = ctypes.get_errno()
    if error in (errno.ENOENT, errno.EEXIST):
        raise _ChangedMeanwhile
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM):
        return None  # a file system (or kernel) without it
    raise OSError(error, os.strerror(error), str(path))


def _conflict_copy_name(path: Path) -> Path:
    """An unused name beside the notes file for a save kept as a conflict copy (``engines`` finds it)."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    number = 1
    copy = path.with_name(f"{path.stem}.sync-conflict-{stamp}-{DISPLACED_DEVICE}{path.suffix}")
    while copy.exists():
        number += 1
        copy = path.with_name(f"{path.stem}.sync-conflict-{stamp}-{DISPLACED_DEVICE}{number}{path.suffix}")
    return copy


def _keep_displaced(path: Path, displaced: bytes, report: SyncReport) -> None:
    """Keep what another program saved into the notes file while this sync replaced it, as a conflict copy
    beside it: the next sync (the watcher's, at once) merges it in like a sync engine's copy."""
    copy = _conflict_copy_name(path)
    try:
        atomic_write_bytes(copy, displaced)
    except OSError as exc:
        raise SyncError(
            f"the notes file was saved by another program while this sync wrote it, and what it saved could "
            f"not be kept as {copy}: {exc.strerror or exc}"
        ) from exc
    report.displaced.append(copy)
    report.problems.append(
        Problem(0, f"the notes file was saved by another program while this sync wrote it; what it saved is "
                   f"kept as {copy.name} and merged by the next sync", severity="warning")
    )


def _diff(
    stored: Mapping[str, Mapping[str, Any]], wanted: Mapping[str, Mapping[str, Any] | None]
) -> dict[str, Mapping[str, Any] | None]:
    changes: dict[str, Mapping[str, Any] | None] = {}
    for pid, doc in wanted.items():
        if doc is stored.get(pid):
            continue
        if doc is None:
            if pid in stored:
                changes[pid] = None
        elif stored.get(pid) != doc:
            changes[pid] = doc
    return changes


def _decode(raw: bytes | None, path: Path) -> str:
    if raw is None:
        return ""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SyncError(f"{path}: line {line} is not UTF-8; save the notes file as UTF-8 and sync again") from None


def _decode_steps(held: list[bytes | None], path: Path) -> Generator[None, None, str]:
    """:func:`_decode` of the bytes in ``held`` (taken from it), a pause after every ``READ_STEP_BYTES``
    decoded. The bytes go before the pieces are joined: the file is never held in three forms at once."""
    raw = held.pop()
    if raw is None or len(raw) <= READ_STEP_BYTES:
        return _decode(raw, path)
    decoder = codecs.getincrementaldecoder("utf-8")()
    parts: list[str] = []
    view = memoryview(raw)
    size = len(raw)
    try:
        for start in range(0, size, READ_STEP_BYTES):
            end = start + READ_STEP_BYTES
            parts.append(decoder.decode(view[start:end], final=end >= size))
            yield
    except UnicodeDecodeError:
        return _decode(raw, path)  # raises, naming the line
    finally:
        del view
    del raw
    return "".join(parts)


def _plan_steps(
    library: Library, path: Path, state: FileState, raw: list[bytes | None], in_steps: bool
) -> Generator[None, None, _Plan]:
    """Merge the library with the file as read (``raw`` holds its bytes, taken from it here and let go once
    decoded), pausing between sections and papers when ``in_steps``; nothing is written here."""
    if in_steps:
        yield  # the file was read (and hashed)
    data = raw.pop()
    # ASCII, so looked for in the bytes: much faster than in a text of 2-byte characters
    looking = _holds_all_steps(data or b"", (b"<<<<<<<", b">>>>>>>"))
    marked = data is not None and ((yield from looking) if in_steps else run(looking))
    has_cr = data is not None and b"\r" in data
    copies = list(engines.conflict_copies(path))
    empty: bool | None = None
    spans = False  # split as bytes: sections written back as they are can be spans of the file
    if in_steps and data and not (marked or has_cr or copies) and not data.startswith(codecs.BOM_UTF8):
        # Split as bytes, each section decoded on its own: the whole text of a large file (up to twice its
        # size) is never made, nor joined in one step. (Git's markers, conflict copies, a BOM or carriage
        # returns: as text.)
        # The bytes go once the sections are found; each section's bytes are read from the file again
        # (the page cache), checked by the file's hash: the bytes and the sections' texts are never all
        # in memory at once (a file of 2-byte characters: 3x its size).
        kept, data = [data], None
        with _FileReader(path) as reader:
            try:
                doc = yield from notesfile.split_held_bytes_steps(kept, reader.read, as_bytes=True)
            except UnicodeDecodeError:
                reader.check(state)  # (or the file changed meanwhile: merge again)
                _decode(path.read_bytes(), path)  # raises, naming the line
                raise
            reader.check(state)
        empty = not doc.sections and (not doc.preamble or doc.preamble.isspace())
        spans = True
    else:
        held, data = [data], None
        text = (yield from _decode_steps(held, path)) if in_steps else _decode(held.pop(), path)
        if in_steps:
            yield
        doc = (yield from notesfile.split_steps(text, has_cr=has_cr)) if in_steps else notesfile.split(text)
    report = SyncReport(path=path, problems=doc.problems)
    sides = engines.git_sides(doc.text) if marked else None
    if sides is not None:
        ours, theirs = notesfile.split(sides[0]), notesfile.split(sides[1])
        ours.newline, ours.bom = doc.newline, doc.bom
        notesfile.add_other_side(ours, theirs, GIT)
        doc = ours
        report.problems = doc.problems = [*ours.problems, *theirs.problems]
        report.git_merged = True
    for copy in copies:
        try:
            copy_text = _decode(copy.path.read_bytes(), copy.path)
        except (OSError, SyncError) as exc:
            report.problems.append(Problem(0, f"{copy.engine}'s conflict copy {copy.path.name} was not taken in: {exc}",
                                           severity="warning"))
            continue
        copy_doc = notesfile.split(copy_text)
        copy_sides = engines.git_sides(copy_doc.text)  # a copy of a file git left markers in: both sides
        for text in copy_sides or (copy_doc.text,):
            notesfile.add_other_side(doc, notesfile.split(text), copy.path.name)
        report.taken_in.append(copy.path)
    stamp = now_iso()
    if empty is None:
        empty = not doc.text or doc.text.isspace()  # (strip() would copy a large file)
    empty = empty or state.raw is None
    doc.text = text = ""  # not needed from here on: each section has its own text (a large file: 2x its size)
    if in_steps:
        yield  # (letting a large text go takes a while too)
    report.recreated = empty and sync_state.notes_file_path(library) == path
    base_valid = sync_state.notes_file_path(library) == path and not empty
    stored_base = sync_state.base(library)
    records = sync_state.conflict_records(library)

    plan = _Plan(payload=[], report=report, spans=spans)
    sections: dict[str, Section] = {}
    out: list[Section] = []
    unchanged: set[str] = set()
    duplicated = {section.key for section in doc.sections if section.duplicate}
    read_keys: dict[str, str] = {}  # key -> paper id of the sections read
    raw_hashes: dict[str, str] = {}  # paper id -> section_hash of the section read, whose text is let go
    held_notes: dict[str, str | PackedText] = {}  # paper id -> the note of that section, until it is merged
    dropped: set[str] = set()  # keys whose section in a conflict copy was left out (see below)
    for number, section in enumerate(doc.sections):
        if in_steps and number % STEP_SECTIONS == 0:
            if number % TRIM_SECTIONS == 0:
                return_freed_memory()
            yield
        if spans and section.encoded is not None:  # split as bytes: each section's text made as it is read
            section.raw, section.encoded = section.encoded.decode("utf-8"), None
        if section.duplicate and section.other_side and section.key in dropped:
            section.duplicate = section.verbatim = False  # the copy's first version was left out: read this one
        if section.duplicate and section.key in read_keys:
            # The first section counts; this one joins its conflict block (never flips the paper).
            first_pid = read_keys[section.key]
            notesfile.read_section(section, report.problems)
            if section.other_side == GIT:
                reason = "git left two versions of this section (conflict markers): this one's stays, "
                reason += "the other side's differences are kept as a conflict"
            elif section.other_side:
                base_doc = stored_base.get(first_pid) if base_valid else None
                older = {version.note for version in library.note_history(first_pid)}
                _merge_copy(sections[first_pid], section, Fields.from_doc(base_doc) if base_doc else None, older)
                reason = f"the conflict copy {section.other_side} was merged into this section"
            else:
                reason = ""
            if reason:
                report.problems.append(Problem(sections[first_pid].line, reason, key=section.key,
                                               severity="warning"))
            notesfile.fold_duplicate(sections[first_pid], section)
            continue
        if not section.verbatim:
            try:
                pid = library.paper(section.key).id
                if library.papers[pid].key != section.key:  # a merged-away key: the kept paper has its own
                    raise UnknownKeyError(section.key)
            except UnknownKeyError:
                report.unknown_keys.append(section.key)
                section.verbatim = True
            else:
                if library.is_trashed(pid):
                    report.trashed_keys.append(section.key)
                    section.verbatim = True
                    unchanged.add(pid)  # its section and its base stay as they are
                    out.append(section)
                    continue
                base_doc = stored_base.get(pid) if base_valid else None
                if (
                    base_doc is not None
                    and pid not in records
                    and section.key not in duplicated
                    and not section.other_side
                    and _unchanged(library, pid, section, base_doc)
                ):
                    section.verbatim = True  # exactly as last written: write it back as it is
                    unchanged.add(pid)
                    out.append(section)
                    continue
                notesfile.read_section(section, report.problems)
                if section.other_side and section.other_side != GIT and base_doc is not None:
                    copied = Fields.of(section.note, section.status or DEFAULT.status, section.tags or ())
                    if copied == Fields.from_doc(base_doc) and not copied.note:
                        dropped.add(section.key)
                        continue  # deleted from the file since the copy was made, unchanged in it
                    # With a note, the copy may be this machine's own version, which lost the engine's race
                    # to one that never had the section: the copy's section stands (a deletion made here
                    # comes back; nothing is lost either way).
                sections[pid] = section
                read_keys[section.key] = pid
                if section.key not in duplicated and not section.other_side:
                    # From here on only its hash is needed: its text goes now (a large file: its size again,
                    # held beside the notes taken from it).
                    raw_hashes[pid] = section_hash(section.raw)
                    section.raw = ""
                    # Its note as UTF-8 until merged (half a long note of wide characters): all the notes of
                    # a large file are never held as text at once.
                    held_notes[pid] = pack(section.note)
                    section.note = ""
                continue
        out.append(section)

    annotated = [pid for pid in library.annotated_ids() if pid not in unchanged and _has_fields(library, pid)]
    candidates = dict.fromkeys([*sections, *records, *annotated, *(stored_base if base_valid else ())])
    for number, pid in enumerate(candidates):
        if in_steps and number % STEP_SECTIONS == 0:
            if number % TRIM_SECTIONS == 0:
                return_freed_memory()
            yield
        if pid not in library.papers or pid in unchanged or library.is_trashed(pid):
            continue
        paper_section = sections.get(pid)
        if paper_section is not None and pid in held_notes:
            paper_section.note = unpack(held_notes.pop(pid))
        rendered = _sync_paper(
            library, pid, plan, stamp, base_valid,
            app=Fields.from_annotation(library.annotation(pid)),
            base=Fields.from_doc(stored_base.get(pid)) if base_valid else DEFAULT,
            section=paper_section,
            record=records.get(pid),
            raw_hash=raw_hashes.get(pid),
        )
        if paper_section is not None and pid in raw_hashes:
            # Merged: its text goes now (the library holds a long note as UTF-8, half of it), not at the end.
            paper_section.note = ""
        if rendered is not None:
            out.append(rendered)

    final: dict[str, Mapping[str, Any] | None] = {**records, **plan.conflicts}
    for pid, rec in final.items():
        if rec is not None and not rec.get("resolved") and pid in library.papers:  # else kept for its paper
            report.conflicts[pid] = tuple(rec["fields"])
    # Drop the base of papers no longer synced (another file, or gone from both sides).
    for pid, doc_ in stored_base.items():
        if pid not in unchanged:
            plan.base.setdefault(pid, None)
            plan.safe_base.setdefault(pid, doc_ if base_valid else None)
    # Each section's text is let go once encoded: nothing else may hold the sections now.
    doc.sections.clear()
    sections.clear()
    rendering = notesfile.render_encoded_pieces_steps(doc.preamble, out, newline=doc.newline, bom=doc.bom)
    out = []
    plan.payload = (yield from rendering) if in_steps else run(rendering)
    if in_steps:
        return_freed_memory()  # the sections' texts
    return plan


def _holds_all_steps(data: bytes, needles: tuple[bytes, ...]) -> Generator[None, None, bool]:
    """Whether ``data`` contains every one of ``needles``, looked for a few megabytes at a time."""
    for needle in needles:
        start = 0
        while start < len(data):
            end = start + READ_STEP_BYTES
            if data.find(needle, start, end + len(needle) - 1) >= 0:
                break
            start = end
            yield
        else:
            return False
    return True


def _merge_copy(first: Section, copy: Section, base: Fields | None, older_notes: set[str]) -> None:
    """Three-way, field by field, a conflict copy's section into the file's (base: the last sync's values).

    A copy can be older than the last sync, so a value it has that the file does not is only taken when it
    cannot be an old one: a note this library never had (``older_notes``: the note's history). Any other
    difference stays in ``copy``, which :func:`notesfile.fold_duplicate` turns into a conflict.

    The copy can also be this library's own last version, which lost the engine's race: the copy still
    has the base's note and the file another one. Taking the file's note would then drop text typed here
    from the note without a word; so unless the file's note only adds to the base's, an older note of
    this library's is left out (ours stands) and any other is a conflict (ours stands, it goes in the block).

    Likewise a copy's note that leaves out a paragraph of ours which an older note of ours did not have yet
    (typed here later: the copy may never have seen it) is not taken over ours, even though ours is the
    base's: a conflict, both kept. A note the copy changed where ours only ever had what it drops is taken.
    """
    if base is None:
        return  # no common version: every difference is a conflict
    mine = Fields.of(first.note, first.status or base.status, first.tags if first.tags is not None else base.tags)
    theirs = Fields.of(copy.note, copy.status or base.status, copy.tags if copy.tags is not None else base.tags)
    result = merge(base, mine, theirs)
    for name in FIELDS:
        outcome = result.outcomes[name]
        if outcome is Outcome.CONFLICT or (outcome is Outcome.FROM_FILE and name != "note"):
            continue  # the copy keeps its value: a conflict, both kept
        if name == "note" and outcome is Outcome.FROM_APP and not _builds_on(mine.note, base.note):
            if mine.note in older_notes:
                first.note = copy.note = theirs.note  # the winner had not seen our note: ours stands
            else:
                first.note, copy.note = theirs.note, mine.note  # a conflict: ours stands, the file's in the block
            continue
        taken = outcome is Outcome.FROM_FILE and theirs.note not in older_notes  # a note new to this library
        if taken and name == "note" and _drops_later_paragraphs(theirs.note, mine.note, older_notes):
            continue  # the copy keeps its note: a conflict, both kept
        value = theirs.note if taken else mine.get(name)
        setattr(first, name, value)
        setattr(copy, name, value)
    if copy.conflict is not None and copy.conflict.note == first.note:
        copy.conflict = None


def _builds_on(note: str, base: str) -> bool:
    """Whether ``note`` keeps every paragraph of ``base`` (an edit that only added to it)."""
    kept = set(notesfile.paragraphs(note))
    return all(part in kept for part in notesfile.paragraphs(base))


def _drops_later_paragraphs(theirs: str, mine: str, older_notes: set[str]) -> bool:
    """Whether ``theirs`` leaves out a paragraph of ``mine`` that some older note of ours lacked."""
    dropped = set(notesfile.paragraphs(mine)) - set(notesfile.paragraphs(theirs))
    if not dropped:
        return False
    return any(dropped - set(notesfile.paragraphs(older)) for older in older_notes if older.strip())


def section_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def _unchanged(library: Library, pid: str, section: Section, base: Mapping[str, Any]) -> bool:
    """Neither side changed since the base: the section is as last written and the app's values too."""
    if base.get("hash") != section_hash(section.raw):
        return False
    paper = library.papers[pid]
    if not section.raw.startswith(notesfile.heading(paper.title, paper.key) + "\n"):
        return False  # the title changed in the library
    ann = library.annotation(pid)
    same_note = ann.held_note is base["note"] or ann.note == base["note"]  # (one object: a long note not decoded)
    if same_note and ann.status == base["status"] and ann.tags == base["tags"]:
        return True
    return Fields.from_annotation(ann) == Fields.from_doc(base)


def _has_fields(library: Library, pid: str) -> bool:
    ann = library.annotation(pid)
    return bool(ann.held_note or ann.tags or ann.status != DEFAULT.status)  # (a long note not decoded to know)


def _sync_paper(
    library: Library,
    pid: str,
    plan: _Plan,
    stamp: str,
    base_valid: bool,
    *,
    app: Fields,
    base: Fields,
    section: Section | None,
    record: Mapping[str, Any] | None,
    raw_hash: str | None = None,
) -> Section | None:
    """Merge one paper, add its writes to ``plan``; returns its section for the file (None: no section),
    its text as UTF-8 (``encoded``). ``raw_hash``: the section's ``section_hash`` when its text was let go."""
    report = plan.report
    assert report is not None
    if section is None:
        file = DEFAULT
    else:
        file = Fields.of(
            section.note,
            section.status if section.status is not None else base.status,
            section.tags if section.tags is not None else base.tags,
        )
    history_doc: Mapping[str, Any] | None = library.note_history_doc(pid)

    def keep(note: str, source: str, status: str | None = None, tags: list[str] | None = None) -> None:
        nonlocal history_doc
        pushed = history.push(history_doc, note, source, stamp, status=status, tags=tags)
        if pushed is not None:
            history_doc = plan.history[pid] = pushed

    block = section.conflict if section is not None else None
    new_record = _record_from_file(record, block, file, base_valid, keep, report, pid)

    result = merge(base, app, file)
    if section is None and result.conflicts:
        # A deleted section whose note the app changed: the deletion is one edit; take none of it.
        outcomes: dict[str, Outcome] = {
            n: Outcome.CONFLICT if o is Outcome.FROM_FILE else o for n, o in result.outcomes.items()
        }
        result = Merge(fields=app, outcomes=outcomes)
    merged = result.fields
    if result.conflicts:
        fields = set(new_record["fields"]) if new_record else set()
        file_values = dict(new_record["file"]) if new_record else {}
        if "note" in result.conflicts:
            keep(file_values.get("note", ""), history.CONFLICT)  # an older file side it replaces
            keep(file.note, history.CONFLICT)
        for name in result.conflicts:
            fields.add(name)
            file_values[name] = _doc_value(file.get(name))
        new_record = {
            "fields": [name for name in FIELDS if name in fields],
            "file": file_values,
            "since": stamp,
            "deleted": section is None,
            "resolved": False,
        }
        report.new_conflicts.append(pid)
    if new_record != record:
        plan.conflicts[pid] = new_record

    if result.from_file:
        ann = library.annotation(pid).copy()
        if {"status", "tags"} & set(result.from_file) and (ann.note or ann.tags or ann.status != DEFAULT.status):
            keep(ann.note, history.FILE, ann.status, list(ann.tags))  # status and tags can be restored too
        elif "note" in result.from_file:
            keep(ann.note, history.FILE)
        if "note" in result.from_file:
            ann.note = merged.note
        if "status" in result.from_file:
            ann.status = merged.status
            ann.status_changed = stamp
        if "tags" in result.from_file:
            ann.tags = list(merged.tags)
        ann.changed = stamp
        ann.added = ann.added or library.papers[pid].added or stamp
        plan.annotations[pid] = ann
        report.to_library.append(pid)
    if result.outcomes["note"] is Outcome.FROM_APP:
        keep(base.note, history.EDIT)  # the file's text, replaced by the app's edit

    safe = Fields(*(merged.get(n) if merged.get(n) == file.get(n) else base.get(n) for n in FIELDS))
    safe_doc = safe.to_doc() if safe != DEFAULT else None
    if safe_doc is not None:
        safe_doc["note"] = _held_note(library, plan, pid, safe.note)
    if section is not None and raw_hash is None:
        raw_hash = section_hash(section.raw)
    if safe_doc is not None and section is not None and safe == file:
        safe_doc["hash"] = raw_hash  # true of the section on disk now
    plan.safe_base[pid] = safe_doc

    conflict = _block(new_record, merged) if new_record and not new_record.get("resolved") else None
    if merged == DEFAULT and conflict is None:
        plan.base[pid] = None
        if section is not None:
            report.to_file.append(pid)
        return None
    paper = library.papers[pid]
    rendered = Section(
        key=paper.key, title=paper.title, status=merged.status, tags=merged.tags, note=merged.note,
        conflict=conflict, verbatim=True,
    )
    # As UTF-8 from here (half a 2-byte text); the text itself goes at once.
    rendered.encoded = notesfile.render_section(rendered).encode("utf-8")
    rendered.note = ""  # (written from ``encoded`` or ``span``)
    rendered_hash = hashlib.blake2b(rendered.encoded, digest_size=12).hexdigest()  # section_hash, of the bytes
    plan.base[pid] = {**merged.to_doc(), "note": _held_note(library, plan, pid, merged.note), "hash": rendered_hash}
    if section is None or raw_hash != rendered_hash:
        report.to_file.append(pid)
    elif plan.spans and not section.other_side and b"<<<<<<<" not in rendered.encoded:
        # Written back as it is in the file: read from there again when written, not held until then.
        start = section.start
        rendered.span = notesfile.FileSpan(start, start + len(rendered.encoded), rendered_hash)
        rendered.encoded = None
    return rendered


def _held_note(library: Library, plan: _Plan, pid: str, note: str) -> str | PackedText:
    """``note`` as a sync base document holds it: the very object the paper's annotation holds if that is
    the same text (a long note of wide characters: its UTF-8, held once for both), else packed anew."""
    ann = plan.annotations.get(pid) or library.stored_annotation(pid)
    held = ann.held_note if ann is not None else ""
    if held is note or (type(held) is PackedText and held == note):
        return held
    return pack(note)


def _doc_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _record_from_file(
    record: Mapping[str, Any] | None,
    block: ConflictBlock | None,
    file: Fields,
    base_valid: bool,
    keep: Callable[[str, str], None],
    report: SyncReport,
    pid: str,
) -> dict[str, Any] | None:
    """The conflict record after reading the file's conflict block (before this sync's merge)."""
    if record is not None and not record.get("resolved"):
        if block is None:
            if not base_valid or record.get("pending"):  # the block never made it into this file
                return {k: v for k, v in record.items() if k != "pending"}
            report.resolved.append(pid)  # the block was deleted from the file
            return None
        return _update_from_block(record, block, keep)
    if record is not None and block is not None and block.note and "note" not in record.get("fields", ()):
        # A note in the block of a resolved conflict that had none (typed there, or a conflict copy's text
        # folded in) is no part of that conflict: it is the file's side of a new one, the rest stays resolved.
        return _adopt(replace(block, status=None, tags=None), file, keep)
    if record is not None and (block is None or _block_values(block, record) == record["file"]):
        return None  # resolved in the app; the block goes away now
    if block is None:
        return None
    return _adopt(block, file, keep)


def _block_values(block: ConflictBlock, record: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in record.get("fields", ()):
        if name == "note":
            values[name] = block.note
        elif name == "status":
            values[name] = block.status if block.status is not None else record["file"].get("status")
        else:
            values[name] = list(block.tags) if block.tags is not None else record["file"].get("tags")
    return values


def _update_from_block(
    record: Mapping[str, Any], block: ConflictBlock, keep: Callable[[str, str], None]
) -> dict[str, Any]:
    """Edits made inside the block change the file's side of the conflict (the old side is kept, and the
    new one too: deleting the block, or keeping the app's side, must not take text typed there with it)."""
    updated = dict(record)
    values = _block_values(block, record)
    fields = list(record["fields"])
    if "note" not in fields and block.note:
        fields.append("note")  # text typed into the block is the file's side of the note now
        values["note"] = block.note
    if values != record["file"]:
        old_note = record["file"].get("note", "")
        if values.get("note", old_note) != old_note:
            keep(old_note, history.CONFLICT)
            keep(values["note"], history.CONFLICT)
        updated["file"] = {**record["file"], **values}
        updated["fields"] = [name for name in FIELDS if name in fields]
    return updated


def _adopt(block: ConflictBlock, file: Fields, keep: Callable[[str, str], None]) -> dict[str, Any] | None:
    """A conflict block without a record here (the file came from another machine)."""
    values: dict[str, Any] = {}
    if block.note and block.note != file.note:
        values["note"] = block.note
        keep(block.note, history.CONFLICT)
    if block.status is not None and block.status != file.status:
        values["status"] = block.status
    if block.tags is not None and notesfile.canonical_tags(block.tags) != file.tags:
        values["tags"] = list(notesfile.canonical_tags(block.tags))
    if not values:
        return None
    return {
        "fields": [name for name in FIELDS if name in values],
        "file": values,
        "since": now_iso(),
        "deleted": False,
        "resolved": False,
    }


def _block(record: Mapping[str, Any], merged: Fields) -> ConflictBlock:
    fields = record["fields"]
    values = record["file"]
    return ConflictBlock(
        status=values.get("status", merged.status) if "status" in fields else merged.status,
        tags=tuple(values.get("tags", ())) if "tags" in fields else merged.tags,
        note=values.get("note", "") if "note" in fields else "",
        deleted=bool(record.get("deleted")),
    )


# -- resolving, watching -----------------------------------------------------------------------------------


def resolve(library: Library, paper_id: str, *, take: str | None = None, note: str | None = None) -> None:
    """Resolve a conflict in the app: keep the app's version (``take="app"``), take the file's side
    (``take="file"``), or give the merged ``note``. The next sync removes the block from the file.

    Raises:
        ValueError: the paper has no open conflict, or neither/both of ``take`` and ``note`` are given.
    """
    record = sync_state.conflict_records(library).get(paper_id)
    if record is None or record.get("resolved"):
        raise ValueError(f"{library.papers[paper_id].key} has no sync conflict")
    if (take is None) == (note is None) or take not in (None, "app", "file"):
        raise ValueError("resolve with take='app', take='file', or a merged note")
    stamp = now_iso()
    ann = library.annotation(paper_id).copy()
    before = ann.to_doc()
    before_note = ann.note
    if take == "file":
        values = record["file"]
        for name in record["fields"]:
            if name == "status":
                ann.status = values["status"]
                ann.status_changed = stamp
            elif name == "tags":
                ann.tags = list(values["tags"])
            else:
                ann.note = values["note"]
    elif note is not None:
        ann.note = note
    history_doc = None
    if ann.to_doc() != before:
        ann.changed = stamp
        ann.added = ann.added or library.papers[paper_id].added or stamp
        if ann.note != before_note:
            history_doc = history.push(library.note_history_doc(paper_id), before_note, history.RESOLVE, stamp)
    sync_state.commit(
        library,
        annotations={paper_id: ann} if ann.to_doc() != before else None,
        history={paper_id: history_doc} if history_doc else None,
        conflicts={paper_id: {**record, "resolved": True}},
    )


def stat_key(path: Path) -> tuple[int, int, int] | None:
    """What the watcher compares: (mtime, size, inode), None if the file is missing."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


def watch(
    library: Library,
    path: str | os.PathLike[str],
    *,
    interval: float = 0.5,
    stop: threading.Event | None = None,
    on_report: Callable[[SyncReport], None] | None = None,
    on_error: Callable[[Exception], None] | None = None,
) -> None:
    """Sync now, then whenever the file's (mtime, size, inode) changes, polling every ``interval`` s.

    Runs until ``stop`` is set (or forever; Ctrl+C raises KeyboardInterrupt out of it). A failed sync is
    handed to ``on_error`` (raised if there is none) and tried again on the next change.
    """
    stop = stop or threading.Event()
    resolved = Path(path).expanduser().resolve()
    seen: tuple[int, int, int] | None = None
    first = True
    while not stop.is_set():
        current = stat_key(resolved)
        if first or current != seen:
            changed, first = not first, False
            try:
                report = sync(library, resolved, wait_if_emptied=changed)
            except (SyncError, OSError) as exc:
                seen = current
                if on_error is None:
                    raise
                on_error(exc)
            else:
                seen = stat_key(resolved)  # before the callback: a change made there is a change
                if on_report is not None:
                    on_report(report)
        stop.wait(interval)
