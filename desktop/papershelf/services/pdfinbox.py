"""A watched folder (Downloads, say): new PDFs there are matched to papers and attached, or kept for the user.

What the window's watcher does with ``pdfmatch``'s results, and remembers in a table ``pdf_inbox`` of the
annotations store (so a PDF is looked at once, not at every start, and the unmatched ones wait for the
user on any machine the library is synced to):

- ``settings``: {"folder": path, "move": bool}; ``move``: a matched PDF is moved into the library (copied
  and then removed from the folder) instead of copied.
- ``file:<path>``: what became of one PDF: {"size", "mtime", "outcome": "attached" | "unmatched" |
  "dismissed", "key", "candidates": [[paper id, score], ...], "problem"}.

Only the folder's own PDFs are looked at, not its subfolders (a Downloads folder can hold anything).
A PDF that changes (a download that was still being written) is looked at again.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from papershelf.core.library import Library
from papershelf.core.model import now_iso
from papershelf.services import attachments
from papershelf.services.pdfmatch import PdfMatch

TABLE: Final = "pdf_inbox"
SETTINGS: Final = "settings"
_FILE: Final = "file:"


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A PDF of the watched folder waiting for the user to say which paper it is."""

    path: Path
    candidates: list[tuple[str, float]]  # (paper id, score), best first; ids the library still has
    problem: str = ""


@dataclass(slots=True)
class InboxReport:
    """What one look at the folder did."""

    attached: list[tuple[Path, str]] = field(default_factory=list)  # (PDF, paper key)
    unmatched: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def sentence(self) -> str:
        """One line for the status bar ("" when nothing happened)."""
        parts = []
        if self.attached:
            shown = ", ".join(f"{p.name} to {key}" for p, key in self.attached[:3])
            more = f" and {len(self.attached) - 3} more" if len(self.attached) > 3 else ""
            parts.append(f"Attached {shown}{more}")
        if self.unmatched:
            parts.append(f"{len(self.unmatched)} PDF{'s' if len(self.unmatched) != 1 else ''} not matched "
                         "(File → Unmatched PDFs…)")
        return "; ".join(parts + self.problems)


def watched_folder(library: Library) -> Path | None:
    folder = (library.table(TABLE).get(SETTINGS) or {}).get("folder")
    return Path(folder) if isinstance(folder, str) and folder else None


def moves_matched(library: Library) -> bool:
    return bool((library.table(TABLE).get(SETTINGS) or {}).get("move"))


def set_watched_folder(library: Library, folder: Path | None, *, move: bool = False) -> None:
    """Watch ``folder`` (None: stop watching); one write.

    Raises:
        ValueError: ``folder`` is not a folder.
    """
    if folder is not None and not folder.is_dir():
        raise ValueError(f"{folder} is not a folder")
    doc = {"folder": str(folder.resolve()), "move": move} if folder is not None else None
    library.commit(tables={TABLE: {SETTINGS: doc}})


def new_pdfs(library: Library, folder: Path) -> list[Path]:
    """The PDFs directly in ``folder`` not looked at yet (or changed since), by name."""
    seen = library.table(TABLE)
    found = []
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    for path in entries:
        if path.suffix.lower() != ".pdf" or not path.is_file():
            continue
        stamp = attachments.file_stamp(path)
        doc = seen.get(_FILE + str(path.resolve())) or {}
        if stamp is None or stamp[0] == 0:
            continue  # gone again, or a download that has not begun
        if (doc.get("size"), doc.get("mtime")) != stamp:
            found.append(path)
    return found


def settle(library: Library, results: Iterable[PdfMatch]) -> InboxReport:
    """Attach each confident match (copied, or moved if the folder's setting says so) and keep the rest for
    the user; what became of each PDF is recorded in one write."""
    report = InboxReport()
    move = moves_matched(library)
    records: dict[str, dict[str, Any] | None] = {}
    for result in results:
        path = result.path
        stamp = attachments.file_stamp(path)
        if stamp is None:
            continue
        record: dict[str, Any] = {"size": stamp[0], "mtime": stamp[1], "when": now_iso(),
                                  "candidates": [list(c) for c in result.candidates], "problem": result.problem}
        # a paper moved to the Trash since the PDF was read is not attached to either: the user picks
        if result.confident and result.paper_id is not None and not library.is_trashed(result.paper_id):
            key = library.papers[result.paper_id].key
            note = _attach(library, result.paper_id, path, move)
            if note is None:
                report.attached.append((path, key))
                record.update(outcome="attached", key=key)
            else:
                report.problems.append(note)
                record.update(outcome="unmatched")
                report.unmatched.append(path)
        else:
            record.update(outcome="unmatched")
            report.unmatched.append(path)
        records[_FILE + str(path.resolve())] = record
    if records:
        library.commit(tables={TABLE: records})
    return report


def _attach(library: Library, paper_id: str, path: Path, move: bool) -> str | None:
    """Attach a copy of ``path`` (removing the original when moving); a sentence if it failed."""
    try:
        attachments.attach(library, paper_id, path)
    except (attachments.AttachmentError, OSError, ValueError) as exc:
        return f"{path.name} was not attached: {exc}"
    if move:
        with contextlib.suppress(OSError):
            os.unlink(path)  # the copy is in the library, made durable before this
    return None


def unmatched(library: Library) -> list[Unmatched]:
    """The PDFs still waiting for the user (those that are still there), by name."""
    waiting = []
    for name, doc in library.table(TABLE).items():
        if not name.startswith(_FILE) or not isinstance(doc, dict) or doc.get("outcome") != "unmatched":
            continue
        path = Path(name[len(_FILE):])
        if not path.is_file():
            continue
        candidates = [(str(c[0]), float(c[1])) for c in doc.get("candidates") or []
                      if isinstance(c, list | tuple) and len(c) == 2 and c[0] in library.papers]
        waiting.append(Unmatched(path, candidates, str(doc.get("problem") or "")))
    return sorted(waiting, key=lambda u: u.path.name.casefold())


def resolve(library: Library, path: Path, paper_id: str) -> str:
    """The user says ``path`` is this paper: attach it (copied or moved, as the folder's setting says).

    Raises:
        AttachmentError, StoreError: as ``attachments.attach``; nothing was recorded.
    """
    stamp = attachments.file_stamp(path)
    attachments.attach(library, paper_id, path)
    key = library.papers[paper_id].key
    if stamp is not None:
        library.commit(tables={TABLE: {_FILE + str(path.resolve()): {
            "size": stamp[0], "mtime": stamp[1], "when": now_iso(), "outcome": "attached", "key": key}}})
    if moves_matched(library):
        with contextlib.suppress(OSError):
            os.unlink(path)
    return key


def dismiss(library: Library, paths: Sequence[Path]) -> None:
    """These PDFs are no paper of the library: never offered again (unless they change); one write."""
    records: dict[str, dict[str, Any] | None] = {}
    for path in paths:
        stamp = attachments.file_stamp(path)
        if stamp is not None:
            records[_FILE + str(path.resolve())] = {"size": stamp[0], "mtime": stamp[1], "when": now_iso(),
                                                    "outcome": "dismissed"}
    if records:
        library.commit(tables={TABLE: records})
