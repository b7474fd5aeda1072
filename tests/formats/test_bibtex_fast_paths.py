"""The BibTeX reader's fast paths give what the general ones give.

Long values are hidden from bibtexparser's splitter behind placeholders, plain names skip the general
name parser, and values without LaTeX skip the decoder: the papers, lines and problems must not show it.
"""

from __future__ import annotations

from papershelf.formats import bibtex, latex
from papershelf.formats.common import Problem

CASES = """\
@string{conf = {Conference on Learning Representations, with a long name}}

@inproceedings{first,
  title = {{Sets, Graphs = {Structures}, and \\{Escaped\\} Braces}},
  author = {Ludwig van Beethoven and Jean-Baptiste Alayrac and Madonna and Smith, John de},
  booktitle = conf,
  abstract = {First paragraph, with commas, an = sign,
    a {Nested {Group}} and \\{escaped\\} braces.

    Second paragraph: ``quoted'' -- dashed --- text~tied, 100\\% of it.},
  note = {Kept as written, {Braces} and all, over
two lines},
  year = {2021}
}

@article{second,
  title = {A "Quoted" Title, Written by Someone at Example},
  author = {Ada Lovelace},
  note = {Mail: someone@example.org, who wrote it},
  year = {2020}
}

@article{broken,
  title = {An unclosed value that goes on, and on, and on,
  year = {2019}

@misc{fourth,
  title = {After the broken one, still read},
  abstract = {Its own abstract, with a comma},
}
"""


def test_long_values_hidden_from_the_splitter_come_back_verbatim() -> None:
    hidden = bibtex.split_blocks(CASES)[1]
    assert "Kept as written, {Braces} and all, over\ntwo lines" in hidden  # the fast path was taken

    result = bibtex.parse(CASES)

    first, second, fourth = result.papers
    assert first.title == "Sets, Graphs = Structures, and {Escaped} Braces"
    assert first.venue == "Conference on Learning Representations, with a long name"
    assert first.abstract == (
        "First paragraph, with commas, an = sign, a Nested Group and {escaped} braces.\n\n"
        "Second paragraph: “quoted” – dashed — text tied, 100% of it."
    )
    fields = {name: value for name, value in first.fields.items() if name not in ("title", "abstract", "@string")}
    assert fields == {
        "booktitle": "Conference on Learning Representations, with a long name",
        "note": "Kept as written, {Braces} and all, over\ntwo lines",
        "author": "Ludwig van Beethoven and Jean-Baptiste Alayrac and Madonna and Smith, John de",
    }
    assert first.fields["abstract"].startswith("First paragraph, with commas, an = sign,\n")  # its source
    assert first.authors == ["Ludwig van Beethoven", "Jean-Baptiste Alayrac", "Madonna", "John de Smith"]
    assert second.title == 'A "Quoted" Title, Written by Someone at Example'
    assert second.fields["note"] == "Mail: someone@example.org, who wrote it"
    assert fourth.abstract == "Its own abstract, with a comma"


def test_lines_and_problems_count_the_lines_inside_hidden_values() -> None:
    result = bibtex.parse(CASES)

    assert result.lines == [3, 16, 27]
    assert result.problems == [
        Problem(23, "the entry is not closed (a brace or quote is missing) before the next entry starts", "broken")
    ]


def test_a_file_with_the_placeholder_characters_is_read_as_it_is() -> None:
    text = "@misc{third,\n  title = {Private \ue000use\ue001 characters stay, as they are},\n  year = {2018}\n}\n"

    (paper,) = bibtex.parse(text).papers

    assert paper.title == "Private \ue000use\ue001 characters stay, as they are"
    assert paper.year == 2018


def test_plain_names_read_as_the_general_name_parser_reads_them() -> None:
    assert bibtex.parse_names("Ludwig van Beethoven and Jean-Baptiste Alayrac and Madonna") == (
        ["Ludwig van Beethoven", "Jean-Baptiste Alayrac", "Madonna"],
        True,
    )
    assert bibtex.parse_names("John Smith and Ümit Çatalyürek and ʻOlelo Hawaiʻi") == (
        ["John Smith", "Ümit Çatalyürek", "ʻOlelo Hawaiʻi"],
        True,
    )
    assert bibtex.parse_names("Maria de la Cruz and Jean de la Fontaine") == (
        ["Maria de la Cruz", "Jean de la Fontaine"],
        True,
    )
    # From the display names alone an export would split these differently: the raw field is kept.
    assert bibtex.parse_names("Maria De Fauw and De Fauw, Jeffrey") == (["Maria De Fauw", "Jeffrey De Fauw"], False)
    assert bibtex.parse_names("Smith, John de") == (["John de Smith"], False)


def test_the_name_cache_gives_what_reading_each_name_gives() -> None:
    cache: dict[str, tuple[str, bool]] = {}
    raw = "Smith, John and Maria de la Cruz and {\\'E}mile Zola"

    first = bibtex.parse_names(raw, cache)
    again = bibtex.parse_names(raw, cache)

    assert first == again == bibtex.parse_names(raw) == (["John Smith", "Maria de la Cruz", "Émile Zola"], True)
    assert bibtex.parse_names("De Fauw, Jeffrey", cache) == bibtex.parse_names("De Fauw, Jeffrey") == (
        ["Jeffrey De Fauw"],
        False,
    )
    assert set(cache) == {"Smith, John", "Maria de la Cruz", "{\\'E}mile Zola", "De Fauw, Jeffrey"}


def test_decoding_shortcuts_match_the_full_decoder() -> None:
    assert latex.decode("{Deep Sets}") == "Deep Sets"
    assert latex.decode("{Deep} {Sets}") == "Deep Sets"
    assert latex.decode("{A -- B}") == "A – B"
    assert latex.decode("  spaced   out\ttext\n") == "spaced out text"
    assert latex.decode("already plain") == "already plain"
    assert latex.decode("non\u00a0breaking") == "non breaking"
    assert latex.decode("a --- b -- c ``q'' x~y {Z} \\href{http://x}{link} $--$") == "a — b – c “q” x y Z link $--$"
