"""Short venue names people read ("ICML", "NeurIPS") from the booktitles and journals proceedings write.

"Proceedings of the 37th International Conference on Machine Learning" is ICML; the venue column and
the venue facet show the short name (with the year beside it), while the export keeps the full
booktitle the entry came with.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from papershelf.core.model import fold

# (short name, pattern over the folded venue), most specific first: NAACL and TACL before ACL, the
# Pacific-Asia KDD before KDD, TPAMI before CVPR.
_VENUES: Final = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("NeurIPS", r"neural information processing systems|\bneurips\b|\bnips\b"),
        ("ICLR", r"international conference on learning representations|\biclr\b"),
        ("ICML", r"international conference on machine learning(?! and applications)|\bicml\b"),
        ("TPAMI", r"pattern analysis and machine intelligence|\btpami\b|\bpami\b"),
        ("CVPR", r"computer vision and pattern recognition|\bcvpr\b"),
        ("ECCV", r"european conference on computer vision|\beccv\b"),
        ("ICCV", r"international conference on computer vision|\biccv\b"),
        ("NAACL", r"north american chapter of the association for computational linguistics|\bnaacl\b"),
        ("TACL", r"transactions of the association for computational linguistics|\btacl\b"),
        ("EMNLP", r"empirical methods in natural language processing|\bemnlp\b"),
        ("EACL", r"european chapter of the association for computational linguistics|\beacl\b"),
        ("AACL", r"asia-pacific chapter of the association for computational linguistics|\baacl\b"),
        ("ACL", r"association for computational linguistics|\bacl\b"),
        ("IJCAI", r"international joint conference on artificial intelligence|\bijcai\b"),
        ("AAAI", r"\baaai\b"),
        ("PAKDD", r"pacific-asia conference on knowledge discovery|\bpakdd\b"),
        ("KDD", r"knowledge discovery (?:and|&|\\&) data mining|\bsigkdd\b|\bkdd\b"),
        ("SIGIR", r"research and development in information retrieval|\bsigir\b"),
        ("JMLR", r"journal of machine learning research|\bjmlr\b"),
        ("Interspeech", r"\binterspeech\b"),
        ("ICASSP", r"acoustics,? speech,? and signal processing|\bicassp\b"),
        ("arXiv", r"^arxiv\b|\bcorr\b$|^corr\b"),
    )
)
_SERIES: Final = (
    ("PMLR", re.compile(r"proceedings of machine learning research|\bpmlr\b")),
    ("CEUR-WS", re.compile(r"\bceur\b")),
)
_WORKSHOP = re.compile(r"\bworkshops?\b")
_FINDINGS = re.compile(r"^findings of\b")
_JOURNALS: Final = frozenset({"TPAMI", "TACL", "JMLR", "arXiv"})


@lru_cache(maxsize=4096)  # a proceedings file repeats one booktitle thousands of times
def short_venue(venue: str, series: str = "", volume: str = "") -> str:
    """The short name of a venue, or '' when it is none of the major ones.

    ``venue`` is the booktitle or journal (display text); ``series`` and ``volume`` name a proceedings
    series (PMLR, CEUR Workshop Proceedings) for venues that are not one of the major ones.
    """
    text = " ".join(fold(venue).split())
    for name, pattern in _VENUES:
        if pattern.search(text):
            if name in _JOURNALS:
                return name
            if _FINDINGS.search(text):
                return f"Findings of {name}"
            return f"{name} Workshop" if _WORKSHOP.search(text) else name
    for source in (text, " ".join(fold(series).split())):
        for name, pattern in _SERIES:
            if source and pattern.search(source):
                number = volume.strip()
                return f"{name} {number}" if number.isdigit() else name
    return ""


def venue_shown(venue: str, series: str = "", volume: str = "") -> str:
    """``venue`` as the venue column and facet show it: its short name if it has one, else as it is."""
    return short_venue(venue, series, volume) or venue
