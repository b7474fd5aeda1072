"""``catalogue.cache``: a large catalogue's papers read back from the cache are the papers the catalogue
file gives, and a cache that is not of the very file there now (stale, damaged, foreign) is never used."""

from __future__ import annotations

import os
import shutil
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

import papershelf.core.memory as memory
from papershelf.core import catalogue_cache
from papershelf.core.library import CATALOGUE_SCHEMA, Library
from papershelf.core.model import Paper
from papershelf.core.storage.migrations import PAPERS
from papershelf.formats import bibtex

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def opened(folder: Path, monkeypatch: pytest.MonkeyPatch, *, in_pieces: bool = True) -> Library:
    """The library, its catalogue read as a large one is (in pieces, abstracts left in the file)."""
    with monkeypatch.context() as patch:
        patch.setattr(memory, "PIECES_FROM", 0 if in_pieces else 1 << 40)
        patch.setattr(memory, "PIECE_BYTES", 64 * 1024)
        return Library(folder, read_only=True)


def seen(library: Library) -> tuple[Any, ...]:
    """Everything a reader of the catalogue can see, papers in their order."""
    papers = list(library.papers.values())
    return (
        list(library.papers),
        [paper.to_doc() for paper in papers],
        [paper.abstract_in_memory for paper in papers],
        papers,  # the dataclass's own equality too
        library.catalogue.meta(),
        library.keys(),
        [p.record_id for p in library.catalogue.load_problems],
        library.notices,
    )


def cached_tables(folder: Path) -> dict[str, Any] | None:
    path = folder / "catalogue.json"
    with path.open("rb") as file:
        return catalogue_cache.read(path, file, CATALOGUE_SCHEMA, PAPERS)


NASTY = [
    Paper("", "nonascii", "Ünïcödé: 图神经网络 and a clef 𝄞", ["Bernhard Schölkopf", "Émile Zola", "李飞飞"],
          2020, "NeurIPS", "Oral", "Ärger mit Ümlauten, CJK 图神经网络, a clef 𝄞 and a tab\tand\nlines. " * 5),
    Paper("", "latex", r"{Causal} Inference: 100\% {BERT} and $\alpha$-things", [r"Sch{\"o}lkopf, B."],
          fields={"title": r"{Causal} Inference: 100\% {BERT}", "note": r"\emph{x} \& y", "@preamble": "p"}),
    Paper("", "empty", "", [], None, "", None, "", entry_type="misc"),
    Paper("", "separators", "A title with \x1f a unit separator", ["One \x1e name", "Two"], 1999,
          "Venue \x1f odd", abstract="An abstract holding \x1f the column separator, long enough. " * 5,
          url="https://x.org/\x1f", doi="10.1/\x1f"),
    Paper("", "blankname", "A paper whose one author is blank", [""], 2001),
    Paper("", "aliased", "A merged paper", ["A. Author"], 2018, aliases=["old2018", "older2017"]),
    Paper("", "short", "Short abstract", ["B"], abstract="Too short to keep in the file."),
    Paper("", "farfuture", "A year far out", ["E"], 10**15, track="Spotlight", entry_type="book"),
    Paper("", "quotes", 'A "quoted" title', ["C"], abstract='A "quoted" word, a back\\slash, \\"both\\". ' * 5),
]


@pytest.fixture
def mixed_library(iclr_library_dir: Path) -> Path:
    """~2.8k papers: the bundled ICLR papers, a real proceedings .bib (LaTeX, BibTeX fields), hand-made oddities."""
    library = Library(iclr_library_dir)
    parsed = bibtex.parse((FIXTURES / "neurips2020.bib").read_text(encoding="utf-8"))
    nasty = bibtex.parse((FIXTURES / "nasty.bib").read_text(encoding="utf-8"))
    library.import_papers([*parsed.papers, *nasty.papers, *NASTY])
    assert len(library.papers) > 2700
    return iclr_library_dir


