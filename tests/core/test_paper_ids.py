"""Paper ids derive from the normalised title: they must stay what earlier versions stored.

The expected values were computed by the first implementation of ``normalise_title`` (a character
filter over ``fold``); a library written then must find its papers by the same ids now.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.core.library import Library
from papershelf.core.model import normalise_title, paper_id_for
from papershelf.formats import bibtex

PINNED = """\
@inproceedings{scholkopf2021causal,
  title = {{Toward Causal Representation Learning}},
  author = {Sch{\\"o}lkopf, Bernhard and Locatello, Francesco},
  year = {2021},
  booktitle = {Proceedings of the IEEE},
}

@article{ligatures,
  title = {{Ef\\-\ufb01cient} Transformers: A Survey \u2014 of \uff21\uff29 models_v2 (\u216b)},
  author = {Yi Tay and Mostafa Dehghani},
  year = 2022,
  journal = {ACM Computing Surveys},
}

@misc{withdoi,
  title = {Attention Is All You Need},
  author = {Ashish Vaswani},
  year = {2017},
  doi = {10.5555/3295222.3295349},
}

@misc{,
  title = {\u0141\u00f3d\u017a and Stra\u00dfe: \u0130stanbul \u03a3\u038a\u03a3\u03a5\u03a6\u039f\u03a3},
  author = {\u00d8rsted, Hans Christian},
}
"""


@pytest.mark.parametrize(
    ("title", "normalised"),
    [
        ("Toward Causal Representation Learning", "towardcausalrepresentationlearning"),
        ("Ef\ufb01cient Transformers: A Survey \u2014 of \uff21\uff29 models_v2 (\u216b)",
         "efficienttransformersasurveyofaimodelsv2xii"),
        ("\u0141\u00f3d\u017a and Stra\u00dfe: \u0130stanbul \u03a3\u038a\u03a3\u03a5\u03a6\u039f\u03a3",
         "lodzandstrasseistanbul\u03c3\u03b9\u03c3\u03c5\u03c6\u03bf\u03c3"),
        ("__init__ -- 3.14 \u00bd", "init31412"),  # ½ folds to 1⁄2
        ("", ""),
    ],
)
def test_normalise_title_keeps_letters_and_digits_folded(title: str, normalised: str) -> None:
    assert normalise_title(title) == normalised


def test_imported_papers_keep_their_ids_and_keys(tmp_path: Path) -> None:
    library = Library(tmp_path)

    summary = library.import_papers(bibtex.parse(PINNED).papers)

    assert summary.imported == ["scholkopf2021causal", "ligatures", "withdoi", "orstedlodz"]
    assert {pid: paper.key for pid, paper in library.papers.items()} == {
        "477233d6a49384a8": "scholkopf2021causal",
        "1a1f8b2817e9d65a": "ligatures",
        "dfd83dd931b4939b": "withdoi",
        "22a744e69b30841c": "orstedlodz",
    }
    assert paper_id_for("Toward Causal Representation Learning", "Bernhard Schölkopf", 2021) == "477233d6a49384a8"
