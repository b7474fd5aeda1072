"""The stores' schemas: file and table names, versions, and the step from each version to the next."""

from __future__ import annotations

from typing import Any

from papershelf.core.model import MAX_RATING, PRIORITIES, STATUSES
from papershelf.core.names import as_names, respelt, spellings
from papershelf.core.storage.store import Migration

CATALOGUE_FILE = "catalogue.json"
ANNOTATIONS_FILE = "annotations.json"
CATALOGUE_SCHEMA = 1
ANNOTATIONS_SCHEMA = 2

PAPERS = "papers"
ANNOTATIONS = "annotations"
LISTS = "lists"


def _migrate_annotations_1_to_2(data: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Schema 2: each tag and list name once, in one spelling; status, priority and rating in range.

    Version 1 stored names as ``restore`` and the edit paths were given them: "ML" beside "ml",
    "deep  learning", empty names, a reading list called "  "; and whatever priority or rating an
    undo put back. Names get their whitespace collapsed (as the notes file writes tags) and names
    equal but for case become one, spelt as most papers spell it (the first seen on a tie).
    """
    docs = [doc for doc in data.get(ANNOTATIONS, {}).values() if isinstance(doc, dict)]
    tag_spelling = spellings(name for doc in docs for name in as_names(doc.get("tags")))
    lists = data.get(LISTS, {})
    list_spelling = spellings([*lists, *(name for doc in docs for name in as_names(doc.get("lists")))])
    for doc in docs:
        doc["tags"] = respelt(as_names(doc.get("tags")), tag_spelling)
        doc["lists"] = respelt(as_names(doc.get("lists")), list_spelling)
        doc["priority"] = _clamped(doc.get("priority"), 0, len(PRIORITIES) - 1)
        doc["rating"] = _clamped(doc.get("rating"), 0, MAX_RATING)
        status = doc.get("status", "new")
        if status not in STATUSES:
            doc["status"] = next((s for s in STATUSES if s == str(status).strip().casefold()), "new")
    kept: dict[str, dict[str, Any]] = {}
    for name, doc in lists.items():
        spelt = list_spelling.get(" ".join(name.split()).casefold())
        if spelt is None:
            continue  # an empty name
        doc = doc if isinstance(doc, dict) else {}
        earlier = kept.get(spelt)
        if earlier is None or str(doc.get("created", "")) < str(earlier.get("created", "")):
            kept[spelt] = doc
    data[LISTS] = kept
    return data


def _clamped(value: Any, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return low
    return min(max(number, low), high)


# Per store kind, schema version N -> the step that turns a version-N file into version N + 1.
MIGRATIONS: dict[str, dict[int, Migration]] = {"annotations": {1: _migrate_annotations_1_to_2}}
