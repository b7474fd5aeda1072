"""One writer per library: an exclusive OS lock on ``<folder>/.papershelf.lock``.

The lock is the operating system's (``flock`` on POSIX, ``msvcrt.locking`` on Windows), held on an open file
descriptor, so it goes away with the process however that process ends: a crashed or SIGKILLed Papershelf
never leaves a stale lock behind. The file's content (the holder's pid and host name) is only there for
the message the next Papershelf shows; it is never trusted to decide who holds the lock.

The file is never deleted: deleting it on release would let a waiting process lock the old, unlinked file
while a newcomer locks a fresh one, and both would think they were the only writer.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import orjson

LOCK_NAME = ".papershelf.lock"

# Windows locks are mandatory: a locked byte cannot be read by anyone else. Lock a byte far past the
# holder's note so that others can still read who holds the library.
_WINDOWS_LOCK_OFFSET = 1 << 20

# Errors that mean "this folder cannot be written", not "something is broken".
_READ_ONLY_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


class LibraryLockError(Exception):
    """The library's lock could not be taken."""


class LibraryLockedError(LibraryLockError):
    """Another Papershelf is writing to this library."""

    def __init__(self, folder: Path, holder: LockHolder | None) -> None:
        who = f" (pid {holder.pid} on {holder.hostname})" if holder else ""
        super().__init__(
            f"the library {folder} is in use by another Papershelf{who}; close it and try again"
        )
        self.folder = folder
        self.holder = holder


class LibraryReadOnlyError(LibraryLockError):
    """The library folder cannot be written here: the caller may open it read-only."""

    def __init__(self, folder: Path, reason: str) -> None:
        super().__init__(f"the library {folder} cannot be written ({reason}); it can only be opened read-only")
        self.folder = folder
        self.reason = reason


class LockFileUnusableError(LibraryLockedError):
    """The lock file is something else (a folder, a device): no writer can be sure it is the only one.

    A kind of LibraryLockedError, so every caller refuses to write and shows the message, as for a lock
    held by another process; opening read-only would hide the real problem behind failed writes.
    """

    def __init__(self, folder: Path, path: Path, what: str) -> None:
        LibraryLockError.__init__(
            self, f"the library {folder} cannot be locked: {path} is {what}, not a file; move it away and try again"
        )
        self.folder = folder
        self.holder = None


@dataclass(frozen=True)
class LockHolder:
    """Who wrote the lock file last, as that process said it."""

    pid: int
    hostname: str
    since: str = ""


class LibraryLock:
    """An exclusive lock on one library folder, for one writer at a time.

    Use as a context manager (``with LibraryLock(folder): ...`` waits up to ``timeout`` seconds) or call
    :meth:`acquire` and :meth:`release`. Two ``LibraryLock`` objects on the same folder exclude each other
    even inside one process.
    """

    def __init__(self, folder: str | os.PathLike[str], timeout: float = 0.0) -> None:
        self.folder = Path(folder).expanduser()
        self.path = self.folder / LOCK_NAME
        self.timeout = timeout
        self._fd: int | None = None

    @property
    def locked(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def acquire(self, timeout: float | None = None, poll_interval: float = 0.05) -> None:
        """Take the lock, waiting up to ``timeout`` seconds (0: try once) for another holder to let go.

        Raises:
            LibraryLockedError: another process still holds it after ``timeout`` seconds.
            LibraryReadOnlyError: the folder or the lock file cannot be written (open the library read-only).
        """
        if self._fd is not None:
            return
        wait = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + max(wait, 0.0)
        fd = self._open()
        try:
            while not _try_lock(fd):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise LibraryLockedError(self.folder, self.holder())
                time.sleep(min(poll_interval, remaining))
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        self._write_holder(fd)

    def release(self) -> None:
        """Let go of the lock (a no-op when not held). The file stays; see the module docstring."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)  # no stale "in use by pid N" for whoever reads it next
            _unlock(fd)
        finally:
            os.close(fd)

    def holder(self) -> LockHolder | None:
        """The pid and host written by the process that took the lock last, if it said."""
        try:
            raw = self.path.read_bytes()[:4096]
            data = orjson.loads(raw)
            return LockHolder(int(data["pid"]), str(data["hostname"]), str(data.get("since", "")))
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def _open(self) -> int:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if self.path.is_dir():
                raise LockFileUnusableError(self.folder, self.path, "a folder")
            if self.path.exists() and not self.path.is_file():
                raise LockFileUnusableError(self.folder, self.path, "a special file")
            # O_NONBLOCK: a FIFO put in the lock file's place must not hang the open
            return os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NONBLOCK", 0), 0o644)
        except OSError as exc:
            if exc.errno in _READ_ONLY_ERRNOS:
                raise LibraryReadOnlyError(self.folder, exc.strerror or str(exc)) from exc
            if exc.errno == errno.EISDIR:
                raise LockFileUnusableError(self.folder, self.path, "a folder") from exc
            raise

    @staticmethod
    def _write_holder(fd: int) -> None:
        note = orjson.dumps(
            {
                "pid": os.getpid(),
                "hostname": socket.gethostname(),
                "since": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        )
        # Only a courtesy for the next process's message: a failure here must not cost the lock.
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, note + b"\n")

    def __enter__(self) -> LibraryLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.release()


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                return False
            raise
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


__all__ = [
    "LOCK_NAME",
    "LibraryLock",
    "LibraryLockError",
    "LibraryLockedError",
    "LibraryReadOnlyError",
    "LockFileUnusableError",
    "LockHolder",
]
