"""Reads for the feeds and for ``topicfeed status``: a topic's newest articles, counts per topic."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crawler.items import Image
from crawler.store.links import FEED_COLUMNS, ArticleLinks
from crawler.store.records import FeedArticle
from crawler.store.schema import UtcDateTime, articles, matches
from crawler.store.summaries import load_summaries


class TopicReads:
    """The store's per-topic reads (a part of crawler.store.Store)."""

    engine: Engine

    def feed_articles(self, topic: str, limit: int | None = None) -> list[FeedArticle]:
        """``topic_articles`` as a feed needs them: reading the plain text would double the cost."""
        ids = self._topic_newest(topic, limit)
        if not ids:
            return []
        query = (sa.select(*FEED_COLUMNS).where(articles.c.id.in_(ids))
                 .order_by(articles.c.published.desc(), articles.c.id.desc()))
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
            links = ArticleLinks.load(conn, ids)
            summaries = load_summaries(conn, ids)
        return [
            FeedArticle(**{**row, "images": [Image(**i) for i in row["images"]]},
                        topics=links.topics.get(row["id"], {}),
                        aliases=links.aliases.get(row["id"], []),
                        reported_by=links.reported_by.get(row["id"], []),
                        same_text=links.same_text.get(row["id"], []),
                        ai_summary=summaries.get(row["id"], ""))
            for row in rows
        ]

    def _topic_newest(self, topic: str, limit: int | None) -> list[int]:
        newest = (
            sa.select(matches.c.article_id)
            .where(matches.c.topic == topic)
            .order_by(matches.c.published.desc(), matches.c.article_id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(newest).scalars())

    def topic_counts(self) -> dict[str, tuple[int, datetime | None]]:
        query = (
            sa.select(matches.c.topic, sa.func.count(), sa.func.max(articles.c.published))
            .join(articles, articles.c.id == matches.c.article_id)
            .group_by(matches.c.topic)
        )
        with self.engine.connect() as conn:
            return {
                row[0]: (row[1], UtcDateTime().process_result_value(row[2], self.engine.dialect)
                         if isinstance(row[2], datetime) else _parse_db_time(row[2]))
                for row in conn.execute(query)
            }


def _parse_db_time(value: Any) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(str(value))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed
