"""Article pages that gave no article: retried after revisit_hours, a few times at most."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crawler.store.schema import page_failures


class PageFailures:
    """The store's page-failure records (a part of crawler.store.Store)."""

    engine: Engine

    def record_failure(self, canonical_url: str, source: str, reason: str, now: datetime) -> int:
        """Remember that an article page did not parse; returns the attempts so far."""
        with self.engine.begin() as conn:
            attempts = conn.execute(
                sa.select(page_failures.c.attempts).where(page_failures.c.url == canonical_url)
            ).scalar()
            if attempts is None:
                conn.execute(page_failures.insert().values(
                    url=canonical_url, source=source, reason=reason, attempts=1, last_attempt=now))
                return 1
            conn.execute(page_failures.update().where(page_failures.c.url == canonical_url)
                         .values(reason=reason, attempts=attempts + 1, last_attempt=now))
            return attempts + 1
