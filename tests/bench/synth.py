"""Synthetic libraries for the benchmarks, made deterministically from the bundled ICLR 2021 catalogue.

Papers are recombined from the 860 real ones with a fixed seed: titles spliced from two titles, authors
made of real first and last names, abstracts made of sentences of two abstracts, a year, a venue and
(for some) a DOI. The first N papers of the stream are the same for every N, so the 10k library is a
subset of the 100k one. 10% of the papers get an annotation (status, priority, rating, tags, lists and,
for half of them, a note), written through ``Library.restore``.

Everything is generated once into ``tests/bench/.cache/<version>/`` and reused; bump
``GENERATOR_VERSION`` when the generator changes (the library schema versions are part of the key too).
"""

from __future__ import annotations

import random
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import orjson

from papershelf.core import library as library_module
from papershelf.core.library import Library
from papershelf.core.model import STATUSES, TRACKS, Annotation, Paper, normalise_title
from papershelf.core.resources import data_dir
from papershelf.formats import paperlist
from papershelf.services.library import open_library

GENERATOR_VERSION = 1
SEED = 20210503
SIZES = {"860": 860, "10k": 10_000, "100k": 100_000}
BIB_SIZES = {"10k": 10_000, "1k": 1_000}
ANNOTATED_SHARE = 10  # one paper in ANNOTATED_SHARE is annotated

CACHE_ROOT = Path(__file__).resolve().parent / ".cache"

VENUES = {
    "ICLR": "International Conference on Learning Representations",
    "NeurIPS": "Advances in Neural Information Processing Systems",
    "ICML": "International Conference on Machine Learning",
    "CVPR": "IEEE/CVF Conference on Computer Vision and Pattern Recognition",
    "ACL": "Annual Meeting of the Association for Computational Linguistics",
    "AAAI": "AAAI Conference on Artificial Intelligence",
}
TAGS = ("rl", "gnn", "theory", "vision", "nlp", "robustness", "to-cite", "survey", "baseline", "optimisation",
        "generative", "fairness", "causal", "meta-learning", "important")
LISTS = ("thesis", "reading-group", "project-atlas", "related-work", "teaching")
STAMP = "2024-03-01T09:00:00+00:00"


def cache_dir() -> Path:
    key = f"gen-v{GENERATOR_VERSION}-cat{library_module.CATALOGUE_SCHEMA}-ann{library_module.ANNOTATIONS_SCHEMA}"
    return CACHE_ROOT / key


def base_papers() -> list[Paper]:
    """The 860 papers of the bundled catalogue, parsed from its Markdown list."""
    text = (data_dir() / "iclr2021-accepted.md").read_text(encoding="utf-8")
    return paperlist.parse(text, venue="ICLR", year=2021).papers


def _sentences(text: str) -> list[str]:
    parts = [s.strip() for s in text.replace("\n", " ").split(". ")]
    return [s if s.endswith(".") else s + "." for s in parts if s]


class _Pools:
    def __init__(self, papers: list[Paper]) -> None:
        self.title_words = [p.title.split() for p in papers if len(p.title.split()) >= 2]
        firsts: set[str] = set()
        lasts: set[str] = set()
        for paper in papers:
            for author in paper.authors:
                words = author.split()
                if len(words) >= 2:
                    firsts.add(" ".join(words[:-1]))
                    lasts.add(words[-1])
        self.firsts = sorted(firsts)
        self.lasts = sorted(lasts)
        self.author_counts = [max(1, len(p.authors)) for p in papers]
        self.sentences = [_sentences(p.abstract) for p in papers if p.abstract]


def synthetic_papers(count: int, existing: set[str]) -> Iterator[Paper]:
    """``count`` new papers whose normalised titles are not in ``existing`` (which is updated)."""
    rng = random.Random(SEED)
    pools = _Pools(base_papers())
    venues = sorted(VENUES)
    made = 0
    while made < count:
        a, b = rng.choice(pools.title_words), rng.choice(pools.title_words)
        title = " ".join(a[: rng.randint(1, len(a) - 1)] + b[rng.randint(1, len(b) - 1):])
        norm = normalise_title(title)
        if norm in existing:
            continue
        existing.add(norm)
        authors = [f"{rng.choice(pools.firsts)} {rng.choice(pools.lasts)}"
                   for _ in range(rng.choice(pools.author_counts))]
        first, second = rng.choice(pools.sentences), rng.choice(pools.sentences)
        cut = rng.randint(1, max(1, len(first) - 1))
        abstract = " ".join(first[:cut] + second[min(cut, len(second) - 1):])
        venue = rng.choice(venues)
        year = rng.randint(2012, 2024)
        doi = f"10.5555/bench.{made}" if rng.random() < 0.3 else ""
        fields = {"booktitle": VENUES[venue]}
        if rng.random() < 0.5:
            start = rng.randint(1, 9000)
            fields["pages"] = f"{start}--{start + rng.randint(5, 20)}"
        made += 1
        yield Paper(
            id="",
            key="",
            title=title,
            authors=authors,
            year=year,
            venue=venue,
            track=rng.choice((*TRACKS, None)),
            abstract=abstract,
            url=f"https://openreview.net/forum?id=bench{made:06d}",
            doi=doi,
            entry_type="inproceedings",
            fields=fields,
            added=STAMP,
        )


