"""Which archived articles are Feishu documents, at which version, and what failed ([sync.feishu])."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crawler.store.schema import articles, feishu_docs, matches


@dataclass(frozen=True)
class SyncDue:
    article_id: int
    version: int
    document_id: str  # "" until the document is created
    attempts: int


@dataclass(frozen=True)
class SyncCounts:
    synced: int = 0
    behind: int = 0
    failing: int = 0
    last_error: str = ""


class DocSync:
    def __init__(self, engine: Engine):
        self.engine = engine

    def due(self, now: datetime, max_attempts: int, limit: int) -> list[SyncDue]:
        """Archived, matched articles whose document is missing or behind, not backing off."""
        doc = feishu_docs
        query = (sa.select(articles.c.id, articles.c.version, sa.func.coalesce(doc.c.document_id, ""),
                           sa.func.coalesce(doc.c.attempts, 0))
                 .select_from(articles.outerjoin(doc, doc.c.article_id == articles.c.id))
                 .where(articles.c.id.in_(sa.select(matches.c.article_id)),
                        articles.c.archived_version == articles.c.version,
                        sa.or_(doc.c.article_id.is_(None),
                               sa.and_(doc.c.synced_version < articles.c.version, doc.c.next_attempt <= now,
                                       doc.c.attempts < max_attempts)))
                 .order_by(articles.c.published.desc(), articles.c.id.desc()).limit(limit))
        with self.engine.connect() as conn:
            return [SyncDue(*row) for row in conn.execute(query)]

    def _upsert(self, article_id: int, now: datetime, **values: object) -> None:
        with self.engine.begin() as conn:
            found = conn.execute(sa.select(feishu_docs.c.article_id)
                                 .where(feishu_docs.c.article_id == article_id)).first()
            if found is None:
                conn.execute(feishu_docs.insert(), {"article_id": article_id, "document_id": "", "synced_version": 0,
                                                    "attempts": 0, "next_attempt": now, "last_error": "",
                                                    "synced": None, **values})
            else:
                conn.execute(feishu_docs.update().where(feishu_docs.c.article_id == article_id).values(**values))

    def created(self, article_id: int, document_id: str, now: datetime) -> None:
        """Kept at once: a later failure updates this document instead of creating another."""
        self._upsert(article_id, now, document_id=document_id)

    def synced(self, article_id: int, version: int, now: datetime) -> None:
        self._upsert(article_id, now, synced_version=version, attempts=0, last_error="", synced=now)

    def failed(self, article_id: int, attempts: int, error: str, next_attempt: datetime, now: datetime) -> None:
        self._upsert(article_id, now, attempts=attempts, last_error=error[:500], next_attempt=next_attempt)

    def document_id(self, article_id: int) -> str:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(feishu_docs.c.document_id)
                                .where(feishu_docs.c.article_id == article_id)).scalar() or ""

    def counts(self) -> SyncCounts:
        with self.engine.connect() as conn:
            synced = conn.execute(sa.select(sa.func.count()).where(feishu_docs.c.synced_version > 0)).scalar()
            failing = conn.execute(sa.select(sa.func.count()).where(feishu_docs.c.last_error != "")).scalar()
            error = conn.execute(sa.select(feishu_docs.c.last_error).where(feishu_docs.c.last_error != "")
                                 .order_by(feishu_docs.c.next_attempt.desc()).limit(1)).scalar()
        return SyncCounts(synced=synced or 0, failing=failing or 0, last_error=error or "")
