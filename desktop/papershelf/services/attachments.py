"""Files attached to papers: copied into the library folder or linked where they are.

Where the list is kept: a table ``attachments`` of the annotations store (paper id -> {"files": [...]}),
beside the user's annotations. Attaching is the user's act, like a tag, so it lives with the user's data:
it is backed up with the annotations, never touched by a re-import of the catalogue, and one attach is
one durable write. A paper's ``file`` field read from a .bib stays in the catalogue as read (it is
exported unchanged) and is also taken in here as links when the .bib is imported.

A copied file is kept under the library folder, ``files/<key>/NAME`` (its path stored relative to the
folder, so a moved or synced library keeps its files); a linked file by its absolute path. Files are
never overwritten: a copy goes in with a temp file and a hard link (which fails rather than replace), a
second file of the same name gets ``NAME (2).pdf``, and the same bytes attached again are the same file.
Detaching a linked file never touches it; a copied file is moved to ``trash/files/<key>/`` in the library
folder, never deleted. A missing file is shown as missing: nothing here raises on start.
"""

from __future__ import annotations

import contextlib
import filecmp
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from papershelf.core.events import AnnotationsChanged
from papershelf.core.library import PAPER_TABLES, Library, ReadOnlyError
from papershelf.core.model import Paper, now_iso
from papershelf.core.storage.store import StoreError, unused_stamped_path
from papershelf.formats import filefield

TABLE: Final = "attachments"
FILES_FOLDER: Final = "files"
TRASH_FOLDER: Final = "trash"
FILES_EVENT_FIELD: Final = "files"  # AnnotationsChanged.fields names it when a paper's files changed
_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f/\\:*?"<>|]+')
PAPER_TABLES.add(TABLE)  # a paper emptied from the Trash takes its list of files into its removed record


class AttachmentError(ValueError):
    """An attach, rename or detach that cannot be done; the message says why, nothing was changed."""


@dataclass(frozen=True, slots=True)
class Attachment:
    """One file of a paper. ``path``: relative to the library folder (a copy) or absolute (a link)."""

    path: str
    linked: bool
    type: str = "PDF"
    description: str = ""
    added: str = ""

    @property
    def name(self) -> str:
        return Path(self.path).name

    def location(self, library_folder: Path) -> Path:
        """Where the file is on disk."""
        path = Path(self.path)
        # A link is where it says (a Windows path read on another system stays as written, and missing).
        return path if self.linked or path.is_absolute() else library_folder / path

    def to_doc(self) -> dict[str, Any]:
        return {"path": self.path, "linked": self.linked, "type": self.type, "description": self.description,
                "added": self.added}

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Attachment | None:
        """The attachment a stored document describes; None for one that is not (skipped, never fatal)."""
        if not isinstance(doc, Mapping) or type(doc.get("path")) is not str or not doc["path"]:
            return None
        texts = {name: str(doc[name]) if type(doc.get(name)) is str else ""
                 for name in ("type", "description", "added")}
        return cls(doc["path"], bool(doc.get("linked")), texts["type"] or "PDF", texts["description"], texts["added"])


@dataclass(frozen=True, slots=True)
class Attached:
    """What ``attach`` did: the attachment, whether it was there already, and a note for the user."""

    attachment: Attachment
    already: bool = False
    note: str = ""  # e.g. the PDF cannot be read, or is encrypted


def attachments(library: Library, paper_id: str) -> list[Attachment]:
    """The paper's files, in the order attached."""
    doc = library.table(TABLE).get(paper_id) or {}
    files = doc.get("files") if isinstance(doc, Mapping) else None
    found = (Attachment.from_doc(d) for d in files) if isinstance(files, list) else ()
    return [a for a in found if a is not None]


def papers_with_files(library: Library) -> list[str]:
    """Ids of the papers that have at least one file attached."""
    return [pid for pid in library.table(TABLE) if pid in library.papers and attachments(library, pid)]


def is_missing(library: Library, attachment: Attachment) -> bool:
    return not attachment.location(library.folder).is_file()


def best_file(library: Library, paper_id: str) -> Path | None:
    """The file ``o`` opens: the first attached PDF that is there, else the first file that is there."""
    present = [a for a in attachments(library, paper_id) if not is_missing(library, a)]
    pdfs = [a for a in present if a.name.lower().endswith(".pdf") or "pdf" in a.type.lower()]
    chosen = pdfs or present
    return chosen[0].location(library.folder) if chosen else None


