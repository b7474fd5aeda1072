"""The ``papershelf`` entry point: a sub-command runs headless; no sub-command opens the window.

Kept apart from cli.py so that the CLI module itself never imports Qt (import-linter checks it).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from papershelf import cli


def main(argv: Sequence[str] | None = None) -> int:
    args = cli.parse_args(sys.argv[1:] if argv is None else argv)
    if args.command is None:
        from papershelf.app import run

        return run(library_dir=args.library)
    return cli.run(args)
