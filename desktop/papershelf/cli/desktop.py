"""Desktop integration, which opens no library: ``install-desktop`` and ``uninstall-desktop``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

from papershelf.cli.output import error
from papershelf.cli.registry import command_without_library

if TYPE_CHECKING:
    from papershelf.services.desktop_entry import CacheUpdate


@command_without_library(
    "install-desktop",
    help="add Papershelf and its icon to the desktop's application menu (for this user)",
    description="Writes papershelf.desktop into $XDG_DATA_HOME/applications, the icons into "
    "$XDG_DATA_HOME/icons/hicolor and the RIS and Web of Science MIME types into $XDG_DATA_HOME/mime/packages, "
    "then runs update-mime-database and update-desktop-database when they are installed "
    "(default $XDG_DATA_HOME: ~/.local/share).",
)
def install_desktop(args: argparse.Namespace, out: TextIO) -> int:
    from papershelf.services import desktop_entry

    written = desktop_entry.install()
    for path in written:
        out.write(f"wrote {path}\n")
    failed = _report_caches(desktop_entry.update_caches(), out)
    out.write(f"Papershelf is in the application menu; it starts {' '.join(desktop_entry.launcher_command())}\n")
    return 1 if failed else 0


def _report_caches(updates: list[CacheUpdate], out: TextIO) -> bool:
    """One line per cache; True when a tool that ran failed (the error goes to stderr as one line)."""
    failed = False
    for update in updates:
        if not update.ran:
            if update.tool == "update-mime-database":
                out.write(f"{update.tool} is not installed (Debian: shared-mime-info): .ris files get their type "
                          f"once it runs on {update.folder}\n")
            continue
        if update.error:
            error(f"{update.tool} {update.folder} failed: {update.error}")
            failed = True
        else:
            out.write(f"updated {update.folder} ({update.tool})\n")
    return failed


@command_without_library("uninstall-desktop", help="remove what install-desktop wrote")
def uninstall_desktop(args: argparse.Namespace, out: TextIO) -> int:
    from papershelf.services import desktop_entry

    removed = desktop_entry.uninstall()
    for path in removed:
        out.write(f"removed {path}\n")
    if not removed:
        out.write(f"nothing to remove: Papershelf was not installed in {desktop_entry.data_home()}\n")
        return 0
    return 1 if _report_caches(desktop_entry.update_caches(), out) else 0
