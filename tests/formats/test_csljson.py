"""CSL-JSON: a paper as a CSL item and back, Zotero's exports read, broken files reported with their line."""

from __future__ import annotations

import json

from papershelf.core.model import Annotation, Paper
from papershelf.formats import bibtex, bibtex_export, csljson
from papershelf.formats.csljson import CslJsonOptions
from tests.conftest import FIXTURES

BIB = r"""@inproceedings{vandermaaten2008,
  author = {van der Maaten, Laurens and King, Jr., Martin Luther and {World Health Organization} and
            de la Cruz, Juan and M{\"u}ller, J{\"o}rg and others},
  title = {Visualizing {D}ata using {t-SNE}: {\"U}ber $\alpha$ -- a {\em study}},
  booktitle = {Advances in Neural Information Processing Systems},
  editor = {Platt, John},
  year = 2008, month = jun, pages = {2579--2605}, volume = {9}, publisher = {Curran \& Sons},
  address = {Vancouver}, series = {NIPS'08},
  doi = {10.5555/abc_1}, url = {https://example.org/a_b}, note = {Oral},
  abstract = {First paragraph.

Second {\em paragraph}.},
  keywords = {embedding, visualisation}
}
@article{smith2020,
  author = {Smith, Alice}, title = {A Title}, journal = {Journal of Things}, year = {2020},
  volume = {12}, number = {3}, issn = {1234-5678}
}
@phdthesis{jones2019, author = {Jones, Bob}, title = {My Thesis}, school = {MIT}, year = 2019}
@mastersthesis{lee2018, author = {Lee, Cy}, title = {Small Thesis}, school = {ETH}, year = 2018}
@techreport{tr1, author = {Doe, Jane}, title = {Report}, institution = {CMU}, number = {TR-7},
  type = {Technical Memo}, year = 2017}
"""


def items_of(text: str) -> dict[str, dict[str, object]]:
    papers = bibtex.parse(text).papers
    rendered = json.loads(csljson.render(papers, {}).text)
    return {item["id"]: item for item in rendered}


