"""Each field of a paper, defined once: its display text, sort key, facet values and search text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from papershelf.core import fields
from papershelf.core.fields import (
    ADDED,
    AUTHORS,
    FIELDS,
    LISTS,
    NO_ANNOTATION,
    NONE,
    PRIORITY,
    RATING,
    STATUS,
    TAGS,
    TITLE,
    TRACK,
    VENUE,
    YEAR,
    any_texts,
    search_form,
)
from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import STATUSES, TRACKS, Annotation, Paper, fold
from papershelf.core.search import facets
from papershelf.core.search.index import SearchIndex
from papershelf.core.search.query import parse_query

# A title as a BibTeX import stores it: accents decoded, math kept as written.
LATEX_TITLE = r"$\mathcal{O}(n)$ Attention for Schölkopf's {BERT}: 100% of the Data"


def paper(**changes: object) -> Paper:
    base: dict[str, object] = {
        "id": "p1",
        "key": "scholkopf2021attention",
        "title": LATEX_TITLE,
        "authors": ["Bernhard Schölkopf", "Łukasz Kaiser", "Ana  Ćosić", "van der Maaten, Laurens"],
        "year": 2021,
        "venue": "Neural Information Processing Systems",
        "track": "Spotlight",
        "abstract": "Linear  attention\nfor long sequences — in Zürich.",
        "added": "2024-01-02T03:04:05+00:00",
    }
    base.update(changes)
    return Paper(**base)  # type: ignore[arg-type]


ANNOTATION = Annotation(
    status="reading", priority=2, rating=4, tags=["Deep learning", "RL"], lists=["Thèse"],
    note="Compare with Performer.", added="2024-02-03T00:00:00+00:00",
)
BARE = Paper(id="p2", key="anon", title="", authors=[], added="2024-05-06T00:00:00+00:00")


def test_every_field_is_named_as_it_is_listed_and_labelled() -> None:
    assert set(FIELDS) >= {"title", "authors", "year", "venue", "track", "status", "priority", "rating", "tags",
                           "lists", "key", "abstract", "note", "added"}
    for name, field in FIELDS.items():
        assert field.name == name
        assert field.label
    assert {f.name for f in FIELDS.values() if f.annotated} == {"status", "priority", "rating", "tags", "lists",
                                                               "note", "added", "trash"}


def test_display_text_of_each_field() -> None:
    p = paper()
    shown = {name: field.text(p, ANNOTATION) for name, field in FIELDS.items()}
    assert shown == {
        "title": "O(n) Attention for Schölkopf's BERT: 100% of the Data",  # as a reader sees it (core/text)
        "authors": "Bernhard Schölkopf, Łukasz Kaiser, Ana  Ćosić et al.",
        "year": "2021",
        "venue": "Neural Information Processing Systems 2021",
        "track": "Spotlight",
        "status": "Reading",
        "priority": "Medium",
        "rating": "★★★★",
        "tags": "Deep learning, RL",
        "lists": "Thèse",
        "key": "scholkopf2021attention",
        "abstract": "Linear attention for long sequences — in Zürich.",
        "note": "Compare with Performer.",
        "added": "2024-02-03",
        "trash": "",
    }


def test_display_text_of_missing_values_is_empty() -> None:
    shown = {name: field.text(BARE, NO_ANNOTATION) for name, field in FIELDS.items()}
    assert shown == {
        "title": "", "authors": "", "year": "", "venue": "", "track": "", "status": "New", "priority": "",
        "rating": "", "tags": "", "lists": "", "key": "anon", "abstract": "", "note": "",
        "added": "2024-05-06",  # a paper never annotated: when it was imported
        "trash": "",
    }
    assert AUTHORS.text(paper(authors=["A", "B", "C"]), NO_ANNOTATION) == "A, B, C"


def test_sort_keys_fold_accents_and_case() -> None:
    p = paper()
    assert TITLE.sort_key(p, ANNOTATION) == "o(n) attention for scholkopf's bert: 100% of the data"  # as shown
    assert AUTHORS.sort_key(p, ANNOTATION) == "scholkopf"  # the first author's last name
    assert AUTHORS.sort_key(paper(authors=["van der Maaten, Laurens"]), ANNOTATION) == "van der maaten"
    assert AUTHORS.sort_key(paper(authors=["Łukasz Kaiser"]), ANNOTATION) == "kaiser"
    assert VENUE.sort_key(p, ANNOTATION) == (2021, "neural information processing systems")
    assert TAGS.sort_key(p, ANNOTATION) == "deep learning, rl"
    assert LISTS.sort_key(p, ANNOTATION) == "these"
    assert (PRIORITY.sort_key(p, ANNOTATION), RATING.sort_key(p, ANNOTATION)) == (2, 4)
    assert ADDED.sort_key(p, ANNOTATION) == "2024-02-03T00:00:00+00:00"
    assert ADDED.sort_key(p, NO_ANNOTATION) == "2024-01-02T03:04:05+00:00"


def test_sort_keys_order_papers_as_a_reader_expects() -> None:
    tracks = [paper(track=t) for t in (None, "Poster", "Oral", "Workshop", "Spotlight")]
    by_track = sorted(tracks, key=lambda p: TRACK.sort_key(p, NO_ANNOTATION))
    assert [p.track for p in by_track][:3] == list(TRACKS)  # Oral, Spotlight, Poster, then the rest
    annotations = [Annotation(status=s) for s in reversed(STATUSES)]
    by_status = sorted(annotations, key=lambda a: STATUS.sort_key(BARE, a))
    assert [a.status for a in by_status] == list(STATUSES)
    # papers without authors or year: after every name, before every year
    assert AUTHORS.sort_key(BARE, NO_ANNOTATION) > AUTHORS.sort_key(paper(authors=["Zoë Zylberberg"]), NO_ANNOTATION)
    assert YEAR.sort_key(BARE, NO_ANNOTATION) < YEAR.sort_key(paper(year=1950), NO_ANNOTATION)


def test_facet_values_and_none() -> None:
    p = paper()
    values = {name: field.values(p, ANNOTATION) for name, field in FIELDS.items() if field.values is not None}
    assert {name: list(v) for name, v in values.items()} == {
        "year": ["2021"], "venue": ["Neural Information Processing Systems"], "track": ["Spotlight"],
        "status": ["reading"], "tags": ["Deep learning", "RL"], "lists": ["Thèse"], "trash": [""],
    }
    missing = {name: tuple(field.values(BARE, NO_ANNOTATION)) for name, field in FIELDS.items()
               if field.values is not None}
    assert missing == {"year": NONE, "venue": NONE, "track": NONE, "status": ("new",), "tags": NONE, "lists": NONE,
                       "trash": NONE}
    assert FIELDS["trash"].values(BARE, Annotation(trashed="2026-01-01T00:00:00+00:00")) == ("trash",)
    assert TAGS.values(BARE, NO_ANNOTATION) is NONE  # the facet counter recognises "none" by identity


def test_search_text_is_folded_with_single_spaces() -> None:
    p = paper()
    texts = {name: field.search(p, ANNOTATION) for name, field in FIELDS.items() if field.search is not None}
    assert texts == {
        # as written, then (a line break apart: no phrase spans both) as shown
        "title": r"$\mathcal{o}(n)$ attention for scholkopf's {bert}: 100% of the data"
                 "\no(n) attention for scholkopf's bert: 100% of the data",
        "authors": "bernhard scholkopf; lukasz kaiser; ana cosic; van der maaten, laurens",
        "venue": "neural information processing systems",
        "key": "scholkopf2021attention",
        "abstract": "linear attention for long sequences — in zurich.",
        "note": "compare with performer.",
    }
    assert TAGS.search_values(p, ANNOTATION) == ["deep learning", "rl"]
    assert LISTS.search_values(p, ANNOTATION) == ["these"]
    assert STATUS.search_values(p, ANNOTATION) == ["reading"]
    assert TRACK.search_values(p, ANNOTATION) == ["spotlight"]
    assert TRACK.search_values(BARE, NO_ANNOTATION) == []  # no track: nothing to find, not ''
    assert TAGS.search_values(BARE, NO_ANNOTATION) == []


def test_a_word_without_a_field_is_searched_in_each_text_on_its_own() -> None:
    texts = list(any_texts(paper(title="Learning on graph", authors=["Neural Smith"]), ANNOTATION))
    assert texts[:2] == ["learning on graph", "neural smith"]
    assert not any("graph neural" in text for text in texts)  # never across two fields
    assert texts[-3:] == ["rl", "these", "compare with performer."]  # tags, lists, then the note
    assert list(any_texts(BARE, NO_ANNOTATION)) == ["", "", "anon", ""]


def test_the_statistics_group_tracks_and_count_authors_by_their_folded_name() -> None:
    assert [fields.track_group(t) for t in ("Oral", None, "Workshop")] == ["Oral", fields.NO_TRACK, fields.NO_TRACK]
    assert fields.author_identity("Bernhard  Schölkopf ") == fields.author_identity("Bernhard Scholkopf")
    assert fields.author_identity("Ana Müller") != fields.author_identity("Ana Mueller")


def test_more_like_this_reads_title_and_abstract() -> None:
    assert fields.about(paper()) == (LATEX_TITLE, "Linear  attention\nfor long sequences — in Zürich.")


@given(st.text() | st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x7fAbz.-"))
def test_search_form_is_fold_with_whitespace_collapsed(text: str) -> None:
    assert search_form(text) == " ".join(fold(text).split())


# -- search, facets and the index read the same values -----------------------------------------------


@pytest.fixture
def library(tmp_path: Path) -> Library:
    library = Library(tmp_path / "lib")
    library.import_papers([
        paper(id="", key="", title=LATEX_TITLE),
        paper(id="", key="", title="Graph Nets", authors=["Klaus-Robert Müller"], track=None, year=None, venue=""),
        paper(id="", key="", title="Reward is Enough", authors=[], track="Oral", abstract=""),
    ])
    first, second, _ = library.papers
    library.annotate([first], AnnotationChange(status="read", add_tags=("Deep learning", "RL"), add_lists=("Thèse",),
                                               note="Über alles"))
    library.annotate([second], AnnotationChange(add_tags=("rl",)))
    assert library.tag_counts() == {"Deep learning": 1, "RL": 2}
    return library


@pytest.mark.parametrize("facet", facets.FACET_NAMES)
def test_a_facet_value_finds_the_papers_that_have_it_in_search(library: Library, facet: str) -> None:
    """Choosing a facet value and searching for it as a whole value select the same papers."""
    query_field = {"tags": "tag", "lists": "list"}.get(facet, facet)
    index = SearchIndex(library)
    counter = facets.FacetCounter(library)
    ids = list(library.papers)
    for value, count in counter.counts(ids, {})[facet].items():
        chosen = facets.apply(library, ids, {facet: frozenset({value})})
        assert len(chosen) == count
        if value and facet != "venue":  # "no value" has no query form; venue: a query term is a substring
            assert index.filter(parse_query(f'{query_field}:"{value}"')) == chosen
