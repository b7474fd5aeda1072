"""The sync between a library and its notes file, through real files on disk."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from papershelf.core.library import Library
from papershelf.sync import state as sync_state
from papershelf.sync.notesfile import parse
from papershelf.sync.syncer import SyncError, SyncReport, file_hash, resolve, sync, watch
from tests.sync.helpers import annotate, library, note, pid, replace_in, section_text

A, B, C = "adams2021study", "baker2021study", "chen2021study"


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    lib = library(tmp_path / "lib")
    annotate(lib, A, note="Notes on A.\n\n### Method\nUses ## in text.", status="reading", add_tags=("rl",))
    annotate(lib, B, status="read")
    return lib


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    return tmp_path / "notes.md"


def test_first_sync_writes_the_file_and_a_second_one_changes_nothing(lib: Library, notes: Path) -> None:
    first = sync(lib, notes)
    assert first.written
    assert set(first.to_file) == {pid(lib, A), pid(lib, B)}
    assert sync_state.notes_file_path(lib) == notes.resolve()
    text = notes.read_text(encoding="utf-8")
    assert [s.key for s in parse(text).sections] == [A, B]  # only papers with something to say, by key
    assert "**Status:** reading · **Tags:** rl\n\nNotes on A.\n\n### Method\nUses ## in text." in text
    before = notes.read_bytes()
    second = sync(lib, notes)
    assert (second.written, second.to_file, second.to_library, second.conflicts) == (False, [], [], {})
    assert notes.read_bytes() == before
    assert second.file_hash == first.file_hash == file_hash(before)


def test_changes_in_the_file_reach_the_library_and_persist(lib: Library, notes: Path) -> None:
    sync(lib, notes)
    replace_in(notes, "Notes on A.", "Notes on A, edited in the file.")
    replace_in(notes, "**Status:** read\n", "**Status:** skipped · **Tags:** later, theory\n")
    report = sync(lib, notes)
    assert set(report.to_library) == {pid(lib, A), pid(lib, B)}
    reopened = Library(lib.folder)
    assert note(reopened, A).startswith("Notes on A, edited in the file.")
    b = reopened.annotation(pid(reopened, B))
    assert (b.status, b.tags) == ("skipped", ["later", "theory"])


def test_a_change_in_the_app_rewrites_only_that_section(lib: Library, notes: Path) -> None:
    sync(lib, notes)
    before = notes.read_text(encoding="utf-8").split("\n")
    annotate(lib, B, note="Now B has a note")
    report = sync(lib, notes)
    assert report.to_file == [pid(lib, B)]
    after = notes.read_text(encoding="utf-8").split("\n")
    assert [line for line in after if line not in before] == ["Now B has a note"]
    assert section_text(notes, A) in "\n".join(before)


def test_a_conflict_keeps_both_versions_flags_the_paper_and_resolves(lib: Library, notes: Path) -> None:
    sync(lib, notes)
    replace_in(notes, "Notes on A.", "File side: my thoughts from the train.")
    annotate(lib, A, note="App side: thoughts from the office.")
    report = sync(lib, notes)
    a = pid(lib, A)
    assert report.conflicts == {a: ("note",)}
    assert report.new_conflicts == [a]
    assert note(lib, A) == "App side: thoughts from the office."  # the library keeps its version
    section = section_text(notes, A)
    assert "App side: thoughts from the office." in section
    assert "<!-- papershelf:conflict -->" in section
    assert "File side: my thoughts from the train." in section
    assert sync_state.conflicts(Library(lib.folder)) == {a: ("note",)}  # persisted
    assert any("File side" in v.note for v in lib.note_history(a))

    again = sync(lib, notes)  # nothing new: still in conflict, the file stays as it is
    assert (again.conflicts, again.written, again.new_conflicts) == ({a: ("note",)}, False, [])

    resolve(lib, a, take="file")
    assert note(lib, A).startswith("File side: my thoughts from the train.")
    assert sync_state.conflicts(lib) == {}
    done = sync(lib, notes)
    assert done.conflicts == {}
    section = section_text(notes, A)
    assert "papershelf:conflict" not in section
    assert "File side: my thoughts from the train." in section
    assert any(v.note == "App side: thoughts from the office." for v in lib.note_history(a))


def test_deleting_the_conflict_block_in_the_file_resolves_it(lib: Library, notes: Path) -> None:
    sync(lib, notes)
    replace_in(notes, "Notes on A.", "File side.")
    annotate(lib, A, note="App side.")
    sync(lib, notes)
    text = notes.read_text(encoding="utf-8")
    start = text.index("<!-- papershelf:conflict -->")
    end = text.index("<!-- papershelf:end-conflict -->") + len("<!-- papershelf:end-conflict -->")
    notes.write_text(text[:start].replace("App side.", "App side.\n\nFile side, merged by hand.") + text[end:],
                     encoding="utf-8")
    report = sync(lib, notes)
    assert report.resolved == [pid(lib, A)]
    assert report.conflicts == {}
    assert sync_state.conflicts(lib) == {}
    assert note(lib, A) == "App side.\n\nFile side, merged by hand."


@pytest.mark.parametrize("resolved_in", ["file", "app"])
def test_text_typed_into_a_conflict_block_stays_in_the_history_after_the_block_goes(
    lib: Library, notes: Path, resolved_in: str
) -> None:
    sync(lib, notes)
    replace_in(notes, "Notes on A.", "File side.")
    annotate(lib, A, note="App side.")
    sync(lib, notes)
    replace_in(notes, "File side.", "File side.\n\nTyped into the block later.")  # inside the block
    sync(lib, notes)
    if resolved_in == "file":  # the block deleted by hand, the note as it was
        text = notes.read_text(encoding="utf-8")
        start = text.index("<!-- papershelf:conflict -->")
        end = text.index("<!-- papershelf:end-conflict -->") + len("<!-- papershelf:end-conflict -->")
        notes.write_text(text[:start] + text[end:], encoding="utf-8")
    else:
        resolve(lib, pid(lib, A), take="app")
    assert sync(lib, notes).conflicts == {}
    assert sync(lib, notes).written is False
    assert "Typed into the block later." not in notes.read_text(encoding="utf-8")
    assert any("Typed into the block later." in v.note for v in lib.note_history(pid(lib, A)))


@pytest.mark.parametrize(("take", "merged", "expected"), [("app", None, "App side."), (None, "Both.", "Both.")])
def test_resolve_keeping_the_app_version_or_giving_merged_text(
    lib: Library, notes: Path, take: str | None, merged: str | None, expected: str
) -> None:
    sync(lib, notes)
    replace_in(notes, "Notes on A.", "File side.")
    annotate(lib, A, note="App side.")
    sync(lib, notes)
    resolve(lib, pid(lib, A), take=take, note=merged)
    assert note(lib, A) == expected
    report = sync(lib, notes)
    assert report.conflicts == {}
    assert "papershelf:conflict" not in notes.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="no sync conflict"):
        resolve(lib, pid(lib, A), take="app")


def test_status_and_tags_conflicts_show_the_file_values_in_the_block(lib: Library, notes: Path) -> None:
    sync(lib, notes)
    replace_in(notes, "**Status:** reading · **Tags:** rl", "**Status:** skipped · **Tags:** vision")
    annotate(lib, A, status="read", add_tags=("theory",))
    report = sync(lib, notes)
    assert report.conflicts == {pid(lib, A): ("status", "tags")}
    section = section_text(notes, A)
    assert "**Status:** read · **Tags:** rl, theory\n" in section
    assert "**Status:** skipped · **Tags:** vision\n" in section.split("<!-- papershelf:conflict -->")[1]
    resolve(lib, pid(lib, A), take="file")
    a = lib.annotation(pid(lib, A))
    assert (a.status, a.tags) == ("skipped", ["vision"])


def test_text_typed_into_the_block_of_a_conflict_resolved_in_the_app_becomes_a_conflict(
    lib: Library, notes: Path
) -> None:
    """A status conflict resolved in the app leaves its block in the file until the next sync; a paragraph
    typed (or folded in from a conflict copy) into that block meanwhile is no part of the resolved
    conflict: it is the file's side of a new one, not dropped with the block."""
    sync(lib, notes)
    replace_in(notes, "**Status:** reading", "**Status:** skipped")
    annotate(lib, A, status="read")
    assert sync(lib, notes).conflicts == {pid(lib, A): ("status",)}
    resolve(lib, pid(lib, A), take="app")
    replace_in(notes, "**Status:** skipped", "**Status:** skipped\n\nTyped into the old block.")
    report = sync(lib, notes)
    assert report.conflicts == {pid(lib, A): ("note",)}
    assert "Typed into the old block." in sync_state.conflict_records(lib)[pid(lib, A)]["file"]["note"]
    assert "Typed into the old block." in section_text(notes, A).split("<!-- papershelf:conflict -->")[1]


