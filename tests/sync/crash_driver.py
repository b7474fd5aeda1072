"""Types into a library and its notes file and syncs, over and over, until killed (driven by test_crash).

Usage: python -m tests.sync.crash_driver LIBRARY_DIR NOTES_FILE JOURNAL SEED
       python -m tests.sync.crash_driver --kill-at-step STEP LIBRARY_DIR NOTES_FILE

The second form runs one sync and kills itself (SIGKILL) at step STEP of it: step 2i is just before the
i-th file replacement on disk (the notes file, a store, a conflict copy moved aside: every durable write
goes through ``os.replace``), step 2i+1 just after it. A STEP past the last one lets the sync finish; it
then prints how many steps there were.

Every text typed is a unique token. It is appended to the journal (fsynced) only once the edit that
holds it is durable, so the test may demand that every journaled token survives any kill.
Conflicts are resolved the way a careful person would: by keeping both sides.
"""

from __future__ import annotations

import os
import random
import signal
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


def sync_killed_at_step(lib_dir: str, notes: str, step: int) -> None:
    lib = Library(lib_dir)  # opening may write too (a repair): only the sync's own steps are counted
    replace = os.replace
    steps = 0

    def point() -> None:
        nonlocal steps
        if steps == step:
            os.kill(os.getpid(), signal.SIGKILL)
        steps += 1

    def counted_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        point()
        replace(src, dst)
        point()

    os.replace = counted_replace  # type: ignore[assignment]
    sync(lib, notes)
    os.replace = replace
    print(steps)


def main() -> None:
    if sys.argv[1] == "--kill-at-step":
        sync_killed_at_step(sys.argv[3], sys.argv[4], int(sys.argv[2]))
        return
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
