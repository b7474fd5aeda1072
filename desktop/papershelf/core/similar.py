"""More like this: papers similar by text (TF-IDF over title and abstract, ``fields.about``; cosine similarity).

Each paper is a vector of term weights: ``(1 + ln tf) * idf`` per term, where ``tf`` counts a title
word ``TITLE_WEIGHT`` times and an abstract word once, and ``idf = ln(N / df)``; vectors have unit
length, so the dot product of two is their cosine similarity. Words are folded (``model.fold``),
split on anything not a letter or digit, English stop words and numbers dropped, plurals reduced.

An inverted index (term -> postings: doc numbers and weights) makes a query cheap: only papers that
share a term with the query are scored, the query keeps only its ``QUERY_TERMS`` heaviest terms, and
it skips terms found in more than ``QUERY_MAX_DF`` of the papers.

The index lives in memory and in ``similarity.cache`` in the library folder: a binary file of about
0.9 KB per paper (magic line, an orjson header, then raw arrays in the machine's byte order; no pickle)
written atomically with ``store.atomic_write_bytes``; it loads in ~0.05 s at 10k papers. It
records each paper's id and a checksum of its title and abstract, which together are the catalogue
fingerprint: ``load_or_build`` compares them with the library and

* uses the cache as is when nothing changed;
* otherwise updates it incrementally: a new paper is weighted with the idf values frozen at the last
  full build (a term not seen then gets the idf of a term in one paper) and appended to the postings;
  a paper whose text changed gets a new doc number and its old one is marked dead (skipped by queries);
  a paper gone from the catalogue is marked dead;
* rebuilds from scratch once the papers added, changed or removed since the last full build exceed
  ``REBUILD_SHARE`` of the papers it had, so the frozen idf values never drift far.

The index registers nothing on the library: ``SimilarityKeeper`` does that for a long-lived process.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import math
import re
import threading
import time
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from itertools import filterfalse
from pathlib import Path
from typing import Any, Final, TypeVar

import orjson

from papershelf.core.fields import about
from papershelf.core.library import Library
from papershelf.core.model import Paper, fold
from papershelf.core.storage import cachefile

CACHE_FILE: Final = "similarity.cache"
FORMAT_VERSION: Final = 1
TITLE_WEIGHT: Final = 3  # a title word counts as much as three abstract words
QUERY_TERMS: Final = 30  # a query uses only its heaviest terms
# ... and skips terms in more than this share of the papers ("learning", "neural"): they weigh little and
# have the longest postings (on the ICLR catalogue 98.7% of top-10 results stay; 100k queries ~25% faster).
QUERY_MAX_DF: Final = 0.2
REBUILD_SHARE: Final = 0.2  # rebuild when this share of the catalogue changed since the last full build
RECOMMEND_SEEDS: Final = 100  # recommendations use at most this many seeds (the most recently changed)
RECOMMEND_NEIGHBOURS: Final = 30  # each seed votes for its nearest papers only
GOOD_RATING: Final = 4

_MAGIC: Final = b"PAPERSHELF-SIMILARITY\n"
_WORD: Final = re.compile(r"[^\W_]+")  # runs of letters and digits, any script
_ASCII_WORD: Final = re.compile(r"[a-z0-9]+")

# English function words, plus words that say nothing about a paper's topic in any abstract.
_STOP_WORDS_TEXT: Final = """
    a about above after again against all almost along already also although always am among an and
    another any are around as at be because been before being below between both but by can cannot could
    did do does doing done down during each either else enough especially etc even ever every few for from
    further had has have having he her here hers herself him himself his how however i if in into is it its
    itself just least less like many may me might more most much must my myself neither never no nor not
    now of off often on once one only onto or other others otherwise our ours ourselves out over own per
    quite rather same several shall she should since so some such than that the their theirs them
    themselves then there thereby therefore these they this those though through thus to together too
    toward towards under until up upon us very via was we well were what whatever when where whereas
    whether which while who whom whose why will with within without would yet you your yours yourself
    yourselves
    paper papers propose proposes proposed show shows shown present presents presented introduce introduces
    introduced demonstrate demonstrates demonstrated study studies studied work works result results
    approach approaches method methods new novel use uses used using based existing prior previous recent
    recently significantly significant various different important finally first second third two three
    achieve achieves achieved experiment experiments experimental extensive
    outperform outperforms outperforming compared better best
