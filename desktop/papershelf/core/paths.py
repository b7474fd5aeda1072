"""Where the library folder is: --library, else $PAPERSHELF_HOME, else the platform's user data folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_HOME = "PAPERSHELF_HOME"


def default_library_dir() -> Path:
    home = os.environ.get(ENV_HOME)
    if home:
        return Path(home).expanduser()
    return Path(platformdirs.user_data_dir("Papershelf", appauthor=False)) / "library"


def resolve_library_dir(option: str | None) -> Path:
    return Path(option).expanduser() if option else default_library_dir()
