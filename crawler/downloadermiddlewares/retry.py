"""Retries that back off: honour Retry-After, otherwise wait exponentially longer each time."""

from __future__ import annotations

import logging
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater

from crawler.text.dates import utcnow

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        return max(0.0, (parsedate_to_datetime(text) - utcnow()).total_seconds())
    except (TypeError, ValueError):
        return None


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, waiting before each retry.

    The wait holds the request's download slot, so the whole host backs off, which is what a
    429 or 503 asks for. A Retry-After longer than TOPICFEED_RETRY_AFTER_MAX is not waited
    for: the URL counts as failed for this run.
    """

    def __init__(self, settings):  # type: ignore[no-untyped-def]
        super().__init__(settings)
        self.base_delay = settings.getfloat("TOPICFEED_RETRY_BACKOFF", 1.0)
        self.max_delay = settings.getfloat("TOPICFEED_RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_max = settings.getfloat("TOPICFEED_RETRY_AFTER_MAX", 120.0)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if wait is not None and wait > self.retry_after_max:
            logger.warning("Not retrying %s: Retry-After %.0fs is longer than %.0fs",
                           request.url, wait, self.retry_after_max)
            return response
        retry = self._retry_request(request, f"HTTP {response.status}")
        if retry is None:
            return response
        await self._wait(wait if wait is not None else self._backoff(request))
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry", False):
            return None
        retry = self._retry_request(request, exception)
        if retry is not None:
            await self._wait(self._backoff(request))
        return retry

    def _retry_request(self, request: Request, reason: str | Exception) -> Request | None:
        """Scrapy's public retry helper: RETRY_TIMES, or the request's max_retry_times meta."""
        return get_retry_request(request, spider=self.crawler.spider, reason=reason)

    def _backoff(self, request: Request) -> float:
        return min(self.max_delay, self.base_delay * 2 ** request.meta.get("retry_times", 0))

    @staticmethod
    async def _wait(seconds: float) -> None:
        if seconds > 0:
            await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))
