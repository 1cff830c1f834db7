"""Downloader middleware: the skip of already-archived articles (the mirror is crawler.mirror)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.extensions.resources import CrawlResources
from crawler.store.known import FetchDecision
from crawler.text.dates import utcnow
from crawler.text.urls import canonical_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

ARTICLE_META = "topicfeed_article"  # set by spiders on article page requests


DECIDED_META = "topicfeed_decided"  # the FetchDecision taken for an article request, once


def skip_known(request: Request, resources: CrawlResources, stats: StatsCollector) -> bool:
    """Decide an article request once: True (counted) when its page is archived and not due a
    revisit; a revisit becomes a conditional GET when the site gave an ETag or Last-Modified."""
    if not request.meta.get(ARTICLE_META) or request.meta.get(DECIDED_META):
        return False
    known = resources.known
    if known is None:  # a spider without a source's revisit policy
        return False
    decision, state = known.decide(request.url)
    request.meta[DECIDED_META] = decision.value
    if decision is FetchDecision.SKIP:
        stats.inc_value("topicfeed/article_skipped_known")
        return True
    if decision is FetchDecision.REVISIT and state is not None:
        stats.inc_value("topicfeed/article_revisited")
        if state.etag:
            request.headers[b"If-None-Match"] = state.etag
        if state.last_modified:
            request.headers[b"If-Modified-Since"] = state.last_modified
    return False


class KnownArticleSkipped(IgnoreRequest):
    """Not an error: the page is archived and not due a revisit (or did not change)."""


class KnownArticleMiddleware:
    """Do not download an article page that is already archived, unless it is due a revisit.

    Most article requests are decided earlier, as the spider yields them
    (crawler.spidermiddlewares.known); this decides the rest (start requests, retries of old
    requests) and handles the revisits' 304 answers.

    Revisits are conditional GETs when the site gave an ETag or Last-Modified; a 304 just
    records the fetch.
    """

    def __init__(self, stats: StatsCollector, resources: CrawlResources):
        self.stats = stats
        self.resources = resources  # its checks (resources.known) open with the spider

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.stats, CrawlResources.of(crawler))

    def process_request(self, request: Request) -> None:
        if skip_known(request, self.resources, self.stats):
            raise KnownArticleSkipped(f"already archived: {request.url}")

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status == 304 and request.meta.get(DECIDED_META) == FetchDecision.REVISIT.value:
            self.resources.store.touch(canonical_url(request.url), utcnow())
            self.stats.inc_value("topicfeed/article_not_modified")
            raise KnownArticleSkipped(f"not modified: {request.url}")
        return response
