"""The kill loop: run a writer, SIGKILL it at a random moment, reopen the library, check every acked write.

The writer (``writer.py``) also syncs the library with a notes file beside it; after every kill the
notes file must still read without problems, and every acknowledged token typed into a note (in the
file or in the app) must be in the library's note, the notes file or the note history.

    python -m tests.reliability.killloop --kills 2000      (what `make soak` runs)
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from papershelf.core.library import Library
from papershelf.core.model import Paper
from papershelf.sync.notesfile import parse

WRITER = Path(__file__).with_name("writer.py")


def notes_path(folder: Path) -> Path:
    """The notes file the writer syncs with: beside the library folder."""
    return folder.with_name(folder.name + "-notes.md")


@dataclass
class Expectation:
    """What the library must hold: the last acknowledged value per field, and the one write in flight."""

    notes: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    tags: dict[str, set[str]] = field(default_factory=dict)
    titles: set[str] = field(default_factory=set)
    tokens: dict[str, str] = field(default_factory=dict)  # token typed into a note -> paper id
    syncs: int = 0

    def apply(self, op: dict[str, Any]) -> None:
        kind = op["kind"]
        if kind in ("file-note", "app-note"):
            for token in op.get("dropped", ()):
                self.tokens.pop(token, None)
            self.tokens[op["token"]] = op["id"]
        elif kind == "sync":
            self.syncs += 1
        elif kind == "note":
            self.notes[op["id"]] = op["note"]
        elif kind == "bulk":
            for pid in op["ids"]:
                self.statuses[pid] = op["status"]
        elif kind == "tags":
            for pid in op["ids"]:
                self.tags.setdefault(pid, set()).add(op["tag"])
        else:
            self.titles.update(op["titles"])


@dataclass
class Outcome:
    kills: int = 0
    acked: int = 0
    syncs: int = 0  # acknowledged notes syncs
    tokens: int = 0  # acknowledged tokens typed into notes (in the file or the app)
    corruptions: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)


def check(folder: Path, expected: Expectation, in_flight: dict[str, Any] | None) -> tuple[list[str], list[str]]:
    """(corruptions, lost writes) after a kill."""
    library = Library(folder)
    corruptions = list(library.notices)
    notes_text, notes_problems = _read_notes(notes_path(folder))
    corruptions += notes_problems
    lost: list[str] = []
    may_be_gone = set(in_flight.get("dropped", ())) if in_flight else set()
    for token, pid in expected.tokens.items():
        if token in may_be_gone or token in notes_text or token in library.annotation(pid).note:
            continue
        if not any(token in version.note for version in library.note_history(pid)):
            lost.append(f"token {token} of {pid}: in neither the library, the notes file nor the note history")
    maybe = Expectation()
    if in_flight:
        maybe.apply(in_flight)
    for pid, note in expected.notes.items():
        actual = library.annotation(pid).note
        if actual != note and actual != maybe.notes.get(pid):
            lost.append(f"note of {pid}: expected {note[:30]!r}, found {actual[:30]!r}")
    for pid, status in expected.statuses.items():
        actual = library.annotation(pid).status
        if actual != status and actual != maybe.statuses.get(pid):
            lost.append(f"status of {pid}: expected {status}, found {actual}")
    for pid, tags in expected.tags.items():
        missing = tags - set(library.annotation(pid).tags)
        if missing:
            lost.append(f"tags of {pid}: missing {sorted(missing)}")
    present = {p.title for p in library.papers.values()}
    missing_titles = expected.titles - present
    if missing_titles:
        lost.append(f"imported papers missing: {sorted(missing_titles)[:3]}")
    return corruptions, lost


def _read_notes(path: Path) -> tuple[str, list[str]]:
    """The notes file's text and what is wrong with it (it must always read without problems)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return "", []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return "", [f"{path.name} is not UTF-8 at byte {exc.start}"]
    return text, [f"{path.name}: {problem}" for problem in parse(text).problems]


def _landed(folder: Path, op: dict[str, Any]) -> bool:
    """Whether the write that was in flight when the writer died reached the disk."""
    if op["kind"] == "file-note":
        return op["token"] in _read_notes(notes_path(folder))[0]
    library = Library(folder)
    if op["kind"] in ("note", "app-note"):
        return library.annotation(op["id"]).note == op["note"]
    if op["kind"] == "bulk":
        return all(library.annotation(pid).status == op["status"] for pid in op["ids"])
    return False


