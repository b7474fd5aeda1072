"""The headless ``papershelf COMMAND``: the parser built from the registered commands, and running one.

Errors are one line on stderr and a non-zero exit code: 1 for a failed command, 2 for bad arguments (3 is
``sync``'s "conflicts remain"). A new command group is a module of ``@command`` handlers (see
``cli/registry.py``) added to ``COMMAND_MODULES``; ``--help`` lists the commands in that order.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO

from papershelf import __version__
from papershelf.cli import cite, desktop, duplicates, files, insight, notes, papers, transfer
from papershelf.cli.output import error, warn
from papershelf.cli.registry import REGISTRY, Command, CommandError, LibraryCommand, PlainCommand
from papershelf.core.library import UnknownKeyError
from papershelf.core.paths import resolve_library_dir
from papershelf.core.storage.lock import LibraryLockedError
from papershelf.core.storage.store import StoreError
from papershelf.services.library import LibraryAccess

COMMAND_MODULES = (papers, transfer, files, cite, notes, insight, duplicates, desktop)
LOCK_WAIT_S = 3.0  # a command that writes waits this long for a window or another command to let go


def commands() -> list[Command]:
    """Every registered command, grouped by module in ``COMMAND_MODULES`` order."""
    order = {module.__name__: n for n, module in enumerate(COMMAND_MODULES)}
    return sorted(REGISTRY, key=lambda c: order.get(c.module, len(order)))


def command_names() -> list[str]:
    return [c.name for c in commands()]


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line on stderr (exit 2), not the usage block and the error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="papershelf",
        description="A reading-list manager for researchers. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"papershelf {__version__}")
    parser.add_argument(
        "--library", metavar="DIR", help="library folder (default: $PAPERSHELF_HOME or the user data folder)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in commands():
        p = sub.add_parser(command.name, help=command.help, description=command.description, epilog=command.epilog)
        groups: dict[str, argparse._MutuallyExclusiveGroup] = {}
        for argument in command.arguments:
            target: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup = p
            if argument.exclusive:
                if argument.exclusive not in groups:
                    groups[argument.exclusive] = p.add_mutually_exclusive_group()
                target = groups[argument.exclusive]
            target.add_argument(*argument.flags, **argument.options)
    return parser


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = build_parser()
    for n, token in enumerate(argv, 1):
        try:
            token.encode("utf-8")
        except UnicodeEncodeError:  # bytes the locale could not decode (kept as surrogates by Python)
            parser.error(f"argument {n} is not valid UTF-8 text: {token.encode('utf-8', 'replace').decode()!r}")
    argv = _query_words_last(list(argv))
    args, extra = parser.parse_known_args(argv)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.library is not None and not args.library.strip():
        parser.error("--library needs a folder; an empty name is not one")
    return args


def _query_words_last(argv: list[str]) -> list[str]:
    """For a command whose query may start with '-' (``list -venue:ICLR``): its options, then ``--``, the words.

    A word is anything after the command that is not one of its options (or an unambiguous prefix of
    one, as argparse allows) or that option's value; everything after ``--`` is a word.
    """
    position = _command_position(argv)
    if position is None:
        return argv
    command = REGISTRY[argv[position]]
    if not command.query_words:
        return argv
    valued = {flag for a in command.arguments if a.takes_value for flag in a.flags}
    flags = command.option_flags() | {"-h", "--help"}
    options: list[str] = []
    words: list[str] = []
    tail = iter(argv[position + 1 :])
    for token in tail:
        if token == "--":
            words += tail
            break
        flag = _flag(token.split("=", 1)[0] if token.startswith("--") else token, flags)
        if flag is None:
            words.append(token)
            continue
        options.append(token)
        if flag in valued and "=" not in token:
            options.append(next(tail, ""))
    return [*argv[: position + 1], *options, *(["--", *words] if words else [])]


def _flag(token: str, flags: set[str]) -> str | None:
    """The option ``token`` names: itself, or the one long option it is a prefix of; None for a word."""
    if token in flags:
        return token
    if token.startswith("--") and len(token) > 2:
        matches = [f for f in flags if f.startswith(token)]
        if len(matches) == 1:
            return matches[0]
    return None


def _command_position(argv: list[str]) -> int | None:
    """Where the command is in ``argv``: the first command name that is not ``--library``'s value."""
    for n, token in enumerate(argv):
        after_library = n > 0 and argv[n - 1].startswith("--l") and "=" not in argv[n - 1]
        if token in REGISTRY and not after_library:
            return n
    return None


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run the parsed command; its exit code (errors are printed, never raised)."""
    out = out or sys.stdout
    command = REGISTRY[args.command]
    try:
        if isinstance(command, PlainCommand):
            return command.handler(args, out)
        assert isinstance(command, LibraryCommand)
        folder = resolve_library_dir(args.library)
        writes = command.writes(args)
        with LibraryAccess.take(folder, writes=writes, wait=LOCK_WAIT_S) as access:
            library = access.open()
            for notice in library.notices:
                warn(notice)
            if writes and not access.read_only:
                from papershelf.services.exporting import AutoExport

                # Files tied with --keep-updated follow edits made from the command line too.
                auto = AutoExport(library, on_error=lambda _tie, message: warn(message))
                for problem in auto.problems:
                    warn(problem)
            return command.handler(args, library, out)
    except (LibraryLockedError, UnknownKeyError, CommandError, StoreError, ValueError, OSError) as exc:
        error(str(exc))
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.command is None:
        error("no command given (run 'papershelf --help')")
        return 2
    return run(args)
