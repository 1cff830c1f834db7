"""One topic as an Atom 1.0 document; feedgen stays behind ``render_atom``."""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING

from crawler import __version__
from crawler.text.strings import xml_safe
from feeds.model import FeedEntry, TopicFeed

if TYPE_CHECKING:
    from feedgen.entry import FeedEntry as _FgEntry

ATOM_NS = "http://www.w3.org/2005/Atom"
EMPTY_FEED_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)
GENERATOR_NAME = "topicfeed"
UNTITLED = "（无标题）"

def feed_url(base_url: str, slug: str) -> str:
    return f"{base_url}{slug}.atom"


def index_url(base_url: str) -> str:
    return f"{base_url}index.html"


def page_url(base_url: str, slug: str) -> str:
    """The topic's page for people (feeds.pages), the feed's rel=alternate."""
    return f"{base_url}{slug}.html"


def render_atom(feed: TopicFeed, base_url: str, *, generator_version: str = __version__) -> bytes:
    """Render ``feed`` as UTF-8 Atom bytes, identical for identical input.

    Entries keep the given order (the caller sorts newest first). The feed's
    ``updated`` is the newest entry ``updated``, or the Unix epoch for an empty feed.
    Times are written in UTC; a naive datetime raises ValueError.
    """
    from feedgen.feed import FeedGenerator  # only when a feed is rendered: not for a crawl that changed none

    self_url = xml_safe(feed_url(base_url, feed.slug))
    fg = FeedGenerator()
    fg.id(self_url)
    fg.title(xml_safe(feed.title) or xml_safe(feed.slug) or UNTITLED)
    fg.link(href=self_url, rel="self", type="application/atom+xml")
    fg.link(href=xml_safe(page_url(base_url, feed.slug)), rel="alternate", type="text/html")
    keywords = [k for k in (xml_safe(k) for k in feed.keywords) if k]
    if keywords:
        fg.subtitle("关键词：" + "、".join(keywords))
    fg.language("zh-CN")
    # feedgen defaults both of these to its own name and the wall clock.
    fg.generator(GENERATOR_NAME, version=xml_safe(generator_version))
    fg.updated(max((_atom_time(e.updated) for e in feed.entries), default=EMPTY_FEED_UPDATED))
    for entry in feed.entries:
        fg.add_entry(_fg_entry(entry), order="append")
    return fg.atom_str(pretty=True, encoding="UTF-8")


def _fg_entry(entry: FeedEntry) -> _FgEntry:
    fe = _alternate_link_entry()()
    url = xml_safe(entry.url)
    fe.id(xml_safe(entry.id) or url)
    fe.title(xml_safe(entry.title) or url or UNTITLED)
    fe.link(href=url, rel="alternate", type="text/html")
    fe.published(_atom_time(entry.published))
    fe.updated(_atom_time(entry.updated))
    # RFC 4287 wants an author on every entry when the feed has none.
    fe.author(name=xml_safe(entry.author) or xml_safe(entry.site_name) or GENERATOR_NAME)
    summary = xml_safe(entry.summary)
    if summary:
        fe.summary(summary, type="text")
    fe.content(xml_safe(entry.content_html) + _credit_html(entry), type="html")
    for term in _unique(xml_safe(c) for c in entry.categories):
        fe.category(term=term)
    return fe


@cache
def _alternate_link_entry() -> type[_FgEntry]:
    from feedgen.entry import FeedEntry as FgEntry
    from lxml import etree

    class AlternateLinkEntry(FgEntry):
        """feedgen 1.0 shadows its loop variable in FeedEntry.atom_entry and so drops rel and
        type from every entry link; each entry here has exactly one link, the alternate."""

        def atom_entry(self, extensions: bool = True) -> etree._Element:
            entry = super().atom_entry(extensions)
            for link in entry.iterfind("link"):  # feedgen builds the tree without namespaces
                link.set("rel", "alternate")
                link.set("type", "text/html")
            return entry

    return AlternateLinkEntry


def _credit_html(entry: FeedEntry) -> str:
    """来源 (the site / the outlet, as the archive note names them), then who else has the story:
    同时见于 the same text under another URL, 同时报道 a near-duplicate."""
    credit = " / ".join(dict.fromkeys(name for name in (entry.site_name, entry.outlet) if name))
    parts = [f"<p>来源：{_link_html(credit or entry.author, entry.url)}</p>"]
    for label, pairs in (("同时见于", entry.same_text_at), ("同时报道", entry.also_reported_by)):
        if pairs:
            parts.append(f"<p>{label}：{'、'.join(_link_html(name, url) for name, url in pairs)}</p>")
    return "\n" + "\n".join(parts)


def _link_html(name: str, url: str) -> str:
    href = html.escape(xml_safe(url), quote=True)
    text = html.escape(xml_safe(name) or xml_safe(url), quote=True)
    return f'<a href="{href}">{text}</a>'


def _unique(values: Iterable[str]) -> list[str]:
    return [v for v in dict.fromkeys(values) if v]


def _atom_time(moment: datetime) -> datetime:
    # An offset with seconds (pytz's LMT +08:06 for Shanghai) is not an RFC 3339 date-time.
    return require_aware(moment).astimezone(UTC)


def require_aware(moment: datetime) -> datetime:
    """Return ``moment`` unchanged, or raise ValueError if it has no timezone."""
    # feedgen only notices a naive datetime deep inside, with no hint of which one.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} in feed; attach a timezone")
    return moment
