"""The ``papershelf`` entry point: a sub-command runs headless; no sub-command opens the window.

Kept apart from cli/ so that the CLI itself never imports Qt (import-linter checks it).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    only = _window_only(argv)
    if only is not None:  # the usual start: no need to import every command (~0.3 s) to know there is none
        return _open_window(only[0], [])
    from papershelf.cli import main as cli

    files = _files_to_open(argv)
    if files:
        # `papershelf paper.bib` (a double-clicked file, Exec=papershelf %F): the window imports it.
        argv = [a for a in argv if a not in files]
    args = cli.parse_args(argv)
    if args.command is None:
        return _open_window(args.library, files)
    return cli.run(args)


def _open_window(library: str | None, files: list[str]) -> int:
    if not _has_display():
        print("papershelf: error: no display to open the window on; use the commands (papershelf --help), "
              "or set QT_QPA_PLATFORM=offscreen", file=sys.stderr)
        return 1
    from papershelf.app import run

    return run(library_dir=library, files=files)


def _window_only(argv: list[str]) -> tuple[str | None] | None:
    """``(library or None,)`` when ``argv`` asks for the window and nothing else (no arguments, or only
    ``--library DIR``); None when the command line must be parsed (a command, a file, an option, a bad value)."""
    if not argv:
        return (None,)
    if len(argv) == 2 and argv[0] == "--library":
        folder = argv[1]
    elif len(argv) == 1 and argv[0].startswith("--library="):
        folder = argv[0].partition("=")[2]
    else:
        return None
    try:
        folder.encode("utf-8")
    except UnicodeEncodeError:
        return None  # the parser says what is wrong with it
    return (folder,) if folder.strip() and not folder.startswith("-") else None


def _files_to_open(argv: list[str]) -> list[str]:
    """Existing files given where a command would be, as a file manager or launcher passes them."""
    from papershelf.cli import main as cli

    commands = set(cli.command_names())
    positional = [a for i, a in enumerate(argv) if not a.startswith("-") and (i == 0 or argv[i - 1] != "--library")]
    if not positional or positional[0] in commands:
        return []
    return [a for a in positional if os.path.isfile(a)]


def _has_display(environ: Mapping[str, str] = os.environ, platform: str = sys.platform) -> bool:
    """Whether Qt can open a window: without X11 or Wayland it aborts the process (no message, rc -6)."""
    if platform in ("win32", "darwin") or environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))
