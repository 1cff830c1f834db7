"""What feeds and pages are made of, independent of the store and of feedgen."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class FeedEntry:
    id: str  # the canonical URL: stable forever
    url: str  # link rel=alternate
    title: str
    published: datetime  # timezone-aware
    updated: datetime  # timezone-aware, >= published
    author: str  # outlet, else site name
    summary: str  # plain text
    content_html: str  # sanitised body with absolute image URLs
    site_name: str  # credited at the end of the content
    categories: tuple[str, ...] = ()  # matched topic keywords
    also_reported_by: tuple[tuple[str, str], ...] = ()  # (outlet or site, url) of near-duplicates
    same_text_at: tuple[tuple[str, str], ...] = ()  # (outlet or site, url): the same text elsewhere
    outlet: str = ""  # the original publisher, when the site names one
    page: str = ""  # the archived copy's page, relative to the feeds folder ("" for none)


@dataclass(frozen=True)
class TopicFeed:
    slug: str
    title: str
    keywords: tuple[str, ...]
    entries: tuple[FeedEntry, ...] = field(default=())  # newest first


@dataclass(frozen=True)
class SourceStatus:
    """A source's last run, as the index page shows it."""

    name: str
    started: datetime | None = None  # None: never crawled
    outcome: str = ""  # "ok", "unhealthy (…)", "failed (…)", "running"
    pages: int = 0
    new: int = 0
    errors: int = 0


@dataclass(frozen=True)
class ArchivedPage:
    """One archived article as a page for people: what the Markdown note holds, as HTML."""

    path: str  # relative to the feeds folder: archive/<source>/<YYYY>/<MM>/<YYYYMMDD>-<id>.html
    title: str
    url: str
    site_name: str
    outlet: str
    author: str
    editor: str
    published: datetime
    updated: datetime
    archived: datetime
    summary: str
    body_html: str  # sanitised; images point at the local copies (relative to the page)
    images: tuple[tuple[str, str], ...] = ()  # (original URL, local copy relative to the page)
    topics: tuple[tuple[str, str], ...] = ()  # (slug, title)
    same_text_at: tuple[tuple[str, str], ...] = ()  # (outlet, url)
    also_reported_by: tuple[tuple[str, str], ...] = ()  # (outlet, url)
