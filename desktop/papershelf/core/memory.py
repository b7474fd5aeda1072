"""Working with many objects at once: pausing the collector, reading (or copying) a large store file in pieces."""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import re
import sys
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Final, overload

import orjson


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while making many objects that are not garbage.

    Loading a library or parsing a large file makes millions of objects; without the pause the
    collector walks them again and again (3.6 s instead of 0.9 s to open a 100k library).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD: Final = -1
_M_MMAP_THRESHOLD: Final = -3
LARGE_BLOCK = 128 << 10
"""Bytes: a block this large or larger gets a mapping of its own from the C allocator (see ``return_large_blocks``)."""
_KEPT: Final = 1 << 30  # within ``temporaries_kept``: no block gets a mapping of its own, nothing is trimmed


@functools.cache
def _glibc(name: str, *argtypes: str) -> Any | None:
    """glibc's function ``name`` taking ``argtypes`` (ctypes' names), or None (not Linux, or a C library
    without it)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # here: only Linux needs it (and numpy has loaded it by then anyway)

    try:
        function = getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):  # a C library other than glibc (musl has no mallopt)
        return None
    function.argtypes = [getattr(ctypes, t) for t in argtypes]
    return function


def _mallopt(parameter: int, value: int) -> bool:
    mallopt = _glibc("mallopt", "c_int", "c_int")
    return mallopt is not None and mallopt(parameter, value) == 1


@functools.cache
def return_large_blocks() -> bool:
    """Have the C allocator map every block of ``LARGE_BLOCK`` or more on its own and unmap it when freed.

    glibc does so too, until a large block is freed: it then raises the size from which it maps blocks
    (up to 32 MB), and later large temporaries (numpy arrays while the word index is built, the bytes
    of a piece being parsed) come from its heap, where freed memory mostly stays with the process. A
    fixed size keeps them out of it: peak RSS at 10k papers 120 -> 116 MB, at 100k 414 -> 391 MB (first
    open), for a mapping and its page faults per large block (~0.1 ms a MB).

    Process-wide and done once (a library opened calls it). False where it cannot be done (not glibc).
    """
    return _mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK)


def return_freed_memory() -> None:
    """Give the pages the C allocator holds free back to the system (glibc's ``malloc_trim``; elsewhere
    nothing). Merging a large notes file makes and frees a text or two of each note (tens of kilobytes
    each) between the notes the library keeps: without this the freed gaps stay in the process, ~50 MB
    for a 50 MB file. ~1 ms for what a few hundred notes leave."""
    trim = _glibc("malloc_trim", "c_size_t")
    if trim is not None:
        trim(0)


@contextlib.contextmanager
def temporaries_kept() -> Iterator[None]:
    """Within it, memory freed is kept for the next allocations; on leaving, what is free goes back.

    Outside it every block of ``LARGE_BLOCK`` or more is pages of its own, returned when freed, so each
    temporary array of a build step is new memory whose pages fault in on first touch. Tokenising a 100k
    catalogue makes thousands of them: with the memory kept between steps the tokeniser takes ~40% less
    CPU. On leaving, the large blocks get their own pages again (``return_large_blocks``'s setting; glibc's
    trim threshold back to its default) and the free memory is given back, so the peak stays what the
    work needs. Process-wide while it lasts; nothing where it cannot be done (not glibc).
    """
    if not _mallopt(_M_MMAP_THRESHOLD, _KEPT):
        yield
        return
    _mallopt(_M_TRIM_THRESHOLD, _KEPT)
    try:
        yield
    finally:
        _mallopt(_M_TRIM_THRESHOLD, LARGE_BLOCK)  # (glibc's default trim threshold is 128 KB as well)
        _mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK)
        return_freed_memory()


PIECES_FROM = 16 << 20
"""Bytes: a store file at least this large is parsed in pieces (a 10k-paper catalogue is ~17 MB)."""
PIECE_BYTES = 1 << 20
# Where one document of a table ends and the next begins, in the compact JSON orjson writes: a
# closing brace, then a key whose value is an object starting with "id". Never inside a string, where
# every quote is escaped (preceded by a backslash, not by a comma).
_NEXT_DOCUMENT: Final = re.compile(rb'\},"(?:[^"\\]|\\.)*":\{"id":"')


def _literal(raw: bytes, length: int) -> str | None:
    """The string a JSON string literal of ``length`` bytes encodes, or None if ``raw`` is not one."""
    if len(raw) != length or raw[:1] != b'"' or raw[-1:] != b'"':
        return None
    try:
        # no escape: the bytes between the quotes are the text (5x quicker than parsing them)
        text: Any = raw[1:-1].decode() if b"\\" not in raw else orjson.loads(raw)
    except (UnicodeDecodeError, orjson.JSONDecodeError):
        return None
    return text if type(text) is str else None


class TextFile:
    """Strings kept in a file instead of in memory, read when asked for (``read``).

    A string is a JSON string literal at a known place in the file (``place``: its offset and length in
    one int, 32 bytes, where the string would be 49 bytes and more, one per character). The file is
    held open, not named: a store replaced meanwhile (``os.replace``) is still read as it was, so a
    place never goes stale while a ``TextFile`` exists; it is closed when the last object using it is
    gone. POSIX only (``os.pread``): elsewhere ``open`` gives None and strings stay in memory.
    """

    __slots__ = ("__weakref__", "_ahead", "_fd", "_last", "opened")
    LENGTH_BITS: Final = 24  # a literal of 16 MB or more is kept in memory (``place`` gives None)

    def __init__(self, fd: int) -> None:
        """Take over ``fd`` (an open file descriptor, closed with this object)."""
        self._fd = fd
        self.opened = os.fstat(fd)
        """The file's status when it was opened (a change since moves its change time: ``stat``)."""
        # The last string read, by its place: what reads a paper's abstract often reads it twice in a row
        # (the search index's row: its search text, then whether the row can be made again from it).
        self._last: tuple[int, str] = (-1, "")
        self._ahead: dict[int, str] = {}  # strings read ahead (``read_ahead``), each until it is read
        weakref.finalize(self, os.close, fd)

    @classmethod
    def open(cls, file: BinaryIO) -> TextFile | None:
        """The file ``file`` is open on (a descriptor of its own), or None where strings cannot be read so."""
        if not hasattr(os, "pread"):
            return None
        return cls(os.dup(file.fileno()))

    @classmethod
    def place(cls, offset: int, length: int) -> int | None:
        """The place of a literal of ``length`` bytes at ``offset``, or None if it is too long to keep so."""
        return None if length >> cls.LENGTH_BITS else offset << cls.LENGTH_BITS | length

    def read(self, place: int) -> str:
        """The string at ``place`` (as ``place`` gave it).

        Raises:
            OSError: the file cannot be read there (changed in place by another program).
        """
        last_place, last = self._last
        if place == last_place:
            return last
        text = self._ahead.pop(place, None)
        if text is None:
            length, offset = place & ((1 << self.LENGTH_BITS) - 1), place >> self.LENGTH_BITS
            text = _literal(os.pread(self._fd, length, offset), length)
            if text is None:
                raise OSError(f"the file changed under Papershelf: no text at byte {offset}")
        self._last = (place, text)
        return text

    def read_ahead(self, places: Iterable[int]) -> None:
        """Read the strings at ``places`` now, with one read of the bytes they lie in, for ``read`` to give.

        For strings asked for together that lie close together (a chunk of papers' abstracts: one read of
        ~600 kB instead of 256 of ~1.5 kB). When they are far apart (the bytes between them more than
        theirs), each is read when asked for. What was read ahead and not asked for is dropped.
        """
        mask = (1 << self.LENGTH_BITS) - 1
        spans = sorted((place >> self.LENGTH_BITS, place & mask, place) for place in places)
        self._ahead = {}
        if not spans:
            return
        start = spans[0][0]
        end = max(offset + length for offset, length, _ in spans)
        if end - start > 2 * sum(length for _, length, _ in spans) + 65536 or end - start > 1 << 24:
            return
        raw = os.pread(self._fd, end - start, start)
        ahead = self._ahead
        for offset, length, place in spans:
            text = _literal(raw[offset - start : offset - start + length], length)
            if text is not None:  # (else ``read`` reads it again, and says what is wrong)
                ahead[place] = text

    def stat(self) -> os.stat_result:
        """The open file's status now (its inode, size, times: the file places point into, even if replaced)."""
        return os.fstat(self._fd)

    def __copy__(self) -> TextFile:
        return self  # one open file, shared by the objects that read from it

    def __deepcopy__(self, memo: dict[int, Any]) -> TextFile:
        return self


