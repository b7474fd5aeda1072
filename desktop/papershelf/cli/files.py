"""A paper's files and links: ``attach``, ``detach``, ``files``, ``links`` (and ``match-pdfs``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from papershelf.cli.output import dump, status, warn
from papershelf.cli.registry import CommandError, argument, command
from papershelf.core.library import Library
from papershelf.services import attachments, pdfmatch
from papershelf.services.attachments import Attachment, AttachmentError
from papershelf.services.links import reading_links


@command("attach", help="attach a file to a paper: copied into the library's files/KEY/ folder, or linked",
         writes=True)
@argument("key", help="citation key")
@argument("file", type=Path, metavar="FILE")
@argument("--link", action="store_true", help="link the file where it is instead of copying it")
def attach(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    paper = library.paper(args.key)
    try:
        done = attachments.attach(library, paper.id, args.file, link=args.link)
    except AttachmentError as exc:
        raise CommandError(str(exc)) from None
    if done.note:
        warn(done.note)
    where = done.attachment.location(library.folder)
    if done.already:
        out.write(f"{paper.key}: {args.file} is already attached as {where}\n")
    else:
        out.write(f"{paper.key}: {'linked' if args.link else 'copied to'} {where}\n")
    return 0


def _chosen(library: Library, paper_id: str, name: str) -> Attachment:
    files = attachments.attachments(library, paper_id)
    by_number = {str(n): a for n, a in enumerate(files, 1)}
    found = [a for a in files if name in (a.name, a.path)] or ([by_number[name]] if name in by_number else [])
    if not found:
        shown = ", ".join(a.name for a in files) or "none"
        raise CommandError(f"{library.papers[paper_id].key} has no file {name!r} (its files: {shown})")
    if len(found) > 1:
        raise CommandError(f"{len(found)} files are named {name!r}; give its number from 'papershelf files'")
    return found[0]


@command("detach", help="take a file off a paper (a copy goes to the library's trash/ folder; a link is only "
         "forgotten)", writes=True)
@argument("key", help="citation key")
@argument("name", help="the file's name or number, as 'papershelf files KEY' lists it")
def detach(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    paper = library.paper(args.key)
    try:
        trashed = attachments.detach(library, paper.id, _chosen(library, paper.id, args.name))
    except AttachmentError as exc:
        raise CommandError(str(exc)) from None
    out.write(f"{paper.key}: detached {args.name}" + (f"; the copy is kept in {trashed}\n" if trashed else "\n"))
    return 0


@command("files", help="list a paper's attached files (and which are missing)", writes=False)
@argument("key", help="citation key")
@argument("--json", action="store_true", help="print JSON")
def files(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    paper = library.paper(args.key)
    found = attachments.attachments(library, paper.id)
    if args.json:
        dump([{**a.to_doc(), "location": str(a.location(library.folder)),
               "missing": attachments.is_missing(library, a)} for a in found], out)
        return 0
    for number, attachment in enumerate(found, 1):
        state = "  (missing)" if attachments.is_missing(library, attachment) else ""
        kind = "link" if attachment.linked else "copy"
        out.write(f"{number}  {kind}  {attachment.location(library.folder)}{state}\n")
    return 0


@command("links", help="where to read a paper: its URL, DOI and arXiv links, or title searches", writes=False)
@argument("key", help="citation key")
def links(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    for link in reading_links(library.paper(args.key)):
        out.write(f"{link.label}\t{link.url}\n")
    return 0


@command("match-pdfs", help="find the paper of each PDF in a folder (arXiv id, DOI or title on its first page)",
         writes=lambda args: bool(args.attach))
@argument("folder", type=Path, metavar="DIR")
@argument("--attach", action="store_true", help="attach each confident match (copied, or linked with --link)")
@argument("--link", action="store_true", help="with --attach: link the PDFs where they are instead of copying")
@argument("--json", action="store_true", help="print JSON")
def match_pdfs(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    if not args.folder.is_dir():
        said = "is not a folder" if args.folder.exists() else "no such folder"
        raise CommandError(f"{args.folder}: {said}")
    if args.link and not args.attach:
        raise CommandError("--link goes with --attach")
    results = pdfmatch.match_folder(library, pdfmatch.pdfs_in(args.folder))
    attached = 0
    rows = []
    for result in results:
        name = str(result.path.relative_to(args.folder))
        paper = library.papers[result.paper_id] if result.confident and result.paper_id else None
        note = ""
        if paper is not None and args.attach:
            try:
                done = attachments.attach(library, paper.id, result.path, link=args.link)
            except AttachmentError as exc:
                note = f"not attached: {exc}"
            else:
                attached += not done.already
                note = "already attached" if done.already else ("linked" if args.link else "attached")
        best = [(library.papers[pid].key, score) for pid, score in result.candidates]
        rows.append({"file": name, "key": paper.key if paper else None, "score": result.score, "how": result.how,
                     "candidates": best, "problem": result.problem, "done": note})
        if args.json:
            continue
        if paper is not None:
            out.write(f"{name}\t{paper.key}\t{result.score:.2f}\t{result.how}{f'; {note}' if note else ''}\n")
        else:
            why = result.problem or ("unsure; best: " + ", ".join(f"{k} {s:.2f}" for k, s in best) if best
                                     else "no paper of the library")
            out.write(f"{name}\t-\t{result.score:.2f}\tunmatched: {why}\n")
    if args.json:
        dump(rows, out)
    matched = sum(1 for r in rows if r["key"])
    status(f"{len(rows)} PDFs: {matched} matched, {len(rows) - matched} unmatched"
           + (f"; {attached} attached" if args.attach else ""))
    return 0
