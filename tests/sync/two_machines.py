"""Two machines, one notes file: rounds of random edits on both sides and in the file, carried by a sync engine.

A "laptop" and a "desktop" each have a library and their own copy of the notes file. Every round each
of them, in random order, may type into a note in the app, change a status or tags, type into its copy
of the file (or delete a section), sync, resolve a conflict as a person would, and hand its file to the
sync engine, so edits on both sides of the same paper often meet. The engine is either a shared folder
copied back and forth the way Syncthing does (a file changed on both sides since they last met: one
version wins, the other is left beside it as a conflict copy), or git (a bare repository, two clones,
commit, pull with merge, push; a merge conflict leaves markers that Papershelf takes in).

At the end both machines sync and exchange until nothing changes, open conflicts resolved by merging.
Then the two libraries must agree, the two files be the same, and every piece of text ever typed be in
a note, a conflict record (the file's side of a conflict) or the note history of one of the machines.

    python -m tests.sync.two_machines --rounds 1000 --engine both     (what `make soak` runs)
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from papershelf.core.history import MAX_VERSIONS
from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import STATUSES
from papershelf.core.storage.store import atomic_write_bytes
from papershelf.sync import state as sync_state
from papershelf.sync.notesfile import canonical_tags, parse
from papershelf.sync.syncer import resolve, sync
from tests.sync.helpers import KEYS, library

ROUNDS = int(os.environ.get("PAPERSHELF_TWO_MACHINES_ROUNDS", "50"))  # `make test`; `make soak` runs more
NAME = "notes.md"
TAGS = ("method", "to-cite", "baseline")


@dataclass
class Machine:
    name: str
    lib: Library
    notes: Path


@dataclass
class World:
    rng: random.Random
    machines: list[Machine]
    engine: Engine
    typed: list[str] = field(default_factory=list)
    round: int = 0
    history: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (machine, id) -> notes kept
    let_go: list[str] = field(default_factory=list)  # notes a full history let go (its limit: MAX_VERSIONS)
    only_let_go: list[str] = field(default_factory=list)  # texts typed that only such versions had
    max_bytes: int = 0  # the largest notes file seen after any round (conflict blocks must not snowball)
    sizes: list[int] = field(default_factory=list)  # the largest of the two files after each round

    def observe(self) -> None:
        """Note which versions a full note history let go since the last look."""
        for machine in self.machines:
            for paper_id in machine.lib.papers:
                versions = machine.lib.note_history(paper_id)
                now = {v.note for v in versions}
                before = self.history.get((machine.name, paper_id), set())
                if len(versions) >= MAX_VERSIONS:
                    self.let_go += sorted(before - now)
                self.history[(machine.name, paper_id)] = now

    def token(self, machine: Machine, where: str) -> str:
        text = f"{machine.name}-{where}-{self.round}-{len(self.typed)}"
        self.typed.append(text)
        return text


class Engine:
    """Carries a machine's notes file to the others and theirs to it."""

    def carry(self, machine: Machine) -> None:
        raise NotImplementedError


# -- the folder engine (Syncthing, Dropbox) ---------------------------------------------------------------


class FolderEngine(Engine):
    """One shared version; each machine's copy is exchanged with it. Changed on both sides since they last
    met: the engine keeps one version (the shared one or the machine's, at random) and leaves the other
    beside the file as a Syncthing conflict copy, for Papershelf to take in."""

    def __init__(self, rng: random.Random, machines: list[Machine]) -> None:
        self.rng = rng
        self.shared: bytes | None = None
        self.version = 0
        self.seen: dict[str, tuple[int, bytes | None]] = {m.name: (0, None) for m in machines}
        self.copies = 0

    def carry(self, machine: Machine) -> None:
        local = machine.notes.read_bytes() if machine.notes.exists() else None
        version, seen = self.seen[machine.name]
        changed_here, changed_there = local != seen, self.version > version
        if changed_here and changed_there and local != self.shared:
            assert local is not None
            assert self.shared is not None
            self.copies += 1
            copy = machine.notes.with_name(f"notes.sync-conflict-20260101-{self.copies:06d}-{machine.name.upper()}.md")
            if self.rng.random() < 0.5:  # this machine's version wins; the shared one is the copy
                copy.write_bytes(self.shared)
                self.shared, self.version = local, self.version + 1
            else:
                copy.write_bytes(local)
                atomic_write_bytes(machine.notes, self.shared)
        elif changed_here:
            self.shared, self.version = local, self.version + 1
        elif changed_there:
            assert self.shared is not None
            atomic_write_bytes(machine.notes, self.shared)  # a temp file renamed into place, as engines do
        self.seen[machine.name] = (self.version, machine.notes.read_bytes() if machine.notes.exists() else None)


