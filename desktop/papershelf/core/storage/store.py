"""TinyDB files that are written atomically and read once.

Stock TinyDB rewrites its JSON file in place on every write and re-parses it on every query. Here the
storage parses the file once, hands TinyDB the same in-memory dict on every read, and writes by
serialising with orjson to a temp file in the same folder, fsyncing it, ``os.replace``-ing it over the
old file and fsyncing the folder. A crash at any moment leaves either the old or the new file.

Documents are keyed by our own string ids (paper id), never by TinyDB's integer doc_id.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any, BinaryIO, cast

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from papershelf.core.memory import Convert, load_json_file
from papershelf.core.storage.packed import PackedText, plain

META_TABLE = "_meta"
META_ID = "schema"

Data = dict[str, dict[str, Any]]
Migration = Callable[[Data], Data]

BACKUP_DIR = "backups"  # beside the store files: rotating backups and pre-migration copies
STEP_BYTES = 1 << 20  # a write in steps pauses after about this much JSON (a few ms of orjson)
FSYNC_BYTES = 8 << 20  # ... and flushes to disk after this much, so that no one fsync takes long
FSYNC_POLL_S = 0.002  # a write in steps pauses when a flush to disk takes longer than this
WHOLE_JSON_BYTES = 16 << 20  # a store about this small is serialised in one piece (orjson: ~10 ms) even in steps


def backup_folder(library_folder: Path) -> Path:
    return library_folder / BACKUP_DIR


class StoreError(Exception):
    """A store that cannot be opened or written, said in plain words."""


class CorruptStoreError(StoreError):
    """The file exists but cannot be read; it has been set aside as ``aside`` (None: left in place, read-only)."""

    def __init__(self, path: Path, aside: Path | None, reason: str) -> None:
        where = f"it was set aside as {aside.name}" if aside is not None else "it was left as it is (read-only)"
        super().__init__(f"{path.name} could not be read ({reason}); {where}")
        self.path = path
        self.aside = aside
        self.reason = reason


class NewerSchemaError(StoreError):
    """The file was written by a newer Papershelf; it is left untouched."""


def fsync_dir(folder: Path) -> None:
    """Make a rename inside ``folder`` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_pieces_steps(handle: BinaryIO, pieces: Iterable[bytes | memoryview]) -> Generator[None, None, None]:
    """Write ``pieces`` to ``handle``, pausing (yielding) once every ``STEP_BYTES`` written, flushed to disk
    (:func:`fsync_steps`) every ``FSYNC_BYTES`` and at the end."""
    written = unsynced = 0
    for piece in pieces:
        handle.write(piece)
        written += len(piece)
        del piece  # (a large one is not held through the pause)
        if written >= STEP_BYTES:
            unsynced, written = unsynced + written, 0
            if unsynced >= FSYNC_BYTES:
                handle.flush()
                yield from fsync_steps(handle.fileno())
                unsynced = 0
            yield
    handle.flush()
    yield from fsync_steps(handle.fileno())


def fsync_steps(fd: int) -> Generator[None, None, None]:
    """``os.fsync(fd)`` on a worker thread, pausing (yielding) while it waits for the disk: a window's turn
    never waits for it (fsync lets go of Python's GIL, so the thread takes nothing from the window)."""
    failed: list[OSError] = []

    def flush() -> None:
        try:
            os.fsync(fd)
        except OSError as exc:
            failed.append(exc)

    worker = threading.Thread(target=flush, name="fsync", daemon=True)
    worker.start()
    try:
        while True:
            worker.join(FSYNC_POLL_S)
            if not worker.is_alive():
                break
            yield
    finally:
        worker.join()  # (closed at a pause: the file is closed only once the flush is done)
    if failed:
        raise failed[0]


def atomic_write_bytes(path: Path, payload: bytes | Sequence[bytes | memoryview]) -> None:
    """Replace ``path`` with ``payload`` (or its parts, written one after the other, never joined) so
    that a crash leaves either the old or the new content."""
    parts = [payload] if isinstance(payload, bytes) else payload
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            for part in parts:
                handle.write(part)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


_TEMP_NAME = re.compile(r"\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp")  # tempfile.mkstemp(prefix=".NAME.", suffix=".tmp")


