"""atheris harness: the BibTeX importer on coverage-guided inputs (see tests/fuzz/__init__.py).

    .venv/bin/python -m tests.fuzz.fuzz_bibtex [libFuzzer options] [corpus folders]

Any exception, a broken promise (``assert_documented``) or an input slower than ``-timeout`` is a crash.
"""

from __future__ import annotations

import sys

import atheris

from tests.fuzz import as_text

with atheris.instrument_imports():
    from papershelf.formats import bibtex

from tests.formats.test_fuzz_bibtex import assert_documented


def test_one_input(data: bytes) -> None:
    text = as_text(data)
    assert_documented(text, bibtex.parse(text))


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
