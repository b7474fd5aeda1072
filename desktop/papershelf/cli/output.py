"""Printing for the CLI's commands: JSON, table columns clipped to the terminal, warnings on stderr."""

from __future__ import annotations

import sys
from typing import Any, TextIO

import orjson

from papershelf.core.library import Library
from papershelf.core.model import Paper


def paper_json(library: Library, paper: Paper) -> dict[str, Any]:
    """A paper's fields and its annotation, as ``list --format json`` and ``show --json`` print them."""
    return {**paper.to_doc(), "annotation": library.annotation(paper.id).to_doc()}


def dump(value: Any, out: TextIO) -> None:
    out.write(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n")


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def status(message: str) -> None:
    """A line for the person at the terminal, not for a pipe: stderr."""
    print(message, file=sys.stderr)


def warn(message: str) -> None:
    print(f"papershelf: warning: {message}", file=sys.stderr)


def error(message: str) -> None:
    print(f"papershelf: error: {message}", file=sys.stderr)
