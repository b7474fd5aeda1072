"""How a paper's identifiers are spelled: arXiv ids, and the DOIs arXiv gives its papers.

One definition for every layer that recognises them (possible duplicates in the core, the biblatex
export's eprint field in formats, links and PDF matching in services).
"""

from __future__ import annotations

import re
from typing import Final

# New-style arXiv ids (1501.00001) and old-style ones (hep-th/9901001, cs.LG/0101001), without a version.
ARXIV_PAPER: Final = r"(?:\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})"
# An arXiv id as written, with its version if it has one (2101.12345v2).
ARXIV_ID: Final = ARXIV_PAPER + r"(?:v\d+)?"
# An arXiv id standing alone in a text (not part of a longer number or word).
ARXIV_ID_RE: Final = re.compile(rf"(?<![\w.]){ARXIV_ID}(?![\w])")
# The DOI arXiv registers for a paper (10.48550/arXiv.2101.00001); group 1 is the id.
ARXIV_DOI: Final = re.compile(rf"^10\.48550/arxiv\.({ARXIV_ID})$", re.IGNORECASE)
