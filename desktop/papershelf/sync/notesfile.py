"""The notes file: one Markdown file with a section per annotated paper, read and written losslessly.

A section looks like this (plain Markdown; the key line is an HTML comment, so it does not show when
rendered on GitHub or in Obsidian)::

    ## Certify or Predict: Boosting Certified Robustness with Compositional Architectures
    <!-- papershelf:key=mueller2021certify -->
    **Status:** reading · **Tags:** robustness, verification

    The note: any Markdown, ### headings, fenced code (with ## inside), <!-- comments -->, tables, ...

Rules that keep any note body from breaking the structure:

- A section starts at a level-2 heading *immediately* followed by a key line, and nowhere else. A ``## ``
  line in a note is just a heading of that note.
- Fenced code blocks are found as CommonMark finds them (a run of 3+ backticks or tildes indented at most
  3 spaces; closed by a run of the same character, at least as long, with nothing after it): inside a
  fence nothing is structure, so a pasted section stays code. One deviation: a fence that is never closed
  hides nothing (CommonMark runs it to the end of the file), because a half-typed fence must not turn every
  later section into code. A note that ends inside a fence is written with a closing fence and the
  invisible line ``<!-- papershelf:fence-closed -->`` after it; both are dropped again when read.
- A note line that could be read as one of our machine lines (``<!--`` + ``papershelf:``) is written with
  one backslash more after ``<!--`` (``<!--\\ papershelf:key=x -->``, still an invisible comment) and read
  back with one less. So no note text can ever form a key line or a conflict marker.
- Likewise a note line starting ``<<<<<<<`` (outside fenced code) gets one backslash more in the file, so
  no note can form git conflict markers (``sync.engines``), and Markdown still shows it the same.
- The status line is always written, so a note whose first line looks like a status line stays a note.
- Tags are separated by ", "; a comma or backslash inside a tag is escaped with a backslash.
- Notes are compared and stored normalised (:func:`normalise_note`): line endings are not content
  (a CRLF file reads like an LF one and is written back with CRLF), nor are blank lines around the note or
  trailing spaces at its very end.
- Everything before the first section (the preamble) is kept as the user leaves it.
- Sections are ordered by citation key, one blank line apart, so an unchanged library renders byte for
  byte the same file, and a change to one note changes only that section.

A paper in conflict (changed both in the app and in the file since the last sync) carries, at the end of
its section, a visible block with the file's version; Papershelf's version is the section itself::

    <!-- papershelf:conflict -->
    > [!WARNING]
    > **Sync conflict:** ... (a callout, ignored when read)

    **Status:** skipped · **Tags:** theory

    The note as it was in this file.
    <!-- papershelf:end-conflict -->

Deleting the block (down to the end marker) resolves the conflict in favour of what the section then says.
"""

from __future__ import annotations

import bisect
import re
import string
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Final
from urllib.parse import quote, unquote

from papershelf.core import names
from papershelf.core.model import STATUSES
from papershelf.core.search.steps import run
from papershelf.formats.common import Problem

DEFAULT_STATUS: Final = "new"

DEFAULT_PREAMBLE: Final = (
    "# Papershelf notes\n"
    "\n"
    "> Kept in sync with Papershelf (`papershelf sync`). One section per paper: its title, a hidden key\n"
    "> line right under it (keep it there), a status line, then your note in any Markdown. Edit freely;\n"
    "> delete a section to clear that paper's note (earlier versions stay in `papershelf history`)."
)

_KEY_SAFE: Final = string.ascii_letters + string.digits + "_.:+-/@"
STEP_SECTIONS: Final = 64  # the *_steps functions pause after this many sections (well under 10 ms)
STEP_LINES: Final = 256  # ... or after this many fence lines or section headings found

