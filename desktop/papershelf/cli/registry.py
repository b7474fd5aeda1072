"""The commands of the ``papershelf`` CLI, each declared once: its name, help, arguments and handler together.

A command is a function in one of the command-group modules (``cli/papers.py``, ``cli/transfer.py``, ...),
its arguments written above it the way ``argparse.add_argument`` takes them::

    @command("show", help="show one paper and its annotation", writes=False)
    @argument("key", help="citation key")
    @argument("--json", action="store_true", help="print JSON")
    def show(args: argparse.Namespace, library: Library, out: TextIO) -> int:
        ...

``command`` handlers get the library, opened (and locked when ``writes``) by ``cli/main.py``;
``command_without_library`` handlers (desktop integration) get only the arguments and the output stream.
``cli/main.py`` builds the parser from ``REGISTRY``; a new command group is a new module listed in its
``COMMAND_MODULES``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO, TypeVar

from papershelf.core.library import Library

LibraryHandler = Callable[[argparse.Namespace, Library, TextIO], int]
PlainHandler = Callable[[argparse.Namespace, TextIO], int]
Handler = TypeVar("Handler", LibraryHandler, PlainHandler)

_ARGUMENTS_ATTR = "__papershelf_arguments__"
_VALUELESS_ACTIONS = frozenset({"store_true", "store_false", "store_const", "append_const", "count", "help",
                                "version"})


class CommandError(Exception):
    """A command that cannot do what was asked; the message is shown to the user as is."""


@dataclass(frozen=True, slots=True)
class Argument:
    """One ``add_argument`` call: ``flags`` and ``options`` exactly as argparse takes them.

    Arguments of one command that share an ``exclusive`` name form a mutually exclusive group.
    """

    flags: tuple[str, ...]
    options: dict[str, Any] = field(default_factory=dict)
    exclusive: str = ""

    @property
    def is_option(self) -> bool:
        return self.flags[0].startswith("-")

    @property
    def takes_value(self) -> bool:
        """Whether the option is followed by a value (``--format json``, not ``--json``)."""
        return self.is_option and self.options.get("action", "store") not in _VALUELESS_ACTIONS


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """What every command has: its name, help, arguments, and the module (command group) it lives in."""

    name: str
    help: str
    module: str
    arguments: tuple[Argument, ...] = ()
    description: str | None = None
    epilog: str | None = None
    query_words: bool = False  # the positional ``query`` takes words starting with '-' (-venue:ICLR) too

    def option_flags(self) -> set[str]:
        return {flag for argument in self.arguments if argument.is_option for flag in argument.flags}


@dataclass(frozen=True, slots=True, kw_only=True)
class LibraryCommand(Command):
    """A command on the library: ``writes(args)`` says whether it needs the library's lock."""

    handler: LibraryHandler
    writes: Callable[[argparse.Namespace], bool]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlainCommand(Command):
    """A command that opens no library (desktop integration)."""

    handler: PlainHandler


class Registry:
    """The commands by name, in the order they were registered."""

    def __init__(self) -> None:
        self._commands: dict[str, Command] = {}

    def add(self, command: Command) -> None:
        if command.name in self._commands:
            raise ValueError(f"two commands are named {command.name!r}")
        self._commands[command.name] = command

    def __getitem__(self, name: str) -> Command:
        return self._commands[name]

    def __contains__(self, name: object) -> bool:
        return name in self._commands

    def __iter__(self) -> Iterator[Command]:
        return iter(list(self._commands.values()))

    def names(self) -> list[str]:
        return list(self._commands)


REGISTRY = Registry()


def argument(*flags: str, exclusive: str = "", **options: Any) -> Callable[[Handler], Handler]:
    """Declare one of a command's arguments (write them above the handler, in the order of ``--help``)."""

    def declare(func: Handler) -> Handler:
        # Decorators apply bottom-up: prepend, so the arguments keep the order in which they are written.
        setattr(func, _ARGUMENTS_ATTR, (Argument(flags, options, exclusive), *_declared(func)))
        return func

    return declare


def command(
    name: str,
    *,
    help: str,
    writes: bool | Callable[[argparse.Namespace], bool],
    description: str | None = None,
    epilog: str | None = None,
    query_words: bool = False,
    registry: Registry = REGISTRY,
) -> Callable[[LibraryHandler], LibraryHandler]:
    """Register a command on the library.

    Args:
        writes: whether the command changes the library (then it waits for the library's lock and
            fails while another Papershelf holds it; otherwise it runs read-only beside it), or a
            function of the parsed arguments that says so.
        query_words: the command's positional ``query`` also takes words that start with '-'.
    """
    needs_lock = writes if callable(writes) else (lambda _args, w=writes: w)

    def register(func: LibraryHandler) -> LibraryHandler:
        registry.add(LibraryCommand(
            name=name, help=help, module=func.__module__, arguments=_declared(func), description=description,
            epilog=epilog, query_words=query_words, handler=func, writes=needs_lock,
        ))
        return func

    return register


def command_without_library(
    name: str,
    *,
    help: str,
    description: str | None = None,
    epilog: str | None = None,
    registry: Registry = REGISTRY,
) -> Callable[[PlainHandler], PlainHandler]:
    """Register a command that opens no library."""

    def register(func: PlainHandler) -> PlainHandler:
        registry.add(PlainCommand(
            name=name, help=help, module=func.__module__, arguments=_declared(func), description=description,
            epilog=epilog, handler=func,
        ))
        return func

    return register


def _declared(func: Callable[..., int]) -> tuple[Argument, ...]:
    declared: tuple[Argument, ...] = getattr(func, _ARGUMENTS_ATTR, ())
    return declared
