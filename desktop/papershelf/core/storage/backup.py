"""Rotating backups of the library's store files, and finding the newest good one after a corruption.

A backup is taken when a store file changed since the newest backup (on start, and daily while the app
runs). Backups are named after the file and its modification time, so checking whether one is needed
costs a ``stat``, not a read. The annotations store is small; the catalogue keeps fewer copies.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import orjson

from papershelf.core.storage.store import atomic_write_bytes, backup_folder

KEEP = {"annotations.json": 5, "catalogue.json": 2}


def _backups(library_folder: Path, name: str) -> list[Path]:
    """Backups of ``name``, newest first."""
    folder = backup_folder(library_folder)
    if not folder.is_dir():
        return []
    stem = Path(name).stem
    found = [p for p in folder.glob(f"{stem}-*.json") if p.stem[len(stem) + 1 :].isdigit()]
    return sorted(found, key=lambda p: int(p.stem[len(stem) + 1 :]), reverse=True)


def take_backup(library_folder: Path, name: str) -> Path | None:
    """Copy the store file ``name`` into backups/ if it changed since the newest backup; rotate old ones."""
    source = library_folder / name
    try:
        stamp = source.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    stem = Path(name).stem
    target = backup_folder(library_folder) / f"{stem}-{stamp}.json"
    existing = _backups(library_folder, name)
    if existing and existing[0] == target:
        return None
    target.parent.mkdir(exist_ok=True)
    atomic_write_bytes(target, source.read_bytes())
    for old in _backups(library_folder, name)[KEEP.get(name, 3) :]:
        old.unlink(missing_ok=True)
    return target


def newest_good_backup(
    library_folder: Path, name: str, is_good: Callable[[dict[str, object]], bool]
) -> tuple[Path, datetime] | None:
    """The newest backup of ``name`` that parses and passes ``is_good``, with the time it was taken."""
    for path in _backups(library_folder, name):
        try:
            data = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            continue
        if _is_store_data(data) and is_good(data):
            stamp = int(path.stem.rsplit("-", 1)[1])
            return path, datetime.fromtimestamp(stamp / 1e9, UTC)
    return None


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