def temp_files_of(path: Path) -> list[Path]:
    """The temp files ``atomic_write_bytes`` makes for ``path`` (left behind only by a killed write):
    exactly ``tempfile.mkstemp``'s names (``.NAME.`` + 8 of ``[a-z0-9_]`` + ``.tmp``), regular files."""
    return _temp_files(path.parent, f".{glob.escape(path.name)}.*.tmp", path.name)


def _temp_files(folder: Path, pattern: str, name: str | None = None) -> list[Path]:
    found = []
    try:
        for p in folder.glob(pattern):
            match = _TEMP_NAME.fullmatch(p.name)
            if match and (name is None or match["name"] == name) and p.is_file() and not p.is_symlink():
                found.append(p)
    except OSError:
        return []
    return found


# A temp file of ours unchanged this long was left by a killed write, never one still going on (a write
# takes milliseconds to seconds); used where a process without our lock may write (the notes file).
STALE_TEMP_AGE_S = 3600.0


def _made_by_mkstemp(stat: os.stat_result) -> bool:
    """Owned by this user with mkstemp's mode (0600; a file a person made is almost never that)."""
    if os.name != "posix":
        return True
    return stat.st_uid == os.getuid() and stat.st_mode & 0o777 == 0o600


def remove_stale_temp_files(path: Path, *, older_than: float | None = None) -> list[Path]:
    """Delete what killed writes of ``path`` left behind (our own temp files only: their exact name shape,
    owner and mode). Returns what was removed.

    Without ``older_than``, only the lock holder may call this (a writer in another process would lose its
    temp file). ``older_than`` (seconds): only temp files unchanged that long, for a file that a process
    not holding our lock may be writing (the notes file another library syncs too).
    """
    return _remove_stale(temp_files_of(path), older_than)


def remove_stale_temp_files_in(folder: Path, *, older_than: float = STALE_TEMP_AGE_S) -> list[Path]:
    """Delete every temp file of ours in ``folder`` that killed writes left (caches, exports' ties, backups)
    once unchanged for ``older_than`` seconds: a read-only process may be writing a cache there now."""
    return _remove_stale(_temp_files(folder, ".*.tmp"), older_than)


def _remove_stale(temps: list[Path], older_than: float | None) -> list[Path]:
    removed = []
    now = time.time()
    for tmp in temps:
        with contextlib.suppress(OSError):
            stat = tmp.stat()
            if not _made_by_mkstemp(stat) or (older_than is not None and now - stat.st_mtime < older_than):
                continue
            tmp.unlink()
            removed.append(tmp)
    return removed


