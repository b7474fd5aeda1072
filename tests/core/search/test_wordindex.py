"""The word index: exact answers on every path, its cache file, and its use by the search index."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper
from papershelf.core.search.index import _CACHE_SETTINGS, CACHE_FILE, SearchIndex
from papershelf.core.search.query import parse_query
from papershelf.core.search.steps import run
from papershelf.core.search.wordindex import Builder, Joined, WordIndex, WordIndexError, checksum

# -- WordIndex on its own ------------------------------------------------------------------------------


def brute(texts: list[str], word: str) -> list[bool]:
    return [word in text for text in texts]


class Verifier:
    """The ``verify`` callback, counting the rows it was asked about."""

    def __init__(self, texts: list[str], word: str) -> None:
        self.texts, self.word, self.asked = texts, word, 0

    def __call__(self, rows: list[int]) -> list[int]:
        self.asked += len(rows)
        return [r for r in rows if self.word in self.texts[r]]


def random_texts(count: int, seed: int) -> list[str]:
    """Texts of a few of 20 common tokens (each in many texts) and a few of 4000 rare ones."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnoprstuvwyzöß-1"
    common = ["".join(rng.choice(letters[:8]) for _ in range(8)) for _ in range(20)]
    rare = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 7))) for _ in range(4000)]
    return [" ".join(rng.sample(common, rng.randint(4, 8)) + rng.sample(rare, rng.randint(0, 6))) for _ in range(count)]


@pytest.fixture(scope="module")
def corpus() -> tuple[list[str], WordIndex]:
    texts = random_texts(3000, seed=7)
    return texts, WordIndex.build([f"id{i}" for i in range(len(texts))], texts)


def test_every_short_word_agrees_with_scanning_and_both_ways_of_answering_are_used(
    corpus: tuple[list[str], WordIndex],
) -> None:
    texts, index = corpus
    letters = sorted({c for text in texts for c in text if not c.isspace()})
    words = letters + [a + b for a in letters[:12] for b in letters[:12]] + ["abc", "zzzzzzzz", "ö-", "1a"]
    looked_up = checked = 0
    for word in words:
        verify = Verifier(texts, word)
        assert index.rows_with(word, verify).tolist() == brute(texts, word), word
        looked_up += verify.asked == 0
        checked += verify.asked > 0
    # short common words leave few rows to check; rarer ones are answered from the row lists alone
    assert looked_up > 10
    assert checked >= 3


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdefghijklmnoprstuvwyzöß-1", min_size=1, max_size=6))
def test_any_word_agrees_with_scanning(corpus: tuple[list[str], WordIndex], word: str) -> None:
    texts, index = corpus
    assert index.rows_with(word, Verifier(texts, word)).tolist() == brute(texts, word)


def test_building_in_chunks_gives_the_same_index(corpus: tuple[list[str], WordIndex]) -> None:
    texts, whole = corpus
    chunked = WordIndex.build(whole.ids, texts, chunk_rows=7)  # 429 chunks; the vocabulary grows between them
    assert chunked.vocab == whole.vocab
    assert chunked.df.tolist() == whole.df.tolist()
    assert [chunked.rows_of_token(t) for t in range(len(whole.vocab))] == [
        whole.rows_of_token(t) for t in range(len(whole.vocab))
    ]
    assert chunked.checksums.tolist() == whole.checksums.tolist()



def same_index(index: WordIndex, whole: WordIndex) -> None:
    assert index.ids == whole.ids
    assert index.vocab == whole.vocab
    assert index.df.tolist() == whole.df.tolist()
    assert [index.rows_of_token(t) for t in range(len(whole.vocab))] == [
        whole.rows_of_token(t) for t in range(len(whole.vocab))
    ]
    assert index.checksums.tolist() == whole.checksums.tolist()


