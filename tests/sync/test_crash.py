"""A sync process killed with SIGKILL at random moments leaves files that load and loses no text."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from papershelf.core.library import Library
from papershelf.sync import state as sync_state
from papershelf.sync.notesfile import parse
from papershelf.sync.syncer import sync
from tests.sync.helpers import KEYS, annotate, library, replace_in

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


# -- a kill at every step of one sync ------------------------------------------------------------------------
#
# One sync, with edits pending on both sides, is run in a child process that SIGKILLs itself at step n
# (before or after each file replacement: see crash_driver.sync_killed_at_step), for every n until the
# sync runs through. After each kill the next sync must end exactly where an uninterrupted sync ends.


def synced_world(root: Path) -> tuple[Library, Path]:
    """A library and its notes file (in a folder of its own), synced once with notes on several papers."""
    lib = library(root / "lib")
    notes = root / "notes" / "notes.md"
    notes.parent.mkdir(parents=True)
    for i, key in enumerate(KEYS):
        annotate(lib, key, note=f"First words on paper {i}.", status="reading" if i % 2 else "new")
    annotate(lib, KEYS[2], add_tags=("method",))
    sync(lib, notes)
    return lib, notes


def edits_on_both_sides(root: Path) -> None:
    lib, notes = synced_world(root)
    annotate(lib, KEYS[0], note="First words on paper 0.\n\nThe app added this.")
    annotate(lib, KEYS[1], status="read")
    annotate(lib, KEYS[2], add_tags=("baseline",))
    annotate(lib, KEYS[3], note="The app's view of paper 3.")  # and the file's below: a conflict
    annotate(lib, KEYS[7], note="Both typed this.")
    replace_in(notes, "First words on paper 3.", "The file's view of paper 3.")
    replace_in(notes, "First words on paper 4.", "First words on paper 4.\n\nThe file added this.")
    replace_in(notes, "**Status:** reading\n\nFirst words on paper 5.", "**Status:** read\n\nFirst words on paper 5.")
    text = notes.read_text(encoding="utf-8")
    start = text.index("## A study of synced notes, part 7")
    end = text.index("## A study of synced notes, part 8")
    notes.write_text(text[:start] + text[end:], encoding="utf-8")  # paper 6's section deleted
    replace_in(notes, "First words on paper 7.", "Both typed this.")


def first_sync_with_a_file(root: Path) -> None:
    lib = library(root / "lib")
    notes = root / "notes" / "notes.md"
    notes.parent.mkdir(parents=True)
    other = library(root / "other")
    for i, key in enumerate(KEYS[:4]):
        annotate(other, key, note=f"Typed on the other machine about paper {i}.")
    sync(other, notes)
    shutil.rmtree(root / "other")
    annotate(lib, KEYS[0], note="Typed here about paper 0.")  # against the file's: a conflict
    annotate(lib, KEYS[5], note="Typed here about paper 5.", status="read")


def a_conflict_copy_beside_the_file(root: Path) -> None:
    lib, notes = synced_world(root)
    copy = notes.with_name("notes.sync-conflict-20240102-030405-ABCDEF1.md")
    copy.write_text(notes.read_text(encoding="utf-8").replace("First words on paper 1.", "The copy's paper 1."),
                    encoding="utf-8")
    replace_in(notes, "First words on paper 2.", "The file's paper 2.")
    annotate(lib, KEYS[1], note="The app's paper 1.")  # and the copy's: a conflict
    annotate(lib, KEYS[4], status="read")


def git_markers_in_the_file(root: Path) -> None:
    lib, notes = synced_world(root)
    text = notes.read_text(encoding="utf-8")
    theirs = "<<<<<<< HEAD\nOurs on paper 1.\n=======\nTheirs on paper 1.\n>>>>>>> 1234abc"
    notes.write_text(text.replace("First words on paper 1.", theirs), encoding="utf-8")
    annotate(lib, KEYS[6], note="The app's paper 6.")


Outcome = tuple[bytes, dict[str, tuple[str, str, tuple[str, ...]]], dict[str, tuple[str, ...]], Any, list[str]]


def outcome(lib: Library, notes: Path) -> Outcome:
    """What a sync leaves: the file's bytes, the synced fields, the open conflicts, the base, the folder."""
    fields = {
        paper.key: (ann.note, ann.status, tuple(ann.tags))
        for paper in lib.papers.values()
        for ann in [lib.annotation(paper.id)]
    }
    conflicts = {lib.papers[pid].key: names for pid, names in sync_state.conflicts(lib).items()}
    base = {lib.papers[pid].key: doc for pid, doc in sync_state.base(lib).items()}
    return notes.read_bytes(), fields, conflicts, base, sorted(p.name for p in notes.parent.iterdir())


def killed_at(step: int, lib_dir: Path, notes: Path) -> int | None:
    """Run one sync killed at ``step``; None if it was killed, the number of steps if it ran through."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "desktop"), str(ROOT)])}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.sync.crash_driver", "--kill-at-step", str(step), str(lib_dir), str(notes)],
        cwd=ROOT, env=env, capture_output=True, check=False,
    )
    if proc.returncode == 0:
        return int(proc.stdout)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    return None


@pytest.mark.parametrize(
    "scenario", [edits_on_both_sides, first_sync_with_a_file, a_conflict_copy_beside_the_file, git_markers_in_the_file]
)
def test_a_kill_at_every_step_of_a_sync_changes_nothing_the_next_sync_gives(
    tmp_path: Path, scenario: Callable[[Path], None]
) -> None:
    world = tmp_path / "world"
    scenario(world)
    clean = tmp_path / "clean"
    shutil.copytree(world, clean)
    lib = Library(clean / "lib")
    sync(lib, clean / "notes" / "notes.md")
    expected = outcome(lib, clean / "notes" / "notes.md")
    expected_history = {v.note for pid in lib.papers for v in lib.note_history(pid)}
    assert expected[2], "each scenario leaves a conflict open, so false and lost ones both show"

    step = 0
    while True:
        run = tmp_path / f"killed-at-{step}"
        shutil.copytree(world, run)
        notes = run / "notes" / "notes.md"
        steps = killed_at(step, run / "lib", notes)
        if steps is not None:
            assert steps == step >= 4, "the sync ran through: every step before this one was a kill"
            break
        lib = Library(run / "lib")
        assert lib.notices == []
        sync(lib, notes)

        assert outcome(lib, notes) == expected, f"killed at step {step}"
        assert sync_state.pending(lib) is None
        assert not [r for r in sync_state.conflict_records(lib).values() if r.get("pending")]
        kept = {v.note for pid in lib.papers for v in lib.note_history(pid)}
        assert expected_history <= kept, f"killed at step {step}"
        assert sync(lib, notes).written is False
        step += 1
