"""What a notes-file sync did, in the words both faces print: the CLI's report and the window's status line."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI's other commands do not pay for importing the syncer
    from papershelf.sync.syncer import SyncReport

KEYS_SHOWN = 10  # a long list of papers is cut after this many keys


def counts(report: SyncReport, *, every_count: bool = False) -> list[str]:
    """How many papers came from the file, went to it, and are in conflict: ``["2 to the file", ...]``.

    Counts of zero are left out, and "conflict" agrees with its number, unless ``every_count``: then
    the three are always there in the same words ("0 from the file, 2 to the file, 0 conflicts"), a
    fixed shape for a log that a script may read line by line.
    """
    found = len(report.to_library), len(report.to_file), len(report.conflicts)
    if every_count:
        return [f"{found[0]} from the file", f"{found[1]} to the file", f"{found[2]} conflicts"]
    parts = []
    if found[0]:
        parts.append(f"{found[0]} from the file")
    if found[1]:
        parts.append(f"{found[1]} to the file")
    if found[2]:
        parts.append(f"{found[2]} conflict{'s' if found[2] != 1 else ''}")
    copies = len(report.taken_in)
    if copies:  # a sync engine's conflict copy (Syncthing, Dropbox) merged and set aside
        parts.append(f"{copies} conflict cop{'ies' if copies != 1 else 'y'} taken in")
    return parts


def report_lines(report: SyncReport, key_of: Callable[[str], str]) -> list[str]:
    """The full report of one sync, one line each; ``key_of`` gives a paper id's citation key."""

    def keys(ids: Sequence[str]) -> str:
        shown = ", ".join(key_of(pid) for pid in ids[:KEYS_SHOWN])
        more = len(ids) - KEYS_SHOWN
        return shown + (f", ... ({more} more)" if more > 0 else "")

    lines = [f"notes file: {report.path} ({'written' if report.written else 'unchanged'})"]
    if report.to_library:
        lines.append(f"from the file: {len(report.to_library)} papers: {keys(report.to_library)}")
    if report.to_file:
        lines.append(f"to the file: {len(report.to_file)} papers: {keys(report.to_file)}")
    if report.resolved:
        lines.append(f"conflicts resolved in the file: {keys(report.resolved)}")
    lines += [f"conflict copy taken in and set aside: {copy}" for copy in report.taken_in]
    if report.unknown_keys:
        lines.append(f"sections with keys not in this library, kept as they are: {', '.join(report.unknown_keys)}")
    if report.trashed_keys:
        lines.append(f"sections of papers in the Trash, kept as they are: {', '.join(report.trashed_keys)}")
    lines += [f"  {problem}" for problem in report.problems]
    if report.conflicts:
        lines.append(f"conflicts: {len(report.conflicts)}")
        lines += [f"  {key_of(pid)}  ({', '.join(fields)})" for pid, fields in report.conflicts.items()]
        lines.append("  resolve: in the notes file, keep what you want and delete the conflict block; or run")
        lines.append("  papershelf sync --resolve KEY --take app|file (or --merged-note FILE)")
    return lines


def conflict_lines(report: SyncReport, key_of: Callable[[str], str]) -> list[str]:
    """One line per paper in conflict after the sync: its key and the fields."""
    return [f"conflict: {key_of(pid)} ({', '.join(fields)})" for pid, fields in report.conflicts.items()]
