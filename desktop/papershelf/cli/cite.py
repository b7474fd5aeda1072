"""Formatted references from a script: ``cite``."""

from __future__ import annotations

import argparse
from typing import TextIO

from papershelf.cli.registry import CommandError, argument, command
from papershelf.core.library import Library
from papershelf.services import citations


@command("cite", help="the papers' references (or an in-text citation) formatted in a CSL style", writes=False,
         epilog="A numeric style numbers the references in the order of the keys given.")
@argument("keys", nargs="+", metavar="KEY", help="citation keys (an alias finds its paper)")
@argument("--style", default=citations.DEFAULT_STYLE, metavar="STYLE",
          help=f"{', '.join(citations.STYLES)}, a style name of the CSL styles repository, or a .csl file "
               f"(default: {citations.DEFAULT_STYLE})")
@argument("--format", choices=("text", "html"), default="text", help="plain text (default) or HTML")
@argument("--in-text", action="store_true", help="the in-text citation of all the keys, not the references")
def cite(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    try:
        style = citations.load_style(args.style)
    except citations.StyleError as exc:
        raise CommandError(str(exc)) from None
    ids = library.ids_for_keys(args.keys)
    papers = [library.papers[pid] for pid in dict.fromkeys(ids)]
    formatted = (citations.citation if args.in_text else citations.bibliography)(papers, style)
    if args.format == "html":
        out.write((formatted.html_entries[0] if args.in_text else formatted.html) + "\n")
    else:
        out.write(formatted.text + "\n")
    return 0