def pdf_note(path: Path) -> str:
    """A sentence about a PDF a reader may not open ("" when it reads): encrypted, damaged, not a PDF."""
    if not path.name.lower().endswith(".pdf"):
        return ""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            return f"{path.name} is encrypted: your PDF viewer will ask for its password"
        len(reader.pages)
    except (PyPdfError, OSError, ValueError, KeyError, TypeError) as exc:
        return f"{path.name} could not be read as a PDF ({type(exc).__name__}: {exc}); it is attached as it is"
    return ""


def folder_name(key: str) -> str:
    """A paper's folder under ``files/``: its citation key, with characters no file system takes replaced."""
    name = _UNSAFE_IN_NAME.sub("_", key).strip(" .")
    return name or "_"


def attach(library: Library, paper_id: str, source: Path, *, link: bool = False, description: str = "") -> Attached:
    """Attach ``source`` to the paper: copied to ``files/<key>/`` (default) or linked by its path; one write.

    Raises:
        AttachmentError: ``source`` is not a file; nothing was changed.
        StoreError: the library cannot be written (read-only, disk full); any copy made is removed again.
    """
    _writable(library)
    paper = library.papers[paper_id]
    source = Path(source).expanduser()
    if not source.is_file():
        raise AttachmentError(f"{source}: no such file" if not source.exists() else f"{source} is not a file")
    existing = attachments(library, paper_id)
    note = pdf_note(source)
    if link:
        target = str(source.resolve())
        for attachment in existing:
            if attachment.linked and attachment.path == target:
                return Attached(attachment, already=True, note=note)
        new = Attachment(target, True, _file_type(source), description, now_iso())
        _save(library, paper_id, [*existing, new])
        return Attached(new, note=note)
    folder = library.folder / FILES_FOLDER / folder_name(paper.key)
    for attachment in existing:
        location = attachment.location(library.folder)
        if not attachment.linked and location.is_file() and _same_file(location, source):
            return Attached(attachment, already=True, note=note)
    made = [f for f in (folder.parent, folder) if not f.exists()]  # files/ and files/KEY/ made by this attach
    copied = _copy_in(source, folder)
    new = Attachment(copied.relative_to(library.folder).as_posix(), False, _file_type(source), description, now_iso())
    try:
        _save(library, paper_id, [*existing, new])
    except StoreError:
        with contextlib.suppress(OSError):
            copied.unlink()
        for made_folder in reversed(made):  # only if empty: rmdir never removes what is in it
            with contextlib.suppress(OSError):
                made_folder.rmdir()
        raise
    return Attached(new, note=note)


def detach(library: Library, paper_id: str, attachment: Attachment) -> Path | None:
    """Take a file off the paper; one write. A linked file stays where it is; a copied file is moved to
    the library's ``trash/files/<key>/`` (returned), never deleted.

    Raises:
        AttachmentError: the paper has no such file.
        StoreError: the library cannot be written; the file is back where it was.
    """
    _writable(library)
    existing = attachments(library, paper_id)
    if attachment not in existing:
        raise AttachmentError(f"{attachment.name} is not attached to {library.papers[paper_id].key}")
    remaining = [a for a in existing if a != attachment]
    location = attachment.location(library.folder)
    trashed: Path | None = None
    if not attachment.linked and location.is_file():
        trash = library.folder / TRASH_FOLDER / FILES_FOLDER / location.parent.name
        trash.mkdir(parents=True, exist_ok=True)
        trashed = unused_stamped_path(lambda stamp: trash / f"{location.stem}.{stamp}{location.suffix}")
        os.replace(location, trashed)
    try:
        _save(library, paper_id, remaining)
    except StoreError:
        if trashed is not None:
            os.replace(trashed, location)
        raise
    if trashed is not None:
        with contextlib.suppress(OSError):
            location.parent.rmdir()  # only if it is empty now
    return trashed


