"""Crawlers for component tests, Scrapy's way: ``get_crawler`` + ``build_from_crawler``, no reactor.

The crawl's resources (crawler.extensions.resources) are an extension like in a real crawl;
``open_crawl`` sends ``spider_opened`` as the engine does, so they open the store.
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred

from crawler.config import Config
from crawler.extensions.resources import RESOURCES_EXTENSION, CrawlResources


def component_crawler(config: Config, spidercls: type[Spider] | None = None, **settings: Any) -> Crawler:
    """A crawler with the config and the resources extension, and ``settings`` on top."""
    return get_crawler(spidercls, {"TOPICFEED_CONFIG": config, "TOPICFEED_ITEM_WORKERS": 0,
                                   # Scrapy's own extensions (log stats…) need a running reactor
                                   "EXTENSIONS_BASE": {}, "EXTENSIONS": {RESOURCES_EXTENSION: 100},
                                   **settings})


def open_crawl(crawler: Crawler, spider: Spider | None = None) -> CrawlResources:
    """What the engine does before the first request: the spider is set, spider_opened sent."""
    spider = spider or crawler.spidercls.from_crawler(crawler)
    crawler.spider = spider
    crawler.signals.send_catch_log(signals.spider_opened, spider=spider)
    return CrawlResources.of(crawler)


def close_crawl(crawler: Crawler) -> None:
    """Close the resources as spider_closed does (with no worker processes, nothing waits)."""
    Deferred.fromCoroutine(CrawlResources.of(crawler).close())