"""
STOP_WORDS: Final = frozenset(_STOP_WORDS_TEXT.split())

_SCALE_EPS: Final = 1e-12
_NO_TERMS: Final = array("I")
_STEP_CHECKSUMS: Final = 2_000  # ... or checks this many papers' checksums
_STEP_TERMS: Final = 20_000  # ... or this many terms
_STEP_PAPERS: Final = 16  # a stepped build yields after this many papers (~2-4 ms)
_LOG_TF_SIZE: Final = 256
_log_tf: Final = [0.0] + [1.0 + math.log(tf) for tf in range(1, _LOG_TF_SIZE)]


def _stem(word: str) -> str:
    """Plurals to singular, crudely: 'networks' -> 'network', 'properties' -> 'property'."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


# A word as found in a text (bytes for ASCII texts, str otherwise) -> its term ('' for none). The
# vocabulary is bounded, and this makes each distinct word cost its folding and stemming once.
_TERM_OF: dict[str | bytes, str] = {}
# ASCII letters and digits to themselves, everything else to a space: bytes.translate + split is ~2x faster
# than a regular expression over the 12 MB of abstracts of a 10k library.
_ASCII_SPACES: Final = bytes(c if (48 <= c <= 57 or 97 <= c <= 122) else 32 for c in range(256))


def _term_of(word: str | bytes) -> str:
    if isinstance(word, bytes):
        word = word.decode("ascii")
    elif not word.isascii():
        word = "".join(_ASCII_WORD.findall(fold(word)))
    term = "" if len(word) < 2 or word.isdigit() or word in STOP_WORDS else _stem(word)
    if term in STOP_WORDS:
        term = ""
    return term


def _words(text: str) -> list[str] | list[bytes]:
    lowered = text.lower()
    if lowered.isascii():
        return lowered.encode("ascii").translate(_ASCII_SPACES).split()
    # fold() costs a pass in Python over every character; it is done once per distinct word instead.
    return _WORD.findall(lowered)


def terms(text: str) -> list[str]:
    """The index terms of ``text`` (folded, see ``model.fold``), in order, with repeats."""
    cache = _TERM_OF
    found: list[str] = []
    for word in _words(text):
        term = cache.get(word)
        if term is None:
            term = cache[word] = _term_of(word)
        if term:
            found.append(term)
    return found


def term_counts(paper: Paper) -> Counter[str]:
    """Weighted term frequencies of a paper: a title term counts ``TITLE_WEIGHT`` times."""
    title, abstract = about(paper)
    counts = _count_terms(_words(abstract))
    for term, n in _count_terms(_words(title)).items():
        counts[term] += n * TITLE_WEIGHT
    counts.pop("", None)
    return counts


def _count_terms(words: Sequence[str | bytes]) -> Counter[str]:
    # The counting happens in C; only words never met before (counted under None) cost Python time.
    cache = _TERM_OF
    counts: Counter[Any] = Counter(map(cache.get, words))
    if None in counts:
        for word in filterfalse(cache.__contains__, words):
            cache[word] = _term_of(word)
        counts = Counter(map(cache.__getitem__, words))
    return counts


def text_checksum(paper: Paper) -> int:
    """A checksum of what the index reads from a paper; a change means the paper must be re-indexed."""
    title, abstract = about(paper)
    return zlib.crc32(f"{title}\x1f{abstract}".encode())


class CacheError(ValueError):
    """The cache file is not one this version can read."""


