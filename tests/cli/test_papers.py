"""``list``, ``show`` and ``annotate`` (cli/papers.py), run in this process on a copy of the seeded library."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from papershelf.cli.main import parse_args
from papershelf.core.model import MAX_RATING, PRIORITIES
from tests.cli.conftest import RunCli


def keys(outcome_out: str) -> list[str]:
    return outcome_out.split()


@pytest.mark.parametrize(
    "argv",
    [
        ["list", "-venue:ICLR", "--format", "keys"],  # a negated query as the first argument
        ["list", "--format", "keys", "-venue:ICLR"],
        ["list", "--format=keys", "--", "-venue:ICLR"],
        ["list", "--form", "keys", "-venue:ICLR"],  # argparse's abbreviation of --format still works
    ],
)
def test_a_query_may_start_with_a_minus(iclr_library_dir: Path, run_cli: RunCli, argv: list[str]) -> None:
    every = run_cli("--library", str(iclr_library_dir), "list", "--format", "keys")
    assert len(keys(every.out)) == 860
    negated = run_cli("--library", str(iclr_library_dir), *argv)
    assert negated.code == 0, negated.err
    assert keys(negated.out) == []  # every bundled paper is from ICLR
    oral = run_cli("--library", str(iclr_library_dir), "list", "-track:oral", "--format", "keys")
    assert len(keys(oral.out)) == 860 - 53


def test_query_words_starting_like_an_option_are_words() -> None:
    args = parse_args(["--library", "list", "list", "-hinton", "--format", "json", "-n", "--x"])
    assert (args.library, args.command, args.format) == ("list", "list", "json")
    assert args.query == ["-hinton", "-n", "--x"]  # -hinton is not -h with an argument
    exported = parse_args(["export", "--", "-venue:ICLR"])
    assert exported.query == ["-venue:ICLR"]


def test_help_still_works_for_list(run_cli: RunCli) -> None:
    shown = run_cli("list", "-h")
    assert shown.code == 0
    assert shown.out.startswith("usage: papershelf list")


def test_show_prints_the_annotation_set_by_annotate(iclr_library_dir: Path, run_cli: RunCli) -> None:
    lib = str(iclr_library_dir)
    changed = run_cli("--library", lib, "annotate", "neitz2021teacher", "--rating", str(MAX_RATING),
                      "--priority", PRIORITIES[-1], "--tag", "rl")
    assert changed.code == 0, changed.err
    assert changed.err == "1 of 1 papers changed\n"
    shown = run_cli("--library", lib, "show", "neitz2021teacher")
    assert f"Rating:   {MAX_RATING}\n" in shown.out
    assert f"Priority: {PRIORITIES[-1]}\n" in shown.out
    data = orjson.loads(run_cli("--library", lib, "show", "neitz2021teacher", "--json").out)
    assert (data["annotation"]["rating"], data["annotation"]["tags"]) == (MAX_RATING, ["rl"])


def test_the_rating_range_is_the_model_s(iclr_library_dir: Path, run_cli: RunCli) -> None:
    before = (iclr_library_dir / "annotations.json").read_bytes()
    refused = run_cli("--library", str(iclr_library_dir), "annotate", "neitz2021teacher",
                      "--rating", str(MAX_RATING + 1))
    assert refused.code == 2
    assert f"rating is 0-{MAX_RATING}, not {MAX_RATING + 1}" in refused.err
    assert (iclr_library_dir / "annotations.json").read_bytes() == before
    assert re.search(rf"--rating RATING\s+0-{MAX_RATING}\n", run_cli("annotate", "--help").out)
