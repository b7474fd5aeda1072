"""A BibTeX month, however it is written, is the same month in every export that dates a paper."""

from __future__ import annotations

import dataclasses

import pytest

from papershelf.formats import bibtex, csljson, ris

SPELLINGS = [
    ("may", 5), ("May", 5), ("{May}", 5), ("MAY", 5), ("Sept.", 9), ("september", 9), ("9", 9), ("09", 9),
    ("{\\'A}bril", None), ("Spring", None), ("13", None), ("0", None), ("", None),
]


@pytest.mark.parametrize(("month", "number"), SPELLINGS)
def test_month_number(month: str, number: int | None) -> None:
    assert bibtex.month_number(month) == number


@pytest.mark.parametrize(("month", "number"), SPELLINGS)
def test_ris_and_csl_json_date_a_paper_in_the_same_month(month: str, number: int | None) -> None:
    (paper,) = bibtex.parse("@article{k, title={T}, author={Doe, Jane}, journal={J}, year={2020}}").papers
    paper = dataclasses.replace(paper, fields={**paper.fields, "month": month} if month else paper.fields)
    (record,) = [line for line in ris.render([paper], {}).text.splitlines() if line.startswith("DA  - ")] or [""]
    issued = csljson.item(paper)["issued"]["date-parts"][0]
    if number is None:
        assert record == ""
        assert issued == [2020]
    else:
        assert record == f"DA  - 2020/{number:02d}/"
        assert issued == [2020, number]
