"""Backups of the stores, and what happens when a store file is damaged: set aside, restored, said."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

from papershelf.core.library import AnnotationChange
from papershelf.core.storage import backup
from papershelf.services.importing import import_file
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
    assert "Your annotations were restored from backups/annotations-" in notice
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


def test_damaged_catalogue_without_a_backup_is_set_aside_and_reseeded(iclr_library_dir: Path) -> None:
    pid = annotate(iclr_library_dir, "katzir2021net", "survives")
    for old in (iclr_library_dir / "backups").glob("catalogue-*.json"):
        old.unlink()
    (iclr_library_dir / "catalogue.json").write_bytes(b'{"papers": {"x": [1, 2')
    library = open_library(iclr_library_dir)
    assert len(library) == 860
    assert library.annotation(pid).note == "survives"
    assert "catalogue.json could not be read" in library.notices[0]
    assert "No backup of it was found" in library.notices[0]
    assert "imported yourself need to be imported again" in library.notices[0]
    assert list(iclr_library_dir.glob("catalogue.json.corrupt-*"))


CATALOGUE_KEEP = backup.KEEP["catalogue.json"]


def _catalogue_backups(folder: Path) -> list[Path]:
    return sorted((folder / "backups").glob("catalogue-*.json"), key=lambda p: int(p.stem.split("-")[1]))


def _bib(folder: Path, name: str, keys: list[str]) -> Path:
    path = folder / name
    path.write_text("".join(f"@article{{{key},\n  title = {{A study called {key} in {name}}},\n"
                            f"  author = {{Writer, {key.capitalize()}}},\n  year = {{2024}},\n}}\n"
                            for key in keys), encoding="utf-8")
    return path


IMPORTED = {"one.bib": ["alpha2024", "beta2024"], "two.bib": ["gamma2024"], "three.bib": ["delta2024", "eps2024"]}


def _import_and_annotate(folder: Path, files: dict[str, list[str]]) -> dict[str, str]:
    """Import each file (one import each) and annotate every paper it brought; paper ids by key."""
    library = open_library(folder)
    ids = {}
    for name, keys in files.items():
        summary = import_file(library, _bib(folder.parent, name, keys))
        assert summary.imported == keys
        for key in keys:
            ids[key] = library.paper(key).id
            library.annotate([ids[key]], AnnotationChange(status="reading", add_tags=(f"from-{name}",),
                                                              note=f"on {key}"))
    return ids


def test_a_damaged_catalogue_is_restored_with_every_imported_paper_and_its_annotations(
        iclr_library_dir: Path) -> None:
    ids = _import_and_annotate(iclr_library_dir, IMPORTED)
    damage = b'{"_meta": {"schema": {"kind": "catalogue", "version": 1}}, "papers": {"x": {"id'
    (iclr_library_dir / "catalogue.json").write_bytes(damage)

    library = open_library(iclr_library_dir)

    assert len(library) == 860 + 5
    for name, keys in IMPORTED.items():
        for key in keys:
            assert library.paper(key).id == ids[key]
            ann = library.annotation(ids[key])
            assert (ann.status, ann.tags, ann.note) == ("reading", [f"from-{name}"], f"on {key}")
    (aside,) = iclr_library_dir.glob("catalogue.json.corrupt-*")
    assert aside.read_bytes() == damage
    (notice,) = library.notices
    assert "catalogue.json could not be read" in notice
    assert f"set aside as {aside.name}" in notice
    assert "The catalogue was restored from backups/catalogue-" in notice
    assert "nothing could be compared" not in notice


def test_each_import_keeps_a_catalogue_backup_within_the_bound(iclr_library_dir: Path) -> None:
    files = {f"file{i}.bib": [f"paper{i}x2024"] for i in range(CATALOGUE_KEEP.count + 3)}
    _import_and_annotate(iclr_library_dir, files)
    kept = list((iclr_library_dir / "backups").glob("catalogue-*.json"))
    assert len(kept) == CATALOGUE_KEEP.count
    newest = _catalogue_backups(iclr_library_dir)[-1]
    assert orjson.loads(newest.read_bytes()) == orjson.loads((iclr_library_dir / "catalogue.json").read_bytes())


def test_catalogue_backups_past_the_size_bound_are_dropped_but_the_newest_two_are_kept(tmp_path: Path) -> None:
    folder = tmp_path
    (folder / "backups").mkdir()
    for stamp in range(1, 6):
        (folder / "backups" / f"catalogue-{stamp}.json").write_bytes(b"x" * 1000)
    backup.prune(folder, "catalogue.json", backup.Keep(count=4, max_bytes=2500))
    assert sorted(p.name for p in (folder / "backups").iterdir()) == ["catalogue-4.json", "catalogue-5.json"]
    backup.prune(folder, "catalogue.json", backup.Keep(count=4, max_bytes=10))
    assert sorted(p.name for p in (folder / "backups").iterdir()) == ["catalogue-4.json", "catalogue-5.json"]


@pytest.mark.parametrize("unusable", [b"{}", b'{"_meta": {"schema": {"version": 1}}, "papers": {}}',
                                      b'{"papers": {"p": 5}}', b'{"papers": []}', b"[]"],
                         ids=["empty-object", "no-papers", "paper-not-an-object", "papers-a-list", "list"])
def test_an_unusable_newest_catalogue_backup_is_passed_over_and_the_notice_names_the_one_used_and_what_is_missing(
        iclr_library_dir: Path, tmp_path: Path, unusable: bytes) -> None:
    ids = _import_and_annotate(iclr_library_dir, {"one.bib": ["alpha2024"]})
    good = _catalogue_backups(iclr_library_dir)[-1]
    ids |= _import_and_annotate(iclr_library_dir, {"two.bib": ["gamma2024", "delta2024"]})
    newest = _catalogue_backups(iclr_library_dir)[-1]
    newest.write_bytes(unusable)  # valid JSON (mostly), nothing to restore
    damaged = (iclr_library_dir / "catalogue.json").read_bytes()
    damaged = damaged[: len(damaged) - 20]  # truncated near its end: every paper but the last still reads
    (iclr_library_dir / "catalogue.json").write_bytes(damaged)

    library = open_library(iclr_library_dir)

    assert library.paper("alpha2024").id == ids["alpha2024"]
    assert not library.has_key("gamma2024")
    (notice,) = library.notices
    assert f"restored from backups/{good.name}" in notice
    assert f"{newest.name}" in notice  # passed over, and said so
    assert "1 paper imported after that backup is missing (annotations kept): gamma2024" in notice
    assert "as far as the damaged file could be read" in notice
    assert "alpha2024" not in notice
    import_file(library, tmp_path / "two.bib")  # imported again: the papers are back with their annotations
    assert library.annotation(library.paper("gamma2024").id).note == "on gamma2024"
    assert library.paper("gamma2024").id == ids["gamma2024"]


def test_a_catalogue_that_cannot_be_read_at_all_says_nothing_could_be_compared(iclr_library_dir: Path) -> None:
    _import_and_annotate(iclr_library_dir, {"one.bib": ["alpha2024"]})
    (iclr_library_dir / "catalogue.json").write_bytes(b"\x00\xff not json")
    library = open_library(iclr_library_dir)
    assert library.has_key("alpha2024")
    assert "nothing could be compared" in library.notices[0]


def test_the_annotations_notice_names_the_backup_and_the_annotations_made_after_it(iclr_library_dir: Path) -> None:
    pid = annotate(iclr_library_dir, "katzir2021net", "kept in the backup")
    open_library(iclr_library_dir)  # takes the backup
    later = annotate(iclr_library_dir, "mueller2021certify", "made after the backup")
    damaged = (iclr_library_dir / "annotations.json").read_bytes()
    (iclr_library_dir / "annotations.json").write_bytes(damaged.replace(b'"_meta"', b'"_meta', 1))  # no longer JSON

    library = open_library(iclr_library_dir)

    assert library.annotation(pid).note == "kept in the backup"
    assert library.stored_annotation(later) is None
    (notice,) = library.notices
    assert "Your annotations were restored from backups/annotations-" in notice
    assert "1 annotation made or changed after that backup is not in it: mueller2021certify" in notice


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
    assert "restored from backups/annotations-" in library.notices[0]


def test_readable_documents_are_those_before_the_damage() -> None:
    store = {"_meta": {"schema": {"version": 1}},
             "papers": {"a": {"key": "a2024", "title": 'says "papers": {'}, "b": {"key": "b2024"},
                        "c": {"key": "c2024", "title": "cut off here"}}}
    pretty = orjson.dumps(store, option=orjson.OPT_INDENT_2)

    assert backup.readable_documents(pretty, "papers") == (store["papers"], True)
    docs, whole = backup.readable_documents(pretty[: pretty.index(b"cut off")], "papers") or ({}, True)
    assert (docs, whole) == ({"a": store["papers"]["a"], "b": {"key": "b2024"}}, False)
    assert backup.readable_documents(b"\x00\x01 not a store", "papers") is None
    assert backup.readable_documents(b"[1, 2]", "papers") is None


def test_a_change_within_one_tick_of_a_coarse_clock_is_still_backed_up(tmp_path: Path) -> None:
    source = tmp_path / "catalogue.json"
    for content in (b'{"papers": {"a": {}}}', b'{"papers": {"a": {}, "b": {}}}'):
        source.write_bytes(content)
        os.utime(source, ns=(4 * 10**18, 4 * 10**18))  # both writes in one tick
        backup.take_backup(tmp_path, "catalogue.json")
    (newest,) = backup.backups_of(tmp_path, "catalogue.json")
    assert newest.read_bytes() == b'{"papers": {"a": {}, "b": {}}}'
