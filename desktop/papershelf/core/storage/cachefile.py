"""Cache files (``similarity.cache``, ``search.cache``): derived data that can always be rebuilt.

Layout: a magic line naming the kind of file, the header's length (8 bytes, little-endian), an orjson
header (padded with spaces to a multiple of 8 bytes), then raw arrays in the machine's byte order
(``byteorder`` in the header). No pickle: a
damaged or foreign file is refused with the caller's error type, never executed.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from papershelf.core.storage.store import atomic_write_bytes


def write(path: Path, magic: bytes, header: dict[str, Any], blobs: Sequence[bytes | memoryview]) -> None:
    """Write the file atomically; ``header`` gets ``byteorder`` added. The blobs are written as they are."""
    atomic_write_bytes(path, laid_out(magic, header, blobs))


def laid_out(magic: bytes, header: dict[str, Any], blobs: Sequence[bytes | memoryview]) -> list[bytes | memoryview]:
    """The parts of such a file, in order (to be written one after the other); ``header`` gets ``byteorder``."""
    head = orjson.dumps({**header, "byteorder": sys.byteorder})
    head += b" " * (-(len(magic) + 8 + len(head)) % 8)  # the arrays start 8-aligned: usable in place
    return [magic, len(head).to_bytes(8, "little"), head, *blobs]


def read(path: Path, magic: bytes, error: type[Exception]) -> tuple[dict[str, Any], bytes, int]:
    """The header, the whole file and where the arrays start.

    Raises:
        FileNotFoundError: there is no file.
        error: not such a file, a damaged header, or written on a machine of another byte order.
    """
    return parse(path.read_bytes(), magic, error)


def parse(raw: bytes, magic: bytes, error: type[Exception]) -> tuple[dict[str, Any], bytes, int]:
    """``read``'s answer for a file's bytes."""
    if not raw.startswith(magic):
        raise error(f"not a Papershelf {magic.decode(errors='replace').strip().lower()} file")
    at = len(magic)
    size = int.from_bytes(raw[at : at + 8], "little")
    at += 8
    try:
        header = orjson.loads(raw[at : at + size])
    except orjson.JSONDecodeError as exc:
        raise error("the header is damaged") from exc
    if not isinstance(header, dict):
        raise error("the header is damaged")
    if header.get("byteorder") != sys.byteorder:
        raise error("written on a machine of another byte order")
    return header, raw, at + size
