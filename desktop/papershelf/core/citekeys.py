"""Citation keys in the Google Scholar style: first author's last name, year, first significant title word.

``mueller2021certify`` for Mark Niklas Mueller (2021), "Certify or Predict: ...". The key is lower-case
ASCII (``Schölkopf`` -> ``scholkopf``). Name particles stay with the last name (``van der Maaten`` ->
``vandermaaten``); generational suffixes (``Jr.``) are dropped. A key already taken gets ``a``, ``b``, ...
``z``, ``aa``, ... in import order, and keys are pinned once assigned.
"""

from __future__ import annotations

import re
from collections.abc import Container

from papershelf.core.model import fold

_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "dos", "das", "le", "la", "ter", "ten",
     "zu", "al", "el", "bin", "ibn", "st"}
)
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_STOPWORDS = frozenset(
    {"a", "an", "the", "on", "of", "in", "for", "to", "and", "or", "with", "without", "from", "by", "at", "as",
     "is", "are", "be", "via", "towards", "toward", "into", "onto", "what", "when", "why", "how", "do", "does",
     "can", "we", "our", "your", "its", "it", "this", "that", "these", "those", "not", "no"}
)
_WORD = re.compile(r"[a-z0-9]+")


def last_name(author: str) -> str:
    """The last name of an author written "First Last", "Last, First" or "von Last, Jr., First"."""
    author = author.strip()
    if author.startswith("{") and author.endswith("}"):
        return author[1:-1].strip()  # {Corporate Author}: the whole name
    if "," in author:
        parts = [p.strip() for p in author.split(",")]
        if not (len(parts) == 2 and parts[1].lower() in _SUFFIXES):
            return parts[0]
        author = parts[0]  # "First Last, Jr."
    words = author.split()
    while len(words) > 1 and words[-1].lower().strip(",") in _SUFFIXES:
        words.pop()
    if not words:
        return ""
    start = len(words) - 1
    while start > 0 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return " ".join(words[start:])


def _ascii_word(text: str) -> str:
    return "".join(_WORD.findall(fold(text)))


def first_title_word(title: str) -> str:
    """The first word of the title that is not a function word, as lower-case ASCII."""
    words = _WORD.findall(fold(title))
    for word in words:
        if word not in _STOPWORDS:
            return word
    return words[0] if words else ""


def base_key(authors: list[str], year: int | None, title: str) -> str:
    """The key before collision suffixes: ``mueller2021certify``."""
    name = _ascii_word(last_name(authors[0])) if authors else ""
    key = f"{name or 'anon'}{year if year else ''}{first_title_word(title)}"
    return key


def _suffix(n: int) -> str:
    """0 -> 'a', 25 -> 'z', 26 -> 'aa', ..."""
    letters = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("a") + rem) + letters
    return letters


def unique_key(wanted: str, taken: Container[str]) -> str:
    """``wanted`` if free, else ``wanted`` + the first free suffix a, b, c, ..."""
    if wanted not in taken:
        return wanted
    n = 0
    while True:
        candidate = wanted + _suffix(n)
        if candidate not in taken:
            return candidate
        n += 1
