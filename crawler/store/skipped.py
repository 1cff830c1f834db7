"""Article links seen on list pages but not fetched, and why: kept a week for ``topicfeed explain``."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crawler.store.schema import skipped_links

KEPT = timedelta(days=7)


class SkipReason(enum.Enum):
    TOO_OLD = "too_old"  # the list dates it before max_age_days
    NO_KEYWORD = "no_keyword"  # no topic keyword in the list entry (Qutoutiao's prefilter)


@dataclass(frozen=True)
class SkippedLink:
    url: str  # canonical
    source: str
    reason: SkipReason
    published: datetime | None
    cutoff: datetime | None
    seen: datetime


def record_skipped(engine: Engine, links: Iterable[SkippedLink]) -> None:
    """Remember (or refresh) the links one crawl skipped, in one transaction."""
    rows = [{"url": link.url, "source": link.source, "reason": link.reason.value,
             "published": link.published, "cutoff": link.cutoff, "seen": link.seen} for link in links]
    if not rows:
        return
    if engine.dialect.name == "postgresql":  # each dialect imported when used: ~20 ms apiece
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    insert = dialect_insert(skipped_links)
    upsert = insert.on_conflict_do_update(
        index_elements=["url"],
        set_={name: insert.excluded[name] for name in ("source", "reason", "published", "cutoff", "seen")})
    with engine.begin() as conn:
        conn.execute(upsert, rows)


def skipped_link(engine: Engine, canonical_url: str) -> SkippedLink | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(skipped_links).where(skipped_links.c.url == canonical_url)).first()
    if row is None:
        return None
    return SkippedLink(row.url, row.source, SkipReason(row.reason), row.published, row.cutoff, row.seen)


def prune_skipped(engine: Engine, now: datetime) -> int:
    """Forget the links last skipped more than a week ago; returns how many."""
    with engine.begin() as conn:
        return conn.execute(skipped_links.delete().where(skipped_links.c.seen < now - KEPT)).rowcount
