"""CSL-JSON through ``papershelf export`` and ``import``: by format or by suffix, and kept updated."""

from __future__ import annotations

import json
from pathlib import Path

from papershelf.core.annotations import AnnotationChange
from papershelf.core.library import Library
from papershelf.services import exporting
from tests.cli.conftest import RunCli
from tests.conftest import FIXTURES


def test_export_csl_json_by_format_and_by_suffix(iclr_library_dir: Path, run_cli: RunCli, tmp_path: Path) -> None:
    shown = run_cli("--library", str(iclr_library_dir), "export", "--format", "csl-json", "track:oral")
    assert shown.code == 0, shown.err
    items = json.loads(shown.out)
    assert len(items) == 53
    assert {i["type"] for i in items} == {"paper-conference"}
    assert {i["container-title"] for i in items} == {"International Conference on Learning Representations"}
    target = tmp_path / "refs.json"
    written = run_cli("--library", str(iclr_library_dir), "export", "track:oral", "-o", str(target))
    assert written.code == 0, written.err
    assert target.read_text(encoding="utf-8") == shown.out
    lean = run_cli("--library", str(iclr_library_dir), "export", "--format", "csl-json", "--no-abstract", "track:oral")
    assert not any("abstract" in i for i in json.loads(lean.out))


def test_a_csl_json_file_imports_and_a_broken_one_says_where(run_cli: RunCli, tmp_path: Path) -> None:
    bib_lib, json_lib = str(tmp_path / "a"), str(tmp_path / "b")
    assert run_cli("--library", bib_lib, "import", str(FIXTURES / "xampl.bib")).code == 0
    exported = tmp_path / "xampl.json"
    assert run_cli("--library", bib_lib, "export", "-o", str(exported)).code == 0
    done = run_cli("--library", json_lib, "import", str(exported))
    assert done.code == 0, done.out + done.err
    assert set(Library(json_lib).keys()) >= {p.key for p in Library(bib_lib).papers.values()}
    broken = tmp_path / "broken.json"
    broken.write_text('[\n  {"id": "a", "title": "A"}\n  {"id": "b"}\n]\n', encoding="utf-8")
    failed = run_cli("--library", str(tmp_path / "c"), "import", str(broken))
    assert failed.code == 1
    assert "broken.json: line 3: not valid JSON" in failed.out


def test_keep_updated_rewrites_a_csl_json_file(iclr_library_dir: Path, run_cli: RunCli, tmp_path: Path) -> None:
    library = Library(iclr_library_dir)
    library.create_list("thesis")
    first = next(iter(library.papers))
    library.annotate([first], AnnotationChange(add_lists=("thesis",), add_tags=("cite-me",)))
    target = tmp_path / "thesis.json"
    done = run_cli("--library", str(iclr_library_dir), "export", "--list", "thesis", "--keep-updated",
                   "--no-abstract", "-o", str(target))
    assert done.code == 0, done.err
    (item,) = json.loads(target.read_text(encoding="utf-8"))
    assert (item["keyword"], "abstract" in item) == ("cite-me", False)
    library = Library(iclr_library_dir)
    auto = exporting.AutoExport(library)
    second = list(library.papers)[1]
    library.annotate([second], AnnotationChange(add_lists=("thesis",)))
    auto.close()
    assert len(json.loads(target.read_text(encoding="utf-8"))) == 2


def test_a_merged_paper_is_one_item_under_its_key_and_the_export_names_the_old_keys(
        run_cli: RunCli, tmp_path: Path) -> None:
    """CSL has no alias: no second item (a document citing both keys would list the paper twice), no made-up
    variable; the export says which old key to stop citing, and pandoc finds the paper by its current key."""
    bib = tmp_path / "two.bib"
    bib.write_text("@article{mine, author = {Doe, Jane}, title = {One Paper}, journal = {J}, year = 2020}\n"
                   "@article{theirs, author = {Doe, Jane}, title = {One paper}, journal = {J}, year = 2020,"
                   " doi = {10.1234/one}}\n", encoding="utf-8")
    library = str(tmp_path / "lib")
    assert run_cli("--library", library, "import", str(bib)).code == 0
    assert run_cli("--library", library, "duplicates", "--merge", "mine", "theirs").code == 0
    target = tmp_path / "refs.json"
    done = run_cli("--library", library, "export", "author:doe", "-o", str(target))
    assert done.code == 0, done.err
    (item,) = json.loads(target.read_text(encoding="utf-8"))
    assert item["id"] == "mine"
    assert item["DOI"] == "10.1234/one"  # the merged-away entry's fields are the paper's
    assert "theirs" not in target.read_text(encoding="utf-8")
    assert "CSL-JSON has no place for: cite it by the current key (mine (was theirs))" in done.out + done.err


def test_import_reads_csl_json_in_a_json_and_in_a_txt(run_cli: RunCli, tmp_path: Path) -> None:
    items = [{"id": "kept2021", "type": "article-journal", "title": "Kept By Content",
              "author": [{"family": "Doe", "given": "Jane"}], "issued": {"date-parts": [[2021]]}}]
    as_txt = tmp_path / "export.txt"
    as_txt.write_text(json.dumps(items), encoding="utf-8")
    as_json = tmp_path / "refs.json"
    as_json.write_text(json.dumps([{**items[0], "id": "other2020", "title": "Other"}]), encoding="utf-8")
    library = tmp_path / "lib"
    done = run_cli("--library", str(library), "import", str(as_txt), str(as_json))
    assert done.code == 0, done.out + done.err
    assert "export.txt: 1 imported" in done.out
    assert "refs.json: 1 imported" in done.out
    papers = {p.key: p for p in Library(library).papers.values()}
    assert (papers["kept2021"].title, papers["kept2021"].authors, papers["kept2021"].year) == (
        "Kept By Content", ["Jane Doe"], 2021)
    assert "other2020" in papers
