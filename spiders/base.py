"""What every source spider shares: its config source, paging limits and known articles."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Self

import scrapy
from scrapy import Request, signals
from scrapy.exceptions import CloseSpider

from crawler import signals as topicfeed_signals
from crawler.config import Config, ConfigError, Source, Topic
from crawler.downloadermiddlewares.known import ARTICLE_META, KnownArticleSkipped
from crawler.extensions.resources import CrawlResources
from crawler.extensions.runreport import describe_failure
from crawler.runtime import config_from_settings, load_config_once
from crawler.store.known import KnownArticles, RevisitPolicy
from crawler.store.listings import ListingLog, ListingPass
from crawler.store.skipped import SkipReason
from crawler.text.dates import sane_published, utcnow
from spiders.arguments import SpiderArguments

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from twisted.python.failure import Failure


class SourceSpider(scrapy.Spider):
    """Base for topicfeed spiders; subclasses parse, this class knows the source's config."""

    arguments: ClassVar[SpiderArguments] = SpiderArguments("source")  # each spider declares its own
    source_config: Source
    topics: tuple[Topic, ...]
    revisit_policy: RevisitPolicy  # what crawler.extensions.resources opens the known checks with

    def __init__(self, *args: Any, **kwargs: Any):
        declared = {name: kwargs.pop(name) for name in self.arguments.names if name in kwargs}
        self.args: dict[str, Any] = self.arguments.check(declared)  # typed, with the defaults
        super().__init__(*args, **kwargs)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """Called when the crawler is made: the config file is read here, once per crawl."""
        super().update_settings(settings)
        load_config_once(settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        config = config_from_settings(crawler.settings)
        source = cls._source_for(config, kwargs.pop("source", None))
        where = f"sources[{config.sources.index(source)}].args" if source in config.sources else "args"
        # Declared names left in kwargs came from ``scrapy crawl -a NAME=TEXT``: text, read as such.
        given = {name: kwargs.pop(name) for name in cls.arguments.names if name in kwargs}
        values = cls.arguments.check({**source.args, **given}, where=where, file=config.path, text=given)
        spider = super().from_crawler(crawler, *args, **values, **kwargs)
        spider.source_config = source
        spider.topics = config.topics
        spider.revisit_policy = RevisitPolicy(
            max_age=timedelta(days=float(kwargs.get("max_age_days", source.max_age_days))),
            revisit_after=timedelta(hours=float(kwargs.get("revisit_hours", source.revisit_hours))),
            force=crawler.settings.getbool("TOPICFEED_REVISIT"),
        )
        crawler.signals.connect(spider.record_listings, signal=signals.spider_closed)
        return spider

    @cached_property
    def resources(self) -> CrawlResources:
        return CrawlResources.of(self.crawler)

    @cached_property
    def listings(self) -> ListingLog:
        """The passes down this source's listings (crawler.store.listings), from spider_opened on."""
        return ListingLog(self.resources.store.engine)

    @property
    def known(self) -> KnownArticles:
        """What the store knows, through this source's revisit policy (open from spider_opened)."""
        known = self.resources.known
        if known is None:
            raise RuntimeError("the known-article checks open on spider_opened")
        return known

    @classmethod
    def _source_for(cls, config: Config, name: str | None) -> Source:
        if name:
            return config.source(name)
        configured = config.sources_for_spider(cls.name)
        if configured:
            return configured[0]
        if config.path is None:
            return Source(name=cls.name, spider=cls.name, schedule="0 * * * *")
        raise ConfigError(config.path, "sources", f"no source uses spider {cls.name!r}",
                          f"add a [[sources]] table with spider = {cls.name!r}")

    async def start(self) -> AsyncIterator[Request]:
        """Revisits first (the store knows them, however deep the lists hide them), then discovery."""
        try:
            for url in self.known.due_for_revisit(self.source_name):
                yield self.article_request(url, self.parse_article)
            for request in self.discover():
                yield request
        except Exception as error:  # noqa: BLE001 - any bug here fails this source's run, in one line
            reason = f"start failed: {type(error).__name__}: {error}"
            self.logger.debug("%s", reason, exc_info=True)
            raise CloseSpider(reason) from error

    def discover(self) -> Iterator[Request]:
        """The site's entry points: home pages, list APIs, searches."""
        raise NotImplementedError

    def parse_article(self, response: Any) -> Iterator[Any]:
        raise NotImplementedError

    @property
    def source_name(self) -> str:
        return self.source_config.name

    @property
    def topic_keywords(self) -> list[str]:
        return list(dict.fromkeys(kw for topic in self.topics for kw in topic.keywords))

    def page_request(self, url: str, callback: Any, **cb_kwargs: Any) -> Request:
        """A list, search or API page: always fetched."""
        return Request(url, callback=callback, cb_kwargs=cb_kwargs, errback=self.request_failed)

    def article_request(self, url: str, callback: Any, **cb_kwargs: Any) -> Request:
        """An article page: skipped by KnownArticleMiddleware when already archived."""
        return Request(url, callback=callback, cb_kwargs=cb_kwargs, errback=self.request_failed,
                       meta={ARTICLE_META: True})

    def request_failed(self, failure: Failure) -> None:
        if failure.check(KnownArticleSkipped):
            return
        request = failure.request
        if failure.check(scrapy.exceptions.IgnoreRequest) and "robots.txt" in failure.getErrorMessage():
            self.crawler.stats.inc_value("topicfeed/robots_disallowed")
            return
        self.report_error(describe_failure(failure, request.url))

    def report_error(self, line: str) -> None:
        """Record what failed in this run (shown by ``topicfeed status``)."""
        self.crawler.signals.send_catch_log(signal=topicfeed_signals.run_error, line=line)

    def page_failed(self, url: str, reason: str) -> None:
        """An article page that gave no article; the store remembers it (crawler.signals)."""
        self.crawler.signals.send_catch_log(signal=topicfeed_signals.page_failed, url=url, reason=reason)

    def skip_link(self, url: str, reason: SkipReason, published: datetime | None = None, *,
                  fetched: bool = False) -> None:
        """An article not taken: too old (by its list entry, or by its page when ``fetched``), or
        no topic keyword in its list entry. Counted; remembered a week for ``topicfeed explain``."""
        stats = self.crawler.stats
        if reason is SkipReason.TOO_OLD:
            if not fetched:
                stats.inc_value("topicfeed/too_old_listed")
            if published is not None:  # what a replay of only old articles suggests as TOPICFEED_NOW
                stats.max_value("topicfeed/too_old_newest", published.timestamp())
        self.crawler.signals.send_catch_log(signal=topicfeed_signals.link_skipped, url=url, reason=reason,
                                            published=published)

    def list_not_parsed(self, response: Response, kind: str, error: Exception) -> None:
        """A list, column or search page without the structure this spider reads."""
        self.logger.warning("%s page %s unusable: %s", kind, response.url, error)
        self.report_error(f"{response.url}: list not parsed: {error}")
        self.crawler.stats.inc_value("topicfeed/list_parse_failed")
        self.note_list_page(0)

    def article_not_parsed(self, response: Response, reason: str) -> None:
        """An article page without the structure this spider reads: counted, reported, remembered."""
        self.logger.warning("Article page %s not parsed: %s", response.url, reason)
        self.report_error(f"{response.url}: article not parsed: {reason}")
        self.note_article_page(parsed=False)
        self.page_failed(response.url, f"not parsed: {reason}")

    def note_list_page(self, links: int) -> None:
        """Count a list page and the article links found on it (the breakage alarm reads these)."""
        self.crawler.stats.inc_value("topicfeed/list_pages")
        self.crawler.stats.inc_value("topicfeed/list_links", links)

    @staticmethod
    def sane_time(published: datetime | None, listed: datetime | None = None) -> datetime | None:
        """The time the age limit judges: the one the article goes by (a page's date before 1990 or
        in the future counts as missing: its listing's time, crawler.text.prepare)."""
        return sane_published(published, listed, utcnow())

    def note_article_page(self, parsed: bool) -> None:
        self.crawler.stats.inc_value("topicfeed/article_parsed" if parsed else "topicfeed/article_parse_failed")

    # --- listings: where paging stops (DESIGN §5, crawler.store.listings) ------------------

    def begin_listing(self, listing: str) -> ListingPass:
        """A new pass down one of the source's listings (an ifeng column, a search keyword…)."""
        return self.listings.begin(self.source_name, listing)

    def next_page(self, walk: ListingPass, times: Sequence[datetime | None],
                  wanted: Sequence[tuple[str, datetime | None]], *, at_end: bool = False,
                  at_cap: bool = False) -> ListingPass | None:
        """After one list page: the pass to carry on to the next page, or None to stop here.

        ``times``: when each article the page lists was published; ``wanted``: the articles
        asked for from it (young, past any prefilter) with their times. Paging stops at the
        listing's end, at a page of only articles older than max_age_days, at the page cap,
        or at a page of only stored articles that the last completed pass covered from there on.
        """
        walk = walk.after_page(times, wanted)
        if at_end:
            self.listings.complete(walk, walk.reach_to_end())
            return None
        if times and all(self.known.is_too_old(t) for t in times):
            self.listings.complete(walk, walk.reach_to_age_limit())
            return None
        urls = [url for url, _ in wanted]
        page_oldest = min((t for t in times if t is not None), default=None)
        if urls and walk.covered_from(page_oldest) and len(self.known.stored(urls)) == len(urls):
            self.crawler.stats.inc_value("topicfeed/listing_stopped_early")
            self.listings.complete(walk, walk.reach_joined())
            return None
        return None if at_cap else walk

    def record_listings(self) -> None:
        """At the crawl's close: record the passes it completed (spider_closed, before the
        store closes)."""
        if "listings" in self.__dict__:  # some listing was paged
            self.listings.write_completed(self.known.still_missing, utcnow())
