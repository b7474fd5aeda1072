"""``catalogue.cache``: a large catalogue's papers kept in a form read ~4x faster than ``catalogue.json``.

The catalogue stays the TinyDB file it is, and the source of truth; the cache beside it holds the
same papers as columns (their texts joined in UTF-8 blobs, shared values as codes, whole numbers in
one array, the small rest in orjson) and is used only for the very file it was made from: stamped
with ``catalogue.json``'s inode, size, modification and change times (any write replaces the file, a
change in place moves the change time), a format version and the schema, and checked whole (CRC-32)
before a value is used. A stale, damaged or foreign cache is ignored (the file is read, and the cache
made again at close).

The abstracts stay in ``catalogue.json``: the cache holds their places there (``core/memory.TextFile``),
valid because the file is the one stamped. Measured at 100k papers: opening 1.2-1.4 s -> ~0.35 s.
"""

from __future__ import annotations

import os
import sys
import zlib
from array import array
from collections.abc import Mapping, Sequence
from pathlib import Path
from sys import intern
from typing import Any, BinaryIO, Final

import orjson

from papershelf.core.memory import TextFile
from papershelf.core.model import STATE, Paper, paper_columns, papers_from_states
from papershelf.core.storage import cachefile

CACHE_FILE: Final = "catalogue.cache"
MAGIC: Final = b"PAPERSHELF CATALOGUE CACHE\n"
FORMAT: Final = 2
"""The layout's version: a cache of another (or of another ``model.STATE``) is ignored."""

_SEP: Final = "\x1f"  # between the texts of a column; a text holding it is kept apart ("odd")
_TEXTS: Final = ("id", "key", "title", "authors", "url", "doi")
_CODED: Final = ("venue", "track", "entry_type", "added")  # few distinct values: a table and a code per paper
_SHARED_UP_TO: Final = 200  # field values up to this long are interned, as ``Paper.from_doc`` does
_TEXT_COLUMNS: Final = (*_TEXTS, "abstract", "values")  # abstracts held as text; the fields' values
_BLOBS: Final = 2 + len(_TEXT_COLUMNS)  # the numbers (JSON), the whole numbers (an array), the texts
_NO_YEAR: Final = -(1 << 63)


class CacheDamagedError(ValueError):
    """Not a catalogue cache, or not a whole one."""


def cache_path(catalogue: Path) -> Path:
    return catalogue.with_name(CACHE_FILE)