def test_a_builder_given_chunks_of_any_size_gives_the_same_index(corpus: tuple[list[str], WordIndex]) -> None:
    texts, whole = corpus
    rng = random.Random(3)
    builder = Builder(1)  # groups of 1024 rows: several merges
    at = merges = 0
    while at < len(texts):
        size = rng.randint(1, 300)
        builder.add(texts[at : at + size])
        at += size
        merged = list(builder.merging())
        merges += bool(merged)
    assert merges >= 2
    same_index(run(builder.finishing(whole.ids)), whole)


def test_a_builder_never_asked_to_merge_still_counts_each_groups_rows_right() -> None:
    texts = random_texts(70_000, seed=11)  # more rows than a group counts (16 bits) without a merge
    ids = [f"id{i}" for i in range(len(texts))]
    builder = Builder(len(texts))
    for start in range(0, len(texts), 30_000):
        builder.add(texts[start : start + 30_000])
    same_index(run(builder.finishing(ids)), WordIndex.build(ids, texts))
    with pytest.raises(ValueError, match="ids but"):
        run(Builder(2).finishing(["a"]))

ODD_TEXTS = [
    "tab\tseparated\vwords\fand\rreturns",  # whitespace search_form never leaves: str.split() decides
    "no\xa0break\u3000ideographic\u2009thin\x85next\u2028line",
    "a record\x1eseparator\x1finside\x1cand\x1dmore",
    "control\x00chars\x07stay\x1binside tokens",
    "sixteen-bytes-ab sixteen-bytes-ac eight-by seven-b 16-byte-prefix-then-more 16-byte-prefix-then-less",
    "ünïcödé wörds ℓp-norm 数据 \U0001f600emoji a\ud800lone surrogate",
    "",
    "   ",
    "x",
    "graph graph graph sixteen-bytes-ab 16-byte-prefix-then-more",
]


def test_tokens_are_what_str_split_makes_of_any_text() -> None:
    """The tokenizer works on the texts' bytes; whatever the text, its tokens and rows are str.split()'s."""
    texts = ODD_TEXTS * 3
    for chunk_rows in (1, 4, 512):
        index = WordIndex.build([str(i) for i in range(len(texts))], texts, chunk_rows=chunk_rows)
        split = [set(text.split()) for text in texts]
        assert set(index.vocab) == set().union(*split)
        assert len(index.vocab) == len(set(index.vocab))
        for number, token in enumerate(index.vocab):
            assert index.rows_of_token(number) == [r for r, tokens in enumerate(split) if token in tokens], token
        assert index.checksums.tolist() == [checksum(text) for text in texts]
        for word in ("sixteen-bytes-a", "prefix-then-m", "break", "\u3000", "ℓ", "\ud800", "\x00", "separator"):
            assert index.rows_with(word, Verifier(texts, word)).tolist() == brute(texts, word), word


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="ab ü\t\xa0\x1e-" + "x" * 3, max_size=40), min_size=1, max_size=30),
       st.integers(1, 9))
def test_any_texts_in_any_chunks_index_as_split_says(texts: list[str], chunk_rows: int) -> None:
    index = WordIndex.build([str(i) for i in range(len(texts))], texts, chunk_rows=chunk_rows)
    whole = WordIndex.build([str(i) for i in range(len(texts))], texts)
    assert index.vocab == whole.vocab  # numbered in order of first occurrence, however the texts are cut
    split = [set(text.split()) for text in texts]
    assert [index.rows_of_token(t) for t in range(len(index.vocab))] == [
        [r for r, tokens in enumerate(split) if token in tokens] for token in index.vocab
    ]


def test_an_empty_collection_and_empty_texts(tmp_path: Path) -> None:
    empty = WordIndex.build([], [])
    assert empty.rows_with("a", lambda rows: rows).tolist() == []
    blank = WordIndex.build(["a", "b"], ["", "   "])
    assert blank.rows_with("x", lambda rows: []).tolist() == [False, False]
    blank.save(tmp_path / "c")
    assert WordIndex.load(tmp_path / "c")[0].n_rows == 2


