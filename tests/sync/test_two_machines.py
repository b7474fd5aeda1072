"""Two libraries (two machines) syncing through one notes file carried over as git or Syncthing would."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from papershelf.core.library import Library
from papershelf.sync import state as sync_state
from papershelf.sync.syncer import resolve, sync
from tests.sync import two_machines
from tests.sync.helpers import KEYS, annotate, library, note, pid, replace_in

P1, P2, P3, P4 = KEYS[:4]


def everything_kept(libraries: list[Library], files: list[Path]) -> str:
    """Every text the machines hold: notes, note histories, conflict records, the notes files."""
    parts: list[str] = []
    for lib in libraries:
        for paper_id in lib.papers:
            parts.append(lib.annotation(paper_id).note)
            parts += [v.note for v in lib.note_history(paper_id)]
        parts += [str(record) for record in sync_state.conflict_records(lib).values()]
    parts += [f.read_text(encoding="utf-8") for f in files]
    return "\n".join(parts)


def test_two_machines_lose_no_text(tmp_path: Path) -> None:
    a, b = library(tmp_path / "a"), library(tmp_path / "b")
    file_a, file_b = tmp_path / "a-notes" / "notes.md", tmp_path / "b-notes" / "notes.md"
    file_a.parent.mkdir()
    file_b.parent.mkdir()
    typed: list[str] = []

    def type_in_app(lib: Library, key: str, text: str) -> None:
        typed.append(text)
        annotate(lib, key, note=(note(lib, key) + "\n\n" + text).strip())

    def type_in_file(path: Path, old: str, text: str) -> None:
        typed.append(text)
        replace_in(path, old, old + "\n\n" + text)

    def carry(source: Path, target: Path) -> None:
        shutil.copyfile(source, target)

    # A writes two notes and syncs; the file reaches B, whose first sync takes them.
    type_in_app(a, P1, "A typed this about P1.")
    type_in_app(a, P2, "A typed this about P2.")
    annotate(a, P2, status="reading", add_tags=("shared",))
    assert sync(a, file_a).conflicts == {}
    carry(file_a, file_b)
    first_b = sync(b, file_b)
    assert set(first_b.to_library) == {pid(b, P1), pid(b, P2)}
    assert b.annotation(pid(b, P2)).tags == ["shared"]

    # B edits one note in the app and another in its copy of the file; the file goes back to A.
    type_in_app(b, P1, "B added this in the app.")
    type_in_file(file_b, "A typed this about P2.", "B added this in the file.")
    assert sync(b, file_b).conflicts == {}
    carry(file_b, file_a)
    back = sync(a, file_a)
    assert set(back.to_library) == {pid(a, P1), pid(a, P2)}
    assert note(a, P1) == note(b, P1)
    assert note(a, P2) == note(b, P2)

    # Both edit the same note before seeing each other's change: A syncs and pushes first.
    type_in_app(a, P3, "A's view of P3.")
    type_in_app(b, P3, "B's different view of P3.")
    type_in_app(a, P4, "Only A wrote about P4.")
    assert sync(a, file_a).conflicts == {}
    carry(file_a, file_b)
    clash = sync(b, file_b)
    assert clash.conflicts == {pid(b, P3): ("note",)}
    assert note(b, P3) == "B's different view of P3."
    assert "Only A wrote about P4." in note(b, P4)

    # The conflict travels with the file: A sees B's version and keeps its own in the block.
    carry(file_b, file_a)
    seen_on_a = sync(a, file_a)
    assert seen_on_a.conflicts == {pid(a, P3): ("note",)}

    # Someone types into the block on A meanwhile, then B resolves with merged text.
    type_in_file(file_a, "A's view of P3.", "A typed inside the conflict block.")
    sync(a, file_a)
    carry(file_a, file_b)
    sync(b, file_b)
    merged = "Merged on B: " + " / ".join(t for t in typed if "P3" in t or "block" in t)
    typed.append(merged)
    resolve(b, pid(b, P3), note=merged)
    assert sync(b, file_b).conflicts == {}
    carry(file_b, file_a)
    final_a = sync(a, file_a)
    assert final_a.conflicts == {}
    assert sync_state.conflicts(a) == sync_state.conflicts(b) == {}
    assert note(a, P3) == note(b, P3) == merged
    assert sync(a, file_a).written is False
    assert file_a.read_bytes() == file_b.read_bytes()

    kept = everything_kept([a, b], [file_a, file_b])
    missing = [text for text in typed if text not in kept]
    assert missing == []
    assert "A typed inside the conflict block." in merged or any(
        "A typed inside the conflict block." in v.note for lib in (a, b) for v in lib.note_history(pid(lib, P3))
    )


@pytest.mark.parametrize("engine", ["folder", "git"])
def test_fifty_rounds_of_random_edits_on_two_machines_agree_and_lose_nothing(tmp_path: Path, engine: str) -> None:
    """tests/sync/two_machines.py plays the rounds (PAPERSHELF_TWO_MACHINES_ROUNDS of them; `make soak` runs
    thousands) with a new seed each time; a failure names the seed to replay it:
    ``python -m tests.sync.two_machines --engine ENGINE --rounds N --seed SEED``."""
    seed = random.randrange(2**32)
    try:
        world = two_machines.run(tmp_path, engine, two_machines.ROUNDS, seed)
    except AssertionError as exc:
        raise AssertionError(f"two machines over {engine}, seed {seed}, {two_machines.ROUNDS} rounds: {exc}") from exc
    assert len(world.typed) > two_machines.ROUNDS  # both sides typed, in the app and in the file
    met = world.engine.copies if isinstance(world.engine, two_machines.FolderEngine) else world.engine.merges
    assert met > 0, "edits on both sides met at least once (a conflict copy or a git merge conflict)"
