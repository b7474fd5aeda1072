"""LaTeX <-> Unicode: decoding BibTeX values for display, escaping display text for export."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.formats import latex


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ('Sch{\\"o}lkopf', "Schölkopf"),
        ("Sch\\\"olkopf", "Schölkopf"),
        ("\\'{E}cole \\`a la \\^{i}le", "École à la île"),
        ("{\\v{S}}ilhav{\\'y} Dvo\\v{r}\\'ak", "Šilhavý Dvořák"),
        ("\\c{c}a \\c c \\k{a} \\H{o} \\r{a} \\u{g} \\={o} \\.{z} \\d{a} \\~n", "ça ç ą ő å ğ ō ż ạ ñ"),
        ("\\'{\\i}\\\"\\i \\^{\\j}", "íïĵ"),
        ("Nguy\\~{\\^e}n", "Nguyễn"),
        ("{\\ss} {\\o}rsted {\\O} {\\ae}{\\AE} {\\oe} {\\aa} {\\L}ukasz {\\l}", "ß ørsted Ø æÆ œ å Łukasz ł"),
        ("\\ss{}x \\o rsted", "ßx ørsted"),
        ("\\& \\% \\$ \\# \\_ \\{ \\}", "& % $ # _ { }"),
        ("{\\textbackslash}{\\textbraceleft}{\\textasciitilde}{\\textasciicircum}{\\textless}{\\textbar}", "\\{~^<|"),
        ("a -- b --- c ``d'' e~f", "a – b — c “d” e f"),
        ("a-{}-b `{}`c'{}'", "a--b ``c''"),
        ("\\emph{Deep} \\textbf {Nets} {\\em x} \\textit{\\'e}", "Deep Nets x é"),
        ("\\href{http://x.org}{the link} \\url{http://a.org}", "the link http://a.org"),
        ("{BERT}: {P}re-training", "BERT: Pre-training"),
        ("100% unescaped percent stays", "100% unescaped percent stays"),
        ("$\\ell_2$-norm and $O(n)$", "$\\ell_2$-norm and $O(n)$"),
        ("\\$5 and a lone $ sign", "$5 and a lone $ sign"),
        ("\\unknown{arg} kept", "\\unknown{arg} kept"),
        ("Nos\\ ' e and \\ ell", "Nos ' e and ell"),
        ("  lots \n of\t  space  ", "lots of space"),
        ("\\alpha-divergence \\leq \\infty", "α-divergence ≤ ∞"),
        ("\\LaTeX{} and \\TeX", "LaTeX and TeX"),
    ],
)
def test_decode(raw: str, shown: str) -> None:
    assert latex.decode(raw) == shown


def test_decode_paragraphs_keeps_blank_lines() -> None:
    assert latex.decode_paragraphs("One\n  line.\n\n\n  Two {\\'e}.\n \n") == "One line.\n\nTwo é."


def test_decode_verbatim_only_unescapes() -> None:
    assert latex.decode_verbatim("{https://x.org/a\\_b\\%20c~d}") == "https://x.org/a_b%20c~d"




@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("a & b % c # d _ e $ f", "a \\& b \\% c \\# d \\_ e \\$ f"),
        ("{unbalanced", "{\\textbraceleft}unbalanced"),
        ("back\\slash", "back{\\textbackslash}slash"),
        ("~^<>|", "{\\textasciitilde}{\\textasciicircum}{\\textless}{\\textgreater}{\\textbar}"),
        ("a--b ``c'' ?`", "a-{}-b `{}`c'{}' ?{}`"),
        ("$\\ell_2$ kept, $5 and $10 not", "$\\ell_2$ kept, \\$5 and \\$10 not"),
        ("$a{b$ unbalanced math is text", "\\$a{\\textbraceleft}b\\$ unbalanced math is text"),
        ("Schölkopf Łódź ß ễ ı", "Sch{\\\"o}lkopf {\\L}{\\'o}d{\\'z} {\\ss} {\\~{\\^e}} {\\i}"),
        ("– — “x” ’ … §", "{--} {---} {``}x{''} {'} {\\ldots} {\\S}"),
        ("α ≤ β² °", "{$\\alpha$} {$\\leq$} {$\\beta$}{$^2$} {$^\\circ$}"),
    ],
)
def test_encode_ascii(text: str, written: str) -> None:
    assert latex.Encoder().text(text) == written


def test_encode_transliterates_and_says_so() -> None:
    encoder = latex.Encoder()
    assert encoder.text("ą Đ 中 ẞ") == "a D ? ?"
    assert encoder.approximated == {"ą": "a", "Đ": "D", "中": "?", "ẞ": "?"}


def test_encode_ascii_low_quote_is_a_look_alike_and_says_so() -> None:
    """‚ (U+201A) has no OT1 glyph: its braced comma reads back as a comma, so the export must say so."""
    encoder = latex.Encoder()
    assert encoder.text("a‚b „c") == "a{,}b {,,}c"
    assert latex.decode("a{,}b {,,}c") == "a,b „c"
    assert encoder.approximated == {"‚": "{,}"}


def test_encode_utf8_escapes_only_markup() -> None:
    encoder = latex.Encoder(ascii=False)
    assert encoder.text("Schölkopf ễ 中 & {x") == "Schölkopf ễ 中 \\& {\\textbraceleft}x"
    assert encoder.approximated == {}


@pytest.mark.parametrize(
    ("title", "written"),
    [
        ("BERT and DeBERTa beat GANs", "{BERT} and {DeBERTa} beat {GAN}s"),
        ("Q-learning in 3D with L2 loss", "{Q}-learning in {3D} with {L2} loss"),
        ("A Title In Title Case With Bayesian Words", "A Title In Title Case With Bayesian Words"),
        # Capitalised words are never braced: a style sentence-cases them as in any other title.
        ("Inference with Pólya-gamma and Gaussian processes", "Inference with P{\\'o}lya-gamma and Gaussian processes"),
        ("POLITEX: Regret Bounds for Policy Iteration", "{POLITEX}: Regret Bounds for Policy Iteration"),
        ("Fast, Provably convergent IRLS Algorithm", "Fast, Provably convergent {IRLS} Algorithm"),
        ("ReLUs and GANs", "{ReLUs} and {GAN}s"),
        ("Bounds for $O(N)$ time", "Bounds for {$O(N)$} time"),
    ],
)
def test_title_protects_what_styles_would_lower_case(title: str, written: str) -> None:
    assert latex.Encoder().title(title) == written


def test_names_brace_commas_and_the_word_and() -> None:
    assert latex.Encoder().name("Bob and Alice, Jr. $a,b$") == "Bob {and} Alice{,} Jr. {$a,b$}"


def test_raw_values_only_lose_non_ascii() -> None:
    assert latex.Encoder().raw("Hal {Daum\\'e} III, Ballé & co") == "Hal {Daum\\'e} III, Ball{\\'e} & co"
    assert latex.Encoder(ascii=False).raw("Ballé") == "Ballé"


def test_text_in_ascii_keeps_combining_accents() -> None:
    encoder = latex.Encoder()
    assert encoder.text("Ce\u0301line q\u0301 & co") == "C{\\'e}line {\\'q} \\& co"
    assert encoder.name("Ce\u0301line") == "C{\\'e}line"
    assert encoder.approximated == {}


def test_raw_values_in_ascii_keep_math_and_combining_accents() -> None:
    encoder = latex.Encoder()
    # ICML's "$\ell_∞$": inside math a symbol gets its math form, so that it stays math (and stays put).
    assert encoder.raw("On $\\ell_∞$-bounds") == "On $\\ell_{\\infty}$-bounds"
    # Decomposed accents (e + U+0301) are joined first; a letter with no precomposed form keeps its accent.
    assert encoder.raw("Ce\u0301line q\u0301") == "C{\\'e}line {\\'q}"
    # {\'i}, not {\'\i}: biber would turn the dotless one into a combining accent that pdflatex rejects.
    assert encoder.raw("Urpí") == "Urp{\\'i}"
    assert encoder.raw("Paul {\\={P}}ot") == "Paul {\\={P}}ot"
    assert encoder.approximated == {}


@pytest.mark.parametrize(
    ("value", "repaired"),
    [
        ("Perception & Psychophysics", "Perception \\& Psychophysics"),
        ("100% of C# and \\& done", "100\\% of C\\# and \\& done"),
        ("see \\url{http://x.org/a%20b#c} & more", "see \\url{http://x.org/a%20b#c} \\& more"),
        ("a line break \\\\& then", "a line break \\\\\\& then"),
    ],
)
def test_bare_specials_are_escaped_outside_urls(value: str, repaired: str) -> None:
    assert latex.has_bare_special(value)
    assert latex.escape_bare_specials(value) == repaired
    assert not latex.has_bare_special(repaired)


@pytest.mark.parametrize(
    ("text", "balanced"), [("{a}", True), ("{a", False), ("a}", False), ("}{", False), ("\\{a\\}", True)]
)
def test_is_balanced(text: str, balanced: bool) -> None:
    assert latex.is_balanced(text) is balanced


def balanced_by_depth(braces: list[str]) -> bool:
    """The reference: a depth that never goes below 0 and ends at 0."""
    depth = 0
    for brace in braces:
        depth += 1 if brace == "{" else -1
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize(
    ("text", "balanced"),
    [("{" * 50 + "a" + "}" * 50, True), ("{" * 50 + "}" * 49, False), ("}" + "{" * 20 + "}" * 20 + "{", False),
     ("{a{b}" * 30 + "}" * 30, True), *((("{" * depth + "}" * depth), True) for depth in range(6, 11)),
     *((("{" * depth + "}" * depth + "}"), False) for depth in range(6, 11))],
)
def test_is_balanced_deeply_nested(text: str, balanced: bool) -> None:
    assert latex.is_balanced(text) is balanced


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="{}\\a ", max_size=40))
def test_is_balanced_agrees_with_counting_the_depth_both_ways(text: str) -> None:
    every = [c for c in text if c in "{}"]  # as BibTeX counts them
    unescaped = [c for i, c in enumerate(text) if c in "{}" and (i == 0 or text[i - 1] != "\\")]  # bibtexparser
    assert latex.is_balanced(text) is (balanced_by_depth(every) and balanced_by_depth(unescaped))


def test_dollars_around_text_with_no_math_form_are_escaped_not_kept_as_math() -> None:
    """``$β$`` is math (β has a math command); ``$¡$`` and ``$0®$`` are literal dollars: kept as math they
    would put text commands inside math mode on an ASCII export, and a RIS or CSL-JSON round trip would
    read them back as something else."""
    assert latex.is_math("β", "")
    assert not latex.is_math("¡", "")
    assert not latex.is_math("0®", "")
    assert latex.escape("$¡$", ascii=False) == "\\$¡\\$"
    assert latex.decode(latex.escape("$¡$")) == "$¡$"
    assert latex.decode(latex.escape("$^\\circ$0®$x$")) == "$^\\circ$0®$x$"


def test_the_ascii_form_of_the_low_double_quote_reads_back_as_it() -> None:
    """„ is written ``{,,}`` in ASCII; read back as „, not as two commas (which a RIS or CSL name would
    take for name separators). A braced single comma stays a comma: it keeps a comma in a name."""
    assert latex.escape("„") == "{,,}"
    assert latex.decode(latex.escape("„Guten Tag“")) == "„Guten Tag“"
    assert latex.decode("Barnes{,} Inc.") == "Barnes, Inc."


def test_a_name_part_braces_its_bare_commas_but_not_those_of_the_low_double_quote() -> None:
    encoder = latex.Encoder(ascii=True)
    assert encoder.name("Barnes, Inc.") == "Barnes{,} Inc."
    assert encoder.name("„Jr") == "{,,}Jr"
    assert latex.decode("{,,}") == "„"  # alone in its braces too (a name's Jr part)


def test_a_name_that_is_only_a_low_double_quote_comes_back() -> None:
    from papershelf.core.model import Paper
    from papershelf.formats import bibtex, bibtex_export

    paper = Paper(id="x", key="k", title="t", authors=["„"], entry_type="misc")
    text = bibtex_export.render([paper], {}, bibtex_export.BibtexOptions(ascii=True)).text
    assert bibtex.parse(text).papers[0].authors == ["„"]
