"""The notes file and note history: ``sync`` (once, or ``--watch``) and ``history``."""

from __future__ import annotations

import argparse
import contextlib
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from papershelf.cli.output import clip, error, status
from papershelf.cli.registry import CommandError, argument, command
from papershelf.core.library import Library
from papershelf.services import sync as sync_report
from papershelf.sync import state as sync_state

if TYPE_CHECKING:
    from papershelf.sync.syncer import SyncReport

EXIT_CONFLICTS = 3


@command(
    "sync",
    help="two-way sync of notes, status and tags with one Markdown notes file",
    epilog="Exit status 3: conflicts remain (listed); resolve them in the file or with --resolve.",
    writes=True,
)
@argument("--notes-file", type=Path, metavar="PATH", help="the notes file (remembered after first use)")
@argument("--watch", action="store_true", help="sync again whenever the file changes, until Ctrl+C")
@argument("--resolve", metavar="KEY", help="first resolve KEY's conflict (with --take or --merged-note)")
@argument("--take", choices=("app", "file"), help="with --resolve: keep the app's or the file's version")
@argument("--merged-note", type=Path, metavar="FILE", help="with --resolve: the merged note, from a file")
def sync(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    from papershelf.sync import syncer  # imported when needed: the other commands start faster

    path = args.notes_file.expanduser().resolve() if args.notes_file else sync_state.notes_file_path(library)
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
    for line in sync_report.report_lines(report, lambda pid: library.papers[pid].key):
        out.write(line + "\n")
    return EXIT_CONFLICTS if report.conflicts else 0


def _watch(library: Library, path: Path, out: TextIO) -> int:
    from papershelf.sync import syncer

    last: list[SyncReport] = []

    def key_of(pid: str) -> str:
        return library.papers[pid].key

    def on_report(report: SyncReport) -> None:
        if report.waiting:  # an editor is replacing the file: the next change syncs
            out.write(f"{time.strftime('%H:%M:%S')} {path.name} is empty or missing: waiting for it to be written\n")
            out.flush()
            return
        last[:] = [report]
        out.write(f"{time.strftime('%H:%M:%S')} synced: {', '.join(sync_report.counts(report, every_count=True))}\n")
        for line in sync_report.conflict_lines(report, key_of):
            out.write(f"  {line}\n")
        out.flush()

    def on_error(exc: Exception) -> None:
        error(str(exc))

    status(f"watching {path} (Ctrl+C stops)")
    with contextlib.suppress(KeyboardInterrupt):
        syncer.watch(library, path, on_report=on_report, on_error=on_error)
    return EXIT_CONFLICTS if last and last[0].conflicts else 0


@command("history", help="earlier versions of a paper's note (kept: the last 20); restore one",
         writes=True)
@argument("key", help="citation key")
@argument("--show", type=int, metavar="N", help="print version N in full")
@argument("--restore", type=int, metavar="N", help="make version N the note again")
def history(args: argparse.Namespace, library: Library, out: TextIO) -> int:
    paper = library.paper(args.key)
    if args.restore is not None:
        library.restore_note_version(paper.id, args.restore)
        status(f"restored version {args.restore} of {paper.key}'s note")
        return 0
    versions = library.note_history(paper.id)
    if args.show is not None:
        if not 1 <= args.show <= len(versions):
            raise CommandError(f"{paper.key}'s note has {len(versions)} earlier versions, not {args.show}")
        shown = versions[args.show - 1]
        out.write(shown.note + "\n")
        if shown.kept_fields():  # on stderr: stdout stays the note alone, for a script to read
            status(f"version {args.show} kept {shown.kept_fields()}")
        return 0
    if not versions:
        status(f"no earlier versions of {paper.key}'s note")
        return 0
    for n, version in enumerate(versions, 1):
        first = next((line.strip() for line in version.note.split("\n") if line.strip()), "")
        kept = f"  [{version.kept_fields()}]" if version.kept_fields() else ""
        out.write(f"{n:>2}  {version.replaced}  {version.source:<8} {len(version.note):>6} chars  {clip(first, 60)}"
                  f"{kept}\n")
    return 0
