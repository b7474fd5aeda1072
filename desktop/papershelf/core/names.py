"""Tag and reading-list names: one spelling rule, used by every edit path, the migration and the notes file.

A name is stored ``clean``: no whitespace around it, each run of whitespace inside it (tabs, line breaks,
no-break spaces) one space. Two names are the same name when their ``identity`` is equal: clean and
case-folded, so "Deep  Learning" and "deep learning" are one tag, and a library spells it one way
(the way it already spells it; a new name as first given).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any


def clean(name: str) -> str:
    """The name as stored: whitespace runs made one space, none around it ('' for a blank name)."""
    return " ".join(name.split())


def identity(name: str) -> str:
    """What tells names apart: two names with the same identity are one name in two spellings."""
    return " ".join(name.split()).casefold()


def from_text(text: str) -> list[str]:
    """Names as typed in an editor, separated by commas: clean, not blank, each spelling once."""
    found = (clean(part) for part in text.split(","))
    return list(dict.fromkeys(name for name in found if name))


def as_names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(name) for name in value] if isinstance(value, list | tuple) else []


def spellings(names: Iterable[str]) -> dict[str, str]:
    """Identity -> the spelling most used (the first seen on a tie), clean."""
    counts = Counter(clean(name) for name in names)
    counts.pop("", None)
    chosen: dict[str, str] = {}
    for name, _ in sorted(counts.items(), key=lambda item: -item[1]):  # stable: first seen wins a tie
        chosen.setdefault(name.casefold(), name)
    return chosen


def respelt(names: Iterable[str], spelling: Mapping[str, str]) -> list[str]:
    result: list[str] = []
    for name in names:
        spelt = spelling.get(identity(name))
        if spelt is not None and spelt not in result:
            result.append(spelt)
    return result


def spellings_in_use(names: Iterable[str]) -> dict[str, list[str]]:
    """Names by their identity, each with every spelling in use."""
    found: dict[str, list[str]] = {}
    for name in names:
        found.setdefault(identity(name), []).append(name)
    return found


def spelled(names: tuple[str, ...], known: dict[str, list[str]]) -> tuple[str, ...]:
    """Each name as the library spells it (an exact spelling in use stays; a new name is spelled as
    first given, also within this change). Blank names are left out."""
    result = []
    for name in filter(None, map(clean, names)):
        in_use = known.setdefault(name.casefold(), [name])
        result.append(name if name in in_use else in_use[0])
    return tuple(result)


def spelled_as_in_use(name: str, in_use: Iterable[str]) -> str:
    """``name`` clean, or as ``in_use`` spells it if that has it in any spelling."""
    name = clean(name)
    return spelled((name,), spellings_in_use(in_use))[0] if name else name


def every_spelling(names: tuple[str, ...], known: dict[str, list[str]]) -> tuple[str, ...]:
    """The names and every spelling in use of each: what removing them removes."""
    return tuple(dict.fromkeys(s for n in names for s in [clean(n), *known.get(identity(n), [])]))


def edit_names(names: list[str], add: Iterable[str], remove: Iterable[str]) -> list[str]:
    dropped = set(remove)
    result = [n for n in names if n not in dropped]
    for name in map(clean, add):
        if name and name not in result:
            result.append(name)
    return result
