"""Desktop integration, which opens no library: ``install-desktop`` and ``uninstall-desktop``."""

from __future__ import annotations

import argparse
from typing import TextIO

from papershelf.cli.registry import command_without_library


@command_without_library(
    "install-desktop",
    help="add Papershelf and its icon to the desktop's application menu (for this user)",
    description="Writes papershelf.desktop into $XDG_DATA_HOME/applications and the icons into "
    "$XDG_DATA_HOME/icons/hicolor (default $XDG_DATA_HOME: ~/.local/share).",
)
def install_desktop(args: argparse.Namespace, out: TextIO) -> int:
    from papershelf.services import desktop_entry

    written = desktop_entry.install()
    for path in written:
        out.write(f"wrote {path}\n")
    out.write(f"Papershelf is in the application menu; it starts {' '.join(desktop_entry.launcher_command())}\n")
    return 0


@command_without_library("uninstall-desktop", help="remove what install-desktop wrote")
def uninstall_desktop(args: argparse.Namespace, out: TextIO) -> int:
    from papershelf.services import desktop_entry

    removed = desktop_entry.uninstall()
    for path in removed:
        out.write(f"removed {path}\n")
    if not removed:
        out.write(f"nothing to remove: Papershelf was not installed in {desktop_entry.data_home()}\n")
    return 0
