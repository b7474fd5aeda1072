"""The CLI, run as a real subprocess against real library folders."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest


def papershelf(library: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "papershelf", "--library", str(library), *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
        check=False,
    )


def test_version() -> None:
    result = subprocess.run([sys.executable, "-m", "papershelf", "--version"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0
    assert result.stdout.startswith("papershelf 0.")


def test_list_json_has_all_fields_and_annotations(iclr_library_dir: Path) -> None:
    result = papershelf(iclr_library_dir, "list", "--format", "json")
    assert result.returncode == 0, result.stderr
    papers = orjson.loads(result.stdout)
    assert len(papers) == 860
    first = papers[0]
    assert set(first) >= {"id", "key", "title", "authors", "year", "venue", "track", "abstract", "url", "doi",
                          "entry_type", "fields", "annotation"}
    assert first["annotation"]["status"] == "new"


def test_list_with_words_and_keys_format(iclr_library_dir: Path) -> None:
    result = papershelf(iclr_library_dir, "list", "certified", "robustness", "compositional", "--format", "keys")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["mueller2021certify"]
    table = papershelf(iclr_library_dir, "list", "Schölkopf", "teacher")
    assert table.returncode == 0, table.stderr
    assert "neitz2021teacher" in table.stdout
    assert "1 of 860 papers" in table.stderr


def test_show_text_and_json(iclr_library_dir: Path) -> None:
    result = papershelf(iclr_library_dir, "show", "neitz2021teacher")
    assert result.returncode == 0, result.stderr
    assert "Bernhard Schölkopf" in result.stdout
    assert "Track:    Poster" in result.stdout
    data = orjson.loads(papershelf(iclr_library_dir, "show", "neitz2021teacher", "--json").stdout)
    assert data["title"] == "A teacher-student framework to distill future trajectories"


def test_annotate_several_keys_then_show(iclr_library_dir: Path, tmp_path: Path) -> None:
    note_file = tmp_path / "note.md"
    note_file.write_text("## Summary\n\nUses **meta-gradients**.\n", encoding="utf-8")
    result = papershelf(
        iclr_library_dir, "annotate", "neitz2021teacher", "mueller2021certify",
        "--status", "to-read", "--priority", "high", "--rating", "4", "--tag", "rl", "--tag", "robustness",
        "--add-to-list", "Reading group", "--note-file", str(note_file),
    )
    assert result.returncode == 0, result.stderr
    assert "2 of 2 papers changed" in result.stderr
    papershelf(iclr_library_dir, "annotate", "mueller2021certify", "--untag", "rl", "--remove-from-list",
               "Reading group", "--note", "short")
    teacher = orjson.loads(papershelf(iclr_library_dir, "show", "neitz2021teacher", "--json").stdout)
    certify = orjson.loads(papershelf(iclr_library_dir, "show", "mueller2021certify", "--json").stdout)
    assert teacher["annotation"] | {"added": "", "changed": "", "status_changed": ""} == {
        "status": "to-read", "priority": 3, "rating": 4, "tags": ["rl", "robustness"],
        "lists": ["Reading group"], "note": "## Summary\n\nUses **meta-gradients**.\n",
        "added": "", "changed": "", "status_changed": "",
    }
    assert certify["annotation"]["tags"] == ["robustness"]
    assert certify["annotation"]["lists"] == []
    assert certify["annotation"]["note"] == "short"


def test_unknown_key_is_one_clear_line(iclr_library_dir: Path) -> None:
    result = papershelf(iclr_library_dir, "annotate", "nobody1999nothing", "--status", "read")
    assert result.returncode == 1
    assert result.stderr.strip() == "papershelf: error: no paper with citation key 'nobody1999nothing'"
    show = papershelf(iclr_library_dir, "show", "nobody1999nothing")
    assert show.returncode == 1
    assert "Traceback" not in show.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["annotate", "neitz2021teacher", "--status", "done"], "invalid choice: 'done'"),
        (["annotate", "neitz2021teacher", "--rating", "9"], "rating is 0-5"),
        (["annotate", "neitz2021teacher", "--priority", "urgent"], "priority is 0-3"),
        (["annotate", "neitz2021teacher"], "nothing to change"),
        (["list", "--format", "xml"], "invalid choice: 'xml'"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_arguments(iclr_library_dir: Path, args: list[str], message: str) -> None:
    result = papershelf(iclr_library_dir, *args)
    assert result.returncode in (1, 2)
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_import_summary_problems_and_exit_code(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    good = tmp_path / "neurips2030-accepted.md"
    good.write_text(
        "## [A Paper on Things](#)\n\n- Ann Author\n- abstract@[open-review\\(Oral\\)](#): About things.\n",
        encoding="utf-8",
    )
    first = papershelf(library, "import", str(good))
    assert first.returncode == 0, first.stderr
    assert "neurips2030-accepted.md: 1 imported, 0 already present, 0 failed" in first.stdout
    again = papershelf(library, "import", str(good))
    assert "0 imported, 1 already present" in again.stdout
    imported = orjson.loads(papershelf(library, "show", "author2030paper", "--json").stdout)
    assert (imported["venue"], imported["year"], imported["track"]) == ("NEURIPS", 2030, "Oral")

    bad = tmp_path / "broken.md"
    bad.write_text("junk line\n## [Fine](#)\n- B Person\n- what is this\n", encoding="utf-8")
    result = papershelf(library, "import", str(bad))
    assert result.returncode == 1
    assert "1 imported, 0 already present, 2 failed" in result.stdout
    assert "broken.md: line 1: text outside any entry" in result.stdout
    assert "broken.md: line 4: unexpected line" in result.stdout


def test_import_missing_and_unsupported_files(tmp_path: Path) -> None:
    missing = papershelf(tmp_path / "lib", "import", str(tmp_path / "nope.md"))
    assert missing.returncode == 1
    assert "nope.md: no such file" in missing.stderr
    other = tmp_path / "x.docx"
    other.write_bytes(b"PK")
    unsupported = papershelf(tmp_path / "lib", "import", str(other))
    assert unsupported.returncode == 1
    assert "cannot import .docx files" in unsupported.stderr


def test_library_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERSHELF_HOME", str(tmp_path / "envlib"))
    result = subprocess.run([sys.executable, "-m", "papershelf", "list", "--format", "keys"],
                            capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.split()) == 860
    assert (tmp_path / "envlib" / "catalogue.json").is_file()


def test_list_uses_the_query_language(iclr_library_dir: Path) -> None:
    oral = papershelf(iclr_library_dir, "list", "track:oral", "--format", "keys")
    assert oral.returncode == 0, oral.stderr
    assert len(oral.stdout.split()) == 53
    author = papershelf(iclr_library_dir, "list", "author:scholkopf", "-track:oral", "--format", "keys")
    assert "neitz2021teacher" in author.stdout.split()


def test_invalid_query_is_a_clear_error(iclr_library_dir: Path) -> None:
    result = papershelf(iclr_library_dir, "list", '"unclosed')
    assert result.returncode == 1
    assert result.stderr.startswith("papershelf: error: invalid query:")
    assert "Traceback" not in result.stderr


def test_an_oversized_query_is_one_line_naming_the_limit(iclr_library_dir: Path) -> None:
    words = [f"w{i}" for i in range(30_000)]  # issue 14: this took 12.8 s before queries were bounded
    for query, limit in ((words, "the limit is 2,000"), (words[:33], "the limit is 32 words or field terms")):
        result = papershelf(iclr_library_dir, "list", *query)
        assert result.returncode == 1
        assert result.stdout == ""
        assert result.stderr.startswith("papershelf: error: invalid query:")
        assert limit in result.stderr
        assert result.stderr.count("\n") == 1


def test_export_keep_updated_follows_cli_edits(iclr_library_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "thesis.bib"
    papershelf(iclr_library_dir, "annotate", "neitz2021teacher", "--add-to-list", "Thesis")
    tied = papershelf(iclr_library_dir, "export", "--list", "Thesis", "-o", str(target), "--keep-updated")
    assert tied.returncode == 0, tied.stderr
    assert "kept updated" in tied.stderr
    assert "neitz2021teacher" in target.read_text(encoding="utf-8")
    assert "mueller2021certify" not in target.read_text(encoding="utf-8")
    papershelf(iclr_library_dir, "annotate", "mueller2021certify", "--add-to-list", "Thesis")
    assert "mueller2021certify" in target.read_text(encoding="utf-8")
    refused = papershelf(iclr_library_dir, "export", "graph", "-o", str(tmp_path / "q.bib"), "--keep-updated")
    assert refused.returncode == 1
    assert "--keep-updated needs" in refused.stderr
