"""ifeng regional sub-sites (hb.ifeng.com …): home, shanklist columns, getColumnInfo, search."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from scrapy import Request
from scrapy.http import Response
from w3lib.html import remove_tags

from crawler.items import Article, Image
from crawler.store.listings import ListingPass
from crawler.store.skipped import SkipReason
from crawler.text.dates import parse_site_time
from crawler.text.urls import absolute, host_of
from spiders.arguments import Count, Flag, SpiderArguments, Words
from spiders.base import SourceSpider
from spiders.parsing import (
    PageParseError,
    as_int,
    dict_entries,
    embedded_json,
    http_validators,
    jsonp_payload,
    page_text,
)

# Regional sub-site code (the host's first label) → region, for site_name 凤凰网<region>.
REGIONS = {
    "hb": "湖北", "hn": "河南", "hunan": "湖南", "js": "江苏", "sd": "山东", "qd": "青岛",
    "ln": "辽宁", "sn": "陕西", "jx": "江西", "gd": "广东", "hainan": "海南", "ah": "安徽",
    "hebei": "河北", "zj": "浙江", "cq": "重庆", "hlj": "黑龙江", "sc": "四川", "jl": "吉林",
    "fj": "福建", "xm": "厦门", "nb": "宁波", "sx": "山西", "xibei": "西北", "huanan": "华南",
    "gz": "贵州",
}
# What people write for a region instead of its code: the pinyin, the Chinese name.
REGION_HINTS = {
    "hubei": "hb", "henan": "hn", "jiangsu": "js", "shandong": "sd", "qingdao": "qd", "liaoning": "ln",
    "shaanxi": "sn", "jiangxi": "jx", "guangdong": "gd", "anhui": "ah", "zhejiang": "zj", "chongqing": "cq",
    "heilongjiang": "hlj", "sichuan": "sc", "jilin": "jl", "fujian": "fj", "xiamen": "xm", "ningbo": "nb",
    "shanxi": "sx", "guizhou": "gz", **{name: code for code, name in REGIONS.items()},
}

ARTICLE_LINK = re.compile(r"(?:https?:)?//(?P<host>[a-z0-9]+\.ifeng\.com)/c/(?P<id>[A-Za-z0-9_-]+)")
COLUMN_LINK = re.compile(
    r"""href=["'](?:(?:https?:)?//(?P<host>[a-z0-9]+\.ifeng\.com))?/shanklist/(?P<column>[A-Za-z0-9_-]+)/?["']"""
)
COLUMN_INFO_URL = (
    "https://shankapi.ifeng.com/shanklist/_/getColumnInfo/_/dynamicFragment/"
    "{last_id}/{last_ms}/{size}/{column}/getColumnInfoCallback?callback=getColumnInfoCallback"
)
SEARCH_URL = (
    "https://d.shankapi.ifeng.com/api/getSoFengData/all/{keyword}/{page}/"
    "getSoFengDataCallback?callback=getSoFengDataCallback"
)
ALL_DATA = "var allData ="


def site_name(host: str) -> str:
    region = REGIONS.get(host.split(".", 1)[0])
    return f"凤凰网{region}" if region else "凤凰网"


def article_id(url: str) -> str | None:
    match = ARTICLE_LINK.match(absolute(url))
    if not match or match.group("id") == "special":
        return None
    return match.group("id")


def video_html(video: dict[str, Any]) -> str:
    """A video as its poster linked to the stream (feed readers cannot play the site's player)."""
    play = html.escape(absolute(str(video.get("playUrl") or "")), quote=True)
    poster = html.escape(absolute(str(video.get("bigPosterUrl") or "")), quote=True)
    title = html.escape(str(video.get("title") or "视频"))
    image = f'<img src="{poster}" alt="视频：{title}">' if poster else ""
    return f'<figure><a href="{play}">{image}</a><figcaption><a href="{play}">▶ 视频：{title}</a></figcaption></figure>'


def body_from_content_list(content_list: list[dict[str, Any]]) -> str:
    parts = []
    for block in dict_entries(content_list):
        data = block.get("data")
        kind = block.get("type")
        if isinstance(data, dict) and data.get("attachmentType") == "video":
            kind = "video"
        if kind == "text" and isinstance(data, str):
            parts.append(data)
        elif kind == "video" and isinstance(data, dict):
            parts.append(video_html(data))
        elif kind == "img":
            src = html.escape(absolute(str(block.get("url") or "")), quote=True)
            alt = html.escape(str(block.get("caption") or block.get("alt") or ""))
            parts.append(f'<p><img src="{src}" alt="{alt}"></p>')
    return "\n".join(parts)


def list_of_entries(value: Any) -> list[Any]:
    """A JSON list the page needs; PageParseError when the site sent something else."""
    if not isinstance(value, list):
        raise PageParseError(f"expected a list, got {type(value).__name__}")
    return value


