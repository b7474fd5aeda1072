"""Put Papershelf in the desktop's application menu (freedesktop.org), and take it out again. Never imports Qt.

``install`` writes ``$XDG_DATA_HOME/applications/papershelf.desktop`` with ``Exec`` pointing at this
installation's absolute ``papershelf`` command, and the icons into
``$XDG_DATA_HOME/icons/hicolor/<N>x<N>/apps/papershelf.png`` and ``.../scalable/apps/papershelf.svg``.
``uninstall`` removes exactly those files.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from papershelf.core.resources import resources_dir
from papershelf.core.storage.store import atomic_write_bytes

APP_ID = "papershelf"
DESKTOP_FILE = f"{APP_ID}.desktop"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

# Characters that make an Exec argument need double quotes (Desktop Entry Specification, "The Exec key").
_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")


@dataclass(frozen=True)
class PlannedFile:
    """One file the desktop integration owns: where it goes, and its source inside the bundled resources/."""

    target: Path
    source: str


def data_home() -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` when it is unset, empty or relative (as the spec says)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / ".local" / "share"


def launcher_command() -> list[str]:
    """The absolute command that starts this installation of Papershelf."""
    if getattr(sys, "frozen", False):  # a PyInstaller bundle: the executable is the program
        return [str(Path(sys.executable).resolve())]
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is not None and argv0.name in (APP_ID, f"{APP_ID}-gui") and argv0.is_file():
        return [str(argv0.resolve())]
    found = shutil.which(APP_ID)
    if found:
        return [str(Path(found).resolve())]
    # Not resolved: a virtualenv's python is a symlink, and its target does not see the venv's packages.
    return [os.path.abspath(sys.executable), "-m", APP_ID]


def quote_exec_argument(arg: str) -> str:
    """One Exec argument, quoted and escaped as the spec asks (field codes kept out by doubling ``%``)."""
    arg = arg.replace("%", "%%")
    if any(c in _RESERVED for c in arg):
        arg = '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'
    return arg


def _string_value(value: str) -> str:
    """Escape a value of type string for a .desktop file (applied after Exec quoting, per the spec)."""
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def render_desktop_entry(template: str, command: list[str]) -> str:
    """The bundled entry with ``Exec`` and ``TryExec`` pointing at ``command``."""
    exec_line = "Exec=" + _string_value(" ".join(quote_exec_argument(a) for a in command) + " %F")
    try_exec_line = "TryExec=" + _string_value(command[0])
    lines = []
    for line in template.splitlines():
        if line.startswith("Exec="):
            line = exec_line
        elif line.startswith("TryExec="):
            line = try_exec_line
        lines.append(line)
    return "\n".join(lines) + "\n"


def planned_files(home: Path | None = None) -> list[PlannedFile]:
    """Every file ``install`` writes, the .desktop file first."""
    home = home or data_home()
    hicolor = home / "icons" / "hicolor"
    files = [PlannedFile(home / "applications" / DESKTOP_FILE, DESKTOP_FILE)]
    files += [
        PlannedFile(hicolor / f"{n}x{n}" / "apps" / f"{APP_ID}.png", f"icons/{APP_ID}-{n}.png") for n in ICON_SIZES
    ]
    files.append(PlannedFile(hicolor / "scalable" / "apps" / f"{APP_ID}.svg", f"icons/{APP_ID}.svg"))
    return files


def install(home: Path | None = None, command: list[str] | None = None) -> list[Path]:
    """Write the .desktop file and the icons; returns the paths written.

    Raises:
        FileNotFoundError: a bundled resource is missing (a broken installation).
        OSError: a target cannot be written.
    """
    resources = resources_dir()
    written = []
    for planned in planned_files(home):
        payload = (resources / planned.source).read_bytes()
        if planned.source == DESKTOP_FILE:
            payload = render_desktop_entry(payload.decode("utf-8"), command or launcher_command()).encode("utf-8")
        planned.target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(planned.target, payload)
        planned.target.chmod(0o644)  # mkstemp makes 0600; menus and icon themes expect world-readable files
        written.append(planned.target)
    return written


def uninstall(home: Path | None = None) -> list[Path]:
    """Remove what ``install`` writes (only that); returns the paths that were there and are now gone."""
    removed = []
    for planned in planned_files(home):
        try:
            planned.target.unlink()
        except FileNotFoundError:
            continue
        removed.append(planned.target)
    return removed


__all__ = [
    "DESKTOP_FILE",
    "ICON_SIZES",
    "PlannedFile",
    "data_home",
    "install",
    "launcher_command",
    "planned_files",
    "quote_exec_argument",
    "render_desktop_entry",
    "uninstall",
]
