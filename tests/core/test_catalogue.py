"""A large catalogue is read in pieces, its papers made as each piece is read: the library it opens is the
one a whole read gives, repairs and reports included."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

import orjson
import pytest

import papershelf.core.memory as memory
from papershelf.core.library import Library


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