# A section starts at a "## title" line immediately followed by the key line (no backslash after "<!--").
_SECTION_START = re.compile(
    r"\n {0,3}##(?:[ \t][^\n]*)?\n[ \t]*<!--[ \t]*papershelf:key=(\S*?)[ \t]*-->[ \t]*(?=\n|\Z)"
)
# Any line that could be one of our machine lines, escaped (backslashes) or not.
_MACHINE = re.compile(r"^([ \t]*<!--)(\\*)[ \t]*papershelf:")
_CONFLICT_BEGIN = re.compile(r"^[ \t]*<!--[ \t]*papershelf:conflict(=deleted)?[ \t]*-->[ \t]*$")
_CONFLICT_END = re.compile(r"^[ \t]*<!--[ \t]*papershelf:end-conflict[ \t]*-->[ \t]*$")
_STATUS_LINE = re.compile(
    r"^[ \t]*(?:\*\*)?status:(?:\*\*)?[ \t]*(?P<status>[^ \t·|]*)[ \t]*"
    r"(?:[·|][ \t]*(?:\*\*)?tags:(?:\*\*)?[ \t]*(?P<tags>.*?))?[ \t]*$",
    re.IGNORECASE,
)
# A fence line: an opening or closing run of backticks or tildes (CommonMark 4.5).
_FENCE = re.compile(r"\n {0,3}(`{3,}|~{3,})([^\n]*)")
FENCE_CLOSED: Final = "<!-- papershelf:fence-closed -->"
# The closing fence the writer added after a note that ends inside a fence, and its mark (see render).
_ADDED_CLOSER = re.compile(
    r"(?:^|\n) {0,3}(?:`{3,}|~{3,})[ \t]*\n[ \t]*<!--[ \t]*papershelf:fence-closed[ \t]*-->[ \t]*(?=\n|$)"
)
# A note line that could open a git conflict once written (see _git_lookalikes); group 1: its backslashes.
_GIT_LOOKALIKE = re.compile(r"(\\*)<{7}")
_HEADING_PREFIX = re.compile(r"^ {0,3}##[ \t]*")
_LEADING_BLANK_LINES = re.compile(r"(?:[ \t]*\n)+")

CONFLICT_CALLOUT: Final = (
    "> [!WARNING]\n"
    "> **Sync conflict:** this paper was changed both in Papershelf and in this file. Papershelf kept its\n"
    "> version (the section above); this file's version is below. Put what you want to keep above, then\n"
    "> delete this block down to its end marker, or run `papershelf sync --resolve {key} --take file`\n"
    "> (or `--take app`)."
)
DELETED_CALLOUT: Final = (
    "> [!WARNING]\n"
    "> **Sync conflict:** this section was deleted from this file, but Papershelf changed it meanwhile.\n"
    "> Papershelf kept its version (the section above); this file's version is below. Delete the whole\n"
    "> section again to clear it, or run `papershelf sync --resolve {key} --take file` (or `--take app`)."
)


@dataclass(frozen=True, slots=True)
class ConflictBlock:
    """This file's side of a conflict, shown at the end of a section. ``None``: no (readable) status line."""

    status: str | None
    tags: tuple[str, ...] | None
    note: str
    deleted: bool = False  # written only: the section had been deleted from the file


@dataclass(slots=True)
class Section:
    """One paper's section. ``status``/``tags`` are ``None`` when the section has no readable status line.

    A ``verbatim`` section (unknown key, duplicate) is written back exactly as ``raw``.
    """

    key: str
    title: str = ""
    status: str | None = DEFAULT_STATUS
    tags: tuple[str, ...] | None = ()
    note: str = ""
    conflict: ConflictBlock | None = None
    line: int = 0  # 1-based line of the heading in the file
    start: int = 0  # offsets of the section in the parsed text (LF line endings, no BOM)
    end: int = 0
    raw: str = ""
    verbatim: bool = False
    duplicate: bool = False  # a later section for a key that has one already
    other_side: str = ""  # set on a section from another version of the file (see add_other_side)
    open_fence: bool = False  # ``raw`` leaves a fence open (closed when written back verbatim)
    encoded: bytes | None = None  # a verbatim section's text as UTF-8, instead of ``raw`` (half the memory)
    span: FileSpan | None = None  # a verbatim section's text: these bytes of the file as read (no copy held)


@dataclass(frozen=True, slots=True)
class FileSpan:
    """Bytes ``start:end`` of the notes file as it was read, whose ``section_hash`` is ``digest``: a section
    written back exactly as it is in the file is read from it again when written, not held meanwhile (a
    large file's sections would otherwise be its size again in memory). Whoever reads them checks the
    digest: the file may have changed since."""

    start: int
    end: int
    digest: str


@dataclass(slots=True)
class NotesDocument:
    """A parsed notes file: what precedes the sections, the sections in file order, and problems."""

    preamble: str = ""
    sections: list[Section] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    newline: str = "\n"
    bom: bool = False
    text: str = ""  # the text that was parsed, with LF line endings and no BOM


# -- values ------------------------------------------------------------------------------------------------


def normalise_note(text: str) -> str:
    """A note as the notes file keeps it: LF line endings, no blank lines around it, no trailing spaces."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.rstrip(" \t\n")
    match = _LEADING_BLANK_LINES.match(text)
    return text[match.end() :] if match else text


def canonical_tag(tag: str) -> str:
    """A tag as written in the file: spelled by the library's rule (``names.clean``)."""
    return names.clean(tag)