# -- the git engine ---------------------------------------------------------------------------------------


def git(folder: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {"GIT_AUTHOR_NAME": "R", "GIT_AUTHOR_EMAIL": "r@example.org", "GIT_COMMITTER_NAME": "R",
           "GIT_COMMITTER_EMAIL": "r@example.org", "HOME": str(folder), "PATH": "/usr/bin:/bin",
           "GIT_CONFIG_NOSYSTEM": "1"}
    proc = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, env=env,
                          check=False, timeout=60)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} in {folder.name}: {proc.stdout}{proc.stderr}")
    return proc


class GitEngine(Engine):
    """A bare repository and one clone per machine (the notes file lives in the clone): carrying is commit,
    pull (a merge), push. When git cannot merge the file it leaves conflict markers: Papershelf syncs
    them in (both sides kept, the file clean again) and the merge is committed with that file."""

    def __init__(self, root: Path, machines: list[Machine]) -> None:
        remote = root / "remote.git"
        git(root, "init", "-q", "--bare", "-b", "main", str(remote))
        for n, machine in enumerate(machines):
            clone = machine.notes.parent
            git(root, "clone", "-q", str(remote), str(clone))
            git(clone, "checkout", "-q", "-B", "main")
            git(clone, "config", "pull.rebase", "false")
            if n == 0:
                git(clone, "commit", "-q", "--allow-empty", "-m", "start")
                git(clone, "push", "-q", "origin", "main")
            else:
                git(clone, "pull", "-q", "origin", "main")
        self.merges = 0

    def carry(self, machine: Machine) -> None:
        clone = machine.notes.parent
        if machine.notes.exists():
            git(clone, "add", NAME)
            if git(clone, "diff", "--cached", "--quiet", check=False).returncode:
                git(clone, "commit", "-q", "-m", f"{machine.name}: notes")
        pulled = git(clone, "pull", "-q", "--no-edit", "origin", "main", check=False)
        if pulled.returncode:
            assert "<<<<<<<" in machine.notes.read_text(encoding="utf-8"), pulled.stdout + pulled.stderr
            self.merges += 1
            sync(machine.lib, machine.notes)  # the markers become a Papershelf conflict; the file is clean
            assert "<<<<<<<" not in machine.notes.read_text(encoding="utf-8")
            git(clone, "add", NAME)
            git(clone, "commit", "-q", "--no-edit")
        git(clone, "push", "-q", "origin", "main")


# -- what a person does -------------------------------------------------------------------------------------


def type_in_app(world: World, machine: Machine) -> None:
    key = world.rng.choice(KEYS)
    pid = machine.lib.paper(key).id
    token = world.token(machine, "app")
    machine.lib.annotate([pid], AnnotationChange(note=(machine.lib.annotation(pid).note + "\n\n" + token).strip()))


def change_status_or_tags(world: World, machine: Machine) -> None:
    pid = machine.lib.paper(world.rng.choice(KEYS)).id
    if world.rng.random() < 0.5:
        machine.lib.annotate([pid], AnnotationChange(status=world.rng.choice(STATUSES)))
    elif world.rng.random() < 0.5:
        machine.lib.annotate([pid], AnnotationChange(add_tags=(world.rng.choice(TAGS),)))
    else:
        machine.lib.annotate([pid], AnnotationChange(remove_tags=(world.rng.choice(TAGS),)))


