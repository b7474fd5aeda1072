"""Seeding a new library with the catalogue shipped in data/ (the bundled ICLR 2021 paper list)."""

from __future__ import annotations

import orjson

from papershelf.core.library import ImportSummary, Library
from papershelf.core.resources import data_dir
from papershelf.formats import paperlist


def import_bundled_catalogue(library: Library) -> ImportSummary:
    """Import every catalogue named in data/catalogue.json into ``library``; report what was read."""
    summary = ImportSummary()
    folder = data_dir()
    manifest = orjson.loads((folder / "catalogue.json").read_bytes())
    for entry in manifest["catalogues"]:
        text = (folder / entry["file"]).read_text(encoding="utf-8")
        result = paperlist.parse(text, venue=entry["venue"], year=entry["year"])
        for paper in result.papers:
            paper.fields.setdefault("booktitle", entry.get("booktitle", entry["venue"]))
        summary.merge(library.import_papers(result.papers))
        summary.problems += [f"{entry['file']}: {p}" for p in result.problems]
    return summary
