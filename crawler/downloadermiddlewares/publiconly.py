"""Downloader middleware: a request whose URL came from a page goes only to a public address.

Every request passes here before robots.txt, the mirror or the socket: article links, list
pages, redirects (the redirect middleware hands its new request back through the chain), images
(the media pipeline downloads through the engine) and feed or sitemap items alike. Address
literals in any spelling, ``localhost``, private-network names and schemes other than http(s)
are refused; names are judged again, on the address they resolve to, by ``crawler.resolver``.
Under a mirror the URL judged is the real one: the mirror is applied later, by the handler.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawler.text.addresses import netloc_key, url_refusal

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class NotPublic(IgnoreRequest):
    """The request would reach this machine, a private network or a non-web scheme."""


class PublicOnlyMiddleware:
    def __init__(self, stats: StatsCollector, trusted: frozenset[str] = frozenset()):
        self.stats = stats
        self.trusted = trusted  # host or host:port of the endpoints the user configured

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("TOPICFEED_PUBLIC_ONLY", True):
            raise NotConfigured
        trusted = frozenset(netloc_key(e) for e in settings.getlist("TOPICFEED_TRUSTED_ENDPOINTS"))
        return cls(crawler.stats, trusted)

    def process_request(self, request: Request) -> None:
        if self.trusted and netloc_key(request.url) in self.trusted:
            return
        reason = url_refusal(request.url)
        if reason is None:
            return
        self.stats.inc_value("publiconly/refused")
        logger.warning("Refused %s: %s", request.url[:300], reason)
        raise NotPublic(f"refused: {reason}")