def canonical_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags compared as a set and written in one order (case-insensitive, then exact)."""
    unique = {canonical_tag(t) for t in tags}
    unique.discard("")
    return tuple(sorted(unique, key=lambda t: (t.casefold(), t)))


def _escape_tag(tag: str) -> str:
    return tag.replace("\\", "\\\\").replace(",", "\\,")


def _split_tags(text: str) -> tuple[str, ...]:
    tags: list[str] = []
    current: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            current.append(next(chars, "\\"))
        elif char == ",":
            tags.append("".join(current))
            current = []
        else:
            current.append(char)
    tags.append("".join(current))
    return canonical_tags(tags)


def status_line(status: str | None, tags: Sequence[str] | None) -> str:
    line = f"**Status:** {status or DEFAULT_STATUS}"
    if tags:
        line += " · **Tags:** " + ", ".join(_escape_tag(t) for t in tags)
    return line


def _key_line(key: str) -> str:
    return f"<!-- papershelf:key={quote(key, safe=_KEY_SAFE)} -->"


def _escape_body(note: str) -> str:
    if "papershelf:" in note:
        lines = note.split("\n")
        for i, line in enumerate(lines):
            match = _MACHINE.match(line)
            if match:
                lines[i] = match.group(1) + "\\" + line[match.end(1) :]
        note = "\n".join(lines)
    return _git_lookalikes(note, +1) if "<<<<<<<" in note else note


def _git_lookalikes(text: str, step: int) -> str:
    """Escape (``step`` +1) or unescape (-1) the lines of a note that would open a git conflict (0: escape
    only the lines without a backslash yet, for text written as read).

    Outside fenced code, a line starting ``<<<<<<<`` (after any backslashes) gets one backslash more when
    written (Markdown shows ``\\<`` as ``<``) and loses one when read, so no note can form conflict
    markers in the file; inside a fence such lines are code, which the git reader leaves alone anyway.
    """
    code = fences(text)
    lines = text.split("\n")
    offset, fence = 0, 0
    for i, line in enumerate(lines):
        start, offset = offset, offset + len(line) + 1
        while fence < len(code) and code[fence][1] <= start:
            fence += 1
        if fence < len(code) and code[fence][0] < start:
            continue
        match = _GIT_LOOKALIKE.match(line)
        if match is None:
            continue
        if step > 0 or (step == 0 and not match.group(1)):
            lines[i] = "\\" + line
        elif step < 0 and match.group(1):
            lines[i] = line[1:]
    return "\n".join(lines)


def _verbatim(text: str) -> str:
    """A part written as read (preamble, a section for another library), made safe to write back: a
    fence it leaves open is closed, and a line that would open a git conflict gets a backslash (once)."""
    if "<<<<<<<" in text:
        text = _git_lookalikes(text, 0)
    return _closed(text)


def _unescape(line: str) -> str:
    match = _MACHINE.match(line)
    if match and match.group(2):
        return match.group(1) + line[match.end(1) + 1 :]
    return line


def _body(lines: Sequence[str]) -> str:
    text = "\n".join(lines)
    if "papershelf:fence-closed" in text:
        text = _ADDED_CLOSER.sub("", text)
    if "papershelf:" in text:
        text = "\n".join(_unescape(line) for line in text.split("\n"))
    if "<<<<<<<" in text:
        text = _git_lookalikes(text, -1)
    return normalise_note(text)


def fences(text: str) -> list[tuple[int, int]]:
    """The fenced code blocks of ``text``: (start, end) offsets, closed ones only, in order.

    A fence that is never closed is not listed (see the module docstring).
    """
    return _scan_fences(text)[0]


def _scan_fences(text: str) -> tuple[list[tuple[int, int]], int, str]:
    """(closed fences, offset of the fence left open or -1, its opening run)."""
    return run(_scan_fences_steps(text))


def _scan_fences_steps(text: str) -> Generator[None, None, tuple[list[tuple[int, int]], int, str]]:
    found: list[tuple[int, int]] = []
    if "```" not in text and "~~~" not in text:
        return found, -1, ""
    start, opener = -1, ""
    for number, (begin, end, fence, rest) in enumerate(_line_matches(_FENCE, text)):
        if number % STEP_LINES == STEP_LINES - 1:
            yield
        if start < 0:
            if fence[0] == "`" and "`" in rest:
                continue  # a backtick fence's info string has no backtick: this is inline code
            start, opener = begin, fence
        elif fence[0] == opener[0] and len(fence) >= len(opener) and not rest.strip(" \t"):
            found.append((start, end))
            start = -1
    return found, start, opener if start >= 0 else ""


def _line_matches(pattern: re.Pattern[str], text: str) -> Iterator[tuple[int, int, str, str]]:
    """Matches of a pattern that starts with a newline, at the start of any line of ``text`` (the first
    one too): (offset of the line, end offset, group 1, group 2).

    A literal first character keeps the scan fast on a large file; only the first line is matched on a
    copy (``"\n" + text`` would copy the whole file).
    """
    first_line_end = text.find("\n", text.find("\n") + 1)  # a match spans two lines at most
    head = "\n" + (text if first_line_end < 0 else text[:first_line_end])
    match = pattern.match(head)
    if match is not None:
        yield 0, match.end() - 1, match.group(1), match.group(2) if pattern.groups > 1 else ""
    for match in pattern.finditer(text):
        yield match.start() + 1, match.end(), match.group(1), match.group(2) if pattern.groups > 1 else ""


def _closed(text: str) -> str:
    """``text`` with a fence it leaves open closed (and marked), so it cannot swallow what follows."""
    closer = _scan_fences(text)[2]
    return f"{text}\n{closer}\n{FENCE_CLOSED}" if closer else text


def _note_text(note: str) -> str:
    """A note as written into the file: machine lookalikes escaped, a fence left open closed."""
    return _closed(_escape_body(note))


# -- parse -------------------------------------------------------------------------------------------------


def parse(text: str) -> NotesDocument:
    """Read a notes file. Never raises: what cannot be read is kept (verbatim or as note text) and reported."""
    doc = split(text)
    for section in doc.sections:
        read_section(section, doc.problems)
    return doc


def split(text: str) -> NotesDocument:
    """Find the preamble and the sections (key, place, raw text) without reading the sections yet.

    Duplicate and key-less sections are marked verbatim and reported.
    """
    return run(split_steps(text))


def split_steps(text: str, *, has_cr: bool | None = None) -> Generator[None, None, NotesDocument]:
    """:func:`split` in steps: pauses (yields) every few milliseconds, returns the document. ``has_cr``:
    whether the text holds a carriage return, if known (looking takes a while in a large text)."""
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    first_newline = text.find("\n")
    newline = "\r\n" if first_newline > 0 and text[first_newline - 1] == "\r" else "\n"
    if ("\r" in text) if has_cr is None else has_cr:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    doc = NotesDocument(newline=newline, bom=bom, text=text)
    starts = yield from _section_starts(text)
    code, open_at, _ = yield from _scan_fences_steps(text)
    if code:
        starts = [(start, key) for start, key in starts if not _inside(code, start)]
    doc.preamble = (text[: starts[0][0]] if starts else text).rstrip(" \t\n")
    seen: dict[str, int] = {}
    line_no = 1
    previous = 0
    for n, (start, key) in enumerate(starts):
        if n % STEP_SECTIONS == STEP_SECTIONS - 1:
            yield
        end = starts[n + 1][0] if n + 1 < len(starts) else len(text)
        line_no += text.count("\n", previous, start)
        previous = start
        raw = _trim_blank_lines(text[start:end])
        section = Section(key=key, status=None, tags=None, line=line_no, start=start, end=end, raw=raw,
                          open_fence=0 <= open_at < end)  # from the fence left open on, scan again
        _add_section(doc, section, seen)
    return doc


def _add_section(doc: NotesDocument, section: Section, seen: dict[str, int]) -> None:
    """Append a section just split off; one without a key, or with a key an earlier section has (``seen``:
    key -> its line), is kept as it is (a duplicate: the first counts) and reported."""
    key, line_no = section.key, section.line
    if not key:
        doc.problems.append(Problem(line_no, "a section has an empty citation key; it is kept as is"))
        section.verbatim = True
    elif key in seen:
        doc.problems.append(
            Problem(
                line_no,
                f"a second section for this key (the first is at line {seen[key]}): the first one counts; "
                "what this one says differently is kept as a conflict in it",
                key=key,
                severity="warning",
            )
        )
        section.verbatim = section.duplicate = True
    else:
        seen[key] = line_no
    doc.sections.append(section)


def split_bytes_steps(data: bytes) -> Generator[None, None, NotesDocument]:
    """:func:`split_steps` of a file's UTF-8 bytes without a byte order mark or a carriage return, each
    section's text decoded on its own: the whole text (2 bytes a character once any is above U+00FF)
    is never made. ``doc.text`` stays empty and ``Section.start``/``end`` are byte offsets; the rest is
    what :func:`split_steps` gives for ``data.decode()``.

    Raises:
        UnicodeDecodeError: the bytes are not UTF-8 (decode them whole to say where).
    """
    return (yield from split_held_bytes_steps([data], lambda start, end: data[start:end]))


def split_held_bytes_steps(
    held: list[bytes], read: Callable[[int, int], bytes], *, as_bytes: bool = False
) -> Generator[None, None, NotesDocument]:
    """:func:`split_bytes_steps` of ``held.pop()``, whose bytes go once the file's structure is known
    (where its sections start): each section's bytes are then ``read(start, end)`` (from the file
    again), so the bytes and the sections' texts are never all in memory at once. ``read`` must give
    the bytes ``held`` had (the caller checks, e.g. by hashing what it read).

    ``as_bytes``: each section's text is left as UTF-8 in ``encoded`` (checked to be UTF-8, ``raw``
    empty) for the caller to decode when it reads the section: a file of 2-byte characters is then
    never held as text at once (its sections' texts: twice its size).

    Raises:
        UnicodeDecodeError: the bytes are not UTF-8 (decode them whole to say where).
    """
    data = held.pop()
    doc = NotesDocument()
    starts = yield from _section_starts_bytes(data)
    code, open_at = yield from _scan_fences_bytes(data)
    if code:
        starts = [(start, key) for start, key in starts if not _inside(code, start)]
    doc.preamble = str(data[: starts[0][0]] if starts else data, "utf-8").rstrip(" \t\n")
    size = len(data)
    lines: list[int] = []  # each section's line number
    line_no, previous = 1, 0
    for start, _key in starts:
        line_no += data.count(b"\n", previous, start)
        previous = start
        lines.append(line_no)
    del data
    seen: dict[str, int] = {}
    for n, (start, key) in enumerate(starts):
        if n % STEP_SECTIONS == STEP_SECTIONS - 1:
            yield
        end = starts[n + 1][0] if n + 1 < len(starts) else size
        line_no = lines[n]
        chunk = read(start, end)
        if as_bytes:
            if not chunk.isascii():  # (ASCII is UTF-8; the syncer decodes it when it reads the section)
                str(chunk, "utf-8")  # (raises where it is not UTF-8)
            encoded: bytes | None = _trim_blank_lines_bytes(chunk)
            raw = ""
        else:
            encoded, raw = None, _trim_blank_lines(str(chunk, "utf-8"))
        del chunk
        section = Section(key=key, status=None, tags=None, line=line_no, start=start, end=end, raw=raw,
                          open_fence=0 <= open_at < end, encoded=encoded)
        _add_section(doc, section, seen)
    return doc


_SECTION_START_BYTES = re.compile(_SECTION_START.pattern.encode())
_FENCE_BYTES = re.compile(_FENCE.pattern.encode())


def _line_matches_bytes(pattern: re.Pattern[bytes], data: bytes) -> Iterator[tuple[int, int, bytes, bytes]]:
    """:func:`_line_matches` on bytes."""
    first_line_end = data.find(b"\n", data.find(b"\n") + 1)
    head = b"\n" + (data if first_line_end < 0 else data[:first_line_end])
    match = pattern.match(head)
    if match is not None:
        yield 0, match.end() - 1, match.group(1), match.group(2) if pattern.groups > 1 else b""
    for match in pattern.finditer(data):
        yield match.start() + 1, match.end(), match.group(1), match.group(2) if pattern.groups > 1 else b""


def _section_starts_bytes(data: bytes) -> Generator[None, None, list[tuple[int, str]]]:
    starts: list[tuple[int, str]] = []
    for number, (start, _end, raw_key, _) in enumerate(_line_matches_bytes(_SECTION_START_BYTES, data)):
        if number % STEP_LINES == STEP_LINES - 1:
            yield
        key = raw_key.decode("utf-8")
        if any(character.isspace() for character in key):
            continue  # (\S in a bytes pattern takes any byte of a non-ASCII space; in a text, no space)
        starts.append((start, unquote(key) if "%" in key else key))
    return starts


def _scan_fences_bytes(data: bytes) -> Generator[None, None, tuple[list[tuple[int, int]], int]]:
    found: list[tuple[int, int]] = []
    if b"```" not in data and b"~~~" not in data:
        return found, -1
    start, opener = -1, b""
    for number, (begin, end, fence, rest) in enumerate(_line_matches_bytes(_FENCE_BYTES, data)):
        if number % STEP_LINES == STEP_LINES - 1:
            yield
        if start < 0:
            if fence[:1] == b"`" and b"`" in rest:
                continue
            start, opener = begin, fence
        elif fence[:1] == opener[:1] and len(fence) >= len(opener) and not rest.strip(b" \t"):
            found.append((start, end))
            start = -1
    return found, start


def _section_starts(text: str) -> Generator[None, None, list[tuple[int, str]]]:
    """(offset of the heading, key) of every heading + key line pair."""
    starts: list[tuple[int, str]] = []
    for number, (start, _end, key, _) in enumerate(_line_matches(_SECTION_START, text)):
        if number % STEP_LINES == STEP_LINES - 1:
            yield
        starts.append((start, unquote(key) if "%" in key else key))
    return starts


def _inside(ranges: Sequence[tuple[int, int]], offset: int) -> bool:
    i = bisect.bisect_right(ranges, (offset, offset)) - 1
    return i >= 0 and ranges[i][0] < offset < ranges[i][1]


def _trim_blank_lines(chunk: str) -> str:
    """``chunk`` without trailing blank lines (the last line keeps its trailing spaces)."""
    content = chunk.rstrip(" \t\n")
    end = chunk.find("\n", len(content))
    return chunk if end == -1 else chunk[:end]


def _trim_blank_lines_bytes(chunk: bytes) -> bytes:
    """:func:`_trim_blank_lines` of UTF-8 bytes (the same bytes as the text it gives, encoded)."""
    content = chunk.rstrip(b" \t\n")
    end = chunk.find(b"\n", len(content))
    return chunk if end == -1 else chunk[:end]


def read_section(section: Section, problems: list[Problem]) -> None:
    """Fill in a split section's title, status, tags, note and conflict block from its raw text."""
    lines = section.raw.split("\n")
    key, line_no = section.key, section.line
    section.title = _HEADING_PREFIX.sub("", lines[0], count=1).strip()
    i = 2
    while i < len(lines) and not lines[i].strip(" \t"):
        i += 1
    if i < len(lines):
        parsed = _status(lines[i], line_no + i, key, problems)
        if parsed is not None:
            section.status, section.tags = parsed
            i += 1
    rest = lines[i:]
    begin_match = None
    for begin, line in enumerate(rest):  # noqa: B007 (begin is used after the loop)
        begin_match = _CONFLICT_BEGIN.match(line)
        if begin_match:
            break
    if begin_match is None:
        section.note = _body(rest)
        return
    end = next((j for j in range(begin + 1, len(rest)) if _CONFLICT_END.match(rest[j])), len(rest))
    # Text typed after the block belongs to the note (it is written back above the block).
    section.note = "\n\n".join(part for part in (_body(rest[:begin]), _body(rest[end + 1 :])) if part)
    block = _parse_conflict(rest[begin + 1 : end], line_no + i + begin + 1, key, problems)
    section.conflict = replace(block, deleted=bool(begin_match.group(1)))


def add_other_side(doc: NotesDocument, other: NotesDocument, source: str) -> None:
    """Add what another version of the same file says (git's other side, a sync engine's conflict copy).

    Each of its sections that differs from this document's section for the key follows as a duplicate
    (for :func:`fold_duplicate`), marked with ``source``; sections only it has are added as they are; a
    preamble it has on top of this one's is appended to it. Identical sections are left out.
    """
    first = {s.key: s for s in doc.sections if s.key and not s.duplicate}
    if other.preamble.strip() and other.preamble.strip() not in doc.preamble:
        doc.preamble = f"{doc.preamble}\n\n{other.preamble}" if doc.preamble.strip() else other.preamble
    for section in other.sections:
        if not section.key or section.duplicate:
            if section.raw not in doc.text:
                doc.sections.append(section)  # kept verbatim, never lost
            continue
        mine = first.get(section.key)
        if mine is not None and mine.raw == section.raw:
            continue
        section.other_side = source
        section.verbatim = section.duplicate = mine is not None
        doc.sections.append(section)


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a note: runs of lines between blank lines, a fenced code block never cut.

    A paragraph that leaves a fence open gets its closing fence, so that paragraphs joined by blank lines
    split back into the same paragraphs (an open fence would otherwise pair with a later one).
    """
    text = normalise_note(text)
    if not text:
        return []
    inside = fences(text)
    found: list[str] = []
    start = offset = 0
    for line in text.split("\n"):
        if not line.strip(" \t") and not _inside(inside, offset):
            if start < offset:
                found.append(text[start : offset - 1])
            start = offset + len(line) + 1
        offset += len(line) + 1
    if start < len(text):
        found.append(text[start:])
    result = []
    for part in found:
        # Blanks at a paragraph's end mean nothing in Markdown (a hard break needs a line after it), and
        # a note loses them at its very end: "x\t" and "x" are one paragraph, wherever it stands.
        part = part.rstrip(" \t")
        closer = _scan_fences(part)[2]
        result.append(f"{part}\n{closer}" if closer else part)
    return result


def fold_duplicate(first: Section, duplicate: Section) -> None:
    """Keep a second section for ``first``'s key inside ``first``: what it says differently becomes (or
    joins) ``first``'s conflict block, so the first section counts and no text of the second is lost.

    Folding goes by paragraph (:func:`paragraphs`): a paragraph the section's note or the block already
    holds is not added again, and the block's own repeats are dropped, so however many versions are
    folded in, the block holds each paragraph once (it does not snowball) and every paragraph of every
    version is in the note or the block. Both sections must have been read (:func:`read_section`).
    """
    texts = [text for text in (duplicate.note, duplicate.conflict.note if duplicate.conflict else "") if text]
    block = first.conflict or ConflictBlock(
        status=first.status if duplicate.status is None else duplicate.status,
        tags=first.tags if duplicate.tags is None else duplicate.tags,
        note="",
    )
    kept = dict.fromkeys(paragraphs(block.note))
    in_note = set(paragraphs(first.note)) if texts else set()
    for text in texts:
        for paragraph in paragraphs(text):
            if paragraph not in in_note:
                kept.setdefault(paragraph)
    note = "\n\n".join(kept)
    if first.conflict is None and (block.status, block.tags, note) == (first.status, first.tags, ""):
        return  # it says nothing the first one does not
    first.conflict = replace(block, note=note)


def _status(
    line: str, line_no: int, key: str, problems: list[Problem]
) -> tuple[str | None, tuple[str, ...]] | None:
    """(status or None if unreadable, tags) from a status line; None if the line is not one."""
    match = _STATUS_LINE.match(line)
    if match is None:
        return None
    status: str | None = match.group("status").strip("*_").lower()
    if status not in STATUSES:
        problems.append(
            Problem(
                line_no,
                f"unknown status {match.group('status')!r} (use one of {', '.join(STATUSES)}); "
                "the library's status is kept",
                key=key,
                severity="warning",
            )
        )
        status = None
    tags = _split_tags(match.group("tags")) if match.group("tags") else ()
    return status, tags


def _parse_conflict(lines: Sequence[str], line_no: int, key: str, problems: list[Problem]) -> ConflictBlock:
    i = 0
    while i < len(lines) and lines[i].lstrip(" \t").startswith(">"):  # the callout
        i += 1
    while i < len(lines) and not lines[i].strip(" \t"):
        i += 1
    status: str | None = None
    tags: tuple[str, ...] | None = None
    if i < len(lines):
        parsed = _status(lines[i], line_no + i, key, problems)
        if parsed is not None:
            status, tags = parsed
            i += 1
    return ConflictBlock(status=status, tags=tags, note=_body(lines[i:]))


# -- render ------------------------------------------------------------------------------------------------


def render_conflict(block: ConflictBlock, key: str) -> str:
    callout = (DELETED_CALLOUT if block.deleted else CONFLICT_CALLOUT).format(key=key)
    begin = "<!-- papershelf:conflict=deleted -->" if block.deleted else "<!-- papershelf:conflict -->"
    parts = [begin, callout, "", status_line(block.status, block.tags)]
    note = normalise_note(block.note)
    if note:
        parts += ["", _note_text(note)]
    parts.append("<!-- papershelf:end-conflict -->")
    return "\n".join(parts)


def heading(title: str, key: str) -> str:
    """A section's heading line."""
    return "## " + (" ".join(title.split()) or " ".join(key.split()))


