"""Item pipelines: normalise ─► match topics ─► dedupe + store ─► archive."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from crawler.archive import ArchiveWriter
from crawler.dates import as_aware, utcnow
from crawler.fsutil import describe_os_error
from crawler.htmlclean import html_to_text, image_urls, resolve_images, sanitize
from crawler.items import Article, Image
from crawler.runtime import config_from_settings, shared_store
from crawler.store import OUTPUT_ERRORS, SaveOutcome
from crawler.minhash import signature
from crawler.summary import summarize
from crawler.text import clean_line, content_hash
from crawler.topics import TopicMatcher
from crawler.urls import canonical_url

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


class NormalizePipeline:
    """Canonical URL, aware times, sanitised body, plain text, summary."""

    def __init__(self, stats: StatsCollector):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.stats)

    def process_item(self, item: Article) -> Article:
        item.canonical_url = canonical_url(item.url)
        item.title = clean_line(item.title)
        for name in ("outlet", "author", "editor", "site_name"):
            setattr(item, name, clean_line(getattr(item, name)))
        if not item.title:
            self.stats.inc_value("topicfeed/invalid")
            raise DropItem(f"no title: {item.url}")
        if item.published is not None:
            item.published = as_aware(item.published)
        item.body_html = sanitize(resolve_images(item.body_html, item.url))
        item.text = html_to_text(item.body_html)
        if not item.text:
            self.stats.inc_value("topicfeed/invalid")
            raise DropItem(f"no text: {item.url}")
        known = {image.url for image in item.images}
        item.images += [Image(url) for url in image_urls(item.body_html) if url not in known]
        if not item.cover and item.images:
            item.cover = item.images[0].url
        item.keywords = [clean_line(k) for k in item.keywords if clean_line(k)]
        return item


class TopicMatchPipeline:
    def __init__(self, matcher: TopicMatcher):
        self.matcher = matcher

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(TopicMatcher(config_from_settings(crawler.settings).topics))

    def process_item(self, item: Article) -> Article:
        item.topics = self.matcher.match(item.title, item.text)
        if item.topics:  # text work only for what will be archived
            item.summary = summarize(item.text)
        return item


class StorePipeline:
    """Dedupe by canonical URL and content hash, in one transaction per item.

    Articles that match no topic are stored too, so their pages are not fetched again, but
    they go no further.
    """

    def __init__(self, crawler: Crawler, near_similarity: float):
        self.crawler = crawler
        self.stats = crawler.stats
        self.near_similarity = near_similarity

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, config_from_settings(crawler.settings).archive.near_duplicate_similarity)

    def process_item(self, item: Article) -> Article:
        try:
            result = shared_store(self.crawler).save(
                item, content_hash(item.text), utcnow(),
                # only articles that reach a feed need a near-duplicate signature
                fingerprint=signature(item.text) if item.topics else None,
                near_similarity=self.near_similarity)
        except OUTPUT_ERRORS as error:
            raise stop_on_output_error(self.crawler, error) from error
        item.stored_id = result.article_id
        item.save_outcome = result.outcome.value
        self.stats.inc_value(f"topicfeed/{result.outcome.value}")
        if result.outcome is SaveOutcome.UNCHANGED:
            raise DropItem(f"unchanged: {item.canonical_url}", log_level="DEBUG")
        if not item.topics and result.outcome not in CLUSTER_OUTCOMES:
            self.stats.inc_value("topicfeed/unmatched")
            raise DropItem(f"matches no topic: {item.canonical_url}", log_level="DEBUG")
        return item


class ArchivePipeline:
    """Write (or rewrite) the archive files of the stored article the item led to."""

    def __init__(self, crawler: Crawler, writer: ArchiveWriter):
        self.crawler = crawler
        self.writer = writer

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        config = config_from_settings(crawler.settings)
        return cls(crawler, ArchiveWriter.from_config(config))

    def open_spider(self) -> None:
        source = self.crawler.spider.source_name
        repaired = self.writer.catch_up(shared_store(self.crawler), source)
        if repaired:
            logger.info("Wrote %d archive file(s) of %s that were behind the store "
                        "(an interrupted run, or another worker of this run)", repaired, source)

    def process_item(self, item: Article) -> Article:
        store = shared_store(self.crawler)
        stored = store.get(item.stored_id)
        if stored is not None and stored.topics:
            try:
                for path in self.writer.write(stored):
                    self.crawler.stats.inc_value("topicfeed/archive_files_written")
                    logger.debug("Archived %s", path)
                store.mark_archived(stored.id, stored.version)
            except OUTPUT_ERRORS as error:
                raise stop_on_output_error(self.crawler, error) from error
        if SaveOutcome(item.save_outcome) in CLUSTER_OUTCOMES:
            raise DropItem(f"same text as {stored.canonical_url if stored else '?'}: "
                           f"{item.canonical_url}", log_level="DEBUG")
        return item
