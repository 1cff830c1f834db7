"""LLM summaries kept by content hash (crawler.delivery.llm writes them, the store reads them)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from crawler.store.schema import ai_summaries, articles, matches


def load_summaries(conn: Connection, ids: Iterable[int]) -> dict[int, str]:
    """Article id → the LLM summary of its current text, for the articles that have one."""
    query = (sa.select(articles.c.id, ai_summaries.c.summary)
             .join(ai_summaries, ai_summaries.c.content_sha256 == articles.c.content_sha256)
             .where(articles.c.id.in_(list(ids))))
    return {article_id: summary for article_id, summary in conn.execute(query)}


def save_summary(engine: Engine, sha: str, model: str, summary: str, now: datetime) -> list[int]:
    """Keep ``summary`` for the text ``sha``; the ids of the articles it changes (their version moves on)."""
    with engine.begin() as conn:
        if conn.execute(sa.select(ai_summaries.c.content_sha256).where(ai_summaries.c.content_sha256 == sha)).first():
            return []
        conn.execute(ai_summaries.insert(), {"content_sha256": sha, "model": model, "summary": summary,
                                             "created": now})
        ids = list(conn.execute(sa.select(articles.c.id).where(articles.c.content_sha256 == sha)).scalars())
        # A new version: feeds and the archive catch-up see the article changed.
        conn.execute(articles.update().where(articles.c.id.in_(ids)).values(version=articles.c.version + 1))
        return ids


def unsummarised(engine: Engine, since: datetime, limit: int) -> list[int]:
    """Matched articles stored or changed since ``since`` whose text has no summary, newest first."""
    summarised = sa.select(ai_summaries.c.content_sha256)
    query = (sa.select(articles.c.id)
             .where(articles.c.id.in_(sa.select(matches.c.article_id)),
                    (articles.c.archived >= since) | (articles.c.updated >= since),
                    articles.c.content_sha256.not_in(summarised))
             .order_by(articles.c.published.desc(), articles.c.id.desc()).limit(limit))
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())
