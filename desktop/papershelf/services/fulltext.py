"""The text of attached files, extracted once and searchable: ``fulltext:word`` and ``text:"a phrase"``.

Each attached file's text (every page of a PDF, by pypdf; a ``.txt`` or ``.md`` file as it is) is kept in
``fulltext.cache`` in the library folder, by path, with the file's size and modification time: a file is
read again only when it changed, and a file no longer attached is dropped from the cache at the next
refresh. The cache is derived (deleting it loses nothing) and written atomically. Text is compared in
the query language's ``search_form`` (folded, whitespace runs one space), so a phrase broken over lines
in the PDF is still a phrase.

Reading is the slow part (``extract_text``, a pure function a worker thread may run); ``FullText.put``
stores what was read and tells the library's listeners (``AnnotationsChanged`` with ``files``), so the
search index forgets the answers it had for those papers.
"""

from __future__ import annotations

import bisect
import contextlib
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import orjson

from papershelf.core.events import AnnotationsChanged
from papershelf.core.fields import search_form
from papershelf.core.library import Library
from papershelf.core.search.query import FULLTEXT, Query, Term
from papershelf.core.storage.store import atomic_write_bytes
from papershelf.services import attachments

CACHE_FILE: Final = "fulltext.cache"
_VERSION: Final = 1
MAX_CHARS: Final = 2_000_000  # of one file's text: a 1,000-page book is read, a corrupt stream is cut
_TEXT_SUFFIXES: Final = (".txt", ".md", ".tex")
_FOUND_KEPT: Final = 64  # lookups remembered (a few queries' keystrokes)


@dataclass(frozen=True, slots=True)
class Extracted:
    """One file's text as read, with the size and modification time it had (``problem``: why no text)."""

    path: Path
    size: int
    mtime: int
    text: str
    problem: str = ""


def extract_text(path: Path) -> Extracted | None:
    """Read ``path``'s text (None when the file is gone); never raises for a bad or encrypted PDF."""
    stamp = attachments.file_stamp(path)
    if stamp is None:
        return None
    text, problem = "", ""
    if path.suffix.lower() in _TEXT_SUFFIXES:
        try:
            text = path.read_bytes()[: MAX_CHARS * 4].decode("utf-8", "replace")
        except OSError as exc:
            problem = str(exc)
    else:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError

        try:
            reader = PdfReader(path)
            if reader.is_encrypted and not reader.decrypt(""):
                problem = "encrypted"
            else:
                parts: list[str] = []
                length = 0
                for page in reader.pages:
                    part = page.extract_text() or ""
                    parts.append(part)
                    length += len(part)
                    if length > MAX_CHARS:
                        break
                text = "\n".join(parts)
        except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, IndexError,
                NotImplementedError) as exc:
            problem = f"{type(exc).__name__}: {exc}"
    return Extracted(path, stamp[0], stamp[1], search_form(text[:MAX_CHARS]), problem)


class WordList:
    """The distinct words of some texts, joined in one string to find the words containing a needle fast.

    Pure: a worker thread may build one from a copy of ``FullText.texts()`` (``FullText.adopt``).
    """

    def __init__(self, texts: Mapping[str, str]) -> None:
        postings: dict[str, set[str]] = {}
        for pid, text in texts.items():
            for word in set(text.split()):
                postings.setdefault(word, set()).add(pid)
        self.papers = len({pid for pid, text in texts.items() if text.split()})
        self.words = list(postings)
        self.postings = [postings[w] for w in self.words]
        self.joined = "\n" + "\n".join(self.words) + "\n"
        self.starts: list[int] = []
        at = 1
        for word in self.words:
            self.starts.append(at)
            at += len(word) + 1

    def papers_with(self, needle: str) -> set[str]:
        """The papers having a word that contains ``needle`` (which has no whitespace)."""
        found: set[str] = set()
        joined, starts = self.joined, self.starts
        at = joined.find(needle)
        while at >= 0:
            n = bisect.bisect_right(starts, at) - 1
            found |= self.postings[n]
            if len(found) == self.papers:
                break  # every paper already: a letter or two typed is in most words (12 ms -> 0.1 ms)
            following = starts[n + 1] if n + 1 < len(starts) else len(joined)
            at = joined.find(needle, following)  # the next word: one hit per word is enough
        return found


