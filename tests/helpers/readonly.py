"""A folder that really refuses new files, for the tests of failed writes, run as any user."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def refusing_writes(folder: Path) -> Iterator[None]:
    """The folder really refuses new files: read-only permissions, and for root (whom permissions do not
    stop) the immutable attribute."""
    immutable = False
    folder.chmod(0o555)
    try:
        probe = folder / ".probe"
        try:
            probe.write_text("")
        except OSError:
            pass
        else:
            probe.unlink()
            if shutil.which("chattr") is None or subprocess.run(
                ["chattr", "+i", str(folder)], capture_output=True, check=False
            ).returncode != 0:
                pytest.skip("this folder cannot be made to refuse writes here (root without chattr +i)")
            immutable = True
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)
