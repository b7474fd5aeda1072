"""Reading a large store file in pieces gives what parsing it whole gives, whatever the documents hold."""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papershelf.core.library import Library
from papershelf.core.memory import FileChunks, TextFile, load_json_file
from papershelf.core.model import Paper
from papershelf.core.storage.backup import take_backup
from papershelf.core.storage.store import atomic_write_bytes

# Text that looks like the place between two documents, and JSON's own punctuation and escapes.
TRICKY = ['},"a":{"id":"', '"', "\\", "}", "{", ",", ":", '\\"}', "\n", "ü", "\x00", "𝄞"]
texts = st.lists(st.sampled_from(TRICKY) | st.text(max_size=8), max_size=6).map("".join)
documents = st.fixed_dictionaries(
    {"id": texts},
    optional={"title": texts, "authors": st.lists(texts, max_size=3), "year": st.integers(-(2**63), 2**63 - 1),
              "fields": st.dictionaries(texts, texts, max_size=3), "id2": st.dictionaries(st.just("id"), texts)},
)


def written(path: Path, data: Any) -> Path:
    path.write_bytes(orjson.dumps(data))
    return path


def read_both(path: Path, piece_bytes: int) -> tuple[Any, Any]:
    return load_json_file(path, piece_bytes=piece_bytes, pieces_from=0), orjson.loads(path.read_bytes())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    table=st.dictionaries(texts, documents, max_size=30),
    before=st.dictionaries(st.sampled_from(["_meta", "x"]), st.dictionaries(texts, documents, max_size=2)),
    after=st.dictionaries(st.sampled_from(["_meta", "later", "papers"]), st.dictionaries(texts, documents, max_size=2)),
    piece_bytes=st.integers(1, 400),
)
def test_pieces_give_what_the_whole_file_gives(
    tmp_path: Path, table: dict[str, Any], before: dict[str, Any], after: dict[str, Any], piece_bytes: int
) -> None:
    data = {**before, "papers": table, **after}
    pieces, whole = read_both(written(tmp_path / "store.json", data), piece_bytes)
    assert pieces == whole
    assert list(pieces) == list(whole)  # tables and documents in the file's order
    assert all(list(pieces[name]) == list(whole[name]) for name in whole)


def test_a_catalogue_read_in_pieces_is_the_catalogue(tmp_path: Path) -> None:
    data = {"_meta": {"schema": {"kind": "catalogue", "version": 1}},
            "papers": {f"{n:016x}": Paper(f"{n:016x}", f"k{n}", f"Title {n}", ["A"], abstract="x" * n).to_doc()
                       for n in range(2000)}}
    path = written(tmp_path / "catalogue.json", data)
    pieces, whole = read_both(path, 4096)
    assert pieces == whole == data
    assert list(pieces["papers"]) == list(data["papers"])


def peak_bytes_while(read: Any) -> int:
    tracemalloc.start()
    try:
        read()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_reading_in_pieces_never_holds_the_whole_file(tmp_path: Path) -> None:
    """What the pieces are for: the peak is the parsed documents and a piece, not the file's bytes too."""
    data = {"_meta": {"schema": {"kind": "catalogue", "version": 1}},
            "papers": {f"{n:016x}": Paper(f"{n:016x}", f"k{n}", "T", ["A"], abstract="word " * 400).to_doc()
                       for n in range(2000)}}
    path = written(tmp_path / "catalogue.json", data)
    size = path.stat().st_size
    whole = peak_bytes_while(lambda: orjson.loads(path.read_bytes()))
    pieces = peak_bytes_while(lambda: load_json_file(path, piece_bytes=64 * 1024, pieces_from=0))
    assert size > 4_000_000
    assert pieces < whole - size * 3 // 4


@pytest.mark.parametrize("cut", [1, 1000, 50_000, -2])
def test_a_damaged_file_fails_as_parsing_it_whole_fails(tmp_path: Path, cut: int) -> None:
    data = {"papers": {f"{n}": {"id": f"{n}", "title": "t" * 50} for n in range(2000)}}
    path = tmp_path / "store.json"
    path.write_bytes(orjson.dumps(data)[:cut])
    with pytest.raises(orjson.JSONDecodeError) as whole:
        orjson.loads(path.read_bytes())
    with pytest.raises(orjson.JSONDecodeError) as pieces:
        load_json_file(path, piece_bytes=512, pieces_from=0)
    assert str(pieces.value) == str(whole.value)


