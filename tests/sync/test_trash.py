"""The notes file and the Trash: a trashed paper's section is neither written nor lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.services import sync as sync_report
from papershelf.services import trash
from papershelf.sync.notesfile import parse
from papershelf.sync.syncer import resolve, sync
from tests.sync.helpers import KEYS, annotate, library, note, pid, replace_in, section_text

A, B, C = KEYS[:3]


def test_a_paper_in_the_trash_gets_no_section(tmp_path: Path) -> None:
    lib = library(tmp_path / "lib")
    annotate(lib, A, note="Notes on A.")
    annotate(lib, B, note="Notes on B.")
    lib.trash([pid(lib, B)])
    notes = tmp_path / "notes.md"
    report = sync(lib, notes)
    assert [s.key for s in parse(notes.read_text(encoding="utf-8")).sections] == [A]
    assert report.trashed_keys == []


def test_a_section_of_a_trashed_paper_is_kept_as_it_is_reported_and_synced_again_once_restored(
    tmp_path: Path,
) -> None:
    lib = library(tmp_path / "lib")
    annotate(lib, A, note="Notes on A.")
    annotate(lib, B, note="Notes on B.", status="reading")
    notes = tmp_path / "notes.md"
    sync(lib, notes)
    lib.trash([pid(lib, B)])
    replace_in(notes, "Notes on B.", "Notes on B, typed in the file while B was in the Trash.")
    edited_b = section_text(notes, B)

    report = sync(lib, notes)
    assert report.trashed_keys == [B]
    assert pid(lib, B) not in report.to_library  # nothing is taken from it while it is in the Trash
    assert note(lib, B) == "Notes on B."
    assert section_text(notes, B) == edited_b  # nor is it rewritten or dropped
    lines = sync_report.report_lines(report, lambda p: lib.papers[p].key)
    assert f"sections of papers in the Trash, kept as they are: {B}" in lines

    lib.restore_from_trash([pid(lib, B)])
    back = sync(lib, notes)
    assert back.trashed_keys == []
    assert pid(lib, B) in back.to_library  # the base was kept: the file's edit is taken, no conflict
    assert back.conflicts == {}
    assert note(lib, B).startswith("Notes on B, typed in the file")


def test_a_paper_emptied_from_the_trash_keeps_its_section_as_an_unknown_key(tmp_path: Path) -> None:
    lib = library(tmp_path / "lib")
    annotate(lib, C, note="Notes on C.")
    notes = tmp_path / "notes.md"
    sync(lib, notes)
    lib.trash([pid(lib, C)])
    lib.empty_trash()
    report = sync(lib, notes)
    assert report.unknown_keys == [C]
    assert "Notes on C." in notes.read_text(encoding="utf-8")


def test_the_trash_is_not_emptied_while_a_paper_in_it_has_an_open_conflict(tmp_path: Path) -> None:
    lib = library(tmp_path / "lib")
    annotate(lib, A, note="Notes on A.")
    notes = tmp_path / "notes.md"
    sync(lib, notes)
    annotate(lib, A, note="Notes on A, from the app.")
    replace_in(notes, "Notes on A.", "Notes on A, from the file.")
    assert pid(lib, A) in sync(lib, notes).conflicts
    lib.trash([pid(lib, A)])
    assert trash.in_conflict(lib, lib.trashed_ids()) == [A]
    before = (lib.folder / "catalogue.json").read_bytes()
    with pytest.raises(ValueError, match=f"{A} has a notes-file conflict; resolve it first"):
        trash.empty_trash(lib)
    assert (lib.folder / "catalogue.json").read_bytes() == before
    a = pid(lib, A)
    resolve(lib, a, take="file")
    assert trash.empty_trash(lib) == [a]