def test_sections_with_unknown_keys_are_kept_verbatim_and_reported(lib: Library, notes: Path) -> None:
    sync(lib, notes)
    foreign = "## A paper only the other machine has\n<!-- papershelf:key=zz2020other -->\n  Its note, *as is*.  "
    notes.write_text(notes.read_text(encoding="utf-8") + "\n" + foreign + "\n", encoding="utf-8")
    report = sync(lib, notes)
    assert report.unknown_keys == ["zz2020other"]
    assert foreign in notes.read_text(encoding="utf-8")
    assert sync(lib, notes).written is False


def test_deleting_a_section_clears_the_note_and_keeps_it_in_history(lib: Library, notes: Path) -> None:
    sync(lib, notes)
    text = notes.read_text(encoding="utf-8")
    notes.write_text(text.replace(section_text(notes, A), ""), encoding="utf-8")
    report = sync(lib, notes)
    assert report.to_library == [pid(lib, A)]
    assert note(lib, A) == ""
    assert lib.note_history(pid(lib, A))[0].note.startswith("Notes on A.")
    assert lib.note_history(pid(lib, A))[0].source == "file"
    assert [s.key for s in parse(notes.read_text(encoding="utf-8")).sections] == [B]


def test_deleting_a_section_the_app_changed_meanwhile_is_a_conflict(lib: Library, notes: Path) -> None:
    sync(lib, notes)
    text = notes.read_text(encoding="utf-8")
    notes.write_text(text.replace(section_text(notes, A), ""), encoding="utf-8")
    annotate(lib, A, note="Added in the app after the last sync.")
    report = sync(lib, notes)
    assert report.conflicts == {pid(lib, A): ("note", "status", "tags")}
    assert note(lib, A) == "Added in the app after the last sync."
    section = section_text(notes, A)
    assert "<!-- papershelf:conflict=deleted -->" in section
    assert "deleted from this file" in section


