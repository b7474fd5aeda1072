"""The library: a folder with the catalogue store and the annotations store, loaded once into memory."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from papershelf.core import citekeys
from papershelf.core.duplicates import DuplicateIndex, fill_missing, identities
from papershelf.core.memory import gc_paused
from papershelf.core.model import (
    Annotation,
    Paper,
    now_iso,
    paper_id_for,
    validate_priority,
    validate_rating,
    validate_status,
)
from papershelf.core.names import edit_names, every_spelling, spelled, spellings_in_use
from papershelf.core.storage import backup
from papershelf.core.storage.migrations import (
    ANNOTATIONS,
    ANNOTATIONS_FILE,
    ANNOTATIONS_SCHEMA,
    CATALOGUE_FILE,
    CATALOGUE_SCHEMA,
    LISTS,
    MIGRATIONS,
    PAPERS,
)
from papershelf.core.storage.store import (
    META_ID,
    META_TABLE,
    CorruptStoreError,
    NewerSchemaError,
    Store,
    StoreError,
    set_aside,
)


class UnknownKeyError(KeyError):
    """No paper has this citation key."""

    def __str__(self) -> str:
        return f"no paper with citation key {self.args[0]!r}"


class ReadOnlyError(StoreError):
    """The library folder cannot be written; the library is open read-only."""


@dataclass(slots=True)
class ImportSummary:
    """What an import did: keys imported, keys already present, keys renamed, problems met."""

    imported: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (key in file, key given)
    problems: list[str] = field(default_factory=list)
    failed: int = 0  # entries in the file that could not be imported
    # Duplicates of papers already there, whose missing fields they filled in: (key in file, existing key)
    merged: list[tuple[str, str]] = field(default_factory=list)

    def merge(self, other: ImportSummary) -> None:
        self.failed += other.failed
        self.imported += other.imported
        self.present += other.present
        self.renamed += other.renamed
        self.problems += other.problems
        self.merged += other.merged


@dataclass(frozen=True, slots=True)
class AnnotationChange:
    """One edit applied to every paper given: ``None`` / empty means 'leave as is'."""

    status: str | None = None
    priority: int | None = None
    rating: int | None = None
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    add_lists: tuple[str, ...] = ()
    remove_lists: tuple[str, ...] = ()
    note: str | None = None

    def validate(self) -> None:
        if self.status is not None:
            validate_status(self.status)
        if self.priority is not None:
            validate_priority(self.priority)
        if self.rating is not None:
            validate_rating(self.rating)

    def apply(self, ann: Annotation, stamp: str) -> bool:
        """Change ``ann`` in place; True if anything changed."""
        changed = False
        if self.status is not None and self.status != ann.status:
            ann.status = self.status
            ann.status_changed = stamp
            changed = True
        if self.priority is not None and self.priority != ann.priority:
            ann.priority = self.priority
            changed = True
        if self.rating is not None and self.rating != ann.rating:
            ann.rating = self.rating
            changed = True
        if self.add_tags or self.remove_tags:
            tags = edit_names(ann.tags, self.add_tags, self.remove_tags)
            if tags != ann.tags:
                ann.tags = tags
                changed = True
        if self.add_lists or self.remove_lists:
            lists = edit_names(ann.lists, self.add_lists, self.remove_lists)
            if lists != ann.lists:
                ann.lists = lists
                changed = True
        if self.note is not None and self.note != ann.note:
            ann.note = self.note
            changed = True
        if changed:
            ann.changed = stamp
        return changed


class Library:
    """Papers and annotations of one library folder, held in memory and written through to disk.

    Reads never touch the disk. An edit writes only the annotations file, so its cost does not grow
    with the catalogue. Every public method that changes something makes exactly one durable write.
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        *,
        seeder: Callable[[Library], object] | None = None,
        read_only: bool = False,
    ) -> None:
        """Open (and create) the library in ``folder``; an empty, writable one is filled by ``seeder``.

        ``papershelf.services.library.open_library`` passes the bundled catalogue's seeder; the core
        itself knows no file format.

        A store file that cannot be read (empty, truncated, not JSON, or from a newer Papershelf) is set
        aside as ``NAME.corrupt-<timestamp>``; the annotations are restored from the newest good backup.
        What happened is in ``notices``, in plain words.

        Raises:
            StoreError: the folder cannot be created or a store cannot be opened at all.
        """
        self.folder = Path(folder).expanduser()
        self.notices: list[str] = []
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the library folder {self.folder}: {exc.strerror}") from exc
        # read_only: the caller knows another process holds the library (see core/storage/lock.py); never write.
        self.read_only = read_only or not os.access(self.folder, os.W_OK)
        with gc_paused():
            # Loading makes millions of objects and none of them are garbage: without the pause the
            # cyclic collector runs again and again over them (3.6 s instead of 0.9 s at 100k papers).
            self._catalogue = self._open_store(CATALOGUE_FILE, "catalogue", CATALOGUE_SCHEMA)
            self._annotations_store = self._open_store(ANNOTATIONS_FILE, "annotations", ANNOTATIONS_SCHEMA)
            self.papers: dict[str, Paper] = {
                pid: Paper.from_doc(doc) for pid, doc in self._catalogue.documents(PAPERS)
            }
            self._catalogue.release(PAPERS, lambda: {pid: p.to_doc() for pid, p in self.papers.items()})
            self._by_key: dict[str, str] = {p.key: pid for pid, p in self.papers.items()}
            self._annotations: dict[str, Annotation] = {
                pid: Annotation.from_doc(doc) for pid, doc in self._annotations_store.documents(ANNOTATIONS)
            }
        self._lists: dict[str, dict[str, Any]] = dict(self._annotations_store.documents(LISTS))
        self.listeners: list[Callable[[Sequence[str]], None]] = []
        if seeder is not None and not self.papers and not self.is_seeded() and not self.read_only:
            seeder(self)
            self.mark_seeded()
        self.backup()

    def backup(self) -> None:
        """Back up each store file that changed since its newest backup (on start, and daily in the app)."""
        if self.read_only:
            return
        for name in (ANNOTATIONS_FILE, CATALOGUE_FILE):
            try:
                backup.take_backup(self.folder, name)
            except OSError as exc:
                self.notices.append(f"could not back up {name}: {exc.strerror or exc}")

    def _open_store(self, name: str, kind: str, version: int) -> Store:
        path = self.folder / name
        try:
            try:
                store = Store(path, kind, version, migrations=MIGRATIONS.get(kind), read_only=self.read_only)
            except NewerSchemaError as exc:
                if self.read_only:  # nothing may be set aside: this version cannot show it at all
                    raise StoreError(f"{exc}; open this library with that version") from exc
                aside = set_aside(path)
                store = Store(path, kind, version)
                store.problem = CorruptStoreError(path, aside, str(exc))
        except OSError as exc:
            raise StoreError(f"cannot open {name} in {self.folder}: {exc.strerror}") from exc
        if store.problem is None:
            return store
        notice = str(store.problem)
        if self.read_only:
            notice += ". Nothing was changed: the library is open read-only."
        elif kind == "annotations":
            found = backup.newest_good_backup(self.folder, name, lambda data: Store.schema_of(data) <= version)
            if found is None:
                notice += ". No backup was found: your annotations start empty."
            else:
                backup.restore_backup(found[0], path)
                store = Store(path, kind, version, migrations=MIGRATIONS.get(kind))
                when = found[1].astimezone().strftime("%Y-%m-%d %H:%M")
                notice += (f". Your annotations were restored from the backup of {when}; "
                           "changes made after that time are not in it.")
        else:
            notice += (". The bundled catalogue was loaded again; papers you imported yourself need to be "
                       "imported again (your annotations are kept).")
        self.notices.append(notice)
        return store

    @staticmethod
    def _meta(store: Store) -> dict[str, Any]:
        return dict((store.storage.read() or {}).get(META_TABLE, {}).get(META_ID, {}))

    # -- reading -----------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.papers)

    def keys(self) -> list[str]:
        return [p.key for p in self.papers.values()]

    def paper(self, key: str) -> Paper:
        try:
            return self.papers[self._by_key[key]]
        except KeyError:
            raise UnknownKeyError(key) from None

    def has_key(self, key: str) -> bool:
        return key in self._by_key

    def annotation(self, paper_id: str) -> Annotation:
        """The paper's annotation (a default one, not stored, if the user never annotated it)."""
        ann = self._annotations.get(paper_id)
        if ann is None:
            paper = self.papers[paper_id]
            return Annotation(added=paper.added)
        return ann

    def stored_annotation(self, paper_id: str) -> Annotation | None:
        """The paper's annotation if the user ever made one (no default object is built: for hot loops)."""
        return self._annotations.get(paper_id)

    def annotated_ids(self) -> list[str]:
        return list(self._annotations)

    def tag_counts(self) -> Counter[str]:
        return Counter(tag for ann in self._annotations.values() for tag in ann.tags)

    def list_names(self) -> list[str]:
        names = set(self._lists)
        for ann in self._annotations.values():
            names.update(ann.lists)
        return sorted(names, key=str.casefold)

    # -- writing -----------------------------------------------------------------------------------

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError(f"the library folder {self.folder} cannot be written; it is open read-only")

    def _commit(self, store: Store, changes: Mapping[str, Mapping[str, Mapping[str, Any] | None]]) -> None:
        self._check_writable()
        try:
            store.commit(changes)
        except OSError as exc:
            raise StoreError(f"could not save to {store.path}: {exc.strerror or exc}") from exc

    def _notify(self, ids: Sequence[str]) -> None:
        for listener in self.listeners:
            listener(ids)

    def ids_for_keys(self, keys: Iterable[str]) -> list[str]:
        """Paper ids for citation keys, in order, without repeats.

        Raises:
            UnknownKeyError: for the first key no paper has.
        """
        ids: list[str] = []
        for key in keys:
            pid = self._by_key.get(key)
            if pid is None:
                raise UnknownKeyError(key)
            if pid not in ids:
                ids.append(pid)
        return ids

    def annotate(
        self, paper_ids: Sequence[str], change: AnnotationChange, *, keep_note_history: bool = True
    ) -> list[str]:
        """Apply one change to every paper in one durable write; returns the ids that changed.

        Raises:
            ValueError: the change has an invalid status, priority or rating.
            StoreError: the write failed; nothing changed in memory either.
        """
        change.validate()
        change = self._spelled_as_before(change)
        stamp = now_iso()
        updated: dict[str, Annotation] = {}
        with gc_paused():  # a bulk edit makes thousands of objects; none is garbage
            self._annotate(paper_ids, change, stamp, updated)
            if updated:
                self._put(updated, keep_note_history=keep_note_history)
        return list(updated)

    def _spelled_as_before(self, change: AnnotationChange) -> AnnotationChange:
        """The change with each tag and list name spelled as the library already spells it, if it does.

        Tags and lists are told apart without regard to case: adding "ml" where "ML" exists adds "ML",
        and removing "ml" removes "ML", so no library grows two spellings of one name. (A library that
        has two from before keeps them; adding either exact spelling adds that one, and removing one
        removes every spelling of it.)
        """
        if not (change.add_tags or change.remove_tags or change.add_lists or change.remove_lists):
            return change
        tags = spellings_in_use(self.tag_counts())
        lists = spellings_in_use(self.list_names())
        return replace(
            change,
            add_tags=spelled(change.add_tags, tags),
            remove_tags=every_spelling(change.remove_tags, tags),
            add_lists=spelled(change.add_lists, lists),
            remove_lists=every_spelling(change.remove_lists, lists),
        )

    def _annotate(
        self, paper_ids: Sequence[str], change: AnnotationChange, stamp: str, updated: dict[str, Annotation]
    ) -> None:
        for pid in paper_ids:
            ann = self.annotation(pid).copy()
            if change.apply(ann, stamp):
                if not ann.added:
                    ann.added = self.papers[pid].added or stamp
                updated[pid] = ann

    def restore(self, annotations: Mapping[str, Annotation], *, keep_note_history: bool = True) -> None:
        """Put these exact annotations in place (edits, undo/redo) in one durable write.

        Every note this replaces is kept in the note history in the same write, unless
        ``keep_note_history`` is False (the window's autosaves while one typing session goes on).
        """
        self._put({pid: ann.copy() for pid, ann in annotations.items()}, keep_note_history=keep_note_history)

    def _put(self, annotations: Mapping[str, Annotation], *, keep_note_history: bool) -> None:
        """``restore`` for annotations the library may keep as they are (no copy)."""
        lists = {name for ann in annotations.values() for name in ann.lists if name not in self._lists}
        stamp = now_iso()
        list_docs = {name: {"created": stamp} for name in lists}
        docs = {pid: ann.to_doc() for pid, ann in annotations.items()}
        changes: dict[str, Mapping[str, Mapping[str, Any] | None]] = {ANNOTATIONS: docs}
        if list_docs:
            changes[LISTS] = list_docs
        if keep_note_history:
            kept = self._replaced_notes(annotations, stamp)
            if kept:
                changes[self.NOTE_HISTORY] = kept
        self._commit(self._annotations_store, changes)
        for pid, ann in annotations.items():
            self._annotations[pid] = ann
        self._lists.update(list_docs)
        self._notify(list(annotations))

    def create_list(self, name: str) -> None:
        name = name.strip()
        if not name:
            raise ValueError("a reading list needs a name")
        if name in self._lists:
            return
        doc = {"created": now_iso()}
        self._commit(self._annotations_store, {LISTS: {name: doc}})
        self._lists[name] = doc

    def rename_list(self, old: str, new: str) -> list[str]:
        """Rename a reading list on every paper in it, in one write; returns the ids changed."""
        new = new.strip()
        if not new:
            raise ValueError("a reading list needs a name")
        return self._rewrite_list(old, new)

    def delete_list(self, name: str) -> list[str]:
        """Remove a reading list (the papers stay in the library); returns the ids changed."""
        return self._rewrite_list(name, None)

    def _rewrite_list(self, old: str, new: str | None) -> list[str]:
        stamp = now_iso()
        updated: dict[str, Annotation] = {}
        for pid, ann in self._annotations.items():
            if old in ann.lists:
                copy = ann.copy()
                copy.lists = [n for n in copy.lists if n != old]
                if new is not None and new not in copy.lists:
                    copy.lists.append(new)
                copy.changed = stamp
                updated[pid] = copy
        list_changes: dict[str, Mapping[str, Any] | None] = {old: None}
        if new is not None:
            list_changes[new] = self._lists.get(old, {"created": stamp})
        self._commit(
            self._annotations_store,
            {ANNOTATIONS: {pid: a.to_doc() for pid, a in updated.items()}, LISTS: list_changes},
        )
        self._lists.pop(old, None)
        if new is not None:
            self._lists[new] = dict(list_changes[new] or {})
        for pid, ann in updated.items():
            self._annotations[pid] = ann
        self._notify(list(updated))
        return list(updated)

    # -- importing ---------------------------------------------------------------------------------

    def import_papers(self, papers: Iterable[Paper]) -> ImportSummary:
        """Add papers not yet in the library, assigning ids and pinned citation keys; one write.

        A paper's proposed ``key`` (from a BibTeX entry) is kept if free; otherwise, and for papers
        without one, a key is made by the rule in ``citekeys``.

        A paper the library already has (the same id, DOI or arXiv id, or the same normalised title,
        first author's last name and year), also one met earlier in the same import, is not added
        again: it fills in what the existing paper lacks (``merged``; its key never changes) or, if
        it brings nothing new, is counted as ``present``.
        """
        # As in loading: many new objects and no garbage; collector passes over them cost a third at 10k.
        with gc_paused():
            summary, new, changed = self._add_papers(papers)
            written = {**changed, **new}
            if written:
                self._commit(self._catalogue, {PAPERS: {pid: p.to_doc() for pid, p in written.items()}})
                self.papers.update(written)
                self._by_key.update({p.key: pid for pid, p in new.items()})
        if written:
            self._notify(list(written))
        return summary

    def _add_papers(self, papers: Iterable[Paper]) -> tuple[ImportSummary, dict[str, Paper], dict[str, Paper]]:
        """``import_papers`` up to the write: the summary, the new papers and the changed ones, by id."""
        summary = ImportSummary()
        stamp = now_iso()
        new: dict[str, Paper] = {}
        changed: dict[str, Paper] = {}
        taken = _Taken(self._by_key)
        index = DuplicateIndex(self.papers)
        for paper in papers:
            first = paper.authors[0] if paper.authors else ""
            pid = paper.id or paper_id_for(paper.title, first, paper.year, paper.doi)
            found = identities(paper)
            known = pid if pid in self.papers or pid in new else index.find(found)
            if known is not None:
                existing = new.get(known) or changed.get(known) or self.papers[known]
                filled = fill_missing(existing, paper)
                if filled is None:
                    summary.present.append(existing.key)
                    continue
                (new if known in new else changed)[known] = filled
                index.add(known, identities(filled))
                summary.merged.append((paper.key or "", existing.key))
                continue
            wanted = paper.key or citekeys.base_key(paper.authors, paper.year, paper.title)
            key = citekeys.unique_key(wanted, taken)
            if paper.key and key != paper.key:
                summary.renamed.append((paper.key, key))
            added = Paper.from_doc({**paper.to_doc(), "id": pid, "key": key, "added": paper.added or stamp})
            new[pid] = added
            index.add(pid, found)
            taken.add(key)
            summary.imported.append(key)
        return summary, new, changed

    def is_seeded(self) -> bool:
        """True once a seeder filled this library (it is never filled again, even if emptied)."""
        return bool(self._meta(self._catalogue).get("seeded"))

    def mark_seeded(self) -> None:
        """Record that the library was seeded (one durable write of the catalogue's meta record)."""
        meta = {**self._meta(self._catalogue), "seeded": True}
        self._commit(self._catalogue, {META_TABLE: {META_ID: meta}})

    # -- notes sync and history --------------------------------------------------------------------
    # Tables of the annotations store, so that one sync writes annotations, base, conflicts and history in
    # one durable write. See papershelf.sync.syncer and papershelf.core.history.

    NOTE_HISTORY = "note_history"  # paper id -> {"versions": [...]}: replaced notes (core.history)
    SYNC_BASE = "sync_base"  # paper id -> {"note", "status", "tags"}: what the notes file had at the last sync
    SYNC_CONFLICTS = "sync_conflicts"  # paper id -> conflict record (sync.syncer)
    SYNC_SETTINGS = "sync_settings"  # "notes_file" -> {"path": ...}; PENDING_SYNC -> see sync.syncer
    PENDING_SYNC = "pending"

    def _annotations_table(self, name: str) -> Mapping[str, dict[str, Any]]:
        """A table of the annotations store as held in memory; callers must not change it."""
        tables = self._annotations_store.storage.read() or {}
        return tables.get(name, {})

    def notes_file_path(self) -> Path | None:
        """The notes file of the last sync, if any."""
        doc = self._annotations_table(self.SYNC_SETTINGS).get("notes_file") or {}
        return Path(doc["path"]) if doc.get("path") else None

    def forget_notes_file(self) -> None:
        """Stop syncing with a notes file: the path (and any sync cut short) is forgotten, in one write.

        The sync base stays, but it belongs to that path: a later sync with any file merges two-way.
        """
        if self.notes_file_path() is None and self.pending_sync() is None:
            return
        self._commit(self._annotations_store, {self.SYNC_SETTINGS: {"notes_file": None, self.PENDING_SYNC: None}})

    def pending_sync(self) -> Mapping[str, Any] | None:
        """What an unfinished sync was about to write to the notes file (None when none was cut short)."""
        return self._annotations_table(self.SYNC_SETTINGS).get(self.PENDING_SYNC)

    def sync_base(self) -> Mapping[str, dict[str, Any]]:
        """Per paper id, the synced fields as the notes file had them at the last sync (read-only)."""
        return self._annotations_table(self.SYNC_BASE)

    def sync_conflict_records(self) -> Mapping[str, dict[str, Any]]:
        """Per paper id, its conflict record, including ones resolved in the app (read-only)."""
        return self._annotations_table(self.SYNC_CONFLICTS)

    def conflicts(self) -> dict[str, tuple[str, ...]]:
        """Papers whose notes sync is in conflict: id -> the fields in conflict ("note", "status", "tags")."""
        return {
            pid: tuple(record.get("fields", ()))
            for pid, record in self.sync_conflict_records().items()
            if not record.get("resolved")
        }

    def note_history_doc(self, paper_id: str) -> Mapping[str, Any] | None:
        return self._annotations_table(self.NOTE_HISTORY).get(paper_id)

    def note_history(self, paper_id: str) -> list[Any]:
        """Earlier versions of the paper's note, newest first (``core.history.NoteVersion``)."""
        from papershelf.core import history

        return list(history.versions(self.note_history_doc(paper_id)))

    def commit_notes_sync(
        self,
        *,
        annotations: Mapping[str, Annotation] | None = None,
        history: Mapping[str, Mapping[str, Any] | None] | None = None,
        base: Mapping[str, Mapping[str, Any] | None] | None = None,
        conflicts: Mapping[str, Mapping[str, Any] | None] | None = None,
        notes_file: Path | None = None,
        pending: Mapping[str, Any] | bool | None = False,
    ) -> None:
        """Write annotations, note history, sync base, conflict records and the notes-file path at once.

        A ``None`` document deletes that paper's entry. Listeners hear about the annotations changed.
        ``pending`` records (a document) or clears (None) what a sync is about to write to the file;
        False leaves it as it is.
        """
        changes: dict[str, Mapping[str, Mapping[str, Any] | None]] = {}
        if annotations:
            changes[ANNOTATIONS] = {pid: ann.to_doc() for pid, ann in annotations.items()}
        for table, docs in ((self.NOTE_HISTORY, history), (self.SYNC_BASE, base), (self.SYNC_CONFLICTS, conflicts)):
            if docs:
                changes[table] = docs
        settings: dict[str, Mapping[str, Any] | None] = {}
        if notes_file is not None:
            settings["notes_file"] = {"path": str(notes_file)}
        if pending is not False:
            settings[self.PENDING_SYNC] = pending if isinstance(pending, Mapping) else None
        if settings:
            changes[self.SYNC_SETTINGS] = settings
        if not changes:
            return
        self._commit(self._annotations_store, changes)
        if not annotations:
            return
        for pid, ann in annotations.items():
            self._annotations[pid] = ann.copy()
        self._notify(list(annotations))

    def restore_note_version(self, paper_id: str, number: int) -> Annotation:
        """Put back version ``number`` (1 = newest) of the note; the note it replaces joins the history.

        Raises:
            ValueError: there is no such version.
        """
        from papershelf.core import history

        versions = history.versions(self.note_history_doc(paper_id))
        if not 1 <= number <= len(versions):
            raise ValueError(
                f"there is no version {number} of this note (there are {len(versions)})"
                if versions
                else "this note has no earlier versions"
            )
        stamp = now_iso()
        ann = self.annotation(paper_id).copy()
        old = ann.copy()
        version = versions[number - 1]
        ann.note = version.note
        if version.status is not None and version.status != ann.status:  # kept by a sync with the note
            ann.status, ann.status_changed = version.status, stamp
        if version.tags is not None:
            ann.tags = list(version.tags)
        ann.changed = stamp
        ann.added = ann.added or self.papers[paper_id].added or stamp
        doc = history.push(self.note_history_doc(paper_id), old.note, history.RESTORE, stamp,
                           status=old.status if version.status is not None else None,
                           tags=old.tags if version.tags is not None else None)
        self.commit_notes_sync(annotations={paper_id: ann}, history={paper_id: doc} if doc else None)
        return ann

    def _replaced_notes(self, annotations: Mapping[str, Annotation], stamp: str) -> dict[str, Mapping[str, Any]]:
        """History documents keeping each note that ``annotations`` replace (source: an edit)."""
        from papershelf.core import history

        docs: dict[str, Mapping[str, Any]] = {}
        for pid, ann in annotations.items():
            old = self._annotations.get(pid)
            if old is None or old.note.rstrip() == ann.note.rstrip():
                continue
            doc = history.push(self.note_history_doc(pid), old.note, history.EDIT, stamp)
            if doc is not None:
                docs[pid] = doc
        return docs


class _Taken:
    """Keys in use: the library's plus those given so far in this import."""

    def __init__(self, by_key: Mapping[str, str]) -> None:
        self._by_key = by_key
        self._new_keys: set[str] = set()

    def __contains__(self, key: object) -> bool:
        return key in self._by_key or key in self._new_keys

    def add(self, key: str) -> None:
        self._new_keys.add(key)
