"""LaTeX in titles and abstracts as a reader sees it, and searched both as written and as shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.core.fields import ABSTRACT, NO_ANNOTATION, TITLE
from papershelf.core.library import Library
from papershelf.core.model import Paper
from papershelf.core.search.index import SearchIndex
from papershelf.core.search.query import parse_query
from papershelf.core.text.latex import (
    BOLD,
    ITALIC,
    SUBSCRIPT,
    SUPERSCRIPT,
    decode,
    render,
    render_paragraphs,
    shown,
    shown_math,
    shown_paragraphs,
)
from papershelf.formats import latex as formats_latex


def styled(text: str) -> list[tuple[str, int]]:
    """The styled parts of ``render(text)``, as (shown characters, style)."""
    result = render(text)
    return [(result.text[s.start : s.end], s.style) for s in result.spans]


@pytest.mark.parametrize(
    ("written", "text", "spans"),
    [
        ("$i$-Mix: A Domain-Agnostic Strategy", "i-Mix: A Domain-Agnostic Strategy", [("i", ITALIC)]),
        ("Top-$K$ Sampling", "Top-K Sampling", [("K", ITALIC)]),
        (r"Under $\ell_p$-Norm Distance", "Under ℓp-Norm Distance", [("p", ITALIC | SUBSCRIPT)]),
        # a paper list's stray space between the math and its hyphen goes
        (r"Under $\ell_p$ -Norm Distance", "Under ℓp-Norm Distance", [("p", ITALIC | SUBSCRIPT)]),
        ("$β$-VAEs", "β-VAEs", []),
        (r"$\beta$-VAEs", "β-VAEs", []),
        (r"\textit{Fast Weight Memory} and \emph{x}", "Fast Weight Memory and x",
         [("Fast Weight Memory", ITALIC), ("x", ITALIC)]),
        (r"\textbf{Bold} move", "Bold move", [("Bold", BOLD)]),
        (r"Schr{\"o}dinger -- bridges --- and~more", "Schrödinger – bridges — and more", []),
        ("VA-RED$^2$: Video", "VA-RED²: Video", []),  # exact in Unicode: no span needed
        (r"$L_2$ and $\ell_\infty$ norms", "L₂ and ℓ∞ norms", [("L", ITALIC), ("∞", SUBSCRIPT)]),
        (r"$x^{n}$", "xn", [("x", ITALIC), ("n", ITALIC | SUPERSCRIPT)]),
        (r"$\widetilde{O}(\sqrt{H^3 T})$", "Õ(√(H³ T))", [("Õ", ITALIC), ("H", ITALIC), ("T", ITALIC)]),
        (r"$\mathbf{x} \in \mathbb{R}^d$", "x ∈ ℝd", [("x", BOLD), ("d", ITALIC | SUPERSCRIPT)]),
        (r"$\frac{1}{n}$ and $\mathcal{O}(n \log n)$", "1/n and O(n log n)", [("n", ITALIC), ("n", ITALIC),
                                                                            ("n", ITALIC)]),
        (r"$\epsilon = 128/255$", "ε = 128/255", []),
        ("costs $5 and $10", "costs $5 and $10", []),  # money, not math
        ("see http://x.org/~user now", "see http://x.org/~user now", []),  # a path, not a tie
        (r"a $\foo{x}$ b", r"a \foo{x} b", []),  # unknown: kept as written
        ("$$L$$-layer", "L-layer", [("L", ITALIC)]),
        ("Plain  title\n", "Plain title", []),
    ],
)
def test_latex_is_shown_as_a_reader_would_read_it(written: str, text: str, spans: list[tuple[str, int]]) -> None:
    assert render(written).text == text
    assert shown(written) == text
    assert styled(written) == spans


def test_paragraphs_stay_apart_and_their_spans_point_into_the_whole_text() -> None:
    result = render_paragraphs("First $x$ here.\n\nThen \\emph{second}\n  and more.")
    assert result.text == "First x here.\n\nThen second and more."
    assert [result.text[s.start : s.end] for s in result.spans] == ["x", "second"]


def test_text_with_nothing_to_render_is_returned_as_it_is() -> None:
    title = "Attention Is All You Need"
    assert render(title).text is title
    assert render(title).spans == ()


def test_formats_decode_is_the_core_one() -> None:
    assert formats_latex.decode is decode  # one definition: formats re-export the core's


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"ab $\\_^{}~-'`x1 \n", "\\ell", "\\emph{", "\\frac", "$$", "\\mathbb"])).map("".join))
def test_any_text_renders_to_single_spaced_text_with_spans_inside_it(text: str) -> None:
    result = render(text)
    assert "  " not in result.text
    assert result.text == result.text.strip()
    end = 0
    for span in result.spans:
        assert end <= span.start < span.end <= len(result.text)
        end = span.end


# -- the table, the query and the index read what is shown -------------------------------------------------


LP = Paper(id="", key="lp2021", title=r"Concentration Under $\ell_p$-Norm Distance", authors=["A. Author"],
           year=2021, abstract=r"We bound $\|x\|_\infty$ for $i$-Mix and \textit{Top-$K$} sampling.")
PLAIN = Paper(id="", key="plain2020", title="Plain Title", authors=["B. Author"], year=2020, abstract="Nothing.")


def test_fields_show_sort_and_search_the_rendered_text() -> None:
    assert TITLE.text(LP, NO_ANNOTATION) == "Concentration Under ℓp-Norm Distance"
    assert ABSTRACT.text(LP, NO_ANNOTATION) == "We bound ‖x‖∞ for i-Mix and Top-K sampling."
    # an abstract is searched as written and by its math as shown (all of it shown would cost 60% more
    # index build at 100k papers: tests/bench)
    assert ABSTRACT.search is not None
    assert ABSTRACT.search(LP, NO_ANNOTATION) == (
        "we bound $\\|x\\|_\\infty$ for $i$-mix and \\textit{top-$k$} sampling.\n‖x‖∞ i k"
    )
    assert TITLE.sort_key(LP, NO_ANNOTATION) == "concentration under lp-norm distance"


@pytest.fixture(params=[False, True], ids=["scan", "word-index"])
def index(tmp_path: Path, request: pytest.FixtureRequest) -> SearchIndex:
    library = Library(tmp_path / "lib")
    library.import_papers([LP, PLAIN])
    return SearchIndex(library, word_index=request.param, word_index_from=0)


@pytest.mark.parametrize(
    "text",
    ["l_p", "ℓp", r"\ell_p", "title:ℓp-norm", "title:l_p", "abstract:$i$-mix", "abstract:‖x‖∞", "abstract:infty",
     '"under ℓp-norm"', '"under $\\ell_p$-norm"'],
)
def test_search_finds_a_paper_as_written_and_as_shown(index: SearchIndex, text: str) -> None:
    library = index.library
    found = [library.papers[pid].key for pid in index.filter(parse_query(text))]
    reference = [library.papers[pid].key for pid in library.papers
                 if parse_query(text).matches(library.papers[pid], library.annotation(pid))]
    assert found == reference == ["lp2021"]


def test_no_phrase_spans_the_written_and_the_shown_text(index: SearchIndex) -> None:
    # the title's search text is "...distance\n...ℓp..." : the end of one and the start of the other never join
    assert index.filter(parse_query('"distance concentration"')) == []


def test_runs_cut_the_text_at_its_spans() -> None:
    result = render(r"A $\ell_p$ \emph{norm} bound")
    assert result.runs() == [("A ℓ", 0), ("p", ITALIC | SUBSCRIPT), (" ", 0), ("norm", ITALIC), (" bound", 0)]
    assert result.runs(3, 8) == [("p", ITALIC | SUBSCRIPT), (" ", 0), ("nor", ITALIC)]
    assert "".join(part for part, _ in result.runs()) == result.text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"ab $\\_^{}~-'`x1 \n", "\\ell", "\\emph{", "\\frac", "$$", "\n\n"])).map("".join))
def test_the_plain_text_is_the_rendered_text_without_its_spans(text: str) -> None:
    assert shown(text) == render(text).text
    assert shown_paragraphs(text) == render_paragraphs(text).text
    math = shown_math(text)
    assert math == " ".join(math.split())
    if "$" not in text:
        assert math == ""


_MATH_AS_PANDOC_READS = re.compile(r"(?<!\\)\$(\$?)((?:[^$\\]|\\.)+)\$\1")  # a $ not after a backslash opens


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([*"ab $\\_^{}-'x1 \n", "\\ell", "\\$", "$$", "\\alpha", "$k$"])).map("".join))
def test_the_math_shown_is_each_math_span_rendered_on_its_own(text: str) -> None:
    # the spans are those Pandoc reads as math (found as this pattern finds them), each shown as it is alone,
    # and the same every time (``shown_math`` keeps the bodies it has shown)
    spans = [
        shown_math(f"{dollars}{body}{dollars}")
        for match in _MATH_AS_PANDOC_READS.finditer(text)
        for dollars, body in [(f"${match.group(1)}", match.group(2))]
        if body == body.strip() and len(body) <= 200 and not text[match.end() : match.end() + 1].isdigit()
    ]
    assert shown_math(text) == " ".join(" ".join(spans).split())
    assert shown_math(text) == shown_math(text)
