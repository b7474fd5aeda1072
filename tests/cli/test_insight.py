"""``similar`` and ``recommend`` (cli/insight.py)."""

from __future__ import annotations

from pathlib import Path

import orjson

from tests.cli.conftest import RunCli


def test_similar_ranks_other_papers_and_n_is_checked(iclr_library_dir: Path, run_cli: RunCli) -> None:
    lib = str(iclr_library_dir)
    found = run_cli("--library", lib, "similar", "mueller2021certify", "-n", "3", "--format", "json")
    assert found.code == 0, found.err
    ranked = orjson.loads(found.out)
    assert len(ranked) == 3
    assert "mueller2021certify" not in [r["key"] for r in ranked]
    assert [r["score"] for r in ranked] == sorted((r["score"] for r in ranked), reverse=True)
    refused = run_cli("--library", lib, "similar", "mueller2021certify", "-n", "0")
    assert refused.code == 2
    assert "N is at least 1, not 0" in refused.err


def test_recommend_needs_something_read_first(iclr_library_dir: Path, run_cli: RunCli) -> None:
    lib = str(iclr_library_dir)
    nothing = run_cli("--library", lib, "recommend")
    assert (nothing.code, nothing.out) == (0, "")
    assert nothing.err.startswith("no recommendations yet")
    run_cli("--library", lib, "annotate", "mueller2021certify", "--status", "read")
    some = run_cli("--library", lib, "recommend", "-n", "5", "--format", "json")
    assert len(orjson.loads(some.out)) == 5
