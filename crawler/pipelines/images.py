"""Archive images: each one downloaded once, kept under ``<archive>/images/<host>/``.

Years later the site's image hosts will be gone or hotlink-protected; the archive must not
depend on them. Scrapy's FilesPipeline does the downloading (through the mirror, robots.txt,
retries); this subclass picks the images, names the files and records where they went.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, NoReturn, Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.pipelines.files import FilesPipeline
from twisted.python.failure import Failure

from crawler.config.model import IMAGES_FOLDER
from crawler.extensions.resources import CrawlResources
from crawler.store import OUTPUT_ERRORS, SaveOutcome

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.items import Article

logger = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 10 * 1024 * 1024
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".svg"})
# Hosts that refuse a foreign Referer (hotlink protection): send none. Others get the article page.
NO_REFERER_HOSTS = ("1sapp.com", "qktoutiao.com", "qutoutiao.net")


def image_path(url: str) -> str:
    """``images/<host>/<40 hex>.<ext>``, relative to the archive folder; stable for a URL."""
    parts = urlsplit(url)
    extension = PurePosixPath(parts.path).suffix.lower()
    if extension not in IMAGE_EXTENSIONS:
        extension = ".img"
    host = "".join(c for c in (parts.hostname or "unknown") if c.isalnum() or c in ".-") or "unknown"
    return f"{IMAGES_FOLDER}/{host}/{hashlib.sha1(url.encode('utf-8')).hexdigest()}{extension}"


def referer_for(image_url: str, page_url: str) -> dict[str, str]:
    host = urlsplit(image_url).hostname or ""
    if host.endswith(NO_REFERER_HOSTS):
        return {}
    page = urlsplit(page_url)
    return {"Referer": f"{page.scheme}://{page.netloc}/"}


class ArchiveImagesPipeline(FilesPipeline):
    """Download the images of articles that are archived (new or changed), never twice."""

    def __init__(self, store_uri: str, *, crawler: Crawler, resources: CrawlResources):
        super().__init__(store_uri, crawler=crawler)
        self.resources = resources

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        resources = CrawlResources.of(crawler)
        if not resources.config.archive.images:
            raise NotConfigured
        return cls(str(resources.config.archive_dir), crawler=crawler, resources=resources)

    def get_media_requests(self, item: Article, info: Any) -> list[Request]:
        if not item.topics or item.save_outcome not in (SaveOutcome.NEW, SaveOutcome.UPDATED):
            return []
        urls = dict.fromkeys(image.url for image in item.images if image.url.startswith(("http://", "https://")))
        return [
            Request(url, headers=referer_for(url, item.url),
                    # image hosts (ifengimg.com, 1sapp.com) are not the spider's own domains
                    meta={"download_maxsize": MAX_IMAGE_BYTES, "allow_offsite": True})
            for url in urls
        ]

    def media_downloaded(self, response: Any, request: Request, info: Any, *, item: Any = None) -> Any:
        if response.status != 200 or not response.body:
            # reported once, as a filtered request, not as an error with a traceback
            logger.warning("Image not saved (HTTP %s): %s", response.status, request.url)
            raise IgnoreRequest(f"image HTTP {response.status}")
        return super().media_downloaded(response, request, info, item=item)

    def media_failed(self, failure: Failure, request: Request, info: Any) -> NoReturn:
        if not failure.check(IgnoreRequest):
            logger.warning("Image not saved (%s): %s", failure.getErrorMessage(), request.url)
            failure = Failure(IgnoreRequest(failure.getErrorMessage()))
        super().media_failed(failure, request, info)

    def file_path(self, request: Request, response: Any = None, info: Any = None, *, item: Any = None) -> str:
        return image_path(request.url)

    def item_completed(self, results: list[tuple[bool, Any]], item: Article, info: Any) -> Article:
        saved = {result["url"]: result["path"] for ok, result in results if ok}
        # results come in the order of the requests; a failure does not say its URL
        urls = [request.url for request in self.get_media_requests(item, info)]
        failed = [url for url, (ok, _) in zip(urls, results, strict=False) if not ok]
        if failed:
            self.crawler.stats.inc_value("topicfeed/images_failed", len(failed))
        if saved or failed:
            try:
                self.resources.store.set_local_images(item.stored_id, saved, failed)
            except OUTPUT_ERRORS as error:
                logger.error("Could not record local images of %s: %s", item.url, error)
        return item