def test_a_missing_or_emptied_file_is_rebuilt_and_clears_nothing(lib: Library, notes: Path) -> None:
    sync(lib, notes)
    expected = notes.read_bytes()
    notes.unlink()
    report = sync(lib, notes)
    assert report.recreated
    assert notes.read_bytes() == expected
    notes.write_text("", encoding="utf-8")
    assert sync(lib, notes).recreated
    assert notes.read_bytes() == expected
    assert note(lib, A).startswith("Notes on A.")


def test_an_edit_made_while_syncing_is_merged_not_clobbered(lib: Library, notes: Path) -> None:
    sync(lib, notes)
    annotate(lib, B, note="B, written in the app.")
    calls: list[int] = []

    def editor_saves_meanwhile() -> None:
        calls.append(1)
        if len(calls) == 1:
            replace_in(notes, "Notes on A.", "Notes on A, saved by the editor during the sync.")

    report = sync(lib, notes, on_before_write=editor_saves_meanwhile)
    assert report.attempts == 2
    text = notes.read_text(encoding="utf-8")
    assert "Notes on A, saved by the editor during the sync." in text
    assert "B, written in the app." in text
    assert note(lib, A).startswith("Notes on A, saved by the editor during the sync.")


def test_a_sync_killed_before_the_file_write_shows_the_conflict_next_time(lib: Library, notes: Path) -> None:
    sync(lib, notes)
    replace_in(notes, "Notes on A.", "File side.")
    annotate(lib, A, note="App side.")

    def killed() -> None:
        raise KeyboardInterrupt  # the process dies after the library write, before the file write

    with pytest.raises(KeyboardInterrupt):
        sync(lib, notes, on_before_write=killed)
    reopened = Library(lib.folder)
    report = sync(reopened, notes)
    assert report.resolved == []
    assert report.conflicts == {pid(reopened, A): ("note",)}
    text = notes.read_text(encoding="utf-8")
    assert "File side." in text
    assert "App side." in text


