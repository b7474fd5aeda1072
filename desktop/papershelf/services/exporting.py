"""Exporting from a library: which papers (a selection, a reading list, a query, everything), in which
format, to which file; and files kept up to date as the papers in them change.

``AutoExport`` is Better BibTeX's "keep updated" without Qt: it ties a reading list (or the whole
library) to a file, listens to the library, and rewrites the file atomically when a paper in that set
changes, joins or leaves it. The ties live in ``auto-export.json`` in the library folder::

    auto = AutoExport(library)             # loads the ties and follows the library's events
    auto.tie(Path("thesis.bib"), list_name="thesis")
    library.annotate(ids, AnnotationChange(add_lists=("thesis",)))   # thesis.bib is rewritten

A window that would rather not re-render on every keystroke passes ``immediate=False`` and calls
``flush()`` from a timer: changes only mark ties dirty until then.
"""

from __future__ import annotations

import contextlib
import functools
import os
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import orjson

from papershelf.core.library import Library
from papershelf.core.model import Annotation, Paper
from papershelf.core.search.index import filter_papers
from papershelf.core.storage.store import atomic_write_bytes
from papershelf.formats import biblatex_export, bibtex_export, csljson, markdown_export, ris
from papershelf.formats.bibtex_export import BibtexOptions, ExportResult
from papershelf.formats.markdown_export import MarkdownOptions
from papershelf.formats.ris import RisOptions
from papershelf.services import attachments

FORMATS: Final = ("bibtex", "markdown", "ris", "biblatex", "csl-json")
# The formats ``BibtexOptions`` set up: biblatex is the BibTeX export under biblatex's names, and CSL-JSON
# takes the BibTeX export's abstract, keywords and notes choices.
BIBTEX_OPTION_FORMATS: Final = frozenset({"bibtex", "biblatex", "csl-json"})
TIES_FILE: Final = "auto-export.json"
TIES_SCHEMA: Final = 1
# A .bib is BibTeX unless biblatex is asked for by name (both are .bib files).
_SUFFIXES: Final = {".md": "markdown", ".markdown": "markdown", ".bib": "bibtex", ".bibtex": "bibtex", ".ris": "ris",
                      ".json": "csl-json"}
# The suffix a file of each format gets (the export dialog proposes it).
SUFFIX_OF: Final = {"bibtex": ".bib", "markdown": ".md", "ris": ".ris", "biblatex": ".bib", "csl-json": ".json"}


class UnknownListError(KeyError):
    """No reading list has this name."""

    def __str__(self) -> str:
        return f"no reading list named {self.args[0]!r}"


def format_for(path: Path, default: str = "bibtex") -> str:
    """The export format a file name asks for: ``.md`` -> markdown, ``.bib`` -> bibtex, ``.ris`` -> ris."""
    return _SUFFIXES.get(path.suffix.lower(), default)


def select(
    library: Library,
    *,
    ids: Iterable[str] | None = None,
    keys: Iterable[str] | None = None,
    list_name: str | None = None,
    query_ids: Iterable[str] | None = None,
) -> list[Paper]:
    """The papers to export, in library order: all of them, narrowed by each criterion given.

    ``query_ids`` is the result of ``search.filter_papers`` for a query.

    Raises:
        UnknownKeyError: a key no paper has.
        UnknownListError: ``list_name`` is no reading list.
    """
    chosen: set[str] | None = None

    def narrow(found: Iterable[str]) -> None:
        nonlocal chosen
        found_set = set(found)
        chosen = found_set if chosen is None else chosen & found_set

    if ids is not None:
        narrow(ids)
    if keys is not None:
        narrow(library.ids_for_keys(keys))
    if query_ids is not None:
        narrow(query_ids)
    if list_name is not None:
        if list_name not in library.list_names():
            raise UnknownListError(list_name)
        narrow(list_members(library, list_name))
    papers = library.papers  # papers in the Trash are never exported, even when named
    return [papers[pid] for pid in library.live_ids() if chosen is None or pid in chosen]


