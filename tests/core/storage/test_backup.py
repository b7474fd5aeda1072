"""Backups of the stores, and what happens when a store file is damaged: set aside, restored, said."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

from papershelf.core.library import AnnotationChange
from papershelf.core.storage import backup
from papershelf.services.library import open_library


def annotate(folder: Path, key: str, note: str) -> str:
    library = open_library(folder)
    pid = library.paper(key).id
    library.annotate([pid], AnnotationChange(note=note, status="read"))
    return pid


def test_a_backup_is_taken_on_start_when_the_file_changed(iclr_library_dir: Path) -> None:
    annotate(iclr_library_dir, "katzir2021net", "first")
    open_library(iclr_library_dir)  # start: backs up the changed annotations
    backups = sorted((iclr_library_dir / "backups").glob("annotations-*.json"))
    assert backups
    assert orjson.loads(backups[-1].read_bytes())["annotations"]
    count = len(backups)
    open_library(iclr_library_dir)  # nothing changed: no new backup
    assert len(sorted((iclr_library_dir / "backups").glob("annotations-*.json"))) == count


def test_backups_rotate_keeping_five(iclr_library_dir: Path) -> None:
    library = open_library(iclr_library_dir)
    pid = library.paper("katzir2021net").id
    for i in range(8):
        library.annotate([pid], AnnotationChange(note=f"version {i}"))
        path = iclr_library_dir / "annotations.json"
        os.utime(path, ns=(4 * 10**18 + i, 4 * 10**18 + i))  # distinct mtimes even on coarse clocks
        library.backup()
    backups = list((iclr_library_dir / "backups").glob("annotations-*.json"))
    assert len(backups) == 5
    notes = sorted(orjson.loads(b.read_bytes())["annotations"][pid]["note"] for b in backups)
    assert notes == [f"version {i}" for i in range(3, 8)]


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b'{"_meta": {"schema": {"kind": "annotations", "version": 1}}, "annotations": {"abc": {"no',
        b"this is not JSON at all \x00\xff",
        orjson.dumps({"_meta": {"schema": {"kind": "annotations", "version": 99}}, "annotations": {}}),
    ],
    ids=["empty", "truncated", "not-json", "newer-schema"],
)
def test_damaged_annotations_are_set_aside_and_restored_from_backup(iclr_library_dir: Path, damage: bytes) -> None:
    pid = annotate(iclr_library_dir, "katzir2021net", "kept in the backup")
    open_library(iclr_library_dir)  # takes the backup
    (iclr_library_dir / "annotations.json").write_bytes(damage)

    library = open_library(iclr_library_dir)
    assert library.annotation(pid).note == "kept in the backup"
    (notice,) = library.notices
    assert "annotations.json could not be read" in notice
    assert "restored from the backup of" in notice
    (aside,) = iclr_library_dir.glob("annotations.json.corrupt-*")
    assert aside.read_bytes() == damage
    assert len(library) == 860


def test_damaged_annotations_without_backup_start_empty_and_say_so(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    open_library(folder)
    for old in (folder / "backups").glob("*"):
        old.unlink()
    (folder / "annotations.json").write_bytes(b"{broken")
    library = open_library(folder)
    assert "No backup was found" in library.notices[0]
    assert list(folder.glob("annotations.json.corrupt-*"))


def test_damaged_catalogue_is_set_aside_and_reseeded(iclr_library_dir: Path) -> None:
    pid = annotate(iclr_library_dir, "katzir2021net", "survives")
    (iclr_library_dir / "catalogue.json").write_bytes(b'{"papers": {"x": [1, 2')
    library = open_library(iclr_library_dir)
    assert len(library) == 860
    assert library.annotation(pid).note == "survives"
    assert "catalogue.json could not be read" in library.notices[0]
    assert "imported yourself need to be imported again" in library.notices[0]
    assert list(iclr_library_dir.glob("catalogue.json.corrupt-*"))


def test_newest_good_backup_skips_bad_ones(tmp_path: Path) -> None:
    folder = tmp_path
    (folder / "backups").mkdir()
    (folder / "backups" / "annotations-100.json").write_bytes(b'{"annotations": {}}')
    (folder / "backups" / "annotations-200.json").write_bytes(b"{bad")
    found = backup.newest_good_backup(folder, "annotations.json", lambda data: True)
    assert found is not None
    assert found[0].name == "annotations-100.json"


@pytest.mark.parametrize("unusable", [b"{}", b'{"annotations": []}', b'{"annotations": {"p": 5}}', b"[]"])
def test_a_newest_backup_that_parses_but_holds_no_store_is_passed_over(iclr_library_dir: Path,
                                                                       unusable: bytes) -> None:
    pid = annotate(iclr_library_dir, "katzir2021net", "kept in the older backup")
    open_library(iclr_library_dir)  # takes the backup
    newest = max(int(p.stem.split("-")[1]) for p in (iclr_library_dir / "backups").glob("annotations-*.json"))
    newer = iclr_library_dir / "backups" / f"annotations-{newest + 1}.json"
    newer.write_bytes(unusable)
    (iclr_library_dir / "annotations.json").write_bytes(b"{broken")

    library = open_library(iclr_library_dir)

    assert library.annotation(pid).note == "kept in the older backup"
    assert "restored from the backup of" in library.notices[0]
