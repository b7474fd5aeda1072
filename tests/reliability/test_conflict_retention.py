"""A second loss the kill loop pointed at (it needs no kill), and its fix: text typed into the notes file
while a conflict is open could disappear for good.

A note in conflict shows the file's version in a block at the end of its section. If the user goes on
writing above the block in the file, and the note changes in the app too, the next sync finds a new
conflict and *replaces* the block's text with the new file version (``syncer._sync_paper``:
``file_values[name] = ...``). The earlier file text, no longer in the file nor in the library, is left
only in the note history, which keeps :data:`papershelf.core.history.MAX_VERSIONS` versions: after that
many later edits of the note it is gone. The kill loop meets it when a writer dies between a sync that
found a conflict and its resolve (``--no-startup-sync``); ``tests/sync/test_crash.py`` fails now and then
for the same reason (its notes double on every resolve, so 20 versions pass quickly).

The fix (papershelf/core/history.py, ``push``): when the history is full, versions a conflict set aside
are evicted last, so the file side of a conflict outlives the ordinary edits that follow it.
"""

from __future__ import annotations

from pathlib import Path

from papershelf.core.history import MAX_VERSIONS
from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper
from papershelf.sync import state as sync_state
from papershelf.sync.notesfile import parse
from papershelf.sync.syncer import sync


def type_above_the_conflict_block(notes: Path, text: str) -> None:
    """What a person does in an editor: add a paragraph at the end of the note, above any conflict block."""
    doc = parse(notes.read_text(encoding="utf-8"))
    section = doc.sections[0]
    block = doc.text.find("\n<!-- papershelf:conflict", section.start, section.end)
    end = block if block != -1 else section.start + len(section.raw)
    notes.write_text(doc.text[:end].rstrip("\n") + f"\n\n{text}\n" + doc.text[end:], encoding="utf-8")


def test_text_typed_in_the_file_during_a_conflict_is_never_lost(tmp_path: Path) -> None:
    library = Library(tmp_path / "library")
    library.import_papers([Paper(id="", key="", title="One Paper", authors=["Ann Author"], year=2020)])
    pid = next(iter(library.papers))
    notes = tmp_path / "notes.md"
    library.annotate([pid], AnnotationChange(note="Start."))
    sync(library, notes)

    def both_sides_edit(n: int) -> None:
        library.annotate([pid], AnnotationChange(note=library.annotation(pid).note + f"\n\n[app {n}]"))
        type_above_the_conflict_block(notes, f"[file {n}]")
        assert pid in sync(library, notes).conflicts

    both_sides_edit(1)  # a conflict: "[file 1]" is in the block
    both_sides_edit(2)  # not resolved yet, both sides go on
    for n in range(MAX_VERSIONS + 1):  # later edits in the app, each keeping a version in the history
        library.annotate([pid], AnnotationChange(note=library.annotation(pid).note + f"\n\n[later {n}]"))

    kept = [notes.read_text(encoding="utf-8"), library.annotation(pid).note, str(sync_state.conflict_records(library))]
    kept += [version.note for version in library.note_history(pid)]
    assert any("[file 1]" in text for text in kept)