def test_an_empty_file_says_so(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    path.write_bytes(b"  \n")
    with pytest.raises(ValueError, match="the file is empty"):
        load_json_file(path)


def test_a_file_is_copied_in_chunks_never_held_whole(tmp_path: Path) -> None:
    source = tmp_path / "catalogue.json"
    source.write_bytes(bytes(range(256)) * 40_000)  # ~10 MB
    target = tmp_path / "copy.json"
    peak = peak_bytes_while(lambda: atomic_write_bytes(target, FileChunks(source, chunk_bytes=256 * 1024)))
    assert target.read_bytes() == source.read_bytes()
    assert peak < source.stat().st_size // 8
    assert len(FileChunks(source, chunk_bytes=256 * 1024)) == 40


def test_a_backup_is_the_file_as_it_was(tmp_path: Path) -> None:
    """A backup (``take_backup``) copies the store file in chunks: the same bytes."""
    folder = tmp_path / "library"
    Library(folder).backup()
    store = folder / "catalogue.json"
    store.write_bytes(orjson.dumps({"_meta": {"schema": {"kind": "catalogue", "version": 1}},
                                    "papers": {str(n): {"id": str(n), "title": "t" * 900} for n in range(3000)}}))
    taken = take_backup(folder, "catalogue.json")
    assert taken is not None
    assert taken.read_bytes() == store.read_bytes()


def test_opening_a_library_and_searching_it_loads_no_openssl(tmp_path: Path) -> None:
    """hashlib loads OpenSSL (3.4 MB of a 10k library's 120 MB); paper ids need it only when papers are made."""
    Library(tmp_path / "library").import_papers([Paper("", "k", "A title", ["A"], abstract="An abstract.")])
    code = (
        "import sys\n"
        "from papershelf.core.library import Library\n"
        "from papershelf.core.search.index import SearchIndex\n"
        "from papershelf.core.search.query import parse_query\n"
        f"library = Library({str(tmp_path / 'library')!r}, read_only=True)\n"
        "assert SearchIndex(library).filter(parse_query('title')) == list(library.papers)\n"
        "print(sorted(m for m in ('hashlib', '_hashlib') if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "[]"


LARGE_TEMPORARIES = """
import sys
from papershelf.core.library import Library

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

if sys.argv[1] == "a library opened":
    Library(sys.argv[2])  # sets the C allocator's mapping size (core/memory.return_large_blocks)
first = b"x" * (16 << 20)  # freed: glibc maps blocks only from 16 MB on after this
del first
before = rss_mb()
for _ in range(3):  # temporaries of a few MB, as a word index build's arrays
    held = [b"x" * (2 << 20) for _ in range(8)]
    del held
print(round(rss_mb() - before))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_large_temporaries_are_given_back_once_freed(tmp_path: Path) -> None:
    """Without ``return_large_blocks`` the 16 MB of freed temporaries stay with the process (the control)."""

    def kept_mb(mode: str) -> int:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        env.pop("MALLOC_MMAP_THRESHOLD_", None)
        done = subprocess.run([sys.executable, "-c", LARGE_TEMPORARIES, mode, str(tmp_path / "library")],
                              capture_output=True, text=True, env=env, check=True)
        return int(done.stdout)

    assert kept_mb("glibc's own") >= 12
    assert kept_mb("a library opened") <= 2


def _literals_file(tmp_path: Path, texts: list[str], gap: int = 3) -> tuple[TextFile, list[int]]:
    """A file of the JSON literals of ``texts`` with ``gap`` bytes between them, open as a TextFile."""
    path, places, data = tmp_path / "texts.json", [], bytearray(b"[")
    for text in texts:
        encoded = orjson.dumps(text)
        places.append(TextFile.place(len(data), len(encoded)))
        data += encoded + b"," * gap
    path.write_bytes(bytes(data))
    with path.open("rb") as file:
        opened = TextFile.open(file)
    assert opened is not None
    assert all(place is not None for place in places)
    return opened, [place for place in places if place is not None]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(), min_size=1, max_size=12), st.integers(0, 40000), st.randoms(use_true_random=False))
def test_strings_read_ahead_are_the_strings_read_one_by_one(
    tmp_path: Path, texts: list[str], gap: int, shuffle: Any
) -> None:
    file, places = _literals_file(tmp_path, texts, gap)  # (far apart: read one by one after all)
    alone = [file.read(place) for place in places]
    assert alone == texts
    some = places[:]
    shuffle.shuffle(some)
    file.read_ahead(some[: len(some) // 2 + 1])
    assert [file.read(place) for place in places] == texts


def test_a_string_read_ahead_whose_bytes_changed_fails_when_read(tmp_path: Path) -> None:
    file, places = _literals_file(tmp_path, ["first abstract", "second \\ abstract", "third"])
    path = tmp_path / "texts.json"
    data = path.read_bytes()
    with path.open("r+b") as changed:  # another program writes over the second text in place
        changed.write(data.replace(b'"second', b"xsecond"))
    file.read_ahead(places)
    assert file.read(places[0]) == "first abstract"
    assert file.read(places[2]) == "third"
    with pytest.raises(OSError, match="changed under Papershelf"):
        file.read(places[1])
