"""Libraries with a few synthetic papers, and small edits as a person would make them."""

from __future__ import annotations

from pathlib import Path

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper

NAMES = ["Adams", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Huang"]
KEYS = [f"{name.lower()}2021study" for name in NAMES]


def papers() -> list[Paper]:
    return [
        Paper(id="", key="", title=f"A study of synced notes, part {i + 1}", authors=[f"Ann {name}", "Bo Li"],
              year=2021, venue="ICLR")
        for i, name in enumerate(NAMES)
    ]


def library(folder: Path) -> Library:
    """A library with the same eight papers (same keys) wherever it is created."""
    lib = Library(folder)
    lib.import_papers(papers())
    assert lib.keys() == KEYS
    return lib


def pid(lib: Library, key: str) -> str:
    return lib.paper(key).id


def annotate(lib: Library, key: str, **change: object) -> None:
    lib.annotate([pid(lib, key)], AnnotationChange(**change))  # type: ignore[arg-type]


def note(lib: Library, key: str) -> str:
    return lib.annotation(pid(lib, key)).note


def replace_in(path: Path, old: str, new: str) -> None:
    """Edit the notes file like a text editor would (the old text must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in the notes file"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def section_text(path: Path, key: str) -> str:
    """One section of the notes file, from its heading to the next section."""
    from papershelf.sync.notesfile import parse

    doc = parse(path.read_text(encoding="utf-8"))
    [section] = [s for s in doc.sections if s.key == key]
    return doc.text[section.start : section.end]
