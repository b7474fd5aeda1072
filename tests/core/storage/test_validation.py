"""Store files that are valid JSON with wrong contents: repaired where the meaning is plain, otherwise the
record is set aside in ``NAME.rejected-<time>.json``; the rest always loads, and nothing is lost."""

from __future__ import annotations

import copy
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papershelf.core.history import TABLE as HISTORY
from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Annotation, Paper
from papershelf.core.storage.migrations import ANNOTATIONS, ANNOTATIONS_FILE, CATALOGUE_FILE, LISTS, PAPERS

Tables = dict[str, dict[str, Any]]

TITLES = ("Attention is all you need", "Deep residual learning", "Neural ordinary differential equations")


def _make_library(folder: Path) -> None:
    """Three papers, two of them annotated, written by Papershelf itself."""
    library = Library(folder)
    library.import_papers(
        Paper("", f"paper{n}", title, [f"Author{n} One", "Second Author"], 2017 + n, "NeurIPS",
              fields={"booktitle": "NeurIPS", "pages": f"{n}-{n + 9}"})
        for n, title in enumerate(TITLES)
    )
    for key, status, tags, note in (("paper0", "read", ["ml", "nlp"], "good"), ("paper1", "reading", ["cv"], "")):
        pid = library.paper(key).id
        library.restore({pid: Annotation(status, 2, 4, tags, ["todo"], note, "2026-01-01T00:00:00+00:00")})


def _tables(folder: Path, name: str) -> Tables:
    data: Tables = orjson.loads((folder / name).read_bytes())
    return data


def _pid(folder: Path, key: str) -> str:
    return next(pid for pid, doc in _tables(folder, CATALOGUE_FILE)[PAPERS].items() if doc["key"] == key)


def _rewrite(folder: Path, name: str, table: str, change: Callable[[dict[str, Any]], None]) -> None:
    data = _tables(folder, name)
    change(data[table])
    (folder / name).write_bytes(orjson.dumps(data))


def _rejected(folder: Path, name: str) -> list[dict[str, Any]]:
    files = sorted(folder.glob(f"{Path(name).stem}.rejected-*.json"))
    return [record for file in files for record in orjson.loads(file.read_bytes())["records"]]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    _make_library(tmp_path / "lib")
    return tmp_path / "lib"


def _papers_by_key(library: Library) -> dict[str, dict[str, Any]]:
    return {p.key: p.to_doc() for p in library.papers.values()}


def _check_loaded_rest(folder: Path, before: Library, after: Library, changed_pid: str) -> None:
    """Every paper and annotation but the changed one is loaded exactly as it was."""
    for pid, paper in before.papers.items():
        if pid != changed_pid:
            assert after.papers[pid].to_doc() == paper.to_doc()
            assert after.stored_annotation(pid) == before.stored_annotation(pid)


# -- papers ------------------------------------------------------------------------------------------

PAPER_REPAIRS: list[tuple[str, Callable[[dict[str, Any]], None], Callable[[Paper], bool]]] = [
    ("missing key", lambda d: d.pop("key"), lambda p: p.key == "one2019neural"),
    ("key a number", lambda d: d.update(key=7), lambda p: p.key == "7"),
    ("missing id", lambda d: d.pop("id"), lambda p: p.title == TITLES[2]),
    ("fields a list", lambda d: d.update(fields=[["pages", "2-11"]]), lambda p: p.fields == {}),
    ("title null", lambda d: d.update(title=None), lambda p: p.title == ""),
    ("authors one string", lambda d: d.update(authors="Ada Lovelace"), lambda p: p.authors == ["Ada Lovelace"]),
    ("year as text", lambda d: d.update(year="2019"), lambda p: p.year == 2019),
    ("a field a number", lambda d: d["fields"].update(volume=7), lambda p: p.fields["volume"] == "7"),
]


@pytest.mark.parametrize(("change", "repaired"), [(c, r) for _, c, r in PAPER_REPAIRS],
                         ids=[name for name, _, _ in PAPER_REPAIRS])
