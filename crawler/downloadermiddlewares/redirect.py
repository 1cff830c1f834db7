"""Redirects that come back to a URL already in their chain end as errors, not in silence."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.redirect import RedirectMiddleware

if TYPE_CHECKING:
    from scrapy import Request


class LoopAwareRedirectMiddleware(RedirectMiddleware):
    """Scrapy's RedirectMiddleware, but a loop runs into REDIRECT_MAX_TIMES and is reported.

    Scrapy hands ``A → A`` (or ``A → B → A``) to the dupefilter, which drops the request
    without a word: the page would be missing from the run record.
    """

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        result = super()._redirect(redirected, request, reason)
        if result.url in result.meta["redirect_urls"]:
            result.dont_filter = True
        return result
