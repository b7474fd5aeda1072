"""Papers in and out of the library: ``import`` and ``export`` (with ``--keep-updated``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from papershelf.cli.output import error, status
from papershelf.cli.registry import CommandError, argument, command
from papershelf.core.library import Library
from papershelf.core.search.query import QueryError
from papershelf.formats.bibtex_export import BibtexOptions
from papershelf.formats.markdown_export import GROUPINGS, MarkdownOptions
from papershelf.formats.ris import RisOptions
from papershelf.services import exporting
from papershelf.services.importing import import_file


@command("import", help="import BibTeX (.bib), RIS (.ris), Web of Science (.ciw), CSL-JSON (.json) or paper-list "
                         "Markdown (.md) files; a .txt holding one of them is read by its content", writes=True)
@argument("files", nargs="+", type=Path, metavar="FILE")
def import_files(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    failed = 0
    for path in args.files:
        try:
            summary = import_file(library, path)
        except FileNotFoundError:
            error(f"{path}: no such file")
            failed += 1
            continue
        except (OSError, ValueError) as exc:
            error(str(exc))
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
        for key in summary.present:
            out.write(f"  {key} is already here\n")
        for key, other in summary.suspected:
            out.write(f"  {key} may be the same paper as {other}; both kept (see papershelf duplicates)\n")
        for problem in summary.problems:
            out.write(f"  {problem}\n")
        failed += summary.failed
    return 1 if failed else 0


@command(
    "export",
    help="export papers as BibTeX, biblatex, RIS, CSL-JSON or a Markdown reading list",
    epilog="Without QUERY or --list, every paper. A query starting with '-' goes after '--'.",
    writes=lambda args: bool(args.keep_updated),
)
@argument("query", nargs="*", help="only papers matching this search query")
@argument("--format", choices=exporting.FORMATS, help="default: from -o's suffix, else bibtex")
@argument("--list", dest="list_name", metavar="NAME", help="only papers in this reading list")
@argument("--utf8", action="store_true", help="BibTeX, biblatex: UTF-8 instead of LaTeX-escaped ASCII")
@argument("--with-abstract", action="store_true", help="include abstracts (Markdown; BibTeX and RIS have them)")
@argument("--no-abstract", action="store_true", help="leave abstracts out of a BibTeX, biblatex or RIS export")
@argument("--with-notes", action="store_true", help="include your notes (BibTeX: as annote; RIS: as N1)")
@argument("--alias-ids", action="store_true",
          help="BibTeX: merged-away keys as biblatex ids fields, not as copies of the entry")
@argument("--with-files", action="store_true",
          help="BibTeX: the attached files as a JabRef file field (relative to -o's folder where inside it)")
@argument("--group-by", choices=GROUPINGS, default="status", help="Markdown: group papers by (default: status)")
@argument("-o", "--output", type=Path, metavar="FILE", help="write FILE (atomically) instead of stdout")
@argument("--keep-updated", action="store_true",
          help="with -o: rewrite FILE whenever the papers in --list (or the whole library) change")
def export(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    fmt = args.format or (exporting.format_for(args.output) if args.output else "bibtex")
    if args.with_files and fmt != "bibtex":
        raise CommandError(f"--with-files writes BibTeX's file field (JabRef, Zotero); a {fmt} export has none")
    query = " ".join(args.query)
    if args.keep_updated:
        return _export_keep_updated(args, library, fmt, query)
    title = f"Reading list: {args.list_name}" if args.list_name else "Reading list"
    try:
        result = exporting.export(
            library,
            fmt,
            path=args.output,
            list_name=args.list_name,
            query=query,
            bibtex_options=BibtexOptions(
                ascii=not args.utf8, abstract=not args.no_abstract, notes_as_annote=args.with_notes,
                aliases="ids" if args.alias_ids else "copies", with_files=args.with_files,
            ),
            markdown_options=MarkdownOptions(
                title=title, group_by=args.group_by, abstract=args.with_abstract, notes=args.with_notes
            ),
            ris_options=RisOptions(abstract=not args.no_abstract, notes=args.with_notes),
        )
    except QueryError as exc:
        raise CommandError(f"invalid query: {exc}") from None
    except exporting.UnknownListError as exc:
        raise CommandError(str(exc)) from None
    for note in result.notes:
        status(f"papershelf: note: {note}")
    if args.output is None:
        out.write(result.text)
    else:
        status(f"{result.count} papers exported to {args.output}")
    return 0


def _export_keep_updated(args: argparse.Namespace, library: Library, fmt: str, query: str) -> int:
    if args.output is None or query.strip():
        raise CommandError("--keep-updated needs -o FILE and works on a --list or the whole library, not a query")
    # Only what was asked for on the command line is stored with the tie: the rest follows the defaults.
    options: dict[str, Any]
    if fmt in exporting.BIBTEX_OPTION_FORMATS:
        options = {"ascii": not args.utf8, "abstract": not args.no_abstract, "notes_as_annote": args.with_notes,
                   "aliases": "ids" if args.alias_ids else "copies",
                   **({"with_files": True} if args.with_files else {})}
    elif fmt == "ris":
        options = {"abstract": not args.no_abstract, "notes": args.with_notes}
    else:
        options = {"group_by": args.group_by, "abstract": args.with_abstract, "notes": args.with_notes}
    auto = exporting.AutoExport(library)
    try:
        tie = auto.tie(args.output, list_name=args.list_name, fmt=fmt, options=options)
    except exporting.UnknownListError as exc:
        raise CommandError(str(exc)) from None
    finally:
        auto.close()
    status(f"{len(tie.members)} papers exported to {args.output}; it is kept updated from now on")
    return 0
