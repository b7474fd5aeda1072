"""The catalogue: every paper of a library, held in memory and written to its store on import only."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Final

import orjson

from papershelf.core import catalogue_cache, citekeys, duplicates
from papershelf.core.events import Events, PapersAdded, PapersChanged, PapersRemoved
from papershelf.core.memory import CachedConvert, Piece, TextFile, gc_paused
from papershelf.core.model import BadRecordError, Paper, RecordProblem, now_iso, paper_id_for
from papershelf.core.storage.migrations import PAPERS
from papershelf.core.storage.store import META_ID, META_TABLE, Store

Commit = Callable[[Mapping[str, Mapping[str, Mapping[str, Any] | None]]], None]


class UnknownKeyError(KeyError):
    """No paper has this citation key."""

    def __str__(self) -> str:
        return f"no paper with citation key {self.args[0]!r}"


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
    # Imported as papers of their own that may be papers already there: (key given, key of the look-alike)
    suspected: list[tuple[str, str]] = field(default_factory=list)

    def merge(self, other: ImportSummary) -> None:
        self.failed += other.failed
        self.imported += other.imported
        self.present += other.present
        self.renamed += other.renamed
        self.problems += other.problems
        self.merged += other.merged
        self.suspected += other.suspected


class Catalogue:
    """Papers by id and by citation key. ``commit`` writes changes to the catalogue store durably."""

    def __init__(self, store: Store, commit: Commit, events: Events) -> None:
        self._store = store
        self._write = commit
        self._events = events
        # Records repaired or set aside on load (wrong contents in valid JSON); the library reports them.
        self.load_problems: list[RecordProblem] = []
        self.papers: dict[str, Paper] = self._load(store)
        store.release(PAPERS, lambda: {pid: p.to_doc() for pid, p in self.papers.items()})
        self._by_key: dict[str, str] = self._index_keys()

    def _load(self, store: Store) -> dict[str, Paper]:
        """Every paper of the store; one that cannot be a paper is left out, one with wrong contents is
        repaired (both in ``load_problems``)."""
        from_doc = Paper.from_doc
        repairs: list[str] = []
        documents = store.documents(PAPERS)  # a large catalogue's sound papers read as papers (papers_in_pieces)
        try:  # the common case, as fast as it can be: every paper sound
            papers = {pid: doc if type(doc) is Paper else from_doc(doc, repairs) for pid, doc in documents}
        except BadRecordError:
            pass
        else:
            if not repairs and all(paper.id == pid for pid, paper in papers.items()):
                return papers
        # Again, one by one (``from_doc`` gives the same paper twice: reading a document changes nothing).
        papers = {}
        repairs = []
        for pid, doc in store.documents(PAPERS):
            if type(doc) is Paper:  # a sound paper, stored under its id
                papers[pid] = doc
                continue
            try:
                papers[pid] = from_doc(doc, repairs)
            except BadRecordError as exc:
                if type(doc) is dict and type(doc.get("id")) is not str:
                    # Stored under its id: which id it has is plain.
                    repairs.append("its id was missing, now the one it is stored under")
                    try:
                        papers[pid] = from_doc({**doc, "id": pid}, repairs)
                    except BadRecordError as again:
                        self.load_problems.append(RecordProblem(pid, str(again), doc, set_aside=True))
                        repairs = []
                        continue
                else:
                    self.load_problems.append(RecordProblem(pid, str(exc), doc, set_aside=True))
                    continue
            if papers[pid].id != pid:  # annotations and the search index know a paper by where it is stored
                repairs.append(f"its id {papers[pid].id!r} was not the one it is stored under, now that one")
                papers[pid].id = pid
            if repairs:
                self.load_problems.append(RecordProblem(pid, "; ".join(repairs), doc, set_aside=False))
                repairs = []
        return papers

    def _index_keys(self) -> dict[str, str]:
        """Paper ids by citation key and alias. A paper without a key, or with a key another paper
        has already, gets a new one (otherwise ``show KEY`` could never reach it)."""
        by_key: dict[str, str] = {}
        renamed: list[str] = []
        self._problem_at = {p.record_id: i for i, p in enumerate(self.load_problems)}
        papers: Iterable[tuple[str, Paper]] = self.papers.items()
        if self._problem_at:  # a sound paper keeps its key before one that needed repairs
            papers = sorted(papers, key=lambda item: item[0] in self._problem_at)
        for pid, paper in papers:
            if paper.key and paper.key not in by_key:
                by_key[paper.key] = pid
            else:
                renamed.append(pid)
        for pid in renamed:
            paper = self.papers[pid]
            old = paper.key
            wanted = old or citekeys.base_key(paper.authors, paper.year, paper.title)
            paper.key = citekeys.unique_key(wanted, by_key)
            by_key[paper.key] = pid
            reason = (f"the citation key {old!r} was another paper's too, now {paper.key!r}" if old
                      else f"given the citation key {paper.key!r}")
            self._report_repair(pid, reason, old)
        for pid, paper in self.papers.items():
            if not paper.aliases:
                continue
            taken = [a for a in paper.aliases if by_key.get(a, pid) != pid]
            if taken:
                paper.aliases = [a for a in paper.aliases if a not in taken]
                self._report_repair(pid, f"the alias {', '.join(taken)} is another paper's key; dropped")
            by_key.update({a: pid for a in paper.aliases})
        return by_key

    def _report_repair(self, pid: str, reason: str, stored_key: str | None = None) -> None:
        """Add ``reason`` to the paper's load problem (``stored_key``: its key as stored, if changed)."""
        at = self._problem_at.get(pid)
        if at is not None:
            problem = self.load_problems[at]
            self.load_problems[at] = RecordProblem(pid, f"{problem.reason}; {reason}", problem.record, False)
            return
        record = self.papers[pid].to_doc()
        if stored_key is not None:
            record["key"] = stored_key
        self._problem_at[pid] = len(self.load_problems)
        self.load_problems.append(RecordProblem(pid, reason, record, set_aside=False))

    def keep_cache(self) -> bool:
        """Keep the papers in ``catalogue.cache`` for the next open, if they are still those of the file
        (read in pieces, nothing repaired or written since) and the cache is not current already.

        For a window's close: ~0.3 s at 100k papers, once after each change of the catalogue; the
        next opening then takes ~0.35 s instead of 1.2-1.4 s. Returns whether it was written.

        Raises:
            OSError: the cache cannot be written (nothing is lost: the catalogue is read instead).
        """
        if self._store.storage.writes or self.load_problems or not self.papers:
            return False
        tables = {name: table for name, table in (self._store.storage.read() or {}).items() if name != PAPERS}
        with gc_paused():
            return catalogue_cache.write(self._store.path, self._store.version, tables, PAPERS, self.papers)

    def rewrite_repaired(self) -> None:
        """Write the repaired papers and leave out those set aside: one durable write, so the next
        open finds the store clean."""
        if self.load_problems:
            changes = {p.record_id: (None if p.set_aside else self.papers[p.record_id].to_doc())
                       for p in self.load_problems}
            self._write({PAPERS: changes})

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

    # -- importing ---------------------------------------------------------------------------------

    def import_papers(self, papers: Iterable[Paper]) -> ImportSummary:
        """See ``Library.import_papers``: one write, then ``PapersChanged`` (merged papers, with the
        fields filled in) and ``PapersAdded``."""
        # As in loading: many new objects and no garbage; collector passes over them cost a third at 10k.
        with gc_paused():
            summary, new, changed = self._add_papers(papers)
            written = {**changed, **new}
            if written:
                self._write({PAPERS: {pid: p.to_doc() for pid, p in written.items()}})
                before = {pid: self.papers[pid] for pid in changed}
                self.papers.update(written)
                self._by_key.update({p.key: pid for pid, p in new.items()})
                self._by_key.update({a: pid for pid, p in written.items() for a in p.aliases})
        if changed:
            fields = frozenset().union(*(_changed_fields(before[pid], p) for pid, p in changed.items()))
            self._events.emit(PapersChanged(tuple(changed), fields))
        if new:
            self._events.emit(PapersAdded(tuple(new)))
        return summary

    def _add_papers(self, papers: Iterable[Paper]) -> tuple[ImportSummary, dict[str, Paper], dict[str, Paper]]:
        """``import_papers`` up to the write: the summary, the new papers and the changed ones, by id."""
        summary = ImportSummary()
        stamp = now_iso()
        new: dict[str, Paper] = {}
        changed: dict[str, Paper] = {}
        taken = _Taken(self._by_key)
        matcher = duplicates.ImportMatcher(self.papers, self._by_key)  # the rules: core.duplicates

        def current(pid: str) -> Paper:
            return new.get(pid) or changed.get(pid) or self.papers[pid]

        for paper in papers:
            first = paper.authors[0] if paper.authors else ""
            pid = paper.id or paper_id_for(paper.title, first, paper.year, paper.doi)
            known, look_alike = matcher.match(paper, pid, current)
            if known is not None:
                existing = current(known)
                filled = duplicates.merge(existing, paper)
                matcher.merged(known, paper, filled)
                if filled is None:
                    summary.present.append(paper.key or existing.key)
                    continue
                (new if known in new else changed)[known] = filled
                taken.update(filled.aliases)
                summary.merged.append((paper.key or "", existing.key))
                continue
            if look_alike is not None and matcher.has_id(pid):
                pid = duplicates.distinct_id(pid, paper.key, matcher.has_id)  # kept apart: an id of its own
            wanted = paper.key or citekeys.base_key(paper.authors, paper.year, paper.title)
            key = citekeys.unique_key(wanted, taken)
            if paper.key and key != paper.key:
                summary.renamed.append((paper.key, key))
            added = Paper.from_doc({**paper.to_doc(), "id": pid, "key": key, "added": paper.added or stamp})
            new[pid] = added
            matcher.added(pid, paper)
            taken.add(key)
            summary.imported.append(key)
            if look_alike is not None:
                summary.suspected.append((key, look_alike.key))
        return summary, new, changed

    def merge(self, keep_id: str, merged: Paper, other_id: str) -> None:
        """Put ``merged`` in place of ``keep_id`` and remove ``other_id`` (whose key is now an alias of
        ``merged``), in one write; then ``PapersChanged`` and ``PapersRemoved``."""
        self._write({PAPERS: {keep_id: merged.to_doc(), other_id: None}})
        before = self.papers[keep_id]
        self.papers[keep_id] = merged
        del self.papers[other_id]
        self._by_key.update({key: keep_id for key in (merged.key, *merged.aliases)})
        self._events.emit(PapersChanged((keep_id,), frozenset(_changed_fields(before, merged))))
        self._events.emit(PapersRemoved((other_id,)))

    def remove(self, paper_ids: Sequence[str]) -> None:
        """Remove these papers from the catalogue in one write; no event (the library announces it)."""
        self._write({PAPERS: dict.fromkeys(paper_ids)})
        for pid in paper_ids:
            paper = self.papers.pop(pid, None)
            if paper is None:
                continue
            for key in (paper.key, *paper.aliases):
                if self._by_key.get(key) == pid:
                    del self._by_key[key]

    # -- seeding -----------------------------------------------------------------------------------

    def meta(self) -> dict[str, Any]:
        return dict((self._store.storage.read() or {}).get(META_TABLE, {}).get(META_ID, {}))

    def is_seeded(self) -> bool:
        return bool(self.meta().get("seeded"))

    def mark_seeded(self) -> None:
        self._write({META_TABLE: {META_ID: {**self.meta(), "seeded": True}}})