class FullText:
    """The library's attached files' text: what is read (the cache), what is not yet, and the lookup."""

    def __init__(self, library: Library, *, read_on_lookup: bool = True) -> None:
        self.library = library
        # The CLI reads what is not read yet when a query first asks; the window reads in a worker
        # thread beforehand (a lookup must never stall the search box).
        self.read_on_lookup = read_on_lookup
        self.path = library.folder / CACHE_FILE
        self._files: dict[str, dict[str, Any]] | None = None
        self._by_paper: dict[str, str] | None = None
        self._vocabulary: WordList | None = None
        self._vocabulary_of: Mapping[str, str] | None = None  # the texts it was built from
        # Answers for the values looked up lately, for the texts they were found in: each keystroke asks
        # again for every word typed before the one being typed.
        self._found: dict[str, set[str]] = {}
        self._found_of: Mapping[str, str] | None = None
        library.events.connect(AnnotationsChanged, self._annotations_changed)

    def _annotations_changed(self, event: AnnotationsChanged) -> None:
        if attachments.FILES_EVENT_FIELD in event.fields:
            self._by_paper = None

    def _cache(self) -> dict[str, dict[str, Any]]:
        if self._files is None:
            files: dict[str, dict[str, Any]] = {}
            with contextlib.suppress(OSError, orjson.JSONDecodeError, AttributeError, TypeError):
                doc = orjson.loads(self.path.read_bytes())
                if doc.get("version") == _VERSION and isinstance(doc.get("files"), dict):
                    files = {k: v for k, v in doc["files"].items() if isinstance(v, dict)}
            self._files = files
        return self._files

    def _attached(self) -> dict[str, list[str]]:
        """Paper id -> the paths of its files, as the cache names them."""
        folder = self.library.folder
        return {pid: [str(a.location(folder)) for a in attachments.attachments(self.library, pid)]
                for pid in attachments.papers_with_files(self.library)}

    def stale(self) -> list[Path]:
        """Attached files that are there and not read yet, or changed since they were read."""
        cache = self._cache()
        found = []
        for paths in self._attached().values():
            for name in paths:
                stamp = attachments.file_stamp(Path(name))
                entry = cache.get(name)
                if stamp is not None and (entry is None or (entry.get("size"), entry.get("mtime")) != stamp):
                    found.append(Path(name))
        return sorted(set(found))

    def put(self, read: Iterable[Extracted], *, notify: bool = True) -> None:
        """Keep what was read (one atomic write of the cache; the files no longer attached are dropped).

        ``notify``: announce the papers whose text changed (not while a query is being answered).
        """
        cache = self._cache()
        changed: set[str] = set()
        for item in read:
            cache[str(item.path)] = {"size": item.size, "mtime": item.mtime, "text": item.text,
                                     "problem": item.problem}
            changed.add(str(item.path))
        attached = self._attached()
        kept = {name for paths in attached.values() for name in paths}
        dropped = [n for n in cache if n not in kept]
        for name in dropped:
            del cache[name]
        if not changed and not dropped:
            return
        # Derived data, written even beside a window holding the library (both write whole files
        # atomically); a folder that cannot be written just means reading again next time.
        with contextlib.suppress(OSError):
            atomic_write_bytes(self.path, orjson.dumps({"version": _VERSION, "files": cache}))
        self._by_paper = None
        ids = tuple(pid for pid, paths in attached.items() if changed.intersection(paths))
        if ids and notify:
            self.library.events.emit(AnnotationsChanged(ids, frozenset({attachments.FILES_EVENT_FIELD})))

    def refresh(self, progress: Callable[[int, int], object] | None = None, *, notify: bool = True) -> int:
        """Read every stale file now (the CLI; the window reads in a worker); how many were read."""
        stale = self.stale()
        read = []
        for n, path in enumerate(stale, 1):
            if (item := extract_text(path)) is not None:
                read.append(item)
            if progress is not None:
                progress(n, len(stale))
        self.put(read, notify=notify)
        return len(read)

    def texts(self) -> Mapping[str, str]:
        """Paper id -> the text of its files that were read (joined)."""
        if self._by_paper is None:
            cache = self._cache()
            self._by_paper = {}
            for pid, paths in self._attached().items():
                text = "\n".join(cache[name]["text"] for name in paths if name in cache and cache[name].get("text"))
                if text:
                    self._by_paper[pid] = text
        return self._by_paper

    def _words(self) -> WordList:
        """Every whitespace-separated word of the texts, with the papers that have it (built on demand,
        unless a worker built it already: ``adopt``)."""
        texts = self.texts()
        if self._vocabulary is None or self._vocabulary_of is not texts:
            self._vocabulary = WordList(texts)
            self._vocabulary_of = texts
        return self._vocabulary

    @property
    def word_list_ready(self) -> bool:
        """Whether the next lookup finds the word list built (no pause to build it)."""
        return self._vocabulary is not None and self._vocabulary_of is self.texts()

    def snapshot(self) -> tuple[Mapping[str, str], dict[str, str]]:
        """The texts now (to tell ``adopt`` which they were) and a copy a worker may build a WordList of."""
        texts = self.texts()
        return texts, dict(texts)

    def adopt(self, texts: Mapping[str, str], words: WordList) -> bool:
        """Use ``words`` (built from a copy of ``texts``) if the texts are still those; whether it was used."""
        if texts is not self.texts():
            return False
        self._vocabulary, self._vocabulary_of = words, texts
        return True

    def lookup(self, value: str) -> set[str]:
        """Ids of the papers whose files' text has ``value`` (in ``search_form``; "" means any text).

        Substring search, as everywhere in the query language, without scanning every text: each word of
        ``value`` lies inside one word of a text, so the papers having a word that contains it are the
        only candidates; a phrase is then checked on those texts alone.
        """
        if self.read_on_lookup:
            self.read_on_lookup = False  # once per process: what is attached later is read then
            self.refresh(notify=False)  # asked by the search index in the middle of a filter
        texts = self.texts()
        if not value:
            return set(texts)
        if self._found_of is not texts:
            self._found, self._found_of = {}, texts
        if (known := self._found.pop(value, None)) is None:
            known = self._look_up(value, texts)
            if len(self._found) >= _FOUND_KEPT:
                del self._found[next(iter(self._found))]  # the least recently asked
        self._found[value] = known
        return set(known)

    def _look_up(self, value: str, texts: Mapping[str, str]) -> set[str]:
        vocabulary = self._words()
        found: set[str] | None = None
        for word in sorted(set(value.split()), key=len, reverse=True):  # longer words are rarer
            having = vocabulary.papers_with(word)
            found = having if found is None else found & having
            if not found:
                return set()
        if found is None or " " not in value:
            return found or set()
        return {pid for pid in found if value in texts[pid]}

    def snippet(self, paper_id: str, value: str, width: int = 160) -> str:
        """The words around the first place ``value`` is in the paper's files ("" if it is not)."""
        text = self.texts().get(paper_id, "")
        at = text.find(value) if value else -1
        if at < 0:
            return ""
        start = max(0, at - (width - len(value)) // 2)
        start = text.rfind(" ", 0, start) + 1 if start > 0 else 0  # from the start of a word
        end = min(len(text), max(start + width, at + len(value)))
        return ("…" if start > 0 else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def with_fulltext(query: Query) -> Query:
    """``query`` with each plain word or phrase also searched in the attached files' text: ``graph`` becomes
    ``graph OR fulltext:graph``; ``-graph`` becomes ``-graph -fulltext:graph`` (in neither)."""
    clauses: list[tuple[Term, ...]] = []
    for clause in query.clauses:
        if len(clause) == 1 and clause[0].field is None and clause[0].negated:
            word = clause[0]
            clauses += [clause, (Term(FULLTEXT, word.value, negated=True),)]
            continue
        widened: list[Term] = []
        for term in clause:
            widened.append(term)
            if term.field is None and not term.negated:
                widened.append(Term(FULLTEXT, term.value))
        clauses.append(tuple(widened))
    return Query(tuple(clauses), query.text, query.warnings, query.errors)


_ATTACHED: weakref.WeakKeyDictionary[Library, FullText] = weakref.WeakKeyDictionary()


def attach_to(library: Library) -> FullText:
    """The library's full text, made its ``fulltext`` lookup (what ``fulltext:`` in a query asks); one per
    library."""
    full = _ATTACHED.get(library)
    if full is None:
        full = _ATTACHED[library] = FullText(library)
        library.fulltext = full.lookup
    return full
