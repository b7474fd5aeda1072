"""More like this: TF-IDF similarity, its cache, incremental updates, recommendations and the CLI.

Run as a module for the timing figures (builds synthetic 10k and 100k libraries in a temp folder)::

    .venv/bin/python -m tests.core.test_similar [10000 100000]
"""

from __future__ import annotations

import math
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson
import pytest

from papershelf.core import similar
from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper
from papershelf.core.resources import data_dir
from papershelf.core.similar import CACHE_FILE, SimilarityIndex, SimilarityKeeper, terms
from papershelf.formats import paperlist
from papershelf.services.library import open_library

# -- the tokeniser ---------------------------------------------------------------------------------------


def test_terms_fold_drop_stop_words_and_numbers_and_singularise() -> None:
    assert terms("Schölkopf's Naïve GRAPH Networks: the properties of 2021 GNNs in 3D") == [
        "scholkopf", "naive", "graph", "network", "property", "gnn", "3d",
    ]
    # An ASCII text and a non-ASCII one give the same terms for the same words.
    assert terms("Graph networks – über fast") == ["graph", "network", "uber", "fast"]
    assert terms("graph networks - uber fast") == ["graph", "network", "uber", "fast"]


# -- quality on the bundled ICLR 2021 catalogue ------------------------------------------------------------

# How these were chosen: grep the titles in data/iclr2021-accepted.md for a topic
# (grep -n "^## " data/iclr2021-accepted.md | grep -iE "architecture search|NAS"), take two papers whose
# titles name the topic, and call "obviously related" every other paper whose title matches the same
# pattern. Measured here: 8 and 7 of the NAS papers, 6 and 7 of the GNN papers, and 3 and 4 of the
# certification/verification papers are in the top 10; the bounds below leave room for tuning.
TOPICS = [
    ("nas", r"architecture search|\bNAS\b", ["chen2021drnas", "wang2021rethinking"], 5),
    ("gnn", r"graph neural network|\bGNN", ["thost2021directed", "alon2021bottleneck"], 4),
    ("certified", r"certif|provabl|verif", ["mueller2021certify", "metzen2021efficient"], 2),
]


@pytest.fixture(scope="module")
def iclr(tmp_path_factory: pytest.TempPathFactory) -> tuple[Library, SimilarityIndex]:
    library = open_library(tmp_path_factory.mktemp("iclr") / "library")
    return library, SimilarityIndex.load_or_build(library)


@pytest.mark.parametrize(("topic", "pattern", "keys", "at_least"), TOPICS, ids=[t[0] for t in TOPICS])
def test_top_10_holds_obviously_related_papers(
    iclr: tuple[Library, SimilarityIndex], topic: str, pattern: str, keys: list[str], at_least: int
) -> None:
    library, index = iclr
    related = {p.id for p in library.papers.values() if re.search(pattern, p.title, re.IGNORECASE)}
    assert len(related) >= 3, f"the {topic} pattern should match several titles"
    for key in keys:
        pid = library.paper(key).id
        top = index.similar(pid, 10)
        assert len(top) == 10
        assert pid not in {other for other, _ in top}
        scores = [score for _, score in top]
        assert scores == sorted(scores, reverse=True)
        assert all(0 < score <= 1.0 + 1e-6 for score in scores)
        found = related & {other for other, _ in top}
        titles = [library.papers[other].title for other, _ in top]
        assert len(found) >= at_least, f"{key}: only {len(found)} {topic} papers in {titles}"


def test_similar_is_symmetric_in_score(iclr: tuple[Library, SimilarityIndex]) -> None:
    library, index = iclr
    a, b = library.paper("chen2021drnas").id, library.paper("wang2021rethinking").id
    # Both are in each other's top 10; capping the query to its heaviest terms makes the scores close.
    ab = dict(index.similar(a, 10))[b]
    ba = dict(index.similar(b, 10))[a]
    assert ab == pytest.approx(ba, rel=0.15)


def test_unknown_paper_raises_key_error(iclr: tuple[Library, SimilarityIndex]) -> None:
    _, index = iclr
    with pytest.raises(KeyError):
        index.similar("no-such-id")


