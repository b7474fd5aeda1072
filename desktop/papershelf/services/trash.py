"""What emptying the Trash removes, in the words both faces show before doing it."""

from __future__ import annotations

from collections.abc import Sequence

from papershelf.core.library import Library


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
    if typed:
        words.append(f"What you gave them ({', '.join(typed)}) is not lost: it is kept in the library's "
                     "record of removed papers (annotations.json, removed_papers).")
    return words
