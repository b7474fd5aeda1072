"""Formatted references: the styles' own documented examples, character for character, and any .csl file.

The expected strings are copied from the style guides, not from Papershelf's output:

- APA 7: the APA Style website's reference examples, "Journal article references" (Grady et al., 2019)
  and "Conference proceedings references", a paper in proceedings published in a journal (Duckworth et
  al., 2019). In the HTML the journal and the volume are in italics, as APA prints them.
- IEEE: the IEEE Reference Guide's examples of a journal article (Liu, Lee and Jordan, 1997) and of a
  paper in conference proceedings (Payne and Stern, 1985).
- Chicago (author-date, 18th edition, the style offered): the Chicago Manual of Style's "Author-Date:
  Sample Citations", a journal article with three authors and a DOI (Keng, Lin and Orazem, 2017; "et al."
  in the text from three authors on), a book (Grazer and Fishman, 2015; its title in italics), and an
  article whose title has a preposition that stays lower-case (LaSalle, 2017; the guide ends it with the
  database it was read in, which a record here does not hold).
- Nature: the reference examples of Nature's formatting guide, a journal article with more than five authors
  (Schott et al., 1998: the first author and "et al.") and one with four (Hao et al., 2014: "&" before the last).

ACM is not among them: its documented format (the acmart class's ACM-Reference-Format) abbreviates the month
("(Jan. 2007)") where the CSL style, as the styles repository has it, spells it out ("(January 2007)").
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from papershelf.formats import bibtex
from papershelf.services import citations
from papershelf.services.citations import StyleError, bibliography, citation, load_style
from tests.conftest import FIXTURES

BIB = r"""
@article{grady2019,
  author = {Grady, Jessica Stoltzfus and Her, Malina and Moreno, Geena and Perez, Catherine and Yelinek, Jillian},
  title = {Emotions in storybooks: A comparison of storybooks that represent ethnic and racial groups in the
           {United States}},
  journal = {Psychology of Popular Media Culture}, volume = {8}, number = {3}, pages = {207--217},
  year = {2019}, doi = {10.1037/ppm0000185}
}
@inproceedings{duckworth2019,
  author = {Duckworth, Angela L. and Quirk, Adam and Gallop, Robert and Hoyle, Rick H. and Kelly, Dennis R.
            and Matthews, Michael D.},
  title = {Cognitive and noncognitive predictors of success},
  booktitle = {Proceedings of the National Academy of Sciences, USA}, volume = {116}, number = {47},
  pages = {23499--23504}, year = {2019}, doi = {https://doi.org/10.1073/pnas.1910510116}
}
@article{liu1997,
  author = {Liu, G. and Lee, K. Y. and Jordan, H. F.},
  title = {{TDM} and {TWDM} de {B}ruijn networks and shufflenets for optical communications},
  journal = {IEEE Trans. Comp.}, volume = {46}, number = {6}, pages = {695--701}, month = jun, year = {1997}
}
@inproceedings{payne1985,
  author = {Payne, D. B. and Stern, J. R.},
  title = {Wavelength-switched passively coupled single-mode optical network},
  booktitle = {Proc. IOOC-ECOC}, pages = {585--590}, year = {1985}
}
"""
PAPERS = {p.key: p for p in bibtex.parse(BIB).papers}
MORE = r"""
@article{keng2017,
  author = {Keng, Shao-Hsun and Lin, Chun-Hung and Orazem, Peter F.},
  title = {Expanding College Access in {Taiwan}, 1978--2014: Effects on Graduate Quality and Income Inequality},
  journal = {Journal of Human Capital}, volume = {11}, number = {1}, pages = {1--34}, year = {2017},
  doi = {10.1086/690235}
}
@book{grazer2015,
  author = {Grazer, Brian and Fishman, Charles}, title = {A Curious Mind: The Secret to a Bigger Life},
  publisher = {Simon \& Schuster}, year = {2015}
}
@article{lasalle2017,
  author = {LaSalle, Peter}, title = {Conundrum: A story about reading},
  journal = {New England Review}, volume = {38}, number = {1}, pages = {95--109}, year = {2017}
}
@article{schott1998,
  author = {Schott, J. J. and Benson, D. W. and Basson, C. T. and Pease, W. and Silberbach, G. M. and Moak, J. P.
            and Maron, B. J. and Seidman, C. E. and Seidman, J. G.},
  title = {Congenital heart disease caused by mutations in the transcription factor {NKX2-5}},
  journal = {Science}, volume = {281}, number = {5373}, pages = {108--111}, year = {1998}
}
@article{hao2014,
  author = {Hao, Zengchao and AghaKouchak, Amir and Nakhjiri, Navid and Farahmand, Alireza},
  title = {Global integrated drought monitoring and prediction system}, journal = {Sci. Data}, volume = {1},
  pages = {140001}, year = {2014}
}
"""
MORE_PAPERS = {p.key: p for p in bibtex.parse(MORE).papers}

APA_JOURNAL = (
    "Grady, J. S., Her, M., Moreno, G., Perez, C., & Yelinek, J. (2019). Emotions in storybooks: A comparison of "
    "storybooks that represent ethnic and racial groups in the United States. Psychology of Popular Media Culture, "
    "8(3), 207–217. https://doi.org/10.1037/ppm0000185"
)
APA_CONFERENCE = (
    "Duckworth, A. L., Quirk, A., Gallop, R., Hoyle, R. H., Kelly, D. R., & Matthews, M. D. (2019). Cognitive and "
    "noncognitive predictors of success. Proceedings of the National Academy of Sciences, USA, 116(47), "
    "23499–23504. https://doi.org/10.1073/pnas.1910510116"
)
IEEE_JOURNAL = (
    "G. Liu, K. Y. Lee, and H. F. Jordan, “TDM and TWDM de Bruijn networks and shufflenets for optical "
    "communications,” IEEE Trans. Comp., vol. 46, no. 6, pp. 695–701, Jun. 1997."
)
IEEE_CONFERENCE = (
    "D. B. Payne and J. R. Stern, “Wavelength-switched passively coupled single-mode optical network,” in Proc. "
    "IOOC-ECOC, 1985, pp. 585–590."
)


@pytest.mark.parametrize(("key", "expected"), [("grady2019", APA_JOURNAL), ("duckworth2019", APA_CONFERENCE)])
def test_apa_7_documented_examples(key: str, expected: str) -> None:
    formatted = bibliography([PAPERS[key]], load_style("apa"))
    assert formatted.text == expected


def test_apa_html_has_the_italics_word_processors_keep() -> None:
    formatted = bibliography([PAPERS["grady2019"]], load_style("apa"))
    assert formatted.html == (
        '<p class="csl-entry">Grady, J. S., Her, M., Moreno, G., Perez, C., &amp; Yelinek, J. (2019). Emotions in '
        "storybooks: A comparison of storybooks that represent ethnic and racial groups in the United States. "
        "<i>Psychology of Popular Media Culture</i>, <i>8</i>(3), 207–217. https://doi.org/10.1037/ppm0000185</p>"
    )


@pytest.mark.parametrize(("key", "expected"), [("liu1997", IEEE_JOURNAL), ("payne1985", IEEE_CONFERENCE)])
def test_ieee_documented_examples(key: str, expected: str) -> None:
    assert bibliography([PAPERS[key]], load_style("ieee")).text == "[1] " + expected


CHICAGO = {
    "keng2017": "Keng, Shao-Hsun, Chun-Hung Lin, and Peter F. Orazem. 2017. “Expanding College Access in Taiwan, "
                "1978–2014: Effects on Graduate Quality and Income Inequality.” Journal of Human Capital 11 (1): "
                "1–34. https://doi.org/10.1086/690235.",
    "grazer2015": "Grazer, Brian, and Charles Fishman. 2015. A Curious Mind: The Secret to a Bigger Life. "
                  "Simon & Schuster.",
    "lasalle2017": "LaSalle, Peter. 2017. “Conundrum: A Story about Reading.” New England Review 38 (1): 95–109.",
}


@pytest.mark.parametrize("key", list(CHICAGO))
def test_chicago_author_date_documented_examples(key: str) -> None:
    """Given names in full and prepositions lower-case in title case: two CSL 1.0.1 rules the style uses."""
    assert bibliography([MORE_PAPERS[key]], load_style("chicago")).text == CHICAGO[key]


def test_chicago_in_text_and_italics() -> None:
    chicago = load_style("chicago")
    assert citation([MORE_PAPERS["keng2017"]], chicago).text == "(Keng et al. 2017)"
    assert citation([MORE_PAPERS["grazer2015"]], chicago).text == "(Grazer and Fishman 2015)"
    assert bibliography([MORE_PAPERS["grazer2015"]], chicago).html == (
        '<p class="csl-entry">Grazer, Brian, and Charles Fishman. 2015. <i>A Curious Mind: The Secret to a Bigger '
        "Life</i>. Simon &amp; Schuster.</p>"
    )


def test_the_html_escapes_what_the_paper_says() -> None:
    """A title's "<" and a venue's "&" are text in the HTML a word processor pastes, never markup."""
    (paper,) = bibtex.parse(
        r"@article{k, author = {Doe, Jane}, title = {When $x<y$ holds}, journal = {A \& B}, year = 2020}"
    ).papers
    for name in citations.STYLES:
        formatted = bibliography([paper], load_style(name))
        assert "When x&lt;y holds" in formatted.html or "When X&lt;y Holds" in formatted.html, name
        assert "A &amp; B" in formatted.html, name
        assert "<y" not in formatted.html, name
        assert "A & B" in formatted.text, name


NATURE = {
    "schott1998": "Schott, J. J. et al. Congenital heart disease caused by mutations in the transcription factor "
                  "NKX2-5. Science 281, 108–111 (1998).",
    "hao2014": "Hao, Z., AghaKouchak, A., Nakhjiri, N. & Farahmand, A. Global integrated drought monitoring and "
               "prediction system. Sci. Data 1, 140001 (2014).",
}


@pytest.mark.parametrize("key", list(NATURE))
def test_nature_documented_examples(key: str) -> None:
    assert bibliography([MORE_PAPERS[key]], load_style("nature")).text == "1. " + NATURE[key]


def test_a_title_ending_in_a_question_mark_takes_no_period_after_it() -> None:
    (paper,) = bibtex.parse(
        "@article{abril2007, author = {Abril, Patricia S. and Plant, Robert}, title = {The patent holder's "
        "dilemma: Buy, sell, or troll?}, journal = {Commun. ACM}, volume = 50, number = 1, pages = {36--44},"
        " year = 2007, month = jan}"
    ).papers
    for name in ("acm", "nature"):
        formatted = bibliography([paper], load_style(name))
        assert "troll? Commun. ACM" in formatted.text, name
        assert "troll? <i>Commun. ACM</i>" in formatted.html, name
    chicago = bibliography([paper], load_style("chicago"))  # the period is put inside the quotes first
    assert "“The Patent Holder's Dilemma: Buy, Sell, or Troll?” Commun. ACM" in chicago.text


def test_numeric_styles_number_in_the_order_given_and_author_date_styles_sort() -> None:
    papers = [PAPERS["payne1985"], PAPERS["liu1997"]]
    ieee = bibliography(papers, load_style("ieee"))
    assert ieee.entries == ["[1] " + IEEE_CONFERENCE, "[2] " + IEEE_JOURNAL]
    assert citation(papers, load_style("ieee")).text == "[1], [2]"
    apa = bibliography(papers, load_style("apa"))
    assert [e.split(",")[0] for e in apa.entries] == ["Liu", "Payne"]
    assert citation(papers, load_style("apa")).text == "(Liu et al., 1997; Payne & Stern, 1985)"
    assert citation(papers, load_style("apa")).html_entries == ["(Liu et al., 1997; Payne &amp; Stern, 1985)"]


def test_every_offered_style_renders_each_reference() -> None:
    papers = list(PAPERS.values())
    for name in citations.STYLES:
        formatted = bibliography(papers, load_style(name))
        assert len(formatted.entries) == len(papers), name
        assert all("Grady" in e or "Duckworth" in e or "Liu" in e or "Payne" in e for e in formatted.entries)
        assert "<i>" in formatted.html, name


def test_a_csl_file_the_user_picks(tmp_path: Path) -> None:
    style = tmp_path / "tiny.csl"
    style.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="en-GB">\n'
        "  <info><title>Tiny</title><id>tiny</id><updated>2024-01-01T00:00:00+00:00</updated></info>\n"
        '  <citation><layout prefix="(" suffix=")" delimiter="; "><text variable="title"/></layout></citation>\n'
        '  <bibliography><layout><names variable="author"><name name-as-sort-order="all"/></names>\n'
        '    <text variable="title" prefix=": " font-style="italic"/></layout></bibliography>\n'
        "</style>\n",
        encoding="utf-8",
    )
    loaded = load_style(str(style))
    assert loaded.title == "Tiny"
    formatted = bibliography([PAPERS["payne1985"]], loaded)
    title = "Wavelength-switched passively coupled single-mode optical network"
    assert formatted.text == f"Payne, D. B., Stern, J. R.: {title}"
    assert formatted.html_entries[0].endswith(f"<i>{title}</i>")


def test_a_dependent_style_renders_with_its_parent(tmp_path: Path) -> None:
    dependent = tmp_path / "my-journal.csl"
    dependent.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" '
        'default-locale="en-US"><info><title>My Journal</title><id>x</id>'
        '<link href="http://www.zotero.org/styles/apa" rel="independent-parent"/>'
        "<updated>2024-01-01T00:00:00+00:00</updated></info></style>\n",
        encoding="utf-8",
    )
    assert bibliography([PAPERS["grady2019"]], load_style(str(dependent))).text == APA_JOURNAL


def test_styles_that_cannot_be_used_say_why(tmp_path: Path) -> None:
    with pytest.raises(StyleError, match="unknown citation style 'apa8': choose one of apa, ieee, chicago, acm"):
        load_style("apa8")
    with pytest.raises(StyleError, match=r"no such style file"):
        load_style(str(tmp_path / "missing.csl"))
    broken = tmp_path / "broken.csl"
    broken.write_text("<style><citation>", encoding="utf-8")
    with pytest.raises(StyleError, match=r"^broken.csl is not a CSL style"):
        load_style(str(broken))
    other = tmp_path / "other.csl"
    other.write_text("<html><body/></html>", encoding="utf-8")
    with pytest.raises(StyleError, match=r"^other.csl is not a CSL style"):
        load_style(str(other))


def test_any_style_of_the_styles_package_by_name() -> None:
    harvard = load_style("harvard-cite-them-right")
    assert bibliography([PAPERS["grady2019"]], harvard).text.startswith("Grady, J.S.")


def test_latex_and_markup_come_out_as_text() -> None:
    (paper,) = bibtex.parse(
        r"@article{k, author={M{\"u}ller, J{\"o}rg and van der Maaten, Laurens},"
        r" title={On {\em Ans{\"a}tze} for $\alpha$}, journal={J. Stuff}, year=2020}"
    ).papers
    assert bibliography([paper], load_style("apa")).text == (
        "Müller, J., & van der Maaten, L. (2020). On Ansätze for α. J. Stuff.")


def test_nothing_selected_is_nothing_formatted() -> None:
    assert bibliography([], load_style("apa")).text == ""
    assert citation([], load_style("apa")).html == ""


def test_the_html_says_what_the_text_says_in_the_same_order() -> None:
    """xampl.bib's entries without authors list by their (italic) titles: the HTML must not sort its markup."""
    papers = bibtex.parse((FIXTURES / "xampl.bib").read_text(encoding="utf-8")).papers
    tags = re.compile(r"</?(?:i|b|sup|sub|span)(?: [^>]*)?>")
    for name in citations.STYLES:
        formatted = bibliography(papers, load_style(name))
        assert [html.unescape(tags.sub("", entry)) for entry in formatted.html_entries] == formatted.entries, name
