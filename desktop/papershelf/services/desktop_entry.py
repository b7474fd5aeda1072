"""Put Papershelf in the desktop's application menu (freedesktop.org), and take it out again. Never imports Qt.

``install`` writes ``$XDG_DATA_HOME/applications/papershelf.desktop`` with ``Exec`` pointing at this
installation's absolute ``papershelf`` command, and the icons into
``$XDG_DATA_HOME/icons/hicolor/<N>x<N>/apps/papershelf.png`` and ``.../scalable/apps/papershelf.svg``, and
a MIME package, ``$XDG_DATA_HOME/mime/packages/papershelf.xml``, that names the RIS and Web of Science types
(Debian 12's shared-mime-info has neither, so a ``.ris`` file had no type a launcher could claim).
``uninstall`` removes exactly those files. Both then rebuild the desktop's caches from what is there
(``update-mime-database``, ``update-desktop-database``) when those tools are installed.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from papershelf.core.resources import resources_dir
from papershelf.core.storage.store import atomic_write_bytes

APP_ID = "papershelf"
DESKTOP_FILE = f"{APP_ID}.desktop"
MIME_PACKAGE = f"mime/{APP_ID}.xml"  # the bundled source; installed as <data home>/mime/packages/papershelf.xml
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
    files.append(PlannedFile(home / "mime" / "packages" / f"{APP_ID}.xml", MIME_PACKAGE))
    return files


@dataclass(frozen=True)
class CacheUpdate:
    """What rebuilding one of the desktop's caches did: ``ran`` False when its tool is not installed."""

    tool: str
    folder: Path
    ran: bool
    error: str = ""


# What update-mime-database and update-desktop-database write: each is rebuilt from the packages/ and the
# .desktop files beside it, so with none of those left it holds nothing and goes.
_MIME_CACHES = ("XMLnamespaces", "aliases", "generic-icons", "globs", "globs2", "icons", "magic", "mime.cache",
                "subclasses", "treemagic", "types", "version")
_DESKTOP_CACHES = ("mimeinfo.cache",)


def update_caches(home: Path | None = None) -> list[CacheUpdate]:
    """Rebuild the MIME database and the applications' MIME cache in ``home`` from the files there.

    Where no source is left (no package in ``mime/packages``, no .desktop file in ``applications``, as after
    ``uninstall`` when Papershelf was the only one) the empty caches the rebuild leaves are removed too, so
    nothing of Papershelf's stays behind. Without ``update-mime-database`` (Debian's shared-mime-info) a file
    manager does not see the MIME package until something runs it; without ``update-desktop-database``
    desktops that read the .desktop files themselves (GNOME, KDE) still find the entry's ``MimeType``. Never
    raises: a tool that fails is reported with the first line it printed.
    """
    home = home or data_home()
    mime, applications = home / "mime", home / "applications"
    updates = []
    for tool, folder, sources, caches in (
        ("update-mime-database", mime, list((mime / "packages").glob("*.xml")), _MIME_CACHES),
        # Launchers in subfolders count (wine puts its own in applications/wine/...): the cache covers them.
        ("update-desktop-database", applications, list(applications.rglob("*.desktop")), _DESKTOP_CACHES),
    ):
        found = shutil.which(tool)
        if found is None or not folder.is_dir():
            if sources:
                updates.append(CacheUpdate(tool, folder, ran=False))
            continue
        try:
            # Its output says the folder is not on the search path when $XDG_DATA_HOME is unset: not news.
            result = subprocess.run([found, str(folder)], capture_output=True, text=True, timeout=120, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            updates.append(CacheUpdate(tool, folder, ran=True, error=str(exc)))
            continue
        error = ""
        if result.returncode != 0:
            lines = (result.stderr or result.stdout).strip().splitlines()
            error = lines[0] if lines else f"exit status {result.returncode}"
        if not sources and not error:  # the rebuild dropped the types' own files; the empty indexes go too
            _remove_caches(folder, caches)
        updates.append(CacheUpdate(tool, folder, ran=True, error=error))
    return updates


def _remove_caches(folder: Path, caches: tuple[str, ...]) -> None:
    for name in caches:
        (folder / name).unlink(missing_ok=True)
    subfolders = [child for child in folder.iterdir() if child.is_dir()] if folder.is_dir() else []
    for empty in [*subfolders, folder]:  # packages/ and the media types' folders the rebuild emptied
        with contextlib.suppress(OSError):  # not empty (something else lives there) or not there
            empty.rmdir()


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
    "MIME_PACKAGE",
    "CacheUpdate",
    "PlannedFile",
    "data_home",
    "install",
    "launcher_command",
    "planned_files",
    "quote_exec_argument",
    "render_desktop_entry",
    "uninstall",
    "update_caches",
]
