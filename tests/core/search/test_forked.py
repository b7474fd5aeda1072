"""The word index built first by forked child processes: the same index as one built here, the same answers, and
nothing left behind when a child dies or the build is stopped (real processes, real fork)."""

from __future__ import annotations

import os
import random
import signal
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper
from papershelf.core.search.forked import PROCESSES_FROM, processes_for, runs_of
from papershelf.core.search.index import CACHE_FILE, SearchIndex
from papershelf.core.search.query import parse_query

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="child processes build on Linux only")

WORDS = ["graph", "neural", "causal", "kernel", "diffusion", "reward", "transformer", "bandit", "Schölkopf", "naïve",
         "$\\ell_p$", "{DNA}", "ﬁne-tuning", "en–dash", "robust", "sparse", "markov", "policy", "latent", "prior"]
QUERIES = ["graph", "g", "ne", "ℓp", "dna", "fine", "scholkopf", "naive", "w17x", "w2999x", "wombat", "burrow", "rl",
           "thesis", "graph neural", "zzz"]
PAPERS = 3000  # each child has ~0.1 s of work: time enough to be stopped before it is done


@pytest.fixture(scope="module")
def library_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("forked") / "library"
    library = Library(folder)
    rng = random.Random(4)
    library.import_papers(
        Paper(id="", key=f"paper{i}", title=f"{rng.choice(WORDS).title()} models number {i}",
              authors=[f"Ana Müller{i % 7}", "Bo Li"], year=2000 + i % 22,
              abstract=" ".join(rng.choices(WORDS, k=120)) + f" code word w{i}x.")
        for i in range(PAPERS)
    )
    some = library.ids_for_keys([f"paper{i}" for i in range(0, PAPERS, 97)])
    library.annotate(some, AnnotationChange(add_tags=("RL",), add_lists=("Thesis",), note="A wombat's burrow"))
    return folder


def reference(library: Library, text: str) -> list[str]:
    query = parse_query(text)
    return [pid for pid, paper in library.papers.items() if query.matches(paper, library.annotation(pid))]


def fresh(library_dir: Path) -> Library:
    (library_dir / CACHE_FILE).unlink(missing_ok=True)  # a first opening: the word index is built first
    return Library(library_dir)


def started(library: Library, processes: int) -> SearchIndex:
    index = SearchIndex(library, word_index=True, word_index_from=0, build_processes=processes)
    index.start_build()
    assert not index.build_step(0.0)  # the first step starts the children
    return index


def gone(pid: int) -> bool:
    """True when ``pid`` is no child of this process any more (reaped): nothing left behind."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@given(st.integers(0, 100_000), st.integers(1, 8))
def test_rows_are_cut_into_runs_that_end_on_whole_bytes(rows: int, processes: int) -> None:
    runs = runs_of(rows, processes)
    assert [low for low, _ in runs] == [0, *(high for _, high in runs[:-1])][: len(runs)]  # one after the other
    assert (runs[-1][1] if runs else 0) == rows  # every row
    assert all(low < high and low % 8 == 0 for low, high in runs)
    assert len(runs) <= processes


def test_small_libraries_and_single_cpus_get_no_children() -> None:
    assert processes_for(PROCESSES_FROM - 1) == 1
    cpus = len(os.sched_getaffinity(0))
    assert 1 <= processes_for(1_000_000) <= cpus
    assert processes_for(1_000_000) == min(cpus, 4)


@pytest.mark.parametrize("processes", [2, 3])
def test_children_build_the_index_one_process_builds_and_words_are_answered_meanwhile(
    library_dir: Path, processes: int
) -> None:
    library = fresh(library_dir)
    alone = SearchIndex(library, word_index=True, word_index_from=0, build_processes=1)
    alone.build()
    alone.wait_for_cache()
    cache_alone = (library_dir / CACHE_FILE).read_bytes()
    library = fresh(library_dir)
    index = started(library, processes)
    pids = index.word_build_processes
    assert len(pids) == processes
    while not index.words_answered_early:
        assert not index.build_step(0.0)
    assert index.word_build_processes == []
    assert all(gone(pid) for pid in pids)
    assert index.word_index_processes == processes  # what they built is what answers
    for text in QUERIES:
        query = parse_query(text)
        assert index.answers_early(query), text
        assert index.filter(query) == reference(library, text), text
    while not index.build_step(0.0):
        pass
    index.wait_for_cache()
    assert index.word_index_source == "built"
    assert (library_dir / CACHE_FILE).read_bytes() == cache_alone  # the same index, byte for byte
    for text in [*QUERIES, '"code word"', "title:graph", "-graph"]:
        assert index.filter(parse_query(text)) == reference(library, text), text


def test_a_child_that_dies_makes_the_index_build_the_words_itself(library_dir: Path) -> None:
    library = fresh(library_dir)
    index = started(library, 2)
    pids = index.word_build_processes
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    index.finish_build()
    assert all(gone(pid) for pid in pids)
    assert index.word_index_source == "built"
    assert index.word_index_processes == 1  # built here after all
    for text in QUERIES:
        assert index.filter(parse_query(text)) == reference(library, text), text


def test_stopping_the_build_stops_its_children(library_dir: Path) -> None:
    library = fresh(library_dir)
    index = started(library, 2)
    pids = index.word_build_processes
    assert len(pids) == 2
    index.cancel()
    assert all(gone(pid) for pid in pids)  # killed and reaped at once, not left to finish
    assert index.word_build_processes == []
    assert not index.building
    assert index.filter(parse_query("w17x")) == reference(library, "w17x")  # built on the next use instead


def test_an_edit_while_children_build_is_answered_right(library_dir: Path) -> None:
    library = fresh(library_dir)
    index = started(library, 2)
    library.events.connect_ids(index.invalidate)
    library.annotate(library.ids_for_keys(["paper5"]), AnnotationChange(note="an aardvark"))
    assert not index.words_answered_early  # the children read the library as it was
    for text in ("aardvark", "w5x", "wombat"):
        assert index.filter(parse_query(text)) == reference(library, text), text


def test_children_reaped_by_the_system_still_give_their_index(library_dir: Path) -> None:
    """With SIGCHLD ignored, the system reaps the children as they exit and waitpid() finds none: their files
    still say whether they finished."""
    library = fresh(library_dir)
    before = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        index = started(library, 2)
        pids = index.word_build_processes
        while not index.words_answered_early:
            assert not index.build_step(0.0)
    finally:
        signal.signal(signal.SIGCHLD, before)
    assert all(gone(pid) for pid in pids)
    assert index.word_index_processes == 2
    for text in QUERIES:
        assert index.filter(parse_query(text)) == reference(library, text), text
