"""Opening a library as the window and the CLI both do: the lock, read-only beside another process, notices."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from papershelf.core.library import AnnotationChange
from papershelf.core.storage.lock import LibraryLock, LibraryLockedError
from papershelf.core.storage.store import StoreError
from papershelf.services.library import LibraryAccess
from tests.sync.helpers import KEYS, library

HOLD_LOCK = (
    "import sys\n"
    "from papershelf.core.storage.lock import LibraryLock\n"
    "lock = LibraryLock(sys.argv[1])\n"
    "lock.acquire()\n"
    "print('locked', flush=True)\n"
    "sys.stdin.read()\n"  # until the test closes stdin
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A library folder with eight papers, written and closed."""
    return library(tmp_path / "lib").folder


@pytest.fixture
def held_by_another_process(folder: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process (not this one) holds the library's lock until the test ends."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(folder)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    yield proc
    assert proc.stdin is not None
    proc.stdin.close()
    assert proc.wait(timeout=30) == 0


def test_a_free_library_is_locked_for_this_process_until_released(folder: Path) -> None:
    with LibraryAccess.take(folder, writes=False, wait=0.0) as access:
        assert not access.read_only
        lib = access.open(seed=False)
        assert lib.keys() == KEYS
        assert not lib.read_only
        with pytest.raises(LibraryLockedError):
            LibraryLock(folder).acquire(timeout=0.0)  # a second writer, even in this process, is kept out
    other = LibraryLock(folder)
    other.acquire(timeout=0.0)  # released on leaving the block
    other.release()


def test_a_writer_fails_naming_the_process_that_holds_the_library(
    folder: Path, held_by_another_process: subprocess.Popen[str]
) -> None:
    with pytest.raises(LibraryLockedError, match=rf"in use by another Papershelf \(pid {held_by_another_process.pid} "):
        LibraryAccess.take(folder, writes=True, wait=0.0)


def test_a_reader_opens_read_only_beside_the_process_that_holds_it(
    folder: Path, held_by_another_process: subprocess.Popen[str]
) -> None:
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    with LibraryAccess.take(folder, writes=False, wait=0.0) as access:
        assert access.read_only
        lib = access.open()
        assert lib.read_only
        assert lib.keys() == KEYS  # reads work
        with pytest.raises(StoreError, match="open read-only"):
            lib.annotate(lib.ids_for_keys([KEYS[0]]), AnnotationChange(status="read"))
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before


def test_a_folder_that_cannot_be_created_is_read_only_not_an_error(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    with LibraryAccess.take(not_a_folder / "lib", writes=True, wait=0.0) as access:
        assert access.read_only


def test_what_recovery_did_is_in_the_notices(folder: Path) -> None:
    (folder / "annotations.json").write_bytes(b'{"schema": 2, "annotations": {"torn')
    with LibraryAccess.take(folder, writes=True, wait=0.0) as access:
        lib = access.open(seed=False)
    assert len(lib.notices) == 1
    assert "annotations.json" in lib.notices[0]
    assert [p.name for p in folder.glob("annotations.json.corrupt-*")]  # set aside, never overwritten
    assert lib.keys() == KEYS
