"""A writer process for the kill loop: edits a library through the real code paths and says so.

Before each operation it prints ``BEGIN <json>``; after the call returns, ``ACK <json>``. The harness
kills it at a random moment and then checks that every acknowledged write is on disk.

    python writer.py LIBRARY_DIR SEED
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import orjson

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import STATUSES, Paper


def say(kind: str, op: dict[str, object]) -> None:
    sys.stdout.write(f"{kind} {orjson.dumps(op).decode()}\n")
    sys.stdout.flush()


def main() -> None:
    folder, seed = Path(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    library = Library(folder, seed=False)
    ids = list(library.papers)
    n = 0
    while True:
        n += 1
        kind = rng.choice(("note", "note", "bulk", "tags", "import"))
        if kind == "note":
            pid = rng.choice(ids)
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
        else:
            titles = [f"Killed Writer Paper {seed} n{n} i{i}" for i in range(rng.randrange(1, 20))]
            op = {"kind": kind, "titles": titles}
            say("BEGIN", op)
            library.import_papers(
                [Paper(id="", key="", title=t, authors=["Kim Killer"], year=2024) for t in titles]
            )
        say("ACK", op)


if __name__ == "__main__":
    main()
