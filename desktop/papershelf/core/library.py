"""The library: a folder with the catalogue store and the annotations store, loaded once into memory.

``Library`` is a thin facade: it opens the two stores (recovery, read-only, backups) and hands the work to
``core.catalogue`` (papers, import, keys, duplicates) and ``core.annotations`` (annotations, reading
lists, note history, the generic ``commit`` other layers write their tables of the annotations store
with). Every change is announced on ``events`` once it is durable (``core.events``).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from papershelf.core import duplicates
from papershelf.core.annotations import REMOVED, AnnotationChange, Annotations, Docs
from papershelf.core.catalogue import Catalogue, ImportSummary, UnknownKeyError, papers_in_pieces
from papershelf.core.events import Events, PapersRemoved
from papershelf.core.history import NoteVersion
from papershelf.core.memory import gc_paused, return_large_blocks
from papershelf.core.model import Annotation, Paper, RecordProblem, now_iso
from papershelf.core.names import spelled_as_in_use
from papershelf.core.storage import backup
from papershelf.core.storage.migrations import (
    ANNOTATIONS,
    ANNOTATIONS_FILE,
    ANNOTATIONS_SCHEMA,
    CATALOGUE_FILE,
    CATALOGUE_SCHEMA,
    MIGRATIONS,
    PAPERS,
)
from papershelf.core.storage.store import (
    BACKUP_DIR,
    CorruptStoreError,
    NewerSchemaError,
    Store,
    StoreError,
    atomic_write_bytes,
    remove_stale_temp_files_in,
    set_aside,
    unused_stamped_path,
)

__all__ = ["AnnotationChange", "ImportSummary", "Library", "ReadOnlyError", "UnknownKeyError"]


_PROBLEMS_SHOWN = 5  # records named in a notice; the rejected file has them all
PAPER_TABLES: set[str] = set()
"""Tables of the annotations store keyed by paper id that other layers keep (the attached files'): emptying
the Trash keeps a removed paper's entries in its ``REMOVED`` record and drops them, in the same write."""


def _counted(ids: list[str], said: str, name: Callable[[str], str]) -> str:
    """'2 papers imported after that backup are missing: a, b' (``said`` in the singular, ``{is}``)."""
    shown = ", ".join(name(pid) for pid in ids[:_PROBLEMS_SHOWN])
    more = f" and {len(ids) - _PROBLEMS_SHOWN} more" if len(ids) > _PROBLEMS_SHOWN else ""
    if len(ids) == 1:
        return f"1 {said.replace('{is}', 'is')}: {shown}"
    noun, _, rest = said.partition(" ")
    return f"{len(ids)} {noun}s {rest.replace('{is}', 'are')}: {shown}{more}"


def write_rejected(path: Path, records: list[dict[str, Any]]) -> Path:
    """Write ``records`` (each with its reason) to a new ``NAME.rejected-<time>.json`` beside ``path``,
    atomically; never overwrites an earlier one."""
    target = unused_stamped_path(lambda stamp: path.with_name(f"{path.stem}.rejected-{stamp}.json"))
    payload = {"store": path.name, "records": records}
    atomic_write_bytes(target, orjson.dumps(payload, option=orjson.OPT_INDENT_2))
    return target


class ReadOnlyError(StoreError):
    """The library folder cannot be written; the library is open read-only."""


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
        A record with wrong contents (valid JSON, wrong types: ``Paper.from_doc``, ``Annotation.from_doc``)
        is repaired where its meaning is plain and set aside otherwise; the rest loads. Unless read-only,
        each such record is kept as it was in ``NAME.rejected-<timestamp>.json`` and the store is written
        repaired. What happened is in ``notices``, in plain words.

        Raises:
            StoreError: the folder cannot be created or a store cannot be opened at all.
        """
        return_large_blocks()  # before the catalogue's pieces are read: see core/memory
        self.folder = Path(folder).expanduser()
        self.notices: list[str] = []
        self.events = Events()
        # The ids of papers whose attached files' text has a value (``fulltext:`` in queries); set by
        # services.fulltext, which reads the files. None: no paper matches a full-text term.
        self.fulltext: Callable[[str], Collection[str]] | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the library folder {self.folder}: {exc.strerror}") from exc
        # read_only: the caller knows another process holds the library (see core/storage/lock.py); never write.
        self.read_only = read_only or not os.access(self.folder, os.W_OK)
        if not self.read_only:  # what killed writes of caches and backups left (the stores: ``Store``)
            for folder in (self.folder, self.folder / BACKUP_DIR):
                remove_stale_temp_files_in(folder)
        with gc_paused():
            # Loading makes millions of objects and none of them are garbage: without the pause the
            # cyclic collector runs again and again over them (3.6 s instead of 0.9 s at 100k papers).
            self._catalogue = self._open_store(CATALOGUE_FILE, "catalogue", CATALOGUE_SCHEMA)
            self._annotations_store = self._open_store(ANNOTATIONS_FILE, "annotations", ANNOTATIONS_SCHEMA)
            self.catalogue = Catalogue(self._catalogue, self._writer(self._catalogue), self.events)
            self.annotations = Annotations(
                self._annotations_store, self._writer(self._annotations_store), self.events, self.catalogue.papers
            )
        self.papers: dict[str, Paper] = self.catalogue.papers  # by id; read-only for callers
        self._report_load_problems()
        if not self.read_only and self._catalogue.problem is None:  # a lost catalogue is no emptying
            self._finish_emptying()
        if seeder is not None and not self.papers and not self.is_seeded() and not self.read_only:
            seeder(self)
            self.mark_seeded()
        self.notices += self.backup()

    def backup(self, names: Sequence[str] = (ANNOTATIONS_FILE, CATALOGUE_FILE)) -> list[str]:
        """Back up each store file that changed since its newest backup (on start, daily in the app, and
        the catalogue after each import: ``services.importing``); returns what could not be backed up."""
        if self.read_only:
            return []
        failed = []
        for name in names:
            try:
                backup.take_backup(self.folder, name)
            except OSError as exc:
                failed.append(f"could not back up {name}: {exc.strerror or exc}")
        return failed

    def _report_load_problems(self) -> None:
        """Say which records were repaired or set aside on load. Writable: every such record is kept as it
        was in ``NAME.rejected-<time>.json`` beside the store (with the reason), then the store is written
        repaired, so the next open is clean and nothing was lost."""
        for store, source in ((self._catalogue, self.catalogue), (self._annotations_store, self.annotations)):
            problems = source.load_problems
            if not problems:
                continue
            aside = sum(p.set_aside for p in problems)
            what = [f"{len(problems) - aside} record(s) repaired" if len(problems) > aside else "",
                    f"{aside} set aside (not loaded)" if aside else ""]
            shown = "; ".join(f"{self._record_name(p)}: {'set aside, ' if p.set_aside else ''}{p.reason}"
                              for p in problems[:_PROBLEMS_SHOWN])
            more = f"; and {len(problems) - _PROBLEMS_SHOWN} more" if len(problems) > _PROBLEMS_SHOWN else ""
            notice = f"{store.path.name} had wrong contents: {' and '.join(w for w in what if w)} ({shown}{more})"
            annotated = sum(1 for p in problems if p.set_aside and source is self.catalogue
                            and self.stored_annotation(p.record_id) is not None)
            if annotated:  # an annotation is never dropped: it is there again once its paper is
                notice += (f"; {annotated} of them {'has an annotation' if annotated == 1 else 'have annotations'}, "
                           "kept for when the paper is back (import it again or restore a backup)")
            if self.read_only:
                notice += ". Nothing was changed: the library is open read-only."
            else:
                try:
                    kept = write_rejected(store.path, [p.to_doc() for p in problems])
                    source.rewrite_repaired()
                except (OSError, StoreError) as exc:
                    notice += f". Could not save the repairs ({exc}); the file is unchanged."
                else:
                    notice += f". The records as they were are kept in {kept.name}."
            self.notices.append(notice)

    def _record_name(self, problem: RecordProblem) -> str:
        """A record as the user knows it: the paper's citation key where there is a paper."""
        paper = self.papers.get(problem.record_id)
        name = f"{paper.key} (id {problem.record_id})" if paper is not None else problem.record_id
        return f"{problem.table} {name}" if problem.table else name

    def _open_store(self, name: str, kind: str, version: int) -> Store:
        path = self.folder / name
        try:
            try:
                store = Store(path, kind, version, migrations=MIGRATIONS.get(kind), read_only=self.read_only,
                              convert=papers_in_pieces(version) if kind == "catalogue" else None)
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
        else:
            store, said = self._restore_from_backup(store, kind, version)
            notice += said
        self.notices.append(notice)
        return store

    def _restore_from_backup(self, damaged: Store, kind: str, version: int) -> tuple[Store, str]:
        """Put the newest usable backup in place of a store that was set aside; the store opened and
        what to tell the user: which backup, the newer ones passed over, what it lacks."""
        path = damaged.path
        table = PAPERS if kind == "catalogue" else ANNOTATIONS

        def unusable(data: dict[str, Any]) -> str | None:
            if Store.schema_of(data) > version:
                return "is from a newer Papershelf"
            return "holds no papers" if kind == "catalogue" and not data.get(PAPERS) else None

        found = backup.newest_usable_backup(self.folder, path.name, unusable)
        if found is None:
            said = (". No backup was found: your annotations start empty." if kind == "annotations" else
                    ". No backup of it was found: the bundled catalogue was loaded again; papers you imported "
                    "yourself need to be imported again (your annotations are kept).")
            unused = backup.backups_of(self.folder, path.name)
            return damaged, said + (f" ({len(unused)} backup(s) could not be used.)" if unused else "")
        lacking = self._lacking(damaged, table, found.data.get(table, {}))
        found.data = {}  # a large catalogue's parsed backup is not held while the store parses it again
        backup.restore_backup(found.path, path)
        store = Store(path, kind, version, migrations=MIGRATIONS.get(kind))
        when = found.taken.astimezone().strftime("%Y-%m-%d %H:%M")
        what = "Your annotations were" if kind == "annotations" else "The catalogue was"
        said = f". {what} restored from {BACKUP_DIR}/{found.path.name} (taken {when})"
        if found.passed_over:
            said += "; newer backups could not be used: " + ", ".join(
                f"{p.name} {why}" for p, why in found.passed_over[:_PROBLEMS_SHOWN])
        return store, f"{said}; {lacking}."

    def _lacking(self, damaged: Store, table: str, restored: Mapping[str, Any]) -> str:
        """What a restored backup lacks compared with the damaged file (set aside), as far as it reads."""
        aside = damaged.problem.aside if damaged.problem else None
        try:
            readable = backup.readable_documents(aside.read_bytes(), table) if aside else None
        except OSError:
            readable = None
        if readable is None:
            return "the damaged file could not be read at all, so nothing could be compared with it"
        docs, whole = readable
        lost = [pid for pid in docs if pid not in restored]
        older = [pid for pid in docs if pid in restored and docs[pid] != restored[pid]]
        if table == PAPERS:
            def name(pid: str) -> str:
                doc = docs[pid]
                return doc["key"] if isinstance(doc, dict) and isinstance(doc.get("key"), str) else pid
            lost_said = "paper imported after that backup {is} missing (annotations kept)"
            older_said = "paper changed by a later import {is} as it was then"
        else:
            papers = (self._catalogue.storage.read() or {}).get(PAPERS, {})

            def name(pid: str) -> str:
                doc = papers.get(pid)
                if isinstance(doc, Paper):  # read in pieces (a large catalogue): a paper already
                    return doc.key
                return doc["key"] if isinstance(doc, dict) and isinstance(doc.get("key"), str) else pid
            lost_said = older_said = "annotation made or changed after that backup {is} not in it"
            lost, older = lost + older, []
        parts = [_counted(ids, said, name) for ids, said in ((lost, lost_said), (older, older_said)) if ids]
        compared = "; ".join(parts) if parts else "nothing the damaged file holds is missing"
        if whole:
            return compared
        noun = "papers" if table == PAPERS else "annotations"
        return f"as far as the damaged file could be read ({len(docs)} {noun}), {compared}"

    def write_counts(self) -> dict[str, int]:
        """Durable writes made so far to each store file ("catalogue", "annotations"), e.g. to check that
        one change is one write."""
        return {"catalogue": self._catalogue.storage.writes, "annotations": self._annotations_store.storage.writes}

    def _writer(self, store: Store) -> Callable[[Mapping[str, Docs]], None]:
        """One durable write to ``store``, refused when read-only, failures as ``StoreError``."""

        def commit(changes: Mapping[str, Docs]) -> None:
            if self.read_only:
                raise ReadOnlyError(f"the library folder {self.folder} cannot be written; it is open read-only")
            try:
                store.commit(changes)
            except OSError as exc:
                raise StoreError(f"could not save to {store.path}: {exc.strerror or exc}") from exc

        return commit

    # -- the catalogue -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.catalogue)

    def keys(self) -> list[str]:
        return self.catalogue.keys()

    def paper(self, key: str) -> Paper:
        return self.catalogue.paper(key)

    def has_key(self, key: str) -> bool:
        return self.catalogue.has_key(key)

    def ids_for_keys(self, keys: Iterable[str]) -> list[str]:
        """Paper ids for citation keys, in order, without repeats.

        Raises:
            UnknownKeyError: for the first key no paper has.
        """
        return self.catalogue.ids_for_keys(keys)

    def import_papers(self, papers: Iterable[Paper]) -> ImportSummary:
        """Add papers not yet in the library, assigning ids and pinned citation keys; one write.

        A paper's proposed ``key`` (from a BibTeX entry) is kept if free; otherwise, and for papers
        without one, a key is made by the rule in ``citekeys``.

        A paper the library already has (the same id, DOI or arXiv id, or the same normalised title,
        first author's last name and year), also one met earlier in the same import, is not added
        again: it fills in what the existing paper lacks (``merged``; its key never changes) or, if
        it brings nothing new, is counted as ``present``. Events: ``PapersChanged`` for the merged
        papers (with the fields filled in), ``PapersAdded`` for the new ones.
        """
        return self.catalogue.import_papers(papers)

    def merge_papers(self, keep_key: str, other_key: str) -> Paper:
        """Make two papers one (the user chose to): ``other_key`` becomes an alias of the kept paper.

        The kept paper gains what the other adds (``duplicates.merge``; nothing is lost, its key stays) and
        the annotations are combined (``duplicates.merge_annotations``). Two writes: the annotations first,
        so a crash between them leaves both papers and nothing lost. Events: ``AnnotationsChanged`` (if
        annotations were combined), ``PapersChanged`` for the kept paper, ``PapersRemoved`` for the other.
        (``services.duplicates.merge`` also refuses papers in a notes-file conflict.)

        Raises:
            UnknownKeyError: a key no paper has.
            ValueError: both keys name one paper.
        """
        keep_id, other_id = self.ids_for_keys([keep_key]) + self.ids_for_keys([other_key])
        if keep_id == other_id:
            raise ValueError(f"{keep_key} and {other_key} are already one paper")
        kept, other = self.papers[keep_id], self.papers[other_id]
        merged = duplicates.merge(kept, other, chosen=True) or kept
        ann = duplicates.merge_annotations(self.stored_annotation(keep_id), self.stored_annotation(other_id), now_iso())
        if ann is not None:
            self.annotations.combine(keep_id, ann, other_id)
        self.catalogue.merge(keep_id, merged, other_id)
        return merged

    NOT_DUPLICATES = "not_duplicates"  # "id|id" (sorted) -> {"when": time}: pairs the user said are two papers

    def keep_apart(self, key: str, other_key: str) -> None:
        """Record that two papers are two, not one: they are no longer offered as possible duplicates."""
        first, second = sorted(self.ids_for_keys([key]) + self.ids_for_keys([other_key]))
        if first == second:
            raise ValueError(f"{key} and {other_key} are one paper")
        self.commit(tables={self.NOT_DUPLICATES: {f"{first}|{second}": {"when": now_iso()}}})

    def kept_apart(self, paper_id: str, other_id: str) -> bool:
        first, second = sorted((paper_id, other_id))
        return f"{first}|{second}" in self.table(self.NOT_DUPLICATES)

    def is_seeded(self) -> bool:
        """True once a seeder filled this library (it is never filled again, even if emptied)."""
        return self.catalogue.is_seeded()

    def mark_seeded(self) -> None:
        """Record that the library was seeded (one durable write of the catalogue's meta record)."""
        self.catalogue.mark_seeded()

    # -- annotations and reading lists ----------------------------------------------------------------

    def annotation(self, paper_id: str) -> Annotation:
        """The paper's annotation (a default one, not stored, if the user never annotated it)."""
        return self.annotations.annotation(paper_id)

    def stored_annotation(self, paper_id: str) -> Annotation | None:
        """The paper's annotation if the user ever made one (no default object is built: for hot loops)."""
        return self.annotations.stored_annotation(paper_id)

    def annotated_ids(self) -> list[str]:
        return self.annotations.annotated_ids()

    def tag_counts(self) -> Counter[str]:
        return self.annotations.tag_counts()

    def list_names(self) -> list[str]:
        return self.annotations.list_names()

    def annotate(
        self, paper_ids: Sequence[str], change: AnnotationChange, *, keep_note_history: bool = True
    ) -> list[str]:
        """Apply one change to every paper in one durable write; returns the ids that changed.

        Raises:
            ValueError: the change has an invalid status, priority or rating.
            StoreError: the write failed; nothing changed in memory either.
        """
        return self.annotations.annotate(paper_ids, change, keep_note_history=keep_note_history)

    def restore(self, annotations: Mapping[str, Annotation], *, keep_note_history: bool = True) -> None:
        """Put these exact annotations in place (edits, undo/redo) in one durable write.

        Every note this replaces is kept in the note history in the same write, unless
        ``keep_note_history`` is False (the window's autosaves while one typing session goes on).
        """
        self.annotations.put(
            {pid: ann.copy() for pid, ann in annotations.items()}, keep_note_history=keep_note_history
        )

    def create_list(self, name: str) -> None:
        self.annotations.create_list(name)

    def rename_list(self, old: str, new: str) -> list[str]:
        """Rename a reading list on every paper in it, in one write; returns the ids changed."""
        new = spelled_as_in_use(new, [n for n in self.list_names() if n != old])  # a change of case is the user's
        if not new:
            raise ValueError("a reading list needs a name")
        return self.annotations.rewrite_list(old, new)

    def delete_list(self, name: str) -> list[str]:
        """Remove a reading list (the papers stay in the library); returns the ids changed."""
        return self.annotations.rewrite_list(name, None)

    # -- the Trash ------------------------------------------------------------------------------------

    def is_trashed(self, paper_id: str) -> bool:
        return paper_id in self.annotations.trashed

    def trashed_ids(self) -> list[str]:
        """The papers in the Trash (in the order their annotations were first made)."""
        trashed = self.annotations.trashed
        if not trashed:
            return []
        papers = self.papers
        return [pid for pid in self.annotations.annotated_ids() if pid in trashed and pid in papers]

    def live_ids(self) -> list[str]:
        """Every paper not in the Trash, in catalogue order: what exports, the notes file, statistics,
        duplicates and "more like this" see."""
        trashed = self.annotations.trashed
        return [pid for pid in self.papers if pid not in trashed] if trashed else list(self.papers)

    def trash(self, paper_ids: Sequence[str]) -> list[str]:
        """Move papers to the Trash (one write of the annotations; a paper already there keeps its time).

        They are hidden from every view but the Trash facet, and left out of exports, the notes file,
        statistics, duplicates and recommendations; nothing else of their annotation changes, so
        ``restore_from_trash`` (or undo) gives them back as they were. Returns the ids moved.
        Event: ``AnnotationsChanged`` with "trashed" in its fields.
        """
        return self.annotate(paper_ids, AnnotationChange(trashed=now_iso()))

    def restore_from_trash(self, paper_ids: Sequence[str]) -> list[str]:
        """Take papers out of the Trash (one write); returns the ids that were in it."""
        return self.annotate(paper_ids, AnnotationChange(trashed=""))

    def trash_losses(self, paper_ids: Sequence[str]) -> dict[str, int]:
        """What emptying these papers from the Trash removes: "papers", and of them how many have a
        "note", "tags" or "lists" (kept, see ``empty_trash``), for a confirmation to say."""
        anns = [self.annotation(pid) for pid in paper_ids]
        return {"papers": len(anns), "note": sum(bool(a.note) for a in anns),
                "tags": sum(bool(a.tags) for a in anns), "lists": sum(bool(a.lists) for a in anns)}

    def empty_trash(self, paper_ids: Sequence[str] | None = None) -> list[str]:
        """Remove papers in the Trash from the library for good (all of them by default); returns their ids.

        What the user gave such a paper (status, note, tags, lists, rating, priority, the note history) is
        kept in the annotations store's ``REMOVED`` table with the paper's key, title and authors: nothing a
        person typed is lost. Two stores, two writes, in the order that loses nothing: the catalogue first,
        then the annotations (dropped and kept in one write). A crash between them leaves trashed
        annotations of papers no longer there; ``Library`` finishes the job when it next opens.
        Event: ``PapersRemoved``.

        Raises:
            ValueError: a paper given is not in the Trash (nothing changed).
        """
        if paper_ids is None:
            paper_ids = self.trashed_ids()
        else:
            outside = [self.papers[pid].key for pid in paper_ids if not self.is_trashed(pid)]
            if outside:
                raise ValueError(f"not in the Trash: {', '.join(outside)}")
        ids = list(dict.fromkeys(paper_ids))
        if not ids:
            return []
        kept = self._kept_when_removed(ids)
        self.catalogue.remove(ids)
        self.annotations.forget(kept, ids, PAPER_TABLES)
        self.events.emit(PapersRemoved(tuple(ids)))
        return ids

    def _kept_when_removed(self, paper_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """``REMOVED`` documents for the papers whose annotation or note history holds what the user gave."""
        stamp = now_iso()
        kept: dict[str, dict[str, Any]] = {}
        for pid in paper_ids:
            ann = self.annotations.stored_annotation(pid)
            history_doc = self.note_history_doc(pid)
            held = {name: doc for name in sorted(PAPER_TABLES) if (doc := self.table(name).get(pid))}
            if not history_doc and not held and (ann is None or not ann.holds_user_text()):
                continue
            paper = self.papers.get(pid)
            summary = {"id": pid} if paper is None else {
                "id": pid, "key": paper.key, "title": paper.title, "authors": list(paper.authors),
                "year": paper.year, "venue": paper.venue, "doi": paper.doi, "url": paper.url}
            kept[f"{stamp} {pid}"] = {"removed": stamp, "paper": summary,
                                      "annotation": ann.to_doc() if ann else None,
                                      "note_history": dict(history_doc) if history_doc else None}
            if held:
                kept[f"{stamp} {pid}"]["tables"] = held
        return kept

    def removed_papers(self) -> list[dict[str, Any]]:
        """What was kept of papers emptied from the Trash (see ``REMOVED``), oldest first."""
        return [dict(doc) for _name, doc in sorted(self.table(REMOVED).items())]

    def _finish_emptying(self) -> None:
        """Trashed annotations of papers no longer in the catalogue: an emptying that a crash cut short
        between its two writes; keep what they hold and drop them (one write), as it would have."""
        left = sorted(pid for pid in self.annotations.trashed if pid not in self.papers)
        if left:
            self.annotations.forget(self._kept_when_removed(left), left, PAPER_TABLES)

    # -- note history, and the tables other layers keep in the annotations store -----------------------

    def note_history_doc(self, paper_id: str) -> Mapping[str, Any] | None:
        return self.annotations.note_history_doc(paper_id)

    def note_history(self, paper_id: str) -> list[NoteVersion]:
        """Earlier versions of the paper's note, newest first."""
        return self.annotations.note_history(paper_id)

    def restore_note_version(self, paper_id: str, number: int) -> Annotation:
        """Put back version ``number`` (1 = newest) of the note; the note it replaces joins the history.

        Raises:
            ValueError: there is no such version.
        """
        return self.annotations.restore_note_version(paper_id, number)

    def table(self, name: str) -> Mapping[str, dict[str, Any]]:
        """A table of the annotations store (e.g. ``sync.state``'s), as held in memory; do not change it."""
        return self.annotations.table(name)

    def commit(
        self,
        *,
        annotations: Mapping[str, Annotation] | None = None,
        history: Docs | None = None,
        tables: Mapping[str, Docs] | None = None,
    ) -> None:
        """Write annotations, note-history documents and other tables of the annotations store in one
        durable write (a ``None`` document deletes that entry); ``AnnotationsChanged`` follows.

        Raises:
            ValueError: ``tables`` names the annotations', lists' or history's own table.
            StoreError: the write failed; nothing changed in memory either.
        """
        self.annotations.commit(annotations=annotations, history_docs=history, tables=tables)
