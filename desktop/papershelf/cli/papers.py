"""Reading the library, annotating and removing papers: ``list``, ``show``, ``annotate``, ``remove``,
``restore``, ``empty-trash``."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import TextIO

from papershelf.cli.output import clip, dump, paper_json, status
from papershelf.cli.registry import CommandError, argument, command
from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import MAX_RATING, PRIORITIES, STATUSES
from papershelf.core.search.index import filter_papers
from papershelf.core.search.query import QueryError
from papershelf.services import trash as trash_service
from papershelf.services.files import MAX_NOTE_BYTES, UnreadableFileError, read_regular_file
from papershelf.services.trash import emptying_words


def priority(text: str) -> int:
    """``--priority``: a number or a name from ``core.model.PRIORITIES``."""
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


def rating(text: str) -> int:
    """``--rating``: 0 (none) to ``core.model.MAX_RATING``."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"rating is a number 0-{MAX_RATING}, not {text!r}") from None
    if not 0 <= value <= MAX_RATING:
        raise argparse.ArgumentTypeError(f"rating is 0-{MAX_RATING}, not {value}")
    return value


@command("list", help="list papers matching a query", writes=False, query_words=True)
@argument("query", nargs="*", help="search query (words are ANDed; see the window's search help)")
@argument("--format", choices=("table", "json", "keys"), default="table")
@argument("--trash", action="store_true", help="list the papers in the Trash (otherwise they are left out)")
def list_papers(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    try:
        ids = filter_papers(library, " ".join(args.query), in_trash=args.trash)
    except QueryError as exc:
        raise CommandError(f"invalid query: {exc}") from None
    papers = [library.papers[pid] for pid in ids]
    if args.format == "json":
        dump([paper_json(library, p) for p in papers], out)
    elif args.format == "keys":
        for p in papers:
            out.write(p.key + "\n")
    else:
        width = shutil.get_terminal_size((120, 24)).columns
        key_w = max((len(p.key) for p in papers), default=3)
        for p in papers:
            ann = library.annotation(p.id)
            head = f"{p.key:<{key_w}}  {ann.status:<8} {(p.track or '-'):<9} {p.year or '':<4}  "
            out.write(head + clip(p.title, max(width - len(head), 20)) + "\n")
        status(f"{len(papers)} of {len(library)} papers")
    return 0


@command("show", help="show one paper and its annotation", writes=False)
@argument("key", help="citation key")
@argument("--json", action="store_true", help="print JSON")
def show(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    paper = library.paper(args.key)
    if args.json:
        dump(paper_json(library, paper), out)
        return 0
    ann = library.annotation(paper.id)
    rows = [
        ("Title", paper.title),
        ("Authors", "; ".join(paper.authors)),
        ("Venue", " ".join(str(x) for x in (paper.venue, paper.year) if x)),
        ("Track", paper.track or ""),
        ("Key", paper.key),
        ("Aliases", ", ".join(paper.aliases)),
        ("URL", paper.url),
        ("DOI", paper.doi),
        ("Status", ann.status),
        ("Priority", PRIORITIES[ann.priority]),
        ("Rating", str(ann.rating) if ann.rating else ""),
        ("Tags", ", ".join(ann.tags)),
        ("Lists", ", ".join(ann.lists)),
        ("Trash", f"moved to the Trash {ann.trashed[:10]}; papershelf restore {paper.key}" if ann.trashed else ""),
    ]
    for label, value in rows:
        if value:
            out.write(f"{label + ':':<10}{value}\n")
    if paper.abstract:
        out.write("\n" + paper.abstract + "\n")
    if ann.note:
        out.write("\nNote:\n" + ann.note + "\n")
    return 0


@command("annotate", help="change the annotation of one or more papers (one write for all)", writes=True)
@argument("keys", nargs="+", metavar="KEY")
@argument("--status", choices=STATUSES)
@argument("--priority", type=priority, help=f"0-{len(PRIORITIES) - 1} or {'/'.join(PRIORITIES)}")
@argument("--rating", type=rating, help=f"0-{MAX_RATING}")
@argument("--tag", action="append", default=[], metavar="T", help="add a tag (repeatable)")
@argument("--untag", action="append", default=[], metavar="T", help="remove a tag (repeatable)")
@argument("--add-to-list", action="append", default=[], metavar="L")
@argument("--remove-from-list", action="append", default=[], metavar="L")
@argument("--note", metavar="TEXT", exclusive="note", help="replace the note")
@argument("--note-file", metavar="FILE", type=Path, exclusive="note", help="replace the note with a file's text")
def annotate(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    note = args.note
    if args.note_file is not None:
        try:
            note = read_regular_file(args.note_file, limit=MAX_NOTE_BYTES, what="note file").decode("utf-8")
        except UnreadableFileError as exc:
            raise CommandError(str(exc)) from None
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
    status(f"{len(changed)} of {len(ids)} papers changed")
    return 0


@command("remove", help="move papers to the Trash (left out of lists, exports and the notes file)", writes=True)
@argument("keys", nargs="+", metavar="KEY")
def remove(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    ids = library.ids_for_keys(args.keys)  # an unknown key: one line, nothing moved
    moved = set(library.trash(ids))
    for pid in ids:
        key = library.papers[pid].key
        out.write(f"{key}: moved to the Trash\n" if pid in moved else f"{key}: already in the Trash\n")
    return 0


@command("restore", help="take papers out of the Trash", writes=True)
@argument("keys", nargs="+", metavar="KEY")
def restore(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    ids = library.ids_for_keys(args.keys)
    back = set(library.restore_from_trash(ids))
    for pid in ids:
        key = library.papers[pid].key
        out.write(f"{key}: restored from the Trash\n" if pid in back else f"{key}: was not in the Trash\n")
    return 0


@command("empty-trash", help="remove the papers in the Trash from the library for good", writes=True)
@argument("--yes", action="store_true", help="do it (without it: say what would be removed, remove nothing)")
def empty_trash(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    ids = library.trashed_ids()
    if not ids:
        status("the Trash is empty")
        return 0
    blocked = trash_service.in_conflict(library, ids)
    if blocked:
        raise CommandError(f"{', '.join(blocked)} has a notes-file conflict; resolve it first "
                           "(papershelf sync --resolve), then empty the Trash")
    if not args.yes:
        for line in emptying_words(library, ids):
            status(line)
        raise CommandError("nothing was removed; run papershelf empty-trash --yes to remove them for good")
    keys = [library.papers[pid].key for pid in ids]
    trash_service.empty_trash(library)
    for key in keys:
        out.write(f"{key}: removed for good\n")
    return 0

