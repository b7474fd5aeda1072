"""``papershelf import`` of RIS (by suffix and by content) and ``export --format ris|biblatex``."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import rispy

from papershelf.core.library import Library
from papershelf.core.model import Paper
from papershelf.formats.bibtex_export import BibtexOptions
from papershelf.services import exporting
from tests.cli.conftest import RunCli
from tests.conftest import FIXTURES

RIS = FIXTURES / "ris"


def test_import_ris_files_and_a_txt_that_is_ris(run_cli: RunCli, tmp_path: Path) -> None:
    lib = str(tmp_path / "lib")
    run_cli("--library", lib, "list")
    before = len(Library(tmp_path / "lib"))  # the bundled catalogue
    scopus_txt = tmp_path / "scopus-export.txt"
    shutil.copy(RIS / "scopus.ris", scopus_txt)
    done = run_cli("--library", lib, "import", str(RIS / "zotero.ris"), str(scopus_txt))
    assert done.code == 0, done.err
    assert "zotero.ris: 6 imported, 0 already present, 0 failed" in done.out
    assert "scopus-export.txt: 2 imported, 0 already present, 0 failed" in done.out
    assert len(Library(tmp_path / "lib")) == before + 8


def test_import_of_broken_ris_lists_each_problem_and_fails(run_cli: RunCli, tmp_path: Path) -> None:
    done = run_cli("--library", str(tmp_path / "lib"), "import", str(RIS / "broken.ris"))
    assert done.code == 1
    assert "broken.ris: 4 imported, 0 already present, 2 failed" in done.out
    assert "  broken.ris: line 11: the record has no title (TI); skipped\n" in done.out
    assert "  broken.ris: line 16: AU line outside a record (no TY before it)" in done.out


def test_a_txt_that_is_nothing_is_refused_and_nothing_changes(run_cli: RunCli, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a bibliography\n", encoding="utf-8")
    run_cli("--library", str(tmp_path / "lib"), "list")
    before = (tmp_path / "lib" / "catalogue.json").read_bytes()
    done = run_cli("--library", str(tmp_path / "lib"), "import", str(notes))
    assert done.code == 1
    assert done.err.startswith("papershelf: error: notes.txt: not a file Papershelf can read (it reads BibTeX, ")
    assert done.err.endswith(" a paper list); nothing was imported\n")
    assert " RIS, " in done.err
    assert done.err.count("\n") == 1
    assert (tmp_path / "lib" / "catalogue.json").read_bytes() == before


def test_export_ris_to_stdout_and_by_suffix(iclr_library_dir: Path, run_cli: RunCli, tmp_path: Path) -> None:
    shown = run_cli("--library", str(iclr_library_dir), "export", "--format", "ris", "--no-abstract", "track:oral")
    assert shown.code == 0, shown.err
    entries = rispy.loads(shown.out)
    assert len(entries) == 53
    assert not any("abstract" in e for e in entries)
    target = tmp_path / "oral.ris"
    written = run_cli("--library", str(iclr_library_dir), "export", "track:oral", "-o", str(target))
    assert written.err.endswith(f"53 papers exported to {target}\n")
    assert len(rispy.loads(target.read_text(encoding="utf-8"))) == 53
    assert "AB  - " in target.read_text(encoding="utf-8")


def test_export_biblatex_writes_what_the_service_renders(iclr_library_dir: Path, run_cli: RunCli,
                                                        tmp_path: Path) -> None:
    target = tmp_path / "oral.bib"
    done = run_cli("--library", str(iclr_library_dir), "export", "--format", "biblatex", "--utf8", "track:oral",
                   "-o", str(target))
    assert done.code == 0, done.err
    expected = exporting.export(Library(iclr_library_dir), "biblatex", query="track:oral",
                                bibtex_options=BibtexOptions(ascii=False))
    assert target.read_text(encoding="utf-8") == expected.text
    assert "  date = {2021}" in expected.text


def test_keep_updated_stores_the_format(iclr_library_dir: Path, run_cli: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "all.ris"
    done = run_cli("--library", str(iclr_library_dir), "export", "--keep-updated", "--with-notes", "-o", str(target))
    assert done.code == 0, done.err
    ties = orjson.loads((iclr_library_dir / exporting.TIES_FILE).read_bytes())["ties"]
    assert ties == [{"path": str(target), "list": None, "format": "ris",
                     "options": {"abstract": True, "notes": True}}]
    assert len(rispy.loads(target.read_text(encoding="utf-8"))) == 860


def test_a_kept_updated_biblatex_export_cites_merged_away_keys_by_ids(run_cli: RunCli, tmp_path: Path) -> None:
    """biblatex always writes ``ids`` (the format says so), with or without --alias-ids, tied or not."""
    library = Library(tmp_path / "lib")
    library.import_papers([Paper(id="", key="new2020", title="Planning", authors=["Abbas, Z."], year=2020),
                           Paper(id="", key="old2019", title="Planning", authors=["Abbas, Z."], year=2019)])
    library.merge_papers("new2020", "old2019")
    for extra in ((), ("--keep-updated",)):
        out = tmp_path / f"refs{len(extra)}.bib"
        done = run_cli("--library", str(tmp_path / "lib"), "export", "--format", "biblatex", *extra, "-o", str(out))
        assert done.code == 0, done.err
        text = out.read_text(encoding="utf-8")
        assert "  ids = {old2019}" in text
        assert "{old2019," not in text  # no copy of the entry under the old key


def test_a_garbage_bib_import_fails_in_words_and_writes_nothing(tmp_path: Path, run_cli: RunCli) -> None:
    garbage = tmp_path / "notes.bib"
    garbage.write_text("Meeting notes, not references.\n", encoding="utf-8")
    library = tmp_path / "lib"
    assert run_cli("--library", str(library), "list").code == 0
    before = sorted((p.name, p.read_bytes()) for p in library.rglob("*") if p.is_file())
    done = run_cli("--library", str(library), "import", str(garbage))
    assert done.code != 0
    assert "notes.bib: line 1: no BibTeX entries found" in done.out + done.err
    assert sorted((p.name, p.read_bytes()) for p in library.rglob("*") if p.is_file()) == before