def set_aside_files(library: Library, paper_ids: Sequence[str]) -> list[Path]:
    """Before papers are emptied from the Trash: their copied files are moved to the library's
    ``trash/files/<key>/`` (as ``detach`` moves them) and their lists say where, in one write; linked files
    stay where they are. Emptying then keeps each list in the paper's removed record
    (``Library.removed_papers()``, its ``tables``), so neither the files nor where they went is lost.
    Returns where the files went.

    Raises:
        StoreError: the library cannot be written; the files are back where they were.
    """
    _writable(library)
    moved: list[tuple[Path, Path]] = []
    changes: dict[str, dict[str, Any] | None] = {}
    try:
        for pid in paper_ids:
            files = attachments(library, pid)
            changed = False
            for n, attachment in enumerate(files):
                location = attachment.location(library.folder)
                if attachment.linked or not location.is_file() or not _inside(location, library.folder / FILES_FOLDER):
                    continue
                trash = library.folder / TRASH_FOLDER / FILES_FOLDER / location.parent.name
                trash.mkdir(parents=True, exist_ok=True)
                target = _aside_path(trash, location)
                os.replace(location, target)
                moved.append((location, target))
                files[n] = replace(attachment, path=target.relative_to(library.folder).as_posix())
                changed = True
            if changed:
                changes[pid] = {"files": [a.to_doc() for a in files]}
        if changes:
            library.commit(tables={TABLE: changes})
    except (StoreError, OSError):
        for old, new in reversed(moved):
            with contextlib.suppress(OSError):
                os.replace(new, old)
        raise
    for old, _new in moved:
        with contextlib.suppress(OSError):
            old.parent.rmdir()  # only if it is empty now
    return [new for _old, new in moved]


def _aside_path(trash: Path, location: Path) -> Path:
    return unused_stamped_path(lambda stamp: trash / f"{location.stem}.{stamp}{location.suffix}")


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True


def rename(library: Library, paper_id: str, attachment: Attachment, new_name: str) -> Attachment:
    """Rename the file on disk (in its folder; never over another file) and in the paper's list; one write.

    A name without a suffix keeps the file's suffix (``smith2020`` -> ``smith2020.pdf``).

    Raises:
        AttachmentError: the name is empty or has a folder in it, the file is missing, the name is taken.
        StoreError: the library cannot be written; the file has its old name again.
    """
    _writable(library)
    existing = attachments(library, paper_id)
    if attachment not in existing:
        raise AttachmentError(f"{attachment.name} is not attached to {library.papers[paper_id].key}")
    new_name = new_name.strip()
    if not new_name or new_name in (".", "..") or _UNSAFE_IN_NAME.search(new_name):
        raise AttachmentError(f"{new_name!r} is not a file name (none of / \\ : * ? \" < > |, no folders)")
    old = attachment.location(library.folder)
    if not Path(new_name).suffix and old.suffix:
        new_name += old.suffix
    if new_name == old.name:
        return attachment
    if not old.is_file():
        raise AttachmentError(f"{old} is missing; it cannot be renamed")
    new = old.with_name(new_name)
    _move_without_overwriting(old, new)
    path = (new.relative_to(library.folder).as_posix() if not attachment.linked else str(new))
    renamed = replace(attachment, path=path)
    try:
        _save(library, paper_id, [renamed if a == attachment else a for a in existing])
    except StoreError:
        _move_without_overwriting(new, old)
        raise
    return renamed


def combine_files(library: Library, keep_id: str, other_id: str) -> None:
    """After a merge of ``other_id`` into ``keep_id``: the other paper's files join the kept paper's (they stay
    where they are on disk); one write, none when the other had no files."""
    moved = attachments(library, other_id)
    if not moved or library.read_only:
        return
    kept = attachments(library, keep_id)
    combined = kept + [a for a in moved if a not in kept]
    library.commit(tables={TABLE: {keep_id: {"files": [a.to_doc() for a in combined]}, other_id: None}})
    library.events.emit(AnnotationsChanged((keep_id,), frozenset({FILES_EVENT_FIELD})))


def link_imported_files(
    library: Library, parsed: Sequence[Paper], keys_given: Mapping[str, str], base: Path
) -> list[str]:
    """Take the ``file`` fields of papers just imported from a .bib in ``base`` in as linked files.

    ``keys_given`` maps a key in the file to the key its paper has in the library (renamed or merged);
    a relative path is relative to the .bib's folder. Files already attached are not added again; a file
    that does not exist is linked all the same (shown as missing). One write for the whole import.
    Returns a sentence per ``file`` part that names no file.
    """
    problems: list[str] = []
    changes: dict[str, list[Attachment]] = {}
    stamp = now_iso()
    for paper in parsed:
        value = paper.fields.get("file")
        if not value:
            continue
        entries, bad = filefield.parse(value)
        problems += [f"[{paper.key}] {problem}" for problem in bad]
        key = keys_given.get(paper.key, paper.key)
        if not library.has_key(key) or library.paper(key).fields.get("file") != value:
            continue  # not this entry's paper (a key taken by another), or one that kept its own files
        pid = library.paper(key).id
        current = changes.get(pid) or attachments(library, pid)
        known = {a.path for a in current}
        for entry in entries:
            path = str(_resolved(entry.path, base))
            if path not in known:
                current = [*current, Attachment(path, True, entry.type or "PDF", entry.description, stamp)]
                known.add(path)
        changes[pid] = current
    if changes and not library.read_only:
        library.commit(tables={TABLE: {pid: {"files": [a.to_doc() for a in files]} for pid, files in changes.items()}})
        library.events.emit(AnnotationsChanged(tuple(changes), frozenset({FILES_EVENT_FIELD})))
    return problems