def test_papers_read_from_the_cache_are_those_read_from_the_catalogue(
    mixed_library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = opened(mixed_library, monkeypatch)
    assert cached_tables(mixed_library) is None  # none yet
    assert first.catalogue.keep_cache()
    assert cached_tables(mixed_library) is not None  # this time the papers come from the cache
    again = opened(mixed_library, monkeypatch)
    whole = opened(mixed_library, monkeypatch, in_pieces=False)
    assert seen(again) == seen(first)
    assert [p.to_doc() for p in again.papers.values()] == [p.to_doc() for p in whole.papers.values()]
    assert sum(not p.abstract_in_memory for p in again.papers.values()) > 850  # read from the file, as before
    for key in ("nonascii", "latex", "separators", "blankname", "aliased", "empty", "quotes"):
        paper = again.paper(key)
        assert (paper.title, paper.authors, paper.abstract, paper.fields, paper.aliases) == (
            whole.paper(key).title, whole.paper(key).authors, whole.paper(key).abstract, whole.paper(key).fields,
            whole.paper(key).aliases), key
    assert again.paper("old2018") is again.paper("aliased")
    assert not again.catalogue.keep_cache()  # current already: not written again


def test_a_cache_is_kept_only_of_papers_that_are_still_the_files(
    mixed_library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = opened(mixed_library, monkeypatch)
    writing = Library(mixed_library)  # another opening imports: the file is replaced
    writing.import_papers([Paper("", "later", "Imported later", ["D"], 2024)])
    assert not library.catalogue.keep_cache()  # its papers are the old file's
    assert not writing.catalogue.keep_cache()  # it wrote: its papers read the old file's abstracts
    assert not opened(mixed_library, monkeypatch, in_pieces=False).catalogue.keep_cache()  # read whole: no places
    assert not (mixed_library / catalogue_cache.CACHE_FILE).exists()
    assert opened(mixed_library, monkeypatch).catalogue.keep_cache()


def test_a_cache_of_a_replaced_catalogue_is_not_used(mixed_library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert opened(mixed_library, monkeypatch).catalogue.keep_cache()
    Library(mixed_library).import_papers([Paper("", "later", "Imported later", ["D"], 2024)])
    assert cached_tables(mixed_library) is None
    library = opened(mixed_library, monkeypatch)
    assert library.has_key("later")
    assert library.catalogue.keep_cache()  # made again, of the new file
    assert opened(mixed_library, monkeypatch).has_key("later")


def test_a_catalogue_edited_in_place_behind_the_apps_back_is_read_not_the_stale_cache(
    mixed_library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same inode, same size, same modification time: only the content (and the change time) moved."""
    assert opened(mixed_library, monkeypatch).catalogue.keep_cache()
    path = mixed_library / "catalogue.json"
    before = path.stat()
    raw = path.read_bytes()
    at = raw.index(b'"title":"') + len(b'"title":"')
    with path.open("r+b") as file:
        file.seek(at)
        file.write(b"X")  # the first title's first letter, in place
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns)
    assert cached_tables(mixed_library) is None
    library = opened(mixed_library, monkeypatch)
    assert next(iter(library.papers.values())).title.startswith("X")


def with_header(raw: bytearray, change: Callable[[dict[str, Any]], object]) -> bytearray:
    """The cache ``raw`` with its header changed by ``change`` (the blobs as they are)."""
    at = len(catalogue_cache.MAGIC)
    size = int.from_bytes(raw[at : at + 8], "little")
    header = orjson.loads(raw[at + 8 : at + 8 + size])
    change(header)
    head = orjson.dumps(header)
    return bytearray(catalogue_cache.MAGIC + len(head).to_bytes(8, "little") + head + raw[at + 8 + size :])


def test_papers_read_before_an_edit_in_place_are_not_kept_as_the_edited_files(
    mixed_library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file the papers were read from changed under them: a cache of them would be stamped as the new file."""
    library = opened(mixed_library, monkeypatch)
    path = mixed_library / "catalogue.json"
    raw = path.read_bytes()
    at = raw.index(b'"title":"') + len(b'"title":"')
    with path.open("r+b") as file:
        file.seek(at)
        file.write(b"X")
    assert not library.catalogue.keep_cache()
    assert not (mixed_library / catalogue_cache.CACHE_FILE).exists()
    assert opened(mixed_library, monkeypatch).catalogue.keep_cache()  # read again: kept


@pytest.mark.parametrize(
    "damage",
    ["truncated", "byte flipped in a title", "byte flipped in the numbers", "empty", "not a cache", "header",
     "huge header size", "huge blob length", "lengths swapped"],
)
def test_a_damaged_cache_is_ignored_and_made_again(
    mixed_library: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    assert opened(mixed_library, monkeypatch).catalogue.keep_cache()
    expected = seen(opened(mixed_library, monkeypatch, in_pieces=False))[:2]
    cache = mixed_library / catalogue_cache.CACHE_FILE
    raw = bytearray(cache.read_bytes())
    if damage == "truncated":
        raw = raw[: len(raw) * 2 // 3]
    elif damage == "byte flipped in a title":
        at = raw.index("Ünïcödé".encode())
        raw[at + 1] ^= 0x01
    elif damage == "byte flipped in the numbers":
        at = raw.index(b'"count"') + 10
        raw[at] ^= 0x04
    elif damage == "empty":
        raw = bytearray()
    elif damage == "not a cache":
        raw = bytearray(b'{"papers": {}}')
    elif damage == "huge header size":
        raw[len(catalogue_cache.MAGIC) + 6] = 0x7F  # 2**55 bytes and more: never to be read (or allocated)
    elif damage == "huge blob length":
        raw = with_header(raw, lambda header: header["lengths"].__setitem__(1, 1 << 62))
    elif damage == "lengths swapped":  # the same total: each blob read where another was written
        raw = with_header(raw, lambda header: header["lengths"].reverse())
    else:
        raw[len(catalogue_cache.MAGIC) + 9] ^= 0x20
    cache.write_bytes(bytes(raw))
    os.utime(cache)
    assert cached_tables(mixed_library) is None
    library = opened(mixed_library, monkeypatch)
    assert seen(library)[:2] == expected
    assert library.catalogue.keep_cache()  # not current: made again
    assert cached_tables(mixed_library) is not None


def test_another_librarys_cache_is_not_used(
    mixed_library: Path, seeded_library_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other"
    shutil.copytree(seeded_library_dir, other)
    assert opened(other, monkeypatch).catalogue.keep_cache()
    shutil.copy2(other / catalogue_cache.CACHE_FILE, mixed_library / catalogue_cache.CACHE_FILE)
    assert cached_tables(mixed_library) is None
    assert len(opened(mixed_library, monkeypatch).papers) > 2700


def test_a_cache_where_abstracts_cannot_be_read_from_the_file_is_not_used(
    mixed_library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without os.pread (Windows) nothing is kept in the file: the cache's places could not be read."""
    assert opened(mixed_library, monkeypatch).catalogue.keep_cache()
    expected = seen(opened(mixed_library, monkeypatch, in_pieces=False))[:2]
    monkeypatch.delattr("os.pread")
    assert cached_tables(mixed_library) is None
    library = opened(mixed_library, monkeypatch)
    assert seen(library)[:2] == expected
    assert not library.catalogue.keep_cache()


def test_reading_the_cache_never_holds_it_whole(mixed_library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert opened(mixed_library, monkeypatch).catalogue.keep_cache()
    size = (mixed_library / catalogue_cache.CACHE_FILE).stat().st_size
    cached_tables(mixed_library)  # what is made once (imports) made
    tracemalloc.start()
    try:
        tables = cached_tables(mixed_library)
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert tables is not None
    # one blob at a time: read whole, the file's bytes and what they decode to were held at once (~4x its size)
    assert peak - held < size


def test_a_catalogue_without_bibtex_fields_or_short_abstracts_is_kept_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Empty columns (no field values, no abstract held in memory) make empty blobs: still a whole cache."""
    folder = tmp_path / "plain"
    Library(folder).import_papers(
        [Paper("", f"p{n}", f"Plain {n}", ["D"], 2020, abstract=f"Plain abstract {n}. " * 30) for n in range(300)]
    )
    first = opened(folder, monkeypatch)
    assert all(not paper.fields and not paper.abstract_in_memory for paper in first.papers.values())
    assert first.catalogue.keep_cache()
    assert catalogue_cache.is_current(folder / "catalogue.json", CATALOGUE_SCHEMA)
    again = opened(folder, monkeypatch)
    assert not again.catalogue.keep_cache()  # current: not written at every close
    assert seen(again) == seen(first)
