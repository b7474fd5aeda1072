"""Emptying the Trash as both faces do it: what it removes, in the words they show before doing it, and
what keeps it from being done (a paper whose notes-file conflict is open: both sides of it are the user's)."""

from __future__ import annotations

from collections.abc import Sequence

from papershelf.core.library import Library
from papershelf.services import attachments
from papershelf.sync import state as sync_state


def _papers(n: int) -> str:
    return f"{n:,} paper{'s' if n != 1 else ''}"


def emptying_words(library: Library, paper_ids: Sequence[str]) -> list[str]:
    """What removing ``paper_ids`` for good loses and what is kept, one sentence each (see
    ``Library.empty_trash``): the window's confirmation and the CLI's ``empty-trash`` say the same."""
    losses = library.trash_losses(paper_ids)
    words = [f"{_papers(losses['papers'])} will be removed from the library for good; "
             "importing them again brings back their records."]
    typed = [f"{losses[name]:,} {what}" for name, what in (("note", "with a note"), ("tags", "with tags"),
                                                          ("lists", "in reading lists")) if losses[name]]
    files = sum(len(attachments.attachments(library, pid)) for pid in paper_ids)
    if typed:
        words.append(f"What you gave them ({', '.join(typed)}) is not lost: it is kept in the library's "
                     "record of removed papers (annotations.json, removed_papers).")
    if files:
        words.append(f"Their {files:,} attached file{'s are' if files != 1 else ' is'} not lost either: the copies in "
                     "the library go to its trash/files/ folder, and the list of them into that record.")
    return words


def in_conflict(library: Library, paper_ids: Sequence[str]) -> list[str]:
    """Citation keys of ``paper_ids`` whose notes-file sync is in conflict (not to be removed before it is
    resolved: the record holds the file's side of the note)."""
    conflicts = sync_state.conflicts(library)
    return [library.papers[pid].key for pid in paper_ids if pid in conflicts]


def empty_trash(library: Library) -> list[str]:
    """Remove every paper in the Trash for good (``Library.empty_trash``); the ids removed.

    Raises:
        ValueError: a paper in the Trash has an open notes-file conflict (nothing is removed).
        StoreError: the library could not be written.
    """
    ids = library.trashed_ids()
    blocked = in_conflict(library, ids)
    if blocked:
        raise ValueError(f"{', '.join(blocked)} has a notes-file conflict; resolve it first "
                         "(papershelf sync --resolve), then empty the Trash")
    attachments.set_aside_files(library, ids)  # copied files to trash/files/, their lists into the record
    return library.empty_trash(ids)