def test_a_paper_with_wrong_contents_is_repaired_and_kept_as_it_was(
    folder: Path, change: Callable[[dict[str, Any]], None], repaired: Callable[[Paper], bool]
) -> None:
    before = Library(folder, read_only=True)
    pid = _pid(folder, "paper2")
    stored = copy.deepcopy(_tables(folder, CATALOGUE_FILE)[PAPERS][pid])
    _rewrite(folder, CATALOGUE_FILE, PAPERS, lambda papers: change(papers[pid]))
    bad = _tables(folder, CATALOGUE_FILE)[PAPERS][pid]

    library = Library(folder)

    assert repaired(library.papers[pid])
    assert library.papers[pid].id == pid
    assert library.paper(library.papers[pid].key) is library.papers[pid]
    assert {k: v for k, v in library.papers[pid].to_doc().items() if k in ("year", "venue", "doi")} == {
        k: v for k, v in stored.items() if k in ("year", "venue", "doi")}
    assert len(library.notices) == 1
    assert "catalogue.json had wrong contents: 1 record(s) repaired" in library.notices[0]
    _check_loaded_rest(folder, before, library, pid)
    assert [(r["id"], r["outcome"], r["record"]) for r in _rejected(folder, CATALOGUE_FILE)] == [
        (pid, "repaired", bad)]
    assert Library(folder).notices == []  # written back repaired: said once


def test_a_paper_that_is_not_an_object_is_set_aside_and_the_rest_loads(folder: Path) -> None:
    before = Library(folder, read_only=True)
    pid = _pid(folder, "paper1")
    _rewrite(folder, CATALOGUE_FILE, PAPERS, lambda papers: papers.update({pid: ["not", "a", "paper"]}))

    library = Library(folder)

    assert pid not in library.papers
    assert sorted(library.keys()) == ["paper0", "paper2"]
    assert "1 set aside (not loaded)" in library.notices[0]
    assert "is a list, not an object" in library.notices[0]
    _check_loaded_rest(folder, before, library, pid)
    assert [(r["id"], r["outcome"], r["record"]) for r in _rejected(folder, CATALOGUE_FILE)] == [
        (pid, "set aside", ["not", "a", "paper"])]
    assert pid not in _tables(folder, CATALOGUE_FILE)[PAPERS]


def test_a_missing_key_is_named_in_the_notice(folder: Path) -> None:
    pid = _pid(folder, "paper2")
    _rewrite(folder, CATALOGUE_FILE, PAPERS, lambda papers: papers[pid].pop("key"))

    notices = Library(folder).notices

    assert "its citation key was missing; given the citation key 'one2019neural'" in notices[0]


def test_two_papers_with_one_key_are_both_reachable(folder: Path) -> None:
    before = Library(folder, read_only=True)
    first, second = _pid(folder, "paper0"), _pid(folder, "paper1")
    _rewrite(folder, CATALOGUE_FILE, PAPERS, lambda papers: papers[second].update(key="paper0"))

    library = Library(folder)

    assert library.paper("paper0").id == first
    assert library.paper("paper0a").id == second
    assert library.papers[second].title == TITLES[1]
    assert "the citation key 'paper0' was another paper's too, now 'paper0a'" in library.notices[0]
    assert _rejected(folder, CATALOGUE_FILE)[0]["record"]["key"] == "paper0"
    _check_loaded_rest(folder, before, library, second)


# -- annotations ---------------------------------------------------------------------------------------

ANNOTATION_REPAIRS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("tags with a number and null", {"tags": [1, None]}, {"tags": ["1"]}),
    ("tags a string", {"tags": "abc"}, {"tags": ["abc"]}),
    ("note a number", {"note": 123}, {"note": "123"}),
    ("note null", {"note": None}, {"note": ""}),
    ("priority out of range", {"priority": 99}, {"priority": 0}),
    ("priority by name", {"priority": "high"}, {"priority": 3}),
    ("rating out of range", {"rating": 99}, {"rating": 0}),
    ("status not in the list", {"status": "finished"}, {"status": "new"}),
    ("status in capitals", {"status": "Read"}, {"status": "read"}),
    ("lists null", {"lists": None}, {"lists": []}),
]


@pytest.mark.parametrize(("bad", "repaired"), [(b, r) for _, b, r in ANNOTATION_REPAIRS],
                         ids=[name for name, _, _ in ANNOTATION_REPAIRS])
