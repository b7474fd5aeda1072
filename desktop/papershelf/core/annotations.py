"""The user's annotations (status, priority, rating, tags, lists, note), reading lists and note history.

Held in memory and written through to the annotations store, one durable write per change. Other tables
of that store (the notes-file sync's, see ``papershelf.sync.state``) are read with ``table`` and written
together with annotations and note history by ``commit``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from papershelf.core import history
from papershelf.core.events import AnnotationsChanged, Events, ListsChanged
from papershelf.core.memory import gc_paused
from papershelf.core.model import (
    Annotation,
    BadRecordError,
    Paper,
    RecordProblem,
    now_iso,
    validate_priority,
    validate_rating,
    validate_status,
)
from papershelf.core.names import edit_names, every_spelling, spelled, spelled_as_in_use, spellings_in_use
from papershelf.core.storage.migrations import ANNOTATIONS, LISTS
from papershelf.core.storage.packed import PACK_FROM, PackedText
from papershelf.core.storage.store import META_TABLE, Store

Docs = Mapping[str, Mapping[str, Any] | None]
Commit = Callable[[Mapping[str, Docs]], None]
REMOVED = "removed_papers"
"""What the user gave papers later removed for good (emptied from the Trash), kept: "<time> <paper id>" ->
{"removed": time, "paper": key, title, authors, ...; "annotation": its document; "note_history": its
document or null}. Nothing a person typed is lost when the papers go."""
_OWN_TABLES = frozenset({ANNOTATIONS, LISTS, META_TABLE, history.TABLE, REMOVED})
# What ``AnnotationsChanged.fields`` may name: the time stamps ("changed", "status_changed") say when, not
# what (two edits in one second would otherwise differ in what they announce).
_FIELDS = ("status", "priority", "rating", "tags", "lists", "note", "added", "trashed")


def _is_version_doc(doc: object) -> bool:
    """A stored note-history version ``history.NoteVersion.from_doc`` reads as it was written."""
    if type(doc) is not dict:
        return False
    tags = doc.get("tags")
    return (all(type(doc.get(name, "")) is str for name in ("note", "replaced", "source"))
            and type(doc.get("status") or "") is str
            and (tags is None or (type(tags) is list and all(type(t) is str for t in tags))))


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
    trashed: str | None = None  # a time: moved to the Trash; "": out of it

    def validate(self) -> None:
        if self.status is not None:
            validate_status(self.status)
        if self.priority is not None:
            validate_priority(self.priority)
        if self.rating is not None:
            validate_rating(self.rating)

    def apply(self, ann: Annotation, stamp: str) -> frozenset[str]:
        """Change ``ann`` in place; the names of the fields that changed (empty, so false, if none)."""
        changed: set[str] = set()
        if self.status is not None and self.status != ann.status:
            ann.status = self.status
            ann.status_changed = stamp
            changed.add("status")
        if self.priority is not None and self.priority != ann.priority:
            ann.priority = self.priority
            changed.add("priority")
        if self.rating is not None and self.rating != ann.rating:
            ann.rating = self.rating
            changed.add("rating")
        if self.add_tags or self.remove_tags:
            tags = edit_names(ann.tags, self.add_tags, self.remove_tags)
            if tags != ann.tags:
                ann.tags = tags
                changed.add("tags")
        if self.add_lists or self.remove_lists:
            lists = edit_names(ann.lists, self.add_lists, self.remove_lists)
            if lists != ann.lists:
                ann.lists = lists
                changed.add("lists")
        if self.note is not None and self.note != ann.note:
            ann.note = self.note
            changed.add("note")
        if self.trashed is not None and bool(self.trashed) != bool(ann.trashed):  # in stays in (its first time)
            ann.trashed = self.trashed
            changed.add("trashed")
        if changed:
            ann.changed = stamp
        return frozenset(changed)


class Annotations:
    """Annotations by paper id, the reading lists, the note history. ``papers`` is the catalogue's."""

    def __init__(self, store: Store, commit: Commit, events: Events, papers: Mapping[str, Paper]) -> None:
        self._store = store
        self._write = commit
        self._events = events
        self._papers = papers
        # Records repaired or set aside on load (wrong contents in valid JSON); the library reports them.
        self.load_problems: list[RecordProblem] = []
        self._annotations: dict[str, Annotation] = self._load(store)
        self._share_notes(store)
        # Papers in the Trash, kept current with the annotations: asked on every status line and filter.
        self.trashed: set[str] = {pid for pid, ann in self._annotations.items() if ann.trashed}
        self._lists: dict[str, dict[str, Any]] = {}
        for name, doc in store.documents(LISTS):
            if type(doc) is not dict:
                self.load_problems.append(RecordProblem(name, "its record was not an object; now an empty one",
                                                        doc, set_aside=False, table=LISTS))
                doc = {}
            self._lists[name] = doc
        self._repaired_history = self._check_history(store)

    def _check_history(self, store: Store) -> dict[str, dict[str, Any] | None]:
        """Note-history documents with wrong contents, repaired (None: set aside); in ``load_problems``."""
        repaired: dict[str, dict[str, Any] | None] = {}
        for pid, doc in store.documents(history.TABLE):
            versions = doc.get("versions", []) if type(doc) is dict else None
            if type(versions) is not list:
                self.load_problems.append(RecordProblem(pid, "its note history is not a list of versions",
                                                        doc, set_aside=True, table=history.TABLE))
                repaired[pid] = None
                continue
            kept = [v for v in versions if _is_version_doc(v)]
            if len(kept) < len(versions):
                self.load_problems.append(RecordProblem(
                    pid, f"{len(versions) - len(kept)} version(s) of its note history had wrong contents; left out",
                    doc, set_aside=False, table=history.TABLE))
                repaired[pid] = {**doc, "versions": kept}
        table = (store.storage.read() or {}).get(history.TABLE, {})
        for pid, fixed in repaired.items():  # in memory too: a read-only library is never written
            if fixed is None:
                del table[pid]
            else:
                table[pid] = fixed
        return repaired

    def _load(self, store: Store) -> dict[str, Annotation]:
        annotations: dict[str, Annotation] = {}
        from_doc = Annotation.from_doc
        repairs: list[str] = []
        table = (store.storage.read() or {}).get(ANNOTATIONS, {})
        for pid, doc in store.documents(ANNOTATIONS):
            try:
                annotations[pid] = ann = from_doc(doc, repairs)
            except BadRecordError as exc:
                self.load_problems.append(RecordProblem(pid, str(exc), doc, set_aside=True))
                continue
            if repairs:
                self.load_problems.append(RecordProblem(pid, "; ".join(repairs), doc, set_aside=False))
                repairs = []
            elif type(ann.held_note) is PackedText and table.get(pid) is doc:
                # The stored document shares the note the annotation holds (as UTF-8), not a copy of it
                # as a str (2 bytes a character): a document is replaced when written, never changed.
                table[pid] = {**doc, "note": ann.held_note}
        return annotations

    def _share_notes(self, store: Store) -> None:
        """A document of another table keyed by a paper id (the notes-file sync's base) whose note is that
        paper's long note, held as UTF-8 by its annotation: shares it, not a second copy as a str."""
        packed = {pid: ann.held_note for pid, ann in self._annotations.items() if type(ann.held_note) is PackedText}
        if not packed:  # (most libraries: no table is read through)
            return
        for name, table in (store.storage.read() or {}).items():
            if name in _OWN_TABLES or type(table) is not dict:
                continue
            for pid, held in packed.items():
                doc = table.get(pid)
                if type(doc) is not dict:
                    continue
                note = doc.get("note")
                if type(note) is str and len(note) >= PACK_FROM and held == note:
                    table[pid] = {**doc, "note": held}  # (a document is replaced when written, never changed)

    def rewrite_repaired(self) -> None:
        """Write the repaired annotations and lists and leave out those set aside: one durable write,
        so the next open finds the store clean."""
        changes: dict[str, dict[str, Any]] = {}
        for problem in self.load_problems:
            if problem.table == LISTS:
                changes.setdefault(LISTS, {})[problem.record_id] = self._lists[problem.record_id]
            elif problem.table == history.TABLE:
                changes.setdefault(history.TABLE, {})[problem.record_id] = self._repaired_history[problem.record_id]
            else:
                annotation = self._annotations.get(problem.record_id)
                changes.setdefault(ANNOTATIONS, {})[problem.record_id] = annotation and annotation.to_doc()
        if changes:
            self._write(changes)

    # -- reading -----------------------------------------------------------------------------------

    def annotation(self, paper_id: str) -> Annotation:
        ann = self._annotations.get(paper_id)
        if ann is None:
            return Annotation(added=self._papers[paper_id].added)
        return ann

    def stored_annotation(self, paper_id: str) -> Annotation | None:
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

    def table(self, name: str) -> Mapping[str, dict[str, Any]]:
        """A table of the annotations store as held in memory; callers must not change it."""
        tables = self._store.storage.read() or {}
        return tables.get(name, {})

    def note_history_doc(self, paper_id: str) -> Mapping[str, Any] | None:
        return self.table(history.TABLE).get(paper_id)

    # -- writing -----------------------------------------------------------------------------------

    def annotate(
        self, paper_ids: Sequence[str], change: AnnotationChange, *, keep_note_history: bool = True
    ) -> list[str]:
        change.validate()
        change = self._spelled_as_before(change)
        stamp = now_iso()
        updated: dict[str, Annotation] = {}
        fields: set[str] = set()
        with gc_paused():  # a bulk edit makes thousands of objects; none is garbage
            for pid in paper_ids:
                ann = self.annotation(pid).copy()
                changed = change.apply(ann, stamp)
                if changed:
                    fields |= changed
                    if not ann.added:
                        ann.added = self._papers[pid].added or stamp
                        fields.add("added")
                    updated[pid] = ann
            if updated:
                self.put(updated, keep_note_history=keep_note_history, fields=frozenset(fields))
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

    def put(
        self, annotations: Mapping[str, Annotation], *, keep_note_history: bool, fields: frozenset[str] | None = None
    ) -> None:
        """Put these annotations in place as they are (no copy) in one durable write.

        ``fields``: what changed, if the caller knows (otherwise each annotation is compared with the old).
        """
        new_lists = {name for ann in annotations.values() for name in ann.lists if name not in self._lists}
        stamp = now_iso()
        list_docs = {name: {"created": stamp} for name in new_lists}
        changes: dict[str, Docs] = {ANNOTATIONS: {pid: ann.to_doc() for pid, ann in annotations.items()}}
        if list_docs:
            changes[LISTS] = list_docs
        if keep_note_history:
            kept = self._replaced_notes(annotations, stamp)
            if kept:
                changes[history.TABLE] = kept
        self._write(changes)
        event = self._took(annotations, fields)
        self._lists.update(list_docs)
        self._events.emit(event)
        if list_docs:
            self._events.emit(ListsChanged(tuple(sorted(list_docs, key=str.casefold))))

    def _took(self, annotations: Mapping[str, Annotation], fields: frozenset[str] | None = None) -> AnnotationsChanged:
        """Keep ``annotations`` in memory (they are written); the event that says what changed."""
        if fields is None:
            found: set[str] = set()
            for pid, ann in annotations.items():
                old = self._annotations.get(pid) or Annotation(added=self._papers[pid].added)
                found.update(name for name in _FIELDS if name not in found and getattr(old, name) != getattr(ann, name))
            fields = frozenset(found)
        self._annotations.update(annotations)
        for pid, ann in annotations.items():
            if ann.trashed:
                self.trashed.add(pid)
            else:
                self.trashed.discard(pid)
        return AnnotationsChanged(tuple(annotations), fields)

    def create_list(self, name: str) -> None:
        name = spelled_as_in_use(name, self.list_names())
        if not name:
            raise ValueError("a reading list needs a name")
        if name in self._lists:
            return
        doc = {"created": now_iso()}
        self._write({LISTS: {name: doc}})
        self._lists[name] = doc
        self._events.emit(ListsChanged((name,)))

    def rewrite_list(self, old: str, new: str | None) -> list[str]:
        """Rename list ``old`` to ``new`` on every paper in it, or remove it (None); one write."""
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
        self._write({ANNOTATIONS: {pid: a.to_doc() for pid, a in updated.items()}, LISTS: list_changes})
        self._lists.pop(old, None)
        if new is not None:
            self._lists[new] = dict(list_changes[new] or {})
        event = self._took(updated)
        if updated:
            self._events.emit(event)
        self._events.emit(ListsChanged((old,) if new is None else (old, new)))
        return list(updated)

    def combine(self, keep_id: str, combined: Annotation, gone_id: str) -> None:
        """``combined`` becomes ``keep_id``'s annotation and ``gone_id``'s is removed, in one write."""
        self._write({ANNOTATIONS: {keep_id: combined.to_doc(), gone_id: None}})
        event = self._took({keep_id: combined})
        self._annotations.pop(gone_id, None)
        self.trashed.discard(gone_id)
        self._events.emit(event)

    def commit(
        self,
        *,
        annotations: Mapping[str, Annotation] | None = None,
        history_docs: Docs | None = None,
        tables: Mapping[str, Docs] | None = None,
    ) -> None:
        """Write annotations, note history and other tables of the annotations store in one durable write.

        A ``None`` document deletes that entry. ``annotations`` are copied. Raises ValueError for a table
        name this module owns (use the other arguments).
        """
        changes = self._changes(annotations, history_docs, tables)
        if not changes:
            return
        self._write(changes)
        if annotations:
            self._events.emit(self._took({pid: ann.copy() for pid, ann in annotations.items()}))

    def commit_steps(
        self,
        *,
        annotations: Mapping[str, Annotation] | None = None,
        history_docs: Docs | None = None,
        tables: Mapping[str, Docs] | None = None,
    ) -> Generator[None, None, bool]:
        """:meth:`commit` in steps, pausing (yielding) while the store file is written (``Store.commit_steps``).

        Returns False, with nothing written or changed, when another write reached the store meanwhile.
        The caller checks that the library may be written. Raises OSError when the write fails.
        """
        changes = self._changes(annotations, history_docs, tables)
        if not changes:
            return True
        if not (yield from self._store.commit_steps(changes)):
            return False
        if annotations:
            self._events.emit(self._took({pid: ann.copy() for pid, ann in annotations.items()}))
        return True

    def _changes(
        self, annotations: Mapping[str, Annotation] | None, history_docs: Docs | None, tables: Mapping[str, Docs] | None
    ) -> dict[str, Docs]:
        changes: dict[str, Docs] = {}
        for name, docs in (tables or {}).items():
            if name in _OWN_TABLES:
                raise ValueError(f"the table {name!r} is written through the annotations, not as a table")
            if docs:
                changes[name] = docs
        if annotations:
            changes[ANNOTATIONS] = {pid: ann.to_doc() for pid, ann in annotations.items()}
        if history_docs:
            changes[history.TABLE] = history_docs
        return changes

    def forget(self, kept: Mapping[str, Mapping[str, Any]], paper_ids: Sequence[str],
               tables: Iterable[str] = ()) -> None:
        """Remove the annotations and note histories of ``paper_ids`` (papers gone from the catalogue), and
        their entries in the other ``tables`` keyed by paper id, and add ``kept`` to the ``REMOVED`` table,
        in one durable write; no event (the library announces ``PapersRemoved``)."""
        gone: dict[str, None] = dict.fromkeys(paper_ids)
        changes: dict[str, Docs] = {ANNOTATIONS: gone}
        for name in tables:
            entries = self.table(name)
            if any(pid in entries for pid in paper_ids):
                changes[name] = {pid: None for pid in paper_ids if pid in entries}
        held = self.table(history.TABLE)
        if any(pid in held for pid in paper_ids):
            changes[history.TABLE] = {pid: None for pid in paper_ids if pid in held}
        if kept:
            changes[REMOVED] = kept
        self._write(changes)
        for pid in paper_ids:
            self._annotations.pop(pid, None)
            self.trashed.discard(pid)

    # -- note history ------------------------------------------------------------------------------

    def note_history(self, paper_id: str) -> list[history.NoteVersion]:
        return list(history.versions(self.note_history_doc(paper_id)))

    def restore_note_version(self, paper_id: str, number: int) -> Annotation:
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
        ann.added = ann.added or self._papers[paper_id].added or stamp
        doc = history.push(self.note_history_doc(paper_id), old.note, history.RESTORE, stamp,
                           status=old.status if version.status is not None else None,
                           tags=old.tags if version.tags is not None else None)
        self.commit(annotations={paper_id: ann}, history_docs={paper_id: doc} if doc else None)
        return ann

    def _replaced_notes(self, annotations: Mapping[str, Annotation], stamp: str) -> dict[str, Mapping[str, Any]]:
        """History documents keeping each note that ``annotations`` replace (source: an edit)."""
        docs: dict[str, Mapping[str, Any]] = {}
        for pid, ann in annotations.items():
            old = self._annotations.get(pid)
            if old is None or old.note.rstrip() == ann.note.rstrip():
                continue
            doc = history.push(self.note_history_doc(pid), old.note, history.EDIT, stamp)
            if doc is not None:
                docs[pid] = doc
        return docs