def list_members(library: Library, list_name: str) -> list[str]:
    """Ids of the papers in a reading list, in library order (an annotation whose paper is gone, set aside
    as a damaged record, is no member: there is nothing to export; nor is a paper in the Trash)."""
    papers = library.papers
    return [pid for pid in library.annotated_ids()
            if pid in papers and list_name in (ann := library.annotation(pid)).lists and not ann.trashed]


def annotations_of(library: Library, papers: Sequence[Paper]) -> dict[str, Annotation]:
    return {p.id: library.annotation(p.id) for p in papers}


def render(
    library: Library,
    papers: Sequence[Paper],
    fmt: str,
    *,
    bibtex_options: BibtexOptions | None = None,
    markdown_options: MarkdownOptions | None = None,
    ris_options: RisOptions | None = None,
    written_to: Path | None = None,
) -> ExportResult:
    """``papers`` as ``fmt`` (one of ``FORMATS``) text; biblatex takes the BibTeX options. ``written_to``:
    the file it goes to, if any (BibTeX ``with_files``: attached files inside its folder are written
    relative to it).

    Raises:
        ValueError: an unknown format or grouping.
    """
    if fmt == "bibtex":
        options = bibtex_options or BibtexOptions()
        files = None
        if options.with_files:
            base = written_to.resolve().parent if written_to is not None else None
            files = attachments.file_fields(library, [p.id for p in papers], base)
        return bibtex_export.render(papers, annotations_of(library, papers), options, files)
    if fmt == "markdown":
        return markdown_export.render(papers, annotations_of(library, papers), markdown_options or MarkdownOptions())
    if fmt == "ris":
        return ris.render(papers, annotations_of(library, papers), ris_options or RisOptions())
    if fmt == "biblatex":
        return biblatex_export.render(papers, annotations_of(library, papers), bibtex_options or BibtexOptions())
    if fmt == "csl-json":  # takes the BibTeX export's abstract, keywords and notes choices
        csl_options = csljson.CslJsonOptions.like(bibtex_options or BibtexOptions())
        return csljson.render(papers, annotations_of(library, papers), csl_options)
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


def export_target(path: Path) -> Path:
    """The file an export to ``path`` replaces: ``path`` itself, or a symlink's target.

    Raises:
        OSError: ``path`` is a folder, a device, a FIFO or a socket (the atomic write would put a regular
            file in its place, and a kept-updated file's comparison would read a device or pipe forever),
            or its folder does not exist. Nothing was written.
    """
    target = path.resolve() if path.is_symlink() else path
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        if not target.parent.is_dir():
            raise OSError(f"{path}: the folder {target.parent} does not exist") from None
        return target
    if stat.S_ISDIR(mode):
        raise OSError(f"{path} is a folder; export to a file in it")
    if not stat.S_ISREG(mode):
        raise OSError(f"{path} is not a regular file (a device, FIFO or socket); export to a regular file")
    return target


def write(path: Path, result: ExportResult) -> None:
    """Write an export's text (see ``write_file``)."""
    write_file(path, result.text.encode("utf-8"))


