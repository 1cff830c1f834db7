"""The Qutoutiao spider's callbacks and helpers, on pages of the sample snapshot (no reactor)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse, XmlResponse

from crawler.config import parse_config
from crawler.items import Article, Image
from crawler.text.urls import canonical_url
from spiders.qutoutiao import (
    QutoutiaoSpider,
    content_html,
    is_ad,
    list_item,
    parse_info,
)
from tests.components import close_crawl, component_crawler, open_crawl
from tests.configs import config_text, paths, qutoutiao_source, topic
from tests.sites import Sample

BEIJING = timezone(timedelta(hours=8))


@pytest.fixture
def make_spider(tmp_path: Path, sample: Sample):
    crawlers = []

    def make(**args: Any) -> QutoutiaoSpider:
        text = config_text(paths(), topic(), qutoutiao_source(**args))
        config = parse_config(text, file=None, base_dir=tmp_path, known_spiders=["qutoutiao"])
        crawler = component_crawler(config, QutoutiaoSpider, TOPICFEED_NOW=sample.recorded_at.isoformat())
        crawlers.append(crawler)
        open_crawl(crawler)
        return crawler.spider

    yield make
    for crawler in crawlers:
        close_crawl(crawler)


def recorded(sample: Sample, url: str) -> tuple[bytes, int]:
    index = json.loads((sample.root / "index.json").read_text("utf-8"))
    entry = next(e for e in index["responses"] if e["url"] == url)
    return (sample.root / entry["file"]).read_bytes(), entry["status"]


def list_response(sample: Sample, cid: int, page: int) -> TextResponse:
    url = sample.qutoutiao.list_urls[cid][page - 1]
    body, _ = recorded(sample, url)
    return TextResponse(url=url, body=body, encoding="utf-8", request=Request(url))


def raw_list_items(sample: Sample) -> dict[str, tuple[int, dict[str, Any]]]:
    """Every article item of the recorded list pages, by content id, with its category."""
    found = {}
    for cid, urls in sample.qutoutiao.list_urls.items():
        for url in urls:
            for raw in json.loads(recorded(sample, url)[0])["data"]["data"]:
                if raw.get("id"):
                    found.setdefault(raw["id"], (cid, raw))
    return found


def parse_article_of(spider: QutoutiaoSpider, sample: Sample, role: str) -> list[Article]:
    doc = sample.qutoutiao.docs[role]
    cid, raw = raw_list_items(sample)[doc.content_id]
    listing = list_item(raw, cid)
    body, status = recorded(sample, doc.url)
    request = Request(raw["url"], cb_kwargs={"listing": listing})
    kind = XmlResponse if status != 200 else HtmlResponse
    response = kind(url=raw["url"], body=body, status=status, encoding="utf-8", request=request)
    return list(spider.parse_article(response, listing))


def split(requests: list[Request]) -> tuple[list[str], list[str]]:
    articles = [canonical_url(r.url) for r in requests if r.callback.__name__ == "parse_article"]
    lists = [r.url for r in requests if r.callback.__name__ == "parse_list"]
    return articles, lists


# --- list pages ---------------------------------------------------------------------------


def test_list_page_requests_matching_young_articles_and_the_next_page(make_spider, sample):
    spider = make_spider()
    requests = list(spider.parse_list(list_response(sample, 255, 1), cid=255, page=1, min_time=None))
    articles, lists = split(requests)
    docs = sample.qutoutiao.docs
    assert articles == [canonical_url(docs[r].url) for r in ("repost", "shared", "nunjucks")]
    assert lists == [sample.qutoutiao.list_urls[255][1]]  # reached only through min_time
    stats = spider.crawler.stats
    assert stats.get_value("topicfeed/ads_skipped") == 2
    assert stats.get_value("topicfeed/prefiltered_out") == 2
    # a deleted article is a 404 the callback must see
    assert all(r.meta["handle_httpstatus_list"] == [404] for r in requests if r.callback == spider.parse_article)


def test_paging_stops_at_an_empty_page_and_at_old_articles(make_spider, sample):
    spider = make_spider()
    last = len(sample.qutoutiao.list_urls[255])
    empty = list(spider.parse_list(list_response(sample, 255, last), cid=255, page=last, min_time=1))
    assert empty == []
    old = list(spider.parse_list(list_response(sample, 10, 2), cid=10, page=2, min_time=1))
    assert old == [], "a page of articles older than max_age_days ends paging and fetches nothing"


def test_a_page_of_only_ads_and_videos_does_not_end_paging(make_spider, sample):
    spider = make_spider()
    page = json.loads(list_response(sample, 255, 1).text)
    page["data"]["data"] = [i if not i.get("id") else {**i, "content_type": "3"} for i in page["data"]["data"]]
    url = sample.qutoutiao.list_urls[255][0]
    response = TextResponse(url=url, body=json.dumps(page).encode(), encoding="utf-8", request=Request(url))
    articles, lists = split(list(spider.parse_list(response, cid=255, page=1, min_time=None)))
    assert articles == [] and lists == [sample.qutoutiao.list_urls[255][1]]
    assert spider.crawler.stats.get_value("topicfeed/list_item_skipped") == 5


def test_max_pages_stops_paging(make_spider, sample):
    spider = make_spider(categories=[255], max_pages=1)
    _, lists = split(list(spider.parse_list(list_response(sample, 255, 1), cid=255, page=1, min_time=None)))
    assert lists == []


def test_an_article_listed_in_two_categories_is_requested_once(make_spider, sample):
    spider = make_spider()
    first, _ = split(list(spider.parse_list(list_response(sample, 255, 1), cid=255, page=1, min_time=None)))
    again, _ = split(list(spider.parse_list(list_response(sample, 1, 1), cid=1, page=1, min_time=None)))
    shared = canonical_url(sample.qutoutiao.docs[sample.qutoutiao.shared].url)
    assert shared in first and shared not in again


def test_prefilter_off_requests_every_young_article(make_spider, sample):
    spider = make_spider(categories=[255], prefilter=False)
    articles, _ = split(list(spider.parse_list(list_response(sample, 255, 1), cid=255, page=1, min_time=None)))
    docs = sample.qutoutiao.docs
    roles = ("repost", "weather", "shared", "nunjucks", "travel")
    assert articles == [canonical_url(docs[r].url) for r in roles]


def test_an_unusable_list_page_is_reported_not_raised(make_spider):
    spider = make_spider()
    url = "http://api.1sapp.com/content/outList?cid=255&tn=1&page=1&limit=20"
    response = TextResponse(url=url, body=b"<html>busy</html>", encoding="utf-8", request=Request(url))
    assert list(spider.parse_list(response, cid=255, page=1, min_time=None)) == []
    assert spider.crawler.stats.get_value("topicfeed/list_parse_failed") == 1


# --- article pages ------------------------------------------------------------------------


def test_seed_article_fields(make_spider, sample):
    [article] = parse_article_of(make_spider(), sample, "seed")
    doc = sample.qutoutiao.docs["seed"]
    assert article.title == "第12届服博会将在武汉举行！展览面积历届最大，参展企业机构数历届最多"
    assert article.published == datetime(2025, 7, 21, 22, 6, 15, tzinfo=BEIJING)
    assert (article.author, article.outlet, article.site_name) == ("红星新闻", "红星新闻", "趣头条")
    assert article.url == doc.url and article.site_id == doc.content_id
    assert article.images == [Image(i.url, i.width, i.height) for i in doc.images]
    assert article.cover == doc.cover
    assert article.categories == ["推荐"] and article.keywords == list(doc.tags)
    assert article.summary == doc.introduction  # a hint: the pipeline writes its own summary
    for junk in ("<script", "viewer-bg", "点击查看大图", "相关推荐", "打开趣头条", "data-src", "data:image"):
        assert junk not in article.body_html
    for paragraph in doc.paragraphs:
        assert f"<p>{paragraph}</p>" in article.body_html


@pytest.mark.parametrize("content_type", ["text/html; charset=ISO-8859-1", "application/octet-stream"])
def test_pages_are_read_as_utf8_whatever_the_headers_say(make_spider, sample, content_type):
    from scrapy.responsetypes import responsetypes

    doc = sample.qutoutiao.docs["finance"]
    cid, raw = raw_list_items(sample)[doc.content_id]
    listing = list_item(raw, cid)
    body, _ = recorded(sample, doc.url)
    headers = {"Content-Type": content_type}
    kind = responsetypes.from_args(headers=headers, url=doc.url, body=body)
    response = kind(url=raw["url"], body=body, headers=headers,
                    request=Request(raw["url"], cb_kwargs={"listing": listing}))
    [article] = make_spider().parse_article(response, listing)
    assert article.title == doc.title and article.author == doc.account


def test_time_without_seconds_and_time_only_in_the_list(make_spider, sample):
    spider = make_spider()
    docs = sample.qutoutiao.docs
    [finance] = parse_article_of(spider, sample, "finance")
    assert finance.published == docs["finance"].published
    assert finance.author == docs["finance"].account
    [no_time] = parse_article_of(spider, sample, "list_time_only")
    assert no_time.published == docs["list_time_only"].published  # from the list's show_time
    assert no_time.author == docs["list_time_only"].account


def test_the_outlet_is_the_list_source_name_else_the_page_nickname(make_spider, sample):
    """趣头条 is the site; the story's publisher is who feeds, notes and credits must name."""
    spider = make_spider()
    docs = sample.qutoutiao.docs
    [finance] = parse_article_of(spider, sample, "finance")  # source_name 证券时报, account 证券时报网
    assert (finance.outlet, finance.author) == ("证券时报", "证券时报网")
    [unnamed] = parse_article_of(spider, sample, "list_time_only")  # the list gives no source_name
    assert unnamed.outlet == docs["list_time_only"].account == "极目新闻"
    doc = docs["seed"]  # a revisit: no list item, the page alone
    body, _ = recorded(sample, doc.url)
    response = HtmlResponse(url=doc.url, body=body, encoding="utf-8", request=Request(doc.url))
    [revisited] = spider.parse_article(response, None)
    assert revisited.outlet == "红星新闻"


