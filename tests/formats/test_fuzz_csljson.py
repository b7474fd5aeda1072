"""Fuzzing the CSL-JSON importer: any JSON (or not) gives papers and problems, never an exception, and an
item's line is where it starts."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.formats import csljson

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3000), st.floats(allow_nan=False, allow_infinity=False),
                    st.text(max_size=12))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=5), inner, max_size=3)),
                      max_leaves=8)
VARIABLES = st.sampled_from(["id", "type", "title", "author", "editor", "issued", "container-title", "page",
                             "DOI", "URL", "abstract", "keyword", "genre", "number", "issue", "citation-key"])
NAMES = st.lists(st.dictionaries(st.sampled_from(["family", "given", "literal", "suffix", "non-dropping-particle",
                                                  "dropping-particle"]), st.one_of(st.text(max_size=10), VALUES),
                                 max_size=4), max_size=3)
ITEMS = st.dictionaries(VARIABLES, st.one_of(VALUES, NAMES, st.text(max_size=20)), max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(ITEMS, VALUES), max_size=6), st.sampled_from([None, 1, 2, 4]))
def test_any_json_array_imports_without_raising(elements: list[object], indent: int | None) -> None:
    text = json.dumps(elements, indent=indent)
    result = csljson.parse(text)
    assert len(result.papers) == len(result.lines)
    assert all(paper.title for paper in result.papers)
    skipped = sum(p.reason.endswith("; skipped") and p.reason.startswith("item ") for p in result.problems)
    assert len(result.papers) + skipped == len(elements)
    if indent is not None:
        objects = [e for e in elements if isinstance(e, dict) and ("type" in e or "title" in e)]
        lines = text.split("\n")
        for line, element in zip(result.lines, objects, strict=True):
            assert lines[line - 1].strip().startswith("{"), (line, element)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_never_raises(text: str) -> None:
    result = csljson.parse(text)
    if not result.papers and not result.problems:  # said nothing: only for an empty list of items
        data = json.loads(text)
        assert data == [] or data == {**data, "items": []}
