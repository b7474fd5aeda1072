"""`papershelf sync` and `papershelf history`, run as real subprocesses."""

from __future__ import annotations

import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sync.helpers import annotate, library, replace_in

A, B = "adams2021study", "baker2021study"


def papershelf(lib: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "papershelf", "--library", str(lib), *args],
        capture_output=True, text=True, timeout=60, check=False,
    )


@pytest.fixture
def lib_dir(tmp_path: Path) -> Path:
    lib = library(tmp_path / "lib")
    annotate(lib, A, note="A note written in the app.", status="reading")
    annotate(lib, B, add_tags=("theory",))
    return lib.folder


def test_sync_remembers_the_file_then_exits_3_and_lists_conflicts(lib_dir: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    assert papershelf(lib_dir, "sync").returncode == 1  # no file given yet, none remembered

    first = papershelf(lib_dir, "sync", "--notes-file", str(notes))
    assert first.returncode == 0, first.stderr
    assert f"notes file: {notes} (written)" in first.stdout
    assert f"to the file: 2 papers: {A}, {B}" in first.stdout

    again = papershelf(lib_dir, "sync")  # the path was remembered
    assert again.returncode == 0, again.stderr
    assert "(unchanged)" in again.stdout

    replace_in(notes, "A note written in the app.", "Edited in the file.")
    edit = papershelf(lib_dir, "annotate", A, "--note", "Edited in the app.")
    assert edit.returncode == 0, edit.stderr
    conflict = papershelf(lib_dir, "sync")
    assert conflict.returncode == 3
    assert "conflicts: 1" in conflict.stdout
    assert f"  {A}  (note)" in conflict.stdout
    assert "Edited in the file." in notes.read_text(encoding="utf-8")

    resolved = papershelf(lib_dir, "sync", "--resolve", A, "--take", "file")
    assert resolved.returncode == 0, resolved.stdout + resolved.stderr
    assert "papershelf:conflict" not in notes.read_text(encoding="utf-8")
    shown = papershelf(lib_dir, "show", A)
    assert "Edited in the file." in shown.stdout


def test_history_lists_shows_and_restores(lib_dir: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    assert papershelf(lib_dir, "sync", "--notes-file", str(notes)).returncode == 0
    replace_in(notes, "A note written in the app.", "Rewritten in the file.")
    assert papershelf(lib_dir, "sync").returncode == 0

    listed = papershelf(lib_dir, "history", A)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith(" 1  ")
    assert "file" in listed.stdout
    assert "A note written in the app." in listed.stdout
    assert papershelf(lib_dir, "history", A, "--show", "1").stdout == "A note written in the app.\n"

    restored = papershelf(lib_dir, "history", A, "--restore", "1")
    assert restored.returncode == 0, restored.stderr
    assert "A note written in the app." in papershelf(lib_dir, "show", A).stdout
    assert papershelf(lib_dir, "history", A, "--restore", "9").returncode == 1
    assert "no earlier versions" in papershelf(lib_dir, "history", B).stderr


def _line(proc: subprocess.Popen[str], timeout: float = 30) -> str:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, "no output from papershelf sync --watch"
    return proc.stdout.readline()


def test_watch_syncs_on_change_until_ctrl_c(lib_dir: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    proc = subprocess.Popen(
        [sys.executable, "-m", "papershelf", "--library", str(lib_dir), "sync", "--watch", "--notes-file",
         str(notes)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
    )
    try:
        assert "synced: 0 from the file, 2 to the file, 0 conflicts" in _line(proc)
        replace_in(notes, "A note written in the app.", "Changed while watched.")
        assert "synced: 1 from the file, 0 to the file, 0 conflicts" in _line(proc)
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    assert "Changed while watched." in papershelf(lib_dir, "show", A).stdout


def test_sync_reports_a_conflict_copy_it_took_in(lib_dir: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    assert papershelf(lib_dir, "sync", "--notes-file", str(notes)).returncode == 0
    copy = tmp_path / "notes (conflicted copy 2026-12-04).md"
    copy.write_text(notes.read_text(encoding="utf-8").replace("A note written in the app.", "From Dropbox."),
                    encoding="utf-8")
    done = papershelf(lib_dir, "sync")
    assert done.returncode == 0, done.stderr
    assert f"conflict copy taken in and set aside: {lib_dir / 'backups' / copy.name}" in done.stdout
    assert "From Dropbox." in notes.read_text(encoding="utf-8")
    assert not copy.exists()
