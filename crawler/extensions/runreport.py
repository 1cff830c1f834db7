"""Run reporting: what a crawl did, counted, and the run record kept in the store.

(What it shows while it runs, the progress line and the heartbeat: crawler.extensions.console.)
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals

from crawler.downloadermiddlewares.unreachable import UNREACHABLE_STAT, ConnectionFailure
from crawler.extensions.resources import CrawlResources
from crawler.outcomes import RunOutcome, RunState, RunStats, SaveOutcome
from crawler.signals import run_error
from crawler.store import OUTPUT_ERRORS
from crawler.text.dates import utcnow

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)


DOWNLOAD_FAILURE_REASONS = {
    "HttpError": "HTTP error",
    "DownloadTimeoutError": "timed out",
    "ResponseDataLossError": "response cut short (data loss)",
    "DownloadCancelledError": "refused: larger than DOWNLOAD_MAXSIZE",
    "CannotResolveHostError": "DNS lookup failed",
    "DownloadConnectionRefusedError": "connection refused",
    "TimeoutError": "timed out",
    "TCPTimedOutError": "timed out",
    "ResponseFailed": "connection broken mid-response",
    "ResponseNeverReceived": "no response",
    "ConnectionRefusedError": "connection refused",
    "ConnectionLost": "connection lost",
    "CancelledError": "download cancelled (larger than DOWNLOAD_MAXSIZE?)",
    "DNSLookupError": "DNS lookup failed",
}


def describe_failure(failure: Failure, url: str) -> str:
    response = getattr(failure.value, "response", None)
    if response is not None:
        reason = f"HTTP {response.status}"
    elif failure.type.__name__ in DOWNLOAD_FAILURE_REASONS:
        reason = DOWNLOAD_FAILURE_REASONS[failure.type.__name__]
    else:  # e.g. IgnoreRequest("max redirections reached")
        reason = failure.getErrorMessage()[:120] or failure.type.__name__
    return f"{url}: {reason}"

MAX_RECORDED_ERRORS = 50
MIN_FAILURES_FOR_ALARM = 3  # one odd broken page among known ones is not a site change
NEAR_EMPTY_SHARE_FOR_ALARM = 0.8  # a few short notices are normal; nearly all of them is not


@dataclass
class RunCounts:
    pages: int = 0
    new: int = 0
    updated: int = 0
    duplicates: int = 0
    errors: int = 0
    error_lines: list[str] = field(default_factory=list)
    unreachable: dict[str, ConnectionFailure] = field(default_factory=dict)  # hosts given up

    def stats(self) -> RunStats:
        hosts = tuple(f"{host} ({failure.cause})" for host, failure in self.unreachable.items())
        return RunStats(self.pages, self.new, self.updated, self.duplicates, self.errors, hosts)

    def line(self, source: str) -> str:
        return f"{source}: {self.stats().line()}"


def breakage(stats: dict[str, Any]) -> str:
    """Why a run looks like the site changed under the spider, or "" when it looks healthy.

    A source with no new articles is healthy: its lists still hold links and its pages parse.
    """
    parsed = stats.get("topicfeed/article_parsed", 0)
    failed = stats.get("topicfeed/article_parse_failed", 0)
    if failed >= MIN_FAILURES_FOR_ALARM and not parsed:
        return f"0 of {failed} article pages parsed"
    near_empty = stats.get("topicfeed/body_near_empty", 0)  # the web spider's extracted bodies
    if parsed >= MIN_FAILURES_FOR_ALARM and near_empty >= parsed * NEAR_EMPTY_SHARE_FOR_ALARM:
        return f"{near_empty} of {parsed} article bodies near-empty: the page template may have changed"
    list_pages = stats.get("topicfeed/list_pages", 0)
    if list_pages and not stats.get("topicfeed/list_links", 0) and not parsed:
        return f"no article links on {list_pages} list page{'s' if list_pages > 1 else ''}"
    return ""


class RunReporter:
    """Counts what a crawl did and records the run in the store."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.resources: CrawlResources | None = None  # found on spider_opened, as extensions find each other
        self.counts = RunCounts()
        self.run_id: int | None = None
        self.started = utcnow()
        self.source = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        reporter = cls(crawler)
        crawler.signals.connect(reporter.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(reporter.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(reporter.response_received, signal=signals.response_received)
        crawler.signals.connect(reporter.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(reporter.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(reporter.spider_error, signal=signals.spider_error)
        crawler.signals.connect(reporter.item_error, signal=signals.item_error)
        crawler.signals.connect(reporter.error, signal=run_error)
        return reporter

    def spider_opened(self, spider: Spider) -> None:
        self.resources = CrawlResources.of(self.crawler)
        self.source = self.resources.source
        self.started = utcnow()
        try:
            self.run_id = self.resources.store.start_run(self.source, self.started)
        except OUTPUT_ERRORS as error:  # the store is locked beyond its busy timeout, say
            # the crawl goes on; its run is recorded when it ends (spider_closed tries again)
            logger.warning("Could not record the start of the run of %s (%s); recording it at the end",
                           self.source, error.orig if hasattr(error, "orig") else error)

    def response_received(self, response: Response, request: Any, spider: Spider) -> None:
        self.counts.pages += 1

    def item_scraped(self, item: Any, response: Any, spider: Spider) -> None:
        outcome = getattr(item, "save_outcome", None)
        if outcome is SaveOutcome.NEW:
            self.counts.new += 1
        elif outcome is SaveOutcome.UPDATED:
            self.counts.updated += 1

    def item_dropped(self, item: Any, response: Any, exception: Exception, spider: Spider) -> None:
        outcome = getattr(item, "save_outcome", None)
        if outcome is not None and outcome.is_duplicate:
            self.counts.duplicates += 1

    def spider_error(self, failure: Failure, response: Response | None, spider: Spider) -> None:
        where = response.url if response is not None else "start"  # None: the spider's start() raised
        self.error(f"{where}: {failure.type.__name__} while parsing: {failure.value}")

    def item_error(self, item: Any, response: Any, spider: Spider, failure: Failure) -> None:
        self.error(f"{getattr(item, 'url', item)}: {failure.type.__name__} while storing: {failure.value}")

    def error(self, line: str) -> None:
        """One failure of this run, in one line (spiders send these through ``run_error``)."""
        self.counts.errors += 1
        if len(self.counts.error_lines) < MAX_RECORDED_ERRORS:
            self.counts.error_lines.append(line)

    def outcome(self, reason: str) -> RunOutcome:
        if reason != "finished":
            return RunOutcome.failed(reason)
        if self.counts.errors and self.counts.pages == 0:
            return RunOutcome.failed("no page could be fetched")
        problem = breakage(self.crawler.stats.get_stats())
        return RunOutcome(RunState.UNHEALTHY, problem) if problem else RunOutcome.ok()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.counts.unreachable = dict(self.crawler.stats.get_value(UNREACHABLE_STAT) or {})
        # the hosts first: one line each says why all their pages failed
        self.counts.error_lines[:0] = [
            f"{host}: unreachable ({failure.cause}), given up for this run: {failure.detail}"
            for host, failure in self.counts.unreachable.items()]
        del self.counts.error_lines[MAX_RECORDED_ERRORS:]
        stats = {
            **dataclasses.asdict(self.counts.stats()),
            "skipped_known": self.crawler.stats.get_value("topicfeed/article_skipped_known", 0),
            "unmatched": self.crawler.stats.get_value("topicfeed/unmatched", 0),
            "dates_replaced": self.crawler.stats.get_value("topicfeed/dates_replaced", 0),
            "finish_reason": reason,
        }
        outcome = self.outcome(reason)
        if outcome.state is RunState.UNHEALTHY:
            logger.warning("%s looks broken: %s; the site may have changed its pages", self.source, outcome)
        self.crawler.stats.set_value("topicfeed/outcome", outcome)
        for name, value in stats.items():
            self.crawler.stats.set_value(f"topicfeed/run/{name}", value)
        if self.resources is not None:
            try:
                store = self.resources.store
                if self.run_id is None:
                    self.run_id = store.start_run(self.source, self.started)
                store.finish_run(self.run_id, utcnow(), outcome, stats, self.counts.error_lines)
            except OUTPUT_ERRORS as error:  # e.g. the disk that ended the run is still full
                logger.error("Could not record the run of %s: %s", self.source, error)
        logger.info("%s (%s)", self.counts.line(self.source), outcome)
