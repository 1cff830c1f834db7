"""The one owner of a crawl's resources: its config, store, known-article checks and item work.

Scrapy components get this extension in their ``from_crawler`` (``CrawlResources.of``) and
use its members from ``spider_opened`` on, the way Scrapy's own components are handed
``crawler.stats`` before the stats are opened. Nothing else opens a store for a crawl.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Self

from scrapy import signals

from crawler.archive.writer import ArchiveWriter
from crawler.itemwork import ItemWorkers, StoreLink, WorkContext, worker_count
from crawler.runtime import config_from_settings, reference_now
from crawler.signals import link_skipped, page_failed
from crawler.store import OUTPUT_ERRORS, Store
from crawler.store.known import KnownArticles, RevisitPolicy
from crawler.store.skipped import SkippedLink, SkipReason, record_skipped
from crawler.text.dates import utcnow
from crawler.text.topics import TopicMatcher
from crawler.text.urls import canonical_url

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.signalmanager import SignalManager

    from crawler.config import Config

logger = logging.getLogger(__name__)

RESOURCES_EXTENSION = "crawler.extensions.resources.CrawlResources"


class ResourcesNotOpen(RuntimeError):
    """A component used the store before ``spider_opened`` (or after ``spider_closed``)."""


class CrawlResources:
    """Opens the store and the known-article checks on ``spider_opened``; closes them, and the
    item workers, after every other ``spider_closed`` handler (the run report writes last)."""

    def __init__(self, config: Config, signals_manager: SignalManager, *, reference_now: datetime,
                 item_workers: int):
        self.config = config
        self.reference_now = reference_now
        self._store_link = StoreLink(config.store_url)  # the item work's: a worker opens its own
        self.workers = ItemWorkers(
            WorkContext(TopicMatcher(config.topics), ArchiveWriter.from_config(config), self._store_link,
                        config.archive.near_duplicate_similarity), item_workers)
        self.source = ""
        self._signals = signals_manager
        self._store: Store | None = None
        self._known: KnownArticles | None = None
        self._skipped: dict[str, SkippedLink] = {}  # written once, when the crawl closes

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        resources = cls(config_from_settings(settings), crawler.signals,
                        reference_now=reference_now(settings), item_workers=worker_count(settings))
        crawler.signals.connect(resources.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(resources.page_failed, signal=page_failed)
        crawler.signals.connect(resources.link_skipped, signal=link_skipped)
        return resources

    @classmethod
    def of(cls, crawler: Crawler) -> CrawlResources:
        """The crawl's resources; components call this in ``from_crawler``."""
        resources = crawler.get_extension(cls)
        if resources is None:
            raise RuntimeError(f"{RESOURCES_EXTENSION} is not in EXTENSIONS (crawler.settings has it)")
        return resources

    @property
    def store(self) -> Store:
        if self._store is None:
            raise ResourcesNotOpen("the crawl's store is opened on spider_opened")
        return self._store

    @property
    def known(self) -> KnownArticles | None:
        """The store seen through the source's revisit policy; None for a spider without one."""
        return self._known

    def open(self, source: str, policy: RevisitPolicy | None) -> None:
        self.source = source
        self._store = Store.open(self.config.store_url)
        self._store_link.use(self._store)  # item work done in this process uses this store
        if policy is not None:
            self._known = KnownArticles(self._store, policy, self.reference_now)

    def spider_opened(self, spider: Spider) -> None:
        self.open(getattr(spider, "source_name", spider.name), getattr(spider, "revisit_policy", None))
        # Connected now, so it runs after every handler connected in a from_crawler.
        self._signals.connect(self.spider_closed, signal=signals.spider_closed)

    def page_failed(self, url: str, reason: str) -> None:
        """A page that gave no article: retried after revisit_hours, 3 times at most."""
        if self._known is not None:
            self._known.record_failure(url, self.source, reason)

    def link_skipped(self, url: str, reason: SkipReason, published: datetime | None = None) -> None:
        """An article link not fetched: remembered a week for ``topicfeed explain``."""
        if self._known is None:
            return
        cutoff = self.reference_now - self._known.policy.max_age if reason is SkipReason.TOO_OLD else None
        link = SkippedLink(canonical_url(url), self.source, reason, published, cutoff, utcnow())
        self._skipped[link.url] = link

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        await self.close()

    async def close(self) -> None:
        await self.workers.close()
        self._store_link.use(None)
        if self._store is not None:
            try:
                record_skipped(self._store.engine, self._skipped.values())
            except OUTPUT_ERRORS as error:  # only explain's memory of them is lost
                logger.warning("Could not record the links skipped in this crawl: %s", error)
            self._skipped.clear()
            self._store.close()
            self._store = None
            self._known = None