def test_joined_texts_say_which_contain_a_word() -> None:
    joined = Joined(["graph neural", "", "hypergraph", "gr"])
    assert joined.containing("graph").tolist() == [0, 2]
    assert joined.containing("gr").tolist() == [0, 2, 3]
    assert joined.containing("r").tolist() == [0, 2, 3]
    assert joined.containing("zebra").tolist() == []


def test_the_cache_file_round_trips(tmp_path: Path, corpus: tuple[list[str], WordIndex]) -> None:
    texts, index = corpus
    index.save(tmp_path / "index", {"settings": 1})
    loaded, extra = WordIndex.load(tmp_path / "index")
    assert extra == {"settings": 1}
    assert loaded.ids == index.ids
    assert loaded.checksums.tolist() == index.checksums.tolist()
    for word in ["a", "ab", "öß", "1", "zzz"]:
        assert loaded.rows_with(word, Verifier(texts, word)).tolist() == brute(texts, word)


def test_every_token_keeps_its_rows_in_memory_and_in_the_file(
    tmp_path: Path, corpus: tuple[list[str], WordIndex]
) -> None:
    """Dense tokens' rows live in their bitsets once prepared; the file still holds every token's rows."""
    texts, index = corpus
    holding = {token: [r for r, text in enumerate(texts) if token in text.split()] for token in index.vocab}
    assert any(len(rows) * 32 >= len(texts) for rows in holding.values())  # dense tokens there are
    assert [index.rows_of_token(t) for t in range(len(index.vocab))] == list(holding.values())
    index.save(tmp_path / "index")
    unprepared, _ = WordIndex.load(tmp_path / "index", prepare=False)  # rows as the file has them
    assert [unprepared.rows_of_token(t) for t in range(len(index.vocab))] == list(holding.values())


def test_a_built_index_keeps_its_dense_tokens_rows_as_bits_before_it_is_prepared(
    tmp_path: Path, corpus: tuple[list[str], WordIndex]
) -> None:
    """The builder puts a dense token's rows straight into its bitset: before preparing, every token's rows
    and the file are those of the index as made from every token's rows."""
    texts, index = corpus
    ids = [f"id{i}" for i in range(len(texts))]
    unprepared = run(WordIndex.building(ids, texts, chunk_rows=100, prepare=False))
    assert [unprepared.rows_of_token(t) for t in range(len(index.vocab))] == [
        index.rows_of_token(t) for t in range(len(index.vocab))
    ]
    unprepared.save(tmp_path / "unprepared")
    index.save(tmp_path / "prepared")
    assert (tmp_path / "unprepared").read_bytes() == (tmp_path / "prepared").read_bytes()
    run(unprepared.preparing())
    for word in ["a", "ab", "öß", "1", "zzz", "e"]:
        assert unprepared.rows_with(word, None).tolist() == index.rows_with(word, None).tolist() == brute(texts, word)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda raw: raw[: len(raw) // 2], id="truncated"),
        pytest.param(lambda raw: b"NOT AN INDEX" + raw, id="no-magic"),
        pytest.param(lambda raw: raw[:30] + b"\xff" * 40 + raw[70:], id="header-garbage"),
        pytest.param(lambda raw: raw[:-4] + b"\xff\xff\xff\x7f", id="row-out-of-range"),
    ],
)
def test_a_damaged_cache_file_is_refused(tmp_path: Path, damage: object) -> None:
    texts = random_texts(200, seed=3)
    WordIndex.build([str(i) for i in range(200)], texts).save(tmp_path / "index")
    raw = (tmp_path / "index").read_bytes()
    (tmp_path / "index").write_bytes(damage(raw))  # type: ignore[operator]
    with pytest.raises(WordIndexError):
        WordIndex.load(tmp_path / "index")


# -- the search index with a word index -------------------------------------------------------------


