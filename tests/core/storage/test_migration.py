"""Schema migrations: a library written by the previous schema opens in this one, after a backup."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest

from papershelf.core.library import Library
from papershelf.core.search.query import parse_query
from papershelf.core.storage import migrations as schema_module
from papershelf.core.storage.store import Store, StoreError

OLD_LIBRARY = Path(__file__).parents[2] / "fixtures" / "old-library-v1"
VASWANI, MULLER, HE, OTHER = "2390a1ca798cd41a", "c796e31d91ccb4e9", "7fd0f60e0cdcbbb8", "659503ef5a0eb55d"


@pytest.fixture
def old_library(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    shutil.copytree(OLD_LIBRARY, folder)
    return folder


def schema(path: Path) -> int:
    return Store.schema_of(orjson.loads(path.read_bytes()))


def pre_migration_backups(folder: Path) -> list[Path]:
    return sorted((folder / "backups").glob("annotations-pre-v*.json"))


def test_the_fixture_is_one_schema_behind() -> None:
    assert schema(OLD_LIBRARY / "annotations.json") == schema_module.ANNOTATIONS_SCHEMA - 1 == 1
    assert schema(OLD_LIBRARY / "catalogue.json") == schema_module.CATALOGUE_SCHEMA


def test_an_old_library_opens_migrated_after_a_backup(old_library: Path) -> None:
    v1_bytes = (old_library / "annotations.json").read_bytes()

    library = Library(old_library)

    assert library.notices == []
    assert schema(old_library / "annotations.json") == schema_module.ANNOTATIONS_SCHEMA
    (backup,) = pre_migration_backups(old_library)
    assert backup.name.startswith(f"annotations-pre-v{schema_module.ANNOTATIONS_SCHEMA}-")
    assert backup.read_bytes() == v1_bytes
    # The catalogue's schema did not change: it is neither rewritten nor copied aside.
    assert (old_library / "catalogue.json").read_bytes() == (OLD_LIBRARY / "catalogue.json").read_bytes()
    assert not list((old_library / "backups").glob("catalogue-pre-v*.json"))


def test_the_migrated_data_is_intact_and_normalised(old_library: Path) -> None:
    library = Library(old_library)

    assert library.keys() == ["vaswani2017attention", "muller2021certify", "he2016deep", "other2020paper"]
    assert library.paper("muller2021certify").authors == ["Mark Niklas Müller", "Martin Vechev"]
    vaswani = library.annotation(VASWANI)
    assert (vaswani.status, vaswani.priority, vaswani.rating) == ("reading", 2, 4)
    # "ML" and "ml" were used by two papers each: the first seen wins the tie; the double space goes.
    assert vaswani.tags == ["ML", "deep learning"]
    assert vaswani.lists == ["Thesis", "Reading group"]
    assert vaswani.note == "Second thoughts: ## not a heading\n\n<!-- a comment -->"
    assert [v.note for v in library.note_history(VASWANI)] == ["First thoughts on attention."]
    assert library.annotation(MULLER).tags == ["ML", "deep learning"]

    he = library.annotation(HE)
    assert (he.status, he.priority, he.rating) == ("read", 3, 0)  # clamped into range
    assert he.tags == ["vision", "cnn"]
    assert he.lists == ["Thesis"]
    assert he.note == "Résumé: residual connections."
    assert (he.added, he.changed) == ("2024-01-02T03:04:05+00:00", "2024-01-02T03:04:05+00:00")
    assert library.stored_annotation(OTHER) is None

    assert library.list_names() == ["Reading group", "Thesis"]
    stored_lists = orjson.loads((old_library / "annotations.json").read_bytes())["lists"]
    assert sorted(stored_lists) == ["Reading group", "Thesis"]
    query = parse_query("tag:ml list:thesis")
    assert [p.key for p in library.papers.values() if query.matches(p, library.annotation(p.id))] == [
        "vaswani2017attention", "muller2021certify",
    ]


def test_a_second_open_does_not_migrate_again(old_library: Path) -> None:
    Library(old_library)
    path = old_library / "annotations.json"
    migrated, stat = path.read_bytes(), path.stat()

    again = Library(old_library)

    assert again.notices == []
    assert len(pre_migration_backups(old_library)) == 1
    assert path.read_bytes() == migrated
    assert path.stat().st_mtime_ns == stat.st_mtime_ns
    assert again.annotation(HE).priority == 3


def test_no_backup_no_migration(old_library: Path) -> None:
    """If the old file cannot be copied aside, the library does not open and the file stays as it was."""
    (old_library / "backups").write_text("a file where the backups folder should be")
    v1_bytes = (old_library / "annotations.json").read_bytes()
    with pytest.raises(StoreError, match=r"cannot open annotations\.json"):
        Library(old_library)
    assert (old_library / "annotations.json").read_bytes() == v1_bytes


def test_the_migration_reads_hand_edited_values(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    path.write_bytes(orjson.dumps({
        "_meta": {"schema": {"kind": "annotations", "version": 1}},
        "annotations": {
            "a": {"status": " Read ", "priority": "2", "rating": 9.7, "tags": "one tag", "lists": None},
            "b": {"status": "finished", "priority": None, "rating": "five", "tags": ["x", 3], "lists": ["L"]},
        },
        "lists": {"l": {"created": "2024-05-01"}, "L": {"created": "2023-01-01"}, " ": {}},
    }))
    store = Store(path, "annotations", 2, migrations=schema_module.MIGRATIONS["annotations"])
    docs = dict(store.documents("annotations"))
    assert {k: docs["a"][k] for k in ("status", "priority", "rating", "tags", "lists")} == {
        "status": "read", "priority": 2, "rating": 5, "tags": ["one tag"], "lists": [],
    }
    assert {k: docs["b"][k] for k in ("status", "priority", "rating", "tags", "lists")} == {
        "status": "new", "priority": 0, "rating": 0, "tags": ["x", "3"], "lists": ["L"],
    }
    # "l" and "L" are one list, spelt as used most ("L": in the table and by a paper), created earliest.
    assert dict(store.documents("lists")) == {"L": {"created": "2023-01-01"}}
    assert store.migration_backup is not None
    assert store.migration_backup.parent == tmp_path / "backups"


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_an_old_library_opened_read_only_is_migrated_in_memory_and_never_written(old_library: Path) -> None:
    before = files_of(old_library)
    writable = Library(shutil.copytree(old_library, old_library.parent / "writable"))
    reader = Library(old_library, read_only=True)
    assert reader.read_only
    assert sorted(reader.annotated_ids()) == sorted(writable.annotated_ids())
    for pid in writable.annotated_ids():  # the same annotations as a migration on disk gives
        assert reader.annotation(pid).to_doc() == writable.annotation(pid).to_doc()
    assert reader.tag_counts() == writable.tag_counts()
    assert files_of(old_library) == before  # no migration write, no pre-migration copy, no backups
    assert schema(old_library / "annotations.json") == 1


def test_an_unreadable_store_opened_read_only_is_left_in_place(old_library: Path) -> None:
    (old_library / "annotations.json").write_bytes(b"{ not json")
    before = files_of(old_library)
    library = Library(old_library, read_only=True)
    assert library.annotated_ids() == []
    assert any("left as it is" in n and "read-only" in n for n in library.notices)
    assert files_of(old_library) == before  # not set aside, no backup restored over it


def test_a_newer_store_opened_read_only_is_refused_untouched(old_library: Path) -> None:
    data = orjson.loads((old_library / "annotations.json").read_bytes())
    data["_meta"]["schema"]["version"] = schema_module.ANNOTATIONS_SCHEMA + 1
    (old_library / "annotations.json").write_bytes(orjson.dumps(data))
    before = files_of(old_library)
    with pytest.raises(StoreError, match="newer Papershelf"):
        Library(old_library, read_only=True)
    assert files_of(old_library) == before


def test_an_empty_folder_opened_read_only_stays_empty(tmp_path: Path) -> None:
    library = Library(tmp_path, read_only=True)
    assert len(library) == 0
    assert list(tmp_path.iterdir()) == []