def unused_stamped_path(named: Callable[[str], Path]) -> Path:
    """``named(stamp)`` for the current UTC time, or with ``-1``, ``-2``... after the stamp if that exists."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = named(stamp)
    n = 1
    while target.exists():
        target = named(f"{stamp}-{n}")
        n += 1
    return target


def set_aside(path: Path) -> Path:
    """Rename a bad file to ``NAME.corrupt-<timestamp>`` (never overwriting an earlier one)."""
    aside = unused_stamped_path(lambda stamp: path.with_name(f"{path.name}.corrupt-{stamp}"))
    os.replace(path, aside)
    fsync_dir(path.parent)
    return aside


class AtomicJSONStorage(Storage):
    """A TinyDB storage that parses its file once and writes it atomically with orjson."""

    def __init__(self, path: str | os.PathLike[str], convert: Convert | None = None) -> None:
        self.path = Path(path)
        self._data: Data | None = None
        self.writes = 0
        self._convert = convert  # see core/memory.load_json_file

    def read(self) -> Data | None:
        if self._data is None:
            self._data = self._load()
        return self._data

    def _load(self) -> Data | None:
        try:
            # a large file in pieces: not its bytes and their parse at once
            data = load_json_file(self.path, convert=self._convert)
        except FileNotFoundError:
            return None
        if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
            raise ValueError("the file is not a Papershelf database")
        return data

    def hold(self, data: Data) -> None:
        """Use ``data`` from now on without writing it (a store opened read-only)."""
        self._data = data

    def write(self, data: Data) -> None:
        self.atomic_write(orjson.dumps(data, default=plain))
        self._data = data
        self.writes += 1

    def atomic_write(self, payload: bytes) -> None:
        atomic_write_bytes(self.path, payload)

    def write_steps(
        self, data: Data, still_current: Callable[[], bool], on_replaced: Callable[[], None], *, small: bool = False
    ) -> Generator[None, None, bool]:
        """:meth:`write` in steps: ``data`` is serialised a document at a time into the temp file, pausing
        (yielding) every ``STEP_BYTES`` and flushing to disk every ``FSYNC_BYTES``; the rename is one step,
        with ``on_replaced()`` called right after it. ``small``: the JSON is made in one piece (many small
        documents: one orjson call is ~15x faster than one a document) and written in steps.

        ``data`` must not change while this runs (give it a copy of each table). Just before the rename,
        ``still_current()`` says whether ``data`` is still what should be written: if not (the file was
        written meanwhile), the temp file is removed and False returned, nothing written. A generator closed
        while it pauses removes its temp file too.
        """
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                chunks = (_slices(orjson.dumps(data, default=plain), STEP_BYTES) if small
                          else json_chunks(data, STEP_BYTES))
                yield from write_pieces_steps(handle, chunks)
            yield
            if not still_current():
                return False
            os.replace(tmp, self.path)
            tmp = ""
        finally:
            if tmp:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        self.writes += 1
        on_replaced()
        fsync_dir(self.path.parent)
        return True  # (no pause after the rename: the caller takes the changes in before the next one)

    def close(self) -> None:
        pass


def _slices(payload: bytes, size: int) -> Iterator[memoryview]:
    view = memoryview(payload)
    for start in range(0, len(payload), size):
        yield view[start : start + size]


def json_chunks(data: Mapping[str, Any], size: int) -> Iterator[bytes]:
    """``orjson.dumps(data)`` (``{table: {id: document}}``) in pieces of about ``size`` bytes: the same bytes,
    never all of them in memory at once. Tables are written document by document, and a document holding
    a large mapping (a record of many documents) entry by entry; any other document in one piece."""
    parts: list[bytes] = []
    held = 0
    for piece in _json_pieces(data, 0):
        parts.append(piece)
        held += len(piece)
        if held >= size:
            yield b"".join(parts)
            parts, held = [], 0
    yield b"".join(parts)


_LARGE_MAPPING = 64  # entries: a mapping in a document this long is written entry by entry
_LONG_TEXT = 512  # characters: a text this long that is not ASCII is written without orjson (see below)


def _json_pieces(value: Any, depth: int) -> Iterator[bytes]:
    if type(value) is dict and (
        depth < 2 or len(value) > _LARGE_MAPPING
        or any((type(v) is dict and len(v) > _LARGE_MAPPING) or _holds_long_text(v) for v in value.values())
    ):
        yield b"{"
        for number, (key, item) in enumerate(value.items()):
            yield b"%s%s:" % (b"," if number else b"", orjson.dumps(key))
            yield from _json_pieces(item, depth + 1)
        yield b"}"
    elif type(value) is list and _holds_long_text(value):  # (a note's history: its versions)
        yield b"["
        for number, item in enumerate(value):
            if number:
                yield b","
            yield from _json_pieces(item, depth + 1)
        yield b"]"
    elif type(value) is PackedText:
        yield _json_string(value.data)  # from its UTF-8: the text is not made
    elif _long_text(value):
        # orjson keeps a UTF-8 copy of a non-ASCII text inside the str it wrote (CPython's cache): a note
        # held by the library would take its size again for as long as the library is open. The standard
        # library's encoder writes the same JSON without it.
        yield encode_basestring(value).encode("utf-8")
    else:
        yield orjson.dumps(value, default=plain)


_ESCAPED = re.compile(rb'[\x00-\x1f"\\]')
_ESCAPES = {bytes([c]): b"\\u%04x" % c for c in range(0x20)} | {
    b'"': b'\\"', b"\\": b"\\\\", b"\n": b"\\n", b"\r": b"\\r", b"\t": b"\\t", b"\b": b"\\b", b"\f": b"\\f"}


def _json_string(utf8: bytes) -> bytes:
    """The JSON string of the text whose UTF-8 is ``utf8``, as ``orjson.dumps`` writes it."""
    return b'"' + _ESCAPED.sub(lambda match: _ESCAPES[match.group()], utf8) + b'"'


def _holds_long_text(value: Any, levels: int = 3) -> bool:
    """Whether ``value`` is or holds (in dicts and lists, ``levels`` deep) a ``_long_text``."""
    if type(value) is dict:
        return levels > 0 and any(_holds_long_text(v, levels - 1) for v in value.values())
    if type(value) is list:
        return levels > 0 and any(_holds_long_text(v, levels - 1) for v in value)
    return _long_text(value)


def _long_text(value: Any) -> bool:
    return (type(value) is str and len(value) > _LONG_TEXT and not value.isascii()) or type(value) is PackedText


class KeyedTable(Table):
    """A TinyDB table whose document ids are our own string ids."""

    document_id_class = str  # type: ignore[assignment]  # our own ids, not integers

    def put(self, doc_id: str, doc: Mapping[str, Any]) -> None:
        """Insert or replace one document: one durable write."""
        self.put_many({doc_id: doc})

    def put_many(self, docs: Mapping[str, Mapping[str, Any]], remove: tuple[str, ...] = ()) -> None:
        """Insert or replace many documents and drop ``remove``, all in one durable write."""

        def updater(table: dict[str, Mapping[str, Any]]) -> None:
            table.update(docs)
            for doc_id in remove:
                table.pop(doc_id, None)

        self._update_table(updater)  # type: ignore[arg-type]

    def raw(self) -> dict[str, dict[str, Any]]:
        """The table's documents without wrapping each in a Document (for loading once)."""
        tables = self._storage.read() or {}
        return dict(tables.get(self.name, {}))


