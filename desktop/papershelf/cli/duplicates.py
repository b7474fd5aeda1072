"""``papershelf duplicates``: papers that may be one paper; ``--merge KEEP OTHER`` or ``--keep-apart KEY OTHER``."""

from __future__ import annotations

import argparse
import shutil
import sys
from typing import TextIO

import orjson

from papershelf.cli.registry import argument, command
from papershelf.core.library import Library
from papershelf.services import duplicates


def writes(args: argparse.Namespace) -> bool:
    """Only a merge or --keep-apart writes: the list works beside an open window."""
    return bool(args.merge or args.keep_apart)


@command("duplicates", help="list papers that may be the same paper; --merge KEEP OTHER makes them one",
         writes=writes)
@argument("--merge", nargs=2, metavar=("KEEP", "OTHER"), exclusive="action",
          help="merge paper OTHER into paper KEEP; OTHER stays citable as an alias of KEEP")
@argument("--keep-apart", nargs=2, metavar=("KEY", "OTHER"), exclusive="action",
          help="KEY and OTHER are two papers: do not list them again")
@argument("--format", choices=("table", "json"), default="table")
def run(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    if args.merge:
        keep, other = args.merge
        merged = duplicates.merge(library, keep, other)
        out.write(f"merged {other} into {merged.key}; \\cite{{{other}}} keeps working (an alias of {merged.key})\n")
        return 0
    if args.keep_apart:
        key, other = args.keep_apart
        duplicates.keep_apart(library, key, other)
        out.write(f"{key} and {other} are kept apart; they are not listed again\n")
        return 0
    pairs = duplicates.possible_duplicates(library)
    if args.format == "json":
        rows = [{"keys": [p.first.key, p.second.key], "reason": p.reason, "titles": [p.first.title, p.second.title]}
                for p in pairs]
        out.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n")
        return 0
    width = shutil.get_terminal_size((120, 24)).columns
    for pair in pairs:
        head = f"{pair.first.key}  {pair.second.key}  ({pair.reason})  "
        title = pair.first.title
        out.write(head + (title if len(head) + len(title) <= width else title[: max(width - len(head) - 1, 20)] + "…")
                  + "\n")
    if pairs:
        print(f"{len(pairs)} possible {'duplicate' if len(pairs) == 1 else 'duplicates'}; "
              "merge one with: papershelf duplicates --merge KEEP OTHER", file=sys.stderr)
    else:
        print("no possible duplicates", file=sys.stderr)
    return 0
