"""Working with many objects at once."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while making many objects that are not garbage.

    Loading a library or parsing a large file makes millions of objects; without the pause the
    collector walks them again and again (3.6 s instead of 0.9 s to open a 100k library).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
