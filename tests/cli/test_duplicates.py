"""``papershelf duplicates`` as a real subprocess, and merged-away keys cited for real (bibtex, biber)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import orjson
import pytest

from papershelf.core.library import Library
from tests.cli.test_cli import papershelf
from tests.conftest import FIXTURES

needs_bibtex = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdflatex", "bibtex")), reason="needs texlive-latex-base"
)
needs_biber = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdflatex", "biber")),
    reason="needs biber, texlive-bibtex-extra and texlive-latex-recommended",
)


def test_xampl_pairs_are_listed_and_merged_only_on_request(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    imported = papershelf(library, "import", str(FIXTURES / "xampl.bib"))
    assert "article-full may be the same paper as article-minimal; both kept" in imported.stdout
    listed = papershelf(library, "duplicates")
    assert listed.returncode == 0, listed.stderr
    assert re.search(r"^article-minimal  article-full  \(same title\)  The Gnats and Gnus", listed.stdout, re.M)
    pairs = orjson.loads(papershelf(library, "duplicates", "--format", "json").stdout)
    assert {"keys": ["article-minimal", "article-full"], "reason": "same title",
            "titles": ["The Gnats and Gnus Document Preparation System"] * 2} in pairs
    count = len(Library(library))

    merged = papershelf(library, "duplicates", "--merge", "article-minimal", "article-full")
    assert merged.returncode == 0, merged.stderr
    assert merged.stdout == ("merged article-full into article-minimal; \\cite{article-full} keeps working "
                             "(an alias of article-minimal)\n")
    assert len(Library(library)) == count - 1
    shown = papershelf(library, "show", "article-full")
    assert "Key:      article-minimal\n" in shown.stdout
    assert "Aliases:  article-full\n" in shown.stdout
    found = papershelf(library, "list", "--format", "keys", "key:article-full")
    assert found.stdout == "article-minimal\n"
    after = orjson.loads(papershelf(library, "duplicates", "--format", "json").stdout)
    assert not any("article-full" in pair["keys"] for pair in after)
    first = after[0]["keys"]
    apart = papershelf(library, "duplicates", "--keep-apart", *first)
    assert apart.stdout == f"{first[0]} and {first[1]} are kept apart; they are not listed again\n"
    assert first not in [pair["keys"] for pair in orjson.loads(papershelf(library, "duplicates", "--format",
                                                                           "json").stdout)]
    reimported = papershelf(library, "import", str(FIXTURES / "xampl.bib"))
    assert "0 imported" in reimported.stdout
    assert "  article-full is already here\n" in reimported.stdout  # every entry already present, by key


def test_a_bad_merge_says_why_in_one_line_and_changes_nothing(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    papershelf(library, "import", str(FIXTURES / "xampl.bib"))
    before = {p.name: p.read_bytes() for p in library.glob("*.json")}
    for args, message in (
        (("article-minimal", "nope"), "no paper with citation key 'nope'"),
        (("article-minimal", "article-minimal"), "article-minimal and article-minimal are already one paper"),
    ):
        result = papershelf(library, "duplicates", "--merge", *args)
        assert result.returncode == 1
        assert result.stderr == f"papershelf: error: {message}\n"
    assert {p.name: p.read_bytes() for p in library.glob("*.json")} == before


def run(folder: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, errors="replace", timeout=120,
                          check=False)


def bibtex_items(folder: Path, bib: str, cite: str) -> str:
    """The .bbl of a document citing ``cite`` with plain.bst; fails on any error or warning."""
    folder.mkdir()
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    (folder / "doc.tex").write_text(
        "\\documentclass{article}\\begin{document}See \\cite{" + cite + "}.\n"
        "\\bibliographystyle{plain}\\bibliography{refs}\\end{document}\n", encoding="ascii")
    latex = ("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex")
    assert run(folder, *latex).returncode == 0
    bibtex = run(folder, "bibtex", "doc")
    assert bibtex.returncode == 0, bibtex.stdout
    assert "Warning--" not in bibtex.stdout, bibtex.stdout
    for _ in range(2):
        assert run(folder, *latex).returncode == 0
    log = (folder / "doc.log").read_text(errors="replace")
    assert "undefined" not in log, log[-2000:]
    assert "Warning" not in log, log[-2000:]
    return (folder / "doc.bbl").read_text()


@pytest.fixture
def merged_library(tmp_path: Path) -> Path:
    """A library where the ICML entry pmlr-v119-abbas20a was imported again under the key abbas2020selective."""
    library = tmp_path / "lib"
    papershelf(library, "import", str(FIXTURES / "icml2020.bib"))
    text = (FIXTURES / "icml2020.bib").read_text(encoding="utf-8")
    first = text[: text.index("\n}\n") + 3].replace("pmlr-v119-abbas20a", "abbas2020selective")
    (tmp_path / "mine.bib").write_text(first, encoding="utf-8")
    imported = papershelf(library, "import", str(tmp_path / "mine.bib"))
    assert "abbas2020selective is already here as pmlr-v119-abbas20a" in imported.stdout
    return library


@needs_bibtex
def test_bibtex_resolves_a_merged_away_key_as_the_entry_it_was_merged_into(merged_library: Path,
                                                                          tmp_path: Path) -> None:
    exported = papershelf(merged_library, "export", "-o", str(tmp_path / "refs.bib"))
    assert exported.returncode == 0, exported.stderr
    bib = (tmp_path / "refs.bib").read_text(encoding="utf-8")
    old = bibtex_items(tmp_path / "old", bib, "abbas2020selective")
    new = bibtex_items(tmp_path / "new", bib, "pmlr-v119-abbas20a")
    assert "Selective dyna-style planning under limited model capacity" in " ".join(new.split())
    assert old.replace("abbas2020selective", "pmlr-v119-abbas20a") == new  # typeset exactly the same


@needs_biber
def test_biber_resolves_a_merged_away_key_through_ids(merged_library: Path, tmp_path: Path) -> None:
    exported = papershelf(merged_library, "export", "--utf8", "--alias-ids", "-o", str(tmp_path / "refs.bib"))
    assert exported.returncode == 0, exported.stderr
    bib = (tmp_path / "refs.bib").read_text(encoding="utf-8")
    assert "ids = {abbas2020selective}" in bib
    assert "@inproceedings{abbas2020selective" not in bib
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\\usepackage[backend=biber]{biblatex}\\addbibresource{refs.bib}\n"
        "\\begin{document}See \\cite{abbas2020selective}.\\printbibliography\\end{document}\n", encoding="ascii")
    latex = ("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex")
    assert run(tmp_path, *latex).returncode == 0
    biber = run(tmp_path, "biber", "doc")
    assert biber.returncode == 0, biber.stdout
    assert "WARN" not in biber.stdout, biber.stdout
    assert "ERROR" not in biber.stdout, biber.stdout
    for _ in range(2):
        assert run(tmp_path, *latex).returncode == 0
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert "undefined" not in log, log[-2000:]
    bbl = (tmp_path / "doc.bbl").read_text()
    assert "\\entry{pmlr-v119-abbas20a}" in bbl
    assert "Selective Dyna-Style Planning Under Limited Model Capacity" in " ".join(bbl.split())


def test_a_merge_loses_no_note_and_the_notes_file_keeps_the_old_section(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    notes = tmp_path / "notes.md"
    papershelf(library, "import", str(FIXTURES / "xampl.bib"))
    assert papershelf(library, "annotate", "article-minimal", "--note", "short one").returncode == 0
    assert papershelf(library, "annotate", "article-full", "--note", "full one", "--tag", "gnus").returncode == 0
    assert papershelf(library, "sync", "--notes-file", str(notes)).returncode == 0
    assert papershelf(library, "duplicates", "--merge", "article-minimal", "article-full").returncode == 0
    synced = papershelf(library, "sync")
    assert synced.returncode == 0, synced.stdout + synced.stderr
    assert "kept as they are: article-full" in synced.stdout
    shown = orjson.loads(papershelf(library, "show", "article-minimal", "--json").stdout)
    assert "short one" in shown["annotation"]["note"]
    assert "full one" in shown["annotation"]["note"]
    assert shown["annotation"]["tags"] == ["gnus"]
    text = notes.read_text(encoding="utf-8")
    assert "<!-- papershelf:key=article-full -->" in text  # the old section, as it was
    kept = text[text.index("<!-- papershelf:key=article-minimal -->"):]
    assert "full one" in kept.split("<!-- papershelf:key=")[1]


def test_a_paper_in_a_notes_conflict_is_not_merged_until_the_conflict_is_resolved(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    notes = tmp_path / "notes.md"
    papershelf(library, "import", str(FIXTURES / "xampl.bib"))
    assert papershelf(library, "annotate", "article-full", "--note", "written in the app").returncode == 0
    assert papershelf(library, "sync", "--notes-file", str(notes)).returncode == 0
    notes.write_text(notes.read_text(encoding="utf-8").replace("written in the app", "edited in the file"),
                     encoding="utf-8")
    assert papershelf(library, "annotate", "article-full", "--note", "edited in the app").returncode == 0
    assert papershelf(library, "sync").returncode == 3  # a conflict
    refused = papershelf(library, "duplicates", "--merge", "article-minimal", "article-full")
    assert refused.returncode == 1
    assert refused.stderr == ("papershelf: error: article-full has a notes-file conflict; resolve it first "
                              "(papershelf sync --resolve)\n")
    assert papershelf(library, "sync", "--resolve", "article-full", "--take", "app").returncode == 0
    assert papershelf(library, "duplicates", "--merge", "article-minimal", "article-full").returncode == 0
