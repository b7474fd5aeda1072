"""Choosing what to export, files kept updated as the library changes, and the export CLI."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import bibtexparser
import orjson
import pytest
from markdown_it import MarkdownIt

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper
from papershelf.formats import bibtex
from papershelf.services import exporting
from papershelf.services.exporting import AutoExport

FIXTURES = Path(__file__).parent.parent / "fixtures"


def bib_keys(path: Path) -> list[str]:
    return [e.key for e in bibtexparser.parse_string(path.read_text(encoding="utf-8")).entries]


@pytest.fixture
def library(iclr_library_dir: Path) -> Library:
    lib = Library(iclr_library_dir)
    lib.annotate(lib.ids_for_keys(["mueller2021certify", "neitz2021teacher"]), AnnotationChange(add_lists=("thesis",)))
    return lib


# -- choosing ---------------------------------------------------------------------------------------------


def test_select_everything_a_list_keys_and_a_query(library: Library) -> None:
    assert len(exporting.select(library)) == 860
    thesis = exporting.select(library, list_name="thesis")
    assert sorted(p.key for p in thesis) == ["mueller2021certify", "neitz2021teacher"]
    assert [p.key for p in exporting.select(library, keys=["neitz2021teacher"])] == ["neitz2021teacher"]
    mueller = library.paper("mueller2021certify").id
    both = exporting.select(library, list_name="thesis", query_ids=[mueller, library.paper("katzir2021net").id])
    assert [p.key for p in both] == ["mueller2021certify"]
    with pytest.raises(exporting.UnknownListError, match="no reading list named 'nope'"):
        exporting.select(library, list_name="nope")


def test_render_and_write(library: Library, tmp_path: Path) -> None:
    papers = exporting.select(library, list_name="thesis")
    target = tmp_path / "thesis.bib"
    exporting.write(target, exporting.render(library, papers, "bibtex"))
    assert sorted(bib_keys(target)) == ["mueller2021certify", "neitz2021teacher"]
    markdown = exporting.render(library, papers, "markdown").text
    assert markdown.startswith("# Reading list\n")
    with pytest.raises(ValueError, match="unknown export format"):
        exporting.render(library, papers, "docx")
    assert exporting.format_for(Path("x.md")) == "markdown"
    assert exporting.format_for(Path("x.bib")) == "bibtex"


# -- keep updated -----------------------------------------------------------------------------------------


def test_list_tie_follows_joins_leaves_and_edits(library: Library, tmp_path: Path) -> None:
    target = tmp_path / "thesis.bib"
    auto = AutoExport(library)
    auto.tie(target, list_name="thesis", options={"notes_as_annote": True})
    assert sorted(bib_keys(target)) == ["mueller2021certify", "neitz2021teacher"]
    katzir = library.paper("katzir2021net").id
    library.annotate([katzir], AnnotationChange(add_lists=("thesis",)))
    assert sorted(bib_keys(target)) == ["katzir2021net", "mueller2021certify", "neitz2021teacher"]
    library.annotate([katzir], AnnotationChange(note="Key {idea}: 100% DNF."))
    assert "annote = {Key {\\textbraceleft}idea{\\textbraceright}: 100\\% DNF.}" in target.read_text()
    library.annotate([library.paper("neitz2021teacher").id], AnnotationChange(remove_lists=("thesis",)))
    assert sorted(bib_keys(target)) == ["katzir2021net", "mueller2021certify"]


def test_changes_elsewhere_do_not_touch_the_file(library: Library, tmp_path: Path) -> None:
    target = tmp_path / "thesis.bib"
    AutoExport(library).tie(target, list_name="thesis")
    before = target.stat()
    library.annotate([library.paper("katzir2021net").id], AnnotationChange(status="read"))  # not in the list
    library.annotate([library.paper("neitz2021teacher").id], AnnotationChange(rating=4))  # in it, not exported
    after = target.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_library_tie_follows_imports(library: Library, tmp_path: Path) -> None:
    target = tmp_path / "all.bib"
    AutoExport(library).tie(target)
    assert len(bib_keys(target)) == 860
    library.import_papers([Paper(id="", key="new2024", title="A new paper", authors=["Ann Author"], year=2024)])
    keys = bib_keys(target)
    assert len(keys) == 861
    assert "new2024" in keys


def test_ties_persist_and_can_wait_for_flush(library: Library, tmp_path: Path) -> None:
    target = tmp_path / "thesis.md"
    AutoExport(library).tie(target, list_name="thesis", options={"group_by": "none"})
    ties = orjson.loads((library.folder / exporting.TIES_FILE).read_bytes())["ties"]
    assert ties == [{"path": str(target), "list": "thesis", "format": "markdown", "options": {"group_by": "none"}}]
    reopened = Library(library.folder)
    auto = AutoExport(reopened, immediate=False)
    assert [(t.path, t.list_name, t.format) for t in auto.ties] == [(target, "thesis", "markdown")]
    reopened.annotate([reopened.paper("katzir2021net").id], AnnotationChange(add_lists=("thesis",)))
    assert "katzir2021net" not in target.read_text()
    assert auto.flush() == []
    assert target.read_text().startswith("# thesis\n")
    tokens = MarkdownIt("commonmark").parse(target.read_text())
    assert len([t for t in tokens if t.type == "list_item_open"]) == 3
    assert auto.untie(target)
    assert orjson.loads((library.folder / exporting.TIES_FILE).read_bytes())["ties"] == []


def test_a_failed_rewrite_is_reported_not_raised(library: Library, tmp_path: Path) -> None:
    errors: list[str] = []
    auto = AutoExport(library, on_error=lambda tie, message: errors.append(message))
    target = tmp_path / "gone" / "thesis.bib"
    target.parent.mkdir()
    auto.tie(target, list_name="thesis")
    target.unlink()
    target.parent.rmdir()
    library.annotate([library.paper("mueller2021certify").id], AnnotationChange(add_tags=("x",)))  # must not raise
    assert len(errors) == 1
    assert "could not update" in errors[0]
    assert auto.ties[0].error == errors[0]


def test_renamed_and_deleted_lists(library: Library, tmp_path: Path) -> None:
    errors: list[str] = []
    auto = AutoExport(library, on_error=lambda tie, message: errors.append(message))
    target = tmp_path / "thesis.bib"
    auto.tie(target, list_name="thesis")
    library.rename_list("thesis", "dissertation")
    auto.rename_list("thesis", "dissertation")
    assert auto.ties[0].list_name == "dissertation"
    assert sorted(bib_keys(target)) == ["mueller2021certify", "neitz2021teacher"]
    errors.clear()
    library.delete_list("dissertation")
    assert sorted(bib_keys(target)) == ["mueller2021certify", "neitz2021teacher"]  # left as it was
    assert errors
    assert "no longer exists" in errors[-1]


def test_unknown_list_or_option_is_refused(library: Library, tmp_path: Path) -> None:
    auto = AutoExport(library)
    with pytest.raises(exporting.UnknownListError):
        auto.tie(tmp_path / "x.bib", list_name="nope")
    with pytest.raises(ValueError, match="bad export options"):
        auto.tie(tmp_path / "x.bib", options={"colour": "red"})
    assert auto.ties == []


def test_a_broken_ties_file_is_set_aside_in_words(library: Library) -> None:
    (library.folder / exporting.TIES_FILE).write_text("{not json", encoding="utf-8")
    auto = AutoExport(library)
    assert auto.ties == []
    assert "cannot be read" in auto.problems[0]


# -- the CLI ----------------------------------------------------------------------------------------------


def papershelf(library: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "papershelf", "--library", str(library), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_import_bib_then_export(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    imported = papershelf(folder, "import", str(FIXTURES / "nasty.bib"))
    assert imported.returncode == 1  # some entries failed
    assert imported.stdout.startswith(
        "nasty.bib: 7 imported, 0 already present, 3 failed, 0 merged into papers already there\n"
    )
    assert "line 42 [broken-braces]: the entry is not closed" in imported.stdout
    again = papershelf(folder, "import", str(FIXTURES / "neurips2020.bib"))
    assert again.returncode == 0, again.stderr
    assert "1898 imported" in again.stdout

    out = tmp_path / "out.bib"
    exported = papershelf(folder, "export", "--format", "bibtex", "Schölkopf", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    assert "papers exported to" in exported.stderr
    keys = bib_keys(out)
    assert "Schoelkopf2020" in keys
    assert "NEURIPS2020_02a3c7fb" in keys
    assert out.read_text(encoding="utf-8").isascii()

    utf8 = papershelf(folder, "export", "--utf8", "Schölkopf", "--with-abstract")
    assert utf8.returncode == 0, utf8.stderr
    assert "Schölkopf, Bernhard" in utf8.stdout
    parsed = {p.key: p for p in bibtex.parse(utf8.stdout).papers}
    assert parsed["Schoelkopf2020"].authors[0] == "Bernhard Schölkopf"


def test_cli_export_markdown_of_a_list(iclr_library_dir: Path, tmp_path: Path) -> None:
    annotate = papershelf(iclr_library_dir, "annotate", "mueller2021certify", "neitz2021teacher",
                          "--add-to-list", "thesis", "--status", "read", "--note", "**bold** idea")
    assert annotate.returncode == 0, annotate.stderr
    out = tmp_path / "thesis.md"
    result = papershelf(iclr_library_dir, "export", "--list", "thesis", "--with-notes", "--group-by", "track",
                        "-o", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Reading list: thesis\n")
    assert text.count("- [x] **") == 2
    assert "**bold** idea" in text
    missing = papershelf(iclr_library_dir, "export", "--list", "nope")
    assert missing.returncode == 1
    assert "no reading list named 'nope'" in missing.stderr
    bad = papershelf(iclr_library_dir, "export", "year:abc")
    assert bad.returncode == 1
    assert "invalid query" in bad.stderr


def test_cli_import_says_what_it_merged(iclr_library_dir: Path, tmp_path: Path) -> None:
    bib = tmp_path / "mine.bib"
    bib.write_text(
        "@inproceedings{Neitz21, title = {A Teacher-Student Framework to Distill Future Trajectories},\n"
        "  author = {Neitz, Alexander and others}, year = 2021, doi = {10.5555/teacher}}\n",
        encoding="utf-8",
    )
    result = papershelf(iclr_library_dir, "import", str(bib))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "mine.bib: 0 imported, 0 already present, 0 failed, 1 merged into papers already there\n"
        "  Neitz21 is already here as neitz2021teacher; its missing fields were filled in\n"
    )
    shown = papershelf(iclr_library_dir, "show", "neitz2021teacher")
    assert "DOI:      10.5555/teacher" in shown.stdout


def test_written_files_get_ordinary_permissions(library: Library, tmp_path: Path) -> None:
    import os

    target = tmp_path / "new.bib"
    exporting.write(target, exporting.render(library, exporting.select(library, list_name="thesis"), "bibtex"))
    mask = os.umask(0o022)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
    target.chmod(0o640)
    exporting.write(target, exporting.render(library, exporting.select(library), "bibtex"))
    assert target.stat().st_mode & 0o777 == 0o640


# -- the one export both faces run --------------------------------------------------------------------------


def test_export_narrows_renders_and_writes_in_one_call(library: Library, tmp_path: Path) -> None:
    target = tmp_path / "out.bib"
    teacher = library.paper("neitz2021teacher").id
    result = exporting.export(library, "bibtex", path=target, list_name="thesis", query="certified robustness")
    assert result.count == 1
    assert bib_keys(target) == ["mueller2021certify"]
    assert target.read_text(encoding="utf-8") == result.text
    chosen = exporting.export(library, "markdown", ids=[teacher])
    assert chosen.count == 1
    assert "A teacher-student framework" in chosen.text


def test_export_refuses_a_bad_query_or_list_and_writes_nothing(library: Library, tmp_path: Path) -> None:
    from papershelf.core.search.query import QueryError

    target = tmp_path / "out.bib"
    with pytest.raises(QueryError):
        exporting.export(library, "bibtex", path=target, query='"unclosed')
    with pytest.raises(exporting.UnknownListError):
        exporting.export(library, "bibtex", path=target, list_name="nope")
    assert not target.exists()


def test_an_export_through_a_symlink_writes_the_target_and_keeps_the_link(library: Library, tmp_path: Path) -> None:
    """A paper's repository links refs.bib to the exported file: the link must survive every export."""
    exports = tmp_path / "exports"
    exports.mkdir()
    target = exports / "library.bib"
    target.write_text("old\n")
    target.chmod(0o640)
    repo = tmp_path / "paper"
    repo.mkdir()
    link = repo / "refs.bib"
    link.symlink_to(target)

    exporting.export(library, "bibtex", path=link)

    assert link.is_symlink()
    assert link.resolve() == target
    assert set(bib_keys(target)) == {p.key for p in library.papers.values()}
    assert (target.stat().st_mode & 0o777) == 0o640
    assert list(repo.iterdir()) == [link]  # no temp file left beside the link


