"""The CLI on a library whose own files are not what they should be: one line, exit 1, nothing changed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _papershelf(library: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "papershelf", "--library", str(library), *args],
                          capture_output=True, text=True, check=False, timeout=60)


def test_a_lock_file_that_is_a_folder_stops_a_write_with_one_line(iclr_library_dir: Path) -> None:
    (iclr_library_dir / ".papershelf.lock").unlink(missing_ok=True)
    (iclr_library_dir / ".papershelf.lock").mkdir()
    before = (iclr_library_dir / "annotations.json").read_bytes()

    result = _papershelf(iclr_library_dir, "annotate", "katzir2021net", "--status", "read")

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert ".papershelf.lock is a folder, not a file" in result.stderr
    assert (iclr_library_dir / "annotations.json").read_bytes() == before


def test_a_damaged_catalogue_is_restored_and_said_in_one_line(iclr_library_dir: Path, tmp_path: Path) -> None:
    bib = tmp_path / "mine.bib"
    bib.write_text("@article{mine2024, title = {My own paper}, author = {Me, Myself}, year = {2024}}\n")
    assert _papershelf(iclr_library_dir, "import", str(bib)).returncode == 0
    (iclr_library_dir / "catalogue.json").write_bytes(b"\x00 not JSON")

    result = _papershelf(iclr_library_dir, "show", "mine2024")

    assert result.returncode == 0, result.stderr
    assert "My own paper" in result.stdout
    assert result.stderr.count("\n") == 1
    assert "catalogue.json could not be read" in result.stderr
    assert "The catalogue was restored from backups/catalogue-" in result.stderr
    assert "nothing could be compared" in result.stderr
