"""Rotating backups of the library's store files, and finding the newest good one after a corruption.

A backup is taken when a store file changed since the newest backup: on start, daily while the app runs,
and after every import (the catalogue only changes on import, so each import's papers are in a backup
from the moment they are in the library). Backups are named after the file and its modification time,
so checking whether one is needed costs a ``stat``, not a read.

How many are kept (``KEEP``): the annotations store is small, the last 5. The catalogue can be large
(about 1.6 kB a paper): the last 10, and older ones are dropped once all of them together pass 256 MB,
but the newest two are always kept, so that one damaged backup still leaves another to restore.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from papershelf.core.memory import FileChunks
from papershelf.core.storage.store import atomic_write_bytes, backup_folder


@dataclass(frozen=True, slots=True)
class Keep:
    """How many backups of one store file are kept: at most ``count``, and older ones are dropped while
    all together take more than ``max_bytes``, but never the newest ``always``."""

    count: int
    max_bytes: int | None = None
    always: int = 2


KEEP: Mapping[str, Keep] = {
    "annotations.json": Keep(count=5),
    "catalogue.json": Keep(count=10, max_bytes=256 * 2**20),
}


def backups_of(library_folder: Path, name: str) -> list[Path]:
    """Backups of ``name``, newest first."""
    folder = backup_folder(library_folder)
    if not folder.is_dir():
        return []
    stem = Path(name).stem
    found = [p for p in folder.glob(f"{stem}-*.json") if p.stem[len(stem) + 1 :].isdigit()]
    return sorted(found, key=lambda p: int(p.stem[len(stem) + 1 :]), reverse=True)


def taken_at(backup: Path) -> datetime:
    """When a backup was taken (the modification time of the file it copies, in its name)."""
    return datetime.fromtimestamp(int(backup.stem.rsplit("-", 1)[1]) / 1e9, UTC)


def take_backup(library_folder: Path, name: str) -> Path | None:
    """Copy the store file ``name`` into backups/ if it changed since the newest backup; rotate old ones."""
    source = library_folder / name
    try:
        stat = source.stat()
    except FileNotFoundError:
        return None
    stem = Path(name).stem
    target = backup_folder(library_folder) / f"{stem}-{stat.st_mtime_ns}.json"
    existing = backups_of(library_folder, name)
    # The same time but another size: two imports within one tick of a coarse clock; the newer wins.
    if existing and existing[0] == target and target.stat().st_size == stat.st_size:
        return None
    target.parent.mkdir(exist_ok=True)
    atomic_write_bytes(target, FileChunks(source))  # never the whole file in memory (177 MB at 100k papers)
    prune(library_folder, name, KEEP.get(name, Keep(count=3)))
    return target


def prune(library_folder: Path, name: str, keep: Keep) -> list[Path]:
    """Delete the backups of ``name`` that ``keep`` does not keep (oldest first); returns them."""
    dropped = []
    total = 0
    for n, old in enumerate(backups_of(library_folder, name)):
        try:
            total += old.stat().st_size
        except OSError:
            continue
        over = n >= keep.count or (keep.max_bytes is not None and total > keep.max_bytes)
        if over and n >= keep.always:
            old.unlink(missing_ok=True)
            dropped.append(old)
    return dropped


@dataclass(slots=True)
class Found:
    """The newest usable backup, and the newer ones passed over (with why)."""

    path: Path
    taken: datetime
    data: dict[str, Any]
    passed_over: list[tuple[Path, str]] = field(default_factory=list)


def newest_usable_backup(
    library_folder: Path, name: str, unusable: Callable[[dict[str, Any]], str | None]
) -> Found | None:
    """The newest backup of ``name`` that parses, has a store's shape, and for which ``unusable`` gives
    no reason; None when there is none."""
    passed_over: list[tuple[Path, str]] = []
    for path in backups_of(library_folder, name):
        try:
            data = orjson.loads(path.read_bytes())
        except OSError as exc:
            passed_over.append((path, f"cannot be read: {exc.strerror or exc}"))
            continue
        except orjson.JSONDecodeError:
            passed_over.append((path, "is damaged"))
            continue
        reason = "holds no store" if not _is_store_data(data) else unusable(data)
        if reason is None:
            return Found(path, taken_at(path), data, passed_over)
        passed_over.append((path, reason))
    return None


def newest_good_backup(
    library_folder: Path, name: str, is_good: Callable[[dict[str, object]], bool]
) -> tuple[Path, datetime] | None:
    """The newest backup of ``name`` that parses and passes ``is_good``, with the time it was taken."""
    found = newest_usable_backup(library_folder, name, lambda data: None if is_good(data) else "not usable")
    return None if found is None else (found.path, found.taken)


def _is_store_data(data: object) -> bool:
    """Whether parsed JSON has a store's shape: tables (at least one) of documents, all objects.

    Valid JSON is not enough: an empty object, or a table that is a list, would be "restored" and give
    the user nothing back while an older good backup was never tried.
    """
    if not isinstance(data, dict) or not data:
        return False
    return all(isinstance(table, dict) and all(isinstance(doc, dict) for doc in table.values())
               for table in data.values())


def restore_backup(backup: Path, target: Path) -> None:
    """Put a backup's content in place of ``target`` (which must have been set aside already)."""
    atomic_write_bytes(target, backup.read_bytes())
    os.utime(target)  # a new modification time: the next backup is a new file, not this one again


_NEXT_ID = re.compile(r'\s*,?\s*"')
_COLON = re.compile(r"\s*:\s*")


def readable_documents(raw: bytes, table: str) -> tuple[dict[str, Any], bool] | None:
    """The documents of ``table`` that a damaged store file still holds, by id, and whether that is all
    of them (the file parses) or those before the damage (each a whole JSON object). None: nothing
    could be read.

    Used to say what a restored backup lacks; the damaged file itself is kept, never changed.
    """
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    else:
        whole = data.get(table) if isinstance(data, dict) else None
        return (dict(whole), True) if isinstance(whole, dict) else None
    text = raw.decode("utf-8", errors="replace")
    start = re.search(rf'"{re.escape(table)}"\s*:\s*\{{', text)
    if start is None:
        return None
    docs: dict[str, Any] = {}
    decoder = json.JSONDecoder()
    at = start.end()
    while True:
        # one `"id": {...}` after another, until the end of the table or the damage
        match = _NEXT_ID.match(text, at)
        if match is None:
            break
        try:
            doc_id, at = json.decoder.scanstring(text, match.end())  # type: ignore[attr-defined]
            colon = _COLON.match(text, at)
            if colon is None:
                break
            doc, at = decoder.raw_decode(text, colon.end())
        except (ValueError, IndexError):
            break
        docs[doc_id] = doc
    return docs, False