@pytest.mark.parametrize("fmt", exporting.FORMATS)
def test_an_export_onto_a_pipe_or_a_folder_is_refused_and_leaves_it_there(
    library: Library, tmp_path: Path, fmt: str
) -> None:
    """The atomic write replaces whatever is at the path: a FIFO (or a device) must not become a file."""
    out = tmp_path / "out"
    out.mkdir()
    fifo = out / "pipe.bib"
    os.mkfifo(fifo)
    link = out / "refs.bib"
    link.symlink_to(fifo)
    folder = out / "folder.bib"
    folder.mkdir()
    for path, said in ((fifo, "not a regular file"), (link, "not a regular file"), (folder, "is a folder"),
                       (out / "missing" / "out.bib", "does not exist")):
        with pytest.raises(OSError, match=said):
            exporting.export(library, fmt, path=path)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert link.is_symlink()
    assert folder.is_dir()
    assert sorted(p.name for p in out.iterdir()) == ["folder.bib", "pipe.bib", "refs.bib"]


def test_a_kept_updated_folder_is_refused_and_not_tied(library: Library, tmp_path: Path) -> None:
    """(A FIFO is tried through the CLI, under a timeout: reading it to compare would block.)"""
    folder = tmp_path / "thesis.bib"
    folder.mkdir()
    auto = AutoExport(library)
    with pytest.raises(OSError, match="is a folder"):
        auto.tie(folder, list_name="thesis")
    assert auto.ties == []
    assert list(folder.iterdir()) == []


def test_a_list_whose_paper_was_set_aside_as_damaged_still_exports(library: Library, tmp_path: Path) -> None:
    """A catalogue record of the wrong shape is set aside on load; its annotation stays, without a paper."""
    first, second = list(library.papers)[:2]
    library.annotate([first, second], AnnotationChange(add_lists=("Set aside",)))
    catalogue = library.folder / "catalogue.json"
    data = orjson.loads(catalogue.read_bytes())
    data["papers"][second] = ["not", "a", "paper"]
    catalogue.write_bytes(orjson.dumps(data))

    reopened = Library(library.folder)
    assert second not in reopened.papers
    assert second in reopened.annotated_ids()
    target = tmp_path / "set-aside.bib"
    tie = AutoExport(reopened).tie(target, list_name="Set aside", fmt="bibtex")
    assert set(tie.members) == {first}
    assert bib_keys(target) == [reopened.papers[first].key]