def test_no_such_key_is_a_deleted_article_remembered_as_such(make_spider, sample):
    spider = make_spider()
    assert parse_article_of(spider, sample, "deleted") == []
    assert spider.crawler.stats.get_value("topicfeed/deleted") == 1
    assert spider.crawler.stats.get_value("topicfeed/article_parse_failed") is None
    doc = sample.qutoutiao.docs["deleted"]
    failure = spider.resources.store.failure(canonical_url(doc.url))
    assert failure is not None and "NoSuchKey" in failure.reason


# --- helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("info", "published", "account"),
    [
        ("2025-07-21 22:06:15 红星新闻", datetime(2025, 7, 21, 22, 6, 15, tzinfo=BEIJING), "红星新闻"),
        ("  2025-07-25 11:02  证券时报 ", datetime(2025, 7, 25, 11, 2, tzinfo=BEIJING), "证券时报"),
        ("2025-7-5 09:00 原创 某某号", datetime(2025, 7, 5, 9, 0, tzinfo=BEIJING), "某某号"),
        ("极目新闻", None, "极目新闻"),
        ("", None, ""),
    ],
)
def test_parse_info(info, published, account):
    assert parse_info(info) == (published, account)


def test_ads_and_non_articles_are_not_list_items():
    ad = {"flag": 1, "type": "ad", "slotId": 2614221, "cid": "255", "tips": "广告"}
    assert is_ad(ad) and is_ad({"title": "no id"})
    video = {"id": "1", "content_type": "3",
             "url": "https://html2.qktoutiao.com/detail/2025/07/25/1.html?key=x"}
    elsewhere = {"id": "2", "url": "https://example.com/a.html"}
    assert list_item(video, 255) is None and list_item(elsewhere, 255) is None


