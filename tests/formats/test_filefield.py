"""The BibTeX ``file`` field as JabRef, Zotero/Better BibTeX and Mendeley write it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from papershelf.formats.filefield import FileEntry, parse, render


def test_jabref_form_with_several_files_and_escapes() -> None:
    value = r":papers/x.pdf:PDF;Supplement:C\:\\papers\\x-supp.pdf:PDF;Slides\; v2:talks/a\:b.pdf:PDF"
    assert parse(value) == ([
        FileEntry("papers/x.pdf", "", "PDF"),
        FileEntry("C:\\papers\\x-supp.pdf", "Supplement", "PDF"),
        FileEntry("talks/a:b.pdf", "Slides; v2", "PDF"),
    ], [])


def test_zotero_and_better_bibtex_forms() -> None:
    assert parse("Full Text:files/12/x.pdf:application/pdf") == (
        [FileEntry("files/12/x.pdf", "Full Text", "application/pdf")], [])
    # Better BibTeX on Windows leaves the drive's colon unescaped.
    assert parse(r"Full Text PDF:C:\Users\me\Zotero\storage\AB12\x.pdf:application/pdf")[0] == [
        FileEntry(r"C:\Users\me\Zotero\storage\AB12\x.pdf", "Full Text PDF", "application/pdf")]
    assert parse("Snapshot:files/3/page.html:text/html;Full Text:files/4/y.pdf:application/pdf")[0] == [
        FileEntry("files/3/page.html", "Snapshot", "text/html"),
        FileEntry("files/4/y.pdf", "Full Text", "application/pdf"),
    ]


def test_a_bare_path_and_empty_parts() -> None:
    assert parse("papers/x.pdf") == ([FileEntry("papers/x.pdf")], [])
    assert parse(" ; ") == ([], [])
    assert parse("Nothing::PDF") == ([], ["the file entry 'Nothing::PDF' names no file"])


@given(st.lists(st.builds(
    FileEntry,
    st.text(min_size=1).map(str.strip).filter(bool),
    st.text().map(str.strip),
    st.text().map(str.strip),
), max_size=4))
def test_render_is_read_back_as_written(entries: list[FileEntry]) -> None:
    assert parse(render(entries)) == (entries, [])
