"""The freedesktop launcher: the bundled entry is valid, install-desktop puts it and the icons in place."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from papershelf.core.resources import resources_dir
from papershelf.services import desktop_entry

VALIDATE = shutil.which("desktop-file-validate")
needs_validator = pytest.mark.skipif(VALIDATE is None, reason="desktop-file-validate (desktop-file-utils) missing")
VENV_BIN = Path(sys.executable).parent


def validate(path: Path) -> list[str]:
    """desktop-file-validate's complaints, hints left out (Office;Education;Science; is two main categories)."""
    assert VALIDATE is not None
    result = subprocess.run([VALIDATE, str(path)], capture_output=True, text=True, timeout=30, check=False)
    lines = [line for line in (result.stdout + result.stderr).splitlines() if ": hint: " not in line]
    assert result.returncode == 0 or lines, "validator failed without saying why"
    return lines


def entry_values(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if "=" in line)


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def papershelf(data_home: Path, *args: str, path: str | None = None, exe: list[str] | None = None,
               ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_DATA_HOME": str(data_home)}
    if path is not None:
        env["PATH"] = path
    command = exe or [sys.executable, "-m", "papershelf"]
    return subprocess.run([*command, *args], capture_output=True, text=True, env=env, timeout=60, check=False)


@needs_validator
def test_bundled_entry_is_valid_and_complete() -> None:
    path = resources_dir() / "papershelf.desktop"
    assert validate(path) == []
    values = entry_values(path)
    assert values["Name"] == "Papershelf"
    assert values["GenericName"] == "Reading List Manager"
    assert values["Exec"] == "papershelf %F"
    assert values["Icon"] == "papershelf"
    assert values["Terminal"] == "false"
    assert values["Type"] == "Application"
    assert values["Categories"] == "Office;"  # one main category (desktop-file-validate)
    assert values["MimeType"] == "text/x-bibtex;application/x-research-info-systems;"  # BibTeX, RIS: not every .md
    assert values["StartupWMClass"] == "papershelf"
    assert values["Comment"]
    assert "BibTeX" in values["Keywords"]


def test_bundled_icons_have_their_sizes() -> None:
    icons = resources_dir() / "icons"
    for n in desktop_entry.ICON_SIZES:
        assert png_size(icons / f"papershelf-{n}.png") == (n, n)


@needs_validator
def test_install_desktop_puts_entry_and_icons_where_the_spec_says(tmp_path: Path) -> None:
    home = tmp_path / "share"
    script = VENV_BIN / "papershelf"
    result = papershelf(home, "install-desktop", exe=[str(script)])
    assert result.returncode == 0, result.stderr

    entry = home / "applications" / "papershelf.desktop"
    assert f"wrote {entry}" in result.stdout
    assert validate(entry) == []
    values = entry_values(entry)
    assert values["Exec"] == f"{script.resolve()} %F"
    assert values["TryExec"] == str(script.resolve())
    assert values["Icon"] == "papershelf"
    assert oct(entry.stat().st_mode & 0o777) == oct(0o644)
    for n in desktop_entry.ICON_SIZES:
        icon = home / "icons" / "hicolor" / f"{n}x{n}" / "apps" / "papershelf.png"
        assert png_size(icon) == (n, n)
        assert f"wrote {icon}" in result.stdout
    svg = home / "icons" / "hicolor" / "scalable" / "apps" / "papershelf.svg"
    assert svg.read_bytes() == (resources_dir() / "icons" / "papershelf.svg").read_bytes()
    assert not Path(os.environ["PAPERSHELF_HOME"]).exists()  # no library was opened (or seeded)


def test_uninstall_desktop_removes_exactly_what_install_wrote(tmp_path: Path) -> None:
    home = tmp_path / "share"
    neighbour = home / "applications" / "other.desktop"
    neighbour.parent.mkdir(parents=True)
    neighbour.write_text("[Desktop Entry]\n")
    assert papershelf(home, "install-desktop").returncode == 0
    installed = {p for p in home.rglob("*") if p.is_file()} - {neighbour}
    assert installed == {f.target for f in desktop_entry.planned_files(home)}

    result = papershelf(home, "uninstall-desktop")
    assert result.returncode == 0, result.stderr
    assert {p for p in home.rglob("*") if p.is_file()} == {neighbour}
    assert result.stdout.count("removed ") == len(installed)

    again = papershelf(home, "uninstall-desktop")
    assert again.returncode == 0
    assert again.stdout.startswith("nothing to remove")


@needs_validator
def test_without_the_command_on_path_exec_runs_the_module(tmp_path: Path) -> None:
    home = tmp_path / "share"
    result = papershelf(home, "install-desktop", path="/nonexistent")
    assert result.returncode == 0, result.stderr
    entry = home / "applications" / "papershelf.desktop"
    assert validate(entry) == []
    assert entry_values(entry)["Exec"] == f"{os.path.abspath(sys.executable)} -m papershelf %F"


@needs_validator
def test_exec_with_spaces_and_percent_is_quoted_for_the_spec(tmp_path: Path) -> None:
    odd = '/opt/My Apps/100% "papershelf"/bin/papershelf'
    assert desktop_entry.quote_exec_argument(odd) == '"/opt/My Apps/100%% \\"papershelf\\"/bin/papershelf"'
    home = tmp_path / "share"
    desktop_entry.install(home, command=[odd])
    entry = home / "applications" / "papershelf.desktop"
    assert validate(entry) == []
    # The string-level escape doubles each backslash of the Exec quoting.
    assert entry_values(entry)["Exec"] == '"/opt/My Apps/100%% \\\\"papershelf\\\\"/bin/papershelf" %F'
