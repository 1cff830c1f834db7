"""Any news site from what a browser shows: list pages, sitemaps and feeds (DESIGN §11).

The source's regexes say which links are articles (``article_urls``) and which are more list
pages to follow (``list_urls``); articles are extracted by ``crawler.extract``, whatever the
site's template, and an article split over pages is followed to its last page and joined.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.http import Response
from scrapy.utils.gz import gunzip

from crawler.extract import ExtractedPage, extract_page
from crawler.extract.body import text_chars
from crawler.extract.fields import url_date
from crawler.items import Article
from crawler.store.skipped import SkipReason
from spiders.base import SourceSpider
from spiders.parsing import http_validators
from spiders.webargs import ARGUMENTS, WebArgs, web_args
from spiders.weblinks import Entry, classify_links, feed_entries, site_id, sitemap_entries
from spiders.weblistings import ListWalk, list_family, sitemap_reach, unchanged_since_pass

if TYPE_CHECKING:
    from twisted.python.failure import Failure

__all__ = ["WebSpider", "classify_links"]

MAX_ARTICLE_PAGES = 20  # pages of one article (_2.html …): a loop guard, not a real limit
MAX_SITEMAPS = 50  # sub-sitemaps followed from indexes, per run
NEAR_EMPTY_CHARS = 100  # a body this short is most likely a template the extractor missed


@dataclass(frozen=True)
class Partial:
    """An article read so far: its first page's fields and every page's body."""

    url: str
    first: ExtractedPage
    bodies: tuple[str, ...]
    seen: tuple[str, ...]
    listed: datetime | None
    validators: tuple[tuple[str, str], ...]


class WebSpider(SourceSpider):
    name = "web"
    arguments = ARGUMENTS

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.web: WebArgs = web_args(self.args)
        self._list_pages = 0
        self._sitemaps = 0
        self._queued: set[str] = set()
        self._lists_begun: set[str] = set()  # list families (spiders.weblistings)

    # --- discovery ----------------------------------------------------------------------

    def discover(self) -> Iterator[Request]:
        for url in self.web.start_urls:
            self._queued.add(url)
            self._lists_begun.add(list_family(url))
            yield self.page_request(url, self.parse_list)
        for url in self.web.sitemaps:
            self._queued.add(url)
            yield self.page_request(url, self.parse_sitemap)
        for url in self.web.feeds:
            yield self.page_request(url, self.parse_feed)

    def parse_list(self, response: Response, walk: ListWalk | None = None) -> Iterator[Request]:
        walk = walk or ListWalk(self.begin_listing(list_family(response.url)))
        links = classify_links(response.body, response.url, self.web)
        self.note_list_page(len(links.articles))
        entries = [Entry(url, self._url_day_end(url)) for url in links.articles]
        yield from self.follow_articles([Entry(url) for url in links.articles])  # a list page gives no time
        frontier = [url for url in walk.frontier if url not in self._queued]
        for url in links.lists:
            family = list_family(url)
            if url in self._queued or url in frontier:
                continue
            if family == walk.listing:
                frontier.append(url)
            elif family not in self._lists_begun and self._list_pages < self.web.max_list_pages:
                # another list (a column the home page links): its own listing; one already
                # begun in this crawl reaches its pages through its own links
                self._lists_begun.add(family)
                self._queued.add(url)
                self._list_pages += 1
                yield self.page_request(url, self.parse_list)
        walk = replace(walk, frontier=tuple(frontier))
        times = [entry.published for entry in entries]
        wanted = [(e.url, e.published) for e in entries if not self.known.is_too_old(e.published)]
        at_cap = self._list_pages >= self.web.max_list_pages
        if walk.failed:  # no pass to record: only the age limit and the cap stop it
            carry_on = not (times and all(self.known.is_too_old(t) for t in times)) and not at_cap
            passed = walk.walk if carry_on and walk.frontier else None
        else:
            passed = self.next_page(walk.walk, times, wanted, at_end=not walk.frontier, at_cap=at_cap)
        if passed is not None:
            yield from self._next_list_page(replace(walk, walk=passed))

    def _next_list_page(self, walk: ListWalk) -> Iterator[Request]:
        frontier = [url for url in walk.frontier if url not in self._queued]
        if not frontier or self._list_pages >= self.web.max_list_pages:
            return
        self._queued.add(frontier[0])
        self._list_pages += 1
        yield Request(frontier[0], callback=self.parse_list, errback=self.list_page_failed,
                      cb_kwargs={"walk": replace(walk, frontier=tuple(frontier[1:]))})

    def list_page_failed(self, failure: Failure) -> Iterator[Request]:
        """A list page that failed: its pass never completes, so the next crawl pages on past it;
        this one goes on to the list's other pages."""
        self.request_failed(failure)
        walk: ListWalk = failure.request.cb_kwargs["walk"]
        yield from self._next_list_page(replace(walk, failed=True))

    def parse_sitemap(self, response: Response, walk: ListWalk | None = None) -> Iterator[Request]:
        walk = walk or ListWalk(self.begin_listing(f"sitemap:{response.url}"))
        sitemaps, pages = sitemap_entries(_xml_body(response))
        articles = [entry for entry in pages if self.web.is_article(entry.url)]
        self.note_list_page(len(articles))
        yield from self.follow_articles(pages)
        frontier = list(walk.frontier)
        for entry in sitemaps:
            if entry.url in self._queued or entry.url in frontier or self.known.is_too_old(entry.published):
                continue  # a sitemap last changed before the age limit lists nothing newer
            if unchanged_since_pass(walk.walk.previous, entry.published):
                self.crawler.stats.inc_value("topicfeed/listing_stopped_early")
                walk = replace(walk, skipped=True)
                continue
            frontier.append(entry.url)
        passed = walk.walk.after_page([e.published for e in articles],
                                      [(e.url, e.published) for e in articles
                                       if not self.known.is_too_old(e.published)])
        walk = replace(walk, walk=passed, frontier=tuple(frontier))
        if not frontier:
            if not walk.failed:
                self.listings.complete(passed, sitemap_reach(walk))
            return
        if self._sitemaps >= MAX_SITEMAPS:
            return  # capped: no pass recorded
        self._sitemaps += 1
        self._queued.add(frontier[0])
        yield Request(frontier[0], callback=self.parse_sitemap, errback=self.sitemap_failed,
                      cb_kwargs={"walk": replace(walk, frontier=tuple(frontier[1:]))})

    def sitemap_failed(self, failure: Failure) -> Iterator[Request]:
        self.request_failed(failure)
        walk: ListWalk = failure.request.cb_kwargs["walk"]
        if walk.frontier and self._sitemaps < MAX_SITEMAPS:
            self._sitemaps += 1
            yield Request(walk.frontier[0], callback=self.parse_sitemap, errback=self.sitemap_failed,
                          cb_kwargs={"walk": replace(walk, frontier=walk.frontier[1:], failed=True)})

    def parse_feed(self, response: Response) -> Iterator[Request]:
        walk = self.begin_listing(f"feed:{response.url}")
        entries = [entry for entry in feed_entries(_xml_body(response)) if self.web.is_article(entry.url)]
        self.note_list_page(len(entries))
        yield from self.follow_articles(entries)
        self.next_page(walk, [e.published for e in entries],
                       [(e.url, e.published) for e in entries if not self.known.is_too_old(e.published)],
                       at_end=True)

    def follow_articles(self, entries: list[Entry]) -> Iterator[Request]:
        """Only links matching article_urls, younger than max_age_days by what the listing says."""
        for entry in entries:
            if not self.web.is_article(entry.url) or entry.url in self._queued:
                continue
            self._queued.add(entry.url)
            listed = entry.published or self._url_day_end(entry.url)
            if self.known.is_too_old(listed):
                self.skip_link(entry.url, SkipReason.TOO_OLD, listed)
                continue
            yield self.article_request(entry.url, self.parse_article, listed=entry.published)

    @staticmethod
    def _url_day_end(url: str) -> datetime | None:
        """The end of the day an article URL is dated (the URL gives no time: be generous)."""
        dated = url_date(url)
        return dated.value + timedelta(days=1) if dated else None

    # --- articles -----------------------------------------------------------------------

    def parse_article(self, response: Response, listed: datetime | None = None) -> Iterator[Any]:
        page = self._extract(response, response.url)
        if page is None:
            return
        partial = Partial(url=response.url, first=page, bodies=(page.body_html,), seen=(response.url,),
                          listed=listed, validators=tuple(http_validators(response.headers).items()))
        yield from self._continue(partial, page.next_page)

    def parse_next_page(self, response: Response, partial: Partial) -> Iterator[Any]:
        page = self._extract(response, partial.url, record=False)
        if page is None:
            yield self.finish(partial)
            return
        partial = replace(partial, bodies=(*partial.bodies, page.body_html), seen=(*partial.seen, response.url))
        yield from self._continue(partial, page.next_page)

    def _continue(self, partial: Partial, next_url: str | None) -> Iterator[Any]:
        if next_url and next_url not in partial.seen and len(partial.seen) < MAX_ARTICLE_PAGES:
            yield Request(next_url, callback=self.parse_next_page, cb_kwargs={"partial": partial},
                          errback=self.next_page_failed)
            return
        article = self.finish(partial)
        if article is not None:
            yield article

    def next_page_failed(self, failure: Failure) -> Iterator[Article]:
        """A later page of an article failed: keep the pages read, report the one missing."""
        self.request_failed(failure)
        article = self.finish(failure.request.cb_kwargs["partial"])
        if article is not None:
            yield article

    def _extract(self, response: Response, first_url: str, record: bool = True) -> ExtractedPage | None:
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        try:
            page = extract_page(response.body, response.url, content_type, first_url=first_url)
        except ValueError as exc:  # lxml: a document it cannot parse at all
            page, problem = None, f"not parsed: {exc}"
        else:
            problem = "" if page.title and text_chars(page.body_html) else "not parsed: no title or no body text"
        if problem:
            self.logger.warning("Article page %s %s", response.url, problem)
            self.report_error(f"{response.url}: article {problem}")
            if record:
                self.note_article_page(parsed=False)
                self.known.record_failure(response.url, self.source_name, problem)
            return None
        if record:
            self.note_article_page(parsed=True)
        return page

    def finish(self, partial: Partial) -> Article | None:
        first = partial.first
        body = "\n".join(partial.bodies)
        if text_chars(body) < NEAR_EMPTY_CHARS:
            self.crawler.stats.inc_value("topicfeed/body_near_empty")
        published = first.published or partial.listed
        if self.known.is_too_old(self.sane_time(published, partial.listed)):
            self.crawler.stats.inc_value("topicfeed/too_old")
            self.known.record_failure(partial.url, self.source_name, "older than max_age_days")
            self.skip_link(partial.url, SkipReason.TOO_OLD, self.sane_time(published, partial.listed), fetched=True)
            return None
        if len(partial.seen) > 1:
            self.crawler.stats.inc_value("topicfeed/article_pages_joined", len(partial.seen) - 1)
        return Article(
            url=partial.url,
            source=self.source_name,
            spider=self.name,
            site_name=first.site_name,
            site_id=site_id(partial.url, self.web.id_pattern),
            title=first.title,
            body_html=body,
            published=published,
            listed=partial.listed,
            outlet=first.outlet,
            author=first.author,
            editor=first.editor,
            keywords=list(first.keywords),
            **dict(partial.validators),
        )


def _xml_body(response: Response) -> bytes:
    body = response.body
    if body[:2] == b"\x1f\x8b":  # sitemap.xml.gz
        try:
            return gunzip(body, max_size=50 * 1024 * 1024)
        except OSError:
            return b""
    return body
