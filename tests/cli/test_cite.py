"""``papershelf cite``: references in a style, as text or HTML, from a script."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import RunCli
from tests.services.test_citations import APA_CONFERENCE, APA_JOURNAL, BIB, IEEE_CONFERENCE, IEEE_JOURNAL


def library_with_examples(run_cli: RunCli, tmp_path: Path) -> str:
    source = tmp_path / "examples.bib"
    source.write_text(BIB, encoding="utf-8")
    lib = str(tmp_path / "lib")
    assert run_cli("--library", lib, "import", str(source)).code == 0
    return lib


def test_cite_prints_the_references_in_the_style_asked_for(run_cli: RunCli, tmp_path: Path) -> None:
    lib = library_with_examples(run_cli, tmp_path)
    apa = run_cli("--library", lib, "cite", "grady2019", "duckworth2019")
    assert (apa.code, apa.err) == (0, "")
    assert apa.out == APA_CONFERENCE + "\n" + APA_JOURNAL + "\n"  # APA lists by author
    ieee = run_cli("--library", lib, "cite", "payne1985", "liu1997", "--style", "ieee")
    assert ieee.out == f"[1] {IEEE_CONFERENCE}\n[2] {IEEE_JOURNAL}\n"
    html = run_cli("--library", lib, "cite", "grady2019", "--format", "html")
    assert html.out.startswith('<p class="csl-entry">Grady, J. S.')
    assert "<i>Psychology of Popular Media Culture</i>" in html.out
    in_text = run_cli("--library", lib, "cite", "payne1985", "liu1997", "--in-text")
    assert in_text.out == "(Liu et al., 1997; Payne & Stern, 1985)\n"


def test_cite_errors_are_one_line(run_cli: RunCli, tmp_path: Path) -> None:
    lib = library_with_examples(run_cli, tmp_path)
    unknown = run_cli("--library", lib, "cite", "nobody2000")
    assert unknown.code == 1
    assert unknown.err.count("\n") == 1
    assert "nobody2000" in unknown.err
    bad_style = run_cli("--library", lib, "cite", "grady2019", "--style", "apa8")
    assert bad_style.code == 1
    assert bad_style.err.startswith("papershelf: error: unknown citation style 'apa8'")
    assert bad_style.out == ""
    bad_format = run_cli("--library", lib, "cite", "grady2019", "--format", "rtf")
    assert bad_format.code == 2