def papers_in_pieces(version: int) -> CachedConvert:
    """For ``Store(convert=...)``: a large catalogue's documents made papers as each piece is read.

    Only when the file is of schema ``version`` (an older one is migrated as documents) and every
    document of the piece is a sound paper stored under its id; another piece is left as documents,
    for ``Catalogue`` to repair and report. At 100k papers the documents' dicts are then never all
    held beside the papers: ~130 MB less at the peak of an opening.

    The papers' abstracts then stay in the file (``abstracts_kept_in``), read when asked for. When
    ``catalogue.cache`` was made from this very file (``Catalogue.keep_cache``), the papers are read
    from it instead (~4x quicker; see ``core/catalogue_cache``).
    """
    return _PapersInPieces(version)


class _PapersInPieces(CachedConvert):
    def __init__(self, version: int) -> None:
        self.version = version

    def cached(self, path: Path, file: BinaryIO) -> Any | None:
        return catalogue_cache.read(path, file, self.version, PAPERS)

    def __call__(self, root: dict[str, Any], name: str, documents: dict[str, Any], piece: Piece) -> dict[str, Any]:
        from_doc = Paper.from_doc
        if name != PAPERS or Store.schema_of(root) != self.version:
            return documents
        repairs: list[str] = []
        try:
            papers = {pid: from_doc(doc, repairs) for pid, doc in documents.items()}
        except BadRecordError:
            return documents
        if repairs or any(paper.id != pid for pid, paper in papers.items()):
            return documents  # (reading a document changes nothing: it is read again the careful way)
        for pid, paper in papers.items():
            paper.id = pid  # the same text: one string for the id and the key it is stored under (7 MB at 100k)
        if piece.file is not None:
            abstracts_kept_in(piece.file, papers.values(), piece.data, piece.offset)
        return papers


