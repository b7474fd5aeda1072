"""Importing files: the window (which parses off the UI thread) and the CLI add parsed papers the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.core.library import Library
from papershelf.services.importing import add_parsed, import_file, parse_file

BROKEN = "junk line\n## [Fine](#)\n- B Person\n- what is this\n"


def test_add_parsed_counts_failures_and_names_the_source(tmp_path: Path) -> None:
    source = tmp_path / "broken.md"
    source.write_text(BROKEN, encoding="utf-8")
    result = parse_file(source)
    quiet = add_parsed(Library(tmp_path / "a"), result)
    named = add_parsed(Library(tmp_path / "b"), result, source=source.name)
    assert (len(quiet.imported), quiet.failed) == (1, 2)
    assert quiet.problems == [str(p) for p in result.problems]
    assert named.problems == [f"broken.md: {p}" for p in result.problems]
    via_file = import_file(Library(tmp_path / "c"), source)
    assert (via_file.problems, via_file.failed) == (named.problems, named.failed)


def test_an_unknown_suffix_is_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"cannot import \.docx files \(Papershelf imports \.bib, \.json, .*\)"):
        parse_file(tmp_path / "x.docx")  # the file does not even exist
