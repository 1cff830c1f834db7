"""The mirror convention (DESIGN §4): every download goes to ``MIRROR/HOST/PATH?QUERY``.

It is a download handler, the last step before the socket: the request keeps its real URL
everywhere else, so the scheduler, dupefilter, robots.txt, retries, redirects, download
slots (per-host politeness) and spiders never see the mirror, and no request can reach a
real site by a path that skips it. (A downloader middleware returning a rewritten request
would send every request through the scheduler and the middleware chain twice.)
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

from crawler.runtime import mirror_from_settings

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


def mirror_url(mirror: str, url: str) -> str:
    """``SCHEME://HOST/PATH?QUERY`` → ``MIRROR/HOST/PATH?QUERY`` (path and query byte for byte)."""
    parts = urlsplit(url)
    rest = url[len(parts.scheme) + 3 :] if parts.scheme else url.lstrip("/")
    return f"{mirror}/{rest}"


def unmirror_url(mirror: str, url: str, scheme: str = "https") -> str:
    if not url.startswith(mirror + "/"):
        return url
    return f"{scheme}://{url[len(mirror) + 1 :]}"


class MirrorDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler for http and https, fetching from the mirror when one is set."""

    def __init__(self, crawler: Crawler, mirror: str):
        super().__init__(crawler)
        self.mirror = mirror

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        mirror = mirror_from_settings(crawler.settings)
        if mirror and not getattr(crawler, "_topicfeed_mirror_logged", False):  # http and https
            crawler._topicfeed_mirror_logged = True  # type: ignore[attr-defined]
            logger.info("Mirror: every request goes to %s", mirror)
        return cls(crawler, mirror)

    async def download_request(self, request: Request) -> Response:
        if not self.mirror:
            return await super().download_request(request)
        original = request.url
        response = await super().download_request(request.replace(url=mirror_url(self.mirror, original)))
        headers = response.headers.copy()
        location = headers.get(b"Location")
        if location:
            scheme = urlsplit(original).scheme or "https"
            headers[b"Location"] = unmirror_url(self.mirror, location.decode("latin-1"), scheme)
        return response.replace(url=original, headers=headers, request=request)