def test_a_conflict_block_from_another_copy_of_the_file_is_adopted(tmp_path: Path, lib: Library,
                                                                   notes: Path) -> None:
    sync(lib, notes)
    replace_in(notes, "Notes on A.", "File side.")
    annotate(lib, A, note="App side.")
    sync(lib, notes)
    other = library(tmp_path / "other")
    report = sync(other, notes)
    assert report.conflicts == {pid(other, A): ("note",)}
    assert note(other, A) == "App side."
    assert any(v.note.startswith("File side.") for v in other.note_history(pid(other, A)))


def test_another_notes_file_starts_without_a_base(lib: Library, notes: Path, tmp_path: Path) -> None:
    sync(lib, notes)
    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_text("# Other\n", encoding="utf-8")
    report = sync(lib, elsewhere)  # nothing there is a deletion: the library's notes go in
    assert set(report.to_file) == {pid(lib, A), pid(lib, B)}
    assert sync_state.notes_file_path(lib) == elsewhere.resolve()
    assert note(lib, A).startswith("Notes on A.")
    assert elsewhere.read_text(encoding="utf-8").startswith("# Other\n\n## ")


def test_a_crlf_file_stays_crlf(lib: Library, notes: Path) -> None:
    sync(lib, notes)
    notes.write_bytes(notes.read_bytes().replace(b"\n", b"\r\n").replace(b"Notes on A.", b"CRLF edit."))
    sync(lib, notes)
    raw = notes.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")
    assert note(lib, A).startswith("CRLF edit.\n\n### Method")


def test_watch_syncs_again_when_the_file_changes(lib: Library, notes: Path) -> None:
    stop = threading.Event()
    reports: list[SyncReport] = []

    def on_report(report: SyncReport) -> None:
        reports.append(report)
        if len(reports) == 1:
            replace_in(notes, "Notes on A.", "Edited while watching.")
        else:
            stop.set()

    watch(lib, notes, interval=0.01, stop=stop, on_report=on_report)
    assert len(reports) == 2
    assert reports[1].to_library == [pid(lib, A)]
    assert note(lib, A).startswith("Edited while watching.")


def test_a_file_that_is_not_utf8_stops_the_sync_and_changes_nothing(lib: Library, notes: Path) -> None:
    sync(lib, notes)
    raw = notes.read_bytes().replace(b"Notes on A.", "Notes on Ä.".encode("latin-1"))
    notes.write_bytes(raw)
    with pytest.raises(SyncError, match="not UTF-8"):
        sync(lib, notes)
    assert notes.read_bytes() == raw
    assert note(lib, A).startswith("Notes on A.")


def test_an_unknown_status_is_reported_and_the_library_keeps_its_own(lib: Library, notes: Path) -> None:
    sync(lib, notes)
    replace_in(notes, "**Status:** reading", "**Status:** finished")
    report = sync(lib, notes)
    assert [p.key for p in report.problems] == [A]
    assert "finished" in report.problems[0].reason
    assert lib.annotation(pid(lib, A)).status == "reading"
    assert "**Status:** reading" in section_text(notes, A)


def test_the_file_keeps_its_permissions(lib: Library, notes: Path) -> None:
    sync(lib, notes)
    assert notes.stat().st_mode & 0o777 == 0o644
    notes.chmod(0o640)
    annotate(lib, B, note="A change to write.")
    assert sync(lib, notes).written
    assert notes.stat().st_mode & 0o777 == 0o640


def test_a_section_pasted_into_a_fenced_block_stays_in_the_note(lib: Library, notes: Path) -> None:
    sync(lib, notes)
    pasted = "```markdown\n## A study of synced notes, part 3\n<!-- papershelf:key=chen2021study -->\n```"
    replace_in(notes, "Notes on A.", "Notes on A.\n\n" + pasted)
    report = sync(lib, notes)
    assert report.to_library == [pid(lib, A)]
    assert note(lib, A) == "Notes on A.\n\n" + pasted + "\n\n### Method\nUses ## in text."
    assert note(lib, C) == ""
    assert (report.unknown_keys, report.problems, report.conflicts) == ([], [], {})
    assert sync(lib, notes).written is False
    assert note(lib, A).startswith("Notes on A.\n\n" + pasted)


