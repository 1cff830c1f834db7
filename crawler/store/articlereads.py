"""Stored articles read whole: text, body, revisions, links and summary (a part of crawler.store.Store)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crawler.items import Image
from crawler.store.links import ArticleLinks
from crawler.store.records import Revision, StoredArticle
from crawler.store.schema import article_urls, articles, matches, revisions
from crawler.store.summaries import load_summaries


class ArticleReads:
    """``topic_articles`` takes its ids from ``TopicReads._topic_newest``, the feeds' query."""

    engine: Engine

    def get(self, article_id: int) -> StoredArticle | None:
        found = self._load(articles.c.id == article_id)
        return found[0] if found else None

    def get_by_url(self, url: str) -> StoredArticle | None:
        ids = sa.select(article_urls.c.article_id).where(article_urls.c.url == url)
        found = self._load(articles.c.id.in_(ids))
        return found[0] if found else None

    def archive_backlog(self, source: str) -> list[StoredArticle]:
        """A source's archived or matched articles whose archive files are behind (a crash)."""
        matched = sa.select(matches.c.article_id)
        return self._load((articles.c.id.in_(matched) | (articles.c.archived_version > 0))
                          & (articles.c.source == source)
                          & (articles.c.archived_version != articles.c.version))

    def topic_articles(self, topic: str, limit: int | None = None) -> list[StoredArticle]:
        """A topic's articles, newest first (by publication time, then id)."""
        ids = self._topic_newest(topic, limit)  # type: ignore[attr-defined]
        return self._load(articles.c.id.in_(ids)) if ids else []

    def all_articles(self) -> list[StoredArticle]:
        return self._load(sa.true())

    def _load(self, condition: sa.ColumnElement[bool], limit: int | None = None) -> list[StoredArticle]:
        query = (
            sa.select(articles)
            .where(condition)
            .order_by(articles.c.published.desc(), articles.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
            if not rows:
                return []
            ids = [row["id"] for row in rows]
            links = ArticleLinks.load(conn, ids)
            summaries = load_summaries(conn, ids)
            earlier: dict[int, list[Revision]] = {}
            for r in conn.execute(sa.select(revisions).where(revisions.c.article_id.in_(ids))
                                  .order_by(revisions.c.revision)):
                earlier.setdefault(r.article_id, []).append(Revision(
                    r.revision, r.title, r.text, r.body_html, r.content_sha256, r.valid_from, r.replaced))
        return [
            StoredArticle(
                **{**row, "images": [Image(**i) for i in row["images"]]},
                topics=links.topics.get(row["id"], {}),
                aliases=links.aliases.get(row["id"], []),
                reported_by=links.reported_by.get(row["id"], []),
                same_text=links.same_text.get(row["id"], []),
                revisions=earlier.get(row["id"], []),
                ai_summary=summaries.get(row["id"], ""),
            )
            for row in rows
        ]
