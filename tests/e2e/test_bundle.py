"""The PyInstaller one-folder bundle (dist/papershelf/) runs the CLI and the window without a Python install.

Deselected by default (marker ``bundle``); ``make bundle`` builds the bundle and then runs these tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXE = Path(os.environ.get("PAPERSHELF_BUNDLE", ROOT / "dist" / "papershelf")) / (
    "papershelf.exe" if sys.platform == "win32" else "papershelf"
)

pytestmark = pytest.mark.bundle


def bundled(*args: str, env: dict[str, str] | None = None, cwd: Path) -> subprocess.CompletedProcess[str]:
    if not EXE.is_file():
        pytest.fail(f"no bundle at {EXE}: run `make bundle` (or set PAPERSHELF_BUNDLE to its folder)")
    # No PYTHONPATH, no venv on PATH: the bundle must bring everything it needs.
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    clean["PATH"] = "/usr/bin:/bin"
    return subprocess.run(
        [str(EXE), *args], capture_output=True, text=True, timeout=120, check=False, cwd=cwd,
        env={**clean, **(env or {})},
    )


def test_bundle_lists_the_bundled_catalogue(tmp_path: Path) -> None:
    result = bundled("--library", str(tmp_path / "library"), "list", "--format", "keys", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    keys = result.stdout.split()
    assert len(keys) == 860
    assert len(set(keys)) == 860


def test_bundle_shows_the_window(tmp_path: Path) -> None:
    result = bundled(
        "--library", str(tmp_path / "library"),
        env={"QT_QPA_PLATFORM": "offscreen", "PAPERSHELF_EXIT_WHEN_SHOWN": "1"}, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "window-shown" in result.stdout.splitlines()


def test_bundle_installs_its_desktop_entry(tmp_path: Path) -> None:
    home = tmp_path / "share"
    result = bundled("install-desktop", env={"XDG_DATA_HOME": str(home)}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    entry = (home / "applications" / "papershelf.desktop").read_text(encoding="utf-8")
    assert f"Exec={EXE.resolve()} %F" in entry.splitlines()
    assert (home / "icons" / "hicolor" / "256x256" / "apps" / "papershelf.png").is_file()