class _KeyedTinyDB(TinyDB):
    table_class = KeyedTable


class Store:
    """One TinyDB file of one kind ("catalogue" or "annotations") with a schema version."""

    def __init__(
        self,
        path: Path,
        kind: str,
        version: int,
        migrations: Mapping[int, Migration] | None = None,
        *,
        read_only: bool = False,
        convert: Convert | None = None,
    ) -> None:
        """Open ``path``; a file that cannot be read is set aside and a fresh store started.

        ``read_only`` never writes: a missing or unreadable file gives an empty store in memory (the
        file left as it is), and an older schema is migrated in memory only. ``convert``: see
        ``core/memory.load_json_file`` (the table's owner then reads the objects it made).

        Raises:
            NewerSchemaError: the file comes from a newer Papershelf (left untouched).
        """
        self.path = path
        self.kind = kind
        self.version = version
        self.problem: CorruptStoreError | None = None
        self.migration_backup: Path | None = None  # the file as the older version left it (see _migrate)
        self.storage = AtomicJSONStorage(path, convert)
        self._released: dict[str, Callable[[], dict[str, Any]]] = {}
        if not read_only:  # the library's lock is held: no other process is writing this file
            remove_stale_temp_files(path)
        try:
            data = self.storage.read()
        except (ValueError, orjson.JSONDecodeError) as exc:
            aside = None if read_only else set_aside(path)
            self.problem = CorruptStoreError(path, aside, str(exc).splitlines()[0])
            self.storage = AtomicJSONStorage(path)
            data = None
        self.db = _KeyedTinyDB(storage=lambda: self.storage)
        found = self.schema_of(data)
        if data is None:
            if read_only:
                self.storage.hold({META_TABLE: {META_ID: {"kind": kind, "version": version}}})
            else:
                self.table(META_TABLE).put(META_ID, {"kind": kind, "version": version})
        elif found > version:
            raise NewerSchemaError(
                f"{path.name} was written by a newer Papershelf (schema {found}, this version reads {version})"
            )
        elif found < version:
            self._migrate(data, found, migrations or {}, write=not read_only)

    @staticmethod
    def schema_of(data: Mapping[str, Any] | None) -> int:
        """The schema version recorded in a store's data (0 when none is)."""
        if not data:
            return 0
        meta = data.get(META_TABLE, {})
        meta = meta.get(META_ID, {}) if isinstance(meta, dict) else {}
        try:
            return int(meta.get("version", 0)) if isinstance(meta, dict) else 0
        except (TypeError, ValueError):
            return 0

    def _migrate(self, data: Data, found: int, migrations: Mapping[int, Migration], *, write: bool) -> None:
        # Copied before any step runs (steps may change ``data`` in place): if a migration is wrong,
        # the user's data as the older Papershelf wrote it is still there. Never rotated away.
        if write:
            self.migration_backup = self._copy_before_migration()
        for step in range(found, self.version):
            migrate = migrations.get(step)
            if migrate is not None:
                data = migrate(data)
        data.setdefault(META_TABLE, {})[META_ID] = {"kind": self.kind, "version": self.version}
        if write:
            self.storage.write(data)
        else:
            self.storage.hold(data)

    def _copy_before_migration(self) -> Path:
        """Copy the file's bytes to ``<folder>/backups/NAME-pre-v<version>-<timestamp>.json``."""
        folder = backup_folder(self.path.parent)
        folder.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = folder / f"{self.path.stem}-pre-v{self.version}-{stamp}.json"
        n = 1
        while target.exists():
            target = folder / f"{self.path.stem}-pre-v{self.version}-{stamp}-{n}.json"
            n += 1
        atomic_write_bytes(target, self.path.read_bytes())
        return target

    def release(self, name: str, rebuild: Callable[[], dict[str, Any]]) -> None:
        """Drop the in-memory documents of table ``name``; ``rebuild`` gives them back when writing.

        For the catalogue: once the library holds every paper as an object, keeping the parsed JSON
        too would double the memory of a large library. Writes (imports only) rebuild the table.
        """
        data = self.storage.read() or {}
        data[name] = {}
        self._released[name] = rebuild

    def commit(self, changes: Mapping[str, Mapping[str, Mapping[str, Any] | None]]) -> None:
        """Apply ``{table: {doc_id: doc or None to delete}}`` to several tables in one durable write.

        Costs a dict update per changed document plus one serialisation of this file; TinyDB's own
        update path would rebuild every table dict first.
        """
        data = self.storage.read() or {}
        for name, rebuild in self._released.items():
            data[name] = rebuild()
        try:
            self._apply(data, changes)
        finally:
            for name in self._released:
                data[name] = {}

    def _apply(self, data: Data, changes: Mapping[str, Mapping[str, Mapping[str, Any] | None]]) -> None:
        _changed(data, changes)
        self.storage.write(data)
        for name in changes:
            self.db.table(name).clear_cache()

    def commit_steps(
        self, changes: Mapping[str, Mapping[str, Mapping[str, Any] | None]]
    ) -> Generator[None, None, bool]:
        """:meth:`commit` in steps (see ``AtomicJSONStorage.write_steps``), for a write too large for one
        turn of a window's events; the changes are held in memory only once they are on disk.

        Returns False, having written and changed nothing, when another write reached this store while
        it paused: that write did not have these changes, and writing them over it would undo it. The
        caller decides again from what the store holds now (or commits at once).
        """
        writes = self.storage.writes
        data = self.storage.read() or {}
        snapshot: Data = {name: dict(table) for name, table in data.items()}  # each doc is replaced, never changed
        for name, rebuild in self._released.items():
            snapshot[name] = rebuild()
        _changed(snapshot, changes)
        try:
            small = self.path.stat().st_size + _text_size(changes, WHOLE_JSON_BYTES) < WHOLE_JSON_BYTES
        except OSError:
            small = False

        def take_in() -> None:
            _changed(data, changes)  # the tables held (and handed out) stay the same objects
            for name in changes:
                self.db.table(name).clear_cache()

        return (yield from self.storage.write_steps(snapshot, lambda: self.storage.writes == writes, take_in,
                                                    small=small))

    def table(self, name: str) -> KeyedTable:
        return cast(KeyedTable, self.db.table(name))

    def documents(self, name: str) -> Iterator[tuple[str, dict[str, Any]]]:
        yield from self.table(name).raw().items()


