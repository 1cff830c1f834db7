"""What a feed is made of, independent of the store and of feedgen."""

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
    also_reported_by: tuple[tuple[str, str], ...] = ()  # (outlet or site, url)


@dataclass(frozen=True)
class TopicFeed:
    slug: str
    title: str
    keywords: tuple[str, ...]
    entries: tuple[FeedEntry, ...] = field(default=())  # newest first
