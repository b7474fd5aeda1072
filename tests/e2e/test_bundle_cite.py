"""The bundle brings citeproc-py's locales and the CSL styles: ``cite`` works without a Python install.

Deselected by default (marker ``bundle``), like tests/e2e/test_bundle.py; ``make bundle`` runs it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_bundle import bundled

pytestmark = pytest.mark.bundle


def test_the_bundle_formats_references(tmp_path: Path) -> None:
    library = str(tmp_path / "library")
    ieee = bundled("--library", library, "cite", "mueller2021certify", "--style", "ieee", cwd=tmp_path)
    assert ieee.returncode == 0, ieee.stderr
    assert ieee.stdout == (
        "[1] M. N. Mueller, M. Balunovic, and M. Vechev, “Certify or Predict: Boosting Certified Robustness with "
        "Compositional Architectures,” in International Conference on Learning Representations, 2021.\n"
    )
    by_name = bundled("--library", library, "cite", "mueller2021certify", "--style", "nature-digest", "--in-text",
                      cwd=tmp_path)
    assert (by_name.returncode, by_name.stdout) == (0, "1\n"), by_name.stderr
