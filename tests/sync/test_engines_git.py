"""git as the sync engine: two machines, two clones of one bare repository, a merge with conflict markers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from papershelf.core.library import Library
from papershelf.sync import state as sync_state
from papershelf.sync.engines import git_sides
from papershelf.sync.syncer import sync
from tests.sync.helpers import KEYS, annotate, library, note, pid, section_text

A, B = KEYS[0], KEYS[1]
NAME = "notes.md"


def git(folder: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {"GIT_AUTHOR_NAME": "R", "GIT_AUTHOR_EMAIL": "r@example.org", "GIT_COMMITTER_NAME": "R",
           "GIT_COMMITTER_EMAIL": "r@example.org", "HOME": str(folder), "PATH": "/usr/bin:/bin",
           "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, env=env,
                          check=check, timeout=60)


def papershelf(lib: Library, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "papershelf", "--library", str(lib.folder), *args],
                          capture_output=True, text=True, timeout=60, check=False)


def commit(clone: Path, message: str) -> None:
    git(clone, "add", NAME)
    git(clone, "commit", "-q", "-m", message)


@pytest.fixture
def machines(tmp_path: Path) -> tuple[Library, Path, Library, Path]:
    """A laptop and a desktop, each with a library and a clone; the notes file reached both once."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    laptop_clone, desktop_clone = tmp_path / "laptop", tmp_path / "desktop"
    for clone in (laptop_clone, desktop_clone):
        git(tmp_path, "clone", "-q", str(remote), str(clone))
        git(clone, "checkout", "-q", "-B", "main")
        git(clone, "config", "pull.rebase", "false")
    laptop, desktop = library(tmp_path / "laptop-lib"), library(tmp_path / "desktop-lib")
    annotate(laptop, A, note="Shared first thoughts.", status="reading")
    annotate(laptop, B, note="B, before the trip.")
    sync(laptop, laptop_clone / NAME)
    commit(laptop_clone, "first notes")
    git(laptop_clone, "push", "-q", "origin", "main")
    git(desktop_clone, "pull", "-q", "origin", "main")
    sync(desktop, desktop_clone / NAME)
    return laptop, laptop_clone, desktop, desktop_clone


def test_a_git_merge_conflict_is_a_papershelf_conflict_resolved_to_a_clean_file(
    machines: tuple[Library, Path, Library, Path],
) -> None:
    laptop, laptop_clone, desktop, desktop_clone = machines
    # Both machines change A's note (and the laptop its status too), each syncs and commits.
    annotate(laptop, A, note="The laptop's thoughts.", status="read")
    sync(laptop, laptop_clone / NAME)
    commit(laptop_clone, "laptop")
    git(laptop_clone, "push", "-q", "origin", "main")
    annotate(desktop, A, note="The desktop's thoughts.")
    annotate(desktop, B, note="B, edited on the desktop only.")
    sync(desktop, desktop_clone / NAME)
    commit(desktop_clone, "desktop")
    pulled = git(desktop_clone, "pull", "-q", "origin", "main", check=False)
    assert pulled.returncode != 0, pulled.stdout  # git could not merge A's section
    marked = (desktop_clone / NAME).read_text(encoding="utf-8")
    assert "<<<<<<< HEAD" in marked
    assert git_sides(marked) is not None

    report = sync(desktop, desktop_clone / NAME)
    a = pid(desktop, A)
    assert set(report.conflicts) == {a}
    assert set(report.conflicts[a]) >= {"note"}
    assert note(desktop, A) == "The desktop's thoughts."  # this machine's side stays in the app
    assert note(desktop, B) == "B, edited on the desktop only."
    text = (desktop_clone / NAME).read_text(encoding="utf-8")
    assert not any(line.startswith(("<<<<<<<", "=======", ">>>>>>>")) for line in text.split("\n"))
    section = section_text(desktop_clone / NAME, A)
    assert "The desktop's thoughts." in section
    assert "The laptop's thoughts." in section.split("<!-- papershelf:conflict -->")[1]
    assert any("git" in p.reason and p.key == A for p in report.problems)
    assert sync(desktop, desktop_clone / NAME).written is False  # stable

    resolved = papershelf(desktop, "sync", "--resolve", A, "--take", "file")
    assert resolved.returncode == 0, resolved.stdout + resolved.stderr
    desktop = Library(desktop.folder)
    assert note(desktop, A) == "The laptop's thoughts."
    text = (desktop_clone / NAME).read_text(encoding="utf-8")
    assert "papershelf:conflict" not in text
    assert "The laptop's thoughts." in text
    commit(desktop_clone, "merge the notes")  # the merge can be concluded: no conflict left
    assert git(desktop_clone, "diff", "--check", "HEAD~1").returncode == 0
    assert "The laptop's thoughts." in git(desktop_clone, "show", f"HEAD:{NAME}").stdout
    git(desktop_clone, "push", "-q", "origin", "main")

    git(laptop_clone, "pull", "-q", "origin", "main")
    sync(laptop, laptop_clone / NAME)
    for key in (A, B):
        assert note(laptop, key) == note(desktop, key)
    assert sync_state.conflicts(laptop) == {}
    assert sync_state.conflicts(desktop) == {}
    assert any(v.note == "The desktop's thoughts." for v in desktop.note_history(a))  # nothing lost


def test_git_sides_reads_both_versions_and_ignores_what_is_not_a_conflict() -> None:
    text = "same\n<<<<<<< HEAD\nours\n||||||| base\nold\n=======\ntheirs\n>>>>>>> abc123\nend\n"
    assert git_sides(text) == ("same\nours\nend\n", "same\ntheirs\nend\n")
    assert git_sides("no markers\n=======\n") is None
    assert git_sides("<<<<<<< HEAD\nnever closed\n") is None


PASTED_CONFLICT = "What git showed me:\n\n<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> 1a2b3c4\n\nand in code:\n\n" \
    "```\n<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> 1a2b3c4\n```"


def test_conflict_markers_typed_into_a_note_are_text_not_a_git_conflict(tmp_path: Path) -> None:
    lib = library(tmp_path / "lib")
    notes = tmp_path / NAME
    annotate(lib, A, note=PASTED_CONFLICT)
    sync(lib, notes)
    assert git_sides(notes.read_text(encoding="utf-8")) is None
    report = sync(lib, notes)
    assert (report.conflicts, report.written, report.git_merged) == ({}, False, False)
    assert note(Library(lib.folder), A) == PASTED_CONFLICT
    assert git_sides("```\n<<<<<<< HEAD\na\n=======\nb\n>>>>>>> x\n```\n") is None  # inside a fence: code
