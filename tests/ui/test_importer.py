"""The importer on its own: files parsed in a worker thread, added on the UI thread, and reported."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from papershelf.core.library import Library
from papershelf.ui.importer import ImportJob, ImportReport


def paper_list(path: Path, titles: list[str]) -> Path:
    path.write_text("".join(
        f"## [{t}](#)\n\n- Ada Lovelace\n- abstract@[open-review\\(Poster\\)](#): About {t}.\n\n" for t in titles
    ), encoding="utf-8")
    return path


def bib(path: Path) -> Path:
    path.write_text(
        "@article{good2020,\n  title = {A Good Entry},\n  author = {Bob Builder},\n  year = {2020}\n}\n\n"
        "@article{broken2020,\n  title = {Missing its closing brace},\n  year = {2020}\n\n"
        "@article{late2021,\n  title = {After the broken one},\n  author = {Cyd Charisse},\n  year = {2021}\n}\n",
        encoding="utf-8",
    )
    return path


def run(qtbot: QtBot, library: Library, paths: list[Path]) -> tuple[ImportReport, list[tuple[int, int, str]]]:
    job = ImportJob(library, paths)
    steps: list[tuple[int, int, str]] = []
    job.progress.connect(lambda done, total, name: steps.append((done, total, name)))
    with qtbot.waitSignal(job.finished, timeout=30_000) as finished:
        job.start()
    report = finished.args[0]
    assert isinstance(report, ImportReport)
    return report, steps


def test_files_are_imported_with_progress_and_a_report(qtbot: QtBot, tmp_path: Path) -> None:
    library = Library(tmp_path / "library")
    first = paper_list(tmp_path / "iclr2030.md", ["Alpha paper", "Beta paper"])
    second = bib(tmp_path / "refs.bib")
    report, steps = run(qtbot, library, [first, second])
    assert sorted(p.title for p in library.papers.values()) == [
        "A Good Entry", "After the broken one", "Alpha paper", "Beta paper"]
    assert report.imported == 4
    assert report.failed  # the broken entry
    assert not report.cancelled
    assert steps == [(0, 2, "iclr2030.md"), (1, 2, "refs.bib"), (2, 2, "")]
    text = report.text()
    assert "iclr2030.md: 2 imported, 0 already present, 0 failed" in text
    assert "refs.bib: 2 imported" in text
    assert Library(library.folder).keys() == library.keys()  # on disk
    # the broken entry is counted in the headline, not only behind a warning icon
    assert report.headline() == "4 papers imported, 1 entry could not be read."


def test_importing_again_finds_the_papers_already_there(qtbot: QtBot, tmp_path: Path) -> None:
    library = Library(tmp_path / "library")
    source = paper_list(tmp_path / "iclr2030.md", ["Alpha paper"])
    run(qtbot, library, [source])
    report, _ = run(qtbot, library, [source])
    assert report.imported == 0
    assert "1 already present" in report.text()
    assert report.headline() == "1 already here."  # not "0 papers imported"
    assert len(library) == 1


def test_a_missing_file_is_reported_and_the_others_imported(qtbot: QtBot, tmp_path: Path) -> None:
    library = Library(tmp_path / "library")
    report, _ = run(qtbot, library, [tmp_path / "gone.bib", paper_list(tmp_path / "x.md", ["Only one"])])
    assert report.failed
    assert "gone.bib: not imported: no such file" in report.text()
    assert report.headline() == "1 paper imported, 1 file could not be read."
    assert [p.title for p in library.papers.values()] == ["Only one"]


def test_a_read_only_library_reports_instead_of_importing(qtbot: QtBot, tmp_path: Path) -> None:
    Library(tmp_path / "library")  # created, then opened read-only
    library = Library(tmp_path / "library", read_only=True)
    report, _ = run(qtbot, library, [paper_list(tmp_path / "x.md", ["Only one"])])
    assert report.failed
    assert "x.md: not imported" in report.text()
    assert len(library) == 0


def test_cancelling_stops_before_the_next_file(qtbot: QtBot, tmp_path: Path) -> None:
    library = Library(tmp_path / "library")
    job = ImportJob(library, [paper_list(tmp_path / f"f{i}.md", [f"Paper {i}"]) for i in range(3)])
    job.cancel()  # before any file is parsed
    with qtbot.waitSignal(job.finished, timeout=30_000) as finished:
        job.start()
    report = finished.args[0]
    assert report.cancelled
    assert report.imported == 0
    assert "Import cancelled" in report.text()
    assert len(library) == 0
