"""A long note of wide characters is held once, as UTF-8, and reads, compares and saves as its text."""

from __future__ import annotations

from pathlib import Path

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Annotation, Paper
from papershelf.core.storage.packed import PACK_FROM, PackedText

LONG = ("Notes — with a dash, “quotes” and an arrow →.\n\n" * 200)[: PACK_FROM * 2]


def _library(folder: Path) -> tuple[Library, str]:
    lib = Library(folder)
    lib.import_papers([Paper(id="", key="", title="A paper", authors=["Ann Adams"], year=2021)])
    return lib, lib.paper(lib.keys()[0]).id


def test_an_annotation_holds_a_long_note_as_utf8_and_gives_the_text() -> None:
    ann = Annotation(note=LONG)
    assert type(ann.held_note) is PackedText
    assert ann.note == LONG
    assert ann == Annotation(note=LONG)
    assert ann != Annotation(note=LONG + "!")
    assert ann.to_doc()["note"] is ann.held_note  # a stored document shares it
    copied = ann.copy()
    assert copied.held_note is ann.held_note
    assert copied == ann
    copied.note = "short now"
    assert (copied.note, copied.held_note, ann.note) == ("short now", "short now", LONG)
    assert Annotation.from_doc(ann.to_doc()) == ann
    assert Annotation().holds_user_text() is False
    assert ann.holds_user_text() is True


def test_a_long_note_typed_is_saved_as_typed_and_read_back_after_reopening(tmp_path: Path) -> None:
    lib, pid = _library(tmp_path / "lib")
    lib.annotate([pid], AnnotationChange(note=LONG))
    held = lib.annotation(pid).held_note
    assert type(held) is PackedText
    assert lib.table("annotations")[pid]["note"] is held  # the store's document: the same object
    lib.annotate([pid], AnnotationChange(note=LONG + "\nOne more line."))  # an edit: the old one to history
    assert [version.note for version in lib.note_history(pid)] == [LONG]
    reopened = Library(lib.folder)
    assert reopened.annotation(pid).note == LONG + "\nOne more line."
    # read from disk, the store's document shares the note the annotation holds (not a second copy)
    assert reopened.table("annotations")[pid]["note"] is reopened.annotation(pid).held_note
    restored = reopened.restore_note_version(pid, 1)
    assert restored.note == LONG
    assert Library(lib.folder).annotation(pid).note == LONG


def test_an_unchanged_long_note_is_not_an_edit(tmp_path: Path) -> None:
    lib, pid = _library(tmp_path / "lib")
    lib.annotate([pid], AnnotationChange(note=LONG))
    assert lib.annotate([pid], AnnotationChange(note=str(LONG))) == []  # the same text again: nothing changes
    assert lib.note_history(pid) == []
