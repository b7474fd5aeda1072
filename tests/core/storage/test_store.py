"""The atomic TinyDB storage and the schema-versioned store, on real files."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Generator
from pathlib import Path

import orjson
import pytest

from papershelf.core.library import Library
from papershelf.core.storage import store as store_module
from papershelf.core.storage.store import STALE_TEMP_AGE_S, AtomicJSONStorage, NewerSchemaError, Store


def test_round_trip_on_a_real_file(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    store = Store(path, "annotations", 1)
    store.commit({"annotations": {"p1": {"status": "read", "note": "Grüße\n## not a heading"}}})
    store.commit({"annotations": {"p2": {"status": "new"}, "p1": {"status": "reading"}}})
    store.commit({"annotations": {"p2": None}})

    reopened = Store(path, "annotations", 1)
    assert dict(reopened.documents("annotations")) == {"p1": {"status": "reading"}}
    on_disk = orjson.loads(path.read_bytes())
    assert on_disk["_meta"]["schema"] == {"kind": "annotations", "version": 1}
    assert on_disk["annotations"] == {"p1": {"status": "reading"}}


def test_tinydb_table_api_works_with_string_ids(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.json", "catalogue", 1)
    table = store.table("papers")
    table.put("abc", {"title": "One"})
    table.put_many({"def": {"title": "Two"}, "abc": {"title": "One again"}})
    assert table.get(doc_id="abc") == {"title": "One again"}
    assert sorted(doc.doc_id for doc in table.all()) == ["abc", "def"]
    assert dict(Store(tmp_path / "c.json", "catalogue", 1).documents("papers")) == {
        "abc": {"title": "One again"},
        "def": {"title": "Two"},
    }


def test_reads_never_touch_the_file_again(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    store = Store(path, "annotations", 1)
    store.commit({"annotations": {"p1": {"status": "read"}}})
    path.write_bytes(b"garbage written behind our back")
    assert dict(store.documents("annotations")) == {"p1": {"status": "read"}}


def test_a_write_that_fails_midway_leaves_the_old_file_loadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "annotations.json"
    store = Store(path, "annotations", 1)
    store.commit({"annotations": {"p1": {"note": "the old note"}}})
    before = path.read_bytes()

    def crash(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module.os, "replace", crash)
    with pytest.raises(OSError, match="No space left"):
        store.commit({"annotations": {"p1": {"note": "x" * 100_000}}})
    monkeypatch.undo()

    assert path.read_bytes() == before
    assert dict(Store(path, "annotations", 1).documents("annotations")) == {"p1": {"note": "the old note"}}
    assert [p.name for p in tmp_path.iterdir()] == ["annotations.json"]  # no temp file left behind


def test_a_torn_temp_file_is_never_visible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "annotations.json"
    store = Store(path, "annotations", 1)
    store.commit({"annotations": {"p1": {"note": "kept"}}})
    real_fsync = os.fsync
    calls = {"n": 0}

    def fsync_then_die(fd: int) -> None:
        calls["n"] += 1
        real_fsync(fd)
        raise KeyboardInterrupt  # as if the process were interrupted right after writing the temp file

    monkeypatch.setattr(store_module.os, "fsync", fsync_then_die)
    with pytest.raises(KeyboardInterrupt):
        store.commit({"annotations": {"p1": {"note": "new"}}})
    monkeypatch.undo()
    assert calls["n"] == 1
    assert dict(Store(path, "annotations", 1).documents("annotations")) == {"p1": {"note": "kept"}}


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty"), (b'{"annotations": {"p1": {"no', "unexpected"), (b"[1, 2]", "not a Papershelf")],
)
def test_a_corrupt_file_is_set_aside_not_overwritten(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "annotations.json"
    path.write_bytes(content)
    store = Store(path, "annotations", 1)
    assert store.problem is not None
    assert reason.lower() in store.problem.reason.lower()
    aside = store.problem.aside
    assert aside.name.startswith("annotations.json.corrupt-")
    assert aside.read_bytes() == content
    assert dict(store.documents("annotations")) == {}
    store.commit({"annotations": {"p1": {"status": "read"}}})
    assert aside.read_bytes() == content


def test_a_newer_schema_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.json"
    payload = orjson.dumps({"_meta": {"schema": {"kind": "catalogue", "version": 99}}, "papers": {}})
    path.write_bytes(payload)
    with pytest.raises(NewerSchemaError, match="newer Papershelf"):
        Store(path, "catalogue", 1)
    assert path.read_bytes() == payload


def test_migration_hook_runs_once_per_step(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    path.write_bytes(orjson.dumps({"_meta": {"schema": {"kind": "annotations", "version": 1}},
                                   "annotations": {"p1": {"stars": 4}}}))
    seen: list[int] = []

    def one_to_two(data: dict) -> dict:
        seen.append(1)
        for doc in data["annotations"].values():
            doc["rating"] = doc.pop("stars")
        return data

    store = Store(path, "annotations", 2, migrations={1: one_to_two})
    assert seen == [1]
    assert dict(store.documents("annotations")) == {"p1": {"rating": 4}}
    reopened = Store(path, "annotations", 2, migrations={1: one_to_two})
    assert seen == [1]
    assert dict(reopened.documents("annotations")) == {"p1": {"rating": 4}}


def test_storage_counts_durable_writes(tmp_path: Path) -> None:
    storage = AtomicJSONStorage(tmp_path / "x.json")
    assert storage.read() is None
    storage.write({"t": {"a": {"v": 1}}})
    assert storage.writes == 1
    assert AtomicJSONStorage(tmp_path / "x.json").read() == {"t": {"a": {"v": 1}}}


KILLED_BEFORE_RENAME = """
import os, signal, sys
from pathlib import Path
from papershelf.core.storage import store
os.replace = lambda *args: os.kill(os.getpid(), signal.SIGKILL)  # die between the temp write and the rename
store.atomic_write_bytes(Path(sys.argv[1]), b'{"half": "written"}')
"""


def _killed_write(path: Path) -> Path:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", KILLED_BEFORE_RENAME, str(path)], check=False)
    assert proc.returncode == -9
    [left] = store_module.temp_files_of(path)
    return left


def test_a_killed_writes_temp_file_is_removed_when_the_store_is_next_opened(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.json"
    Store(path, "catalogue", 1).commit({"papers": {"p1": {"title": "kept"}}})
    left = _killed_write(path)
    unrelated = tmp_path / ".notes.md.abc.tmp"  # another file's temp file is not ours to remove
    unrelated.write_text("x")

    reopened = Store(path, "catalogue", 1)

    assert not left.exists()
    assert unrelated.exists()
    assert dict(reopened.documents("papers")) == {"p1": {"title": "kept"}}


def test_a_read_only_open_leaves_temp_files_alone(tmp_path: Path) -> None:
    """Read-only means another process may hold the lock and be writing right now."""
    path = tmp_path / "annotations.json"
    Store(path, "annotations", 1).commit({"annotations": {}})
    left = _killed_write(path)

    Store(path, "annotations", 1, read_only=True)

    assert left.exists()


def test_opening_a_library_removes_abandoned_temp_files_of_caches_and_backups_only(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    Library(folder)
    (folder / "backups").mkdir(exist_ok=True)
    old = time.time() - 2 * STALE_TEMP_AGE_S
    abandoned = [_killed_write(folder / "search.cache"), _killed_write(folder / "backups" / "catalogue-1.json")]
    recent = _killed_write(folder / "similarity.cache")  # a read-only process may be writing it right now
    persons = folder / ".my-notes.draft1234.tmp"  # the shape, but not mkstemp's mode
    persons.write_text("mine")
    persons.chmod(0o644)
    for path in (*abandoned, persons):
        os.utime(path, (old, old))

    Library(folder)

    assert not any(path.exists() for path in abandoned)
    assert recent.exists()
    assert persons.exists()
    os.utime(recent, (old, old))
    Library(folder, read_only=True)  # another process holds the lock: nothing is ours to remove
    assert recent.exists()


# -- writes in steps (a window's long write, between its events) -------------------------------------------


def large_tables() -> dict[str, dict[str, dict[str, object]]]:
    """Documents of a few KB each, and one record that holds many documents (as a sync's pending record)."""
    notes = {f"p{n}": {"status": "read", "note": f"Note {n}: " + "Grüße, ünïcode and text. " * 120} for n in range(400)}
    return {
        "annotations": notes,
        "settings": {"pending": {"hash": "abc", "base": {pid: dict(doc) for pid, doc in notes.items()}}},
    }


def test_json_in_pieces_is_exactly_what_one_dump_writes() -> None:
    data = {"_meta": {"schema": {"kind": "annotations", "version": 2}}, "empty": {}, **large_tables()}
    pieces = list(store_module.json_chunks(data, 64_000))
    assert b"".join(pieces) == orjson.dumps(data)
    assert len(pieces) > 20  # in pieces, the record of many documents too
    assert max(len(piece) for piece in pieces) < 200_000
    assert b"".join(store_module.json_chunks({}, 10)) == b"{}"


def pauses(steps: Generator[None, None, bool], at_pause: Callable[[int], None] | None = None) -> tuple[bool, int]:
    count = 0
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return bool(done.value), count
        if at_pause is not None:
            at_pause(count)
        count += 1


def test_a_commit_in_steps_writes_what_a_commit_at_once_writes(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    at_once = Store(tmp_path / "a" / "annotations.json", "annotations", 2)
    in_steps = Store(tmp_path / "b" / "annotations.json", "annotations", 2)
    for store in (at_once, in_steps):
        store.commit({"annotations": {"old": {"note": "kept"}, "gone": {"note": "deleted below"}}})
    changes = {**large_tables(), "annotations": {**large_tables()["annotations"], "gone": None}}

    at_once.commit(changes)
    written, paused = pauses(in_steps.commit_steps(changes))

    assert written
    assert paused >= 2 * 400 * 3_000 // store_module.STEP_BYTES  # it paused, about once a megabyte
    assert in_steps.path.read_bytes() == at_once.path.read_bytes()
    assert dict(in_steps.documents("annotations")) == dict(at_once.documents("annotations"))
    assert in_steps.storage.writes == at_once.storage.writes
    assert store_module.temp_files_of(in_steps.path) == []


def test_a_commit_in_steps_never_writes_over_a_write_made_while_it_paused(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    store = Store(path, "annotations", 2)
    store.commit({"annotations": {"p1": {"note": "as it was"}}})

    def edit(pause: int) -> None:
        if pause == 1:
            store.commit({"annotations": {"p1": {"note": "typed meanwhile"}}})

    written, _ = pauses(store.commit_steps(large_tables()), edit)

    assert not written  # nothing of it written, nothing of it taken in memory
    on_disk = orjson.loads(path.read_bytes())
    assert on_disk["annotations"] == {"p1": {"note": "typed meanwhile"}}
    assert dict(store.documents("annotations")) == {"p1": {"note": "typed meanwhile"}}
    assert "settings" not in on_disk
    assert store_module.temp_files_of(path) == []


def test_a_commit_in_steps_dropped_at_a_pause_leaves_the_old_file_and_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    store = Store(path, "annotations", 2)
    store.commit({"annotations": {"p1": {"note": "as it was"}}})
    before = path.read_bytes()
    steps = store.commit_steps(large_tables())
    next(steps)
    next(steps)
    assert len(store_module.temp_files_of(path)) == 1  # being written

    steps.close()  # as the window does when the notes file is changed mid-sync

    assert path.read_bytes() == before
    assert store_module.temp_files_of(path) == []
    assert dict(store.documents("annotations")) == {"p1": {"note": "as it was"}}


def test_a_commit_in_steps_leaves_no_utf8_copy_inside_the_notes_it_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "WHOLE_JSON_BYTES", 0)  # as for a large store: a document at a time
    note = "Zusammenfassung: Grüße aus Łódź. " * 2_000  # a long note that is not ASCII
    size = sys.getsizeof(note)
    store = Store(tmp_path / "annotations.json", "annotations", 2)

    written, _ = pauses(store.commit_steps({"annotations": {"p1": {"note": note}}}))

    assert written
    assert sys.getsizeof(note) == size  # orjson would have kept the note's UTF-8 bytes in it, for good
    assert orjson.loads((tmp_path / "annotations.json").read_bytes())["annotations"]["p1"]["note"] == note


@pytest.mark.parametrize("whole", [0, 1 << 30])
def test_a_commit_in_steps_of_a_small_or_a_large_store_writes_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, whole: int
) -> None:
    monkeypatch.setattr(store_module, "WHOLE_JSON_BYTES", whole)  # one piece of JSON, or a document at a time
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    at_once = Store(tmp_path / "a" / "annotations.json", "annotations", 2)
    in_steps = Store(tmp_path / "b" / "annotations.json", "annotations", 2)

    at_once.commit(large_tables())
    written, paused = pauses(in_steps.commit_steps(large_tables()))

    assert written
    assert paused >= 2  # written a megabyte at a time either way
    assert orjson.loads(in_steps.path.read_bytes()) == orjson.loads(at_once.path.read_bytes())
