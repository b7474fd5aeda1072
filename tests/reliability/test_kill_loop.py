"""Crash safety proven by killing a real writer process 200 times at random moments."""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.core.library import AnnotationChange, Library
from tests.reliability import killloop


@pytest.mark.slow
def test_two_hundred_kills_lose_nothing_acknowledged(tmp_path: Path) -> None:
    outcome = killloop.run(200, tmp_path / "library", seed=7)
    assert outcome.kills == 200
    assert outcome.acked > 200  # the writer got real work done between kills
    assert outcome.corruptions == []
    assert outcome.lost == []


def test_the_checker_sees_a_lost_write(tmp_path: Path) -> None:
    folder = tmp_path / "library"
    killloop.make_library(folder, papers=3)
    library = Library(folder, seed=False)
    pid = next(iter(library.papers))
    library.annotate([pid], AnnotationChange(note="on disk"))
    expected = killloop.Expectation(notes={pid: "acknowledged but not on disk"}, titles={"Never Imported"})
    corruptions, lost = killloop.check(folder, expected, None)
    assert corruptions == []
    assert len(lost) == 2
    # The one write in flight when the writer died may have landed or not: both are fine.
    in_flight = {"kind": "note", "id": pid, "note": "on disk"}
    _, lost = killloop.check(folder, killloop.Expectation(notes={pid: "older"}), in_flight)
    assert lost == []


def test_the_checker_sees_a_corrupt_store(tmp_path: Path) -> None:
    folder = tmp_path / "library"
    killloop.make_library(folder, papers=3)
    (folder / "annotations.json").write_bytes(b'{"annotations": {"a": {')
    corruptions, _ = killloop.check(folder, killloop.Expectation(), None)
    assert corruptions