def test_a_bibtex_entry_becomes_a_csl_item_with_every_mapped_field_as_unicode_text() -> None:
    item = items_of(BIB)["vandermaaten2008"]
    assert item == {
        "id": "vandermaaten2008",
        "type": "paper-conference",
        "title": "Visualizing Data using t-SNE: Über α – a study",
        "author": [
            {"family": "Maaten", "given": "Laurens", "non-dropping-particle": "van der"},
            {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
            {"literal": "World Health Organization"},
            {"family": "Cruz", "given": "Juan", "non-dropping-particle": "de la"},
            {"family": "Müller", "given": "Jörg"},
        ],
        "editor": [{"family": "Platt", "given": "John"}],
        "issued": {"date-parts": [[2008, 6]]},
        "container-title": "Advances in Neural Information Processing Systems",
        "collection-title": "NIPS'08",
        "volume": "9",
        "page": "2579-2605",
        "publisher": "Curran & Sons",
        "publisher-place": "Vancouver",
        "note": "Oral",
        "DOI": "10.5555/abc_1",
        "URL": "https://example.org/a_b",
        "abstract": "First paragraph.\n\nSecond paragraph.",
        "keyword": "embedding, visualisation",
    }


def test_types_and_the_fields_that_depend_on_them() -> None:
    items = items_of(BIB)
    assert items["smith2020"]["type"] == "article-journal"
    assert (items["smith2020"]["container-title"], items["smith2020"]["issue"]) == ("Journal of Things", "3")
    assert items["smith2020"]["ISSN"] == "1234-5678"
    assert (items["jones2019"]["type"], items["jones2019"]["genre"], items["jones2019"]["publisher"]) == (
        "thesis", "PhD thesis", "MIT")
    assert items["lee2018"]["genre"] == "Master's thesis"
    assert (items["tr1"]["type"], items["tr1"]["number"], items["tr1"]["genre"], items["tr1"]["publisher"]) == (
        "report", "TR-7", "Technical Memo", "CMU")


def test_csl_items_import_back_to_the_same_bibtex_record() -> None:
    papers = bibtex.parse(BIB).papers
    back = csljson.parse(csljson.render(papers, {}).text)
    assert back.problems == []
    by_key = {p.key: p for p in back.papers}
    for paper in papers:
        again = by_key[paper.key]
        assert (again.entry_type, again.year, again.doi, again.url, again.abstract) == (
            paper.entry_type, paper.year, paper.doi, paper.url, paper.abstract)
        assert again.authors == [a for a in paper.authors if a != "others"]
    typeset = bibtex_export.render(back.papers, {}).text
    vdm = bibtex.parse(typeset).papers[-1]
    assert vdm.fields["pages"] == "2579--2605"
    assert vdm.fields["booktitle"] == "Advances in Neural Information Processing Systems"
    assert vdm.fields["month"] == "jun"
    assert vdm.fields["publisher"] == r"Curran \& Sons"
    assert bibtex.parse(typeset).papers[0].fields["school"] == "MIT"  # jones2019: a thesis's publisher
    assert "author = {van der Maaten, Laurens and King, Jr., Martin Luther and {World Health Organization}" in typeset


def test_a_zotero_export_is_read_and_what_a_paper_cannot_hold_is_written_back() -> None:
    zotero = [
        {
            "id": "http://zotero.org/users/1/items/ABCD1234",
            "type": "article",
            "title": "Attention is <i>all</i> you need",
            "container-title-short": "arXiv",
            "author": [{"family": "Vaswani", "given": "Ashish"}, {"family": "Shazeer", "given": "Noam"}],
            "issued": {"date-parts": [["2017", "6", "12"]]},
            "accessed": {"date-parts": [[2024, 1, 2]]},
            "number": "arXiv:1706.03762",
            "publisher": "arXiv",
            "DOI": "https://doi.org/10.48550/arXiv.1706.03762",
        }
    ]
    result = csljson.parse(json.dumps(zotero, indent=2))
    assert result.problems == []
    (paper,) = result.papers
    assert paper.key == ""  # a Zotero URI is no citation key: the library makes one
    assert paper.title == "Attention is all you need"
    assert paper.authors == ["Ashish Vaswani", "Noam Shazeer"]
    assert (paper.year, paper.doi, paper.entry_type) == (2017, "10.48550/arXiv.1706.03762", "misc")
    assert (paper.fields["month"], paper.fields["day"], paper.fields["number"]) == ("jun", "12", "arXiv:1706.03762")
    paper.key = "vaswani2017attention"
    (again,) = json.loads(csljson.render([paper], {}).text)
    assert again["type"] == "article"
    assert again["title"] == "Attention is <i>all</i> you need"
    assert again["container-title-short"] == "arXiv"
    assert again["accessed"] == {"date-parts": [[2024, 1, 2]]}
    assert again["issued"] == {"date-parts": [[2017, 6, 12]]}


def test_names_as_zotero_and_citeproc_write_them() -> None:
    item = {
        "id": "k", "type": "book", "title": "T",
        "author": [
            {"family": "Beethoven", "given": "Ludwig", "dropping-particle": "van"},
            {"family": "La Fontaine", "given": "Jean", "non-dropping-particle": "de"},
            {"family": "Gates", "given": "Henry Louis", "suffix": "Jr."},
            {"literal": "The Open Group, Inc."},
            {"family": "Plato"},
            {"given": "only given"},
            {"nonsense": 1},
        ],
    }
    result = csljson.parse(json.dumps([item]))
    (paper,) = result.papers
    assert paper.authors == [
        "Ludwig van Beethoven", "Jean de La Fontaine", "Henry Louis Gates, Jr.", "The Open Group, Inc.", "Plato",
        "only given",
    ]
    assert [p.reason for p in result.problems] == [
        "an author name \"{'nonsense': 1}\" has no family, given or literal name; left out"]
    (again,) = json.loads(csljson.render([paper], {}).text)
    assert again["author"][3] == {"literal": "The Open Group, Inc."}
    assert again["author"][2] == {"family": "Gates", "given": "Henry Louis", "suffix": "Jr."}


def test_tags_become_keywords_and_notes_go_out_only_when_asked() -> None:
    (paper,) = bibtex.parse("@misc{k, title={T}, keywords={ml}}").papers
    paper.id = "p1"
    annotation = Annotation(tags=["ML", "to-cite"], note="my private note")
    (item,) = json.loads(csljson.render([paper], {"p1": annotation}).text)
    assert item["keyword"] == "ml, to-cite"
    assert "annote" not in item
    (item,) = json.loads(csljson.render([paper], {"p1": annotation}, CslJsonOptions(notes_as_annote=True,
                                                                                     abstract=False)).text)
    assert item["annote"] == "my private note"


def test_the_bundled_catalogue_venue_is_spelled_out() -> None:
    paper = Paper(id="x", key="k", title="T", authors=["Mark Niklas Mueller"], year=2021, venue="ICLR",
                  entry_type="inproceedings")
    (item,) = json.loads(csljson.render([paper], {}).text)
    assert item["container-title"] == "International Conference on Learning Representations"
    assert item["author"] == [{"family": "Mueller", "given": "Mark Niklas"}]


def test_export_is_deterministic_and_sorted_by_key() -> None:
    papers = bibtex.parse(BIB).papers
    first = csljson.render(papers, {}).text
    assert first == csljson.render(list(reversed(papers)), {}).text
    assert [i["id"] for i in json.loads(first)] == ["jones2019", "lee2018", "smith2020", "tr1", "vandermaaten2008"]


def test_broken_files_are_one_clear_problem_with_a_line() -> None:
    broken = csljson.parse('[\n  {"id": "a", "title": "A"},\n  {"id": "b",, }\n]')
    assert broken.papers == []
    assert [(p.line, p.severity) for p in broken.problems] == [(3, "error")]
    assert broken.problems[0].reason.startswith("not valid JSON")
    assert [str(p) for p in csljson.parse('{"name": "package.json"}').problems] == [
        "line 1: not CSL-JSON: expected a list of items (objects with a type and title)"]


def test_bad_items_are_reported_with_their_line_and_the_rest_imports() -> None:
    text = ('[\n  {"id": "a", "title": "A"},\n  42,\n  {"id": "c",\n   "author": "Smith",\n   "title": ["x"]},\n'
            '  {"name": "left-pad", "version": "1.3.0"}\n]')
    result = csljson.parse(text)
    assert [p.key for p in result.papers] == ["a", "c"]
    assert result.lines == [2, 4]
    assert [str(p) for p in result.problems] == [
        "line 3: item 2 is not an object; skipped",
        "line 4 [c]: title is list, not text; left out",
        "line 4 [c]: the item has no title; its key is shown instead",
        "line 4 [c]: author is not a list of names; left out",
        "line 7: item 4 is not a CSL item (it has no type or title); skipped",
    ]
    assert result.papers[1].title == "c"
    (item,) = json.loads(csljson.render(result.papers[1:], {}).text)
    assert "title" not in item  # the key shown in its place is not a title


def test_one_item_and_an_items_wrapper_are_read_too() -> None:
    assert [p.title for p in csljson.parse('{"id": "a", "type": "book", "title": "Alone"}').papers] == ["Alone"]
    assert [p.title for p in csljson.parse('{"items": [{"id": "a", "title": "Wrapped"}]}').papers] == ["Wrapped"]


def test_dates_written_as_text() -> None:
    result = csljson.parse(json.dumps([
        {"id": "a", "title": "A", "issued": {"raw": "2019-05-01"}},
        {"id": "b", "title": "B", "issued": {"literal": "2020a"}},
        {"id": "c", "title": "C", "issued": {"literal": "forthcoming"}},
    ]))
    a, b, c = result.papers
    assert (a.year, b.year, c.year) == (2019, 2020, None)
    assert b.fields["year"] == "2020a"
    assert [p.reason for p in result.problems] == []


def test_kept_csl_variables_that_are_damaged_are_left_out() -> None:
    paper = Paper(id="x", key="k", title="T", fields={csljson.CSL_EXTRA: "{not json", "volume": "3"})
    (item,) = json.loads(csljson.render([paper], {}).text)
    assert item == {"id": "k", "type": "article-journal", "title": "T", "volume": "3"}


def test_a_better_bibtex_key_in_zotero_s_note_is_the_citation_key() -> None:
    zotero = [{"id": "http://zotero.org/users/local/x/items/Q", "type": "book", "title": "T",
               "note": "Some remark\nCitation Key: knuth1984tex"}]
    (paper,) = csljson.parse(json.dumps(zotero)).papers
    assert paper.key == "knuth1984tex"
    assert paper.fields["note"] == "Some remark"


def test_braces_that_protect_case_are_csl_nocase_spans_and_come_back_as_braces() -> None:
    (paper,) = bibtex.parse(
        r"@article{a, title={{TDM} and {TWDM} de {B}ruijn networks, {\"U}ber \emph{all}}, year=1997}").papers
    (item,) = json.loads(csljson.render([paper], {}).text)
    assert item["title"] == ('<span class="nocase">TDM</span> and <span class="nocase">TWDM</span> de '
                             '<span class="nocase">B</span>ruijn networks, Über all')
    (back,) = csljson.parse(json.dumps([item])).papers
    assert back.title == "TDM and TWDM de Bruijn networks, Über all"
    assert "title = {{TDM} and {TWDM} de {B}ruijn networks, {\\\"U}ber all}" in bibtex_export.render([back], {}).text
    (whole,) = bibtex.parse("@article{b, title={{Deep Sets}}}").papers
    assert json.loads(csljson.render([whole], {}).text)[0]["title"] == '<span class="nocase">Deep Sets</span>'


def test_fields_csl_has_no_variable_for_are_named_in_a_note() -> None:
    source = r"""@inproceedings{k1, title={A Study}, author={Doe, Jane}, booktitle={Proc. X}, year={2020},
     chapter={3}, customfield={mine}, pdf={https://x.org/k1.pdf}}
    @article{k2, title={Plain}, author={Roe, Ann}, journal={J}, year={2021}, volume={2}, note={n}}"""
    papers = bibtex.parse(source).papers
    result = csljson.render(papers, {})
    assert result.notes == ["fields CSL-JSON has no place for were left out: customfield (1 paper), pdf (1 paper)"]
    assert '"chapter-number": "3"' in result.text
    assert csljson.render(papers[1:], {}).notes == []


PUBLISHERS_SOURCE = (FIXTURES / "publishers.bib").read_text(encoding="utf-8")  # one of each, two in one


def test_one_publisher_is_written_and_the_others_are_named_in_the_note() -> None:
    papers = bibtex.parse(PUBLISHERS_SOURCE).papers
    result = csljson.render(papers, {})
    items = {item["id"]: item for item in json.loads(result.text)}
    assert {key: item["publisher"] for key, item in items.items()} == {
        "both": "IEEE Press", "thesis": "MIT", "report": "CMU", "manual": "W3C"}
    assert result.notes == [
        "fields CSL-JSON has no place for were left out: organization (1 paper), publisher (1 paper)"]
    assert csljson.render(papers[2:], {}).notes == []
    read_back = {paper.key: paper for paper in csljson.parse(result.text).papers}
    assert read_back["thesis"].fields["school"] == "MIT"


def test_dollar_signs_that_are_not_math_stay_dollar_signs_both_ways() -> None:
    """A title whose BibTeX escapes its dollars (``\\$``) is not math: CSL gets the dollar signs, not an
    empty title; and a CSL title's dollars (CSL is not LaTeX) come back as escaped dollars, not math."""
    paper = bibtex.parse("@misc{k, title = {\\${\\textbraceleft}\\$ and $\\alpha$ for \\$5}}").papers[0]
    [item] = json.loads(csljson.render([paper], {}).text)
    assert item["title"] == "${$ and α for $5"
    [back] = csljson.parse(json.dumps([{"id": "k", "type": "article", "title": "Earn $x$ or $5"}])).papers
    assert back.title == "Earn $x$ or $5"
    assert back.fields["title"] == "Earn \\$x\\$ or \\$5"


def test_a_literal_name_of_two_commas_is_not_read_back_as_a_low_quote() -> None:
    """``{,,}`` is the ASCII BibTeX form of „; a literal name ",," (and a nocase span ",,") is written so
    that it reads back as the two commas."""
    text = json.dumps([{"id": "k", "type": "book", "title": 'A <span class="nocase">,,</span>',
                        "author": [{"literal": ",,"}]}])
    (paper,) = csljson.parse(text).papers
    assert paper.authors == [",,"]
    assert paper.title == "A ,,"
    (again,) = bibtex.parse(bibtex_export.render([paper], {}).text).papers
    assert (again.authors, again.title) == ([",,"], "A ,,")