@dataclass(frozen=True, slots=True)
class Piece:
    """Where one piece's documents were parsed from: its bytes (``data``) start at ``offset`` in ``file``.

    ``file`` is None where the file cannot be read later (``TextFile.open``).
    """

    data: bytes
    offset: int
    file: TextFile | None


Convert = Callable[[dict[str, Any], str, dict[str, Any], Piece], dict[str, Any]]
"""Given the file's tables as far as its first piece goes, a table's name, one piece's documents of that
table and the piece they come from, what to keep of them (the documents, or objects made of them)."""


class CachedConvert:
    """A ``Convert`` that may also give a large file's whole value from a cache of its own (``cached``)."""

    def __call__(self, root: dict[str, Any], name: str, documents: dict[str, Any], piece: Piece) -> dict[str, Any]:
        return documents

    def cached(self, path: Path, file: BinaryIO) -> Any | None:
        """The value of the file at ``path`` (open as ``file``) as a cache kept for it holds it, or None
        (no cache, or one that is not for this very file): the file is then read."""
        return None


class _NotInPieces(ValueError):
    """The file's pieces do not make one table's documents: parse it whole."""


def load_json_file(
    path: Path, piece_bytes: int | None = None, pieces_from: int | None = None, convert: Convert | None = None
) -> Any:
    """The JSON value of a store file, read so that its bytes are never in memory all at once.

    A large store (``pieces_from`` bytes or more) is one large table of documents (``{"_meta": ...,
    "papers": {id: {"id": ...}, ...}}``): it is read ``piece_bytes`` at a time, cut between two
    documents, and each piece parsed on its own, so only the parsed documents and one piece are held
    (at 100k papers the 177 MB of the file are not held beside what they parse to). A file whose
    pieces do not parse as one table's documents (another shape, or damage) is parsed whole, with the
    same result or error as ``orjson.loads`` of its bytes. The defaults: ``PIECES_FROM``, ``PIECE_BYTES``.

    ``convert``, if given, is applied to the documents of each piece as it is parsed (a file read
    whole is returned as parsed): objects made of one piece's documents replace them before the next
    piece is parsed, so those documents' dicts are never all held at once either.
    A ``CachedConvert`` is asked first for a large file's value from its cache (``cached``).

    Raises:
        OSError: the file cannot be read.
        ValueError: the file is empty, or (``orjson.JSONDecodeError``) not JSON.
    """
    piece_bytes = PIECE_BYTES if piece_bytes is None else piece_bytes
    with path.open("rb") as file:
        if os.fstat(file.fileno()).st_size < (PIECES_FROM if pieces_from is None else pieces_from):
            raw = file.read()
            if not raw.strip():
                raise ValueError("the file is empty")
            return orjson.loads(raw)
        if isinstance(convert, CachedConvert):
            value = convert.cached(path, file)
            if value is not None:
                return value
            file.seek(0)
        try:
            return _load_in_pieces(file, piece_bytes, convert or _as_parsed)
        except (_NotInPieces, orjson.JSONDecodeError):
            file.seek(0)
            return orjson.loads(file.read())