def test_list_item_unescapes_and_unwraps_urls():
    raw = {
        "id": "109799816", "title": "t", "publish_time": "1530766800000", "show_time": 1530766900,
        "url": "http://html2.qktoutiao.com/detail/2018/07/05/109799816.html?content_id=109799816&amp;key=abc",
        "cover": ["https://cors.zfour.workers.dev/?http://static.1sapp.com/image/sp/2018/07/05/a.png"
                  "?imageView2/2/w/200/h/150/q/70/format/jpeg"],
        "nickname": "", "source_name": "某某号", "tag": ["服务外包"],
    }
    item = list_item(raw, 10)
    assert item.url.endswith("content_id=109799816&key=abc")
    assert item.cover == ("http://static.1sapp.com/image/sp/2018/07/05/a.png"
                          "?imageView2/2/w/200/h/150/q/70/format/jpeg")
    assert item.published == datetime(2018, 7, 5, 5, 0, tzinfo=UTC)  # publish_time wins
    assert (item.author, item.category, item.keywords) == ("某某号", "财经", ("服务外包",))
    assert item.outlet == "某某号"


def test_content_html_drops_scripts_and_the_image_viewer():
    html = ('<div class="content">前言<p>正文。</p><script>var x = 1;</script>'
            '<div id="img"><img src="//static.1sapp.com/v.png"></div><p>完。</p></div>')
    assert content_html(html) == "前言<p>正文。</p><p>完。</p>"


def test_canonical_url_drops_per_request_tokens_and_proxies():
    wrapped = ("https://cors.zfour.workers.dev/?http://html2.qktoutiao.com/detail/2025/07/21/1815262744.html"
               "?content_id=1815262744&key=0f3f8aee&pv_id=%7BE20C%7D&cid=255")
    assert canonical_url(wrapped) == "https://html2.qktoutiao.com/detail/2025/07/21/1815262744.html"


def test_an_article_dated_1985_goes_by_its_list_publish_time(make_spider, sample):
    from crawler.text.prepare import normalize

    doc = sample.qutoutiao.docs["seed"]
    cid, raw = raw_list_items(sample)[doc.content_id]
    listing = list_item(raw, cid)
    body, _ = recorded(sample, doc.url)
    body = re.sub(rb'(<div class="info">\s*)\d{4}-\d{1,2}-\d{1,2}', rb"\g<1>1985-07-24", body, count=1)
    response = HtmlResponse(url=raw["url"], body=body, encoding="utf-8",
                            request=Request(raw["url"], cb_kwargs={"listing": listing}))
    [article] = make_spider().parse_article(response, listing)
    assert article.published.year == 1985, "not judged too old by the page's date"
    article = normalize(article)
    assert article.published == listing.published and "list's time" in article.date_note
