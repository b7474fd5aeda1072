"""Headless commands: list, show, annotate, import. Never imports Qt.

Errors are one line on stderr and a non-zero exit code: 1 for a failed command, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import orjson

from papershelf import __version__
from papershelf.core.importing import import_file
from papershelf.core.library import AnnotationChange, Library, UnknownKeyError
from papershelf.core.model import PRIORITIES, STATUSES, Paper
from papershelf.core.paths import resolve_library_dir
from papershelf.core.query import QueryError
from papershelf.core.search import filter_papers
from papershelf.core.store import StoreError


class CommandError(Exception):
    """A command that cannot do what was asked; the message is shown to the user as is."""


Command = Callable[[argparse.Namespace, Library, TextIO], int]
COMMANDS: dict[str, Command] = {}


def command(name: str) -> Callable[[Command], Command]:
    def register(func: Command) -> Command:
        COMMANDS[name] = func
        return func

    return register


def _priority(text: str) -> int:
    if text in PRIORITIES:
        return PRIORITIES.index(text)
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"priority is 0-{len(PRIORITIES) - 1} or one of {', '.join(PRIORITIES)}, not {text!r}"
        ) from None
    if not 0 <= value < len(PRIORITIES):
        raise argparse.ArgumentTypeError(f"priority is 0-{len(PRIORITIES) - 1}, not {value}")
    return value


def _rating(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"rating is a number 0-5, not {text!r}") from None
    if not 0 <= value <= 5:
        raise argparse.ArgumentTypeError(f"rating is 0-5, not {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="papershelf",
        description="A reading-list manager for researchers. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"papershelf {__version__}")
    parser.add_argument(
        "--library", metavar="DIR", help="library folder (default: $PAPERSHELF_HOME or the user data folder)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list", help="list papers matching a query")
    p.add_argument("query", nargs="*", help="search query (words are ANDed; see the window's search help)")
    p.add_argument("--format", choices=("table", "json", "keys"), default="table")

    p = sub.add_parser("show", help="show one paper and its annotation")
    p.add_argument("key", help="citation key")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("annotate", help="change the annotation of one or more papers (one write for all)")
    p.add_argument("keys", nargs="+", metavar="KEY")
    p.add_argument("--status", choices=STATUSES)
    p.add_argument("--priority", type=_priority, help="0-3 or none/low/medium/high")
    p.add_argument("--rating", type=_rating, help="0-5")
    p.add_argument("--tag", action="append", default=[], metavar="T", help="add a tag (repeatable)")
    p.add_argument("--untag", action="append", default=[], metavar="T", help="remove a tag (repeatable)")
    p.add_argument("--add-to-list", action="append", default=[], metavar="L")
    p.add_argument("--remove-from-list", action="append", default=[], metavar="L")
    note = p.add_mutually_exclusive_group()
    note.add_argument("--note", metavar="TEXT", help="replace the note")
    note.add_argument("--note-file", metavar="FILE", type=Path, help="replace the note with a file's text")

    p = sub.add_parser("import", help="import paper-list Markdown files")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    return parser


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = build_parser()
    argv = list(argv)
    args, extra = parser.parse_known_args(argv)
    if args.command == "list":
        # Query words may start with '-' (negation: -tag:x); keep them, in the order typed.
        args.query = _list_query_words(argv)
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _list_query_words(argv: list[str]) -> list[str]:
    words: list[str] = []
    tokens = iter(argv[argv.index("list") + 1 :])
    for token in tokens:
        if token == "--format":
            next(tokens, None)
        elif token.startswith("--format=") or token == "--":
            continue
        else:
            words.append(token)
    return words


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        library = Library(resolve_library_dir(args.library))
        for notice in library.notices:
            print(f"papershelf: warning: {notice}", file=sys.stderr)
        return COMMANDS[args.command](args, library, out)
    except UnknownKeyError as exc:
        print(f"papershelf: error: {exc}", file=sys.stderr)
    except (CommandError, StoreError, ValueError, OSError) as exc:
        print(f"papershelf: error: {exc}", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.command is None:
        print("papershelf: error: no command given (run 'papershelf --help')", file=sys.stderr)
        return 2
    return run(args)


# -- output helpers ------------------------------------------------------------------------------------


def paper_json(library: Library, paper: Paper) -> dict[str, Any]:
    return {**paper.to_doc(), "annotation": library.annotation(paper.id).to_doc()}


def _dump(value: Any, out: TextIO) -> None:
    out.write(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n")


def _authors_short(authors: list[str]) -> str:
    return ", ".join(authors[:3]) + (" et al." if len(authors) > 3 else "")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


# -- commands ------------------------------------------------------------------------------------------


@command("list")
def cmd_list(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    text = " ".join(args.query)
    try:
        ids = filter_papers(library, text)
    except QueryError as exc:
        raise CommandError(f"invalid query: {exc}") from None
    papers = [library.papers[pid] for pid in ids]
    if args.format == "json":
        _dump([paper_json(library, p) for p in papers], out)
    elif args.format == "keys":
        for p in papers:
            out.write(p.key + "\n")
    else:
        width = shutil.get_terminal_size((120, 24)).columns
        key_w = max((len(p.key) for p in papers), default=3)
        for p in papers:
            ann = library.annotation(p.id)
            head = f"{p.key:<{key_w}}  {ann.status:<8} {(p.track or '-'):<9} {p.year or '':<4}  "
            out.write(head + _clip(p.title, max(width - len(head), 20)) + "\n")
        print(f"{len(papers)} of {len(library)} papers", file=sys.stderr)
    return 0


@command("show")
def cmd_show(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    paper = library.paper(args.key)
    if args.json:
        _dump(paper_json(library, paper), out)
        return 0
    ann = library.annotation(paper.id)
    rows = [
        ("Title", paper.title),
        ("Authors", "; ".join(paper.authors)),
        ("Venue", " ".join(str(x) for x in (paper.venue, paper.year) if x)),
        ("Track", paper.track or ""),
        ("Key", paper.key),
        ("URL", paper.url),
        ("DOI", paper.doi),
        ("Status", ann.status),
        ("Priority", PRIORITIES[ann.priority]),
        ("Rating", str(ann.rating) if ann.rating else ""),
        ("Tags", ", ".join(ann.tags)),
        ("Lists", ", ".join(ann.lists)),
    ]
    for label, value in rows:
        if value:
            out.write(f"{label + ':':<10}{value}\n")
    if paper.abstract:
        out.write("\n" + paper.abstract + "\n")
    if ann.note:
        out.write("\nNote:\n" + ann.note + "\n")
    return 0


@command("annotate")
def cmd_annotate(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    note = args.note
    if args.note_file is not None:
        try:
            note = args.note_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read the note file {args.note_file}: {exc}") from None
    change = AnnotationChange(
        status=args.status,
        priority=args.priority,
        rating=args.rating,
        add_tags=tuple(args.tag),
        remove_tags=tuple(args.untag),
        add_lists=tuple(args.add_to_list),
        remove_lists=tuple(args.remove_from_list),
        note=note,
    )
    if change == AnnotationChange():
        raise CommandError("nothing to change: give --status, --priority, --rating, --tag, --note, ...")
    ids = library.ids_for_keys(args.keys)
    changed = library.annotate(ids, change)
    print(f"{len(changed)} of {len(ids)} papers changed", file=sys.stderr)
    return 0


@command("import")
def cmd_import(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    failed = 0
    for path in args.files:
        try:
            summary = import_file(library, path)
        except FileNotFoundError:
            print(f"papershelf: error: {path}: no such file", file=sys.stderr)
            failed += 1
            continue
        except (OSError, ValueError) as exc:
            print(f"papershelf: error: {exc}", file=sys.stderr)
            failed += 1
            continue
        out.write(
            f"{path.name}: {len(summary.imported)} imported, {len(summary.present)} already present, "
            f"{summary.failed} failed\n"
        )
        for old, new in summary.renamed:
            out.write(f"  key {old} was taken; imported as {new}\n")
        for problem in summary.problems:
            out.write(f"  {problem}\n")
        failed += summary.failed
    return 1 if failed else 0
