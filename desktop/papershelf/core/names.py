"""Tag and reading-list names: one spelling rule, used by every edit path, the migration and the notes file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any


def as_names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(name) for name in value] if isinstance(value, list | tuple) else []


def spellings(names: Iterable[str]) -> dict[str, str]:
    """Case-folded name -> the spelling most used (the first seen on a tie), whitespace collapsed."""
    counts = Counter(" ".join(name.split()) for name in names)
    counts.pop("", None)
    chosen: dict[str, str] = {}
    for name, _ in sorted(counts.items(), key=lambda item: -item[1]):  # stable: first seen wins a tie
        chosen.setdefault(name.casefold(), name)
    return chosen


def respelt(names: Iterable[str], spelling: Mapping[str, str]) -> list[str]:
    result: list[str] = []
    for name in names:
        spelt = spelling.get(" ".join(name.split()).casefold())
        if spelt is not None and spelt not in result:
            result.append(spelt)
    return result


def spellings_in_use(names: Iterable[str]) -> dict[str, list[str]]:
    """Names by their case-folded form, each with every spelling in use."""
    found: dict[str, list[str]] = {}
    for name in names:
        found.setdefault(name.casefold(), []).append(name)
    return found


def spelled(names: tuple[str, ...], known: dict[str, list[str]]) -> tuple[str, ...]:
    """Each name as the library spells it (an exact spelling in use stays; a new name is spelled as
    first given, also within this change)."""
    result = []
    for name in (n.strip() for n in names):
        spellings = known.setdefault(name.casefold(), [name])
        result.append(name if name in spellings else spellings[0])
    return tuple(result)


def every_spelling(names: tuple[str, ...], known: dict[str, list[str]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s for n in names for s in [n.strip(), *known.get(n.strip().casefold(), [])]))


def edit_names(names: list[str], add: Iterable[str], remove: Iterable[str]) -> list[str]:
    dropped = set(remove)
    result = [n for n in names if n not in dropped]
    for name in add:
        name = name.strip()
        if name and name not in result:
            result.append(name)
    return result
