"""BibTeX export: entry layout, options, imported entries written back, escaping, determinism."""

from __future__ import annotations

from pathlib import Path

import bibtexparser
import pytest

from papershelf.core.model import Annotation, Paper
from papershelf.formats import bibtex, bibtex_export, latex
from papershelf.formats.bibtex_export import BibtexOptions
from tests.helpers import bbl

FIXTURES = Path(__file__).parent.parent / "fixtures"


def iclr_paper(**changes: object) -> Paper:
    paper = Paper(
        id="p1",
        key="mueller2021certify",
        title="Certify or Predict: Boosting Certified Robustness with Compositional Architectures",
        authors=["Mark Niklas Mueller", "Mislav Balunović", "Martin Vechev"],
        year=2021,
        venue="ICLR",
        track="Spotlight",
        abstract="A line of work on 100% certified robustness.",
        entry_type="inproceedings",
        fields={"booktitle": "International Conference on Learning Representations"},
    )
    for name, value in changes.items():
        setattr(paper, name, value)
    return paper


def entry(text: str, key: str) -> dict[str, str]:
    """The fields of one entry as bibtexparser's own default stack reads them."""
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    (found,) = [e for e in library.entries if e.key == key]
    return {f.key: f.value for f in found.fields} | {"ENTRYTYPE": found.entry_type}


def test_iclr_paper_becomes_inproceedings() -> None:
    text = bibtex_export.render([iclr_paper()], {}).text
    assert text == (
        "% 1 entry exported by Papershelf\n"
        "\n"
        "@inproceedings{mueller2021certify,\n"
        "  author = {Mueller, Mark Niklas and Balunovi{\\'c}, Mislav and Vechev, Martin},\n"
        "  title = {Certify or Predict: Boosting Certified Robustness with Compositional Architectures},\n"
        "  booktitle = {International Conference on Learning Representations},\n"
        "  year = {2021},\n"
        "  abstract = {A line of work on 100\\% certified robustness.}\n"
        "}\n"
    )


def test_iclr_booktitle_is_spelled_out_without_a_field() -> None:
    text = bibtex_export.render([iclr_paper(fields={})], {}).text
    assert entry(text, "mueller2021certify")["booktitle"] == "International Conference on Learning Representations"


def test_options_add_abstract_keywords_and_annote() -> None:
    ann = Annotation(status="read", tags=["robustness", "R&D"], note="Good {baseline}.\n\nSee §3, 50% faster.")
    options = BibtexOptions(abstract=True, notes_as_annote=True, track_as_note=False)
    fields = entry(bibtex_export.render([iclr_paper()], {"p1": ann}, options).text, "mueller2021certify")
    assert fields["abstract"] == "A line of work on 100\\% certified robustness."
    assert fields["keywords"] == "robustness, R\\&D"
    assert fields["annote"] == "Good {\\textbraceleft}baseline{\\textbraceright}.\n\nSee {\\S}3, 50\\% faster."
    assert "note" not in fields
    plain = entry(bibtex_export.render([iclr_paper()], {"p1": ann}, BibtexOptions(tags_as_keywords=False,
                                                                                  abstract=False)).text,
                  "mueller2021certify")
    assert "keywords" not in plain
    assert "annote" not in plain
    assert "abstract" not in plain
    assert "note" not in plain  # the track is no note by default


def test_track_as_note_does_not_stack() -> None:
    options = BibtexOptions(track_as_note=True)
    first = bibtex_export.render([iclr_paper()], {}, options).text
    assert entry(first, "mueller2021certify")["note"] == "Spotlight"
    (back,) = bibtex.parse(first).papers
    back.track = "Spotlight"  # as if matched to the catalogue paper again
    assert bibtex_export.render([back], {}, options).text == first
    own = iclr_paper(fields={"booktitle": "International Conference on Learning Representations", "note": "Mine"})
    assert entry(bibtex_export.render([own], {}, options).text, "mueller2021certify")["note"] == "Mine. Spotlight"


def test_utf8_mode_keeps_characters() -> None:
    text = bibtex_export.render([iclr_paper()], {}, BibtexOptions(ascii=False)).text
    assert "Balunović, Mislav" in text
    assert bibtex_export.render([iclr_paper()], {}).text.isascii()