def stamp(info: os.stat_result) -> list[int]:
    """What tells one state of a file from another: inode, size, modification and change times (ns)."""
    return [info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def is_current(catalogue: Path, schema: int) -> bool:
    """Whether the cache beside ``catalogue`` is whole and was made from the file there now."""
    try:
        with cache_path(catalogue).open("rb") as cache:
            blobs = _Blobs(cache, schema, catalogue.stat())
            for _ in range(_BLOBS):
                blobs.next()  # (a blob may be empty: no BibTeX fields, no short abstracts)
            blobs.check()
    except (OSError, ValueError, TypeError, KeyError):
        return False
    return True


class _Blobs:
    """A cache's blobs, read one at a time from ``cache`` (not the whole file at once: ~25 MB less at the
    peak of a 100k opening); ``check`` says, once all are read, whether they were the ones written.

    Raises (on making, ``next`` and ``check``):
        OSError: the cache cannot be read.
        CacheDamagedError: not a cache of the file whose status is ``info``, or not a whole one.
    """

    def __init__(self, cache: BinaryIO, schema: int, info: os.stat_result) -> None:
        size = os.fstat(cache.fileno()).st_size
        head = cache.read(len(MAGIC) + 8)
        if len(head) != len(MAGIC) + 8 or not head.startswith(MAGIC):
            raise CacheDamagedError("not a catalogue cache")
        header_size = int.from_bytes(head[len(MAGIC):], "little")
        if header_size > size - len(head):  # (a damaged size is never read: that would allocate it first)
            raise CacheDamagedError("not a whole catalogue cache")
        header = orjson.loads(cache.read(header_size))
        if not isinstance(header, dict) or header.get("byteorder") != sys.byteorder \
                or header.get("format") != FORMAT or header.get("state") != list(STATE) \
                or header.get("schema") != schema \
                or header.get("stamp") != stamp(info):
            raise CacheDamagedError("not a cache of this catalogue file")
        lengths = header.get("lengths")
        if type(lengths) is not list or len(lengths) != _BLOBS or any(type(n) is not int or n < 0 for n in lengths) \
                or sum(lengths) != size - len(head) - header_size:
            raise CacheDamagedError("not a whole catalogue cache")
        self._cache, self._lengths, self._crc, self._read = cache, lengths, header.get("crc"), 0
        self._sum = 0

    def next(self) -> bytes:
        """The next blob.

        Raises:
            CacheDamagedError: all were read.
        """
        if self._read == len(self._lengths):
            raise CacheDamagedError("more blobs asked for than a catalogue cache has")
        length = self._lengths[self._read]
        blob = self._cache.read(length)
        if len(blob) != length:
            raise CacheDamagedError("not a whole catalogue cache")
        self._sum = zlib.crc32(blob, self._sum)
        self._read += 1
        return blob

    def check(self) -> None:
        if self._read != len(self._lengths) or self._cache.read(1) \
                or zlib.crc32(orjson.dumps(self._lengths), self._sum) != self._crc:
            raise CacheDamagedError("not a whole catalogue cache")


def write(catalogue: Path, schema: int, tables: Mapping[str, Any], table: str, papers: Mapping[str, Paper]) -> bool:
    """Keep ``papers`` (table ``table`` of ``catalogue``, the other tables ``tables``) in the cache beside it.

    Only papers as read from the file there now can be kept: every abstract read from the file is read
    from one ``TextFile``, which must be that file, unchanged (its stamp). Returns False, writing
    nothing, when they are not (the catalogue written since, or papers not read in pieces), when the
    cache is current already, or when a value cannot be kept so.

    Raises:
        OSError: the cache cannot be written.
    """
    if not papers or is_current(catalogue, schema):
        return False
    named = paper_columns(list(papers.values()))
    files = {id(f): f for f, held in zip(named["file"], named["abstract"], strict=True) if type(held) is int}
    if len(files) != 1 or any(pid != paper.id for pid, paper in papers.items()):
        return False
    file = next(iter(files.values()))
    made_from = stamp(file.opened)  # what the papers were read from: still the file, unchanged?
    try:
        if stamp(file.stat()) != made_from or stamp(catalogue.stat()) != made_from:
            return False
    except OSError:
        return False
    count = len(papers)
    odd: dict[str, dict[int, Any]] = {}
    ints = _Ints()
    abstracts = named["abstract"]
    years = named["year"]
    odd["year"] = {row: year for row, year in enumerate(years)
                   if year is not None and not (type(year) is int and _NO_YEAR < year < 1 << 63)}
    coded = {}
    for name in _CODED:
        codes = {value: i for i, value in enumerate(dict.fromkeys(named[name]))}
        coded[name] = [list(codes), ints.put([codes[v] for v in named[name]])]
    shapes: dict[tuple[str, ...], tuple[list[int], list[list[int]]]] = {}
    value_codes: dict[str, int] = {}
    for row, fields in enumerate(named["fields"]):
        names = tuple(fields)
        shape = shapes.get(names)
        if shape is None:
            shape = shapes[names] = ([], [[] for _ in names])
        shape[0].append(row)
        for column, value in zip(shape[1], fields.values(), strict=True):
            column.append(value_codes.setdefault(value, len(value_codes)))
    texts: list[bytes] = []
    text_columns: list[Sequence[Any]] = [named[name] for name in _TEXTS]
    text_columns += [[a if type(a) is str else "" for a in abstracts], list(value_codes)]
    for name, texts_of in zip(_TEXT_COLUMNS, text_columns, strict=True):
        joined, odd[name] = _joined(texts_of)
        texts.append(joined.encode("utf-8", "surrogatepass"))
    numbers = {
        "count": count,
        "year": ints.put([_NO_YEAR if year is None or row in odd["year"] else year for row, year in enumerate(years)]),
        "places": ints.put([a if type(a) is int else -1 for a in abstracts]),
        "coded": coded,
        "shapes": [[list(names), ints.put(rows), [ints.put(codes) for codes in columns]]
                   for names, (rows, columns) in shapes.items()],
        "aliases": {str(row): list(a) for row, a in enumerate(named["aliases"]) if a},
        "odd": {name: {str(row): value for row, value in rows.items()} for name, rows in odd.items() if rows},
        "tables": dict(tables),
    }
    try:
        blobs = [orjson.dumps(numbers), ints.array.tobytes(), *texts]
    except (TypeError, OverflowError, orjson.JSONEncodeError):  # a value JSON cannot hold (never one the file holds)
        return False
    crc = 0
    for blob in blobs:
        crc = zlib.crc32(blob, crc)
    lengths = [len(b) for b in blobs]
    crc = zlib.crc32(orjson.dumps(lengths), crc)  # the blobs and where each ends
    header = {"format": FORMAT, "state": list(STATE), "schema": schema, "stamp": made_from, "lengths": lengths,
              "crc": crc}
    cachefile.write(cache_path(catalogue), MAGIC, header, blobs)
    return True


class _Ints:
    """Lists of whole numbers kept in one array (8 bytes each, read back without a parse: orjson holds
    several times its input while parsing, ~20 MB at the peak of a 100k opening for these)."""

    def __init__(self) -> None:
        self.array = array("q")

    def put(self, numbers: list[int]) -> list[int]:
        """Where ``numbers`` are: ``[start, length]``.

        Raises:
            OverflowError: a number does not fit in 8 bytes.
        """
        start = len(self.array)
        self.array.extend(numbers)
        return [start, len(numbers)]


def _joined(values: Any) -> tuple[str, dict[int, Any]]:
    """The texts joined by ``_SEP``, and the values that cannot be (not a str, or holding ``_SEP``) by row."""
    try:
        joined = _SEP.join(values)
        if joined.count(_SEP) == len(values) - 1:
            return joined, {}
    except TypeError:
        pass
    odd = {row: value for row, value in enumerate(values) if type(value) is not str or _SEP in value}
    return _SEP.join("" if row in odd else value for row, value in enumerate(values)), odd


def read(catalogue: Path, file: BinaryIO, schema: int, table: str) -> dict[str, Any] | None:
    """The catalogue's tables with ``table``'s papers made from the cache, or None if it cannot be used.

    ``file`` is ``catalogue`` open: the cache must be of that very file (its stamp); the papers read
    their abstracts from it.
    """
    try:
        with cache_path(catalogue).open("rb") as cache:
            return _decode(_Blobs(cache, schema, os.fstat(file.fileno())), file, table)
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None  # (orjson's and UnicodeDecodeError are ValueErrors)


def _decode(blobs: _Blobs, file: BinaryIO, table: str) -> dict[str, Any] | None:
    """The tables, from a cache's blobs; nothing is made of them before they are checked whole."""
    numbers = orjson.loads(blobs.next())
    ints = array("q")
    ints.frombytes(blobs.next())

    def listed(where: list[int]) -> list[int]:
        start, length = where
        if not 0 <= start <= start + length <= len(ints):
            raise CacheDamagedError("numbers out of place")
        return ints[start : start + length].tolist()

    count = numbers["count"]
    columns: dict[str, list[Any]] = {}
    for name in _TEXT_COLUMNS:
        columns[name] = blobs.next().decode("utf-8", "surrogatepass").split(_SEP)
    blobs.check()
    for name, rows in numbers["odd"].items():
        column = columns[name]
        for row, value in rows.items():
            column[int(row)] = value
    places = listed(numbers["places"])
    columns["abstract"] = [text if place < 0 else place for text, place in zip(columns["abstract"], places,
                                                                                strict=True)]
    for name in _CODED:
        values, where = numbers["coded"][name]
        values = [intern(v) if type(v) is str else v for v in values]
        columns[name] = [values[code] for code in listed(where)]
    columns["year"] = [None if year == _NO_YEAR else year for year in listed(numbers["year"])]
    for row, year in numbers["odd"].get("year", {}).items():
        columns["year"][int(row)] = year
    values = [intern(v) if len(v) <= _SHARED_UP_TO else v for v in columns.pop("values")]
    fields: list[Any] = [None] * count
    for names, rows_at, codes_at in numbers["shapes"]:
        rows = listed(rows_at)
        if not names:
            for row in rows:
                fields[row] = {}
            continue
        made = [dict(zip(names, row_values, strict=True))
                for row_values in zip(*([values[c] for c in listed(at)] for at in codes_at), strict=True)]
        for row, made_fields in zip(rows, made, strict=True):
            fields[row] = made_fields
    columns["fields"] = fields
    aliases: list[list[str]] = [[] for _ in range(count)]
    for row, names in numbers["aliases"].items():
        aliases[int(row)] = names
    columns["aliases"] = aliases
    if any(len(column) != count for column in columns.values()) or None in fields:
        raise CacheDamagedError("a column of the wrong length")
    text_file = None
    if any(place >= 0 for place in places):
        text_file = TextFile.open(file)
        if text_file is None:
            return None  # (no pread here: the abstracts cannot be read from the file)
    papers = papers_from_states(zip(*(columns[name] for name in STATE), strict=True), text_file)
    tables = numbers["tables"]
    tables[table] = dict(zip(columns["id"], papers, strict=True))
    return tables