def _pieces(file: BinaryIO, piece_bytes: int) -> Iterator[bytes]:
    """The file's bytes in pieces, each cut just after a document's closing brace (the last: the rest)."""
    held = b""
    while block := file.read(piece_bytes):
        held += block
        last = None
        for start in (max(len(held) - (1 << 16), 0), 0):  # the last cut: looked for near the end first
            for last in _NEXT_DOCUMENT.finditer(held, start):  # noqa: B007 - the last one is wanted
                pass
            if last is not None:
                break
        if last is not None:
            yield held[: last.start() + 1]
            held = held[last.start() + 1 :]
    yield held


def _as_parsed(root: dict[str, Any], name: str, documents: dict[str, Any], piece: Piece) -> dict[str, Any]:
    return documents


def _load_in_pieces(file: BinaryIO, piece_bytes: int, convert: Convert) -> Any:
    # Opened (its status taken: ``TextFile.opened``) before a byte is read: what was read is that file's.
    text_file = TextFile.open(file) if convert is not _as_parsed else None
    pieces = _pieces(file, piece_bytes)
    first = next(pieces)
    following = next(pieces, None)
    if following is None:
        raise _NotInPieces  # no cut: the whole file is the first piece
    root = orjson.loads(first + b"}}")  # the table's documents so far, then the end of the table and file
    if type(root) is not dict or not root:
        raise _NotInPieces
    name = next(reversed(root))
    if type(root[name]) is not dict:
        raise _NotInPieces
    table = root[name] = convert(root, name, root[name], Piece(first, 0, text_file))
    offset = len(first)  # of ``following`` in the file
    for piece in pieces:  # ``following`` is a whole number of documents: ,"id":{...},"id":{...}
        documents = orjson.loads(b"{" + following[1:] + b"}")
        if following[:1] != b"," or type(documents) is not dict:
            raise _NotInPieces
        table.update(convert(root, name, documents, Piece(following, offset, text_file)))
        offset += len(following)
        following = piece
    # the last piece: documents, the end of the table, maybe further tables, the end of the file
    rest = orjson.loads(b"{" + orjson.dumps(name) + b":{" + following[1:])
    if following[:1] != b"," or type(rest) is not dict or type(rest.get(name)) is not dict:
        raise _NotInPieces
    table.update(convert(root, name, rest.pop(name), Piece(following, offset, text_file)))
    if rest.keys() & root.keys():
        raise _NotInPieces
    root.update(rest)
    return root


class FileChunks(Sequence[bytes]):
    """A file's bytes in chunks, read as they are iterated: ``atomic_write_bytes(target, FileChunks(path))``
    copies a file without ever holding it whole (a 177 MB catalogue backed up beside 300 MB of papers).

    The file is opened when iteration starts: one replaced meanwhile (``os.replace``) is read as it was.
    """

    def __init__(self, path: Path, chunk_bytes: int = 1 << 20) -> None:
        self.path = path
        self.chunk_bytes = chunk_bytes

    def __iter__(self) -> Iterator[bytes]:
        with self.path.open("rb") as file:
            while chunk := file.read(self.chunk_bytes):
                yield chunk

    def __len__(self) -> int:
        return -(-self.path.stat().st_size // self.chunk_bytes)

    @overload
    def __getitem__(self, index: int) -> bytes: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[bytes]: ...
    def __getitem__(self, index: int | slice) -> bytes | Sequence[bytes]:
        return list(self)[index]