def file_field(library: Library, paper_id: str, relative_to: Path | None = None) -> str:
    """The paper's files in JabRef's ``file`` field form ("" for none): paths relative to ``relative_to``
    (the folder of the .bib written) where the file is inside it, absolute otherwise."""
    entries = []
    for attachment in attachments(library, paper_id):
        location = attachment.location(library.folder)
        path = str(location)
        if relative_to is not None:
            with contextlib.suppress(ValueError):
                path = location.relative_to(relative_to).as_posix()
        entries.append(filefield.FileEntry(path, attachment.description, attachment.type))
    return filefield.render(entries)


def file_fields(library: Library, paper_ids: Iterable[str], relative_to: Path | None = None) -> dict[str, str]:
    """``file_field`` for each paper that has files, by id."""
    return {pid: text for pid in paper_ids if (text := file_field(library, pid, relative_to))}


# -- the work on disk -------------------------------------------------------------------------------


def _writable(library: Library) -> None:
    if library.read_only:
        raise ReadOnlyError(f"the library folder {library.folder} cannot be written; it is open read-only")


def _save(library: Library, paper_id: str, files: list[Attachment]) -> None:
    doc = {"files": [a.to_doc() for a in files]} if files else None
    library.commit(tables={TABLE: {paper_id: doc}})
    library.events.emit(AnnotationsChanged((paper_id,), frozenset({FILES_EVENT_FIELD})))


def _resolved(path: str, base: Path) -> Path:
    candidate = Path(path).expanduser()
    if candidate.is_absolute():
        return candidate
    if re.match(r"^[A-Za-z]:[\\/]", path):  # a Windows drive path read on another system: as written
        return Path(path)
    return (base / candidate).resolve()


def file_stamp(path: Path) -> tuple[int, int] | None:
    """A file's size and modification time (a file whose stamp changed is read again); None if it is gone."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def _file_type(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    return suffix.upper() if suffix else "File"


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.stat().st_size == other.stat().st_size and filecmp.cmp(one, other, shallow=False)
    except OSError:
        return False


def _candidates(folder: Path, name: str) -> Iterable[Path]:
    yield folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    for n in range(2, 10_000):
        yield folder / f"{stem} ({n}){suffix}"


def _copy_in(source: Path, folder: Path) -> Path:
    """Copy ``source`` into ``folder`` under its own name (or ``NAME (n)``), atomically, never over a file.

    The bytes go to a temp file in ``folder``, fsynced; a hard link then gives it its name (a link fails
    if the name is taken, where a rename would replace). File systems without hard links get a rename
    after a look that the name is free.
    """
    folder.mkdir(parents=True, exist_ok=True)
    name = _UNSAFE_IN_NAME.sub("_", source.name) or "file"
    fd, temp_name = tempfile.mkstemp(prefix=".attach-", suffix=".tmp", dir=folder)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out, 1024 * 1024)
            out.flush()
            os.fsync(out.fileno())
        for target in _candidates(folder, name):
            if target.exists():
                continue
            try:
                os.link(temp, target)
            except FileExistsError:
                continue
            except OSError:
                if target.exists():
                    continue
                os.replace(temp, target)
            _fsync_folder(folder)
            return target
        raise AttachmentError(f"{folder} has too many files named like {name}")
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def _move_without_overwriting(old: Path, new: Path) -> None:
    if new.exists():
        raise AttachmentError(f"{new.name} is already there; choose another name")
    try:
        os.link(old, new)
    except FileExistsError:
        raise AttachmentError(f"{new.name} is already there; choose another name") from None
    except OSError:
        os.replace(old, new)  # no hard links here: looked above that the name is free
    else:
        old.unlink()
    _fsync_folder(new.parent)


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
