"""Reading a file a person named (an import, a note): regular files only, within a size limit.

A device (``/dev/zero``) would be read until memory runs out and a FIFO would block forever, so both are
refused before a byte is read; so is a file larger than Papershelf would ever need to read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MB = 1024 * 1024
MAX_IMPORT_BYTES = 256 * MB  # a 100k-entry .bib is ~60 MB
MAX_NOTE_BYTES = 16 * MB


class UnreadableFileError(ValueError):
    """The named file is not one Papershelf reads (not a regular file, or too large); nothing was read."""


def read_regular_file(path: Path, *, limit: int, what: str = "file") -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes.

    Raises:
        UnreadableFileError: ``path`` is a folder, device, FIFO or socket, or larger than ``limit``.
        OSError: it cannot be opened or read.
    """
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer before fstat could look.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file (a device, FIFO or socket)"
            raise UnreadableFileError(f"the {what} {path} is {kind}; Papershelf reads regular files only")
        if info.st_size > limit:
            raise UnreadableFileError(
                f"the {what} {path} is {info.st_size / MB:.0f} MB; Papershelf reads up to {limit // MB} MB"
            )
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew while being read
        raise UnreadableFileError(f"the {what} {path} is larger than {limit // MB} MB; Papershelf reads up to that")
    return data
