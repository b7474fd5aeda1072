"""A large catalogue is read in pieces, its papers made as each piece is read: the library it opens is the
one a whole read gives, repairs and reports included."""

from __future__ import annotations

import json
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import orjson
import pytest

import papershelf.core.memory as memory
from papershelf.core.library import Library
from papershelf.core.model import Paper
from papershelf.core.search.index import SearchIndex
from papershelf.core.search.query import parse_query


def opened(folder: Path, *, in_pieces: bool, monkeypatch: pytest.MonkeyPatch) -> Library:
    with monkeypatch.context() as patch:
        if in_pieces:  # the ICLR catalogue (~1.5 MB) read as a 100k one is: in pieces
            patch.setattr(memory, "PIECES_FROM", 0)
            patch.setattr(memory, "PIECE_BYTES", 16 * 1024)
        else:
            patch.setattr(memory, "PIECES_FROM", 1 << 40)
        return Library(folder, read_only=True)


def seen(library: Library) -> tuple[Any, ...]:
    problems = [(p.record_id, p.reason, p.set_aside) for p in library.catalogue.load_problems]
    return [p.to_doc() for p in library.papers.values()], problems, library.notices, library.keys()


def test_a_catalogue_read_in_pieces_opens_as_read_whole(
    iclr_library_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (iclr_library_dir / "catalogue.json").stat().st_size > 40 * 16 * 1024
    whole = opened(iclr_library_dir, in_pieces=False, monkeypatch=monkeypatch)
    pieces = opened(iclr_library_dir, in_pieces=True, monkeypatch=monkeypatch)
    assert seen(pieces) == seen(whole)
    assert list(pieces.papers) == list(whole.papers)
    assert not pieces.notices


def test_papers_with_wrong_contents_are_repaired_and_reported_as_in_a_whole_read(
    iclr_library_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = iclr_library_dir / "catalogue.json"
    data = orjson.loads(path.read_bytes())
    ids = list(data["papers"])
    data["papers"][ids[3]]["year"] = "2021"  # repaired: a number
    data["papers"][ids[400]]["id"] = "elsewhere"  # repaired: the id it is stored under
    data["papers"][ids[401]]["key"] = data["papers"][ids[3]]["key"]  # another paper's key: given a new one
    data["papers"][ids[700]] = ["not", "a", "paper"]  # set aside
    path.write_bytes(orjson.dumps(data))
    whole = opened(iclr_library_dir, in_pieces=False, monkeypatch=monkeypatch)
    pieces = opened(iclr_library_dir, in_pieces=True, monkeypatch=monkeypatch)
    assert len(whole.catalogue.load_problems) == 3  # the key taken is told with the year of paper 3
    assert seen(pieces) == seen(whole)
    assert whole.papers[ids[3]].year == 2021
    assert ids[700] not in pieces.papers


def transient_bytes_opening(folder: Path, *, in_pieces: bool, monkeypatch: pytest.MonkeyPatch) -> int:
    """How much more than the opened library an opening held at its peak."""
    tracemalloc.start()
    try:
        library = opened(folder, in_pieces=in_pieces, monkeypatch=monkeypatch)
        held, peak = tracemalloc.get_traced_memory()
        assert library.papers
        return peak - held
    finally:
        tracemalloc.stop()


def test_reading_in_pieces_holds_neither_the_file_nor_all_its_documents(
    iclr_library_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = (iclr_library_dir / "catalogue.json").stat().st_size
    opened(iclr_library_dir, in_pieces=True, monkeypatch=monkeypatch)  # what is made once (imports) made
    whole = transient_bytes_opening(iclr_library_dir, in_pieces=False, monkeypatch=monkeypatch)
    pieces = transient_bytes_opening(iclr_library_dir, in_pieces=True, monkeypatch=monkeypatch)
    assert whole > size  # the file's bytes, and what parsing them takes
    # one 16 kB piece and its documents at a time (~0.25 MB); all 860 documents as dicts would be ~0.9 MB
    assert pieces < size // 3


# -- abstracts kept in the catalogue file ------------------------------------------------------------

TRICKY_ABSTRACTS = [
    'A "quoted" word, a back\\slash and \\"both\\" at once, over and over. ' * 4,
    "Ünïcödé, CJK 图神经网络 and a clef 𝄞, a NUL \x00 and a tab\tand\nlines. " * 4,
    "},\"x\":{\"id\":\"looks like the place between two documents\" " * 4,
    "An abstract that is also another paper's title, word for word, long enough to be kept. " * 3,
]


def tricky_library(folder: Path) -> dict[str, str]:
    """A library whose papers' abstracts hold JSON's punctuation and escapes; their abstracts by id."""
    library = Library(folder)
    papers = [Paper("", f"k{n}", f"Title {n}", [f"Author {n}"], 2020, abstract=text)
              for n, text in enumerate(TRICKY_ABSTRACTS)]
    papers.append(Paper("", "twin", TRICKY_ABSTRACTS[3], ["B"], abstract=TRICKY_ABSTRACTS[3]))
    papers.append(Paper("", "short", "Short", ["C"], abstract="Too short to keep in the file."))
    papers += [Paper("", f"p{n}", f"Plain {n}", ["D"], abstract=f"Plain abstract {n}. " * 30) for n in range(300)]
    library.import_papers(papers)
    return {pid: paper.abstract for pid, paper in library.papers.items()}


def test_a_large_catalogue_keeps_its_abstracts_in_the_file_and_reads_them_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    abstracts = tricky_library(tmp_path / "library")
    library = opened(tmp_path / "library", in_pieces=True, monkeypatch=monkeypatch)
    assert {pid: paper.abstract for pid, paper in library.papers.items()} == abstracts
    in_file = {pid for pid, paper in library.papers.items() if not paper.abstract_in_memory}
    short = library.paper("short").id
    assert in_file == set(abstracts) - {short}  # each abstract found where it is, whatever it holds
    assert library.paper("twin").abstract == library.paper("twin").title == TRICKY_ABSTRACTS[3]
    whole = opened(tmp_path / "library", in_pieces=False, monkeypatch=monkeypatch)
    assert all(paper.abstract_in_memory for paper in whole.papers.values())
    assert seen(library) == seen(whole)


def test_abstracts_stay_right_after_an_import_replaces_the_catalogue_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file a paper reads its abstract from is the one it was read from, even once replaced."""
    folder = tmp_path / "library"
    abstracts = tricky_library(folder)
    with monkeypatch.context() as patch:
        patch.setattr(memory, "PIECES_FROM", 0)
        patch.setattr(memory, "PIECE_BYTES", 4096)
        library = Library(folder)
    assert not library.paper("p1").abstract_in_memory
    before = (folder / "catalogue.json").stat().st_ino
    library.import_papers([Paper("", "new", "A new paper", ["E"], abstract="The newcomer's abstract. " * 20)])
    library.import_papers([Paper("", "", "Plain 7", ["D"], doi="10.1/seven")])  # fills in a paper's DOI
    assert (folder / "catalogue.json").stat().st_ino != before  # written anew (temp file, rename)
    expected = {**abstracts, library.paper("new").id: "The newcomer's abstract. " * 20}
    assert {pid: paper.abstract for pid, paper in library.papers.items()} == expected
    again = opened(folder, in_pieces=True, monkeypatch=monkeypatch)
    assert {pid: paper.abstract for pid, paper in again.papers.items()} == expected
    assert again.paper("p7").doi == "10.1/seven"
    assert [p.to_doc() for p in again.papers.values()] == [p.to_doc() for p in library.papers.values()]


def test_an_abstract_written_with_other_escapes_stays_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A catalogue another program wrote (non-ASCII as \\u escapes): what cannot be found byte for byte is held."""
    folder = tmp_path / "library"
    abstracts = tricky_library(folder)
    path = folder / "catalogue.json"
    stored = orjson.loads(path.read_bytes())
    path.write_text(json.dumps(stored, ensure_ascii=True, separators=(",", ":")), encoding="ascii")
    library = opened(folder, in_pieces=True, monkeypatch=monkeypatch)
    assert {pid: paper.abstract for pid, paper in library.papers.items()} == abstracts
    assert library.paper("k1").abstract_in_memory  # written \u00dcn\u00efc...: not orjson's bytes
    assert not library.paper("p1").abstract_in_memory


def test_a_catalogue_changed_in_place_by_another_program_is_an_error_not_another_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "library"
    tricky_library(folder)
    library = opened(folder, in_pieces=True, monkeypatch=monkeypatch)
    with (folder / "catalogue.json").open("r+b") as file:  # in place: the same file, now shorter
        file.truncate(100)
    with pytest.raises(OSError, match="changed under Papershelf"):
        _ = library.paper("p1").abstract


def test_keeping_abstracts_in_the_file_frees_their_memory(
    iclr_library_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def held_by_papers(in_pieces: bool) -> int:
        tracemalloc.start()
        try:
            library = opened(iclr_library_dir, in_pieces=in_pieces, monkeypatch=monkeypatch)
            return tracemalloc.get_traced_memory()[0] if library.papers else 0
        finally:
            tracemalloc.stop()

    library = opened(iclr_library_dir, in_pieces=False, monkeypatch=monkeypatch)
    abstracts = sum(sys.getsizeof(paper.abstract) for paper in library.papers.values())
    assert abstracts > 500_000  # 860 ICLR abstracts
    saved = held_by_papers(in_pieces=False) - held_by_papers(in_pieces=True)
    assert saved > abstracts * 9 // 10


def test_the_search_index_over_abstracts_kept_in_the_file_answers_as_the_query_does(
    iclr_library_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = opened(iclr_library_dir, in_pieces=True, monkeypatch=monkeypatch)
    assert sum(not paper.abstract_in_memory for paper in library.papers.values()) > 800
    index = SearchIndex(library, word_index=True, word_index_from=100)  # lean: rows read the abstracts
    assert index.lean
    for text in ("graph", "ne", "abstract:diffusion", '"neural network"', "-abstract:the", "abstract:*",
                 "robust OR adversarial", "title:graph abstract:node"):
        query = parse_query(text)
        expected = [pid for pid, paper in library.papers.items() if query.matches(paper, library.annotation(pid))]
        assert index.filter(query) == expected, text
        assert expected or text == "-abstract:the"


def test_where_a_file_cannot_be_read_at_a_place_abstracts_stay_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows has no os.pread (and cannot replace a file held open): the papers hold their abstracts."""
    abstracts = tricky_library(tmp_path / "library")
    monkeypatch.delattr("os.pread")
    library = opened(tmp_path / "library", in_pieces=True, monkeypatch=monkeypatch)
    assert all(paper.abstract_in_memory for paper in library.papers.values())
    assert {pid: paper.abstract for pid, paper in library.papers.items()} == abstracts
