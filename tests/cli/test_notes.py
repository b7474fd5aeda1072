"""``sync`` and ``history`` (cli/notes.py): the report printed is the service's, conflicts exit 3."""

from __future__ import annotations

from pathlib import Path

from papershelf.cli.notes import EXIT_CONFLICTS
from papershelf.core.library import Library
from papershelf.services.sync import report_lines
from papershelf.sync.syncer import sync
from tests.cli.conftest import RunCli
from tests.sync.helpers import KEYS, annotate, library, replace_in

A = KEYS[0]


def test_sync_prints_the_service_report_and_exits_3_on_a_conflict(run_cli: RunCli, tmp_path: Path) -> None:
    lib = library(tmp_path / "lib")
    annotate(lib, A, note="Written in the app.")
    notes = tmp_path / "notes.md"
    first = run_cli("--library", str(lib.folder), "sync", "--notes-file", str(notes))
    assert first.code == 0, first.err
    assert first.out == f"notes file: {notes} (written)\nto the file: 1 papers: {A}\n"

    replace_in(notes, "Written in the app.", "Edited in the file.")
    run_cli("--library", str(lib.folder), "annotate", A, "--note", "Edited in the app.")
    conflict = run_cli("--library", str(lib.folder), "sync")
    assert conflict.code == EXIT_CONFLICTS
    again = Library(lib.folder)
    expected = report_lines(sync(again, notes), lambda pid: again.papers[pid].key)  # the conflict is still open
    printed = conflict.out.splitlines()
    assert printed[printed.index("conflicts: 1"):] == expected[expected.index("conflicts: 1"):]
    assert f"  {A}  (note)" in printed


def test_history_lists_then_restores(run_cli: RunCli, tmp_path: Path) -> None:
    lib = library(tmp_path / "lib")
    annotate(lib, A, note="First version.")
    annotate(lib, A, note="Second version.")
    listed = run_cli("--library", str(lib.folder), "history", A)
    assert listed.code == 0, listed.err
    assert listed.out.startswith(" 1  ")
    assert "First version." in listed.out
    restored = run_cli("--library", str(lib.folder), "history", A, "--restore", "1")
    assert restored.err == f"restored version 1 of {A}'s note\n"
    assert Library(lib.folder).annotation(lib.paper(A).id).note == "First version."


def test_history_shows_the_status_and_tags_a_sync_replaced(run_cli: RunCli, tmp_path: Path) -> None:
    lib = library(tmp_path / "lib")
    annotate(lib, A, note="Written in the app.", status="reading", add_tags=("method", "to-cite"))
    notes = tmp_path / "notes.md"
    sync(lib, notes)
    text = notes.read_text(encoding="utf-8")
    notes.write_text(text[: text.index("## ")], encoding="utf-8")  # every section deleted
    sync(lib, notes)

    listed = run_cli("--library", str(lib.folder), "history", A)
    assert listed.code == 0, listed.err
    [line] = listed.out.splitlines()
    assert line.startswith(" 1  ")
    assert line.endswith("Written in the app.  [status reading · tags method, to-cite]")
    shown = run_cli("--library", str(lib.folder), "history", A, "--show", "1")
    assert shown.out == "Written in the app.\n"  # the note alone, as a script reading it expects
    assert shown.err == "version 1 kept status reading · tags method, to-cite\n"
    run_cli("--library", str(lib.folder), "history", A, "--restore", "1")
    ann = Library(lib.folder).annotation(lib.paper(A).id)
    assert (ann.note, ann.status, ann.tags) == ("Written in the app.", "reading", ["method", "to-cite"])
