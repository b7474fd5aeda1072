"""``install-desktop`` and ``uninstall-desktop`` (cli/desktop.py): they open no library."""

from __future__ import annotations

import os
from pathlib import Path

from tests.cli.conftest import RunCli


def test_install_then_uninstall_without_a_library(run_cli: RunCli, tmp_path: Path) -> None:
    library = tmp_path / "never-created"
    installed = run_cli("--library", str(library), "install-desktop")
    assert installed.code == 0, installed.err
    written = [Path(line.removeprefix("wrote ")) for line in installed.out.splitlines() if line.startswith("wrote ")]
    data_home = Path(os.environ["XDG_DATA_HOME"])
    assert data_home / "applications" / "papershelf.desktop" in written
    assert all(path.is_file() for path in written)
    removed = run_cli("--library", str(library), "uninstall-desktop")
    removed_lines = [line for line in removed.out.splitlines() if line.startswith("removed ")]
    assert sorted(removed_lines) == sorted(f"removed {path}" for path in written)
    assert not any(path.exists() for path in written)
    assert not library.exists()  # no lock taken, nothing seeded
