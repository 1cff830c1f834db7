"""The ``web`` spider's listings (DESIGN §5): each paged list, sitemap and feed is one.

A paged list is a family of pages whose URLs differ only in the numbers of their last path
segment and query (``index.html``, ``index2.html``, ``list_3.shtml``, ``?page=4``); a start
page begins its family's listing, and a followed list page of another family (a column the
home page links) begins that family's own. Each listing is walked one page at a time, the
pages still to read travelling with the pass, so that a page of only stored articles can
stop the walk where the last completed pass of that list reached (crawler.store.listings),
and a failed page leaves the pass incomplete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from crawler.store.listings import ListingPass, ListingReach

_PAGE_NUMBER = re.compile(r"[_-]?\d+")


def list_family(url: str) -> str:
    """The listing a list page belongs to: its URL without the page numbers."""
    parts = urlsplit(url)
    head, _, last = parts.path.rpartition("/")
    query = f"?{_PAGE_NUMBER.sub('', parts.query)}" if parts.query else ""
    return f"list:{parts.netloc}{head}/{_PAGE_NUMBER.sub('', last)}{query}"


@dataclass(frozen=True)
class ListWalk:
    """A pass down one listing with the pages of it found and not yet read (plain values, as
    ListingPass: a request queued in Redis takes it along)."""

    walk: ListingPass
    frontier: tuple[str, ...] = ()
    failed: bool = False  # a page of it failed in this crawl: page on, but record no pass
    skipped: bool = False  # a sitemap left out as unchanged since the last completed pass

    @property
    def listing(self) -> str:
        return self.walk.listing


def unchanged_since_pass(previous: ListingReach | None, lastmod: datetime | None) -> bool:
    """A sub-sitemap last changed before the newest entry the last completed pass read.

    That pass read it after its last change, read all of it and stored every article it
    wanted (one still missing cuts the recorded reach, and a cut reach is no end), so it
    holds nothing new.
    """
    return (previous is not None and previous.reached_end and previous.newest is not None
            and lastmod is not None and lastmod <= previous.newest)


def sitemap_reach(walk: ListWalk) -> ListingReach:
    """What a completed sitemap pass covered, with what the pass it relied on had covered."""
    reach = walk.walk.reach_to_end()
    previous = walk.walk.previous
    if not walk.skipped or previous is None:
        return reach
    newest = max((t for t in (reach.newest, previous.newest) if t is not None), default=None)
    oldest = min((t for t in (reach.oldest, previous.oldest) if t is not None), default=None)
    return ListingReach(newest, oldest, reached_end=True)
