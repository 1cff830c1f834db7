"""Archive images: each one downloaded once, kept under ``<archive>/images/<host>/``.

Years later the site's image hosts will be gone or hotlink-protected; the archive must not
depend on them. Scrapy's FilesPipeline does the downloading (through the mirror, robots.txt,
retries); this subclass picks the images, keeps only raster images (judged by their bytes),
writes each file atomically, names the files and records where they went.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from datetime import timedelta
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, NoReturn, Self
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest, NotConfigured
from scrapy.pipelines.files import FilesPipeline, FSFilesStore
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.defer import Deferred, succeed
from twisted.python.failure import Failure

from crawler.config.model import IMAGES_FOLDER
from crawler.downloadermiddlewares.unreachable import HostUnreachable
from crawler.extensions.resources import CrawlResources
from crawler.fsutil import describe_os_error, write_if_changed
from crawler.items import Article, Image
from crawler.rasters import raster_type
from crawler.runtime import reference_now
from crawler.store import OUTPUT_ERRORS, SaveOutcome
from crawler.store.imagefiles import missing_copies

if TYPE_CHECKING:
    from io import BytesIO

    from scrapy.crawler import Crawler


logger = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_REPAIRS_PER_RUN = 200  # archived articles whose missing image copies one crawl fetches again
NOT_WRITTEN = "not written: "
NOT_REACHED = "host not reached: "  # given up for this run (crawler.downloadermiddlewares.unreachable)
REPAIR = "(missing image copies)"  # the source of the items that fetch them (not a config name)
# Only names: what a file holds is judged by its bytes (crawler.rasters), never by these.
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"})
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


class AtomicFilesStore(FSFilesStore):
    """Each image lands whole or not at all: a full disk leaves no 0-byte file that looks saved."""

    def persist_file(self, path: str, buf: BytesIO, info: Any, meta: Any = None, headers: Any = None) -> None:
        write_if_changed(self._get_filesystem_path(path), buf.getvalue())

    def stat_file(self, path: str, info: Any) -> dict[str, Any]:
        found = super().stat_file(path, info)
        # an empty file (left by a version that wrote in place) is not a saved image
        if found and self._get_filesystem_path(path).stat().st_size == 0:
            return {}
        return found


class ArchiveImagesPipeline(FilesPipeline):
    """Download the images of articles that are archived (new or changed), never twice."""

    STORE_SCHEMES = {**FilesPipeline.STORE_SCHEMES, "": AtomicFilesStore, "file": AtomicFilesStore}

    def __init__(self, store_uri: str, *, crawler: Crawler, resources: CrawlResources):
        super().__init__(store_uri, crawler=crawler)
        self.resources = resources
        self.repair: Deferred[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        resources = CrawlResources.of(crawler)
        if not resources.config.archive.images:
            raise NotConfigured
        # Scrapy's FSFilesStore checks for its folder, then makes it: two `crawl --worker`
        # processes starting together on one data dir would both make it, and one fail.
        # A folder that cannot be made fails each image write instead, one line each.
        with contextlib.suppress(OSError):
            resources.config.images_dir.mkdir(parents=True, exist_ok=True)
        pipeline = cls(str(resources.config.archive_dir), crawler=crawler, resources=resources)
        crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        return pipeline

    def spider_idle(self) -> None:
        """When the crawl has nothing left, fetch the images archived articles still lack."""
        if self.repair is None:
            source = getattr(self.crawler.spider, "source_config", None)
            if source is None:
                self.repair = succeed(None)
                return
            since = reference_now(self.crawler.settings) - timedelta(days=float(source.max_age_days))
            try:
                backlog = missing_copies(self.resources.store.engine, source.name,
                                         self.resources.config.archive_dir, since, MAX_REPAIRS_PER_RUN)
            except OUTPUT_ERRORS as error:
                logger.warning("Could not look for missing image copies: %s", error)
                backlog = []
            self.repair = deferred_from_coro(self._fetch_missing(backlog)) if backlog else succeed(None)
        if not self.repair.called:
            raise DontCloseSpider

    async def _fetch_missing(self, backlog: list[tuple[int, str, list[str]]]) -> None:
        logger.info("Fetching %d archived article(s)' missing image copies", len(backlog))
        for article_id, url, image_urls in backlog:
            item = Article(url=url, source=REPAIR, spider="", site_name="", site_id="", title="", body_html="",
                           images=[Image(u) for u in image_urls], stored_id=article_id)
            await self.process_item(item)

    def get_media_requests(self, item: Article, info: Any) -> list[Request]:
        wanted = item.source == REPAIR or (
            item.topics and item.save_outcome in (SaveOutcome.NEW, SaveOutcome.UPDATED))
        if not wanted:
            return []
        urls = dict.fromkeys(image.url for image in item.images if image.url.startswith(("http://", "https://")))
        return [
            Request(url, headers=referer_for(url, item.url),
                    # image hosts (ifengimg.com, 1sapp.com) are not the spider's own domains
                    meta={"download_maxsize": MAX_IMAGE_BYTES, "allow_offsite": True})
            for url in urls
        ]

    async def media_downloaded(self, response: Any, request: Request, info: Any, *, item: Any = None) -> Any:
        # Each refusal is reported here in one line, then filtered (no traceback, no error).
        if response.status != 200 or not response.body:
            logger.warning("Image not saved (HTTP %s): %s", response.status, request.url)
            raise IgnoreRequest(f"image HTTP {response.status}")
        if raster_type(response.body) is None:
            self.crawler.stats.inc_value("topicfeed/images_not_raster")
            logger.warning("Image not saved (not a JPEG, PNG, GIF, WebP or AVIF image): %s", request.url)
            raise IgnoreRequest("not a raster image")
        path = self.file_path(request, response=response, info=info, item=item)
        try:
            checksum = await self.file_downloaded(response, request, info, item=item)
        except OSError as error:
            logger.warning("Image not saved (%s): %s", describe_os_error(error), request.url)
            raise IgnoreRequest(f"{NOT_WRITTEN}{error}") from None
        self.inc_stats("downloaded")
        return {"url": request.url, "path": path, "checksum": checksum, "status": "downloaded"}

    def media_failed(self, failure: Failure, request: Request, info: Any) -> NoReturn:
        if failure.check(HostUnreachable):  # its host's one warning line said why
            failure = Failure(IgnoreRequest(f"{NOT_REACHED}{failure.getErrorMessage()}"))
        elif not failure.check(IgnoreRequest):
            logger.warning("Image not saved (%s): %s", failure.getErrorMessage(), request.url)
            failure = Failure(IgnoreRequest(failure.getErrorMessage()))
        super().media_failed(failure, request, info)

    def file_path(self, request: Request, response: Any = None, info: Any = None, *, item: Any = None) -> str:
        return image_path(request.url)

    def item_completed(self, results: list[tuple[bool, Any]], item: Article, info: Any) -> Article:
        saved = {result["url"]: result["path"] for ok, result in results if ok}
        # results come in the order of the requests; a failure does not say its URL
        urls = [request.url for request in self.get_media_requests(item, info)]
        # an image the disk could not take, or whose host was down this run, is not failed for
        # good: a later crawl fetches it again
        failed = [url for url, (ok, result) in zip(urls, results, strict=False)
                  if not ok and not any(mark in result.getErrorMessage() for mark in (NOT_WRITTEN, NOT_REACHED))]
        if failed:
            self.crawler.stats.inc_value("topicfeed/images_failed", len(failed))
        if saved or failed:
            try:
                self.resources.store.set_local_images(item.stored_id, saved, failed)
            except OUTPUT_ERRORS as error:
                logger.error("Could not record local images of %s: %s", item.url, error)
        return item
