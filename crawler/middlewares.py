"""Downloader middlewares: the mirror rewrite and the skip of already-archived articles."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from crawler.dates import utcnow
from crawler.known import FetchDecision
from crawler.runtime import mirror_from_settings, shared_store
from crawler.urls import canonical_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

ARTICLE_META = "topicfeed_article"  # set by spiders on article page requests
MIRROR_ORIGINAL_URL = "topicfeed_mirror_original_url"


def real_url(request: Request) -> str:
    """The URL a request stands for, even after the mirror rewrote it."""
    return request.meta.get(MIRROR_ORIGINAL_URL, request.url)


def mirror_url(mirror: str, url: str) -> str:
    """``SCHEME://HOST/PATH?QUERY`` → ``MIRROR/HOST/PATH?QUERY`` (path and query byte for byte)."""
    parts = urlsplit(url)
    rest = url[len(parts.scheme) + 3 :] if parts.scheme else url.lstrip("/")
    return f"{mirror}/{rest}"


def unmirror_url(mirror: str, url: str, scheme: str = "https") -> str:
    if not url.startswith(mirror + "/"):
        return url
    return f"{scheme}://{url[len(mirror) + 1 :]}"


class KnownArticleSkipped(IgnoreRequest):
    """Not an error: the page is archived and not due a revisit (or did not change)."""


class MirrorMiddleware:
    """Send every request to the mirror (DESIGN §4) and map the response back to the real URL.

    It sits next to the downloader, so robots.txt, dupefilter, retries and redirects all work
    on real URLs; the mirrored request keeps the real host as its download slot so per-host
    politeness is unchanged.
    """

    def __init__(self, mirror: str):
        self.mirror = mirror

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        mirror = mirror_from_settings(crawler.settings)
        if not mirror:
            raise NotConfigured
        logger.info("Mirror: every request goes to %s", mirror)
        return cls(mirror)

    def process_request(self, request: Request) -> Request | None:
        # Decide by URL, not by meta: a redirect copies the meta of the request it came from.
        if request.url.startswith(self.mirror + "/"):
            return None
        original = request.url
        return request.replace(
            url=mirror_url(self.mirror, original),
            dont_filter=True,
            meta={
                **request.meta,
                MIRROR_ORIGINAL_URL: original,
                "dont_obey_robotstxt": True,  # the real host's robots.txt was already obeyed
                "download_slot": urlsplit(original).netloc,
            },
        )

    def process_response(self, request: Request, response: Response) -> Response:
        if not request.url.startswith(self.mirror + "/"):
            return response
        original = request.meta[MIRROR_ORIGINAL_URL]
        scheme = urlsplit(original).scheme or "https"
        headers = response.headers.copy()
        location = headers.get(b"Location")
        if location:
            headers[b"Location"] = unmirror_url(self.mirror, location.decode("latin-1"), scheme)
        return response.replace(url=original, headers=headers)


class KnownArticleMiddleware:
    """Do not download an article page that is already archived, unless it is due a revisit.

    Revisits are conditional GETs when the site gave an ETag or Last-Modified; a 304 just
    records the fetch.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if not request.meta.get(ARTICLE_META) or request.meta.get("topicfeed_decided"):
            return
        known = getattr(self.crawler.spider, "known", None)
        if known is None:
            return
        decision, state = known.decide(request.url)
        request.meta["topicfeed_decided"] = decision.value
        if decision is FetchDecision.SKIP:
            self.stats.inc_value("topicfeed/article_skipped_known")
            raise KnownArticleSkipped(f"already archived: {request.url}")
        if decision is FetchDecision.REVISIT and state is not None:
            self.stats.inc_value("topicfeed/article_revisited")
            if state.etag:
                request.headers[b"If-None-Match"] = state.etag
            if state.last_modified:
                request.headers[b"If-Modified-Since"] = state.last_modified

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status == 304 and request.meta.get("topicfeed_decided") == FetchDecision.REVISIT.value:
            shared_store(self.crawler).touch(canonical_url(request.url), utcnow())
            self.stats.inc_value("topicfeed/article_not_modified")
            raise KnownArticleSkipped(f"not modified: {request.url}")
        return response


