"""Where to read a paper: its own links (URL, DOI, arXiv) and, for a paper without any, title searches.

Pure: a paper in, ``Link`` values out; opening them is the window's business (the system's browser,
never inside the app). Only http(s) addresses are ever produced: a URL field holding ``javascript:`` or
``file:`` is not a link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote, quote_plus, urlsplit

from papershelf.core.identifiers import ARXIV_DOI, ARXIV_ID, ARXIV_ID_RE
from papershelf.core.model import Paper

_ARXIV_IN_TEXT: Final = re.compile(rf"arxiv(?:\.org/(?:abs|pdf)/|:\s*|\s+)({ARXIV_ID})", re.IGNORECASE)
_OPENREVIEW_VENUES: Final = frozenset({"ICLR", "TMLR"})


@dataclass(frozen=True, slots=True)
class Link:
    """One place to read or look for a paper: ``label`` for a button, ``url`` (http or https)."""

    kind: str  # "url", "doi", "arxiv" (the paper's own), or "openreview", "arxiv-search", "semantic-scholar", "scholar"
    label: str
    url: str

    @property
    def is_search(self) -> bool:
        """A search by title (the paper has no link of its own)."""
        return self.kind not in ("url", "doi", "arxiv")


def is_web_address(url: str) -> bool:
    """An http(s) address with a host: the only kind Papershelf opens from a paper's fields."""
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def arxiv_id(paper: Paper) -> str:
    """The paper's arXiv id ("2101.00001"), from its eprint, URL, DOI or journal field; "" if none."""
    fields = paper.fields
    eprint = fields.get("eprint", "").strip()
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    if eprint and (prefix == "arxiv" or not prefix) and ARXIV_ID_RE.fullmatch(eprint.removeprefix("arXiv:")):
        return eprint.removeprefix("arXiv:")
    if match := ARXIV_DOI.match(paper.doi.strip()):
        return match.group(1)
    for text in (paper.url, fields.get("journal", ""), fields.get("note", ""), fields.get("howpublished", "")):
        if match := _ARXIV_IN_TEXT.search(text):
            return match.group(1)
    return ""


def doi_url(doi: str) -> str:
    return "https://doi.org/" + quote(doi.strip(), safe="/:;()._-")


def own_links(paper: Paper) -> list[Link]:
    """The paper's own links, best first: its URL, its DOI, its arXiv abstract page (no repeats)."""
    links: list[Link] = []
    if paper.url.strip() and is_web_address(paper.url):
        links.append(Link("url", _host(paper.url), paper.url.strip()))
    if paper.doi.strip():
        links.append(Link("doi", "DOI", doi_url(paper.doi)))
    if identifier := arxiv_id(paper):
        address = f"https://arxiv.org/abs/{identifier}"
        if not any(_same_arxiv(link.url, identifier) for link in links):
            links.append(Link("arxiv", "arXiv", address))
    return links


def search_links(paper: Paper) -> list[Link]:
    """Title searches where the paper is likely found ("Find it"): OpenReview for venues it hosts (ICLR),
    then arXiv, Semantic Scholar and Google Scholar. None for a paper without a title."""
    title = " ".join(paper.title.replace("{", "").replace("}", "").split())
    if not title:
        return []
    links: list[Link] = []
    if paper.venue.upper() in _OPENREVIEW_VENUES:
        links.append(Link("openreview", "OpenReview", f"https://openreview.net/search?term={quote_plus(title)}"))
    links += [
        Link("arxiv-search", "arXiv search",
             f"https://arxiv.org/search/?query={quote_plus(title)}&searchtype=title"),
        Link("semantic-scholar", "Semantic Scholar", f"https://www.semanticscholar.org/search?q={quote_plus(title)}"),
        Link("scholar", "Google Scholar", "https://scholar.google.com/scholar?q=" + quote_plus('"' + title + '"')),
    ]
    return links


def reading_links(paper: Paper) -> list[Link]:
    """What the window shows under a paper: its own links, or the title searches when it has none."""
    return own_links(paper) or search_links(paper)


def best_link(paper: Paper) -> Link | None:
    """The one link ``o`` opens when the paper has no file attached: the first of ``reading_links``."""
    links = reading_links(paper)
    return links[0] if links else None


def _host(url: str) -> str:
    host = urlsplit(url.strip()).hostname or "Link"
    return host.removeprefix("www.")


def _same_arxiv(url: str, identifier: str) -> bool:
    match = _ARXIV_IN_TEXT.search(url)
    return match is not None and _unversioned(match.group(1)) == _unversioned(identifier)


def _unversioned(identifier: str) -> str:
    return re.sub(r"v\d+$", "", identifier)