def write_file(path: Path, payload: bytes) -> None:
    """Write an exported file (a bibliography, a chart) atomically (a reader never sees half a file).

    The file keeps its permissions, or gets the usual ones for a new file (the atomic write's temp
    file is private to the user, which an exported bibliography has no reason to be). A symlink (a
    paper's repository often links to the exported .bib) stays a link: its target is written, atomically,
    in the target's own folder.
    """
    path = export_target(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    atomic_write_bytes(path, payload)
    with contextlib.suppress(OSError):
        os.chmod(path, mode)


def export(
    library: Library,
    fmt: str,
    *,
    path: Path | None = None,
    ids: Iterable[str] | None = None,
    list_name: str | None = None,
    query: str = "",
    bibtex_options: BibtexOptions | None = None,
    markdown_options: MarkdownOptions | None = None,
    ris_options: RisOptions | None = None,
) -> ExportResult:
    """The export both the CLI and the window run: choose the papers, render them, write ``path`` if given.

    The papers are all of them, narrowed by ``ids`` (a selection), ``list_name`` and ``query`` (the search
    language) when given; ``result.count`` says how many were exported.

    Raises:
        QueryError: ``query`` is not a valid query.
        UnknownListError: ``list_name`` is no reading list.
        ValueError: an unknown format or grouping.
        OSError: ``path`` cannot be written (nothing was changed).
    """
    query_ids = filter_papers(library, query) if query.strip() else None
    papers = select(library, ids=ids, list_name=list_name, query_ids=query_ids)
    result = render(library, papers, fmt, bibtex_options=bibtex_options, markdown_options=markdown_options,
                    ris_options=ris_options, written_to=path)
    if path is not None:
        write(path, result)
    return result


@functools.cache
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# -- keep updated ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Tie:
    """A file kept equal to the export of a reading list (``list_name``) or of the whole library (None)."""

    path: Path
    list_name: str | None = None
    format: str = "bibtex"
    options: dict[str, Any] = field(default_factory=dict)
    error: str = ""  # why the last rewrite failed ("" when it worked)
    members: set[str] = field(default_factory=set)  # ids in the file as last written
    dirty: bool = False

    def to_doc(self) -> dict[str, Any]:
        return {"path": str(self.path), "list": self.list_name, "format": self.format, "options": self.options}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Tie:
        fmt = doc.get("format", "bibtex")
        if fmt not in FORMATS:
            raise ValueError(f"unknown export format {fmt!r}")
        return cls(Path(doc["path"]), doc.get("list"), fmt, dict(doc.get("options") or {}))

    @property
    def scope(self) -> str:
        return f"reading list {self.list_name!r}" if self.list_name is not None else "the whole library"


class AutoExport:
    """Files tied to a reading list or the whole library, rewritten when those papers change.

    Follows ``library.events`` from creation (``close()`` stops). A failed rewrite never
    raises into the library's change notification: it is kept in ``Tie.error`` and passed to
    ``on_error`` when given.
    """

    def __init__(
        self,
        library: Library,
        *,
        immediate: bool = True,
        on_error: Callable[[Tie, str], None] | None = None,
    ) -> None:
        self.library = library
        self.immediate = immediate
        self.on_error = on_error
        self.problems: list[str] = []  # the ties file could not be read
        self.ties: list[Tie] = self._load()
        for tie in self.ties:
            tie.members = set(self._ids(tie)) if self._exists(tie) else set()
        library.events.connect_ids(self.on_change)

    @property
    def path(self) -> Path:
        return self.library.folder / TIES_FILE

    def close(self) -> None:
        self.library.events.disconnect_ids(self.on_change)

    # -- ties -------------------------------------------------------------------------------------------

    def tie(
        self,
        path: Path,
        *,
        list_name: str | None = None,
        fmt: str | None = None,
        options: dict[str, Any] | None = None,
    ) -> Tie:
        """Tie ``path`` to a reading list (or, with None, the whole library) and write it now.

        An existing tie of the same file is replaced. ``options`` are ``BibtexOptions`` or
        ``MarkdownOptions`` or ``RisOptions`` fields by name (biblatex: ``BibtexOptions``).

        Raises:
            UnknownListError: no reading list has this name.
            ValueError: an unknown format or option.
            OSError: the file cannot be written (the tie is not kept).
        """
        path = Path(path).expanduser().absolute()
        if list_name is not None and list_name not in self.library.list_names():
            raise UnknownListError(list_name)
        tie = Tie(path, list_name, fmt or format_for(path), dict(options or {}))
        if tie.format not in FORMATS:
            raise ValueError(f"unknown export format {tie.format!r}; choose one of {', '.join(FORMATS)}")
        self._options(tie)  # fail now on a bad option, not on the first change
        self._write(tie)
        self.ties = [t for t in self.ties if t.path != path] + [tie]
        self._save()
        return tie

    def untie(self, path: Path) -> bool:
        """Stop keeping ``path`` updated (the file stays); False if it was not tied."""
        path = Path(path).expanduser().absolute()
        kept = [t for t in self.ties if t.path != path]
        if len(kept) == len(self.ties):
            return False
        self.ties = kept
        self._save()
        return True

    def rename_list(self, old: str, new: str) -> None:
        """Follow a reading list's rename (call it after ``Library.rename_list``)."""
        changed = False
        for tie in self.ties:
            if tie.list_name == old:
                tie.list_name = new
                tie.dirty = changed = True
        if changed:
            self._save()
            if self.immediate:
                self.flush()

    # -- changes ----------------------------------------------------------------------------------------

    def refresh(self) -> list[Tie]:
        """Bring every tied file up to date now (for changes made while nobody listened, e.g. by the CLI)."""
        for tie in self.ties:
            tie.dirty = True
        return self.flush()

    def on_change(self, ids: Sequence[str]) -> None:
        """The library listener: mark the ties whose papers changed, joined or left; rewrite them."""
        changed = set(ids)
        for tie in self.ties:
            if tie.dirty:
                continue
            if tie.list_name is None or not changed.isdisjoint(tie.members):
                tie.dirty = bool(changed)
            else:
                library = self.library
                tie.dirty = any(
                    pid in library.papers and tie.list_name in library.annotation(pid).lists for pid in changed
                )
        if self.immediate:
            self.flush()

    def flush(self) -> list[Tie]:
        """Rewrite every tie marked dirty; returns those that failed."""
        failed = []
        for tie in self.ties:
            if not tie.dirty:
                continue
            try:
                self._write(tie)
            except (OSError, ValueError) as exc:
                reason = getattr(exc, "strerror", None) or str(exc)
                tie.error = f"could not update {tie.path}: {reason}"
                failed.append(tie)
                if self.on_error is not None:
                    self.on_error(tie, tie.error)
        return failed

    def _exists(self, tie: Tie) -> bool:
        return tie.list_name is None or tie.list_name in self.library.list_names()

    def _ids(self, tie: Tie) -> list[str]:
        if tie.list_name is None:
            return self.library.live_ids()
        return list_members(self.library, tie.list_name)

    def _options(self, tie: Tie) -> dict[str, Any]:
        """The tie's options as ``render``'s keyword arguments."""
        try:
            if tie.format in BIBTEX_OPTION_FORMATS:
                return {"bibtex_options": BibtexOptions(**tie.options)}
            if tie.format == "ris":
                return {"ris_options": RisOptions(**tie.options)}
            title = tie.options.get("title") or tie.list_name or "Reading list"
            return {"markdown_options": MarkdownOptions(**{**tie.options, "title": title})}
        except TypeError as exc:
            raise ValueError(f"bad export options for {tie.path.name}: {exc}") from None

    def _write(self, tie: Tie) -> None:
        """Render the tie's papers and replace its file, unless the bytes would be the same."""
        if not self._exists(tie):
            raise ValueError(f"the reading list {tie.list_name!r} no longer exists; the file was left as it was")
        ids = self._ids(tie)
        papers = [self.library.papers[pid] for pid in ids]
        result = render(self.library, papers, tie.format, **self._options(tie), written_to=tie.path)
        payload = result.text.encode("utf-8")
        try:
            same = export_target(tie.path).read_bytes() == payload
        except OSError:
            same = False
        if not same:
            write(tie.path, result)
        tie.members = set(ids)
        tie.dirty = False
        tie.error = ""

    # -- the ties file ----------------------------------------------------------------------------------

    def _load(self) -> list[Tie]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            self.problems.append(f"cannot read {TIES_FILE}: {exc.strerror}; no file is kept updated")
            return []
        try:
            doc = orjson.loads(raw)
            return [Tie.from_doc(t) for t in doc.get("ties", [])]
        except (orjson.JSONDecodeError, AttributeError, KeyError, TypeError, ValueError) as exc:
            self.problems.append(f"{TIES_FILE} cannot be read ({exc}); no file is kept updated")
            return []

    def _save(self) -> None:
        doc = {"schema": TIES_SCHEMA, "ties": [t.to_doc() for t in self.ties]}
        atomic_write_bytes(self.path, orjson.dumps(doc, option=orjson.OPT_INDENT_2))


__all__ = [
    "FORMATS",
    "SUFFIX_OF",
    "TIES_FILE",
    "AutoExport",
    "Tie",
    "UnknownListError",
    "annotations_of",
    "export",
    "format_for",
    "list_members",
    "render",
    "select",
    "write",
]