def home_columns(text: str, host: str) -> list[str]:
    """The /shanklist/ columns of ``host`` its home page links, in page order."""
    return list(dict.fromkeys(m.group("column") for m in COLUMN_LINK.finditer(text)
                              if m.group("host") in (None, host)))


def crawl_plan(args: Mapping[str, Any], keywords: Sequence[str]) -> list[str]:
    """What a source of this spider would crawl (``topicfeed check``)."""
    hosts = [f"{code}.ifeng.com" for code in args["regions"]]
    regions = ", ".join(f"{host} ({REGIONS[code]})" for host, code in zip(hosts, args["regions"], strict=True))
    lines = [f"hosts: {regions}",
             f"listings: each host's home page and the /shanklist/<column>/ columns it links, "
             f"up to {args['max_column_pages']} pages of {args['page_size']} per column"]
    if args["search"] and keywords:
        lines.append(f"searches: {', '.join(keywords)} (site search, up to {args['max_search_pages']} pages "
                     f"each, results kept on the hosts above)")
    else:
        lines.append("searches: none" + ("" if args["search"] else " (search = false)"))
    return lines


ARGUMENTS = SpiderArguments("ifeng", (
    Words(name="regions", default=("hb",), choices=REGIONS, hints=REGION_HINTS, what="ifeng region"),
    Flag(name="search", default=True),
    Count(name="max_column_pages", default=10),
    Count(name="max_search_pages", default=3),
    Count(name="page_size", default=20),
), plan=crawl_plan)


