"""What the crawl already knows: which article pages to fetch, revisit or skip."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from crawler.store import FetchState, PageFailure, Store
from crawler.text.dates import utcnow
from crawler.text.urls import canonical_url

MAX_FAILED_ATTEMPTS = 3  # a page that never parses is not retried forever


class FetchDecision(enum.Enum):
    FETCH = "fetch"  # never stored
    REVISIT = "revisit"  # stored, young, and last fetched long enough ago
    SKIP = "skip"


@dataclass(frozen=True)
class RevisitPolicy:
    max_age: timedelta
    revisit_after: timedelta
    force: bool = False  # `crawl --revisit`: every young archived article, now

    def decide(self, state: FetchState | None, *, now: datetime, reference_now: datetime,
               failure: PageFailure | None = None) -> FetchDecision:
        if state is None:
            if failure is None or self.force:
                return FetchDecision.FETCH
            retry_due = failure.last_attempt <= now - self.revisit_after
            if failure.attempts < MAX_FAILED_ATTEMPTS and retry_due:
                return FetchDecision.FETCH
            return FetchDecision.SKIP
        young = state.published >= reference_now - self.max_age
        if young and (self.force or state.fetched <= now - self.revisit_after):
            return FetchDecision.REVISIT
        return FetchDecision.SKIP


class KnownArticles:
    """The store seen through one source's revisit policy."""

    def __init__(self, store: Store, policy: RevisitPolicy, reference_now: datetime):
        self.store = store
        self.policy = policy
        self.reference_now = reference_now

    def is_too_old(self, published: datetime | None) -> bool:
        return published is not None and published < self.reference_now - self.policy.max_age

    def states(self, urls: Iterable[str]) -> dict[str, FetchState]:
        """Fetch states keyed by canonical URL."""
        return self.store.fetch_states(canonical_url(u) for u in urls)

    def stored(self, urls: Iterable[str]) -> set[str]:
        """The given URLs (as passed) whose article is already in the store."""
        urls = list(urls)
        known = self.states(urls)
        return {u for u in urls if canonical_url(u) in known}

    def still_missing(self, url: str) -> bool:
        """Not stored, and not given up on: a list pass must reach it again."""
        status = self.store.url_status(canonical_url(url))
        if status.state is not None:
            return False
        return status.failure is None or status.failure.attempts < MAX_FAILED_ATTEMPTS

    def decide(self, url: str) -> tuple[FetchDecision, FetchState | None]:
        status = self.store.url_status(canonical_url(url))
        decision = self.policy.decide(status.state, now=utcnow(), reference_now=self.reference_now,
                                      failure=status.failure if status.state is None else None)
        return decision, status.state

    def due_for_revisit(self, source: str) -> list[str]:
        """Stored articles to fetch again now, found from the store (not only from list pages)."""
        fetched_before = None if self.policy.force else utcnow() - self.policy.revisit_after
        return self.store.due_for_revisit(source, self.reference_now - self.policy.max_age, fetched_before)

    def record_failure(self, url: str, source: str, reason: str) -> int:
        """An article page that gave no article; it is retried after revisit_hours, 3 times at most."""
        return self.store.record_failure(canonical_url(url), source, reason, utcnow())
