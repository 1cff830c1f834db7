"""Qutoutiao (趣头条): the content/outList API per category, then the static article pages."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

import lxml.html
from scrapy import Request
from scrapy.http import HtmlResponse, Response

from crawler.items import Article, Image
from crawler.store.listings import ListingPass
from crawler.store.skipped import SkipReason
from crawler.text.dates import parse_site_time
from crawler.text.htmlclean import resolve_images
from crawler.text.topics import TopicMatcher
from crawler.text.urls import absolute, canonical_url, unwrap_proxy
from spiders.arguments import Count, Flag, Numbers, SpiderArguments
from spiders.base import SourceSpider
from spiders.parsing import as_int, http_validators, load_json

LIST_URL = "http://api.1sapp.com/content/outList?cid={cid}&tn=1&page=1&limit={limit}"
SITE_NAME = "趣头条"
ARTICLE_URL = re.compile(
    r"^https?://(?:html\d*\.qktoutiao\.com|html\.shehuitu\.com)"
    r"/detail/\d{4}/\d{2}/\d{2}/(?P<id>\d+)\.html(?:[?#]|$)"
)
# div.info: "2025-07-21 22:06:15 红星新闻" or "2025-07-21 22:06 红星新闻"; the account comes last.
INFO_TIME = re.compile(r"^\s*(\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?)")
# The page's inline script: "nickname:'证券时报'," (a JavaScript string: backslash escapes).
PAGE_NICKNAME = re.compile(r"""\bnickname\s*:\s*'((?:[^'\\\n]|\\.)*)'""")
NICKNAME_SCRIPT = "//script[contains(., 'nickname')]/text()"
# Inside div.content but not content: scripts and the image viewer (#img).
CONTENT_JUNK = ".//script | .//style | .//*[@id='img']"
# Channel ids of the list API (shared/sites/README.md §1.2).
CATEGORY_NAMES = {
    255: "推荐", 1: "热点", 2: "搞笑", 3: "奇闻", 4: "励志", 5: "养生", 6: "娱乐", 7: "科技",
    8: "生活", 9: "汽车", 10: "财经", 11: "情感", 12: "美食", 13: "体育", 14: "时尚", 15: "军事",
    16: "旅行", 17: "育儿", 18: "星座", 19: "游戏", 20: "天气", 23: "历史", 25: "动漫", 27: "三农",
    28: "国际", 29: "故事", 30: "收藏", 40: "新时代", 42: "健康", 45: "彩票", 46: "摄影",
    50: "房产", 51: "家居",
}


@dataclass(frozen=True)
class ListItem:
    """What a list item says about an article; merged with the page, passed in cb_kwargs."""

    content_id: str
    url: str
    title: str
    introduction: str
    cover: str
    keywords: tuple[str, ...]
    author: str
    outlet: str  # source_name: the publisher the account posts for ("" when the list leaves it out)
    published: datetime | None
    category: str

    @classmethod
    def unlisted(cls, url: str) -> ListItem:
        return cls(content_id=article_id(url) or "", url=url, title="", introduction="", cover="",
                   keywords=(), author="", outlet="", published=None, category="")


def is_ad(raw: dict[str, Any]) -> bool:
    return not raw.get("id") or raw.get("type") == "ad"


def article_id(url: str) -> str | None:
    match = ARTICLE_URL.match(url)
    return match.group("id") if match else None


def real_url(url: Any) -> str:
    """A URL as given by the API: HTML-escaped in old answers, maybe behind a proxy prefix."""
    return absolute(unwrap_proxy(html.unescape(str(url or ""))))


def list_item(raw: dict[str, Any], cid: int) -> ListItem | None:
    """A non-ad list item as a ListItem, or None when it is no article page we can parse."""
    url = real_url(raw.get("url"))
    if str(raw.get("content_type", "1")) != "1" or not article_id(url):
        return None  # videos, image sets and links elsewhere have no div.article page
    covers = raw.get("cover") or []
    if isinstance(covers, str):
        covers = [covers]
    if not isinstance(covers, list):  # "cover": 5
        covers = []
    tags = raw.get("tag") or []
    return ListItem(
        content_id=str(raw["id"]),
        url=url,
        title=str(raw.get("title") or ""),
        introduction=str(raw.get("introduction") or ""),
        cover=real_url(covers[0]) if covers else "",
        keywords=tuple(str(t) for t in tags) if isinstance(tags, list) else (),
        author=str(raw.get("nickname") or raw.get("source_name") or ""),
        outlet=str(raw.get("source_name") or ""),
        published=parse_site_time(raw.get("publish_time")) or parse_site_time(raw.get("show_time")),
        category=CATEGORY_NAMES.get(cid, ""),
    )


