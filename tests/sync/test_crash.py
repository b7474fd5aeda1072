"""A sync process killed with SIGKILL at random moments leaves files that load and loses no text."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from papershelf.core.library import Library
from papershelf.sync import state as sync_state
from papershelf.sync.notesfile import parse
from papershelf.sync.syncer import sync
from tests.sync.helpers import library

ROOT = Path(__file__).resolve().parents[2]
KILLS = 30


def kept_text(lib: Library, notes: Path) -> str:
    parts = [notes.read_text(encoding="utf-8")] if notes.exists() else []
    for paper_id in lib.papers:
        parts.append(lib.annotation(paper_id).note)
        parts += [v.note for v in lib.note_history(paper_id)]
    parts += [str(record) for record in sync_state.conflict_records(lib).values()]
    return "\n".join(parts)


def wait_for_journal(journal: Path, lines: int, proc: subprocess.Popen[bytes]) -> None:
    """Return once the driver has journaled more than ``lines`` tokens (it is busy syncing by then)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        if journal.exists() and journal.read_text(encoding="utf-8").count("\n") > lines:
            return
        os.sched_yield()
    raise AssertionError(f"the driver made no progress (exit code {proc.poll()})")


@pytest.mark.slow
def test_random_kills_during_sync_lose_nothing(tmp_path: Path) -> None:
    lib_dir, notes, journal = tmp_path / "lib", tmp_path / "notes.md", tmp_path / "journal.txt"
    library(lib_dir)
    rng = random.Random(20210503)
    # This checkout's package first (an installed one may be another checkout's), then tests.sync.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "desktop"), str(ROOT)])}
    for kill in range(KILLS):
        before = journal.read_text(encoding="utf-8").count("\n") if journal.exists() else 0
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.sync.crash_driver", str(lib_dir), str(notes), str(journal), str(kill)],
            cwd=ROOT, env=env, stderr=subprocess.PIPE,
        )
        try:
            wait_for_journal(journal, before, proc)  # started and typing: now kill it somewhere in its loop
            time.sleep(rng.uniform(0, 0.25))  # the random point; the test never waits on this for a result
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode() if proc.stderr else ""

        lib = Library(lib_dir)
        assert lib.notices == []  # both stores load as they are
        if notes.exists():  # (the first run may die before anything made it)
            assert parse(notes.read_text(encoding="utf-8")).problems == []
        tokens = journal.read_text(encoding="utf-8").split()
        text = kept_text(lib, notes)
        lost = [t for t in tokens if t not in text]
        assert lost == [], f"after kill {kill + 1}: lost {lost[:5]}"

    lib = Library(lib_dir)
    sync(lib, notes)
    assert sync(lib, notes).written is False
    text = kept_text(lib, notes)
    assert all(t in text for t in journal.read_text(encoding="utf-8").split())
