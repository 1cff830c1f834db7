"""How far back each listing's last completed pass reached, and so where paging may stop early.

A listing is one paged list of a source: an ifeng column, an ifeng search keyword, a Qutoutiao
category. A pass walks it from its first page down. A later pass may stop at a page of only
known articles only when an earlier *completed* pass covered the listing from that page on
(DESIGN §5): its first page was no older than this page, and it reached at least as far back
(or to the end). A killed pass, a failed page or a page cap leaves no record, so an article
behind the page such a pass did not reach is never lost.

A pass is recorded when the crawl closes, not when its last list page is parsed: its article
pages must have been stored by then. An article it wanted that the store still lacks cuts the
recorded reach short at that article, so a later pass reaches it again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa

from crawler.store.schema import listing_passes


@dataclass(frozen=True)
class ListingReach:
    """What a completed pass covered: entries from ``newest`` back to ``oldest`` (or the end)."""

    newest: datetime | None
    oldest: datetime | None
    reached_end: bool

    def covers(self, page_oldest: datetime | None) -> bool:
        """Did this pass see everything the listing holds from ``page_oldest`` back?

        The later pass walked down to a page whose oldest entry is ``page_oldest``; the two
        passes together leave no gap when this one started no lower and reached lower.
        """
        if page_oldest is None or self.newest is None or page_oldest > self.newest:
            return False
        return self.reached_end or (self.oldest is not None and self.oldest <= page_oldest)

    def cut_at(self, missing: Iterable[datetime | None]) -> ListingReach | None:
        """The reach that is still true when the articles listed at ``missing`` are not stored."""
        times = list(missing)
        if not times:
            return self
        if any(t is None for t in times):
            return None
        newest_missing = max(t for t in times if t is not None)
        return replace(self, oldest=max(newest_missing, self.oldest or newest_missing), reached_end=False)


@dataclass(frozen=True)
class ListingPass:
    """One walk down a listing, carried from page to page in the requests' cb_kwargs.

    Plain values only, so that a request queued in Redis (crawler.scaleout) takes it along.
    """

    source: str
    listing: str
    previous: ListingReach | None  # the last completed pass, read when this one began
    newest: datetime | None = None
    oldest: datetime | None = None
    pages: int = 0
    wanted: tuple[tuple[str, datetime | None], ...] = ()  # the articles it asked for, with their times

    def after_page(self, times: Iterable[datetime | None],
                   wanted: Iterable[tuple[str, datetime | None]]) -> ListingPass:
        known = [t for t in times if t is not None]
        newest = max([*known, *([self.newest] if self.newest else [])], default=None)
        oldest = min([*known, *([self.oldest] if self.oldest else [])], default=None)
        return replace(self, newest=newest, oldest=oldest, pages=self.pages + 1,
                       wanted=(*self.wanted, *wanted))

    def covered_from(self, page_oldest: datetime | None) -> bool:
        """Did the last completed pass cover the listing from this page back?"""
        return self.previous is not None and self.previous.covers(page_oldest)

    def reach_to_end(self) -> ListingReach:
        return ListingReach(self.newest, self.oldest, reached_end=True)

    def reach_to_age_limit(self) -> ListingReach:
        return ListingReach(self.newest, self.oldest, reached_end=False)

    def reach_joined(self) -> ListingReach:
        """This pass stopped where the previous one's coverage began: together they reach its end."""
        assert self.previous is not None
        return ListingReach(self.newest, self.previous.oldest, self.previous.reached_end)


@dataclass(frozen=True)
class CompletedPass:
    """A listing's last completed pass, as ``topicfeed check`` shows it."""

    listing: str
    reach: ListingReach
    completed: datetime


def completed_passes(engine: sa.Engine, source: str) -> list[CompletedPass]:
    """Each listing of ``source`` some crawl walked to completion, by listing name."""
    query = (sa.select(listing_passes).where(listing_passes.c.source == source)
             .order_by(listing_passes.c.listing))
    with engine.connect() as conn:
        return [CompletedPass(row.listing, ListingReach(row.newest, row.oldest, bool(row.reached_end)),
                              row.completed) for row in conn.execute(query)]


class ListingLog:
    """Passes begun and completed in this crawl; the completed ones are written at its close."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self._completed: dict[tuple[str, str], tuple[ListingPass, ListingReach]] = {}

    def reach(self, source: str, listing: str) -> ListingReach | None:
        query = sa.select(listing_passes.c.newest, listing_passes.c.oldest, listing_passes.c.reached_end).where(
            (listing_passes.c.source == source) & (listing_passes.c.listing == listing))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return ListingReach(row.newest, row.oldest, bool(row.reached_end)) if row else None

    def begin(self, source: str, listing: str) -> ListingPass:
        return ListingPass(source, listing, self.reach(source, listing))

    def complete(self, walk: ListingPass, reach: ListingReach) -> None:
        self._completed[(walk.source, walk.listing)] = (walk, reach)

    def write_completed(self, missing: Callable[[str], bool], now: datetime) -> int:
        """Record the passes completed in this crawl; ``missing(url)``: is that article still not stored?

        Returns how many were recorded.
        """
        rows = []
        for (source, listing), (walk, reach) in self._completed.items():
            kept = reach.cut_at(published for url, published in walk.wanted if missing(url))
            if kept is not None:
                rows.append({"source": source, "listing": listing, "newest": kept.newest,
                             "oldest": kept.oldest, "reached_end": kept.reached_end, "completed": now})
        self._completed.clear()
        if rows:
            with self.engine.begin() as conn:
                for row in rows:
                    conn.execute(_upsert(self.engine.dialect.name, row))
        return len(rows)


def _upsert(dialect: str, row: dict[str, object]) -> sa.Executable:
    # Only the store's own dialect: loading PostgreSQL's (with its asyncpg and pg8000 variants)
    # was 3% of a SQLite crawl that finds nothing new.
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    insert = dialect_insert(listing_passes).values(**row)
    updated = {name: insert.excluded[name] for name in ("newest", "oldest", "reached_end", "completed")}
    return insert.on_conflict_do_update(index_elements=["source", "listing"], set_=updated)
