"""Opening a library the way the window and the CLI both do: a new one is seeded with the bundled catalogue."""

from __future__ import annotations

import os

from papershelf.core.library import Library
from papershelf.services.seed import import_bundled_catalogue


def open_library(folder: str | os.PathLike[str], *, read_only: bool = False, seed: bool = True) -> Library:
    """Open (and create) the library in ``folder``; a new, writable one gets the bundled catalogue once.

    Raises:
        StoreError: the folder cannot be created or a store cannot be opened at all.
    """
    return Library(folder, seeder=import_bundled_catalogue if seed else None, read_only=read_only)
