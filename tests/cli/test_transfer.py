"""``import`` and ``export`` (cli/transfer.py): the CLI writes what the export service renders."""

from __future__ import annotations

from pathlib import Path

from papershelf.core.library import Library
from papershelf.formats.bibtex_export import BibtexOptions
from papershelf.services import exporting
from tests.cli.conftest import RunCli


def test_export_writes_what_the_service_renders(iclr_library_dir: Path, run_cli: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "oral.bib"
    done = run_cli("--library", str(iclr_library_dir), "export", "track:oral", "--utf8", "-o", str(target))
    assert done.code == 0, done.err
    assert done.err.endswith(f"53 papers exported to {target}\n")
    expected = exporting.export(Library(iclr_library_dir), "bibtex", query="track:oral",
                                bibtex_options=BibtexOptions(ascii=False))
    assert target.read_text(encoding="utf-8") == expected.text


def test_export_errors_change_nothing(iclr_library_dir: Path, run_cli: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    bad_list = run_cli("--library", str(iclr_library_dir), "export", "--list", "nope", "-o", str(target))
    assert (bad_list.code, bad_list.err) == (1, "papershelf: error: no reading list named 'nope'\n")
    bad_query = run_cli("--library", str(iclr_library_dir), "export", '"unclosed', "-o", str(target))
    assert bad_query.code == 1
    assert bad_query.err.startswith("papershelf: error: invalid query:")
    negated = run_cli("--library", str(iclr_library_dir), "export", "-venue:ICLR", "-o", str(target))
    assert negated.code == 2  # export's query words are not guessed: the epilog says to put them after --
    assert "unrecognized arguments: -venue:ICLR" in negated.err
    assert not target.exists()


def test_import_reports_each_file_and_fails_on_a_missing_one(run_cli: RunCli, tmp_path: Path) -> None:
    good = tmp_path / "workshop2030.md"
    good.write_text("## [A Paper on Things](#)\n\n- Ann Author\n", encoding="utf-8")
    lib = str(tmp_path / "lib")
    done = run_cli("--library", lib, "import", str(good), str(tmp_path / "missing.bib"))
    assert done.code == 1
    assert "workshop2030.md: 1 imported, 0 already present, 0 failed" in done.out
    assert f"papershelf: error: {tmp_path / 'missing.bib'}: no such file" in done.err
    assert Library(lib).paper("author2030paper").venue == "WORKSHOP"
