"""The ``papershelf`` entry point: a sub-command runs headless; no sub-command opens the window.

Kept apart from cli/ so that the CLI itself never imports Qt (import-linter checks it).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from papershelf.cli import main as cli


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    files = _files_to_open(argv)
    if files:
        # `papershelf paper.bib` (a double-clicked file, Exec=papershelf %F): the window imports it.
        argv = [a for a in argv if a not in files]
    args = cli.parse_args(argv)
    if args.command is None:
        from papershelf.app import run

        return run(library_dir=args.library, files=files)
    return cli.run(args)


def _files_to_open(argv: list[str]) -> list[str]:
    """Existing files given where a command would be, as a file manager or launcher passes them."""
    commands = set(cli.command_names())
    positional = [a for i, a in enumerate(argv) if not a.startswith("-") and (i == 0 or argv[i - 1] != "--library")]
    if not positional or positional[0] in commands:
        return []
    return [a for a in positional if os.path.isfile(a)]
