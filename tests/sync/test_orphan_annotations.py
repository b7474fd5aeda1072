"""A notes-file sync of a library holding an annotation (and an open conflict) whose paper was set
aside as a damaged record: nothing raises, the annotation, its section and its conflict are kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.cli.main import main
from papershelf.core.library import Library
from papershelf.services import sync as sync_report
from papershelf.sync import state as sync_state
from papershelf.sync.syncer import sync
from tests.helpers.orphans import library_with_orphan


def test_a_sync_leaves_the_orphan_its_section_and_its_conflict_and_reports_only_papers(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    found = library_with_orphan(tmp_path / "lib", notes)
    library = found.library
    before = notes.read_text(encoding="utf-8")

    report = sync(library, notes)
    lines = sync_report.report_lines(report, lambda pid: library.papers[pid].key)

    assert found.orphan not in report.conflicts
    assert any("sections with keys not in this library, kept as they are" in line for line in lines)
    assert "The file's side." in notes.read_text(encoding="utf-8")  # the orphan's section, kept as it was
    assert notes.read_text(encoding="utf-8") == before
    reopened = Library(tmp_path / "lib")
    assert reopened.stored_annotation(found.orphan) == found.annotation
    assert found.orphan in sync_state.conflict_records(reopened)  # back in conflict when the paper is back


def test_the_sync_command_runs_on_such_a_library(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = tmp_path / "notes.md"
    library_with_orphan(tmp_path / "lib", notes)
    capsys.readouterr()

    code = main(["--library", str(tmp_path / "lib"), "sync"])

    out = capsys.readouterr()
    assert code == 0, out.err
    assert "Traceback" not in out.err
    assert f"notes file: {notes}" in out.out
