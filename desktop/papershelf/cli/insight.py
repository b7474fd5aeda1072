"""More like this: ``similar`` (papers like one paper) and ``recommend`` (papers like those you liked)."""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Sequence
from typing import TextIO

from papershelf.cli.output import clip, dump, status
from papershelf.cli.registry import argument, command
from papershelf.core.library import Library


def count(text: str) -> int:
    """``-n``: a whole number, at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"N is a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"N is at least 1, not {value}")
    return value


def _print_scored(library: Library, ranked: Sequence[tuple[str, float]], fmt: str, out: TextIO) -> None:
    papers = [(library.papers[pid], score) for pid, score in ranked]
    if fmt == "json":
        dump([{"key": p.key, "title": p.title, "score": round(score, 4)} for p, score in papers], out)
        return
    width = shutil.get_terminal_size((120, 24)).columns
    key_w = max((len(p.key) for p, _ in papers), default=3)
    for p, score in papers:
        head = f"{score:5.3f}  {p.key:<{key_w}}  "
        out.write(head + clip(p.title, max(width - len(head), 20)) + "\n")


@command("similar", help="papers most similar to one paper by title and abstract", writes=False)
@argument("key", help="citation key")
@argument("-n", type=count, default=10, metavar="N", help="how many (default 10)")
@argument("--format", choices=("table", "json"), default="table")
def similar(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    from papershelf.core.similar import SimilarityIndex  # imported when needed: the other commands start faster

    paper = library.paper(args.key)
    ranked = SimilarityIndex.load_or_build(library).similar(paper.id, args.n, hidden=library.trashed_ids())
    _print_scored(library, ranked, args.format, out)
    if not ranked:
        status(f"no paper shares title or abstract words with {paper.key}")
    return 0


@command("recommend", help="untriaged papers most like those you read or rated 4-5", writes=False)
@argument("-n", type=count, default=20, metavar="N", help="how many (default 20)")
@argument("--format", choices=("table", "json"), default="table")
def recommend(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    from papershelf.core.similar import SimilarityIndex

    ranked = SimilarityIndex.load_or_build(library).recommend(library, args.n)
    _print_scored(library, ranked, args.format, out)
    if not ranked:
        status("no recommendations yet: mark papers read or rate them 4-5, and keep some papers new")
    return 0
