"""A writer process for the kill loop: edits a library through the real code paths and says so.

Before each operation it prints ``BEGIN <json>``; after the call returns, ``ACK <json>``. The harness
kills it at a random moment and then checks that every acknowledged write is on disk.

    python writer.py LIBRARY_DIR NOTES_FILE SEED [--no-startup-sync]

Operations: a note replaced in the app, a status set on many papers at once, a tag added to a few, an
import, and notes syncs with ``papershelf.sync.syncer.sync`` against NOTES_FILE (beside the library).
The first :data:`TOKEN_PAPERS` papers are the synced ones: a unique token (``[tok SEED-N]``) is typed
into a paper's note either in the notes file (as a person with an editor would) or in the app, and a
sync usually follows. Once acknowledged, a token must stay findable in the library's note, the notes
file or the note history. Now and then a note typed in the app starts afresh: the tokens it held
are ``dropped`` on purpose (the op says which), the only way one may go. Conflicts are resolved as a
careful person would: a token paper keeps both sides; any other paper keeps the app's version, which is
what the user last saw in the app.

The writer syncs (and resolves) once before its first edit, so no conflict stays open across a kill.
``--no-startup-sync`` drops that sync; it found the cut-sync bug (``test_killed_sync.py``, fixed), and
still finds the loss in ``test_conflict_retention.py``: an open conflict's file side replaced by a
newer one survives only in the bounded note history.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import orjson

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import STATUSES, Paper
from papershelf.core.storage.store import atomic_write_bytes
from papershelf.sync import state as sync_state
from papershelf.sync.notesfile import parse
from papershelf.sync.syncer import resolve, sync

TOKEN_PAPERS = 16
TOKEN = re.compile(r"\[tok \d+-\d+\]")


def say(kind: str, op: dict[str, object]) -> None:
    sys.stdout.write(f"{kind} {orjson.dumps(op).decode()}\n")
    sys.stdout.flush()


def type_in_file(notes: Path, library: Library, pid: str, token: str) -> None:
    """Add a line with ``token`` at the end of the paper's note in the notes file (a new section if none)."""
    text = notes.read_bytes().decode("utf-8") if notes.exists() else ""
    doc = parse(text)
    paper = library.papers[pid]
    found = [s for s in doc.sections if s.key == paper.key and not s.verbatim]
    if found:
        section = found[0]
        # Above a conflict block, where a person types the note (text below it belongs to the note too).
        marker = doc.text.find("\n<!-- papershelf:conflict", section.start, section.end)
        end = marker if marker != -1 else section.start + len(section.raw)
        text = doc.text[:end].rstrip("\n") + f"\n\n{token}\n" + doc.text[end:]
    else:
        text = doc.text.rstrip("\n") + f"\n\n## {paper.title}\n<!-- papershelf:key={paper.key} -->\n\n{token}\n"
    atomic_write_bytes(notes, text.encode("utf-8"))


def sync_and_resolve(library: Library, notes: Path, token_ids: set[str]) -> None:
    report = sync(library, notes)
    for pid in report.conflicts:
        if pid in token_ids:
            theirs = sync_state.conflict_records(library)[pid]["file"].get("note", "")
            mine = library.annotation(pid).note
            merged = mine if theirs in mine else f"{mine}\n\n{theirs}".strip()
            resolve(library, pid, note=merged)
        else:
            resolve(library, pid, take="app")


def main() -> None:
    folder, notes, seed = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    library = Library(folder)
    ids = list(library.papers)
    token_ids, note_ids = ids[:TOKEN_PAPERS], ids[TOKEN_PAPERS:] or ids
    if "--no-startup-sync" not in sys.argv and notes.exists():
        op: dict[str, object] = {"kind": "sync"}
        say("BEGIN", op)
        sync_and_resolve(library, notes, set(token_ids))
        say("ACK", op)
    n = 0
    while True:
        n += 1
        kind = rng.choice(("note", "note", "bulk", "tags", "import", "file-note", "app-note", "app-note"))
        if kind == "note":
            pid = rng.choice(note_ids)
            text = f"note {seed}-{n} " + "x" * rng.randrange(0, 3000)
            op = {"kind": kind, "id": pid, "note": text}
            say("BEGIN", op)
            library.annotate([pid], AnnotationChange(note=text))
        elif kind == "bulk":
            chosen = rng.sample(ids, k=min(len(ids), rng.randrange(2, 60)))
            status = rng.choice(STATUSES)
            op = {"kind": kind, "ids": chosen, "status": status}
            say("BEGIN", op)
            library.annotate(chosen, AnnotationChange(status=status))
        elif kind == "tags":
            chosen = rng.sample(ids, k=min(len(ids), 5))
            tag = f"t{seed}-{n}"
            op = {"kind": kind, "ids": chosen, "tag": tag}
            say("BEGIN", op)
            library.annotate(chosen, AnnotationChange(add_tags=(tag,)))
        elif kind == "import":
            titles = [f"Killed Writer Paper {seed} n{n} i{i}" for i in range(rng.randrange(1, 20))]
            op = {"kind": kind, "titles": titles}
            say("BEGIN", op)
            library.import_papers(
                [Paper(id="", key="", title=t, authors=["Kim Killer"], year=2024) for t in titles]
            )
        elif kind == "file-note":
            pid = rng.choice(token_ids)
            op = {"kind": kind, "id": pid, "token": f"[tok {seed}-{n}]"}
            say("BEGIN", op)
            type_in_file(notes, library, pid, str(op["token"]))
        else:  # app-note
            pid = rng.choice(token_ids)
            token = f"[tok {seed}-{n}]"
            old = library.annotation(pid).note
            afresh = rng.random() < 0.15 or len(old) > 2000  # keeps notes (and their history) small
            text = token if afresh else f"{old}\n\n{token}".strip()
            op = {"kind": kind, "id": pid, "token": token, "note": text,
                  "dropped": TOKEN.findall(old) if afresh else []}
            say("BEGIN", op)
            library.annotate([pid], AnnotationChange(note=text))
        say("ACK", op)
        if kind in ("file-note", "app-note") and rng.random() < 0.7:
            op = {"kind": "sync"}
            say("BEGIN", op)
            sync_and_resolve(library, notes, set(token_ids))
            say("ACK", op)


if __name__ == "__main__":
    main()
