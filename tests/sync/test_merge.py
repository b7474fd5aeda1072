"""The three-way merge: every case of the table, for every synced field."""

from __future__ import annotations

from typing import Any

import pytest

from papershelf.sync.merge import DEFAULT, Fields, Outcome, merge

# Per field: the base value, a first change, a second (different) change.
VALUES: dict[str, tuple[Any, Any, Any]] = {
    "note": ("base note", "edited in one place", "edited in another"),
    "status": ("to-read", "reading", "skipped"),
    "tags": (("rl",), ("rl", "theory"), ("vision",)),
}
FIELD_NAMES = list(VALUES)


def fields(name: str, value: Any) -> Fields:
    return DEFAULT.with_value(name, value)


@pytest.mark.parametrize("name", FIELD_NAMES)
def test_unchanged_on_both_sides_stays(name: str) -> None:
    base, _, _ = VALUES[name]
    result = merge(fields(name, base), fields(name, base), fields(name, base))
    assert result.fields.get(name) == base
    assert result.outcomes[name] is Outcome.UNCHANGED
    assert result.conflicts == ()


@pytest.mark.parametrize("name", FIELD_NAMES)
def test_changed_only_in_the_file_the_library_takes_it(name: str) -> None:
    base, changed, _ = VALUES[name]
    result = merge(fields(name, base), app=fields(name, base), file=fields(name, changed))
    assert result.fields.get(name) == changed
    assert result.from_file == (name,)
    assert result.conflicts == ()


@pytest.mark.parametrize("name", FIELD_NAMES)
def test_changed_only_in_the_app_the_file_takes_it(name: str) -> None:
    base, changed, _ = VALUES[name]
    result = merge(fields(name, base), app=fields(name, changed), file=fields(name, base))
    assert result.fields.get(name) == changed
    assert result.from_app == (name,)
    assert result.from_file == ()


@pytest.mark.parametrize("name", FIELD_NAMES)
def test_changed_the_same_way_on_both_sides_is_no_conflict(name: str) -> None:
    base, changed, _ = VALUES[name]
    result = merge(fields(name, base), app=fields(name, changed), file=fields(name, changed))
    assert result.fields.get(name) == changed
    assert result.outcomes[name] is Outcome.BOTH_SAME
    assert result.conflicts == ()


@pytest.mark.parametrize("name", FIELD_NAMES)
def test_changed_differently_on_both_sides_is_a_conflict_and_the_app_value_stands(name: str) -> None:
    base, mine, theirs = VALUES[name]
    result = merge(fields(name, base), app=fields(name, mine), file=fields(name, theirs))
    assert result.conflicts == (name,)
    assert result.fields.get(name) == mine


def test_fields_merge_independently() -> None:
    base = Fields.of("note", "to-read", ["a"])
    app = Fields.of("note changed in app", "to-read", ["a"])
    file = Fields.of("note", "read", ["a", "b"])
    result = merge(base, app, file)
    assert result.fields == Fields.of("note changed in app", "read", ["a", "b"])
    assert (result.from_app, result.from_file, result.conflicts) == (("note",), ("status", "tags"), ())


def test_values_are_compared_as_a_reader_sees_them() -> None:
    assert Fields.of("Line one\r\nline two\n\n", "new", ["b", "a", "a"]) == Fields.of(
        "\n\nLine one\nline two", "new", ["a", " b "]
    )
    result = merge(DEFAULT, Fields.of("x\r\n", "new", []), Fields.of("x", "new", []))
    assert result.outcomes["note"] is Outcome.BOTH_SAME
