"""The notes-file sync's own state, kept in tables of the library's annotations store.

Beside the annotations, so that one sync writes annotations, note history, base and conflict records in
one durable write (``Library.commit``): the crash protocol at the top of ``sync.syncer`` relies on it.

- ``sync_base``: paper id -> {"note", "status", "tags"}, what the notes file had at the last sync.
- ``sync_conflicts``: paper id -> conflict record (``sync.syncer``), kept after it is resolved.
- ``sync_settings``: "notes_file" -> {"path": ...}; "pending" -> what a sync cut short was about to
  write to the file (see ``syncer._finish_cut_sync``).
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from pathlib import Path
from typing import Any, Final

from papershelf.core.annotations import Docs
from papershelf.core.library import Library, ReadOnlyError
from papershelf.core.model import Annotation
from papershelf.core.storage.migrations import ANNOTATIONS_FILE
from papershelf.core.storage.store import StoreError

BASE: Final = "sync_base"
CONFLICTS: Final = "sync_conflicts"
SETTINGS: Final = "sync_settings"
NOTES_FILE: Final = "notes_file"
PENDING: Final = "pending"


def notes_file_path(library: Library) -> Path | None:
    """The notes file of the last sync, if any."""
    doc = library.table(SETTINGS).get(NOTES_FILE) or {}
    return Path(doc["path"]) if doc.get("path") else None


def forget_notes_file(library: Library) -> None:
    """Stop syncing with a notes file: the path (and any sync cut short) is forgotten, in one write.

    The sync base stays, but it belongs to that path: a later sync with any file merges two-way.
    """
    if notes_file_path(library) is None and pending(library) is None:
        return
    library.commit(tables={SETTINGS: {NOTES_FILE: None, PENDING: None}})


def pending(library: Library) -> Mapping[str, Any] | None:
    """What an unfinished sync was about to write to the notes file (None when none was cut short)."""
    return library.table(SETTINGS).get(PENDING)


def base(library: Library) -> Mapping[str, dict[str, Any]]:
    """Per paper id, the synced fields as the notes file had them at the last sync (read-only)."""
    return library.table(BASE)


def conflict_records(library: Library) -> Mapping[str, dict[str, Any]]:
    """Per paper id, its conflict record, including ones resolved in the app (read-only)."""
    return library.table(CONFLICTS)


def conflicts(library: Library) -> dict[str, tuple[str, ...]]:
    """Papers whose notes sync is in conflict: id -> the fields in conflict ("note", "status", "tags")."""
    return {
        pid: tuple(record.get("fields", ()))
        for pid, record in conflict_records(library).items()
        if not record.get("resolved")
    }


def commit(
    library: Library,
    *,
    annotations: Mapping[str, Annotation] | None = None,
    history: Docs | None = None,
    base: Docs | None = None,
    conflicts: Docs | None = None,
    notes_file: Path | None = None,
    pending: Mapping[str, Any] | bool | None = False,
) -> None:
    """Write annotations, note history, sync base, conflict records and the notes-file path at once.

    A ``None`` document deletes that paper's entry. ``pending`` records (a document) or clears (None)
    what a sync is about to write to the file; False leaves it as it is.
    """
    library.commit(annotations=annotations, history=history, tables=_tables(base, conflicts, notes_file, pending))


def commit_steps(
    library: Library,
    *,
    annotations: Mapping[str, Annotation] | None = None,
    history: Docs | None = None,
    base: Docs | None = None,
    conflicts: Docs | None = None,
    notes_file: Path | None = None,
    pending: Mapping[str, Any] | bool | None = False,
) -> Generator[None, None, bool]:
    """:func:`commit` in steps: pauses (yields) while the annotations store is written, so that a window
    handles its events meanwhile. Returns False, with nothing written or changed, when another write (an
    edit made meanwhile) reached the store first: decide again from what the library holds now.

    Raises:
        StoreError: the library cannot be written.
    """
    if library.read_only:
        raise ReadOnlyError(f"the library folder {library.folder} cannot be written; it is open read-only")
    tables = _tables(base, conflicts, notes_file, pending)
    try:
        return (yield from library.annotations.commit_steps(annotations=annotations, history_docs=history,
                                                            tables=tables))
    except OSError as exc:
        raise StoreError(f"could not save to {library.folder / ANNOTATIONS_FILE}: {exc.strerror or exc}") from exc


def _tables(
    base: Docs | None, conflicts: Docs | None, notes_file: Path | None, pending: Mapping[str, Any] | bool | None
) -> dict[str, Docs]:
    tables: dict[str, Docs] = {}
    if base:
        tables[BASE] = base
    if conflicts:
        tables[CONFLICTS] = conflicts
    settings: dict[str, Mapping[str, Any] | None] = {}
    if notes_file is not None:
        settings[NOTES_FILE] = {"path": str(notes_file)}
    if pending is not False:
        settings[PENDING] = pending if isinstance(pending, Mapping) else None
    if settings:
        tables[SETTINGS] = settings
    return tables
