"""``remove``, ``restore``, ``empty-trash`` and ``list --trash`` (cli/papers.py) on a copy of the seeded library."""

from __future__ import annotations

from pathlib import Path

from papershelf.core.library import Library
from tests.cli.conftest import RunCli


def files(folder: Path) -> tuple[bytes, bytes]:
    return (folder / "catalogue.json").read_bytes(), (folder / "annotations.json").read_bytes()


def test_remove_and_restore_say_one_line_per_paper(iclr_library_dir: Path, run_cli: RunCli) -> None:
    lib = str(iclr_library_dir)
    removed = run_cli("--library", lib, "remove", "neitz2021teacher", "katzir2021net")
    assert removed.code == 0, removed.err
    assert removed.out == "neitz2021teacher: moved to the Trash\nkatzir2021net: moved to the Trash\n"
    again = run_cli("--library", lib, "remove", "neitz2021teacher")
    assert again.out == "neitz2021teacher: already in the Trash\n"

    listed = run_cli("--library", lib, "list", "--format", "keys")
    assert len(listed.out.split()) == 858
    assert "neitz2021teacher" not in listed.out.split()
    trash = run_cli("--library", lib, "list", "--trash", "--format", "keys")
    assert sorted(trash.out.split()) == ["katzir2021net", "neitz2021teacher"]
    assert "Trash:    moved to the Trash" in run_cli("--library", lib, "show", "katzir2021net").out

    restored = run_cli("--library", lib, "restore", "katzir2021net", "mueller2021certify")
    assert restored.code == 0, restored.err
    assert restored.out == "katzir2021net: restored from the Trash\nmueller2021certify: was not in the Trash\n"
    assert Library(iclr_library_dir).trashed_ids() == Library(iclr_library_dir).ids_for_keys(["neitz2021teacher"])


def test_an_unknown_key_is_one_line_and_changes_nothing(iclr_library_dir: Path, run_cli: RunCli) -> None:
    lib = str(iclr_library_dir)
    before = files(iclr_library_dir)
    for command in ("remove", "restore"):
        outcome = run_cli("--library", lib, command, "neitz2021teacher", "nosuch2021key")
        assert outcome.code == 1
        assert outcome.out == ""
        assert outcome.err.strip().count("\n") == 0
        assert "nosuch2021key" in outcome.err
        assert files(iclr_library_dir) == before


def test_empty_trash_says_what_goes_and_needs_yes(iclr_library_dir: Path, run_cli: RunCli) -> None:
    lib = str(iclr_library_dir)
    assert run_cli("--library", lib, "empty-trash").err == "the Trash is empty\n"
    run_cli("--library", lib, "annotate", "neitz2021teacher", "--note", "worth a second look", "--tag", "rl")
    run_cli("--library", lib, "remove", "neitz2021teacher", "katzir2021net")
    before = files(iclr_library_dir)

    asked = run_cli("--library", lib, "empty-trash")
    assert asked.code == 1
    assert "2 papers will be removed from the library for good" in asked.err
    assert "(1 with a note, 1 with tags)" in asked.err
    assert asked.err.rstrip().endswith("run papershelf empty-trash --yes to remove them for good")
    assert files(iclr_library_dir) == before

    done = run_cli("--library", lib, "empty-trash", "--yes")
    assert done.code == 0, done.err
    assert sorted(done.out.splitlines()) == ["katzir2021net: removed for good", "neitz2021teacher: removed for good"]
    library = Library(iclr_library_dir)
    assert len(library) == 858
    assert [doc["annotation"]["note"] for doc in library.removed_papers()] == ["worth a second look"]
    gone = run_cli("--library", lib, "show", "neitz2021teacher")
    assert gone.code == 1