class IfengSpider(SourceSpider):
    name = "ifeng"
    allowed_domains = ["ifeng.com"]
    arguments = ARGUMENTS

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.hosts = tuple(f"{code}.ifeng.com" for code in self.args["regions"])
        self.search: bool = self.args["search"]
        self.max_column_pages: int = self.args["max_column_pages"]
        self.max_search_pages: int = self.args["max_search_pages"]
        self.page_size: int = self.args["page_size"]

    def discover(self) -> Iterator[Request]:
        for host in self.hosts:
            yield self.page_request(f"https://{host}/", self.parse_home, host=host)
        if self.search:
            for keyword in self.topic_keywords:
                yield self.search_request(keyword, 1)

    # --- discovery ----------------------------------------------------------------------

    def parse_home(self, response: Response, host: str) -> Iterator[Request]:
        try:
            text = page_text(response)
        except PageParseError as exc:
            self.report_error(f"{response.url}: list not parsed: {exc}")
            self.note_list_page(0)
            return
        seen: set[str] = set()
        for match in ARTICLE_LINK.finditer(text):
            if match.group("host") == host and match.group("id") != "special":
                url = f"https://{host}/c/{match.group('id')}"
                if url not in seen:
                    seen.add(url)
                    yield self.article_request(url, self.parse_article)
        self.note_list_page(len(seen))
        for column in home_columns(text, host):
            yield self.page_request(f"https://{host}/shanklist/{column}/", self.parse_column,
                                    host=host, column=column)

    def parse_column(self, response: Response, host: str, column: str) -> Iterator[Request]:
        try:
            stream = list_of_entries(embedded_json(page_text(response), ALL_DATA).get("newsstream") or [])
        except (PageParseError, AttributeError) as exc:
            self.list_not_parsed(response, "Column", exc)
            return
        yield from self.follow_stream(self.valid_entries(stream, response.url), host, column, page=0)

    def parse_column_info(self, response: Response, host: str, column: str, page: int,
                          walk: ListingPass | None = None) -> Iterator[Request]:
        try:
            data = jsonp_payload(page_text(response))["data"]
            stream, is_end = list_of_entries(data.get("newsstream") or []), bool(data.get("isEnd"))
        except (PageParseError, KeyError, TypeError, AttributeError) as exc:
            self.list_not_parsed(response, "getColumnInfo", exc)
            return
        yield from self.follow_stream(self.valid_entries(stream, response.url), host, column, page=page,
                                      is_end=is_end, walk=walk)

    def valid_entries(self, entries: list[Any], url: str) -> list[dict[str, Any]]:
        """The list's objects; any other entry ("junk", 42) is skipped and recorded, the rest kept."""
        valid = dict_entries(entries)
        if len(valid) < len(entries):
            skipped = len(entries) - len(valid)
            self.crawler.stats.inc_value("topicfeed/list_entries_malformed", skipped)
            self.report_error(f"{url}: {skipped} malformed list entr{'y' if skipped == 1 else 'ies'} skipped")
        return valid

    def follow_stream(self, stream: list[dict[str, Any]], host: str, column: str, *, page: int,
                      is_end: bool = False, walk: ListingPass | None = None) -> Iterator[Request]:
        walk = walk or self.begin_listing(f"column:{host}/{column}")
        entries = []
        for entry in stream:
            url = absolute(str(entry.get("url") or ""))
            if host_of(url) == host and article_id(url):
                published = parse_site_time(entry.get("newsTime"))
                entries.append((url, published))
                if not self.known.is_too_old(published):
                    yield self.article_request(url, self.parse_article, listed=published)
                else:
                    self.skip_link(url, SkipReason.TOO_OLD, published)
        self.note_list_page(len(entries))
        wanted = [(url, published) for url, published in entries if not self.known.is_too_old(published)]
        walk = self.next_page(walk, [published for _, published in entries], wanted,
                              at_end=is_end or not stream, at_cap=page >= self.max_column_pages)
        if walk is None:
            return
        last = stream[-1]
        last_time = parse_site_time(last.get("newsTime"))
        if not last.get("id") or last_time is None:
            return
        url = COLUMN_INFO_URL.format(last_id=last["id"], last_ms=int(last_time.timestamp() * 1000),
                                     size=self.page_size, column=column)
        yield self.page_request(url, self.parse_column_info, host=host, column=column, page=page + 1,
                                walk=walk)

    def search_request(self, keyword: str, page: int, walk: ListingPass | None = None) -> Request:
        url = SEARCH_URL.format(keyword=quote(keyword, safe=""), page=page)
        return self.page_request(url, self.parse_search, keyword=keyword, page=page, walk=walk)

    def parse_search(self, response: Response, keyword: str, page: int,
                     walk: ListingPass | None = None) -> Iterator[Request]:
        walk = walk or self.begin_listing(f"search:{keyword}")
        try:
            data = jsonp_payload(page_text(response))["data"]
            hits, total_pages = list_of_entries(data.get("items") or []), int(data.get("totalPage") or 1)
        except (PageParseError, KeyError, TypeError, ValueError, AttributeError) as exc:
            self.list_not_parsed(response, "Search", exc)
            return
        entries = []
        for hit in self.valid_entries(hits, response.url):
            url = absolute(str(hit.get("url") or ""))
            if host_of(url) not in self.hosts or not article_id(url):
                continue
            published = parse_site_time(hit.get("newsTime"))
            entries.append((url, published))
            if not self.known.is_too_old(published):
                self.logger.debug("Search %s: %s", keyword, remove_tags(str(hit.get("title", ""))))
                yield self.article_request(url, self.parse_article, listed=published)
            else:
                self.skip_link(url, SkipReason.TOO_OLD, published)
        self.note_list_page(len(entries))
        wanted = [(url, published) for url, published in entries if not self.known.is_too_old(published)]
        walk = self.next_page(walk, [published for _, published in entries], wanted,
                              at_end=page >= total_pages or not hits, at_cap=page >= self.max_search_pages)
        if walk is not None:
            yield self.search_request(keyword, page + 1, walk)

    # --- articles -----------------------------------------------------------------------

    def parse_article(self, response: Response, listed: datetime | None = None) -> Iterator[Article]:
        """``listed``: the column's or search's time for it (None for the home page and revisits)."""
        try:
            all_data = embedded_json(page_text(response), ALL_DATA)
            doc = all_data["docData"]
            title = str(doc["title"])
            content_list = list_of_entries(doc["contentData"]["contentList"])
        except (PageParseError, KeyError, TypeError) as exc:
            self.article_not_parsed(response, str(exc))
            return
        self.note_article_page(parsed=True)
        if host_of(response.url) not in self.hosts:  # redirected off the configured regions
            listed = response.meta.get("redirect_urls", [response.url])[0]
            self.crawler.stats.inc_value("topicfeed/offsite_redirect")
            self.known.record_failure(listed, self.source_name, f"redirected to {response.url}, not a configured host")
            return
        published = parse_site_time(doc.get("newsTime"))
        if self.known.is_too_old(self.sane_time(published, listed)):
            self.crawler.stats.inc_value("topicfeed/too_old")
            self.page_failed(response.url, "older than max_age_days")
            self.skip_link(response.url, SkipReason.TOO_OLD, self.sane_time(published, listed), fetched=True)
            return
        host = host_of(response.url)
        images = [
            Image(url=absolute(str(i["url"])), width=as_int(i.get("width")), height=as_int(i.get("height")))
            for i in dict_entries(doc.get("imagesInContent")) if i.get("url")
        ]
        keywords = str(all_data.get("keywords") or doc.get("keywords") or "")
        account = doc.get("fhhAccountDetail") or doc.get("subscribe") or {}
        yield Article(
            url=response.url,
            source=self.source_name,
            spider=self.name,
            site_name=site_name(host),
            site_id=article_id(response.url) or str(doc.get("commentUrl") or ""),
            title=title,
            body_html=body_from_content_list(content_list),
            image_fallbacks=[i.url for i in images],
            published=published,
            listed=listed,
            outlet=str(doc.get("source") or ""),
            author=str(account.get("catename") or "") if isinstance(account, dict) else "",
            editor=str(doc.get("editorName") or ""),
            images=images,
            cover=images[0].url if images else "",
            categories=[str(c.get("title")) for c in dict_entries(doc.get("breadCrumbdata")) if c.get("title")],
            keywords=[k for k in re.split(r"[,，\s]+", keywords) if k],
            **http_validators(response.headers),
        )
