"""Possible duplicates, offered to the user, and the merge the user chooses (both faces use these)."""

from __future__ import annotations

from dataclasses import dataclass

from papershelf.core import duplicates
from papershelf.core.library import Library
from papershelf.core.model import Paper
from papershelf.services import attachments
from papershelf.sync import state as sync_state


@dataclass(frozen=True, slots=True)
class PossibleDuplicate:
    """Two papers that may be one: the older first (the one a merge keeps by default), and why."""

    first: Paper
    second: Paper
    reason: str


def possible_duplicates(library: Library) -> list[PossibleDuplicate]:
    """Pairs of papers that look like one paper, in library order (older papers first), but those the user
    kept apart, and those in the Trash (on their way out: no merge is offered for them)."""
    papers = library.papers
    trashed = set(library.trashed_ids())
    live = {pid: paper for pid, paper in papers.items() if pid not in trashed} if trashed else papers
    return [
        PossibleDuplicate(papers[pair.first], papers[pair.second], pair.reason)
        for pair in duplicates.suspected_pairs(live, library.kept_apart)
    ]


def merge(library: Library, keep_key: str, other_key: str) -> Paper:
    """Merge the paper ``other_key`` into ``keep_key``; ``other_key`` stays citable as an alias.

    Raises:
        UnknownKeyError: no paper has one of the keys (aliases count).
        ValueError: both keys name one paper, or one is in a notes-file conflict.
        StoreError: the library could not be written.
    """
    conflicts = sync_state.conflicts(library)
    ids = library.ids_for_keys([keep_key]) + library.ids_for_keys([other_key])
    for key, pid in zip((keep_key, other_key), ids, strict=True):
        if pid in conflicts:
            raise ValueError(f"{key} has a notes-file conflict; resolve it first (papershelf sync --resolve)")
    merged = library.merge_papers(keep_key, other_key)
    attachments.combine_files(library, *ids)  # the merged-away paper's files go with it
    return merged


def keep_apart(library: Library, key: str, other_key: str) -> None:
    """The two papers are two: never offer them as possible duplicates again.

    Raises:
        UnknownKeyError, ValueError (one paper), StoreError: as ``merge``.
    """
    library.keep_apart(key, other_key)
