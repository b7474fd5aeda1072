"""search_form folds stretches of ASCII at once and each other word on its own: as word by word did."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.core.fields import search_form
from papershelf.core.model import fold

PIECES = ["a", "B", "xyz", "Schölkopf", "ß", "İ", "é", "e\u0301", "\u0301", "ﬁ", "Ⅻ", "ᶞ", "日本", "😀", "Ꭰ",
          "\u00a0", "\u2028", "\u3000", "\x1f", "\x1c", "\x85", " ", "\t", "\n", "-", "—", "“", "’s", "."]


def word_by_word(text: str) -> str:
    """search_form as it was: every word folded on its own."""
    if text.isascii():
        return " ".join(text.lower().split())
    words = [w.lower() if w.isascii() else fold(w) for w in text.split()]
    return " ".join(" ".join(words).split())


@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=40).map("".join))
@settings(max_examples=2000)
def test_search_form_equals_folding_word_by_word(text: str) -> None:
    assert search_form(text) == word_by_word(text)
    assert search_form(text) == word_by_word(text)  # its words now folded before (kept): the same


def test_a_long_note_with_a_few_non_ascii_words() -> None:
    text = ("Plain words about the method. " * 2000 + "Schölkopf’s trick — “quoted”.\u00a0End ") * 20
    assert search_form(text) == word_by_word(text)
    assert "scholkopf’s trick — “quoted”. end plain words" in search_form(text)
