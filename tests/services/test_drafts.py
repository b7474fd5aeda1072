"""The drafts store: notes the library could not save, kept in the user's state folder, outside the library."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

from papershelf.services.drafts import Draft, DraftError, DraftStore, drafts_dir


def test_a_kept_draft_is_read_back_by_the_next_start(tmp_path: Path) -> None:
    library = tmp_path / "library"
    DraftStore(library).keep("p1", "ada2020graph", "Precious words\nsecond line")

    again = DraftStore(library)
    [draft] = again.drafts()
    assert (draft.paper_id, draft.key, draft.text) == ("p1", "ada2020graph", "Precious words\nsecond line")
    assert draft.library == str(library.resolve())
    assert draft.saved_at  # an ISO time the offer can show
    assert again.draft("p1") == draft


def test_the_draft_file_is_in_the_state_folder_not_in_the_library(tmp_path: Path) -> None:
    library = tmp_path / "library"
    store = DraftStore(library)
    store.keep("p1", "ada2020graph", "text")
    assert store.path.parent == drafts_dir()
    assert Path(os.environ["XDG_STATE_HOME"]) in store.path.parents
    assert library not in store.path.parents
    assert not library.exists()  # nothing was written into (or created as) the library folder
    assert orjson.loads(store.path.read_bytes())["drafts"][0]["text"] == "text"


def test_a_newer_draft_of_the_same_note_replaces_the_older(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "library")
    store.keep("p1", "ada2020graph", "first")
    store.keep("p1", "ada2020graph", "first, then more")
    store.keep("p2", "bob2021kernel", "another paper")
    assert {d.paper_id: d.text for d in DraftStore(tmp_path / "library").drafts()} == {
        "p1": "first, then more", "p2": "another paper"}


def test_clearing_removes_the_entry_and_the_empty_file(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "library")
    store.keep("p1", "ada2020graph", "one")
    store.keep("p2", "bob2021kernel", "two")
    store.clear("p1")
    assert [d.paper_id for d in DraftStore(tmp_path / "library").drafts()] == ["p2"]
    store.clear("p2")
    assert not store.path.exists()
    assert DraftStore(tmp_path / "library").drafts() == []


def test_clearing_a_note_without_a_draft_writes_nothing(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "library")
    store.clear("p1")
    assert not store.path.exists()
    assert not drafts_dir().exists()


def test_each_library_has_its_own_drafts(tmp_path: Path) -> None:
    DraftStore(tmp_path / "laptop").keep("p1", "ada2020graph", "laptop's words")
    DraftStore(tmp_path / "desktop").keep("p1", "ada2020graph", "desktop's words")
    assert [d.text for d in DraftStore(tmp_path / "laptop").drafts()] == ["laptop's words"]
    assert [d.text for d in DraftStore(tmp_path / "desktop").drafts()] == ["desktop's words"]
    # the same folder named another way is the same library
    assert [d.text for d in DraftStore(tmp_path / "laptop" / ".." / "laptop").drafts()] == ["laptop's words"]


def test_a_state_folder_that_cannot_be_written_says_why_and_keeps_what_was_kept(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the drafts folder would go")
    store = DraftStore(tmp_path / "library", root=blocker / "drafts")
    with pytest.raises(DraftError, match="cannot keep the draft"):
        store.keep("p1", "ada2020graph", "words")
    assert store.drafts() == []

    good = DraftStore(tmp_path / "library", root=tmp_path / "state")
    good.keep("p1", "ada2020graph", "kept")
    before = good.path.read_bytes()
    os.replace(good.path.parent, tmp_path / "moved")  # the folder goes while the store runs ...
    (tmp_path / "state").write_text("... and a file takes its name")
    with pytest.raises(DraftError):
        good.keep("p2", "bob2021kernel", "lost?")
    assert [d.paper_id for d in good.drafts()] == ["p1"]  # memory and disk agree: only what was written
    assert (tmp_path / "moved" / good.path.name).read_bytes() == before


def test_a_damaged_draft_file_is_set_aside_never_overwritten(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "library")
    store.keep("p1", "ada2020graph", "words")
    store.path.write_bytes(b"{not json")
    again = DraftStore(tmp_path / "library")
    assert again.drafts() == []
    [aside] = store.path.parent.glob(f"{store.path.name}.corrupt-*")
    assert aside.read_bytes() == b"{not json"
    again.keep("p2", "bob2021kernel", "new words")
    assert aside.read_bytes() == b"{not json"


def test_drafts_are_listed_oldest_first(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "library")
    payload = {"format": 1, "library": str(tmp_path / "library"), "drafts": [
        {"paper_id": "p2", "key": "b", "text": "later", "saved_at": "2026-01-02T00:00:00+00:00",
         "library": str(tmp_path / "library")},
        {"paper_id": "p1", "key": "a", "text": "earlier", "saved_at": "2026-01-01T00:00:00+00:00",
         "library": str(tmp_path / "library")},
    ]}
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(orjson.dumps(payload))
    assert [d.text for d in DraftStore(tmp_path / "library").drafts()] == ["earlier", "later"]
    assert isinstance(DraftStore(tmp_path / "library").draft("p1"), Draft)
