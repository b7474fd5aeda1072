"""What changed in a library, as typed events, and the small hub that delivers them.

The library announces each change once it is durable::

    library.events.connect(PapersChanged, on_papers_changed)   # only this kind
    library.events.connect(LibraryEvent, on_anything)          # every kind (the union)
    library.events.disconnect(PapersChanged, on_papers_changed)
    library.events.connect_ids(index.invalidate)               # ids of papers added or changed, or
                                                               # removed, or whose annotation changed

Handlers must not depend on each other's order: each reads the library (which is already current) and
updates only what it owns. A derived index that others read is brought up to date by its owner before
anyone reads it (``ui.controller`` invalidates the search index and the facet codes, then emits its
signals). A handler that raises does not keep the others from hearing of the change; the first
exception is raised again once all have run.

Modelled on napari's evented containers (``napari/utils/events/containers/_evented_list.py``): the core
says what changed, views adapt it at the edge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, Union, get_args, overload


@dataclass(frozen=True, slots=True)
class PapersAdded:
    """Papers new in the catalogue (an import), by id."""

    ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PapersChanged:
    """Papers already in the catalogue whose record changed (an import filled in ``fields``)."""

    ids: tuple[str, ...]
    fields: frozenset[str] = field(default_factory=frozenset)  # names as in ``Paper.to_doc``


@dataclass(frozen=True, slots=True)
class PapersRemoved:
    """Papers gone from the catalogue (merged into another by the user's choice), by id."""

    ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AnnotationsChanged:
    """Papers whose annotation changed (an edit, undo, a sync, a restore); ``fields`` names what changed as
    in ``Annotation.to_doc`` ("status", "tags", "lists", "note", ...), never the time stamps."""

    ids: tuple[str, ...]
    fields: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class ListsChanged:
    """Reading lists created, renamed (old and new name) or deleted. Papers joining or leaving a list
    are ``AnnotationsChanged`` with "lists" in its fields."""

    names: tuple[str, ...]


LibraryEvent = Union[PapersAdded, PapersChanged, PapersRemoved, AnnotationsChanged, ListsChanged]  # noqa: UP007 (a runtime value)
EVENT_TYPES: tuple[type, ...] = get_args(LibraryEvent)

E = TypeVar("E", PapersAdded, PapersChanged, PapersRemoved, AnnotationsChanged, ListsChanged)
Handler = Callable[[Any], object]


class Events:
    """Handlers per event type; ``emit`` calls those of the event's type."""

    def __init__(self) -> None:
        self._handlers: dict[type, list[Handler]] = {kind: [] for kind in EVENT_TYPES}

    @overload
    def connect(self, kind: type[E], handler: Callable[[E], object]) -> None: ...
    @overload
    def connect(self, kind: object, handler: Callable[[LibraryEvent], object]) -> None: ...

    def connect(self, kind: object, handler: Handler) -> None:
        """Call ``handler(event)`` for each event of ``kind`` (one event type, or ``LibraryEvent``)."""
        for one in self._kinds(kind):
            if handler not in self._handlers[one]:
                self._handlers[one].append(handler)

    def disconnect(self, kind: object, handler: Handler) -> None:
        """Stop calling ``handler`` for ``kind``; a handler never connected is ignored."""
        for one in self._kinds(kind):
            if handler in self._handlers[one]:
                self._handlers[one].remove(handler)

    def subscribe(self, handlers: Mapping[type, Handler]) -> Callable[[], None]:
        """Connect each handler to its event type; returns the function that disconnects them all."""
        pairs = list(handlers.items())
        for kind, handler in pairs:
            self.connect(kind, handler)

        def unsubscribe(*_args: object) -> None:
            for kind, handler in pairs:
                self.disconnect(kind, handler)

        return unsubscribe

    def connect_ids(self, handler: Callable[[Sequence[str]], object]) -> None:
        """Call ``handler(ids)`` for every event about papers: added, changed, removed, annotations changed."""
        for kind in _PAPER_EVENTS:
            if _IdsOf(handler) not in self._handlers[kind]:
                self._handlers[kind].append(_IdsOf(handler))

    def disconnect_ids(self, handler: Callable[[Sequence[str]], object]) -> None:
        for kind in _PAPER_EVENTS:
            self.disconnect(kind, _IdsOf(handler))

    def emit(self, event: LibraryEvent) -> None:
        """Call every handler of the event's type, even if one raises (the first exception follows)."""
        failure: BaseException | None = None
        for handler in list(self._handlers[type(event)]):  # a handler may disconnect itself
            try:
                handler(event)
            except Exception as exc:
                failure = failure or exc
        if failure is not None:
            raise failure

    @staticmethod
    def _kinds(kind: object) -> Iterable[type]:
        if kind is LibraryEvent:
            return EVENT_TYPES
        if isinstance(kind, type) and kind in EVENT_TYPES:
            return (kind,)
        raise TypeError(f"not a library event type: {kind!r}")


_PAPER_EVENTS: tuple[type, ...] = (PapersAdded, PapersChanged, PapersRemoved, AnnotationsChanged)


class _IdsOf:
    """A handler taking ids, as a handler taking the event; equal to another for the same handler."""

    __slots__ = ("handler",)

    def __init__(self, handler: Callable[[Sequence[str]], object]) -> None:
        self.handler = handler

    def __call__(self, event: PapersAdded | PapersChanged | PapersRemoved | AnnotationsChanged) -> None:
        self.handler(event.ids)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _IdsOf) and other.handler == self.handler

    def __hash__(self) -> int:
        return hash(self.handler)