def render_section(section: Section) -> str:
    """One section in its canonical form (``section.raw`` is ignored)."""
    parts = [heading(section.title, section.key), _key_line(section.key), status_line(section.status, section.tags)]
    note = normalise_note(section.note)
    if note:
        parts += ["", _note_text(note)]
    if section.conflict is not None:
        parts += ["", render_conflict(section.conflict, section.key)]
    return "\n".join(parts)


def render(preamble: str, sections: Iterable[Section], *, newline: str = "\n", bom: bool = False) -> str:
    """The whole file: the preamble (or the default one), then the sections ordered by key.

    Verbatim sections are written as read (a fence they leave open is closed); sections with the same key
    keep the order given.
    """
    return run(render_steps(preamble, sections, newline=newline, bom=bom))


def render_steps(
    preamble: str, sections: Iterable[Section], *, newline: str = "\n", bom: bool = False
) -> Generator[None, None, str]:
    """:func:`render` in steps: pauses (yields) every few milliseconds, returns the text."""
    parts = yield from _render_parts(preamble, sections)
    text = "\n\n".join(part if isinstance(part, str) else _bytes(part).decode("utf-8") for part in parts)
    del parts
    yield
    if newline != "\n":
        text = text.replace("\n", newline)
    return "\ufeff" + text if bom else text


