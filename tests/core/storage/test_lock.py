"""The library lock: one writer per folder, across real processes, and no stale lock after a crash."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from papershelf.core.storage.lock import LOCK_NAME, LibraryLock, LibraryLockedError, LibraryReadOnlyError

# A holder in another process: takes the lock, says so, then obeys one line per command on stdin.
HOLDER = """
import sys
from papershelf.core.storage.lock import LibraryLock

lock = LibraryLock(sys.argv[1])
lock.acquire(timeout=10)
print("locked", flush=True)
for line in sys.stdin:
    if line.strip() == "release":
        lock.release()
        print("released", flush=True)
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """A second process holding the lock on ``tmp_path / 'library'``."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / "library")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)


def test_lock_excludes_a_second_holder_in_the_same_process(tmp_path: Path) -> None:
    with LibraryLock(tmp_path) as first:
        assert first.locked
        second = LibraryLock(tmp_path)
        with pytest.raises(LibraryLockedError):
            second.acquire(timeout=0)
        assert not second.locked
    LibraryLock(tmp_path).acquire(timeout=0)  # released on leaving the with block


def test_another_process_holding_the_lock_is_named_in_the_error(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    lock = LibraryLock(tmp_path / "library")
    with pytest.raises(LibraryLockedError) as caught:
        lock.acquire(timeout=0.2)
    message = str(caught.value)
    assert f"pid {holder.pid} on {socket.gethostname()}" in message
    assert str(tmp_path / "library") in message
    assert "is in use by another Papershelf" in message
    assert message.endswith("close it and try again")
    assert caught.value.holder is not None
    assert caught.value.holder.pid == holder.pid


def test_waiting_acquire_succeeds_after_the_other_process_releases(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    assert holder.stdin is not None
    assert holder.stdout is not None
    holder.stdin.write("release\n")
    holder.stdin.flush()
    lock = LibraryLock(tmp_path / "library")
    lock.acquire(timeout=10)  # polls until the holder has let go
    assert lock.locked
    assert holder.stdout.readline().strip() == "released"
    assert lock.holder() is not None
    assert lock.holder().pid == os.getpid()  # type: ignore[union-attr]
    lock.release()


def test_a_sigkilled_holder_leaves_no_stale_lock(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    folder = tmp_path / "library"
    with pytest.raises(LibraryLockedError):
        LibraryLock(folder).acquire(timeout=0)
    holder.send_signal(signal.SIGKILL)
    assert holder.wait(timeout=10) == -signal.SIGKILL
    assert (folder / LOCK_NAME).exists()  # the file is left behind, the lock is not
    lock = LibraryLock(folder)
    lock.acquire(timeout=0)
    assert lock.locked
    assert lock.holder().pid == os.getpid()  # type: ignore[union-attr]
    lock.release()


def test_release_clears_the_holder_note_and_keeps_the_file(tmp_path: Path) -> None:
    lock = LibraryLock(tmp_path)
    lock.acquire()
    assert lock.holder() == lock.holder() is not None
    lock.release()
    assert (tmp_path / LOCK_NAME).read_bytes() == b""
    assert lock.holder() is None
    lock.release()  # a second release is harmless


def test_missing_folder_is_created(tmp_path: Path) -> None:
    with LibraryLock(tmp_path / "new" / "library") as lock:
        assert lock.path.exists()


# A process that cannot write the folder. Root ignores permissions, so as root the probe runs without the
# capabilities that let it (setpriv is in util-linux, present on every Debian).
READ_ONLY_PROBE = """
import sys
from papershelf.core.storage.lock import LibraryLock, LibraryReadOnlyError

try:
    LibraryLock(sys.argv[1]).acquire(timeout=0)
except LibraryReadOnlyError as exc:
    print("read-only:", exc)
else:
    print("locked")
"""
DROP_ROOT_POWERS = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"]


def test_read_only_folder_raises_a_distinct_error_not_locked(tmp_path: Path) -> None:
    assert not issubclass(LibraryReadOnlyError, LibraryLockedError)
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "annotations.json").write_text("{}")
    folder.chmod(0o555)
    prefix = DROP_ROOT_POWERS if os.geteuid() == 0 else []
    try:
        result = subprocess.run(
            [*prefix, sys.executable, "-c", READ_ONLY_PROBE, str(folder)],
            capture_output=True, text=True, timeout=60, check=False,
        )
    finally:
        folder.chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"read-only: the library {folder} cannot be written")
    assert "can only be opened read-only" in result.stdout
    assert not (folder / LOCK_NAME).exists()


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_lock_file_that_is_not_a_file_is_named_in_the_error(tmp_path: Path, kind: str) -> None:
    from papershelf.core.storage.lock import LockFileUnusableError

    folder = tmp_path / "library"
    folder.mkdir()
    if kind == "folder":
        (folder / LOCK_NAME).mkdir()
    else:
        os.mkfifo(folder / LOCK_NAME)

    with pytest.raises(LockFileUnusableError, match=r"\.papershelf\.lock is a (folder|special file), not a file"):
        LibraryLock(folder).acquire()
    assert isinstance(LockFileUnusableError(folder, folder / LOCK_NAME, "a folder"), LibraryLockedError)