def parse_info(text: str) -> tuple[datetime | None, str]:
    """div.info → (published, account); either may be missing."""
    match = INFO_TIME.match(text)
    published = parse_site_time(match.group(1)) if match else None
    rest = text[match.end():] if match else text
    tokens = rest.split()
    return published, tokens[-1] if tokens else ""


def page_nickname(script: str) -> str:
    """The account name the page's inline script gives (``nickname:'…'``), or ""."""
    match = PAGE_NICKNAME.search(script)
    return re.sub(r"\\(.)", r"\1", match.group(1)).strip() if match else ""


def content_html(element_html: str) -> str:
    """The inner HTML of div.content without its scripts and image-viewer junk."""
    content = lxml.html.fragment_fromstring(element_html)
    for junk in content.xpath(CONTENT_JUNK):
        junk.drop_tree()
    inner = [content.text or ""]
    inner += [lxml.html.tostring(child, encoding="unicode") for child in content]
    return "".join(inner).strip()


def images_of(body_html: str) -> list[Image]:
    """The resolved body's images with the width/height that resolve_images took from data-size."""
    if not body_html.strip():
        return []
    images = []
    for node in lxml.html.fragments_fromstring(body_html):
        if isinstance(node, str):
            continue
        for img in node.iter("img"):
            if img.get("src"):
                images.append(Image(img.get("src"), as_int(img.get("width")), as_int(img.get("height"))))
    return images


def crawl_plan(args: Mapping[str, Any], keywords: Sequence[str]) -> list[str]:
    """What a source of this spider would crawl (``topicfeed check``)."""
    names = ", ".join(f"{cid} {CATEGORY_NAMES.get(cid, '(not a known category)')}" for cid in args["categories"])
    lines = ["hosts: api.1sapp.com (list API), html*.qktoutiao.com (articles)",
             f"listings: categories {names}, up to {args['max_pages']} pages of {args['limit']} items each"]
    if args["prefilter"]:
        lines.append(f"fetched: list items whose title or introduction holds a topic keyword "
                     f"({', '.join(keywords) or 'none'}; prefilter = true)")
    else:
        lines.append("fetched: every young list item (prefilter = false)")
    return lines


ARGUMENTS = SpiderArguments("qutoutiao", (
    Numbers(name="categories", default=(255,), names=CATEGORY_NAMES, what="category id"),
    Flag(name="prefilter", default=True),
    Count(name="max_pages", default=10),
    Count(name="limit", default=20),
), plan=crawl_plan)


