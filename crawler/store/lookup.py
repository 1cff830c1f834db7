"""What the store knows of one article URL, for ``topicfeed explain``: its URL row and article,
a page failure, a skipped link."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from crawler.store.database import Store
from crawler.store.records import PageFailure
from crawler.store.schema import article_urls, articles, matches
from crawler.store.skipped import SkippedLink, skipped_link

FACT_COLUMNS = [articles.c[name] for name in (
    "id", "canonical_url", "source", "title", "outlet", "site_name", "published", "archived", "fetched",
    "text")]


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
class UrlLookup:
    known: KnownUrl | None = None
    failure: PageFailure | None = None
    skipped: SkippedLink | None = None


def look_up(store: Store, urls: tuple[str, ...]) -> UrlLookup:
    """The first of ``urls`` (forms of one URL, the canonical one first) the store knows anything of."""
    for url in urls:
        found = UrlLookup(_known(store, url), store.failure(url), skipped_link(store.engine, url))
        if found.known or found.failure or found.skipped:
            return found
    return UrlLookup()


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
