"""The store kept in line with the config around a crawl: topics re-matched, old unmatched
articles forgotten, archive files that are behind the store written."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from scrapy.settings import Settings

from crawler.archive.writer import ArchiveWriter
from crawler.config import Config, Source
from crawler.runtime import reference_now
from crawler.store import Store
from crawler.store.skipped import prune_skipped
from crawler.store.topicsync import follow_topics, prune_unmatched
from crawler.text.dates import utcnow

logger = logging.getLogger(__name__)


def follow_config(config: Config) -> None:
    """Before a crawl: the stored matches follow the configured topics (DESIGN §6)."""
    store = Store.open(config.store_url)
    try:
        follow_topics_in(config, store)
    finally:
        store.close()


def follow_topics_in(config: Config, store: Store) -> None:
    """Matches follow the configured topics: the stored articles matched again if they changed."""
    rematch = follow_topics(store, config.topics)
    if not rematch.nothing:
        logger.info("%s", rematch.line())


def prune_unmatched_articles(config: Config, sources: Sequence[Source], settings: Settings) -> None:
    """Unmatched articles are kept for max_age_days (a new topic finds them), then forgotten;
    skipped links (crawler.store.skipped) a week."""
    try:
        now = reference_now(settings)
    except ValueError:
        return  # the crawl itself reports the bad TOPICFEED_NOW
    store = Store.open(config.store_url)
    try:
        for source in sources:
            pruned = prune_unmatched(store, source.name, now - timedelta(days=source.max_age_days))
            if pruned:
                logger.info("%s: forgot %d unmatched article(s) older than %g days", source.name, pruned,
                            source.max_age_days)
        prune_skipped(store.engine, utcnow())
    finally:
        store.close()


def catch_up_archive(config: Config, store: Store) -> int:
    """Write every source's archive files that are behind the store; returns how many articles."""
    writer = ArchiveWriter.from_config(config)
    return sum(writer.catch_up(store, source.name) for source in config.sources)