def render_encoded_steps(
    preamble: str, sections: Iterable[Section], *, newline: str = "\n", bom: bool = False
) -> Generator[None, None, bytes]:
    """:func:`render` encoded as UTF-8, in steps: the bytes of the file, without ever holding its whole text
    (which takes up to 4 bytes a character: 2 for a file with any character above U+00FF)."""
    pieces = yield from render_encoded_pieces_steps(preamble, sections, newline=newline, bom=bom)
    yield
    return b"".join(map(_bytes, pieces))


def _bytes(part: bytes | FileSpan) -> bytes:
    if isinstance(part, FileSpan):
        raise TypeError("a section given as a span of the file is written by the syncer, which reads it")
    return part


def render_encoded_pieces_steps(
    preamble: str, sections: Iterable[Section], *, newline: str = "\n", bom: bool = False
) -> Generator[None, None, list[bytes | FileSpan]]:
    """:func:`render_encoded_steps` as the file's pieces in order (their concatenation is the file), so that
    the whole file is never one more copy in memory. A section's text is let go once encoded: give
    sections no one else holds and the text is not held twice either. A section with a ``span`` is that
    span of the file (a file of LF line endings only: the bytes are as they are in the file)."""
    parts = yield from _render_parts(preamble, sections)
    del sections
    pieces: list[bytes | FileSpan] = ["\ufeff".encode()] if bom else []
    separator = ("\n\n" if newline == "\n" else newline * 2).encode("utf-8")
    for number, part in enumerate(parts):
        if number % STEP_SECTIONS == STEP_SECTIONS - 1:
            yield
        if number:
            pieces.append(separator)
        if isinstance(part, FileSpan):
            if newline != "\n":
                raise ValueError("a section given as a span of the file needs a file of LF line endings")
            pieces.append(part)
            if number == len(parts) - 1:
                pieces.append(b"\n")  # the file's final newline (see _render_parts)
        elif isinstance(part, bytes):
            pieces.append(part if newline == "\n" else part.replace(b"\n", newline.encode("utf-8")))
        else:
            pieces.append((part if newline == "\n" else part.replace("\n", newline)).encode("utf-8"))
        parts[number] = part = ""  # each part goes once it is encoded
    return pieces