def test_imported_entries_keep_type_and_fields() -> None:
    source = (FIXTURES / "nasty.bib").read_text(encoding="utf-8")
    papers = bibtex.parse(source).papers
    for i, paper in enumerate(papers):
        paper.id = str(i)
    result = bibtex_export.render(papers, {}, BibtexOptions(ascii=False, abstract=True))
    child = entry(result.text, "dblp:child")
    assert child["ENTRYTYPE"] == "inproceedings"
    assert child["author"] == "Ludwig van Beethoven and De Fauw, Jeffrey and Smith, Jr., John"  # raw: "De Fauw"
    assert child["pages"] == "1--10"
    # The cross-referenced entry is exported too: the link stays, what it gave the child is left to BibTeX.
    assert child["crossref"] == "DBLP:conf/icml/2020"
    assert "booktitle" not in child
    assert result.text.index("@inproceedings{dblp:child,") < result.text.index("@proceedings{DBLP:conf/icml/2020,")
    alone = entry(bibtex_export.render([p for p in papers if p.key == "dblp:child"], {}).text, "dblp:child")
    assert "crossref" not in alone  # without it, the child carries what it took from there
    assert alone["editor"] == "Hal {Daum\\'e III} and Aarti Singh"
    assert alone["booktitle"] == "Proceedings of the 37th International Conference on Machine Learning"
    corporate = entry(result.text, "corporate")
    assert corporate["author"].startswith("{Soci{\\'e}t{\\'e} G{\\'e}n{\\'e}rale} and {The {GPT} Team}")
    assert "  month = dec,\n" in result.text  # a month macro stays a macro
    assert "  month = {January~1},\n" in result.text
    back = {p.key: p for p in bibtex.parse(result.text).papers}
    for paper in papers:
        again = back[paper.key]
        assert (again.title, again.authors, again.year, again.venue, again.doi, again.url, again.abstract) == (
            paper.title, paper.authors, paper.year, paper.venue, paper.doi, paper.url, paper.abstract
        )
        # As read, but a bare % & # (a LaTeX error) escaped: the one repair.
        repaired = {name: value if name in bibtex.VERBATIM_FIELDS or name[0] == "@" else
                    latex.escape_bare_specials(value) for name, value in paper.fields.items()}
        assert again.fields == repaired
        assert again.entry_type == paper.entry_type


def test_ascii_mode_escapes_raw_fields_non_ascii_only() -> None:
    paper = Paper(id="x", key="k", title="T", authors=["A B"], fields={"publisher": "Ballé & {Co}", "pages": "1--2"})
    text = bibtex_export.render([paper], {}).text
    assert "  pages = {1--2},\n" in text
    assert "  publisher = {Ball{\\'e} \\& {Co}}\n" in text  # the bare & escaped: the one repair


def test_braces_stay_balanced_whatever_the_user_typed() -> None:
    paper = iclr_paper(title="}{ {{ Unbalanced \\ { title", authors=["{Bad} Name}"], abstract="}}}")
    ann = Annotation(note="{{{ % \\", tags=["}"])
    text = bibtex_export.render([paper], {"p1": ann}, BibtexOptions(abstract=True, notes_as_annote=True)).text
    body = text.split("\n", 1)[1]
    assert body.count("{") == body.count("}")
    (parsed,) = bibtex.parse(text).papers
    assert parsed.title == paper.title
    assert parsed.authors == paper.authors


def test_math_is_kept_and_protected() -> None:
    text = bibtex_export.render([iclr_paper(title="Bounds on $\\ell_2$ for $O(N)$ nets, at $5 each")], {}).text
    assert "title = {Bounds on {$\\ell_2$} for {$O(N)$} nets, at \\$5 each}" in text


def test_characters_without_latex_form_are_transliterated_and_said() -> None:
    paper = iclr_paper(title="Đoàn on ąę and 中文")
    result = bibtex_export.render([paper], {})
    assert result.text.isascii()
    assert "title = {Do{\\`a}n on ae and ??}" in result.text
    (note,) = result.notes
    assert "mueller2021certify" in note
    assert "Đ -> D" in note


