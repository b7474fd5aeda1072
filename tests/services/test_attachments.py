"""Attaching files to papers: copies in the library folder, links by path, renames, detaches, file fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.core.events import AnnotationsChanged
from papershelf.core.library import Library, ReadOnlyError
from papershelf.formats import filefield
from papershelf.services import attachments
from papershelf.services.attachments import AttachmentError, attach, detach, rename
from papershelf.services.library import open_library
from tests.helpers.pdfs import Page, encrypted_copy, typeset
from tests.helpers.readonly import refusing_writes

KEY = "mueller2021certify"


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pdf")
    return typeset([Page("Certify or Predict", ["Mark Niklas Mueller"], "We study certified robustness.")], folder)


@pytest.fixture
def library(iclr_library_dir: Path) -> Library:
    return open_library(iclr_library_dir)


def _pid(library: Library, key: str = KEY) -> str:
    return library.paper(key).id


def test_a_copy_goes_into_files_key_and_survives_reopening(library: Library, pdf: Path) -> None:
    heard: list[AnnotationsChanged] = []
    library.events.connect(AnnotationsChanged, heard.append)
    writes = library.write_counts()["annotations"]
    done = attach(library, _pid(library), pdf)
    assert done.attachment.path == f"files/{KEY}/papers.pdf"
    assert not done.attachment.linked
    assert done.note == ""
    assert not done.already
    copied = library.folder / "files" / KEY / "papers.pdf"
    assert copied.read_bytes() == pdf.read_bytes()
    assert library.write_counts()["annotations"] == writes + 1  # one attach, one durable write
    assert heard == [AnnotationsChanged((_pid(library),), frozenset({"files"}))]
    assert not [p for p in copied.parent.iterdir() if p.name.startswith(".attach-")]  # no temp file left
    reopened = Library(library.folder)
    assert attachments.attachments(reopened, _pid(reopened)) == [done.attachment]
    assert attachments.best_file(reopened, _pid(reopened)) == copied


def test_the_same_file_again_is_the_same_attachment_and_a_different_one_never_overwrites(
    library: Library, pdf: Path, tmp_path: Path
) -> None:
    pid = _pid(library)
    first = attach(library, pid, pdf).attachment
    again = attach(library, pid, pdf)
    assert again.already
    assert again.attachment == first
    other = tmp_path / "other" / "papers.pdf"  # same name, other bytes
    other.parent.mkdir()
    other.write_bytes(pdf.read_bytes() + b"\n% another version\n")
    second = attach(library, pid, other).attachment
    assert second.path == f"files/{KEY}/papers (2).pdf"
    assert (library.folder / first.path).read_bytes() == pdf.read_bytes()  # the first is untouched
    assert [a.path for a in attachments.attachments(library, pid)] == [first.path, second.path]


def test_a_link_keeps_the_file_where_it_is_and_detaching_it_never_touches_it(library: Library, pdf: Path) -> None:
    pid = _pid(library)
    linked = attach(library, pid, pdf, link=True).attachment
    assert linked.linked
    assert linked.path == str(pdf.resolve())
    assert not (library.folder / "files").exists()
    assert detach(library, pid, linked) is None
    assert pdf.is_file()
    assert attachments.attachments(library, pid) == []


def test_detaching_a_copy_moves_it_to_the_trash_never_deletes_it(library: Library, pdf: Path) -> None:
    pid = _pid(library)
    copy = attach(library, pid, pdf).attachment
    trashed = detach(library, pid, copy)
    assert trashed is not None
    assert trashed.parent == library.folder / "trash" / "files" / KEY
    assert trashed.read_bytes() == pdf.read_bytes()
    assert not (library.folder / copy.path).exists()
    assert attachments.attachments(library, pid) == []
    with pytest.raises(AttachmentError, match="is not attached"):
        detach(library, pid, copy)


def test_renaming_renames_on_disk_keeps_the_suffix_and_never_overwrites(library: Library, pdf: Path) -> None:
    pid = _pid(library)
    first = attach(library, pid, pdf).attachment
    renamed = rename(library, pid, first, "Mueller 2021 - Certify or Predict")
    assert renamed.path == f"files/{KEY}/Mueller 2021 - Certify or Predict.pdf"
    assert (library.folder / renamed.path).is_file()
    assert not (library.folder / first.path).exists()
    other = library.folder / "files" / KEY / "taken.pdf"
    other.write_bytes(b"someone else's file")
    with pytest.raises(AttachmentError, match="already there"):
        rename(library, pid, renamed, "taken.pdf")
    with pytest.raises(AttachmentError, match="not a file name"):
        rename(library, pid, renamed, "../escape.pdf")
    assert other.read_bytes() == b"someone else's file"
    assert attachments.attachments(library, pid) == [renamed]


def test_a_missing_file_is_listed_as_missing_and_never_raises(library: Library, pdf: Path, tmp_path: Path) -> None:
    pid = _pid(library)
    gone = tmp_path / "gone.pdf"
    gone.write_bytes(pdf.read_bytes())
    linked = attach(library, pid, gone, link=True).attachment
    gone.unlink()
    reopened = Library(library.folder)
    assert attachments.attachments(reopened, pid) == [linked]
    assert attachments.is_missing(reopened, linked)
    assert attachments.best_file(reopened, pid) is None


def test_unreadable_and_encrypted_pdfs_attach_with_a_note(library: Library, pdf: Path, tmp_path: Path) -> None:
    pid = _pid(library)
    locked = attach(library, pid, encrypted_copy(pdf, tmp_path / "locked.pdf"))
    assert "encrypted" in locked.note
    assert (library.folder / locked.attachment.path).is_file()
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.5\nthis is not the rest of a PDF")
    done = attach(library, pid, broken)
    assert "could not be read as a PDF" in done.note
    assert len(attachments.attachments(library, pid)) == 2


def test_what_is_not_a_file_is_refused_and_nothing_changes(library: Library, tmp_path: Path) -> None:
    pid = _pid(library)
    before = sorted(p.name for p in library.folder.iterdir())
    with pytest.raises(AttachmentError, match="no such file"):
        attach(library, pid, tmp_path / "nothing.pdf")
    with pytest.raises(AttachmentError, match="is not a file"):
        attach(library, pid, tmp_path)
    assert sorted(p.name for p in library.folder.iterdir()) == before
    assert attachments.attachments(library, pid) == []


def test_a_file_stamp_changes_with_the_file_and_is_none_when_it_is_gone(tmp_path: Path) -> None:
    """What the full-text cache and the watched folder compare to read a file again."""
    path = tmp_path / "paper.pdf"
    path.write_bytes(b"%PDF-1.5 one")
    first = attachments.file_stamp(path)
    assert first is not None
    assert first[0] == len(b"%PDF-1.5 one")
    path.write_bytes(b"%PDF-1.5 one, then more")
    assert attachments.file_stamp(path) != first
    path.unlink()
    assert attachments.file_stamp(path) is None


def test_a_read_only_library_refuses_before_copying(iclr_library_dir: Path, pdf: Path) -> None:
    library = Library(iclr_library_dir, read_only=True)
    with pytest.raises(ReadOnlyError):
        attach(library, _pid(library), pdf)
    assert not (iclr_library_dir / "files").exists()


def test_a_failed_write_leaves_no_copy_behind(iclr_library_dir: Path, pdf: Path) -> None:
    library = Library(iclr_library_dir)
    pid = _pid(library)
    (iclr_library_dir / "files" / KEY).mkdir(parents=True)
    store = iclr_library_dir / "annotations.json"
    with refusing_writes(iclr_library_dir), pytest.raises(Exception, match=r"could not save|cannot be written"):
        attach(library, pid, pdf)  # the store's temp file cannot be made: the write fails
    assert list((iclr_library_dir / "files" / KEY).iterdir()) == []
    assert attachments.attachments(Library(iclr_library_dir), pid) == []
    assert store.is_file()


def test_a_failed_write_removes_the_paper_folder_it_made(iclr_library_dir: Path, pdf: Path) -> None:
    library = Library(iclr_library_dir)
    pid = _pid(library)
    files = iclr_library_dir / "files"
    (files / "other2020").mkdir(parents=True)  # another paper's folder: not this attach's to remove
    with refusing_writes(iclr_library_dir), pytest.raises(Exception, match=r"could not save|cannot be written"):
        attach(library, pid, pdf)
    assert [p.name for p in files.iterdir()] == ["other2020"]  # no empty files/KEY/ left behind
    assert attachments.attachments(Library(iclr_library_dir), pid) == []
    # With the store writable again the same attach works and makes the folder anew.
    assert attach(Library(iclr_library_dir), pid, pdf).attachment.location(iclr_library_dir).is_file()
    assert (files / KEY).is_dir()


def test_jabref_file_field_of_the_attachments_is_relative_where_it_can_be(library: Library, pdf: Path) -> None:
    pid = _pid(library)
    attach(library, pid, pdf)
    attach(library, pid, pdf, link=True, description="Full: Text; v2")
    text = attachments.file_field(library, pid, relative_to=library.folder)
    entries, problems = filefield.parse(text)
    assert problems == []
    assert entries == [
        filefield.FileEntry(f"files/{KEY}/papers.pdf", "", "PDF"),
        filefield.FileEntry(str(pdf.resolve()), "Full: Text; v2", "PDF"),
    ]
    other = sorted(set(library.keys()) - {KEY})[0]
    # A paper without files gets no empty field.
    assert attachments.file_fields(library, [pid, _pid(library, other)], library.folder) == {pid: text}
    # Without a folder to be relative to, every path is absolute.
    absolute = filefield.parse(attachments.file_field(library, pid))[0]
    assert absolute[0].path == str(library.folder / "files" / KEY / "papers.pdf")


def test_merging_two_papers_keeps_the_files_of_both(library: Library, pdf: Path, tmp_path: Path) -> None:
    from papershelf.services import duplicates

    keep, other = KEY, sorted(set(library.keys()) - {KEY})[0]
    attach(library, _pid(library, keep), pdf)
    second = tmp_path / "second.pdf"
    second.write_bytes(pdf.read_bytes() + b"\n% other\n")
    moved = attach(library, _pid(library, other), second).attachment
    other_id = _pid(library, other)
    duplicates.merge(library, keep, other)
    files = attachments.attachments(library, _pid(library, keep))
    assert [a.name for a in files] == ["papers.pdf", "second.pdf"]
    assert files[1] == moved
    assert not attachments.is_missing(library, moved)
    assert attachments.attachments(library, other_id) == []


def test_emptying_the_trash_moves_copied_files_aside_and_keeps_their_list_in_the_removed_record(
    library: Library, pdf: Path, tmp_path: Path
) -> None:
    from papershelf.services import trash

    pid = _pid(library)
    copied = attach(library, pid, pdf).attachment
    outside = tmp_path / "linked.pdf"
    outside.write_bytes(pdf.read_bytes())
    linked = attach(library, pid, outside, link=True).attachment
    library.trash([pid])
    words = " ".join(trash.emptying_words(library, [pid]))
    assert "2 attached files are not lost" in words
    assert trash.empty_trash(library) == [pid]
    assert not (library.folder / "files" / KEY).exists()  # the copy went, and its emptied folder
    aside = list((library.folder / "trash" / "files" / KEY).iterdir())
    assert [p.read_bytes() for p in aside] == [pdf.read_bytes()]
    assert outside.read_bytes() == pdf.read_bytes()  # a linked file is never touched
    reopened = Library(library.folder)
    assert pid not in reopened.papers
    assert reopened.table(attachments.TABLE).get(pid) is None  # no list left for a paper that is gone
    (record,) = reopened.removed_papers()
    assert record["paper"]["key"] == KEY
    kept = [attachments.Attachment.from_doc(d) for d in record["tables"][attachments.TABLE]["files"]]
    assert [a.linked for a in kept if a] == [False, True]
    assert kept[0] is not None
    assert kept[0].location(reopened.folder) == aside[0]
    assert kept[1] == linked
    assert copied.path != kept[0].path


def test_a_paper_with_only_files_is_still_kept_in_the_record_when_emptied(library: Library, pdf: Path) -> None:
    from papershelf.services import trash

    pid = _pid(library)
    attach(library, pid, pdf)
    library.trash([pid])
    assert library.annotation(pid).note == ""
    assert not library.annotation(pid).tags
    trash.empty_trash(library)
    assert [r["paper"]["key"] for r in Library(library.folder).removed_papers()] == [KEY]


def test_an_emptying_cut_short_after_the_files_were_set_aside_loses_nothing(library: Library, pdf: Path) -> None:
    pid = _pid(library)
    attach(library, pid, pdf)
    library.trash([pid])
    (moved,) = attachments.set_aside_files(library, [pid])
    library.catalogue.remove([pid])  # the catalogue's write of the emptying, and then the power went out
    reopened = open_library(library.folder)  # finishes the emptying
    (record,) = reopened.removed_papers()
    (doc,) = record["tables"][attachments.TABLE]["files"]
    assert reopened.folder / doc["path"] == moved
    assert moved.is_file()


def test_a_kept_updated_bibtex_file_with_files_follows_attaching_and_detaching(
    library: Library, pdf: Path, tmp_path: Path
) -> None:
    from papershelf.core.library import AnnotationChange
    from papershelf.services.exporting import AutoExport

    pid = _pid(library)
    library.annotate([pid], AnnotationChange(add_lists=("thesis",)))
    target = tmp_path / "out" / "thesis.bib"
    target.parent.mkdir()
    AutoExport(library).tie(target, list_name="thesis", fmt="bibtex", options={"with_files": True})
    assert "file = {" not in target.read_text(encoding="utf-8")
    done = attach(library, pid, pdf)
    location = library.folder / done.attachment.path
    assert f"file = {{{filefield.render([filefield.FileEntry(str(location), '', 'PDF')])}}}" in target.read_text(
        encoding="utf-8")  # outside the .bib's folder: an absolute path
    detach(library, pid, done.attachment)
    assert "file = {" not in target.read_text(encoding="utf-8")