def _render_parts(
    preamble: str, sections: Iterable[Section]
) -> Generator[None, None, list[str | bytes | FileSpan]]:
    """The file's parts (preamble, sections ordered by key) to join with a blank line, as text or as UTF-8
    (a section given ``encoded``) or as a span of the file (``span``); the last one ends with the file's
    final newline, except a span (whose newline follows it)."""
    parts: list[str | bytes | FileSpan] = [_verbatim(preamble.rstrip(" \t\n") or DEFAULT_PREAMBLE)]
    for number, section in enumerate(sorted(sections, key=lambda s: s.key)):
        if number % STEP_SECTIONS == STEP_SECTIONS - 1:
            yield
        if section.verbatim and section.span is not None:
            parts.append(section.span)
        elif section.verbatim and section.encoded is not None:
            if section.open_fence or b"<<<<<<<" in section.encoded:
                parts.append(_verbatim(section.encoded.decode("utf-8")))
            else:
                parts.append(section.encoded)
        elif section.verbatim:
            parts.append(_verbatim(section.raw) if section.open_fence or "<<<<<<<" in section.raw else section.raw)
        else:
            parts.append(render_section(section))
    last = parts[-1]
    if isinstance(last, bytes):
        parts[-1] = last + b"\n"  # (only the last part is copied)
    elif isinstance(last, str):
        parts[-1] = last + "\n"
    return parts


def render_document(doc: NotesDocument) -> str:
    return render(doc.preamble, doc.sections, newline=doc.newline, bom=doc.bom)
