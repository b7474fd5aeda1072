"""How a paper's identifiers are spelled: arXiv ids, and the DOIs arXiv gives its papers.

One definition for every layer that recognises them (possible duplicates in the core, the biblatex
export's eprint field in formats, links and PDF matching in services).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from papershelf.core.model import Paper

# New-style arXiv ids (1501.00001) and old-style ones (hep-th/9901001, cs.LG/0101001), without a version.
ARXIV_PAPER: Final = r"(?:\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})"
# An arXiv id as written, with its version if it has one (2101.12345v2).
ARXIV_ID: Final = ARXIV_PAPER + r"(?:v\d+)?"
# An arXiv id standing alone in a text (not part of a longer number or word).
ARXIV_ID_RE: Final = re.compile(rf"(?<![\w.]){ARXIV_ID}(?![\w])")
# The DOI arXiv registers for a paper (10.48550/arXiv.2101.00001); group 1 is the id.
ARXIV_DOI: Final = re.compile(rf"^10\.48550/arxiv\.({ARXIV_ID})$", re.IGNORECASE)
# An arXiv abstract or PDF page, the whole URL (a mirror's or a search's URL that mentions one is not it).
ARXIV_URL: Final = re.compile(
    rf"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/({ARXIV_ID})(?:\.pdf)?/?(?:[?#]\S*)?$", re.IGNORECASE)
# An arXiv id named in free text: "arXiv preprint arXiv:1706.03762", "arXiv 2101.00001", "arxiv.org/abs/...".
_ARXIV_IN_TEXT: Final = re.compile(rf"arxiv(?:\.org/(?:abs|pdf)/|:\s*|\s+)({ARXIV_ID})(?![\w])", re.IGNORECASE)
# DBLP's CoRR entries: journal = {CoRR}, volume = {abs/1706.03762}.
_CORR_VOLUME: Final = re.compile(rf"^(?:abs/)?({ARXIV_ID})$")


def arxiv_id(paper: Paper) -> str:
    """The paper's arXiv id as written, with its version if it has one ("2101.00001v2"); "" if none.

    Read, first found wins, from: ``eprint`` (when its archive prefix is arXiv or not given), an arXiv DOI
    (``10.48550/arXiv.ID``), the URL (an arxiv.org ``abs`` or ``pdf`` page, the whole URL), a CoRR entry's
    ``volume`` (``abs/ID``), and "arXiv:ID" in the journal, note or howpublished.
    """
    fields = paper.fields
    eprint = fields.get("eprint", "").strip()
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    if eprint and prefix in ("arxiv", ""):
        bare = eprint[len("arxiv:"):] if eprint.lower().startswith("arxiv:") else eprint
        if ARXIV_ID_RE.fullmatch(bare.strip()):
            return bare.strip()
    if match := ARXIV_DOI.match(paper.doi.strip()):
        return match.group(1)
    if match := ARXIV_URL.match(paper.url.strip()):
        return match.group(1)
    if fields.get("journal", "").strip().lower() == "corr" and (
            match := _CORR_VOLUME.match(fields.get("volume", "").strip())):
        return match.group(1)
    for name in ("journal", "note", "howpublished"):
        if match := _ARXIV_IN_TEXT.search(fields.get(name, "")):
            return match.group(1)
    return ""


def arxiv_paper(identifier: str) -> str:
    """The id without its version, in lower case: the same paper whichever version a record names."""
    return re.sub(r"v\d+$", "", identifier).lower()