def _text_size(value: Any, limit: int) -> int:
    """About how many bytes of JSON the texts in ``value`` make (counting stops once past ``limit``)."""
    if type(value) is str or type(value) is PackedText:
        return 2 * len(value)  # (UTF-8 takes 1 to 3 bytes a character of a text, escapes 2 to 6)
    total = 0
    if isinstance(value, Mapping) or type(value) is list:
        for item in value.values() if isinstance(value, Mapping) else value:
            if type(item) is str or type(item) is PackedText:
                total += 2 * len(item)
            elif type(item) is dict or type(item) is list or isinstance(item, Mapping):
                total += _text_size(item, limit - total)
            if total > limit:
                break
    return total


def _changed(data: Data, changes: Mapping[str, Mapping[str, Mapping[str, Any] | None]]) -> None:
    """Apply ``{table: {doc_id: doc or None to delete}}`` to ``data`` in memory."""
    for name, docs in changes.items():
        table = data.setdefault(name, {})
        for doc_id, doc in docs.items():
            if doc is None:
                table.pop(doc_id, None)
            else:
                table[doc_id] = dict(doc)


__all__ = [
    "AtomicJSONStorage",
    "CorruptStoreError",
    "Document",
    "KeyedTable",
    "NewerSchemaError",
    "Store",
    "StoreError",
    "atomic_write_bytes",
    "set_aside",
]
