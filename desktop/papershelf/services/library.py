"""Opening a library the way the window and the CLI both do: its lock, the read-only fallback, seeding.

One writer per library (``core/storage/lock.py``). Whoever opens a library first asks for its lock::

    with LibraryAccess.take(folder, writes=True, wait=3.0) as access:   # LibraryLockedError: in use
        library = access.open()          # read-only when the folder cannot be written
        for notice in library.notices:   # what recovery did (a file set aside, a backup restored)
            ...

A caller that only reads (``writes=False``) opens the library read-only at once when another process holds
the lock: the store files are replaced atomically, so a reader never sees half a write. A caller that
writes waits ``wait`` seconds for the lock, then gets ``LibraryLockedError`` naming the holder. A folder that
cannot be written (or created) is opened read-only by both; ``Library`` says so if a write is attempted.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

from papershelf.core.library import Library
from papershelf.core.storage.lock import LibraryLock, LibraryLockedError, LibraryReadOnlyError
from papershelf.services import fulltext
from papershelf.services.seed import import_bundled_catalogue


def open_library(folder: str | os.PathLike[str], *, read_only: bool = False, seed: bool = True) -> Library:
    """Open (and create) the library in ``folder``; a new, writable one gets the bundled catalogue once.

    Raises:
        StoreError: the folder cannot be created or a store cannot be opened at all.
    """
    library = Library(folder, seeder=import_bundled_catalogue if seed else None, read_only=read_only)
    fulltext.attach_to(library)  # fulltext: terms search the attached files' text, read once and cached
    return library


class LibraryAccess:
    """The right to use one library folder: its lock held (may write), or read-only (lock not held).

    Take it with :meth:`take`, open the library with :meth:`open`, give it back with :meth:`release` (or
    use it as a context manager).
    """

    def __init__(self, folder: Path, lock: LibraryLock | None) -> None:
        self.folder = folder
        self._lock = lock

    @classmethod
    def take(cls, folder: str | os.PathLike[str], *, writes: bool, wait: float) -> LibraryAccess:
        """Lock ``folder`` (created if missing) for this process, or fall back to read-only.

        Args:
            writes: the caller means to write: it waits up to ``wait`` seconds for a lock another
                process holds, then fails. A reader never waits and goes read-only instead.
            wait: seconds a writer waits for the lock.

        Raises:
            LibraryLockedError: ``writes`` and another process still holds the lock after ``wait`` s.
        """
        path = Path(folder)
        lock = LibraryLock(path)
        try:
            path.mkdir(parents=True, exist_ok=True)
            lock.acquire(timeout=wait if writes else 0.0)
        except LibraryLockedError:
            if writes:
                raise
            return cls(path, None)
        except (LibraryReadOnlyError, OSError):
            return cls(path, None)  # the folder cannot be written at all
        return cls(path, lock)

    @property
    def read_only(self) -> bool:
        """True when this process does not hold the lock and must not write."""
        return self._lock is None

    def open(self, *, seed: bool = True) -> Library:
        """The library in the folder, read-only unless the lock is held (see :func:`open_library`).

        Raises:
            StoreError: a store cannot be opened at all.
        """
        return open_library(self.folder, read_only=self.read_only, seed=seed)

    def release(self) -> None:
        """Give the lock back (nothing to do when read-only); safe to call twice."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> LibraryAccess:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


__all__ = ["LibraryAccess", "open_library"]
