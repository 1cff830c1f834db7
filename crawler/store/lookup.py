"""What the store knows of one article URL, for ``topicfeed explain``: its URL row and article,
a page failure, a skipped link."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from crawler.store.database import Store
from crawler.store.records import PageFailure
from crawler.store.schema import article_urls, articles, matches, runs
from crawler.store.skipped import SkippedLink, skipped_link
from crawler.text.urls import canonical_url

FACT_COLUMNS = [articles.c[name] for name in (
    "id", "canonical_url", "source", "title", "outlet", "site_name", "published", "archived", "fetched",
    "text")]
RECENT_RUNS = 500  # error lines searched: each run keeps its first 50


@dataclass(frozen=True)
class ArticleFacts:
    id: int
    canonical_url: str
    source: str
    title: str
    outlet: str
    site_name: str
    published: datetime
    archived: datetime
    fetched: datetime
    text: str
    topics: dict[str, list[str]] = field(default_factory=dict)  # slug → matched keywords


@dataclass(frozen=True)
class KnownUrl:
    """A URL the store holds: an article's own (``canonical``), the same text (``alias``), a near copy."""

    url: str
    kind: str
    source: str
    first_seen: datetime
    article: ArticleFacts


@dataclass(frozen=True)
class RunError:
    """An error line a recent run recorded about the URL (a download that failed: HTTP 500, a timeout…)."""

    source: str
    started: datetime
    reason: str



@dataclass(frozen=True)
class UrlLookup:
    known: KnownUrl | None = None
    failure: PageFailure | None = None
    skipped: SkippedLink | None = None
    download: RunError | None = None


def look_up(store: Store, urls: tuple[str, ...], since: datetime) -> UrlLookup:
    """The first of ``urls`` (forms of one URL, the canonical one first) the store knows anything of;
    else a download error about it that a run since ``since`` recorded."""
    for url in urls:
        found = UrlLookup(_known(store, url), store.failure(url), skipped_link(store.engine, url))
        if found.known or found.failure or found.skipped:
            return found
    return UrlLookup(download=run_error(store, urls[0], since))


def run_error(store: Store, canonical: str, since: datetime) -> RunError | None:
    """The newest error line about ``canonical`` of the runs started since ``since``."""
    query = (sa.select(runs.c.source, runs.c.started, runs.c.errors).where(runs.c.started >= since)
             .order_by(runs.c.id.desc()).limit(RECENT_RUNS))
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    for row in rows:
        for line in row.errors or ():
            url, sep, reason = str(line).partition(": ")
            if sep and canonical_url(url) == canonical:
                return RunError(row.source, row.started, reason)
    return None


def _known(store: Store, url: str) -> KnownUrl | None:
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(article_urls.c.kind, article_urls.c.source, article_urls.c.first_seen,
                                     article_urls.c.article_id).where(article_urls.c.url == url)).first()
        if row is None:
            return None
        facts = conn.execute(sa.select(*FACT_COLUMNS).where(articles.c.id == row.article_id)).mappings().first()
        if facts is None:
            return None
        topics = {m.topic: list(m.keywords) for m in conn.execute(
            sa.select(matches.c.topic, matches.c.keywords).where(matches.c.article_id == row.article_id)
            .order_by(matches.c.topic))}
    return KnownUrl(url, row.kind, row.source, row.first_seen, ArticleFacts(**facts, topics=topics))
