"""Word indexes of runs of rows (as child processes build them): passed between processes, answering as one, and
merged into the very index one build of all the rows gives."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.core.search.steps import run
from papershelf.core.search.wordindex import Segments, WordIndex, WordIndexError
from papershelf.core.storage import cachefile
from tests.core.search.test_wordindex import ODD_TEXTS, Verifier, brute, random_texts, same_index

MAGIC = b"TEST-WORDS\n"


def _built(ids: list[str], texts: list[str]) -> WordIndex:
    """The index of ``texts`` as ``Builder.finishing`` leaves it (dense tokens' rows in bitsets, not prepared)."""
    return run(WordIndex.building(ids, texts, prepare=False))


def passed(index: WordIndex) -> WordIndex:
    """``index`` after a trip through the bytes a child process writes."""
    header, blobs = index.built_parts()
    raw = b"".join(bytes(part) for part in cachefile.laid_out(MAGIC, header, blobs))
    header, raw, at = cachefile.parse(raw, MAGIC, WordIndexError)
    return WordIndex.from_built_parts(list(index.ids), header, raw, at)


def segments_of(texts: list[str], cuts: list[int]) -> Segments:
    """The word indexes of ``texts`` cut at ``cuts`` (multiples of 8), each passed between processes."""
    bounds = [0, *cuts, len(texts)]
    ids = [f"id{i}" for i in range(len(texts))]
    parts = [passed(_built(ids[low:high], texts[low:high])) for low, high in itertools.pairwise(bounds)]
    return Segments(parts, ids)


def file_bytes(index: WordIndex) -> bytes:
    header, blobs = index.file_parts({"x": 1})
    return b"".join(bytes(part) for part in cachefile.laid_out(MAGIC, header, blobs))


def test_an_index_passed_between_processes_is_the_same_index() -> None:
    texts = random_texts(2000, seed=5)
    index = _built([f"id{i}" for i in range(len(texts))], texts)
    again = passed(index)
    run(index.preparing())
    same_index(again, index)
    assert file_bytes(again) == file_bytes(index)


def test_damaged_parts_are_refused() -> None:
    index = _built(["a", "b"], ["graph neural", "graph"])
    header, blobs = index.built_parts()
    raw = b"".join(bytes(part) for part in cachefile.laid_out(MAGIC, header, blobs))
    header, raw, at = cachefile.parse(raw, MAGIC, WordIndexError)
    with pytest.raises(WordIndexError):
        WordIndex.from_built_parts(["a", "b", "c"], header, raw, at)  # rows it was not built for
    with pytest.raises(WordIndexError):
        WordIndex.from_built_parts(["a", "b"], header, raw[:-4], at)  # cut short
    with pytest.raises(WordIndexError):
        WordIndex.from_built_parts(["a", "b"], {**header, "vocab": ["graph"]}, raw, at)  # a token missing
    rows_listed = WordIndex(["a"], index.checksums[:1], ["x"], np.asarray([1], np.int32), np.asarray([0], np.int32),
                            prepare=False)  # every token's rows in a list, as a cache file holds them
    with pytest.raises(ValueError, match="bitsets"):
        rows_listed.built_parts()


def test_runs_answer_as_one_index_and_merge_into_the_one_built_from_all_rows() -> None:
    # runs of 400, 800 and 800 rows: "mid3" is in 40 rows of the first only (dense there, sparse among all the
    # rows); "spread" in 30 rows of the first and 20 of each other (sparse there, dense among all)
    texts = [f"{random.Random(i).choice(['alpha', 'beta'])} mid{i % 10} rare{i % 97} x" for i in range(400)]
    texts += random_texts(1600, seed=9)
    for row in [*range(0, 300, 10), *range(400, 800, 20), *range(1200, 1600, 20)]:
        texts[row] += " spread"
    whole = WordIndex.build([f"id{i}" for i in range(len(texts))], texts)
    segments = segments_of(texts, [400, 1200])

    def dense(index: WordIndex, token: str) -> bool:
        return int(index.df[index.vocab.index(token)]) * 32 >= index.n_rows

    first, second, _ = segments.parts
    assert dense(first, "mid3")
    assert not dense(whole, "mid3")
    assert not dense(second, "spread")
    assert dense(first, "spread")
    assert dense(whole, "spread")
    for word in ("mid3", "spread"):
        assert segments.rows_with(word, None).tolist() == brute(texts, word), word
    for word in ("alpha", "beta", "rare1", "a", "ab", "x", "zzz", *sorted({t[:3] for t in texts[500].split()})):
        expected = brute(texts, word)
        assert segments.rows_with(word, None).tolist() == expected, word
        assert segments.rows_with(word, Verifier(texts, word)).tolist() == expected, word
    merged = run(segments.merging())
    same_index(merged, whole)
    assert file_bytes(merged) == file_bytes(whole)  # the same tokens, numbers, rows, bits: byte for byte


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(alphabet="ab ü\t\xa0-" + "x" * 3, max_size=30), min_size=1, max_size=70), st.data())
def test_any_texts_cut_into_any_runs_merge_into_the_same_index(texts: list[str], data: st.DataObject) -> None:
    ids = [f"id{i}" for i in range(len(texts))]
    cuts = sorted(set(data.draw(st.lists(st.integers(1, max(1, (len(texts) - 1) // 8)), max_size=4))))
    cuts = [8 * c for c in cuts if 8 * c < len(texts)]
    segments = segments_of(texts, cuts)
    whole = WordIndex.build(ids, texts)
    for word in ("a", "b", "ü", "-", "ab", "xx", "a-b"):
        assert segments.rows_with(word, None).tolist() == brute(texts, word), word
    assert file_bytes(run(segments.merging())) == file_bytes(whole)


def test_runs_must_end_on_whole_bytes_of_rows() -> None:
    texts = ODD_TEXTS
    with pytest.raises(ValueError, match="multiple of 8"):
        Segments([passed(_built(["a", "b", "c"], texts[:3])), passed(_built(["d"], texts[3:4]))],
                 ["a", "b", "c", "d"])
    with pytest.raises(ValueError, match="ids for"):
        Segments([passed(_built(["a"], texts[:1]))], ["a", "b"])
