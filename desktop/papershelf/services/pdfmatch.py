"""Which paper a downloaded PDF is, found offline from the PDF itself.

In order: an arXiv id or a DOI in the file's name, its metadata or its first page that a paper of the
library has; else the first page's title lines against the library's titles. A match is *confident* only
when it cannot be another paper: the same arXiv id or DOI, or a run of the page's first lines that is
exactly a paper's title (letters and digits compared, so spacing, hyphenation and ligatures do not matter)
with one of its authors' last names on the page. Anything less (a title without its authors, a near
title) is *unsure*: it is listed with the best candidates and never attached on its own, because a wrong
attachment is worse than none.

The text comes from pypdf (pure Python). A file that cannot be read, or is encrypted, is reported and
skipped; it never stops the others.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from papershelf.core.identifiers import ARXIV_ID_RE
from papershelf.core.library import Library
from papershelf.core.model import fold, normalise_title
from papershelf.services.links import arxiv_id

CONFIDENT: Final = 0.95  # the score a match needs to be attached
_HEAD_LINES: Final = 12  # the first lines of page 1 where a title is looked for
_MAX_TITLE_LINES: Final = 4
_HEAD_CHARS: Final = 3000  # of page 1, where the authors are looked for
_DOI_RE: Final = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>{}]+)", re.IGNORECASE)
_WORD: Final = re.compile(r"[a-z0-9]{3,}")
_ARXIV_STAMP: Final = re.compile(r"arxiv:\s*(" + ARXIV_ID_RE.pattern + ")", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PdfFacts:
    """What a PDF says about itself: its metadata title, its first page's text, ids found in either."""

    path: Path
    title: str = ""
    first_page: str = ""
    arxiv_ids: tuple[str, ...] = ()
    dois: tuple[str, ...] = ()
    problem: str = ""  # why nothing could be read, if nothing could


@dataclass(slots=True)
class PdfMatch:
    """One PDF and the paper it is (``paper_id``, when confident) or the best candidates (when unsure)."""

    path: Path
    paper_id: str | None = None
    score: float = 0.0
    how: str = ""  # "arxiv", "doi", "title", or "" when unmatched
    candidates: list[tuple[str, float]] = field(default_factory=list)  # (paper id, score), best first
    problem: str = ""

    @property
    def confident(self) -> bool:
        return self.paper_id is not None and self.score >= CONFIDENT