def synthetic_annotations(paper_ids: list[str], notes_from: list[Paper]) -> dict[str, Annotation]:
    """Annotations for every ANNOTATED_SHARE-th paper (a seeded choice), half of them with a note."""
    rng = random.Random(SEED + 1)
    chosen = rng.sample(paper_ids, len(paper_ids) // ANNOTATED_SHARE)
    sentences = [s for p in notes_from for s in _sentences(p.abstract)]
    result: dict[str, Annotation] = {}
    for pid in chosen:
        note = ""
        if rng.random() < 0.5:
            note = "\n\n".join(" ".join(rng.sample(sentences, rng.randint(1, 3))) for _ in range(rng.randint(1, 3)))
        result[pid] = Annotation(
            status=rng.choice(STATUSES[1:]),
            priority=rng.randint(0, 3),
            rating=rng.randint(0, 5),
            tags=rng.sample(TAGS, rng.randint(0, 3)),
            lists=rng.sample(LISTS, rng.choice((0, 0, 1, 2))),
            note=note,
            added=STAMP,
            changed=STAMP,
            status_changed=STAMP,
        )
    return result


def generate_library(folder: Path, size: int) -> None:
    """A synthetic library of ``size`` papers in ``folder``: the bundled ones, then made-up ones, 10% annotated."""
    library = open_library(folder)  # seeds the 860 bundled papers
    missing = size - len(library)
    if missing > 0:
        existing = {normalise_title(p.title) for p in library.papers.values()}
        library.import_papers(list(synthetic_papers(missing, existing)))
    if len(library) != size:
        raise RuntimeError(f"generated {len(library)} papers, wanted {size}")
    library.restore(synthetic_annotations(list(library.papers), base_papers()))


_LATEX = {"ö": '{\\"o}', "ü": '{\\"u}', "ä": '{\\"a}', "é": "{\\'e}", "è": "{\\`e}", "á": "{\\'a}",
          "ç": "{\\c{c}}", "ñ": "{\\~n}", "ø": "{\\o}", "í": "{\\'i}"}


def _bib_value(text: str) -> str:
    text = text.replace("{", "").replace("}", "").replace("\\", "")
    for char in "&%#":
        text = text.replace(char, "\\" + char)
    return text


def bibtex_text(papers: list[Paper]) -> str:
    """A BibTeX file for ``papers``; every other entry writes accented names as LaTeX escapes."""
    chunks: list[str] = []
    for number, paper in enumerate(papers):
        authors = " and ".join(paper.authors)
        if number % 2 and not authors.isascii():
            authors = "".join(_LATEX.get(c, c) for c in authors)
        fields = [("title", "{" + _bib_value(paper.title) + "}"), ("author", authors),
                  ("year", str(paper.year or "")), ("booktitle", paper.fields.get("booktitle", paper.venue))]
        if "pages" in paper.fields:
            fields.append(("pages", paper.fields["pages"]))
        if paper.doi:
            fields.append(("doi", paper.doi))
        if paper.url:
            fields.append(("url", paper.url))
        fields.append(("abstract", _bib_value(paper.abstract)))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        chunks.append(f"@{paper.entry_type}{{{paper.key},\n{body}\n}}\n")
    return "\n".join(chunks)


def ensure(log: list[str] | None = None) -> dict[str, Path]:
    """Generate whatever is missing from the cache; returns ``{name: path}`` for libraries and .bib files."""
    root = cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    for stale in CACHE_ROOT.glob("gen-*"):  # made by another generator or schema version: ~400 MB each
        if stale != root and stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
            if log is not None:
                log.append(f"removed the outdated {stale.name}")
    paths: dict[str, Path] = {}
    for name, size in SIZES.items():
        folder = root / f"lib-{name}"
        if not (folder / "complete").exists():
            started = time.perf_counter()
            tmp = root / f"lib-{name}.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.rmtree(folder, ignore_errors=True)
            generate_library(tmp, size)
            (tmp / "complete").write_text("ok\n")
            tmp.rename(folder)
            if log is not None:
                log.append(f"generated lib-{name} in {time.perf_counter() - started:.1f} s")
        paths[f"lib-{name}"] = folder
    for name, size in BIB_SIZES.items():
        path = root / f"papers-{name}.bib"
        if not path.exists():
            library = Library(paths["lib-10k"])
            papers = list(library.papers.values())[-size:]  # the newest: synthetic ones first
            tmp = path.with_suffix(".tmp")
            tmp.write_text(bibtex_text(papers), encoding="utf-8")
            tmp.rename(path)
            if log is not None:
                log.append(f"generated {path.name}")
        paths[f"bib-{name}"] = path
    for name, tables in (("stock-tinydb-100k", ("papers", "annotations")), ("stock-tinydb-ann-100k", ("annotations",))):
        path = root / f"{name}.json"
        if not path.exists():
            _stock_tinydb_file(path, paths["lib-100k"], tables)
            if log is not None:
                log.append(f"generated {path.name}")
        paths[name] = path
    return paths


def _stock_tinydb_file(path: Path, library: Path, tables: tuple[str, ...]) -> None:
    """The 100k library as stock TinyDB would hold it: one JSONStorage file, ``{table: {"1": doc, ...}}``.

    Annotation documents carry their ``paper_id`` (stock TinyDB keys documents by integer doc_id).
    """
    data: dict[str, dict[str, object]] = {}
    if "papers" in tables:
        papers = orjson.loads((library / "catalogue.json").read_bytes())["papers"]
        data["papers"] = {str(n): doc for n, doc in enumerate(papers.values(), start=1)}
        del papers
    annotations = orjson.loads((library / "annotations.json").read_bytes())["annotations"]
    data["annotations"] = {str(n): {"paper_id": pid, **doc}
                           for n, (pid, doc) in enumerate(annotations.items(), start=1)}
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(orjson.dumps(data))
    tmp.rename(path)


# -- a large notes file ---------------------------------------------------------------------------------

NOTES_FILE_MB = 50  # the notes file of issue 13: many long notes, and one huge one
HUGE_NOTE_BYTES = 1_000_000

_NOTE_EXTRAS = (
    "### Method\n\n- the loss: cross-entropy plus a KL term (β = 0.1)\n- ablation in §4; compare with the "
    "2020 version\n- *check* the appendix for the **hyper-parameters**",
    "```python\n## not a heading inside code\nloss = ce + 0.1 * kl  # Schölkopf's trick\n```",
    "| dataset | score |\n| --- | ---: |\n| CIFAR-10 | 93.1 |\n| ImageNet | 76.4 |",
    "> Quoted from the paper: “we observe a 3–5% gain”.\n\n<!-- a comment of mine -->",
    "1. read again\n2. reproduce table 2\n3. write to the authors — Müller et al.",
)


def long_note(rng: random.Random, sentences: list[str], size: int) -> str:
    """A Markdown note of about ``size`` characters: paragraphs of real sentences, headings, lists, code."""
    parts: list[str] = []
    length = 0
    while length < size:
        if rng.random() < 0.25:
            part = rng.choice(_NOTE_EXTRAS)
        else:
            part = " ".join(rng.choice(sentences) for _ in range(rng.randint(2, 6)))
        parts.append(part)
        length += len(part) + 2
    return "\n\n".join(parts)


def notes_file_text(library: Library, total_bytes: int = NOTES_FILE_MB * 1_000_000,
                    huge_note_bytes: int = HUGE_NOTE_BYTES, seed: int = SEED + 2) -> str:
    """A notes file for ``library`` of about ``total_bytes``: a section for papers in library order, each
    with a status line and a long note (~``total_bytes`` / papers), the first with a huge note.

    The papers' annotations are not touched: a first sync takes every section in.
    """
    from papershelf.sync import notesfile

    rng = random.Random(seed)
    sentences = [s for p in base_papers() for s in _sentences(p.abstract)]
    papers = list(library.papers.values())
    count = min(len(papers), max(1, total_bytes // 20_000))
    per_note = max(200, (total_bytes - huge_note_bytes) // count)
    sections = []
    for number, paper in enumerate(papers[:count]):
        size = huge_note_bytes if number == 0 else rng.randint(per_note // 2, per_note * 3 // 2)
        sections.append(notesfile.Section(
            key=paper.key, title=paper.title, status=rng.choice(STATUSES[1:]),
            tags=notesfile.canonical_tags(rng.sample(TAGS, rng.randint(0, 3))), note=long_note(rng, sentences, size),
        ))
    return notesfile.render("", sections)
