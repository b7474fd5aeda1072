"""What the sync engines leave when two machines changed the notes file at once, recognised.

- **git** merges the file line by line; when both sides changed the same lines it leaves conflict markers
  (``<<<<<<< HEAD``, optionally ``||||||| base``, ``=======``, ``>>>>>>> <commit>``) in the file.
  :func:`git_sides` gives back both versions of such a file.
- **Syncthing** keeps the losing version beside the file as
  ``notes.sync-conflict-YYYYMMDD-HHMMSS-DEVICEID.md``.
- **Dropbox** keeps it as ``notes (conflicted copy YYYY-MM-DD).md`` or
  ``notes (NAME's conflicted copy YYYY-MM-DD).md``.
  :func:`conflict_copies` finds both kinds beside a notes file.

Pure text and name rules; the only I/O is listing the notes file's folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from papershelf.sync.notesfile import fences

_GIT_OURS = re.compile(r"<{7}(?:[ \t].*)?")
_GIT_BASE = re.compile(r"\|{7}(?:[ \t].*)?")
_GIT_SPLIT = re.compile(r"={7}[ \t]*")
_GIT_THEIRS = re.compile(r">{7}(?:[ \t].*)?")


def git_sides(text: str) -> tuple[str, str] | None:
    """(ours, theirs): the file as each side of a git merge had it, the common base's lines dropped.

    None when the text has no complete set of conflict markers (``<<<<<<<`` ... ``=======`` ...
    ``>>>>>>>``, each at the start of a line); a lone marker-like line is just text.
    """
    if "<<<<<<<" not in text or ">>>>>>>" not in text:
        return None
    ours: list[str] = []
    theirs: list[str] = []
    outside, in_ours, in_base, in_theirs = range(4)
    state = outside
    hunks = 0
    code = fences(text)  # marker lines inside a fenced code block are code (an example in a note)
    fence = 0
    offset = 0
    for line in text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        while fence < len(code) and code[fence][1] <= start:
            fence += 1
        in_code = fence < len(code) and code[fence][0] < start  # an ordinary line, whatever it looks like
        if not in_code and state == outside and _GIT_OURS.fullmatch(line):
            state = in_ours
        elif not in_code and state == in_ours and _GIT_BASE.fullmatch(line):
            state = in_base
        elif not in_code and state in (in_ours, in_base) and _GIT_SPLIT.fullmatch(line):
            state = in_theirs
        elif not in_code and state == in_theirs and _GIT_THEIRS.fullmatch(line):
            state = outside
            hunks += 1
        else:
            if state in (outside, in_ours):
                ours.append(line)
            if state in (outside, in_theirs):
                theirs.append(line)
    if state != outside or not hunks:
        return None
    return "\n".join(ours), "\n".join(theirs)


@dataclass(frozen=True, slots=True)
class ConflictCopy:
    """A conflict copy of the notes file left by a sync engine."""

    path: Path
    engine: str  # "Syncthing" or "Dropbox"


def conflict_copy_engine(notes_file: Path, name: str) -> str | None:
    """Which engine left ``name`` as a conflict copy of ``notes_file`` (None: it is not one)."""
    stem, suffix = re.escape(notes_file.stem), re.escape(notes_file.suffix)
    if re.fullmatch(rf"{stem}\.sync-conflict-\d{{8}}-\d{{6}}-[A-Za-z0-9]+{suffix}", name):
        return "Syncthing"
    if re.fullmatch(rf"{stem} \((?:[^()/]+['’]s )?conflicted copy \d{{4}}-\d{{2}}-\d{{2}}(?: \(\d+\))?\){suffix}",
                    name):
        return "Dropbox"
    return None


def conflict_copies(notes_file: Path) -> list[ConflictCopy]:
    """The conflict copies beside ``notes_file``, oldest name first (empty if the folder cannot be read)."""
    try:
        names = sorted(entry.name for entry in notes_file.parent.iterdir())
    except OSError:
        return []
    found: list[ConflictCopy] = []
    for name in names:
        if name == notes_file.name or not name.startswith(notes_file.stem):
            continue
        engine = conflict_copy_engine(notes_file, name)
        if engine is not None and (notes_file.parent / name).is_file():
            found.append(ConflictCopy(notes_file.parent / name, engine))
    return found
