"""`pip install` of the built wheel into a clean virtualenv gives a working `papershelf` command."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_installs_and_finds_its_catalogue(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = dist.glob("papershelf-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "papershelf/data/iclr2021-accepted.md" in names
    assert "papershelf/data/catalogue.json" in names
    assert any(n.startswith("papershelf/resources/") for n in names)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, str(wheel)], check=True, capture_output=True, timeout=900)

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PAPERSHELF_HOME")}
    library = tmp_path / "library"
    result = subprocess.run(
        [str(venv / "bin" / "papershelf"), "--library", str(library), "list", "--format", "json"],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path, check=False,
    )
    assert result.returncode == 0, result.stderr
    papers = orjson.loads(result.stdout)
    assert len(papers) == 860
    assert sum(p["track"] == "Oral" for p in papers) == 53
    located = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import papershelf.core.resources as r; print(r.data_dir())"],
        capture_output=True, text=True, check=True, env=env, cwd=tmp_path,
    )
    assert str(venv) in located.stdout
