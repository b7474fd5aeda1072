"""Long texts of wide characters held as UTF-8, and written by the store as the JSON of their text."""

from __future__ import annotations

import copy
import pickle
import sys
from pathlib import Path

import orjson
import pytest

from papershelf.core.search.steps import run
from papershelf.core.storage import store as store_module
from papershelf.core.storage.packed import PACK_FROM, PackedText, pack, plain, unpack
from papershelf.core.storage.store import Store

WIDE = ("Résumé — a “quoted” line,\twith a tab and a \\ and a \" and \x01.\n" * 200)[: PACK_FROM + 100]


def test_a_long_text_of_wide_characters_is_held_as_its_utf8_and_reads_as_the_text() -> None:
    packed = pack(WIDE)
    assert type(packed) is PackedText
    assert packed.data == WIDE.encode("utf-8")
    assert len(packed.data) < sys.getsizeof(WIDE) * 0.6  # what it is for: about half the str
    assert unpack(packed) == str(packed) == WIDE
    assert len(packed) == len(WIDE)
    assert repr(packed) == repr(WIDE)
    assert pack(packed) is packed


@pytest.mark.parametrize("text", [
    "short — and wide",
    "Latin-1 only: é ü ß " * 400,  # 1 byte a character already
    "ascii " * 1000,
    "日本語のノート" * 1000,  # 3 bytes a character in UTF-8: the str (2) is smaller
    "a lone surrogate \ud800 — " * 300,  # cannot be UTF-8: kept as it is
])
def test_other_texts_are_kept_as_they_are(text: str) -> None:
    assert pack(text) is text
    assert unpack(text) is text


def test_a_packed_text_equals_and_hashes_as_its_text() -> None:
    packed = pack(WIDE)
    other = pack(WIDE[:-1] + "!")
    assert packed == WIDE
    assert WIDE == packed  # noqa: SIM300 - the str's side asks the packed text
    assert packed == pack(WIDE)
    assert packed != other
    assert other != WIDE
    assert packed != WIDE[:-1]
    assert hash(packed) == hash(WIDE)
    assert {packed: 1}[WIDE] == 1
    assert {"note": packed} == {"note": WIDE}


def test_a_packed_text_survives_copy_and_pickle() -> None:
    packed = pack(WIDE)
    assert copy.copy(packed) is packed
    assert copy.deepcopy({"note": packed})["note"] is packed
    assert pickle.loads(pickle.dumps(packed)) == WIDE


def test_orjson_writes_it_as_its_text_with_plain() -> None:
    assert orjson.dumps({"note": pack(WIDE)}, default=plain) == orjson.dumps({"note": WIDE})
    with pytest.raises(TypeError):
        orjson.dumps({"x": object()}, default=plain)


def test_the_stores_json_in_pieces_writes_a_packed_text_as_orjson_writes_the_text() -> None:
    data = {"annotations": {f"p{i}": {"note": pack(WIDE + str(i)), "status": "new"} for i in range(40)}}
    expected = orjson.dumps({"annotations": {pid: {**doc, "note": str(doc["note"])}
                                             for pid, doc in data["annotations"].items()}})
    assert b"".join(store_module.json_chunks(data, 10_000)) == expected


def test_a_store_written_with_packed_texts_reads_back_the_texts(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    store = Store(path, "annotations", 1)
    store.commit({"annotations": {"a": {"note": pack(WIDE)}, "b": {"note": "short"}}})  # whole, in one call
    assert orjson.loads(path.read_bytes())["annotations"] == {"a": {"note": WIDE}, "b": {"note": "short"}}
    assert run(store.commit_steps({"annotations": {"c": {"note": pack(WIDE + "c")}}})) is True  # in steps
    reopened = Store(path, "annotations", 1)
    assert dict(reopened.documents("annotations")) == {
        "a": {"note": WIDE}, "b": {"note": "short"}, "c": {"note": WIDE + "c"}}


def test_long_texts_deeper_in_a_document_are_written_as_orjson_writes_them() -> None:
    deep = {"versions": [{"note": WIDE, "source": "edit"}, {"note": pack(WIDE + "!")}], "file": {"note": WIDE}}
    data = {"note_history": {f"p{i}": deep for i in range(3)}}
    plain_data = {"note_history": {pid: {"versions": [{"note": WIDE, "source": "edit"}, {"note": WIDE + "!"}],
                                         "file": {"note": WIDE}} for pid in data["note_history"]}}
    assert b"".join(store_module.json_chunks(data, 10_000)) == orjson.dumps(plain_data)
