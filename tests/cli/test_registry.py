"""Every command is declared once, beside its handler, and documented: the registry, the parser, README."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import TextIO

import pytest

from papershelf.cli.main import COMMAND_MODULES, build_parser, command_names, commands
from papershelf.cli.registry import (
    REGISTRY,
    LibraryCommand,
    PlainCommand,
    Registry,
    argument,
    command,
    command_without_library,
)
from papershelf.core.library import Library

README = Path(__file__).parents[2] / "README.md"
FLAG = re.compile(r"(?<![\w-])(--?[a-z][\w-]*)")


def readme_usage() -> dict[str, set[str]]:
    """The command-line block of README: each command's flags as documented (None: the global ones)."""
    text = README.read_text(encoding="utf-8")
    block = text[text.index("```sh\npapershelf list") + 6 :]
    block = block[: block.index("```")]
    documented: dict[str, set[str]] = {}
    names: list[str] = []
    for line in block.splitlines():
        usage = line.split("#", 1)[0]
        if usage.startswith("papershelf "):
            words = usage.split()[1:]
            names = [w for w in words if w in REGISTRY] or ["(global)"]
            for name in names:
                documented.setdefault(name, set())
            if words[0] in REGISTRY:
                usage = usage.replace(f"papershelf {words[0]}", "")
        for name in names:
            documented[name] |= set(FLAG.findall(usage))
    return documented


def test_every_command_has_a_handler_in_a_listed_module() -> None:
    modules = {module.__name__ for module in COMMAND_MODULES}
    assert command_names()
    for cmd in commands():
        assert cmd.module in modules, f"{cmd.name}: add {cmd.module} to COMMAND_MODULES"
        assert callable(cmd.handler)
        assert isinstance(cmd, LibraryCommand | PlainCommand)
        assert cmd.help


def test_readme_documents_every_command_and_every_option() -> None:
    documented = readme_usage()
    assert documented.pop("(global)") == {"--version"}
    assert set(documented) == set(command_names())
    for cmd in commands():
        for arg in cmd.arguments:
            if arg.is_option:
                assert documented[cmd.name] & set(arg.flags), f"README does not show {cmd.name} {arg.flags[0]}"
        unknown = documented[cmd.name] - cmd.option_flags()
        assert not unknown, f"README shows {cmd.name} {sorted(unknown)}, which it does not take"


def test_each_command_s_help_shows_its_declared_options(capsys: pytest.CaptureFixture[str]) -> None:
    for cmd in commands():
        with pytest.raises(SystemExit):
            build_parser().parse_args([cmd.name, "--help"])
        shown = capsys.readouterr().out
        assert shown.startswith(f"usage: papershelf {cmd.name}")
        for arg in cmd.arguments:
            assert all(flag in shown for flag in arg.flags) if arg.is_option else arg.options.get(
                "metavar", arg.flags[0]) in shown


def test_arguments_keep_their_written_order_and_names_are_unique() -> None:
    registry = Registry()

    @command("probe", help="a probe", writes=lambda args: args.write, registry=registry)
    @argument("key")
    @argument("--write", action="store_true")
    @argument("--a", exclusive="one")
    @argument("--b", exclusive="one")
    def probe(args: argparse.Namespace, library: Library, out: TextIO) -> int:
        return 0

    [declared] = list(registry)
    assert isinstance(declared, LibraryCommand)
    assert [a.flags[0] for a in declared.arguments] == ["key", "--write", "--a", "--b"]
    assert declared.handler is probe
    assert declared.writes(argparse.Namespace(write=True))
    assert not declared.writes(argparse.Namespace(write=False))
    assert [a.takes_value for a in declared.arguments] == [False, False, True, True]

    with pytest.raises(ValueError, match="two commands are named 'probe'"):
        command_without_library("probe", help="again", registry=registry)(lambda args, out: 0)


def test_exclusive_options_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["annotate", "k", "--note", "x", "--note-file", "f"])
    assert exc.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err