class SimilarityIndex:
    """TF-IDF vectors of a library's papers with an inverted index. See the module docstring."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.ids: list[str] = []  # doc number -> paper id (dead docs keep theirs)
        self._doc_of: dict[str, int] = {}  # paper id -> its live doc number
        self._checksums = array("I")
        self._dead: set[int] = set()
        self._terms: list[str] = []
        self._term_no: dict[str, int] = {}
        self._idf = array("d")
        self._post_docs: list[array[int]] = []
        self._post_weights: list[array[float]] = []
        # Each doc's heaviest terms (its query), in CSR form: doc d's are [_q_start[d], _q_start[d + 1]).
        self._q_start = array("I", [0])
        self._q_terms = array("I")
        self._q_weights = array("f")
        self.built_docs = 0  # live docs at the last full build (their df made the idf values)
        self.changes_since_build = 0  # docs added, changed or removed since then
        self.loaded_from_cache = False
        self.last_update = ""  # what the last load_or_build/refresh did: "cache", "incremental", "build"

    # -- building ------------------------------------------------------------------------------------

    @classmethod
    def build(cls, papers: Iterable[Paper], folder: Path | None = None) -> SimilarityIndex:
        """A fresh index of ``papers`` (nothing is written)."""
        # The build makes many objects and no reference cycles; the collector's passes over them
        # cost ~20% of the time for nothing.
        with _collector_paused():
            return _run(cls.build_steps(papers, folder))

    @classmethod
    def build_steps(
        cls, papers: Iterable[Paper], folder: Path | None = None
    ) -> Generator[float, None, SimilarityIndex]:
        """The same build as ``build``, as a generator: it yields its progress (0-1) every few dozen papers,
        so a window can advance it between events, and returns the index (``StopIteration.value``).

        ``build`` runs this very generator to its end, so both give the same index.
        """
        index = cls()
        index.folder = folder
        papers = list(papers)
        total = len(papers)
        steps = 2 * total + 1
        # Pass 1: each paper's term numbers (in order of first appearance, so the same catalogue always
        # gives the same index) and term counts, kept as two small arrays per paper, never as a Counter
        # (at 100k papers the Counters alone took ~500 MB); df counted per term number.
        doc_terms: list[array[int]] = []
        doc_counts: list[array[int]] = []
        df = array("I")
        term_no = index._term_no
        for doc, paper in enumerate(papers):
            counts = term_counts(paper)
            for term in filterfalse(term_no.__contains__, counts):
                term_no[term] = len(index._terms)
                index._terms.append(term)
                index._post_docs.append(array("I"))
                index._post_weights.append(array("f"))
                df.append(0)
            found = array("I", map(term_no.__getitem__, counts))
            for number in found:
                df[number] += 1
            doc_terms.append(found)
            doc_counts.append(array("I", counts.values()))
            if doc % _STEP_PAPERS == 0:
                yield doc / steps
        for start in range(0, len(df), _STEP_TERMS):
            index._idf.extend(math.log(total / n) for n in df[start : start + _STEP_TERMS])
            yield doc / steps
        del df
        # Pass 2: weights. Postings go straight into typed arrays (4 bytes a doc number, 4 a weight): as
        # Python lists of ints and floats they took ~70 bytes a posting, ~550 MB at 100k papers.
        post_docs, post_weights = index._post_docs, index._post_weights
        for doc, paper in enumerate(papers):
            index._add_doc_id(paper)
            numbers, weights = index._weigh_numbers(list(doc_terms[doc]), list(doc_counts[doc]))
            doc_terms[doc] = doc_counts[doc] = _NO_TERMS  # freed as the build goes
            for number, weight in zip(numbers, weights, strict=True):
                post_docs[number].append(doc)
                post_weights[number].append(weight)
            index._add_query(numbers, weights)
            if doc % _STEP_PAPERS == 0:
                yield (total + doc) / steps
        index.built_docs = total
        index.changes_since_build = 0
        index.last_update = "build"
        return index

    def _add_term(self, term: str, idf: float) -> int:
        number = len(self._terms)
        self._terms.append(term)
        self._term_no[term] = number
        self._idf.append(idf)
        self._post_docs.append(array("I"))
        self._post_weights.append(array("f"))
        return number

    def _add_doc_id(self, paper: Paper) -> int:
        doc = len(self.ids)
        self.ids.append(paper.id)
        self._doc_of[paper.id] = doc
        self._checksums.append(text_checksum(paper))
        return doc

    def _weigh(self, counts: Mapping[str, int]) -> tuple[list[int], list[float]]:
        """A paper's term numbers and weights (unit length); terms not in the vocabulary are added."""
        term_no = self._term_no
        for term in filterfalse(term_no.__contains__, counts):
            # As for a term in one paper of the catalogue at the last full build.
            self._add_term(term, math.log(max(self.built_docs, 1) + 1))
        return self._weigh_numbers(list(map(term_no.__getitem__, counts)), list(counts.values()))

    def _weigh_numbers(self, numbers: list[int], tfs: list[int]) -> tuple[list[int], list[float]]:
        """Term numbers and their counts -> the numbers and weights (unit length) of the terms that weigh."""
        idf = self._idf
        if max(tfs, default=0) < _LOG_TF_SIZE:
            log_tf = _log_tf
            weights = [log_tf[tf] * idf[n] for tf, n in zip(tfs, numbers, strict=True)]
        else:
            weights = [(1.0 + math.log(tf)) * idf[n] for tf, n in zip(tfs, numbers, strict=True)]
        if 0.0 in weights:  # terms in every paper say nothing
            kept = [(n, w) for n, w in zip(numbers, weights, strict=True) if w > 0.0]
            numbers, weights = [n for n, _ in kept], [w for _, w in kept]
        scale = 1.0 / (math.hypot(*weights) or 1.0)
        return numbers, [w * scale for w in weights]

    def _add_query(self, numbers: list[int], weights: list[float]) -> None:
        heaviest = sorted(zip(weights, numbers, strict=True), reverse=True)[:QUERY_TERMS]
        self._q_terms.extend(number for _, number in heaviest)
        self._q_weights.extend(weight for weight, _ in heaviest)
        self._q_start.append(len(self._q_terms))

    def _append_doc(self, paper: Paper, counts: Mapping[str, int]) -> None:
        doc = self._add_doc_id(paper)
        numbers, weights = self._weigh(counts)
        post_docs, post_weights = self._post_docs, self._post_weights
        for number, weight in zip(numbers, weights, strict=True):
            post_docs[number].append(doc)
            post_weights[number].append(weight)
        self._add_query(numbers, weights)

    # -- keeping current -----------------------------------------------------------------------------

    @classmethod
    def load_or_build(cls, library: Library) -> SimilarityIndex:
        """The library's index: from its cache, brought up to date, or built; the cache is rewritten if stale."""
        with _collector_paused():
            return _run(cls.load_or_build_steps(library))

    @classmethod
    def load_or_build_steps(cls, library: Library) -> Generator[float, None, SimilarityIndex]:
        """``load_or_build`` as a generator that yields its progress (0-1) while it builds (see ``build_steps``).

        A usable cache is read and brought up to date in one step; a build, from scratch or because too
        much changed since the last one, goes in steps.
        """
        path = library.folder / CACHE_FILE
        index: SimilarityIndex | None = None
        try:
            index = yield from cls._load_steps(path)
        except FileNotFoundError:
            pass
        except (CacheError, ValueError, KeyError, TypeError, OverflowError, orjson.JSONDecodeError):
            index = None  # unreadable or from another version: rebuilt below
        stale: list[Paper] = []
        gone: list[str] = []
        if index is not None:
            stale, gone = yield from index._out_of_date_steps(library, None)
            if index.changes_since_build + len(stale) + len(gone) > REBUILD_SHARE * index.built_docs:
                index = None  # so much changed that the idf values must be made again: built below
        if index is None:
            yield 0.0
            index = yield from cls.build_steps(library.papers.values(), library.folder)
            if not library.read_only:
                with contextlib.suppress(OSError):  # the index works from memory; the next start rebuilds it
                    yield from index._save_steps(library.folder / CACHE_FILE)
            return index
        index.folder = library.folder
        # a paper changed while this ran reaches the index through the keeper (it collects the ids meanwhile)
        if index._take_changes(library, stale, gone):
            index._save_quietly(library)
        else:
            index.last_update = "cache"
        return index

    def refresh(self, library: Library, paper_ids: Iterable[str] | None = None) -> bool:
        """Bring the index up to date with the library (or only with ``paper_ids``); True if anything changed.

        The cache file is not written; ``save`` does that.
        """
        stale, gone = _run(self._out_of_date_steps(library, paper_ids))
        return self._take_changes(library, stale, gone)

    def rebuild_due(self, library: Library, paper_ids: Iterable[str]) -> bool:
        """Whether taking in the changes to ``paper_ids`` would rebuild the index from scratch (``REBUILD_SHARE``)."""
        stale, gone = _run(self._out_of_date_steps(library, paper_ids))
        return self.changes_since_build + len(stale) + len(gone) > REBUILD_SHARE * self.built_docs

    def _take_changes(self, library: Library, stale: list[Paper], gone: list[str]) -> bool:
        """Index ``stale`` papers again and drop the ``gone`` ones (or rebuild if too much changed)."""
        doc_of = self._doc_of
        if not stale and not gone:
            return False
        changes = self.changes_since_build + len(stale) + len(gone)
        if changes > REBUILD_SHARE * self.built_docs:
            rebuilt = SimilarityIndex.build(library.papers.values(), self.folder)
            self._take(rebuilt)
            return True
        for pid in gone:
            self._dead.add(doc_of.pop(pid))
        for paper in stale:
            old = doc_of.get(paper.id)
            if old is not None:
                self._dead.add(old)
            self._append_doc(paper, term_counts(paper))
        self.changes_since_build = changes
        self.last_update = "incremental"
        return True

    def _out_of_date_steps(
        self, library: Library, paper_ids: Iterable[str] | None
    ) -> Generator[float, None, tuple[list[Paper], list[str]]]:
        """The papers (of ``paper_ids``, or all) new or changed since indexed, and the ids gone from the library;
        a generator that yields every few thousand papers checked (0.5 s at 100k papers)."""
        papers = library.papers
        if paper_ids is None:
            gone = [pid for pid in self._doc_of if pid not in papers]
            candidates: Iterable[str] = papers
        else:
            wanted = list(dict.fromkeys(paper_ids))
            gone = [pid for pid in wanted if pid in self._doc_of and pid not in papers]
            candidates = [pid for pid in wanted if pid in papers]
        checksums, doc_of = self._checksums, self._doc_of
        stale: list[Paper] = []
        for count, pid in enumerate(candidates, 1):
            paper = papers[pid]
            doc = doc_of.get(pid)
            if doc is None or checksums[doc] != text_checksum(paper):
                stale.append(paper)
            if count % _STEP_CHECKSUMS == 0:
                yield 0.5
        return stale, gone

    def _take(self, other: SimilarityIndex) -> None:
        for name in self._STATE:
            setattr(self, name, getattr(other, name))

    _STATE: Final = (
        "ids", "_doc_of", "_checksums", "_dead", "_terms", "_term_no", "_idf", "_post_docs", "_post_weights",
        "_q_start", "_q_terms", "_q_weights", "built_docs", "changes_since_build", "last_update",
    )

    # -- the cache file ------------------------------------------------------------------------------

    def save(self, path: Path | None = None) -> Path:
        """Write the cache atomically (to ``path`` or the library folder's ``similarity.cache``)."""
        if path is None:
            if self.folder is None:
                raise ValueError("this index belongs to no library folder; give a path")
            path = self.folder / CACHE_FILE
        for _ in self._save_steps(path):
            pass
        return path

    def _save_steps(self, path: Path) -> Iterator[float]:
        """``save`` in steps: the postings are gathered a few thousand terms at a time, then written by a thread."""
        lengths = array("I", (len(docs) for docs in self._post_docs))
        post_docs = array("I")
        post_weights = array("f")
        for number, (docs, weights) in enumerate(zip(self._post_docs, self._post_weights, strict=True)):
            post_docs.extend(docs)
            post_weights.extend(weights)
            if number % _STEP_TERMS == 0:
                yield 1.0
        blobs: list[tuple[str, array[Any]]] = [
            ("checksums", self._checksums),
            ("idf", self._idf),
            ("lengths", lengths),
            ("post_docs", post_docs),
            ("post_weights", post_weights),
            ("q_start", self._q_start),
            ("q_terms", self._q_terms),
            ("q_weights", self._q_weights),
        ]
        header = {
            "format": FORMAT_VERSION,
            "settings": _settings(),
            "built_docs": self.built_docs,
            "changes_since_build": self.changes_since_build,
            "ids": self.ids,
            "dead": sorted(self._dead),
            "terms": self._terms,
            "blobs": [[name, blob.typecode, len(blob)] for name, blob in blobs],
        }
        yield 1.0
        # The file (~0.9 KB a paper, fsynced) is written by a thread, which holds the GIL only between its
        # writes: the caller's steps go on meanwhile, and end when it has (0.25 s in one step at 100k).
        failed: list[BaseException] = []

        def write() -> None:
            try:
                cachefile.write(path, _MAGIC, header, [memoryview(blob).cast("B") for _, blob in blobs])
            except BaseException as exc:  # handed to the caller below
                failed.append(exc)

        writer = threading.Thread(target=write, name="similarity-cache")
        writer.start()
        while writer.is_alive():
            writer.join(0.002)
            yield 1.0
        if failed:
            raise failed[0]

    def _save_quietly(self, library: Library) -> None:
        if library.read_only:
            return
        with contextlib.suppress(OSError):  # the index works from memory; the next start rebuilds it
            self.save(library.folder / CACHE_FILE)

    @classmethod
    def load(cls, path: Path) -> SimilarityIndex:
        """Read a cache file as it was written (not checked against any library).

        Raises:
            FileNotFoundError: there is no cache.
            CacheError: the file is damaged or was written with other settings.
        """
        return _run(cls._load_steps(path))

    @classmethod
    def _load_steps(cls, path: Path) -> Generator[float, None, SimilarityIndex]:
        """``load`` in steps: the postings are cut out a few thousand terms at a time (0.7 s at 100k papers)."""
        header, raw, at = cachefile.read(path, _MAGIC, CacheError)
        if header.get("format") != FORMAT_VERSION or header.get("settings") != _settings():
            raise CacheError("written by another version or with other settings")
        view = memoryview(raw)
        blobs: dict[str, array[Any]] = {}
        for name, typecode, count in header["blobs"]:
            blob = array(typecode)
            end = at + count * blob.itemsize
            if end > len(raw):
                raise CacheError("the file is truncated")
            blob.frombytes(view[at:end])
            blobs[name] = blob
            at = end
        index = cls()
        index.ids = list(header["ids"])
        index._dead = set(header["dead"])
        index._doc_of = {pid: doc for doc, pid in enumerate(index.ids) if doc not in index._dead}
        index._checksums = blobs["checksums"]
        index._terms = list(header["terms"])
        index._term_no = {term: number for number, term in enumerate(index._terms)}
        index._idf = blobs["idf"]
        post_docs, post_weights, start = blobs["post_docs"], blobs["post_weights"], 0
        for number, length in enumerate(blobs["lengths"]):
            index._post_docs.append(post_docs[start : start + length])
            index._post_weights.append(post_weights[start : start + length])
            start += length
            if number % _STEP_TERMS == 0:
                yield 0.5
        index._q_start, index._q_terms, index._q_weights = blobs["q_start"], blobs["q_terms"], blobs["q_weights"]
        index.built_docs = int(header["built_docs"])
        index.changes_since_build = int(header["changes_since_build"])
        if not (
            len(index._checksums) == len(index.ids) == len(index._q_start) - 1
            and len(index._idf) == len(index._terms) == len(index._post_docs)
            and start == len(post_docs) == len(post_weights)
        ):
            raise CacheError("the file's parts do not agree")
        index.loaded_from_cache = True
        return index

    # -- queries -------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._doc_of)

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self._doc_of

    def _query_of(self, doc: int) -> list[tuple[int, float]]:
        start, end = self._q_start[doc], self._q_start[doc + 1]
        return list(zip(self._q_terms[start:end], self._q_weights[start:end], strict=True))

    def _top(self, query: Sequence[tuple[int, float]], n: int, exclude: set[int]) -> list[tuple[int, float]]:
        """The ``n`` live docs scoring highest against ``query`` (term numbers and weights), best first."""
        # A list indexed by doc number accumulates ~20% faster than a dict; the set of docs touched is
        # gathered in C. At 100k papers a query walks ~70k postings (median).
        scores = [0.0] * len(self.ids)
        touched: set[int] = set()
        post_docs, post_weights = self._post_docs, self._post_weights
        longest = QUERY_MAX_DF * len(self.ids)
        for number, q_weight in query:
            docs = post_docs[number]
            if len(docs) > longest:
                continue
            touched.update(docs)
            for doc, weight in zip(docs, post_weights[number], strict=True):
                scores[doc] += q_weight * weight
        touched -= exclude
        touched -= self._dead
        best = heapq.nlargest(n, touched, key=scores.__getitem__)
        best.sort(key=lambda doc: (-scores[doc], doc))  # equal scores: the earlier paper first
        return [(doc, scores[doc]) for doc in best if scores[doc] > _SCALE_EPS]

    def similar(self, paper_id: str, n: int = 10, hidden: Iterable[str] = ()) -> list[tuple[str, float]]:
        """The ``n`` papers most similar to ``paper_id``, best first, with their cosine similarity (0-1);
        never one of ``hidden`` (the papers in the Trash: ``Library.trashed_ids``).

        Raises:
            KeyError: the paper is not in the index.
        """
        doc = self._doc_of[paper_id]
        ids = self.ids
        exclude = {doc, *(d for pid in hidden if (d := self._doc_of.get(pid)) is not None)}
        return [(ids[d], score) for d, score in self._top(self._query_of(doc), n, exclude)]

    def recommend(self, library: Library, n: int = 20) -> list[tuple[str, float]]:
        """Untriaged papers (status "new") ranked by similarity to those read or rated 4-5.

        Each seed (read, or rated 4-5; at most the ``RECOMMEND_SEEDS`` most recently changed) votes for its
        ``RECOMMEND_NEIGHBOURS`` nearest untriaged papers with its similarity to them, times 1.5 for a
        rating of 5 and 1.25 for 4; a paper's score is the sum of its votes, so papers close to several of
        the user's favourites rank first. A paper in the Trash is neither recommended nor a seed.
        """
        seeds: list[tuple[str, str, float]] = []  # (changed, id, weight)
        triaged: set[int] = set()
        for pid in library.annotated_ids():
            doc = self._doc_of.get(pid)
            if doc is None:
                continue
            ann = library.annotation(pid)
            if ann.trashed:
                triaged.add(doc)
                continue
            if ann.status != "new":
                triaged.add(doc)
            if ann.status == "read" or ann.rating >= GOOD_RATING:
                weight = 1.5 if ann.rating >= 5 else 1.25 if ann.rating >= GOOD_RATING else 1.0
                seeds.append((ann.changed or ann.status_changed, pid, weight))
                triaged.add(doc)
        seeds.sort(reverse=True)
        votes: dict[int, float] = {}
        for _, pid, weight in seeds[:RECOMMEND_SEEDS]:
            doc = self._doc_of[pid]
            for other, score in self._top(self._query_of(doc), RECOMMEND_NEIGHBOURS, triaged):
                votes[other] = votes.get(other, 0.0) + weight * score
        # Equal scores: the paper earlier in the catalogue first, so results do not depend on set order.
        best = heapq.nlargest(n, votes, key=lambda doc: (votes[doc], -doc))
        return [(self.ids[doc], votes[doc]) for doc in best]


