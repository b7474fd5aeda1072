"""A notes-file write killed before its rename leaves a temp file beside the notes file: the next sync
removes it once it is certainly ours and certainly abandoned, and never touches a person's file."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from papershelf.core.storage.store import STALE_TEMP_AGE_S, temp_files_of
from papershelf.sync.syncer import sync
from tests.sync.helpers import annotate, library

KILLED_BEFORE_RENAME = """
import os, signal, sys
from pathlib import Path
from papershelf.core.storage import store
os.replace = lambda *args: os.kill(os.getpid(), signal.SIGKILL)  # die between the temp write and the rename
store.atomic_write_bytes(Path(sys.argv[1]), b"## half a notes file")
"""


def killed_write(notes: Path) -> Path:
    """What a sync killed while writing ``notes`` leaves: the temp file beside it."""
    before = set(temp_files_of(notes))
    proc = subprocess.run([sys.executable, "-c", KILLED_BEFORE_RENAME, str(notes)], check=False)
    assert proc.returncode == -9
    (left,) = set(temp_files_of(notes)) - before
    return left


def aged(path: Path) -> Path:
    old = time.time() - 2 * STALE_TEMP_AGE_S
    os.utime(path, (old, old))
    return path


def test_the_next_sync_removes_an_abandoned_temp_of_the_notes_file_and_nothing_else(tmp_path: Path) -> None:
    lib = library(tmp_path / "lib")
    annotate(lib, "adams2021study", note="A note")
    notes = tmp_path / "notes.md"
    sync(lib, notes)
    abandoned = aged(killed_write(notes))
    recent = killed_write(notes)  # may be another library's sync of this file, still writing
    # Not the shape of our temp files, or the shape but 0644 (ours are 0600): a person's own files.
    persons = [tmp_path / f".notes.md.{middle}.tmp" for middle in ("mybackup", "mine", "abcdefgh")]
    for path in persons:
        path.write_text("a person's own file")
        path.chmod(0o644)
        aged(path)

    sync(lib, notes)

    assert not abandoned.exists()
    assert recent.exists()
    assert all(path.exists() for path in persons)
    assert "A note" in notes.read_text(encoding="utf-8")