def test_an_annotation_with_wrong_contents_is_repaired(
    folder: Path, bad: dict[str, Any], repaired: dict[str, Any]
) -> None:
    before = Library(folder, read_only=True)
    pid = _pid(folder, "paper0")
    _rewrite(folder, ANNOTATIONS_FILE, ANNOTATIONS, lambda anns: anns[pid].update(bad))
    stored = _tables(folder, ANNOTATIONS_FILE)[ANNOTATIONS][pid]

    library = Library(folder)

    expected = {**before.annotation(pid).to_doc(), **repaired}
    assert library.annotation(pid).to_doc() == expected
    assert len(library.notices) == 1
    assert library.notices[0].startswith("annotations.json had wrong contents: 1 record(s) repaired")
    _check_loaded_rest(folder, before, library, pid)
    assert [(r["id"], r["outcome"], r["record"]) for r in _rejected(folder, ANNOTATIONS_FILE)] == [
        (pid, "repaired", stored)]
    assert Library(folder).annotation(pid).to_doc() == expected


def test_an_annotation_that_is_a_list_is_set_aside(folder: Path) -> None:
    before = Library(folder, read_only=True)
    pid = _pid(folder, "paper0")
    _rewrite(folder, ANNOTATIONS_FILE, ANNOTATIONS, lambda anns: anns.update({pid: ["read"]}))

    library = Library(folder)

    assert library.stored_annotation(pid) is None
    assert library.papers[pid].to_doc() == before.papers[pid].to_doc()
    assert "1 set aside (not loaded)" in library.notices[0]
    _check_loaded_rest(folder, before, library, pid)
    assert [(r["id"], r["outcome"], r["record"]) for r in _rejected(folder, ANNOTATIONS_FILE)] == [
        (pid, "set aside", ["read"])]


def test_a_reading_list_record_that_is_not_an_object_is_repaired(folder: Path) -> None:
    _rewrite(folder, ANNOTATIONS_FILE, LISTS, lambda lists: lists.update(todo="2026-01-01"))

    library = Library(folder)

    assert library.list_names() == ["todo"]
    assert "lists todo: its record was not an object; now an empty one" in library.notices[0]
    assert _tables(folder, ANNOTATIONS_FILE)[LISTS]["todo"] == {}
    assert _rejected(folder, ANNOTATIONS_FILE)[0]["record"] == "2026-01-01"


@pytest.mark.parametrize("read_only", [False, True])
def test_note_history_with_wrong_contents_loses_only_the_bad_versions(folder: Path, read_only: bool) -> None:
    library = Library(folder)
    pid = library.paper("paper0").id
    library.annotate([pid], AnnotationChange(note="second"))
    library.annotate([pid], AnnotationChange(note="third"))
    other = library.paper("paper1").id
    _rewrite(folder, ANNOTATIONS_FILE, HISTORY, lambda docs: docs[pid]["versions"].extend([[1], {"note": 5}]))
    _rewrite(folder, ANNOTATIONS_FILE, HISTORY, lambda docs: docs.update({other: {"versions": "x"}}))

    reopened = Library(folder, read_only=read_only)

    assert [v.note for v in reopened.note_history(pid)] == ["second", "good"]
    assert reopened.note_history(other) == []
    assert "2 version(s) of its note history had wrong contents; left out" in reopened.notices[0]
    assert "set aside, its note history is not a list of versions" in reopened.notices[0]
    result = _papershelf(folder, "history", "paper0")
    assert result.returncode == 0, result.stderr
    assert "second" in result.stdout


def test_read_only_reports_and_changes_nothing_on_disk(folder: Path) -> None:
    pid = _pid(folder, "paper0")
    _rewrite(folder, ANNOTATIONS_FILE, ANNOTATIONS, lambda anns: anns[pid].update(rating=99))
    _rewrite(folder, CATALOGUE_FILE, PAPERS, lambda papers: papers.update({"x": 5}))
    files = {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}

    library = Library(folder, read_only=True)

    assert library.annotation(pid).rating == 0
    assert len(library) == 3
    assert len(library.notices) == 2
    assert all(notice.endswith("Nothing was changed: the library is open read-only.") for notice in library.notices)
    assert {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()} == files


# -- the command line -------------------------------------------------------------------------------------

def _papershelf(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "papershelf", "--library", str(folder), *args],
                          capture_output=True, text=True, check=False, timeout=60)