def numbered_papers(count: int, start: int = 0) -> list[Paper]:
    words = ["graph", "neural", "causal", "kernel", "diffusion", "reward", "transformer", "bandit"]
    return [
        Paper(
            id="", key=f"paper{i}", title=f"{words[i % 8].title()} models number {i}", authors=[f"Ana Müller{i % 5}"],
            abstract=f"We study {words[(i * 3) % 8]} and {words[(i * 5) % 8]} methods; code word w{i}x.", year=2021,
        )
        for i in range(start, start + count)
    ]


def reference(library: Library, text: str) -> list[str]:
    query = parse_query(text)
    return [pid for pid, p in library.papers.items() if query.matches(p, library.annotation(pid))]


QUERIES = ["graph", "g", "ne", "muller3", '"neural methods"', "w17x", "-graph kernel", "graph OR bandit",
           "title:graph causal", "tag:gnn", "note:check", "check", "wombat", "abstract:wombat"]


def check(index: SearchIndex, library: Library) -> None:
    for text in QUERIES:
        assert index.filter(parse_query(text)) == reference(library, text), text


@pytest.fixture
def library(tmp_path: Path) -> Library:
    library = Library(tmp_path / "lib")
    library.import_papers(numbered_papers(200))
    return library


def test_the_word_index_is_built_cached_and_reused(library: Library) -> None:
    first = SearchIndex(library, word_index=True, word_index_from=100)
    first.build()
    assert first.word_index_source == "built"
    assert (library.folder / CACHE_FILE).exists()
    check(first, library)
    second = SearchIndex(library, word_index=True, word_index_from=100)
    second.build()
    assert second.word_index_source == "cache"
    check(second, library)



def test_without_a_cache_the_word_index_is_made_as_the_rows_are_and_is_the_same(library: Library) -> None:
    index = SearchIndex(library, word_index=True, word_index_from=100)
    index.start_build()  # in steps, as the window does
    index.finish_build()
    assert index.word_indexed
    assert index.word_index_source == "built"
    index.wait_for_cache()
    made, _ = WordIndex.load(library.folder / CACHE_FILE)
    texts = [index.catalogue_text(row) for row in range(len(index.row_ids))]
    same_index(made, WordIndex.build(index.row_ids, texts))
    check(index, library)

def test_libraries_below_the_threshold_are_scanned(library: Library) -> None:
    index = SearchIndex(library, word_index=True, word_index_from=201)
    index.build()
    assert index.word_index_source == ""
    assert not (library.folder / CACHE_FILE).exists()
    check(index, library)


def test_edits_imports_and_merges_are_seen_through_the_word_index(library: Library) -> None:
    index = SearchIndex(library, word_index=True, word_index_from=0)
    library.events.connect_ids(index.invalidate)
    check(index, library)
    [pid] = library.ids_for_keys(["paper3"])
    library.annotate([pid], AnnotationChange(note="check the wombat proof", add_tags=("GNN",)))
    check(index, library)
    assert index.filter(parse_query("wombat")) == [pid]
    library.annotate([pid], AnnotationChange(note="", remove_tags=("GNN",)))
    assert index.filter(parse_query("wombat")) == []  # a remembered answer does not outlive the note
    check(index, library)
    library.import_papers(numbered_papers(5, start=200))
    check(index, library)
    # a duplicate that brings an abstract fills it in: the paper's catalogue text changed
    library.import_papers([Paper(id="", key="", title="A paper about wombats", authors=["Zoe Quokka"], year=2020)])
    library.import_papers([Paper(id="", key="", title="A paper about wombats", authors=["Zoe Quokka"], year=2020,
                                 abstract="Wombat burrows, measured.")])
    assert len(index.filter(parse_query("burrows"))) == 1
    check(index, library)


def test_a_cache_that_disagrees_with_the_papers_never_gives_a_wrong_answer(library: Library) -> None:
    ids = list(library.papers)
    scanner = SearchIndex(library)
    scanner.build()
    texts = [scanner.catalogue_text(row) for row in range(len(ids))]
    # three papers' texts as they are not: their checksums differ, so those rows are scanned instead
    for row in (3, 50, 120):
        texts[row] = "wrong text wombat"
    WordIndex.build(ids, texts).save(library.folder / CACHE_FILE, _CACHE_SETTINGS)
    index = SearchIndex(library, word_index=True, word_index_from=0)
    index.build()
    assert index.word_index_source == "cache"  # 3 of 200 is few enough to keep it
    check(index, library)


