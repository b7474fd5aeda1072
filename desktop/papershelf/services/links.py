"""Where to read a paper: its own links (URL, DOI, arXiv) and, for a paper without any, title searches.

Pure: a paper in, ``Link`` values out; opening them is the window's business (the system's browser,
never inside the app). Only http(s) addresses are ever produced: a URL field holding ``javascript:`` or
``file:`` is not a link.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import quote, quote_plus, urlsplit

from papershelf.core.identifiers import ARXIV_URL, arxiv_id, arxiv_paper
from papershelf.core.model import Paper

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


__all__ = ["Link", "arxiv_id", "best_link", "doi_url", "is_web_address", "own_links", "reading_links", "search_links"]


def doi_url(doi: str) -> str:
    """The doi.org address of ``doi``, with the characters a DOI may hold left as they are."""
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
    match = ARXIV_URL.match(url)
    return match is not None and arxiv_paper(match.group(1)) == arxiv_paper(identifier)
