"""A library whose annotations store holds an annotation for a paper the catalogue no longer has: its
record was damaged and set aside on load (``Catalogue``'s record validation). The annotation must be
kept, never dropped, and nothing may look its paper up and fail."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import orjson

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Annotation, Paper
from papershelf.core.similar import SimilarityIndex

TITLES = ("Graph neural networks for molecules", "Graph kernels at scale", "Message passing on molecules",
          "Graph attention revisited", "Neural generation of molecules", "Kernel methods at scale",
          # Ten more, each of its own topic: a word in most papers says nothing about which are alike.
          *(f"{word.capitalize()} explained" for word in ("astronomy", "botany", "chemistry", "dentistry",
                                                           "ecology", "forestry", "geology", "harmony",
                                                           "irrigation", "jurisprudence")))


@dataclass
class Orphaned:
    library: Library
    orphan: str  # the id of the paper set aside
    annotation: Annotation  # its annotation as it was stored before


def library_with_orphan(folder: Path, notes: Path | None = None) -> Orphaned:
    """Sixteen papers; the first four read, rated, tagged "gnn", in the list "L" and noted; then the first
    one's catalogue record damaged. With ``notes``: synced to that notes file, the orphan in conflict."""
    library = Library(folder)
    library.import_papers([Paper(id="", key="", title=title, authors=[f"Ann Writer{i}"], year=2021, venue="ICLR",
                                 abstract=f"We study {title.lower()}.")
                           for i, title in enumerate(TITLES)])
    ids = list(library.papers)
    library.create_list("L")
    library.annotate(ids[:4], AnnotationChange(status="read", rating=5, add_tags=("gnn",), add_lists=("L",),
                                               note="A note."))
    orphan = ids[0]
    if notes is not None:
        from papershelf.sync.syncer import sync

        sync(library, notes)
        library.annotate([orphan], AnnotationChange(note="The app's side."))
        key = library.papers[orphan].key
        text = notes.read_text(encoding="utf-8")
        at = text.index(f"papershelf:key={key}")
        notes.write_text(text[:at] + text[at:].replace("A note.", "The file's side.", 1), encoding="utf-8")
        assert sync(library, notes).conflicts
    SimilarityIndex.load_or_build(library)  # a cache that still holds the orphan
    annotation = library.annotation(orphan)
    catalogue = folder / "catalogue.json"
    data = orjson.loads(catalogue.read_bytes())
    data["papers"][orphan] = ["a record damaged into a list"]
    catalogue.write_bytes(orjson.dumps(data))
    reopened = Library(folder)
    assert orphan not in reopened.papers
    assert reopened.stored_annotation(orphan) == annotation
    return Orphaned(reopened, orphan, annotation)
