"""The BibTeX ``file`` field: the files an entry points to, as JabRef and Zotero write them.

JabRef: ``description:path:type`` per file, ``;`` between files, ``\\:``, ``\\;`` and ``\\\\`` escaping those
characters in a part (``:papers/x.pdf:PDF``, ``Paper:C\\:\\\\papers\\\\x.pdf:PDF``). Zotero and Better BibTeX
write the same three parts without escaping (``Full Text:files/12/x.pdf:application/pdf``), so a Windows
drive's colon is unescaped there: everything between the first and the last part is the path. A single
part is a bare path. Mendeley drops a POSIX path's leading slash (``:home/me/x.pdf:pdf``); it is kept as
written (relative), the caller decides what it is relative to.

Pure: ``parse`` returns entries and problems, ``render`` JabRef's form; neither touches a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One file of a ``file`` field: its path as written (unescaped), a description and a file type."""

    path: str
    description: str = ""
    type: str = ""


def _split(text: str, separator: str) -> list[str]:
    """``text`` split at each ``separator`` not escaped by a backslash; escapes are kept for ``_unescape``."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            current.append(char + following)
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _unescape(text: str) -> str:
    r"""``\:`` -> ``:``, ``\;`` -> ``;``, ``\\`` -> ``\``; any other backslash stays (a Zotero Windows path)."""
    out: list[str] = []
    n = 0
    while n < len(text):
        char = text[n]
        if char == "\\" and n + 1 < len(text) and text[n + 1] in ":;\\":
            out.append(text[n + 1])
            n += 2
            continue
        out.append(char)
        n += 1
    return "".join(out)


def parse(value: str) -> tuple[list[FileEntry], list[str]]:
    """The files a ``file`` field names, in order, and a sentence for each part that names none."""
    entries: list[FileEntry] = []
    problems: list[str] = []
    for chunk in _split(value.strip(), ";"):
        if not chunk.strip():
            continue
        parts = _split(chunk, ":")
        if len(parts) == 1:
            description, path, kind = "", parts[0], ""
        elif len(parts) == 2:
            description, path, kind = parts[0], parts[1], ""
        else:
            description, path, kind = parts[0], ":".join(parts[1:-1]), parts[-1]
        path = _unescape(path).strip()
        if not path:
            problems.append(f"the file entry {chunk.strip()!r} names no file")
            continue
        entries.append(FileEntry(path, _unescape(description).strip(), _unescape(kind).strip()))
    return entries, problems


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(":", "\\:").replace(";", "\\;")


def render(entries: Iterable[FileEntry]) -> str:
    """JabRef's form of ``entries`` (``description:path:type;...``), read back by ``parse`` as given."""
    return ";".join(f"{_escape(e.description)}:{_escape(e.path)}:{_escape(e.type)}" for e in entries)