def read_pdf(path: Path) -> PdfFacts:
    """The metadata title and first page text of ``path``; ``problem`` says why not, never raises."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    return PdfFacts(path, problem="it is encrypted")
            except (PyPdfError, NotImplementedError) as exc:
                return PdfFacts(path, problem=f"it is encrypted ({exc})")
        meta = reader.metadata
        title = str(meta.title or "") if meta is not None else ""
        extra = " ".join(str(meta.get(k, "")) for k in ("/Subject", "/Keywords", "/doi")) if meta is not None else ""
        text = reader.pages[0].extract_text() if len(reader.pages) else ""
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        return PdfFacts(path, problem=f"it could not be read as a PDF ({type(exc).__name__}: {exc})")
    everything = f"{path.stem} {title} {extra}\n{text}"
    arxiv = [m.group(1) for m in _ARXIV_STAMP.finditer(everything)]
    if name_id := ARXIV_ID_RE.fullmatch(path.stem.removeprefix("arXiv-").removeprefix("arxiv_")):
        arxiv.insert(0, name_id.group(0))
    dois = [m.group(1).rstrip(".,;)]") for m in _DOI_RE.finditer(everything.replace("%2F", "/"))]
    return PdfFacts(path, title, text, tuple(dict.fromkeys(arxiv)), tuple(dict.fromkeys(dois)))


def _unversioned(identifier: str) -> str:
    return re.sub(r"v\d+$", "", identifier)


class PdfMatcher:
    """The library's papers indexed by arXiv id, DOI, normalised title and title words, for ``match``."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.by_arxiv: dict[str, str] = {}
        self.by_doi: dict[str, str] = {}
        self.by_title: dict[str, list[str]] = {}
        self.by_word: dict[str, set[str]] = {}
        for pid, paper in library.papers.items():
            if identifier := arxiv_id(paper):
                self.by_arxiv.setdefault(_unversioned(identifier), pid)
            if paper.doi.strip():
                self.by_doi.setdefault(paper.doi.strip().lower(), pid)
            title = normalise_title(paper.title)
            if len(title) >= 8:  # a title of a word or two could be any page's line
                self.by_title.setdefault(title, []).append(pid)
            for word in set(_WORD.findall(fold(paper.title))):
                self.by_word.setdefault(word, set()).add(pid)

    def match(self, facts: PdfFacts) -> PdfMatch:
        """The paper ``facts`` are of; a paper in the Trash is never a sure match, only a candidate (the
        user may restore it and pick it)."""
        found = self._match(facts)
        if found.paper_id is not None and self.library.is_trashed(found.paper_id):
            key = self.library.papers[found.paper_id].key
            return PdfMatch(found.path, None, min(found.score, 0.9), found.how,
                            found.candidates or [(found.paper_id, found.score)],
                            f"its paper {key} was in the Trash (restore it, then pick it)")
        return found

    def _match(self, facts: PdfFacts) -> PdfMatch:
        found = PdfMatch(facts.path, problem=facts.problem)
        if facts.problem:
            return found
        for identifier in facts.arxiv_ids:
            if (pid := self.by_arxiv.get(_unversioned(identifier))) is not None:
                return PdfMatch(facts.path, pid, 1.0, "arxiv", [(pid, 1.0)])
        for doi in facts.dois:
            if (pid := self.by_doi.get(doi.lower())) is not None:
                return PdfMatch(facts.path, pid, 1.0, "doi", [(pid, 1.0)])
        page = facts.first_page
        lines = [line.strip() for line in page.splitlines() if line.strip()][:_HEAD_LINES]
        head = fold(page[:_HEAD_CHARS])
        exact: dict[str, float] = {}
        blocks = [facts.title] if facts.title.strip() else []
        blocks += [" ".join(lines[i:j]) for i in range(len(lines))
                   for j in range(i + 1, min(i + _MAX_TITLE_LINES, len(lines)) + 1)]
        for block in blocks:
            for pid in self.by_title.get(normalise_title(block), ()):
                exact[pid] = max(exact.get(pid, 0.0), 1.0 if self._author_on_page(pid, head) else 0.8)
        if exact:
            ranked = sorted(exact.items(), key=lambda item: -item[1])
            best, score = ranked[0]
            sure = score >= CONFIDENT and sum(1 for _, s in ranked if s >= CONFIDENT) == 1
            return PdfMatch(facts.path, best if sure else None, score if sure else min(score, 0.9), "title", ranked[:3])
        found.candidates = self._near_titles(" ".join(lines[:6]), head)
        found.score = found.candidates[0][1] if found.candidates else 0.0
        return found

    def _author_on_page(self, pid: str, head: str) -> bool:
        for author in self.library.papers[pid].authors:
            # "Ann Smith" or "Smith, Ann": the last name, as the page shows it (case and accents aside)
            words = (author.split(",")[0] if "," in author else author).split()
            last = fold(words[-1]) if words else ""
            if len(last) >= 2 and re.search(rf"(?<![a-z]){re.escape(last)}(?![a-z])", head):
                return True
        return False

    def _near_titles(self, text: str, head: str, limit: int = 3) -> list[tuple[str, float]]:
        """Papers whose titles share rare words with the page's first lines, scored by similarity (< 0.95)."""
        words = set(_WORD.findall(fold(text)))
        votes: Counter[str] = Counter()
        for word in words:
            papers = self.by_word.get(word, ())
            if 0 < len(papers) <= 200:
                votes.update(papers)
        target = normalise_title(text)
        scored: list[tuple[str, float]] = []
        for pid, _ in votes.most_common(20):
            title = normalise_title(self.library.papers[pid].title)
            if not title:
                continue
            matcher = difflib.SequenceMatcher(None, title, target, autojunk=False)
            block = matcher.find_longest_match(0, len(title), 0, len(target))
            ratio = block.size / len(title)
            if self._author_on_page(pid, head):
                ratio = min(1.0, ratio + 0.05)
            scored.append((pid, round(min(ratio, 0.94), 3)))
        scored.sort(key=lambda item: -item[1])
        return scored[:limit]


def pdfs_in(folder: Path) -> list[Path]:
    """The PDFs in ``folder`` and its subfolders, by name."""
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() == ".pdf" and p.is_file())


def match_folder(
    library: Library, paths: Iterable[Path], *, progress: Callable[[int, Path], object] | None = None
) -> list[PdfMatch]:
    """A match for each PDF in ``paths``, in order (``progress(n, path)`` before each)."""
    matcher = PdfMatcher(library)
    results = []
    for n, path in enumerate(paths):
        if progress is not None:
            progress(n, path)
        results.append(matcher.match(read_pdf(path)))
    return results