def test_a_stale_or_damaged_cache_is_rebuilt(library: Library) -> None:
    ids = list(library.papers)
    WordIndex.build(ids, [""] * len(ids)).save(library.folder / CACHE_FILE, _CACHE_SETTINGS)
    index = SearchIndex(library, word_index=True, word_index_from=0)
    index.build()
    assert index.word_index_source == "built"  # every checksum differed
    check(index, library)
    (library.folder / CACHE_FILE).write_bytes(b"\x00garbage")
    again = SearchIndex(library, word_index=True, word_index_from=0)
    again.build()
    assert again.word_index_source == "built"
    check(again, library)
    assert WordIndex.load(library.folder / CACHE_FILE)[0].ids == ids  # and written again, whole


def test_a_read_only_library_gets_no_cache_file(library: Library) -> None:
    reader = Library(library.folder, read_only=True)
    index = SearchIndex(reader, word_index=True, word_index_from=0)
    index.build()
    assert index.word_index_source == "built"
    assert not (library.folder / CACHE_FILE).exists()
    check(index, reader)


def test_a_build_in_steps_keeps_edits_made_between_steps(library: Library) -> None:
    library.import_papers(numbered_papers(1000, start=200))  # several steps of _STEP_ROWS papers
    index = SearchIndex(library, word_index=True, word_index_from=0)
    library.events.connect_ids(index.invalidate)
    index.start_build()
    assert index.building
    steps = 0
    [early, late] = library.ids_for_keys(["paper7", "paper1100"])
    while not index.build_step(0.0):  # one step at a time, editing between them
        steps += 1
        if steps == 2:
            library.annotate([early], AnnotationChange(note="wombat check"))  # a row already built
            library.annotate([late], AnnotationChange(add_tags=("wombat",)))  # a row not yet built
            library.import_papers(numbered_papers(3, start=5000))
    assert steps > 8
    assert not index.building
    assert index.word_index_source == "built"
    assert index.filter(parse_query("wombat")) == [early, late]
    assert index.filter(parse_query("w5001x")) == library.ids_for_keys(["paper5001"])
    check(index, library)


def test_filter_finishes_a_build_in_progress(library: Library) -> None:
    index = SearchIndex(library, word_index=True, word_index_from=0)
    index.start_build()
    assert index.filter(parse_query("w17x")) == library.ids_for_keys(["paper17"])
    assert not index.building


def test_a_cache_file_with_damaged_parts_is_refused_and_rebuilt(library: Library) -> None:
    from papershelf.core.search import wordindex
    from papershelf.core.storage import cachefile

    SearchIndex(library, word_index=True, word_index_from=0).build()
    path = library.folder / CACHE_FILE
    header, raw, at = cachefile.read(path, wordindex.MAGIC, ValueError)
    header.pop("byteorder")
    for damaged in ({"vocab": [None, *header["vocab"][1:]]}, {"ids": [7, *header["ids"][1:]]}):
        cachefile.write(path, wordindex.MAGIC, {**header, **damaged}, [memoryview(raw)[at:]])
        with pytest.raises(WordIndexError):
            WordIndex.load(path)
        index = SearchIndex(library, word_index=True, word_index_from=0)
        index.build()
        assert index.word_index_source == "built"
        check(index, library)
    df = np.frombuffer(raw, np.int32, len(header["vocab"]), at + 4 * len(header["ids"])).copy()
    df[0], df[1] = df[0] + df[1] + 1, -1  # the right total, a negative count
    body = bytearray(raw[at:])
    body[4 * len(header["ids"]) : 4 * (len(header["ids"]) + len(df))] = df.tobytes()
    cachefile.write(path, wordindex.MAGIC, header, [bytes(body)])
    with pytest.raises(WordIndexError):
        WordIndex.load(path)


