"""What the store gives back: stored articles, fetch states, save outcomes, run records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crawler.items import Image
from crawler.outcomes import RunOutcome, SaveOutcome

__all__ = ["FeedArticle", "FetchState", "PageFailure", "Revision", "RunRecord", "SaveOutcome", "SaveResult",
           "StoredArticle", "UrlStatus"]


@dataclass(frozen=True)
class Revision:
    revision: int
    title: str
    text: str
    body_html: str
    content_sha256: str
    valid_from: datetime
    replaced: datetime


@dataclass
class StoredArticle:
    id: int
    canonical_url: str
    url: str
    source: str
    spider: str
    site_name: str
    site_id: str
    title: str
    outlet: str
    author: str
    editor: str
    published: datetime
    updated: datetime
    archived: datetime
    fetched: datetime
    body_html: str
    text: str
    summary: str
    content_sha256: str
    images: list[Image]
    cover: str
    categories: list[str]
    keywords: list[str]
    etag: str
    last_modified: str
    revision: int
    version: int
    archived_version: int
    minhash: bytes | None
    topics: dict[str, list[str]] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    reported_by: list[tuple[str, str]] = field(default_factory=list)  # (outlet, url) of near copies
    same_text: list[tuple[str, str]] = field(default_factory=list)  # (outlet, url) of each alias
    revisions: list[Revision] = field(default_factory=list)  # oldest first
    ai_summary: str = ""  # the LLM summary of this text ([summary]), Markdown; "" if none


@dataclass(frozen=True)
class FeedArticle:
    """A stored article as the feeds show it: without its plain text and earlier revisions."""

    id: int
    version: int  # bumped by every change a feed shows (see articles.version)
    canonical_url: str
    url: str
    title: str
    outlet: str
    site_name: str
    summary: str
    published: datetime
    updated: datetime
    body_html: str
    images: list[Image]
    # what the archived copy's page shows besides (feeds.notepage)
    source: str = ""
    site_id: str = ""
    author: str = ""
    editor: str = ""
    archived: datetime | None = None
    topics: dict[str, list[str]] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    reported_by: list[tuple[str, str]] = field(default_factory=list)
    same_text: list[tuple[str, str]] = field(default_factory=list)
    ai_summary: str = ""  # the LLM summary ([summary]), Markdown; "" if none


@dataclass(frozen=True)
class FetchState:
    """What the downloader needs to decide whether to fetch a known article again."""

    published: datetime
    fetched: datetime
    etag: str
    last_modified: str


@dataclass(frozen=True)
class PageFailure:
    reason: str
    attempts: int
    last_attempt: datetime


@dataclass(frozen=True)
class UrlStatus:
    """What the store knows about one canonical URL: its article's fetch state, or a failure."""

    state: FetchState | None
    failure: PageFailure | None


@dataclass(frozen=True)
class SaveResult:
    outcome: SaveOutcome
    article_id: int


@dataclass(frozen=True)
class RunRecord:
    id: int
    source: str
    started: datetime
    finished: datetime | None
    outcome: RunOutcome
    stats: dict[str, Any]
    errors: list[str]
