"""Citation keys: Google Scholar style, ASCII, particles, collisions."""

from __future__ import annotations

import pytest

from papershelf.core.citekeys import base_key, first_title_word, last_name, unique_key


@pytest.mark.parametrize(
    ("authors", "year", "title", "key"),
    [
        (["Mark Niklas Mueller"], 2021, "Certify or Predict: Boosting Certified Robustness", "mueller2021certify"),
        (["Bernhard Schölkopf"], 2021, "Causality for Machine Learning", "scholkopf2021causality"),
        (["Laurens van der Maaten", "G. Hinton"], 2008, "Visualizing Data using t-SNE", "vandermaaten2008visualizing"),
        (["Vaswani, Ashish"], 2017, "Attention Is All You Need", "vaswani2017attention"),
        (["Guy L. Steele, Jr."], 1990, "Common Lisp", "steele1990common"),
        (["Martin Luther King Jr."], 1963, "I Have a Dream", "king1963i"),
        (["Paweł Łukasz Żółć"], 2020, "On the Art of the Deal", "zolc2020art"),
        (["{Google Research}"], 2020, "A Survey", "googleresearch2020survey"),
        ([], None, "Untitled", "anonuntitled"),
        (["Liran Katzir"], 2021, "Net-DNF: Effective Deep Modeling of Tabular Data", "katzir2021net"),
    ],
)
def test_base_key(authors: list[str], year: int | None, title: str, key: str) -> None:
    assert base_key(authors, year, title) == key


def test_last_name_forms() -> None:
    assert last_name("von Neumann, John") == "von Neumann"
    assert last_name("John von Neumann") == "von Neumann"
    assert last_name("Ludwig van Beethoven") == "van Beethoven"
    assert last_name("Plato") == "Plato"


def test_first_title_word_skips_function_words() -> None:
    assert first_title_word("On the Variance of the Adaptive Learning Rate") == "variance"
    assert first_title_word("The the") == "the"
    assert first_title_word("$\\ell_\\infty$-Robustness") == "ell"


def test_collisions_get_letters_in_order() -> None:
    taken: set[str] = set()
    keys = []
    for _ in range(29):
        key = unique_key("chen2021robust", taken)
        taken.add(key)
        keys.append(key)
    assert keys[:4] == ["chen2021robust", "chen2021robusta", "chen2021robustb", "chen2021robustc"]
    assert keys[26] == "chen2021robustz"
    assert keys[27] == "chen2021robustaa"
    assert len(set(keys)) == 29
