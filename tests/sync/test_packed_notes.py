"""Long notes of wide characters taken from the notes file are held once, as UTF-8, and sync as text."""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.storage.packed import PackedText
from papershelf.sync import state as sync_state
from papershelf.sync.syncer import sync
from tests.sync.helpers import KEYS, library, note, pid, replace_in


def _long_note(n: int, size: int) -> str:
    words = f"Paper {n}: a finding — “quoted” → next step; "
    return (words * (size // len(words) + 1))[:size].rstrip()


def _notes_file(lib: Library, path: Path, size: int) -> dict[str, str]:
    """Write a notes file with one long note for each paper (as a person would); its notes by key."""
    notes = {key: _long_note(n, size) for n, key in enumerate(KEYS)}
    sections = [
        f"## {lib.paper(key).title}\n<!-- papershelf:key={key} -->\n\n**Status:** reading\n\n{text}\n"
        for key, text in notes.items()
    ]
    path.write_text("# Notes\n\n" + "\n".join(sections), encoding="utf-8")
    return notes


def test_long_notes_from_the_file_are_held_once_for_the_library_and_the_sync_base(tmp_path: Path) -> None:
    lib = library(tmp_path / "lib")
    path = tmp_path / "notes.md"
    notes = _notes_file(lib, path, 20_000)
    report = sync(lib, path)
    assert len(report.to_library) == len(KEYS)
    base = sync_state.base(lib)
    for key, text in notes.items():
        assert note(lib, key) == text
        held = lib.annotation(pid(lib, key)).held_note
        assert type(held) is PackedText
        assert base[pid(lib, key)]["note"] is held  # the sync base shares it: no second copy
        assert lib.table("annotations")[pid(lib, key)]["note"] is held
    before = path.read_bytes()
    again = sync(lib, path)
    assert (again.written, again.to_file, again.to_library, again.conflicts) == (False, [], [], {})
    assert path.read_bytes() == before


def test_long_notes_sync_both_ways_and_survive_reopening(tmp_path: Path) -> None:
    lib = library(tmp_path / "lib")
    path = tmp_path / "notes.md"
    notes = _notes_file(lib, path, 20_000)
    sync(lib, path)
    first, second = KEYS[0], KEYS[1]
    replace_in(path, "Paper 0: a finding", "Paper 0: a finding edited in the file")
    lib.annotate([pid(lib, second)], AnnotationChange(note=notes[second] + "\n\nTyped in the app — later."))
    report = sync(lib, path)
    assert report.to_library == [pid(lib, first)]
    assert report.to_file == [pid(lib, second)]
    assert report.conflicts == {}
    reopened = Library(lib.folder)
    assert note(reopened, first).startswith("Paper 0: a finding edited in the file — ")
    assert note(reopened, second).endswith("Typed in the app — later.")
    assert "Typed in the app — later." in path.read_text(encoding="utf-8")
    assert [v.note for v in reopened.note_history(pid(reopened, first))] == [notes[first]]
    # read from disk, the sync base shares the notes the annotations hold (not second copies)
    base = sync_state.base(reopened)
    assert all(base[pid(reopened, key)]["note"] is reopened.annotation(pid(reopened, key)).held_note for key in KEYS)
    # a sync after reopening changes nothing
    again = sync(reopened, path)
    assert (again.written, again.to_library, again.conflicts) == (False, [], {})


def test_the_notes_taken_in_take_about_their_utf8_size_in_memory(tmp_path: Path) -> None:
    """As a 2-byte ``str`` the notes would take twice the file's size (and more with the sync base's)."""
    lib = library(tmp_path / "lib")
    path = tmp_path / "notes.md"
    _notes_file(lib, path, 150_000)
    size = path.stat().st_size
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        sync(lib, path)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert (held - start) / size < 1.3  # (held as a 2-byte str: 2.7x)
