"""Timing helpers: samples in seconds, their median and p95 (nearest rank)."""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Samples:
    """Durations in seconds."""

    values: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.values.append(seconds)

    def median(self) -> float:
        return statistics.median(self.values)

    def p95(self) -> float:
        ordered = sorted(self.values)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    def summary(self, scale: float = 1.0, unit: str = "s") -> dict[str, Any]:
        """n, median, p95, min, max (multiplied by ``scale``) for the notes."""
        if not self.values:
            return {"n": 0}
        return {
            "n": len(self.values),
            "unit": unit,
            "median": round(self.median() * scale, 3),
            "p95": round(self.p95() * scale, 3),
            "min": round(min(self.values) * scale, 3),
            "max": round(max(self.values) * scale, 3),
        }


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    """Run ``func`` once; returns (seconds, result).

    No ``gc.collect()`` here: with a 100k library in memory one collection takes ~0.5 s, and the app
    runs with the collector on, so its pauses are part of what a user waits for.
    """
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def repeat(func: Callable[[], Any], runs: int, setup: Callable[[], Any] | None = None) -> Samples:
    """Time ``func`` ``runs`` times; ``setup`` runs (untimed) before each run."""
    samples = Samples()
    gc.collect()
    for _ in range(runs):
        if setup is not None:
            setup()
        seconds, _result = timed(func)
        samples.add(seconds)
    return samples
