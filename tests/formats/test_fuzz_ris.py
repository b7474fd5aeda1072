"""The RIS reader on arbitrary and mangled input: it never raises, keeps only records with a title, and
every problem points at a line of the file."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papershelf.formats import ris
from tests.conftest import FIXTURES

SOURCES = [(FIXTURES / "ris" / name).read_text(encoding="utf-8") for name in ("zotero.ris", "scopus.ris", "broken.ris")]
TAG_LINES = st.builds(lambda tag, value: f"{tag}  - {value}", st.sampled_from(
    ["TY", "ER", "AU", "A1", "TI", "T2", "PY", "DA", "SP", "EP", "AB", "N1", "KW", "UR", "DO", "ID", "ZZ"]),
    st.text(max_size=20).map(lambda t: t.replace("\n", " ").replace("\r", " ")))
LINES = st.lists(st.one_of(TAG_LINES, st.text(max_size=30), st.just("")), max_size=40).map("\n".join)


def check(text: str) -> None:
    result = ris.parse(text)
    lines = len(text.splitlines())
    assert len(result.lines) == len(result.papers)
    assert all(p.title and p.title == " ".join(p.title.split()) for p in result.papers)
    assert all(0 <= problem.line <= lines for problem in result.problems)
    again = ris.parse(ris.render(result.papers, {}).text)  # what was read is written and read back
    assert [p.title for p in again.papers] == [p.title for p in result.papers]
    assert again.errors == []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LINES)
def test_generated_lines(text: str) -> None:
    check(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SOURCES), st.integers(0, 4000), st.integers(0, 200), st.text(max_size=12))
def test_fixtures_cut_and_spliced(source: str, at: int, cut: int, inserted: str) -> None:
    at = min(at, len(source))
    check(source[:at] + inserted + source[at + cut :])


WOS = (FIXTURES / "ris" / "savedrecs.txt").read_text(encoding="utf-8")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2000), st.integers(0, 200), st.text(max_size=12))
def test_web_of_science_text_cut_and_spliced(at: int, cut: int, inserted: str) -> None:
    text = WOS[:at] + inserted + WOS[at + cut :]
    result = ris.parse_wos(text)
    assert len(result.lines) == len(result.papers)
    assert all(p.title for p in result.papers)
    assert all(0 <= problem.line <= len(text.splitlines()) for problem in result.problems)
