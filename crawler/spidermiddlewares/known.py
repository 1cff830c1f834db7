"""Spider middleware: article requests for pages already archived are dropped as the spider yields them.

The decision is KnownArticleMiddleware's (``skip_known``); taken here, a known link costs one
store lookup instead of a scheduled request, a download-chain exception and an errback: a
list that finds nothing new holds tens of them, and a no-change crawl is mostly such lists.
(Scrapy's DeltaFetch skips known pages at the same place.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request

from crawler.downloadermiddlewares.known import ARTICLE_META, skip_known
from crawler.extensions.resources import CrawlResources
from crawler.text.urls import canonical_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector


class KnownArticleFilter:
    def __init__(self, stats: StatsCollector, resources: CrawlResources):
        self.stats = stats
        self.resources = resources
        # Skipped already: another list linking the same page adds nothing (as the dupefilter
        # would have said, had the request been scheduled).
        self._skipped: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.stats, CrawlResources.of(crawler))

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        for output in result:
            if not self._skipped_now(output):
                yield output

    async def process_spider_output_async(self, response: Response,
                                          result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for output in result:
            if not self._skipped_now(output):
                yield output

    def _skipped_now(self, output: Any) -> bool:
        if not isinstance(output, Request) or not output.meta.get(ARTICLE_META) or output.dont_filter:
            return False
        url = canonical_url(output.url)
        if url in self._skipped:
            return True
        if skip_known(output, self.resources, self.stats):
            self._skipped.add(url)
            return True
        return False
