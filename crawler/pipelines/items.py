"""Item pipelines: prepare (normalise, match topics, hash) ─► dedupe + store ─► archive."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from crawler.archive.writer import ArchiveWriter
from crawler.extensions.resources import CrawlResources
from crawler.fsutil import describe_os_error
from crawler.items import Article
from crawler.itemwork import ItemWorkers
from crawler.store import OUTPUT_ERRORS, SaveOutcome
from crawler.text.dates import utcnow
from crawler.text.prepare import InvalidArticle

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


def stop_on_output_error(crawler: Crawler, error: Exception) -> DropItem:
    """Output cannot be written (disk full, read-only…): stop the crawl cleanly, say why once.

    Every item would fail the same way; what is already committed stays as it is.
    """
    if isinstance(error, OSError):
        detail = describe_os_error(error)
    else:
        detail = str(error.orig)
        if "full" in detail:
            detail += "; free some space and run again (nothing stored was damaged)"
    reason = f"cannot write output: {detail}"
    if not crawler.stats.get_value("topicfeed/output_error"):
        crawler.stats.set_value("topicfeed/output_error", reason)
        logger.error("%s", reason)
        deferred_from_coro(crawler.engine.close_spider_async(reason=reason))
    return DropItem(reason, log_level="DEBUG")


# Outcomes where the item only adds its URL to an article already stored.
CLUSTER_OUTCOMES = frozenset({SaveOutcome.ALIAS, SaveOutcome.NEAR_DUPLICATE})


class PreparePipeline:
    """Canonical URL, sanitised body, text, topics, summary, hashes (crawler.text.prepare).

    The work runs in the item worker process (crawler.itemwork.pool) when there is one.
    """

    def __init__(self, stats: StatsCollector, workers: ItemWorkers):
        self.stats = stats
        self.workers = workers

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.stats, CrawlResources.of(crawler).workers)

    async def process_item(self, item: Article) -> Article:
        try:
            prepared = await self.workers.prepare(item)
        except InvalidArticle as invalid:
            self.stats.inc_value("topicfeed/invalid")
            raise DropItem(str(invalid)) from invalid
        if prepared.date_note:
            self.stats.inc_value("topicfeed/dates_replaced")
            logger.warning("%s: %s", prepared.url, prepared.date_note)
        return prepared


def unmatched(crawler: Crawler, item: Article) -> DropItem:
    """Stored, but goes no further: it matches no topic."""
    crawler.stats.inc_value("topicfeed/unmatched")
    return DropItem(f"matches no topic: {item.canonical_url}", log_level="DEBUG")


class StorePipeline:
    """Dedupe by canonical URL and content hash, in one transaction per item.

    Articles that match no topic are stored too, so their pages are not fetched again, but
    they go no further.
    """

    def __init__(self, crawler: Crawler, resources: CrawlResources, near_similarity: float):
        self.crawler = crawler  # to stop the crawl when output cannot be written
        self.stats = crawler.stats
        self.resources = resources
        self.near_similarity = near_similarity

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        resources = CrawlResources.of(crawler)
        return cls(crawler, resources, resources.config.archive.near_duplicate_similarity)

    def process_item(self, item: Article) -> Article:
        try:
            result = self.resources.store.save(
                item, item.content_sha256, utcnow(),
                fingerprint=item.fingerprint, near_similarity=self.near_similarity)
        except OUTPUT_ERRORS as error:
            raise stop_on_output_error(self.crawler, error) from error
        item.stored_id = result.article_id
        item.save_outcome = result.outcome
        self.stats.inc_value(f"topicfeed/{result.outcome.value}")
        if result.outcome is SaveOutcome.UNCHANGED:
            raise DropItem(f"unchanged: {item.canonical_url}", log_level="DEBUG")
        # An update goes on even unmatched: its archived files, if any, must be rewritten.
        passes = item.topics or result.outcome in (*CLUSTER_OUTCOMES, SaveOutcome.UPDATED)
        if not passes:
            raise unmatched(self.crawler, item)
        return item


class ArchivePipeline:
    """Write (or rewrite) the archive files of the stored article the item led to."""

    def __init__(self, crawler: Crawler, resources: CrawlResources, writer: ArchiveWriter,
                 workers: ItemWorkers):
        self.crawler = crawler  # to stop the crawl when output cannot be written
        self.resources = resources
        self.writer = writer
        self.workers = workers

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        resources = CrawlResources.of(crawler)
        pipeline = cls(crawler, resources, ArchiveWriter.from_config(resources.config), resources.workers)
        # Not open_spider: pipelines open before spider_opened, when the store opens.
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        return pipeline

    def spider_opened(self) -> None:
        source = self.resources.source
        repaired = self.writer.catch_up(self.resources.store, source)
        if repaired:
            logger.info("Wrote %d archive file(s) of %s that were behind the store "
                        "(an interrupted run, or another worker of this run)", repaired, source)

    async def process_item(self, item: Article) -> Article:
        store = self.resources.store
        stored = store.get(item.stored_id)
        # An archived article that no longer matches (its text changed) is still rewritten:
        # its files must not go on showing the old text.
        if stored is not None and (stored.topics or stored.archived_version):
            files = await self.workers.render(stored)  # Markdown and tags: CPU work
            # While it rendered, another item may have changed the article (joined it, added
            # images): that item writes the newer files, these are stale.
            if store.version(stored.id) == stored.version:
                try:
                    for path in self.writer.write_rendered(files, stored):
                        self.crawler.stats.inc_value("topicfeed/archive_files_written")
                        logger.debug("Archived %s", path)
                    store.mark_archived(stored.id, stored.version)
                except OUTPUT_ERRORS as error:
                    raise stop_on_output_error(self.crawler, error) from error
        if item.save_outcome in CLUSTER_OUTCOMES:
            raise DropItem(f"same text as {stored.canonical_url if stored else '?'}: "
                           f"{item.canonical_url}", log_level="DEBUG")
        if not item.topics:
            raise unmatched(self.crawler, item)
        return item
