"""Unsaved notes kept outside the library, so a note the library could not take is never lost on quit.

When the library folder refuses a write (read-only, disk full), the window keeps what was typed as a
*draft* in the user's state folder, one file per library::

    $XDG_STATE_HOME/papershelf/drafts/<hash of the library folder>.json   (platformdirs user_state_dir)

The file is written atomically (temp file, fsync, rename). On the next start on that library the window
offers each draft; once the note is saved (or the draft discarded) its entry goes, and the file with it
when it holds none. A draft file that cannot be read is set aside as ``NAME.corrupt-<time>``, never
overwritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
import platformdirs

from papershelf.core.storage.store import atomic_write_bytes, set_aside

FORMAT = 1


class DraftError(Exception):
    """A draft could not be written to (or removed from) the recovery file; the message says why."""


@dataclass(frozen=True)
class Draft:
    """A note typed for one paper that the library could not save."""

    paper_id: str
    key: str
    text: str
    saved_at: str  # ISO 8601, UTC: when the draft was last kept
    library: str  # the library folder the note belongs to


def drafts_dir() -> Path:
    """The folder holding every library's draft file (outside any library folder)."""
    return Path(platformdirs.user_state_dir("papershelf", appauthor=False)) / "drafts"


def _library_id(folder: Path) -> str:
    return hashlib.sha256(str(folder.expanduser().resolve()).encode("utf-8")).hexdigest()[:20]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class DraftStore:
    """The drafts of one library, read once and written through (atomically) on every change."""

    def __init__(self, library_folder: str | os.PathLike[str], root: Path | None = None) -> None:
        self.library_folder = Path(library_folder).expanduser().resolve()
        self.path = (root or drafts_dir()) / f"{_library_id(self.library_folder)}.json"
        self._drafts: dict[str, Draft] = self._read()

    def _read(self) -> dict[str, Draft]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError:
            return {}  # unreadable now: nothing to offer, and nothing is overwritten until a draft is kept
        try:
            data = orjson.loads(raw)
            drafts = {
                str(d["paper_id"]): Draft(str(d["paper_id"]), str(d["key"]), str(d["text"]),
                                          str(d["saved_at"]), str(d["library"]))
                for d in data["drafts"]
            }
        except (orjson.JSONDecodeError, KeyError, TypeError):
            with contextlib.suppress(OSError):
                set_aside(self.path)  # never over an earlier one
            return {}
        return drafts

    def drafts(self) -> list[Draft]:
        """This library's drafts, oldest first."""
        return sorted(self._drafts.values(), key=lambda d: (d.saved_at, d.key))

    def draft(self, paper_id: str) -> Draft | None:
        return self._drafts.get(paper_id)

    def __len__(self) -> int:
        return len(self._drafts)

    def keep(self, paper_id: str, key: str, text: str) -> Draft:
        """Keep ``text`` as the draft of ``paper_id``'s note (replacing an older draft of it).

        Raises:
            DraftError: the recovery file could not be written; the drafts kept before are unchanged.
        """
        draft = Draft(paper_id, key, text, _now(), str(self.library_folder))
        if self._drafts.get(paper_id) == draft:
            return draft
        drafts = {**self._drafts, paper_id: draft}
        self._write(drafts)
        self._drafts = drafts
        return draft

    def clear(self, paper_id: str) -> None:
        """Forget ``paper_id``'s draft (saved or discarded); nothing is written when there is none.

        Raises:
            DraftError: the recovery file could not be rewritten; the draft is still kept.
        """
        if paper_id not in self._drafts:
            return
        drafts = {pid: d for pid, d in self._drafts.items() if pid != paper_id}
        self._write(drafts)
        self._drafts = drafts

    def _write(self, drafts: dict[str, Draft]) -> None:
        try:
            if not drafts:
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            payload = {"format": FORMAT, "library": str(self.library_folder),
                       "drafts": [asdict(d) for d in sorted(drafts.values(), key=lambda d: d.paper_id)]}
            atomic_write_bytes(self.path, orjson.dumps(payload, option=orjson.OPT_INDENT_2))
        except OSError as exc:
            raise DraftError(f"cannot keep the draft in {self.path}: {exc.strerror or exc}") from exc