_Result = TypeVar("_Result")


def _run(steps: Generator[float, None, _Result]) -> _Result:
    """Run a stepped build to its end at once."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _settings() -> dict[str, Any]:
    """What the cache depends on besides the papers; a change here makes old caches rebuild."""
    return {
        "title_weight": TITLE_WEIGHT,
        "query_terms": QUERY_TERMS,
        "stop_words": zlib.crc32(" ".join(sorted(STOP_WORDS)).encode()),
        "tokeniser": 1,
    }


class SimilarityKeeper:
    """Loads a library's index on first use and keeps it current as papers are imported.

    Call it for the index (loaded or built at once, as the command line does). A window instead calls
    ``start_loading`` and then ``load_step`` between its events until it returns True, showing
    ``progress`` meanwhile; ``index`` is None until then. The keeper listens to the library's change
    notifications and, on the next call, re-checks only the papers named in them (an annotation edit costs
    one checksum), then rewrites the cache if the catalogue changed.
    """

    def __init__(self, library: Library, on_loaded: Callable[[SimilarityIndex], None] | None = None) -> None:
        self.library = library
        self._index: SimilarityIndex | None = None
        self._pending: set[str] = set()
        self._on_loaded = on_loaded
        self._steps: Generator[float, None, SimilarityIndex] | None = None
        self.progress = 0.0  # of a load in steps, 0-1
        library.events.connect_ids(self._papers_changed)

    def _papers_changed(self, paper_ids: Sequence[str]) -> None:
        if self._index is not None or self._steps is not None:
            self._pending.update(paper_ids)  # a build in steps reads the catalogue as it was when it began

    @property
    def loaded(self) -> bool:
        return self._index is not None

    @property
    def loading(self) -> bool:
        """A load in steps has begun and not finished."""
        return self._steps is not None

    @property
    def index(self) -> SimilarityIndex | None:
        """The index once loaded (brought up to date with the changes since), else None: never blocks long."""
        return self() if self._index is not None else None

    def rebuild_due(self) -> bool:
        """Whether the loaded index would be rebuilt from scratch to take in the changes since (an import of
        many papers): a window then builds it again in steps (``rebuild_in_steps``) instead of at once."""
        return self._index is not None and bool(self._pending) and self._index.rebuild_due(self.library, self._pending)

    def rebuild_in_steps(self) -> None:
        """Let the loaded index go and begin building it again in steps; ``index`` is None until then."""
        self._index = None
        self._pending.clear()
        self._steps = None
        self.start_loading()

    def start_loading(self) -> None:
        """Begin loading the index in steps (``load_step``); nothing if it is loaded or loading."""
        if self._index is None and self._steps is None:
            self.progress = 0.0
            self._steps = SimilarityIndex.load_or_build_steps(self.library)

    def load_step(self, seconds: float) -> bool:
        """Advance a load begun by ``start_loading`` for about ``seconds``; True once the index is loaded."""
        if self._index is not None:
            return True
        steps = self._steps
        if steps is None:
            return False
        deadline = time.perf_counter() + seconds
        with _collector_paused():
            try:
                while True:
                    self.progress = next(steps)
                    if time.perf_counter() >= deadline:
                        return False
            except StopIteration as done:
                index: SimilarityIndex = done.value
        self._steps = None
        self.progress = 1.0
        self._loaded(index)
        if self._pending:  # changed while it was built
            self()
        return True

    def _loaded(self, index: SimilarityIndex) -> None:
        self._index = index
        if self._on_loaded is not None:
            self._on_loaded(index)

    def __call__(self) -> SimilarityIndex:
        if self._index is None:
            self._steps = None  # a load in steps, if any, is finished at once instead
            self._pending.clear()
            self._loaded(SimilarityIndex.load_or_build(self.library))
        elif self._pending:
            pending, self._pending = self._pending, set()
            if self._index.refresh(self.library, pending):
                self._index._save_quietly(self.library)
        assert self._index is not None
        return self._index
