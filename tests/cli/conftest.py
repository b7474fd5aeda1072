"""Running the CLI in this process, as ``papershelf`` would: real argv, real library folders, captured output."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from papershelf.cli.main import main


@dataclass
class Outcome:
    code: int
    out: str
    err: str


RunCli = Callable[..., Outcome]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> RunCli:
    """``run_cli("--library", dir, "list", ...)``: the exit code and what went to stdout and stderr."""

    def run(*argv: str) -> Outcome:
        capsys.readouterr()  # start clean
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse: --help, bad arguments
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return run
