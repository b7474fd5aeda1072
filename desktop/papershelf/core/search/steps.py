"""Long work done in small steps between a window's events: generators that yield now and then."""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from typing import TypeVar

T = TypeVar("T")


def advance(steps: Iterator[None], seconds: float) -> bool:
    """Run ``steps`` for about ``seconds`` (one step at least); True once it has run to its end."""
    deadline = time.perf_counter() + seconds
    return all(time.perf_counter() < deadline for _ in steps)  # checked after each step


def run(steps: Generator[None, None, T]) -> T:
    """Run ``steps`` to its end at once; what it returns."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            result: T = done.value
            return result
