"""The words of a notes-file sync report, from real syncs of a real library and notes file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from papershelf.core.library import Library
from papershelf.core.model import Paper
from papershelf.services.sync import KEYS_SHOWN, conflict_lines, counts, report_lines
from papershelf.sync.syncer import sync
from tests.sync.helpers import KEYS, annotate, library, replace_in

A, B = KEYS[0], KEYS[1]


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    lib = library(tmp_path / "lib")
    annotate(lib, A, note="Written in the app.", status="reading")
    annotate(lib, B, add_tags=("theory",))
    return lib


def key_of(lib: Library) -> Callable[[str], str]:
    return lambda pid: lib.papers[pid].key


def test_a_first_sync_reports_what_went_to_the_file(lib: Library, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    report = sync(lib, notes)
    assert report_lines(report, key_of(lib)) == [
        f"notes file: {notes} (written)",
        f"to the file: 2 papers: {A}, {B}",
    ]
    assert counts(report) == ["2 to the file"]  # the window's status line leaves out what did not happen
    assert counts(report, every_count=True) == ["0 from the file", "2 to the file", "0 conflicts"]
    again = sync(lib, notes)
    assert report_lines(again, key_of(lib)) == [f"notes file: {notes} (unchanged)"]
    assert counts(again) == []


def test_a_conflict_is_reported_with_its_fields_and_how_to_resolve_it(lib: Library, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    sync(lib, notes)
    replace_in(notes, "Written in the app.", "Edited in the file.")
    annotate(lib, A, note="Edited in the app.")
    report = sync(lib, notes)
    lines = report_lines(report, key_of(lib))
    assert "conflicts: 1" in lines
    assert f"  {A}  (note)" in lines
    assert lines[-1] == "  papershelf sync --resolve KEY --take app|file (or --merged-note FILE)"
    assert counts(report) == ["1 to the file", "1 conflict"]  # the conflict block went into the file
    assert counts(report, every_count=True)[-1] == "1 conflicts"  # the fixed shape of the watch log
    assert conflict_lines(report, key_of(lib)) == [f"conflict: {A} (note)"]


def test_many_papers_are_cut_after_a_few_keys(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib")
    lib.import_papers([Paper(id="", key="", title=f"Paper number {n}", authors=["Ann Author"], year=2021)
                       for n in range(KEYS_SHOWN + 3)])
    keys = lib.keys()
    for key in keys:
        annotate(lib, key, add_tags=("many",))
    report = sync(lib, tmp_path / "notes.md")
    line = report_lines(report, key_of(lib))[1]
    shown = ", ".join(lib.papers[pid].key for pid in report.to_file[:KEYS_SHOWN])
    assert line == f"to the file: {KEYS_SHOWN + 3} papers: {shown}, ... (3 more)"
