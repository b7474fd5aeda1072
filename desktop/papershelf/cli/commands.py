"""Headless commands: list, show, annotate, import. Never imports Qt.

Errors are one line on stderr and a non-zero exit code: 1 for a failed command, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import orjson

from papershelf import __version__
from papershelf.core.library import AnnotationChange, Library, UnknownKeyError
from papershelf.core.model import PRIORITIES, STATUSES, Paper
from papershelf.core.paths import resolve_library_dir
from papershelf.core.search.index import filter_papers
from papershelf.core.search.query import QueryError
from papershelf.core.storage.lock import LibraryLock, LibraryLockedError, LibraryReadOnlyError
from papershelf.core.storage.store import StoreError
from papershelf.services.importing import import_file
from papershelf.services.library import open_library


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

    p = sub.add_parser("import", help="import BibTeX (.bib) or paper-list Markdown (.md) files")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")

    p = sub.add_parser("similar", help="papers most similar to one paper by title and abstract")
    p.add_argument("key", help="citation key")
    p.add_argument("-n", type=_count, default=10, metavar="N", help="how many (default 10)")
    p.add_argument("--format", choices=("table", "json"), default="table")

    p = sub.add_parser("recommend", help="untriaged papers most like those you read or rated 4-5")
    p.add_argument("-n", type=_count, default=20, metavar="N", help="how many (default 20)")
    p.add_argument("--format", choices=("table", "json"), default="table")

    p = sub.add_parser(
        "export",
        help="export papers as BibTeX or a Markdown reading list",
        epilog="Without QUERY or --list, every paper. A query starting with '-' goes after '--'.",
    )
    p.add_argument("query", nargs="*", help="only papers matching this search query")
    p.add_argument("--format", choices=("bibtex", "markdown"), help="default: from -o's suffix, else bibtex")
    p.add_argument("--list", dest="list_name", metavar="NAME", help="only papers in this reading list")
    p.add_argument("--utf8", action="store_true", help="BibTeX: UTF-8 instead of LaTeX-escaped ASCII")
    p.add_argument("--with-abstract", action="store_true", help="include abstracts (Markdown; BibTeX has them)")
    p.add_argument("--no-abstract", action="store_true", help="leave abstracts out of a BibTeX export")
    p.add_argument("--with-notes", action="store_true", help="include your notes (BibTeX: as annote)")
    p.add_argument("--group-by", choices=("status", "track", "tag", "list", "none"), default="status",
                   help="Markdown: group papers by (default: status)")
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="write FILE (atomically) instead of stdout")
    p.add_argument("--keep-updated", action="store_true",
                   help="with -o: rewrite FILE whenever the papers in --list (or the whole library) change")

    sub.add_parser(
        "install-desktop",
        help="add Papershelf and its icon to the desktop's application menu (for this user)",
        description="Writes papershelf.desktop into $XDG_DATA_HOME/applications and the icons into "
        "$XDG_DATA_HOME/icons/hicolor (default $XDG_DATA_HOME: ~/.local/share).",
    )
    sub.add_parser("uninstall-desktop", help="remove what install-desktop wrote")

    p = sub.add_parser(
        "sync",
        help="two-way sync of notes, status and tags with one Markdown notes file",
        epilog="Exit status 3: conflicts remain (listed); resolve them in the file or with --resolve.",
    )
    p.add_argument("--notes-file", type=Path, metavar="PATH", help="the notes file (remembered after first use)")
    p.add_argument("--watch", action="store_true", help="sync again whenever the file changes, until Ctrl+C")
    p.add_argument("--resolve", metavar="KEY", help="first resolve KEY's conflict (with --take or --merged-note)")
    p.add_argument("--take", choices=("app", "file"), help="with --resolve: keep the app's or the file's version")
    p.add_argument("--merged-note", type=Path, metavar="FILE", help="with --resolve: the merged note, from a file")

    p = sub.add_parser("history", help="earlier versions of a paper's note (kept: the last 20); restore one")
    p.add_argument("key", help="citation key")
    p.add_argument("--show", type=int, metavar="N", help="print version N in full")
    p.add_argument("--restore", type=int, metavar="N", help="make version N the note again")
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
        if args.command in NO_LIBRARY_COMMANDS:  # desktop integration, at the end of this file
            return NO_LIBRARY_COMMANDS[args.command](args, out)
        folder = resolve_library_dir(args.library)
        writes = args.command not in READ_ONLY_COMMANDS or getattr(args, "keep_updated", False)
        with _library_lock(folder, writes) as read_only:
            library = open_library(folder, read_only=read_only)
            for notice in library.notices:
                print(f"papershelf: warning: {notice}", file=sys.stderr)
            if writes and not read_only:
                from papershelf.services.exporting import AutoExport

                # Files tied with --keep-updated follow edits made from the command line too.
                auto = AutoExport(library, on_error=lambda _tie, msg: print(f"papershelf: warning: {msg}",
                                                                            file=sys.stderr))
                for problem in auto.problems:
                    print(f"papershelf: warning: {problem}", file=sys.stderr)
            return COMMANDS[args.command](args, library, out)
    except LibraryLockedError as exc:
        print(f"papershelf: error: {exc}", file=sys.stderr)
    except UnknownKeyError as exc:
        print(f"papershelf: error: {exc}", file=sys.stderr)
    except (CommandError, StoreError, ValueError, OSError) as exc:
        print(f"papershelf: error: {exc}", file=sys.stderr)
    return 1


READ_ONLY_COMMANDS = frozenset({"list", "show", "export", "similar", "recommend"})
LOCK_WAIT_S = 3.0


@contextlib.contextmanager
def _library_lock(folder: Path, writes: bool) -> Iterator[bool]:
    """Hold the library's lock for a command that writes; yields True when the library must be read-only.

    A command that only reads runs read-only beside a window that holds the lock (the store files are
    replaced atomically, so a read never sees half a write). A command that writes waits a few seconds
    for the lock, then fails with a message naming the process that holds it.
    """
    lock = LibraryLock(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock.acquire(timeout=LOCK_WAIT_S if writes else 0.0)
    except LibraryLockedError:
        if writes:
            raise
        yield True
        return
    except (LibraryReadOnlyError, OSError):
        yield True  # the folder cannot be written at all; Library says so if a write is attempted
        return
    try:
        yield False
    finally:
        lock.release()


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
            f"{summary.failed} failed, {len(summary.merged)} merged into papers already there\n"
        )
        for old, new in summary.renamed:
            out.write(f"  key {old} was taken; imported as {new}\n")
        for old, existing in summary.merged:
            out.write(f"  {old or 'an entry'} is already here as {existing}; its missing fields were filled in\n")
        for problem in summary.problems:
            out.write(f"  {problem}\n")
        failed += summary.failed
    return 1 if failed else 0


# -- notes sync and history ----------------------------------------------------------------------------

EXIT_CONFLICTS = 3


def _keys(library: Library, ids: Sequence[str], limit: int = 10) -> str:
    keys = [library.papers[pid].key for pid in ids[:limit]]
    return ", ".join(keys) + (f", ... ({len(ids) - limit} more)" if len(ids) > limit else "")


def _print_sync_report(library: Library, report: Any, out: TextIO) -> None:
    out.write(f"notes file: {report.path} ({'written' if report.written else 'unchanged'})\n")
    if report.to_library:
        out.write(f"from the file: {len(report.to_library)} papers: {_keys(library, report.to_library)}\n")
    if report.to_file:
        out.write(f"to the file: {len(report.to_file)} papers: {_keys(library, report.to_file)}\n")
    if report.resolved:
        out.write(f"conflicts resolved in the file: {_keys(library, report.resolved)}\n")
    if report.unknown_keys:
        out.write(f"sections with keys not in this library, kept as they are: {', '.join(report.unknown_keys)}\n")
    for problem in report.problems:
        out.write(f"  {problem}\n")
    if report.conflicts:
        out.write(f"conflicts: {len(report.conflicts)}\n")
        for pid, fields in report.conflicts.items():
            out.write(f"  {library.papers[pid].key}  ({', '.join(fields)})\n")
        out.write(
            "  resolve: in the notes file, keep what you want and delete the conflict block; or run\n"
            "  papershelf sync --resolve KEY --take app|file (or --merged-note FILE)\n"
        )


@command("sync")
def cmd_sync(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    from papershelf.sync import syncer

    path = args.notes_file.expanduser().resolve() if args.notes_file else library.notes_file_path()
    if path is None:
        raise CommandError("no notes file yet: give --notes-file PATH (it is remembered afterwards)")
    if args.resolve:
        note = None
        if args.merged_note is not None:
            try:
                note = args.merged_note.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"cannot read {args.merged_note}: {exc}") from None
        syncer.resolve(library, library.paper(args.resolve).id, take=args.take, note=note)
    elif args.take or args.merged_note:
        raise CommandError("--take and --merged-note go with --resolve KEY")
    if args.watch:
        return _watch(library, path, out)
    try:
        report = syncer.sync(library, path)
    except syncer.SyncError as exc:
        raise CommandError(str(exc)) from None
    _print_sync_report(library, report, out)
    return EXIT_CONFLICTS if report.conflicts else 0


def _watch(library: Library, path: Path, out: TextIO) -> int:
    import contextlib
    import time

    from papershelf.sync import syncer

    last: list[syncer.SyncReport] = []

    def on_report(report: syncer.SyncReport) -> None:
        last[:] = [report]
        out.write(
            f"{time.strftime('%H:%M:%S')} synced: {len(report.to_library)} from the file, "
            f"{len(report.to_file)} to the file, {len(report.conflicts)} conflicts\n"
        )
        for pid, fields in report.conflicts.items():
            out.write(f"  conflict: {library.papers[pid].key} ({', '.join(fields)})\n")
        out.flush()

    def on_error(exc: Exception) -> None:
        print(f"papershelf: error: {exc}", file=sys.stderr)

    print(f"watching {path} (Ctrl+C stops)", file=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):
        syncer.watch(library, path, on_report=on_report, on_error=on_error)
    return EXIT_CONFLICTS if last and last[0].conflicts else 0


@command("history")
def cmd_history(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    paper = library.paper(args.key)
    if args.restore is not None:
        library.restore_note_version(paper.id, args.restore)
        print(f"restored version {args.restore} of {paper.key}'s note", file=sys.stderr)
        return 0
    versions = library.note_history(paper.id)
    if args.show is not None:
        if not 1 <= args.show <= len(versions):
            raise CommandError(f"{paper.key}'s note has {len(versions)} earlier versions, not {args.show}")
        out.write(versions[args.show - 1].note + "\n")
        return 0
    if not versions:
        print(f"no earlier versions of {paper.key}'s note", file=sys.stderr)
        return 0
    for n, version in enumerate(versions, 1):
        first = next((line.strip() for line in version.note.split("\n") if line.strip()), "")
        out.write(f"{n:>2}  {version.replaced}  {version.source:<8} {len(version.note):>6} chars  {_clip(first, 60)}\n")
    return 0


# -- desktop integration: these commands open no library -----------------------------------------------

LibraryFreeCommand = Callable[[argparse.Namespace, TextIO], int]
NO_LIBRARY_COMMANDS: dict[str, LibraryFreeCommand] = {}


def command_without_library(name: str) -> Callable[[LibraryFreeCommand], LibraryFreeCommand]:
    def register(func: LibraryFreeCommand) -> LibraryFreeCommand:
        NO_LIBRARY_COMMANDS[name] = func
        return func

    return register


@command_without_library("install-desktop")
def cmd_install_desktop(args: argparse.Namespace, out: TextIO) -> int:
    from papershelf import desktop_entry

    written = desktop_entry.install()
    for path in written:
        out.write(f"wrote {path}\n")
    out.write(f"Papershelf is in the application menu; it starts {' '.join(desktop_entry.launcher_command())}\n")
    return 0


@command_without_library("uninstall-desktop")
def cmd_uninstall_desktop(args: argparse.Namespace, out: TextIO) -> int:
    from papershelf import desktop_entry

    removed = desktop_entry.uninstall()
    for path in removed:
        out.write(f"removed {path}\n")
    if not removed:
        out.write(f"nothing to remove: Papershelf was not installed in {desktop_entry.data_home()}\n")
    return 0


@command("export")
def cmd_export(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    from papershelf.formats.bibtex_export import BibtexOptions
    from papershelf.formats.markdown_export import MarkdownOptions
    from papershelf.services import exporting

    fmt = args.format or (exporting.format_for(args.output) if args.output else "bibtex")
    text = " ".join(args.query)
    if args.keep_updated:
        return _export_keep_updated(args, library, fmt, text)
    try:
        query_ids = filter_papers(library, text) if text.strip() else None
        papers = exporting.select(library, list_name=args.list_name, query_ids=query_ids)
    except QueryError as exc:
        raise CommandError(f"invalid query: {exc}") from None
    except exporting.UnknownListError as exc:
        raise CommandError(str(exc)) from None
    title = f"Reading list: {args.list_name}" if args.list_name else "Reading list"
    result = exporting.render(
        library,
        papers,
        fmt,
        bibtex_options=BibtexOptions(
            ascii=not args.utf8, abstract=not args.no_abstract, notes_as_annote=args.with_notes
        ),
        markdown_options=MarkdownOptions(
            title=title, group_by=args.group_by, abstract=args.with_abstract, notes=args.with_notes
        ),
    )
    for note in result.notes:
        print(f"papershelf: note: {note}", file=sys.stderr)
    if args.output is None:
        out.write(result.text)
    else:
        exporting.write(args.output, result)
        print(f"{result.count} papers exported to {args.output}", file=sys.stderr)
    return 0


def _export_keep_updated(args: argparse.Namespace, library: Library, fmt: str, text: str) -> int:
    from papershelf.services import exporting

    if args.output is None or text.strip():
        raise CommandError("--keep-updated needs -o FILE and works on a --list or the whole library, not a query")
    options = (
        {"ascii": not args.utf8, "abstract": not args.no_abstract, "notes_as_annote": args.with_notes}
        if fmt == "bibtex"
        else {"group_by": args.group_by, "abstract": args.with_abstract, "notes": args.with_notes}
    )
    auto = exporting.AutoExport(library)
    try:
        tie = auto.tie(args.output, list_name=args.list_name, fmt=fmt, options=options)
    except exporting.UnknownListError as exc:
        raise CommandError(str(exc)) from None
    finally:
        auto.close()
    print(f"{len(tie.members)} papers exported to {args.output}; it is kept updated from now on", file=sys.stderr)
    return 0


# -- more like this ------------------------------------------------------------------------------------


def _count(text: str) -> int:
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
        _dump([{"key": p.key, "title": p.title, "score": round(score, 4)} for p, score in papers], out)
        return
    width = shutil.get_terminal_size((120, 24)).columns
    key_w = max((len(p.key) for p, _ in papers), default=3)
    for p, score in papers:
        head = f"{score:5.3f}  {p.key:<{key_w}}  "
        out.write(head + _clip(p.title, max(width - len(head), 20)) + "\n")


@command("similar")
def cmd_similar(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    from papershelf.core.similar import SimilarityIndex

    paper = library.paper(args.key)
    ranked = SimilarityIndex.load_or_build(library).similar(paper.id, args.n)
    _print_scored(library, ranked, args.format, out)
    if not ranked:
        print(f"no paper shares title or abstract words with {paper.key}", file=sys.stderr)
    return 0


@command("recommend")
def cmd_recommend(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    from papershelf.core.similar import SimilarityIndex

    ranked = SimilarityIndex.load_or_build(library).recommend(library, args.n)
    _print_scored(library, ranked, args.format, out)
    if not ranked:
        print("no recommendations yet: mark papers read or rate them 4-5, and keep some papers new",
              file=sys.stderr)
    return 0