def test_a_notes_file_replaced_by_a_link_is_refused_and_nothing_is_written(
    lib: Library, notes: Path, tmp_path: Path
) -> None:
    sync(lib, notes)
    chosen = notes.resolve()
    other = tmp_path / "someone-elses.md"
    other.write_text("# Not the notes file\n", encoding="utf-8")
    before = lib.annotation(pid(lib, A)).to_doc()
    notes.unlink()
    notes.symlink_to(other)
    with pytest.raises(SyncError, match=r"is now a link to .*someone-elses\.md.*nothing was written"):
        sync(lib, notes)
    with pytest.raises(SyncError, match="is now a link"):
        sync(lib, chosen)
    assert other.read_text(encoding="utf-8") == "# Not the notes file\n"
    assert notes.is_symlink()
    assert sync_state.notes_file_path(lib) == chosen
    assert Library(lib.folder).annotation(pid(lib, A)).to_doc() == before


def test_a_link_chosen_as_the_notes_file_is_resolved_once_and_its_target_remembered(
    lib: Library, tmp_path: Path
) -> None:
    target = tmp_path / "synced" / "notes.md"
    target.parent.mkdir()
    link = tmp_path / "notes-link.md"
    link.symlink_to(target)
    sync(lib, link)
    assert sync_state.notes_file_path(lib) == target
    assert link.is_symlink()
    assert "Notes on A." in target.read_text(encoding="utf-8")
    annotate(lib, B, note="Written through the chosen link.")
    assert sync(lib, sync_state.notes_file_path(lib) or link).written
    assert "Written through the chosen link." in target.read_text(encoding="utf-8")


def test_status_and_tags_taken_from_the_file_are_kept_in_the_history_and_restorable(
    lib: Library, notes: Path
) -> None:
    sync(lib, notes)
    a = pid(lib, A)
    notes.write_text(notes.read_text(encoding="utf-8").replace(section_text(notes, A), ""), encoding="utf-8")
    sync(lib, notes)  # the section was deleted: note, status and tags cleared
    cleared = lib.annotation(a)
    assert (cleared.note, cleared.status, cleared.tags) == ("", "new", [])
    [version] = lib.note_history(a)
    assert (version.source, version.status, version.tags) == ("file", "reading", ("rl",))
    assert version.note.startswith("Notes on A.")

    lib.restore_note_version(a, 1)
    back = Library(lib.folder).annotation(a)
    assert (back.status, back.tags) == ("reading", ["rl"])
    assert back.note.startswith("Notes on A.")

    replace_in(notes, "**Status:** read\n", "**Status:** skipped · **Tags:** later\n")  # B, in the file
    sync(lib, notes)
    assert (lib.note_history(pid(lib, B))[0].status, lib.note_history(pid(lib, B))[0].tags) == ("read", ())


def test_the_pending_record_names_the_base_it_is_written_with_instead_of_copying_its_notes(
    lib: Library, notes: Path
) -> None:
    sync(lib, notes)
    replace_in(notes, "Notes on A.", "File side, taken in.")
    annotate(lib, B, status="reading")  # so the file is written again too

    def killed() -> None:
        raise KeyboardInterrupt  # the process dies after the library write, before the file write

    with pytest.raises(KeyboardInterrupt):
        sync(lib, notes, on_before_write=killed)
    stored = (lib.folder / "annotations.json").read_text(encoding="utf-8")
    assert stored.count("File side, taken in.") == 2  # the annotation and the sync base, not the pending record
    reopened = Library(lib.folder)
    report = sync(reopened, notes)
    assert report.conflicts == {}
    assert note(reopened, A).startswith("File side, taken in.")
    assert sync_state.base(reopened)[pid(reopened, A)]["note"] == note(reopened, A)
    assert sync_state.pending(reopened) is None
    assert "**Status:** reading" in section_text(notes, B)
    again = sync(reopened, notes)
    assert (again.to_library, again.to_file, again.conflicts) == ([], [], {})