@pytest.mark.parametrize("args", [("list",), ("show", "paper0")])
def test_the_cli_warns_in_one_line_per_store_and_goes_on(folder: Path, args: tuple[str, ...]) -> None:
    pid = _pid(folder, "paper0")
    _rewrite(folder, ANNOTATIONS_FILE, ANNOTATIONS, lambda anns: anns[pid].update(priority=99, tags="abc"))
    _rewrite(folder, CATALOGUE_FILE, PAPERS, lambda papers: papers.update({"x": None}))

    result = _papershelf(folder, *args)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("papershelf:")]
    assert len(warnings) == 2
    assert all(line.startswith("papershelf: warning: ") for line in warnings)
    assert any("annotations.json had wrong contents" in line for line in warnings)
    assert any("catalogue.json had wrong contents" in line for line in warnings)
    assert "paper0" in result.stdout


# -- random damage ------------------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5,
)
PAPER_NAMES = ("id", "key", "title", "authors", "year", "venue", "track", "abstract", "url", "doi",
               "entry_type", "fields", "added", "aliases")
ANNOTATION_NAMES = ("status", "priority", "rating", "tags", "lists", "note", "added", "changed", "status_changed")


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, int, str, str, Any]:
    """(store, record number, what, field, value): change a field's value, drop it, take another record's
    key, or replace the whole record."""
    store = draw(st.sampled_from((CATALOGUE_FILE, ANNOTATIONS_FILE)))
    names = PAPER_NAMES if store == CATALOGUE_FILE else ANNOTATION_NAMES
    what = draw(st.sampled_from(("value", "drop", "same key", "record")))
    return store, draw(st.integers(0, 2)), what, draw(st.sampled_from(names)), draw(JSON_VALUES)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damage=st.lists(mutations(), min_size=1, max_size=4))
def test_random_damage_never_raises_and_never_drops_a_valid_record(
    folder: Path, damage: list[tuple[str, int, str, str, Any]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "lib"
        work.mkdir()
        for name in (CATALOGUE_FILE, ANNOTATIONS_FILE):
            (work / name).write_bytes((folder / name).read_bytes())
        catalogue, annotations = _tables(work, CATALOGUE_FILE), _tables(work, ANNOTATIONS_FILE)
        original = {CATALOGUE_FILE: copy.deepcopy(catalogue[PAPERS]),
                    ANNOTATIONS_FILE: copy.deepcopy(annotations[ANNOTATIONS])}
        tables = {CATALOGUE_FILE: catalogue[PAPERS], ANNOTATIONS_FILE: annotations[ANNOTATIONS]}
        damaged: set[tuple[str, str]] = set()
        for store, number, what, name, value in damage:
            pids = sorted(tables[store])
            pid = pids[number % len(pids)]
            damaged.add((store, pid))
            record = tables[store][pid]
            if what == "record":
                tables[store][pid] = value
            elif not isinstance(record, dict):
                continue
            elif what == "drop":
                record.pop(name, None)
            elif what == "same key" and store == CATALOGUE_FILE:
                record["key"] = original[CATALOGUE_FILE][pids[(number + 1) % len(pids)]]["key"]
            else:
                record[name] = value
        (work / CATALOGUE_FILE).write_bytes(orjson.dumps(catalogue))
        (work / ANNOTATIONS_FILE).write_bytes(orjson.dumps(annotations))

        library = Library(work)

        rejected = {(name, r["id"]) for name in (CATALOGUE_FILE, ANNOTATIONS_FILE) for r in _rejected(work, name)}
        damaged_keys = {str(tables[CATALOGUE_FILE][pid].get("key")) for store, pid in damaged
                        if store == CATALOGUE_FILE and isinstance(tables[CATALOGUE_FILE][pid], dict)}
        for pid, doc in original[CATALOGUE_FILE].items():
            if (CATALOGUE_FILE, pid) in damaged:
                assert pid in library.papers or (CATALOGUE_FILE, pid) in rejected
                continue
            loaded = library.papers[pid].to_doc()
            if doc["key"] in damaged_keys:  # a damaged record took its key: one of the two was renamed
                loaded["key"] = doc["key"]
            assert loaded == Paper.from_doc(copy.deepcopy(doc)).to_doc()
        for pid, doc in original[ANNOTATIONS_FILE].items():
            if (ANNOTATIONS_FILE, pid) in damaged:
                assert library.stored_annotation(pid) is not None or (ANNOTATIONS_FILE, pid) in rejected
            else:
                assert library.stored_annotation(pid) == Annotation.from_doc(doc)
        assert len(set(library.keys())) == len(library)
        for paper in library.papers.values():
            assert library.paper(paper.key) is paper
        assert (rejected == set()) == (library.notices == [])