KEPT_FROM: Final = 200
"""Bytes: a shorter abstract (as JSON) stays in memory, where it costs little more than its place would."""
_FOUND_WITHIN: Final = 1 << 18  # bytes from the previous abstract: a paper's other fields are far shorter


def abstracts_kept_in(file: TextFile, papers: Iterable[Paper], data: bytes, offset: int) -> int:
    """Let the papers read their abstracts from ``file`` instead of holding them: those found in ``data``.

    ``data`` holds the papers' documents in order and starts at byte ``offset`` of ``file``. An abstract
    is found as the very bytes that encode it (orjson's, as the store writes it), so the bytes at its
    place are its text whatever else the file holds; one written otherwise (another program's escapes)
    or too short to be worth it stays in memory. Returns how many papers now read it from the file.

    Saves ~130 MB at 100k papers (the abstracts are 3/5 of the catalogue's text); costs one read of
    ~1.5 kB (page cache) each time an abstract is asked for: the detail pane, exports, the search
    index's ``any`` text.
    """
    at = 0
    kept = 0
    dumps, find, place_of = orjson.dumps, data.find, TextFile.place
    for paper in papers:
        try:
            encoded = dumps(paper.abstract)
        except TypeError:  # (a lone surrogate: no JSON writes it so)
            continue
        if len(encoded) < KEPT_FROM:
            continue
        # Looked for by its first bytes, then compared whole: bytes.find prepares a long needle first
        # (3.5 us for an abstract, 0.35 s of a 100k opening), a 32-byte one costs next to nothing.
        head, limit = encoded[:32], at + len(encoded) + _FOUND_WITHIN
        found = find(head, at, limit)
        while found >= 0 and not data.startswith(encoded, found):
            found = find(head, found + 1, limit)
        if found < 0:
            continue
        at = found + len(encoded)
        place = place_of(offset + found, len(encoded))
        if place is not None:
            paper.keep_abstract_in(file, place)
            kept += 1
    return kept


def _changed_fields(before: Paper, after: Paper) -> set[str]:
    old, new = before.to_doc(), after.to_doc()
    return {name for name in old.keys() | new.keys() if old.get(name) != new.get(name)}


class _Taken:
    """Keys in use: the library's plus those given so far in this import."""

    def __init__(self, by_key: Mapping[str, str]) -> None:
        self._by_key = by_key
        self._new_keys: set[str] = set()

    def __contains__(self, key: object) -> bool:
        return key in self._by_key or key in self._new_keys

    def add(self, key: str) -> None:
        self._new_keys.add(key)

    def update(self, keys: Iterable[str]) -> None:
        self._new_keys.update(keys)
