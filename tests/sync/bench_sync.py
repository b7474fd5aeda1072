"""Notes sync timing at 10k notes: `python -m tests.sync.bench_sync [--notes N]` (targets: 200 / 300 ms).

Builds a library with Library(tmp).import_papers of synthetic papers, a note on every paper,
syncs once to write the file, then times a sync with no change, one with 100 sections changed in the
file, and one with 100 notes changed in the app. Best of a few runs each (a fresh edit every run).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from papershelf.core.library import Library
from papershelf.core.model import Annotation, Paper
from papershelf.sync.notesfile import parse
from papershelf.sync.syncer import sync

LOREM = (
    "Reads like a solid baseline; the ablation in section 4 is the interesting part.\n\n"
    "- check the appendix for the hyper-parameters\n- compare with the 2020 version\n\n"
    "```python\n## not a heading\nloss = ce + 0.1 * kl\n```"
)


def build(folder: Path, n: int) -> Library:
    lib = Library(folder)
    lib.import_papers(
        Paper(id="", key="", title=f"Synthetic paper number {i} on learning things", authors=[f"Ann Author{i}"],
              year=2000 + i % 24, venue="ICLR")
        for i in range(n)
    )
    lib.restore({pid: Annotation(status="reading", tags=["bench", f"t{i % 7}"], note=f"Note {i}.\n\n{LOREM}")
                 for i, pid in enumerate(lib.papers)})
    return lib


def timed(label: str, runs: list[tuple[float, float]]) -> None:
    wall = sorted(r[0] for r in runs)
    cpu = sorted(r[1] for r in runs)
    print(f"{label:<40} wall best {wall[0] * 1000:6.1f} ms, median {wall[len(wall) // 2] * 1000:6.1f} ms; "
          f"cpu median {cpu[len(cpu) // 2] * 1000:6.1f} ms")


class Clock:
    """Wall and CPU time of one block (the machine may be shared: CPU time shows our own cost)."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.result = (time.perf_counter() - self.wall, time.process_time() - self.cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        lib = build(folder / "lib", args.notes)
        notes = folder / "notes.md"
        start = time.perf_counter()
        sync(lib, notes)
        print(f"{args.notes} notes, file {notes.stat().st_size / 1e6:.1f} MB; "
              f"first sync {1000 * (time.perf_counter() - start):.0f} ms")

        runs: list[tuple[float, float]] = []
        for _ in range(args.runs):
            with Clock() as clock:
                report = sync(lib, notes)
            runs.append(clock.result)
            assert not report.written
            assert not report.to_library
        timed("sync, no change", runs)

        runs: list[tuple[float, float]] = []
        for run in range(args.runs):
            text = notes.read_text(encoding="utf-8")
            doc = parse(text)
            step = len(doc.sections) // 100
            pieces, last = [], 0
            for section in doc.sections[::step][:100]:
                pieces += [text[last : section.end].rstrip("\n"), f"\n\nEdited in the file, run {run}.\n\n"]
                last = section.end
            notes.write_text("".join(pieces) + text[last:].lstrip("\n"), encoding="utf-8")
            with Clock() as clock:
                report = sync(lib, notes)
            runs.append(clock.result)
            assert len(report.to_library) == 100, len(report.to_library)
        timed("sync, 100 sections changed in the file", runs)

        runs: list[tuple[float, float]] = []
        ids = list(lib.papers)[:: len(lib.papers) // 100][:100]
        for run in range(args.runs):
            lib.restore({pid: Annotation(status="read", note=f"Changed in the app, run {run}.") for pid in ids})
            with Clock() as clock:
                report = sync(lib, notes)
            runs.append(clock.result)
            assert len(report.to_file) == 100, len(report.to_file)
        timed("sync, 100 notes changed in the app", runs)


if __name__ == "__main__":
    main()