def type_in_file(world: World, machine: Machine) -> None:
    """Type a paragraph at the start of a section's note, or add a section for a paper that has none."""
    text = machine.notes.read_text(encoding="utf-8") if machine.notes.exists() else ""
    doc = parse(text)
    key = world.rng.choice(KEYS)
    token = world.token(machine, "file")
    found = [s for s in doc.sections if s.key == key and not s.verbatim]
    if found:
        section = doc.text[found[0].start : found[0].end]
        lines = section.split("\n")
        at = next((i + 1 for i, line in enumerate(lines) if line.startswith("**Status:**")), 2)
        lines[at:at] = ["", token]
        text = doc.text[: found[0].start] + "\n".join(lines) + doc.text[found[0].end :]
    else:
        heading = f"## {machine.lib.paper(key).title}\n<!-- papershelf:key={key} -->"
        text = doc.text.rstrip("\n") + f"\n\n{heading}\n\n{token}\n"
    machine.notes.write_text(text, encoding="utf-8")  # in place, as most editors save


def delete_a_section(world: World, machine: Machine) -> None:
    if not machine.notes.exists():
        return
    sync(machine.lib, machine.notes)  # what is typed in the file reaches the library (its history) first
    doc = parse(machine.notes.read_text(encoding="utf-8"))
    sections = [s for s in doc.sections if not s.verbatim]
    if sections:
        section = world.rng.choice(sections)
        machine.notes.write_text(doc.text[: section.start] + doc.text[section.end :], encoding="utf-8")


def resolve_a_conflict(world: World, machine: Machine, *, merge_only: bool = False) -> None:
    """As a person would: mostly by merging both notes, sometimes keeping one side (the other stays in
    the note history)."""
    records = sync_state.conflict_records(machine.lib)
    open_ = sorted(pid for pid, record in records.items() if not record.get("resolved"))
    if not open_:
        return
    pid = world.rng.choice(open_)
    choice = "merge" if merge_only else world.rng.choice(("merge", "merge", "app", "file"))
    mine, theirs = machine.lib.annotation(pid).note, records[pid]["file"].get("note", "")
    if choice == "merge":  # the note, then what only the file's side has
        paragraphs = {part.strip() for part in mine.split("\n\n")}
        added = [part.strip() for part in theirs.split("\n\n") if part.strip() and part.strip() not in paragraphs]
        resolve(machine.lib, pid, note="\n\n".join([mine.strip(), *dict.fromkeys(added)]).strip())
        return
    resolve(machine.lib, pid, take=choice)


ACTIONS: list[tuple[float, Callable[[World, Machine], None]]] = [
    (0.6, type_in_app),
    (0.3, change_status_or_tags),
    (0.5, type_in_file),
    (0.05, delete_a_section),
    (0.3, resolve_a_conflict),
]


def one_round(world: World) -> None:
    for machine in world.rng.sample(world.machines, len(world.machines)):
        for chance, action in ACTIONS:
            if world.rng.random() < chance:
                action(world, machine)
                world.observe()
        if world.rng.random() < 0.7:
            sync(machine.lib, machine.notes)
            world.observe()
        if world.rng.random() < 0.6:
            world.engine.carry(machine)
            world.observe()
    size = max((m.notes.stat().st_size for m in world.machines if m.notes.exists()), default=0)
    world.sizes.append(size)
    world.max_bytes = max(world.max_bytes, size)


# -- settling and checking ----------------------------------------------------------------------------------


def fields(machine: Machine) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """The synced fields per key, as a reader compares them (tags in the file's order)."""
    return {
        key: (ann.note, ann.status, canonical_tags(ann.tags))
        for key in KEYS
        for ann in [machine.lib.annotation(machine.lib.paper(key).id)]
    }


