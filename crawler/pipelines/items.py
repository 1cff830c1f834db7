"""Item pipelines: prepare and store (dedupe) ─► archive images ─► archive files.

The work of each step runs in the item worker process (crawler.itemwork) when there is one;
these pipelines count, log and decide how far the item goes.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from crawler.archive.writer import ArchiveWriter
from crawler.extensions.resources import CrawlResources
from crawler.items import Article
from crawler.itemwork import ItemWorkers, OutputFailed
from crawler.store import SaveOutcome
from crawler.text.prepare import InvalidArticle

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def stop_on_output_error(crawler: Crawler, failed: OutputFailed) -> DropItem:
    """Output cannot be written (disk full, read-only…): stop the crawl cleanly, say why once.

    Every item would fail the same way; what is already committed stays as it is.
    """
    reason = failed.reason
    if not crawler.stats.get_value("topicfeed/output_error"):
        crawler.stats.set_value("topicfeed/output_error", reason)
        logger.error("%s", reason)
        deferred_from_coro(crawler.engine.close_spider_async(reason=reason))
    return DropItem(reason, log_level="DEBUG")


# Outcomes where the item only adds its URL to an article already stored.
CLUSTER_OUTCOMES = frozenset({SaveOutcome.ALIAS, SaveOutcome.NEAR_DUPLICATE})


def unmatched(crawler: Crawler, item: Article) -> DropItem:
    """Stored, but goes no further: it matches no topic."""
    crawler.stats.inc_value("topicfeed/unmatched")
    return DropItem(f"matches no topic: {item.canonical_url}", log_level="DEBUG")


class StorePipeline:
    """Prepare (canonical URL, sanitised body, text, topics, summary, hashes: crawler.text.prepare),
    then dedupe by canonical URL and content hash and store, in one transaction per item.

    Articles that match no topic are stored too, so their pages are not fetched again, but
    they go no further.
    """

    def __init__(self, crawler: Crawler, workers: ItemWorkers):
        self.crawler = crawler  # to stop the crawl when output cannot be written
        self.stats = crawler.stats
        self.workers = workers

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, CrawlResources.of(crawler).workers)

    async def process_item(self, item: Article) -> Article:
        try:
            item = await self.workers.save(item)
        except InvalidArticle as invalid:
            self.stats.inc_value("topicfeed/invalid")
            raise DropItem(str(invalid)) from invalid
        except OutputFailed as failed:
            raise stop_on_output_error(self.crawler, failed) from failed
        if item.date_note:
            self.stats.inc_value("topicfeed/dates_replaced")
            logger.warning("%s: %s", item.url, item.date_note)
        outcome = item.save_outcome
        assert outcome is not None
        self.stats.inc_value(f"topicfeed/{outcome.value}")
        if outcome is SaveOutcome.UNCHANGED:
            raise DropItem(f"unchanged: {item.canonical_url}", log_level="DEBUG")
        # An update goes on even unmatched: its archived files, if any, must be rewritten.
        passes = item.topics or outcome in (*CLUSTER_OUTCOMES, SaveOutcome.UPDATED)
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
        try:
            archived = await self.workers.archive(item.stored_id)  # Markdown and tags: CPU work
        except OutputFailed as failed:
            raise stop_on_output_error(self.crawler, failed) from failed
        for path in archived.written:
            self.crawler.stats.inc_value("topicfeed/archive_files_written")
            logger.debug("Archived %s", path)
        if item.save_outcome in CLUSTER_OUTCOMES:
            raise DropItem(f"same text as {archived.canonical_url or '?'}: {item.canonical_url}",
                           log_level="DEBUG")
        if not item.topics:
            raise unmatched(self.crawler, item)
        return item