# -- the cache --------------------------------------------------------------------------------------------


def test_cache_is_written_once_and_reused(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    built = SimilarityIndex.load_or_build(library)
    assert built.last_update == "build"
    cache = iclr_library_dir / CACHE_FILE
    assert cache.read_bytes().startswith(b"PAPERSHELF-SIMILARITY\n")
    stamp = cache.stat().st_mtime_ns
    loaded = SimilarityIndex.load_or_build(Library(iclr_library_dir))
    assert (loaded.last_update, loaded.loaded_from_cache) == ("cache", True)
    assert cache.stat().st_mtime_ns == stamp  # nothing changed, nothing written
    for key in ("chen2021drnas", "thost2021directed", "mueller2021certify"):
        pid = library.paper(key).id
        assert [p for p, _ in loaded.similar(pid)] == [p for p, _ in built.similar(pid)]
        assert [s for _, s in loaded.similar(pid)] == pytest.approx([s for _, s in built.similar(pid)], abs=1e-6)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other-settings", "empty"])
def test_unreadable_cache_is_rebuilt(iclr_library_dir: Path, damage: str) -> None:
    library = Library(iclr_library_dir)
    SimilarityIndex.load_or_build(library)
    cache = iclr_library_dir / CACHE_FILE
    raw = cache.read_bytes()
    if damage == "garbage":
        cache.write_bytes(b"not a cache at all")
    elif damage == "truncated":
        cache.write_bytes(raw[: len(raw) // 2])
    elif damage == "empty":
        cache.write_bytes(b"")
    else:
        at = len(b"PAPERSHELF-SIMILARITY\n")
        size = int.from_bytes(raw[at : at + 8], "little")
        header = orjson.loads(raw[at + 8 : at + 8 + size])
        header["settings"]["title_weight"] = 99
        head = orjson.dumps(header)
        cache.write_bytes(raw[:at] + len(head).to_bytes(8, "little") + head + raw[at + 8 + size :])
    index = SimilarityIndex.load_or_build(library)
    assert index.last_update == "build"
    assert len(index) == 860
    assert len(index.similar(library.paper("chen2021drnas").id)) == 10
    assert SimilarityIndex.load(cache).ids == index.ids  # a good cache was written in its place


# -- keeping current ------------------------------------------------------------------------------------------


def _iclr_papers() -> list[Paper]:
    text = (data_dir() / "iclr2021-accepted.md").read_text(encoding="utf-8")
    return paperlist.parse(text, venue="ICLR", year=2021).papers


def new_paper(title: str, abstract: str, author: str = "Ada Example", year: int = 2024) -> Paper:
    return Paper(id="", key="", title=title, authors=[author], year=year, abstract=abstract)


def test_a_few_imports_are_indexed_incrementally(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    SimilarityIndex.load_or_build(library)
    drnas = library.paper("chen2021drnas")
    summary = library.import_papers([
        new_paper("Searching cell structures cheaply", drnas.abstract),
        new_paper("Zorblax flumphs", "Glorp snargle wubba flibbertigibbet quonk."),
    ])
    clone, nonsense = (library.paper(key).id for key in summary.imported)
    index = SimilarityIndex.load_or_build(library)
    assert index.last_update == "incremental"
    assert index.built_docs == 860
    assert index.changes_since_build == 2
    assert len(index) == 862
    # The copy of DrNAS's abstract finds DrNAS first, and DrNAS finds its copy.
    assert index.similar(clone, 1)[0][0] == drnas.id
    assert index.similar(drnas.id, 1)[0][0] == clone
    assert index.similar(nonsense) == []  # shares no term with any paper
    # The update was saved: the next load uses the cache as is.
    again = SimilarityIndex.load_or_build(Library(iclr_library_dir))
    assert again.last_update == "cache"
    assert again.similar(clone, 1)[0][0] == drnas.id


def test_many_imports_rebuild_the_index(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    SimilarityIndex.load_or_build(library)
    papers = synthetic_papers(_iclr_papers(), int(860 * similar.REBUILD_SHARE) + 1, seed=7)
    library.import_papers(papers)
    index = SimilarityIndex.load_or_build(library)
    assert index.last_update == "build"
    assert (index.built_docs, index.changes_since_build) == (len(library), 0)


def test_a_paper_whose_abstract_arrives_later_is_reindexed(tmp_path: Path) -> None:
    library = Library(tmp_path)
    iclr = _iclr_papers()[:40]
    bare = Paper.from_doc({**iclr[0].to_doc(), "abstract": ""})
    library.import_papers([bare, *iclr[1:]])
    pid = library.paper(library.keys()[0]).id
    before = SimilarityIndex.load_or_build(library)
    # The title alone shares few words; with its abstract the paper has many neighbours.
    summary = library.import_papers([iclr[0]])  # the same paper, now with its abstract: merged in
    assert summary.merged
    assert library.papers[pid].abstract
    after = SimilarityIndex.load_or_build(library)
    assert after.last_update == "incremental"
    assert len(after) == 40
    assert after.similar(pid, 40) != before.similar(pid, 40)
    # Close to a full rebuild (whose idf values also count the new abstract's words).
    fresh = SimilarityIndex.build(library.papers.values())
    assert len({p for p, _ in after.similar(pid, 5)} & {p for p, _ in fresh.similar(pid, 5)}) >= 3


def test_papers_gone_from_the_catalogue_are_never_returned(tmp_path: Path) -> None:
    library = Library(tmp_path)
    papers = _iclr_papers()[:60]
    library.import_papers(papers[:59])
    extra = Paper.from_doc({**papers[59].to_doc(), "id": "gone-paper"})
    index = SimilarityIndex.build([*library.papers.values(), extra], tmp_path)
    assert "gone-paper" in index
    assert index.refresh(library)
    assert index.last_update == "incremental"
    assert "gone-paper" not in index
    assert len(index) == 59
    for pid in library.papers:
        assert "gone-paper" not in {other for other, _ in index.similar(pid, 59)}
    index.save()
    assert "gone-paper" not in SimilarityIndex.load(tmp_path / CACHE_FILE)


def test_keeper_loads_on_first_use_and_follows_imports(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    keeper = SimilarityKeeper(library)
    assert not keeper.loaded
    assert not (iclr_library_dir / CACHE_FILE).exists()
    index = keeper()
    assert keeper.loaded
    assert keeper() is index
    library.annotate([library.paper("chen2021drnas").id], AnnotationChange(status="read"))
    assert keeper().last_update == "build"  # an annotation edit changes no text: nothing to do
    summary = library.import_papers([new_paper("Cheap cell search", library.paper("chen2021drnas").abstract)])
    clone = library.paper(summary.imported[0]).id
    assert keeper().similar(clone, 1)[0][0] == library.paper("chen2021drnas").id
    assert keeper().last_update == "incremental"
    assert clone in SimilarityIndex.load(iclr_library_dir / CACHE_FILE)


def test_read_only_library_still_answers(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    library.read_only = True
    index = SimilarityIndex.load_or_build(library)
    assert len(index.similar(library.paper("chen2021drnas").id)) == 10
    assert not (iclr_library_dir / CACHE_FILE).exists()


# -- recommendations ----------------------------------------------------------------------------------------


def test_recommendations_follow_what_was_read_and_skip_triaged_papers(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    index = SimilarityIndex.load_or_build(library)
    assert index.recommend(library) == []  # nothing read or rated yet
    ids = library.ids_for_keys
    library.annotate(ids(["chen2021drnas", "wang2021rethinking"]), AnnotationChange(status="read"))
    library.annotate(ids(["thost2021directed"]), AnnotationChange(rating=5))  # rated, still new
    library.annotate(ids(["li2021geometry"]), AnnotationChange(status="skipped"))
    library.annotate(ids(["lee2021rapid"]), AnnotationChange(status="to-read"))
    ranked = index.recommend(library, 20)
    assert len(ranked) == 20
    keys = [library.papers[pid].key for pid, _ in ranked]
    assert all(library.annotation(pid).status == "new" for pid, _ in ranked)
    assert not {"chen2021drnas", "wang2021rethinking", "thost2021directed", "li2021geometry",
                "lee2021rapid"} & set(keys)
    nas = {p.key for p in library.papers.values() if re.search(r"architecture search|\bNAS\b", p.title, re.I)}
    gnn = {p.key for p in library.papers.values() if re.search(r"graph neural network|\bGNN", p.title, re.I)}
    assert len(nas & set(keys[:10])) >= 3
    assert gnn & set(keys)
    scores = [score for _, score in ranked]
    assert scores == sorted(scores, reverse=True)


# -- the command line ---------------------------------------------------------------------------------------


def papershelf(library: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "papershelf", "--library", str(library), *args],
                          capture_output=True, text=True, timeout=120, check=False)


def test_cli_similar_table_and_json(iclr_library_dir: Path) -> None:
    table = papershelf(iclr_library_dir, "similar", "chen2021drnas")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert len(lines) == 10
    assert re.match(r"^0\.\d{3}  \S+\s+\S", lines[0])
    assert (iclr_library_dir / CACHE_FILE).exists()
    result = papershelf(iclr_library_dir, "similar", "chen2021drnas", "-n", "3", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = orjson.loads(result.stdout)
    assert [set(row) for row in rows] == [{"key", "title", "score"}] * 3
    assert [row["key"] for row in rows] == [line.split()[1] for line in lines[:3]]
    assert rows[0]["score"] >= rows[1]["score"] >= rows[2]["score"] > 0


def test_cli_similar_errors(iclr_library_dir: Path) -> None:
    unknown = papershelf(iclr_library_dir, "similar", "nobody2020nothing")
    assert unknown.returncode == 1
    assert "no paper with citation key 'nobody2020nothing'" in unknown.stderr
    bad = papershelf(iclr_library_dir, "similar", "chen2021drnas", "-n", "0")
    assert bad.returncode == 2
    assert "at least 1" in bad.stderr


def test_cli_recommend(iclr_library_dir: Path) -> None:
    empty = papershelf(iclr_library_dir, "recommend", "--format", "json")
    assert empty.returncode == 0, empty.stderr
    assert orjson.loads(empty.stdout) == []
    assert "mark papers read" in empty.stderr
    marked = papershelf(iclr_library_dir, "annotate", "chen2021drnas", "alon2021bottleneck", "--status", "read")
    assert marked.returncode == 0, marked.stderr
    result = papershelf(iclr_library_dir, "recommend", "-n", "5", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = orjson.loads(result.stdout)
    assert len(rows) == 5
    assert not {"chen2021drnas", "alon2021bottleneck"} & {row["key"] for row in rows}
    table = papershelf(iclr_library_dir, "recommend")
    assert table.returncode == 0, table.stderr
    assert len(table.stdout.splitlines()) == 20


# -- synthetic libraries and the benchmark ------------------------------------------------------------------


def synthetic_papers(base: list[Paper], count: int, seed: int = 1) -> list[Paper]:
    """``count`` papers recombined from ``base``: titles spliced from two, abstracts from two halves."""
    rng = random.Random(seed)
    titles = [p.title.split() for p in base if len(p.title.split()) >= 2]
    abstracts = [p.abstract.split(". ") for p in base if p.abstract]
    made: list[Paper] = []
    for n in range(count):
        a, b = rng.choice(titles), rng.choice(titles)
        title = " ".join(a[: rng.randint(1, len(a) - 1)] + b[rng.randint(1, len(b) - 1) :]) + f" {n}"
        first, second = rng.choice(abstracts), rng.choice(abstracts)
        abstract = ". ".join(first[: len(first) // 2] + second[len(second) // 2 :])
        made.append(Paper(id="", key="", title=title, authors=[f"Author {n % 997} Synth"],
                          year=2000 + n % 25, abstract=abstract))
    return made


def bench(sizes: list[int]) -> None:
    base = _iclr_papers()
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "library"
            library = Library(folder)
            library.import_papers(synthetic_papers(base, size))
            library = Library(folder)
            wall, cpu = time.perf_counter(), time.process_time()
            index = SimilarityIndex.build(library.papers.values(), folder)
            print(f"{size:>7} papers: build {time.perf_counter() - wall:.2f} s (cpu {time.process_time() - cpu:.2f} s)")
            index.save()
            print(f"{'':>7}         cache {(folder / CACHE_FILE).stat().st_size / 2**20:.1f} MB")
            wall, cpu = time.perf_counter(), time.process_time()
            loaded = SimilarityIndex.load_or_build(library)
            assert loaded.last_update == "cache"
            print(f"{'':>7}         load_or_build from cache {time.perf_counter() - wall:.3f} s "
                  f"(cpu {time.process_time() - cpu:.3f} s)")
            ids = random.Random(2).sample(list(library.papers), 200)
            times = []
            for pid in ids:
                wall = time.perf_counter()
                loaded.similar(pid, 10)
                times.append(time.perf_counter() - wall)
            times.sort()
            print(f"{'':>7}         top-10 query: median {times[100] * 1e3:.1f} ms, p95 {times[190] * 1e3:.1f} ms, "
                  f"max {times[-1] * 1e3:.1f} ms (200 papers)")
            marked = random.Random(3).sample(list(library.papers), 100)
            library.annotate(marked, AnnotationChange(status="read"))
            wall = time.perf_counter()
            loaded.recommend(library, 20)
            print(f"{'':>7}         recommend from 100 read papers {time.perf_counter() - wall:.2f} s")
            more = synthetic_papers(base, 50, seed=99)
            library.import_papers(more)
            wall = time.perf_counter()
            updated = SimilarityIndex.load_or_build(library)
            took = time.perf_counter() - wall
            print(f"{'':>7}         50 imported: {updated.last_update} update + save {took:.2f} s")
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    bench([int(arg) for arg in sys.argv[1:]] or [10_000, 100_000])


# -- building in steps (a window advances the build between its events) ----------------------------------


def _reference_neighbours(papers: list[Paper], n: int = 10) -> dict[str, list[tuple[str, float]]]:
    """TF-IDF and cosine similarity as the module docstring describes them, written plainly: the oracle."""
    counts = [similar.term_counts(p) for p in papers]
    order: dict[str, int] = {}  # terms numbered in order of first appearance (breaks ties between weights)
    for doc_counts in counts:
        for term in doc_counts:
            order.setdefault(term, len(order))
    df = {term: sum(term in c for c in counts) for term in order}
    vectors: list[dict[str, float]] = []
    for doc_counts in counts:
        raw = {t: (1 + math.log(tf)) * math.log(len(papers) / df[t]) for t, tf in doc_counts.items()}
        raw = {t: w for t, w in raw.items() if w > 0}
        norm = math.sqrt(sum(w * w for w in raw.values())) or 1.0
        vectors.append({t: w / norm for t, w in raw.items()})
    result: dict[str, list[tuple[str, float]]] = {}
    for doc, vector in enumerate(vectors):
        query = sorted(((w, order[t], t) for t, w in vector.items()), reverse=True)[: similar.QUERY_TERMS]
        query = [q for q in query if df[q[2]] <= similar.QUERY_MAX_DF * len(papers)]
        scores = [(sum(w * other.get(t, 0.0) for w, _, t in query), other_doc)
                  for other_doc, other in enumerate(vectors) if other_doc != doc]
        best = sorted((s for s in scores if s[0] > 1e-12), key=lambda s: (-s[0], s[1]))[:n]
        result[papers[doc].id] = [(papers[d].id, score) for score, d in best]
    return result


def test_the_index_scores_as_plain_tf_idf_does(iclr: tuple[Library, SimilarityIndex]) -> None:
    library, _index = iclr
    papers = list(library.papers.values())[:300]
    built = SimilarityIndex.build(papers)
    reference = _reference_neighbours(papers)
    for paper in papers:
        got, want = built.similar(paper.id), reference[paper.id]
        assert [s for _, s in got] == pytest.approx([s for _, s in want], abs=1e-4)  # float32 postings
        # the same papers, wherever the scores are not (nearly) tied
        scores = [s for _, s in want]
        for rank, (pid, score) in enumerate(want):
            if all(abs(score - s) > 1e-4 for i, s in enumerate(scores) if i != rank):
                assert got[rank][0] == pid


def test_a_build_in_steps_equals_the_build_at_once_and_writes_the_same_cache(
    iclr_library_dir: Path, tmp_path: Path
) -> None:
    at_once_dir = tmp_path / "at-once"
    shutil.copytree(iclr_library_dir, at_once_dir)
    at_once = SimilarityIndex.load_or_build(Library(at_once_dir))

    library = Library(iclr_library_dir)
    keeper = SimilarityKeeper(library)
    keeper.start_loading()
    assert keeper.loading
    assert keeper.index is None  # never built behind the caller's back
    progress = [keeper.progress]
    steps = 0
    while not keeper.load_step(0.0):  # the smallest steps there are
        steps += 1
        progress.append(keeper.progress)
    assert steps > len(library) // 32  # it yields every few dozen papers
    assert progress == sorted(progress)
    assert 0.0 <= progress[0] < 0.1
    assert progress[-1] == 1.0
    index = keeper.index
    assert index is not None
    assert not keeper.loading
    assert index.last_update == "build"
    for pid in library.papers:
        assert index.similar(pid) == at_once.similar(pid)  # the same code: exactly the same numbers
    assert (iclr_library_dir / CACHE_FILE).read_bytes() == (at_once_dir / CACHE_FILE).read_bytes()


def test_papers_imported_during_a_build_in_steps_are_indexed_when_it_ends(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    keeper = SimilarityKeeper(library)
    keeper.start_loading()
    assert not keeper.load_step(0.0)
    drnas = library.paper("chen2021drnas")
    summary = library.import_papers([new_paper("Cheap cell search", drnas.abstract)])
    clone = library.paper(summary.imported[0]).id
    while not keeper.load_step(0.0):
        pass
    index = keeper.index
    assert index is not None
    assert index.similar(clone, 1)[0][0] == drnas.id
    assert clone in SimilarityIndex.load(iclr_library_dir / CACHE_FILE)


def test_a_fresh_cache_is_loaded_in_steps_not_built(iclr_library_dir: Path) -> None:
    built = SimilarityIndex.load_or_build(Library(iclr_library_dir))
    stamp = (iclr_library_dir / CACHE_FILE).stat().st_mtime_ns
    library = Library(iclr_library_dir)
    keeper = SimilarityKeeper(library)
    keeper.start_loading()
    steps = 1
    while not keeper.load_step(0.0):
        steps += 1
    assert steps < len(library) // 32  # a build of as many papers takes many more
    index = keeper.index
    assert index is not None
    assert index.last_update == "cache"
    assert (iclr_library_dir / CACHE_FILE).stat().st_mtime_ns == stamp  # nothing to write
    pid = library.paper("chen2021drnas").id
    assert index.similar(pid) == built.similar(pid)


def test_calling_the_keeper_during_a_build_in_steps_finishes_it_at_once(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    keeper = SimilarityKeeper(library)
    keeper.start_loading()
    keeper.load_step(0.0)
    index = keeper()  # the command line, or anything that cannot wait
    assert not keeper.loading
    assert keeper.load_step(0.0)
    assert keeper.index is index
    assert len(index) == len(library)


def test_the_keeper_says_when_the_changes_since_would_rebuild_the_index(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    keeper = SimilarityKeeper(library)
    keeper()
    assert not keeper.rebuild_due()
    library.import_papers(synthetic_papers(_iclr_papers(), 3, seed=3))  # a few: taken in one by one
    assert not keeper.rebuild_due()
    assert keeper().last_update == "incremental"
    library.import_papers(synthetic_papers(_iclr_papers(), int(860 * similar.REBUILD_SHARE) + 1, seed=8))
    assert keeper.rebuild_due()
    keeper.rebuild_in_steps()
    assert not keeper.loaded
    assert keeper.loading
    while not keeper.load_step(0.05):
        pass
    index = keeper()
    assert (index.built_docs, index.changes_since_build) == (len(library), 0)