def test_a_rebuild_in_steps_answers_from_the_old_index_meanwhile(library: Library) -> None:
    index = SearchIndex(library, word_index=True, word_index_from=0)
    library.events.connect_ids(index.invalidate)
    index.build()
    library.import_papers(numbered_papers(30, start=500))
    assert index.filter(parse_query("w517x")) == library.ids_for_keys(["paper517"])  # scanned: not indexed yet
    assert index.stale_share == 30 / 230
    index.start_build()
    assert index.ready
    assert not index.build_step(0.0)
    check(index, library)  # from the old index, new papers scanned
    assert index.building  # the queries did not finish the rebuild
    [pid] = library.ids_for_keys(["paper3"])
    library.annotate([pid], AnnotationChange(note="wombat"))
    index.finish_build()
    assert index.stale_share == 0.0
    assert index.filter(parse_query("wombat")) == [pid]
    check(index, library)


def test_a_cache_whose_postings_were_changed_on_disk_is_detected_and_rebuilt(library: Library) -> None:
    from papershelf.core.search import wordindex
    from papershelf.core.storage import cachefile

    SearchIndex(library, word_index=True, word_index_from=0).build()
    path = library.folder / CACHE_FILE
    header, raw, at = cachefile.read(path, wordindex.MAGIC, ValueError)
    rows, tokens = len(header["ids"]), len(header["vocab"])
    start = at + 4 * rows + 4 * tokens  # the blobs: checksums (uint32), df (int32), postings (int32)
    postings = np.frombuffer(raw, np.int32, offset=start).copy()
    # every token now names its papers' neighbours: in range, the same counts, the text checksums all
    # still right; structurally a valid file whose answers are wrong
    shifted = (postings + 1) % rows
    path.write_bytes(raw[:start] + shifted.tobytes())
    with pytest.raises(WordIndexError, match="do not match their checksum"):
        WordIndex.load(path)
    index = SearchIndex(library, word_index=True, word_index_from=0)
    index.build()
    assert index.word_index_source == "built"
    check(index, library)  # every query's result equals Query.matches over every paper
    reopened = SearchIndex(library, word_index=True, word_index_from=0)
    reopened.build()
    assert reopened.word_index_source == "cache"  # the file was written again, whole and right
    check(reopened, library)


def test_a_cache_whose_tokens_were_swapped_is_detected(library: Library) -> None:
    from papershelf.core.search import wordindex
    from papershelf.core.storage import cachefile

    SearchIndex(library, word_index=True, word_index_from=0).build()
    path = library.folder / CACHE_FILE
    header, raw, at = cachefile.read(path, wordindex.MAGIC, ValueError)
    header.pop("byteorder")
    vocab = header["vocab"]
    first, second = vocab.index("graph"), vocab.index("kernel")
    vocab[first], vocab[second] = vocab[second], vocab[first]
    cachefile.write(path, wordindex.MAGIC, header, [memoryview(raw)[at:]])
    with pytest.raises(WordIndexError):
        WordIndex.load(path)
    index = SearchIndex(library, word_index=True, word_index_from=0)
    index.build()
    assert index.word_index_source == "built"
    check(index, library)


@given(st.sampled_from(["ab ", "ab é", "ab é\u3042\ud800", "ab é\u3042😀"]).flatmap(
    lambda alphabet: st.tuples(
        st.lists(st.text(alphabet=alphabet, max_size=6).map(lambda t: " ".join(t.split())), max_size=12),
        st.text(alphabet="abé\u3042😀\ud800", min_size=1, max_size=3),
    )))
def test_joined_finds_exactly_the_texts_that_contain_the_word(texts_and_word: tuple[list[str], str]) -> None:
    texts, word = texts_and_word  # texts of 1-, 2- and 4-byte characters; words of any
    assert Joined(texts).containing(word).tolist() == [n for n, text in enumerate(texts) if word in text]