def settle(world: World) -> None:
    """Sync and exchange until nothing changes any more, resolving open conflicts by merging."""
    for _ in range(12):
        for machine in world.machines:
            while sync_state.conflicts(machine.lib):
                resolve_a_conflict(world, machine, merge_only=True)
            sync(machine.lib, machine.notes)
            world.engine.carry(machine)
            sync(machine.lib, machine.notes)
            world.observe()
        laptop, desktop = world.machines
        if (
            laptop.notes.read_bytes() == desktop.notes.read_bytes()
            and not any(sync_state.conflicts(m.lib) for m in world.machines)
            and not any(sync(m.lib, m.notes).written for m in world.machines)
            and fields(laptop) == fields(desktop)
        ):
            return
    raise AssertionError("the two machines did not settle")


def kept_text(machines: list[Machine]) -> str:
    """Every text the machines hold: notes, note histories, conflict records (both sides), the files."""
    parts: list[str] = []
    for machine in machines:
        for paper_id in machine.lib.papers:
            parts.append(machine.lib.annotation(paper_id).note)
            parts += [v.note for v in machine.lib.note_history(paper_id)]
        parts += [str(record) for record in sync_state.conflict_records(machine.lib).values()]
        parts.append(machine.notes.read_text(encoding="utf-8"))
    return "\n".join(parts)


def run(root: Path, engine: str, rounds: int, seed: int) -> World:
    """Play ``rounds`` rounds on two machines under ``root`` and settle; raises AssertionError on a loss."""
    rng = random.Random(seed)
    machines = []
    for name in ("laptop", "desktop"):
        notes = root / f"{name}-notes" / NAME
        if engine == "folder":
            notes.parent.mkdir(parents=True)
        machines.append(Machine(name, library(root / f"{name}-library"), notes))
    carrier = FolderEngine(rng, machines) if engine == "folder" else GitEngine(root, machines)
    world = World(rng, machines, carrier)
    for world.round in range(1, rounds + 1):
        one_round(world)
    settle(world)
    laptop, desktop = machines
    assert fields(laptop) == fields(desktop)
    assert laptop.notes.read_bytes() == desktop.notes.read_bytes()
    assert [p.name for p in laptop.notes.parent.iterdir() if "conflict" in p.name] == []
    # Every text typed is in a note, a conflict record, a file or the note history; or it was in a version
    # the history let go when it was full (it keeps the last MAX_VERSIONS versions of a note), counted.
    kept = kept_text(machines)
    let_go = "\n".join(world.let_go)
    lost = [text for text in world.typed if text not in kept and text not in let_go]
    assert lost == [], f"lost {len(lost)} of {len(world.typed)} texts typed, e.g. {lost[:5]}"
    world.only_let_go = [text for text in world.typed if text not in kept]
    return world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--engine", choices=("folder", "git", "both"), default="both")
    parser.add_argument("--seed", type=int, default=None, help="replay one run (default: a new random seed)")
    parser.add_argument("--sizes", action="store_true", help="print the largest notes file after each round")
    args = parser.parse_args()
    failed = False
    for engine in ("folder", "git") if args.engine == "both" else (args.engine,):
        seed = args.seed if args.seed is not None else random.randrange(2**32)
        with tempfile.TemporaryDirectory(prefix="papershelf-two-machines-") as folder:
            try:
                world = run(Path(folder), engine, args.rounds, seed)
            except AssertionError as exc:
                failed = True
                print(f"two machines over {engine}, seed {seed}: FAILED: {exc}", flush=True)
                continue
        extra = f", {world.engine.merges} git merges" if isinstance(world.engine, GitEngine) else ""
        if isinstance(world.engine, FolderEngine):
            extra = f", {world.engine.copies} conflict copies"
        print(f"two machines over {engine}, seed {seed}: {args.rounds} rounds, {len(world.typed)} texts typed, "
              f"none lost ({len(world.only_let_go)} only in versions a full note history let go){extra}; "
              f"largest notes file {world.max_bytes:,} bytes (last round {world.sizes[-1]:,})", flush=True)
        if args.sizes:
            print(" ".join(str(size) for size in world.sizes), flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
