"""Types into a library and its notes file and syncs, over and over, until killed (driven by test_crash).

Usage: python -m tests.sync.crash_driver LIBRARY_DIR NOTES_FILE JOURNAL SEED

Every text typed is a unique token. It is appended to the journal (fsynced) only once the edit that
holds it is durable, so the test may demand that every journaled token survives any kill.
Conflicts are resolved the way a careful person would: by keeping both sides.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.storage.store import atomic_write_bytes
from papershelf.sync import state as sync_state
from papershelf.sync.notesfile import parse
from papershelf.sync.syncer import resolve, sync
from tests.sync.helpers import KEYS


def type_in_file(notes: Path, lib: Library, key: str, token: str) -> None:
    text = notes.read_text(encoding="utf-8") if notes.exists() else ""
    doc = parse(text)
    found = [s for s in doc.sections if s.key == key and not s.verbatim]
    if found:
        end = found[0].end
        text = doc.text[:end].rstrip("\n") + f"\n\n{token}\n\n" + doc.text[end:].lstrip("\n")
    else:
        text = doc.text.rstrip("\n") + f"\n\n## {lib.paper(key).title}\n<!-- papershelf:key={key} -->\n\n{token}\n"
    atomic_write_bytes(notes, text.encode("utf-8"))


def main() -> None:
    lib_dir, notes_arg, journal_arg, seed = sys.argv[1:5]
    notes, journal = Path(notes_arg), Path(journal_arg)
    lib = Library(lib_dir)
    rng = random.Random(seed)
    n = 0
    with journal.open("a", encoding="utf-8") as log:

        def typed(token: str) -> None:
            log.write(token + "\n")
            log.flush()
            os.fsync(log.fileno())

        while True:
            n += 1
            key = rng.choice(KEYS)
            side = rng.choice(("app", "file", "both"))
            if side in ("app", "both"):
                token = f"app-{seed}-{n}"
                pid = lib.paper(key).id
                lib.annotate([pid], AnnotationChange(note=(lib.annotation(pid).note + "\n\n" + token).strip()))
                typed(token)
            if side in ("file", "both"):
                token = f"file-{seed}-{n}"
                type_in_file(notes, lib, key, token)
                typed(token)
            report = sync(lib, notes)
            for pid in report.conflicts:
                record = sync_state.conflict_records(lib)[pid]
                theirs = record["file"].get("note", "")
                resolve(lib, pid, note=(lib.annotation(pid).note + "\n\n" + theirs).strip())


if __name__ == "__main__":
    main()