def test_missing_author_and_year_are_noted() -> None:
    result = bibtex_export.render([Paper(id="x", key="anon", title="Untitled")], {})
    assert any("no author" in note and "anon" in note for note in result.notes)
    assert any("no year" in note for note in result.notes)


def test_deterministic_and_sorted_by_key() -> None:
    papers = bibtex.parse((FIXTURES / "neurips2020.bib").read_text(encoding="utf-8")).papers
    for i, paper in enumerate(papers):
        paper.id = str(i)
    first = bibtex_export.render(papers, {}).text
    second = bibtex_export.render(list(reversed(papers)), {}).text
    assert first.encode() == second.encode()
    keys = [line[len("@inproceedings{") : -1] for line in first.splitlines() if line.startswith("@")]
    assert keys == sorted(p.key for p in papers)
    assert first.isascii()
    assert "Arandjelovi{\\'c}, Relja" in first


def test_raw_field_bibtex_would_misread_is_written_as_text() -> None:
    # bibtexparser reads "\{" as an escaped brace, BibTeX counts it: written raw it would break the file.
    paper = Paper(id="x", key="k", title="T", authors=["A B"], year=2020, fields={"note": "a \\{ b"})
    result = bibtex_export.render([paper], {}, BibtexOptions(track_as_note=False))
    assert "  note = {a {\\textbraceleft} b}\n" in result.text
    assert any("unbalanced braces" in note and "k" in note for note in result.notes)


def _unbalanced_paper() -> Paper:
    """A paper whose sources do not balance, in every place the exporter writes a source from."""
    return Paper(id="x", key="broken2024", title="A title", authors=["Ann Writer"], year=2024,
                 entry_type="article",
                 fields={"journal": "Journal of {Open Braces", "note": "closes } early", "pages": "1--2",
                         "keywords": "graphs}, trees", "annote": "read {this",
                         bibtex.STRINGS: "@string{jo = {Journal {of} Things}"})


def test_unbalanced_sources_are_named_by_key_and_field_and_never_written_unbalanced() -> None:
    ann = Annotation(tags=["mine"], note="My own note")
    result = bibtex_export.render([_unbalanced_paper()], {"x": ann}, BibtexOptions(notes_as_annote=True))

    fields = entry(result.text, "broken2024")
    assert fields["journal"] == "Journal of Open Braces"  # the decoded text, written safely
    assert fields["note"] == "closes early"
    assert fields["pages"] == "1--2"  # a sound field of the same entry is untouched
    assert "mine" in fields["keywords"]
    assert "My own note" in fields["annote"]
    assert latex.is_balanced(result.text.partition("\n@article")[2])
    (note,) = [n for n in result.notes if "unbalanced braces, written as plain text" in n]
    for where in ("broken2024 (journal)", "broken2024 (note)", "broken2024 (keywords)", "broken2024 (annote)"):
        assert where in note
    assert any("@string" in n and "left out" in n for n in result.notes)
    assert "@string{jo" not in result.text


@pytest.mark.skipif(not bbl.TOOLS_PRESENT, reason="needs pdflatex and bibtex (texlive-latex-base)")
def test_an_export_with_unbalanced_sources_is_read_by_bibtex_without_an_error(tmp_path: Path) -> None:
    ann = Annotation(tags=["mine"], note="My own note")
    result = bibtex_export.render([_unbalanced_paper()], {"x": ann}, BibtexOptions(notes_as_annote=True))

    typeset = bbl.bibliography(result.text, ["broken2024"], tmp_path)
    ran = bbl.run(tmp_path, "bibtex", "doc")

    assert "error message" not in ran.stdout, ran.stdout
    assert ran.returncode == 0, ran.stdout
    assert "Journal of Open Braces" in typeset.items["broken2024"]
    assert "closes early" in typeset.items["broken2024"]


def test_an_at_sign_after_a_no_break_space_at_a_line_start_does_not_start_an_entry() -> None:
    paper = Paper(id="x", key="k", title="t", abstract="0\n\n\u00a0@{", entry_type="misc")
    text = bibtex_export.render([paper], {}, BibtexOptions(ascii=False)).text
    result = bibtex.parse(text)
    assert result.errors == []
    assert result.papers[0].abstract.split("\n\n")[0] == "0"
    assert result.papers[0].abstract.endswith("@{")
