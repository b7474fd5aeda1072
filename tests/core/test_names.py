"""The one spelling rule for tag and reading-list names, and every edit path that must follow it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from papershelf.core import names
from papershelf.core.library import AnnotationChange, Library
from papershelf.services.library import open_library


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("deep learning", "deep learning"),
        ("deep  learning", "deep learning"),
        ("  deep\tlearning\n", "deep learning"),
        ("deep\u00a0learning", "deep learning"),  # a no-break space pasted from a web page
        ("Deep Learning", "Deep Learning"),  # case is the user's to choose
        ("   ", ""),
    ],
)
def test_a_name_is_stored_with_its_whitespace_collapsed(typed: str, stored: str) -> None:
    assert names.clean(typed) == stored


def test_names_that_differ_only_in_case_or_whitespace_are_one_name() -> None:
    assert names.identity("Deep  Learning") == names.identity("deep learning") == names.identity(" DEEP learning ")
    assert names.identity("Straße") == names.identity("STRASSE")  # full case folding, not lower()
    assert names.identity("deep learning") != names.identity("deeplearning")


def test_typed_names_are_split_at_commas_cleaned_and_kept_once() -> None:
    assert names.from_text(" rl,  deep  learning , ,rl, deep learning,Théorie ") == ["rl", "deep learning", "Théorie"]
    assert names.from_text("") == []


def test_a_new_name_given_in_two_spellings_is_stored_once() -> None:
    known = names.spellings_in_use(["ML"])
    assert names.spelled(("deep  learning", "Deep learning", " ml "), known) == ("deep learning", "deep learning", "ML")


def test_removing_a_name_removes_every_spelling_in_use() -> None:
    known = names.spellings_in_use(["deep learning", "Deep Learning", "rl"])
    assert set(names.every_spelling(("deep  LEARNING",), known)) == {"deep LEARNING", "deep learning",
                                                                     "Deep Learning"}


def test_editing_names_keeps_order_and_adds_each_once() -> None:
    assert names.edit_names(["a", "b"], ["c", " c ", "a"], ["b"]) == ["a", "c"]


# -- through the library's edit paths ------------------------------------------------------------------


def test_a_tag_typed_with_two_spaces_is_the_tag_in_use(tmp_path: Path) -> None:
    library = open_library(tmp_path / "lib")
    first, second = list(library.papers)[:2]
    library.annotate([first], AnnotationChange(add_tags=("deep learning",), add_lists=("reading group",)))
    library.annotate([first, second], AnnotationChange(add_tags=("deep  learning",), add_lists=("reading\tgroup",)))
    assert library.annotation(first).tags == ["deep learning"]
    assert library.annotation(second).tags == ["deep learning"]
    assert library.tag_counts() == Counter({"deep learning": 2})
    assert library.list_names() == ["reading group"]
    reopened = Library(tmp_path / "lib")
    assert reopened.tag_counts() == Counter({"deep learning": 2})
    library.annotate([first, second], AnnotationChange(remove_tags=("Deep   Learning",)))
    assert library.tag_counts() == Counter()


def test_a_new_tag_is_stored_with_one_space(tmp_path: Path) -> None:
    library = open_library(tmp_path / "lib")
    first = next(iter(library.papers))
    library.annotate([first], AnnotationChange(add_tags=("  graph \n neural  nets ", "  "), add_lists=(" to  do",)))
    assert library.annotation(first).tags == ["graph neural nets"]
    assert library.annotation(first).lists == ["to do"]


def test_creating_and_renaming_lists_follow_the_same_rule(tmp_path: Path) -> None:
    library = open_library(tmp_path / "lib")
    first, second = list(library.papers)[:2]
    library.create_list("Reading  group")
    library.create_list("reading group")  # the same list again
    assert library.list_names() == ["Reading group"]
    library.annotate([first], AnnotationChange(add_lists=("Thesis",)))
    library.annotate([second], AnnotationChange(add_lists=("Reading group",)))
    assert library.rename_list("Reading group", "thesis ") == [second]  # into the list in use
    assert library.list_names() == ["Thesis"]
    assert library.annotation(second).lists == ["Thesis"]
    library.rename_list("Thesis", "my  THESIS")  # a new name, and a change of case, are the user's
    assert library.list_names() == ["my THESIS"]
    library.rename_list("my THESIS", "My thesis")
    assert library.list_names() == ["My thesis"]
    with pytest.raises(ValueError, match="needs a name"):
        library.create_list(" \t ")