class QutoutiaoSpider(SourceSpider):
    """Lists each category with outList (paging by min_time), fetches matching articles.

    There is no public search, so with ``prefilter`` on (the default) only list items whose
    title or introduction holds a topic keyword are fetched.
    """

    name = "qutoutiao"
    allowed_domains = ["1sapp.com", "qktoutiao.com", "shehuitu.com"]
    arguments = ARGUMENTS

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.categories: tuple[int, ...] = self.args["categories"]
        self.prefilter: bool = self.args["prefilter"]
        self.max_pages: int = self.args["max_pages"]
        self.limit: int = self.args["limit"]
        self._requested: set[str] = set()  # canonical URLs: the same article under new keys

    @cached_property
    def matcher(self) -> TopicMatcher:
        return TopicMatcher(self.topics)

    def discover(self) -> Iterator[Request]:
        for cid in self.categories:
            yield self.list_request(cid, page=1, min_time=None)

    def list_request(self, cid: int, *, page: int, min_time: int | None, walk: ListingPass | None = None
                     ) -> Request:
        url = LIST_URL.format(cid=cid, limit=self.limit)
        if min_time is not None:
            url += f"&min_time={min_time}"
        return self.page_request(url, self.parse_list, cid=cid, page=page, min_time=min_time, walk=walk)

    # --- lists --------------------------------------------------------------------------

    def parse_list(self, response: Response, cid: int, page: int, min_time: int | None,
                   walk: ListingPass | None = None) -> Iterator[Request]:
        walk = walk or self.begin_listing(f"category:{cid}")
        try:
            data = load_json(response.body)["data"]  # JSON bytes: UTF-8 whatever the headers say
            raw_items = data.get("data") or []
            if not isinstance(raw_items, list):
                raise TypeError(f"data.data is a {type(raw_items).__name__}, not a list")
            next_min_time = as_int(data.get("min_time"))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:  # PageParseError is a ValueError
            self.list_not_parsed(response, "outList", exc)
            return
        items = self.list_items(raw_items, cid)
        self.note_list_page(len(items))
        candidates = [item for item in items if self.wanted(item)]
        for item in candidates:
            request = self.article_request_for(item)
            if request is not None:
                yield request
        # A page without candidates does not stop paging: the prefilter may just have found
        # nothing on it, and a page of ads and videos says nothing about the next one.
        walk = self.next_page(walk, [item.published for item in items],
                              [(item.url, item.published) for item in candidates],
                              at_end=not raw_items or next_min_time in (None, min_time),
                              at_cap=page >= self.max_pages)
        if walk is not None:
            yield self.list_request(cid, page=page + 1, min_time=next_min_time, walk=walk)

    def list_items(self, raw_items: list[Any], cid: int) -> list[ListItem]:
        """The article items of a list answer; ads and other items are counted and left out."""
        items = []
        for raw in raw_items:
            if isinstance(raw, dict) and is_ad(raw):
                self.crawler.stats.inc_value("topicfeed/ads_skipped")
                continue
            try:
                item = list_item(raw, cid) if isinstance(raw, dict) else None
            except (TypeError, ValueError, AttributeError, KeyError):
                item = None  # a malformed item costs itself only, never its list
            if item is None:
                self.crawler.stats.inc_value("topicfeed/list_item_skipped")
                continue
            items.append(item)
        return items

    def wanted(self, item: ListItem) -> bool:
        if self.known.is_too_old(item.published):
            self.skip_link(item.url, SkipReason.TOO_OLD, item.published)
            return False
        if self.prefilter and not self.matcher.any_keyword_in(item.title, item.introduction):
            self.crawler.stats.inc_value("topicfeed/prefiltered_out")
            self.skip_link(item.url, SkipReason.NO_KEYWORD, item.published)
            return False
        return True

    def article_request_for(self, item: ListItem) -> Request | None:
        canonical = canonical_url(item.url)
        if canonical in self._requested:  # listed again (another category, another key)
            return None
        self._requested.add(canonical)
        request = self.article_request(item.url, self.parse_article, listing=item)
        # A deleted article is a 404 whose body says NoSuchKey: parse_article must see it.
        request.meta["handle_httpstatus_list"] = [404]
        return request

    # --- articles -----------------------------------------------------------------------

    def parse_article(self, response: Response, listing: ListItem | None = None) -> Iterator[Article]:
        """``listing`` is None for a revisit the store asked for: the page alone then."""
        listing = listing or ListItem.unlisted(response.url)
        if b"NoSuchKey" in response.body:
            self.logger.info("Deleted article (NoSuchKey): %s", canonical_url(response.url))
            self.crawler.stats.inc_value("topicfeed/deleted")
            self.page_failed(response.url, "deleted (NoSuchKey)")
            return
        if response.status == 404:
            self.logger.info("Article page gone (HTTP 404): %s", canonical_url(response.url))
            self.crawler.stats.inc_value("topicfeed/article_not_found")
            self.page_failed(response.url, "HTTP 404")
            return
        article = self.article_from_page(response, listing)
        if article is None:
            return
        if self.known.is_too_old(self.sane_time(article.published, article.listed)):
            self.crawler.stats.inc_value("topicfeed/too_old")
            self.page_failed(response.url, "older than max_age_days")
            self.skip_link(response.url, SkipReason.TOO_OLD, self.sane_time(article.published, article.listed),
                           fetched=True)
            return
        yield article

    def article_from_page(self, response: Response, listing: ListItem) -> Article | None:
        # The pages are static UTF-8 files; the object store may label them otherwise or not at all.
        response = response.replace(cls=HtmlResponse, encoding="utf-8")
        article = response.css("div.article")
        title = " ".join(article.css("h1").xpath("string()").get("").split()) or listing.title
        content = article.css("div.content") or response.css("div.content")
        if not title or not content:
            self.article_not_parsed(response, "no div.content")
            return None
        self.note_article_page(parsed=True)
        published, account = parse_info(article.css("div.info").xpath("string()").get(""))
        body = resolve_images(content_html(content[0].get()), response.url)
        return Article(
            url=canonical_url(response.url),  # the key/pv_id query is a per-request token
            source=self.source_name,
            spider=self.name,
            site_name=SITE_NAME,
            site_id=article_id(response.url) or listing.content_id,
            title=title,
            body_html=body,
            published=published or listing.published,
            listed=listing.published,
            author=account or listing.author,
            # The site is 趣头条; who published the story is the list's source_name, else the account.
            outlet=listing.outlet or page_nickname(" ".join(response.xpath(NICKNAME_SCRIPT).getall())),
            summary=listing.introduction,
            images=images_of(body),
            cover=listing.cover,
            categories=[listing.category] if listing.category else [],
            keywords=list(listing.keywords),
            **http_validators(response.headers),
        )