def make_library(folder: Path, papers: int = 200) -> None:
    library = Library(folder)
    library.import_papers(
        [Paper(id="", key="", title=f"Kill Loop Paper {i}", authors=[f"Author {i}"], year=2020) for i in range(papers)]
    )


def _keep_evidence(evidence: Path, round_: int, folder: Path, log: bytes, problems: list[str]) -> None:
    """Copy the library, the notes file and the writer's log of a round that found something."""
    target = evidence / f"round-{round_}"
    shutil.copytree(folder, target / folder.name, dirs_exist_ok=True)
    if notes_path(folder).exists():
        shutil.copy2(notes_path(folder), target / notes_path(folder).name)
    (target / "writer.log").write_bytes(log)
    (target / "problems.txt").write_text("\n".join(problems) + "\n", encoding="utf-8")


def run(
    kills: int,
    folder: Path,
    seed: int = 0,
    max_wait: float = 0.25,
    *,
    startup_sync: bool = True,
    evidence: Path | None = None,
) -> Outcome:
    """Run ``kills`` rounds; each lost write is counted once (a later check finds it lost again).

    With ``evidence``, the first five rounds that find something leave a copy of the library, the notes
    file and the writer's log there.
    """
    rng = random.Random(seed)
    make_library(folder)
    expected = Expectation()
    outcome = Outcome()
    seen_lost: set[str] = set()
    kept = 0
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for round_ in range(kills):
        proc = subprocess.Popen(
            [sys.executable, str(WRITER), str(folder), str(notes_path(folder)), str(seed * 100_000 + round_),
             *(() if startup_sync else ("--no-startup-sync",))],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )
        # Kill at a random moment: sometimes during start-up, mostly while it writes.
        time.sleep(rng.uniform(0.05, max_wait) + (0.15 if rng.random() < 0.8 else 0.0))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate()
        if proc.returncode != -signal.SIGKILL:
            raise RuntimeError(f"writer ended on its own ({proc.returncode}): {err.decode()[-2000:]}")
        in_flight: dict[str, Any] | None = None
        for line in out.decode().splitlines():
            kind, _, payload = line.partition(" ")
            try:
                op = orjson.loads(payload)
            except orjson.JSONDecodeError:
                continue  # a line cut by the kill
            if kind == "BEGIN":
                in_flight = op
            elif kind == "ACK":
                expected.apply(op)
                outcome.acked += 1
                outcome.syncs += op["kind"] == "sync"
                outcome.tokens += "token" in op
                in_flight = None
        corruptions, lost = check(folder, expected, in_flight)
        # A write in flight may have landed: from now on it is what the library holds.
        if in_flight is not None and _landed(folder, in_flight):
            expected.apply(in_flight)
        outcome.kills += 1
        lost = [problem for problem in dict.fromkeys(lost) if problem not in seen_lost]
        seen_lost.update(lost)
        outcome.corruptions += corruptions
        outcome.lost += lost
        if evidence is not None and (corruptions or lost) and kept < 5:
            _keep_evidence(evidence, round_, folder, out, corruptions + lost)
            kept += 1
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-startup-sync", action="store_true",
                        help="the writer edits before its first sync (see test_conflict_retention.py)")
    parser.add_argument("--evidence", type=Path, default=Path("build/killloop-evidence"),
                        help="where rounds that find something leave a copy of the library and the writer's log")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="papershelf-soak-")) / "library"
    started = time.perf_counter()
    try:
        outcome = run(args.kills, folder, args.seed, startup_sync=not args.no_startup_sync,
                      evidence=args.evidence.resolve())
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)
    print(f"kills: {outcome.kills}  acknowledged writes: {outcome.acked} "
          f"(notes syncs: {outcome.syncs}, note tokens: {outcome.tokens})  "
          f"corruptions: {len(outcome.corruptions)}  lost acknowledged writes: {len(outcome.lost)}  "
          f"({time.perf_counter() - started:.0f} s)")
    for problem in (outcome.corruptions + outcome.lost)[:20]:
        print("  ", problem)
    if outcome.corruptions or outcome.lost:
        print(f"evidence (library, notes file, writer log of the first rounds that found something): {args.evidence}")
    return 1 if outcome.corruptions or outcome.lost else 0


if __name__ == "__main__":
    raise SystemExit(main())

