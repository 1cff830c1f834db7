"""The web spider's callbacks on the test set (tests/sites/web), without a reactor."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response, TextResponse

from crawler.config import ConfigError, parse_config
from crawler.downloadermiddlewares.known import ARTICLE_META
from crawler.extensions.runreport import breakage
from crawler.items import Article
from spiders.web import WebSpider
from spiders.webargs import web_args
from spiders.weblinks import classify_links, site_id
from tests.configs import config_text, paths, topic, web_source
from tests.helpers import run_topicfeed, write_config
from tests.sites.web import ARTICLES, CHINANEWS_PAGED, LISTS, SINA, WebPage


@pytest.fixture
def make_spider(make_web_spider):
    return make_web_spider


def response_for(page: WebPage, request: Request | None = None) -> Response:
    cls = HtmlResponse if page.content_type.startswith("text/html") else TextResponse
    request = request or Request(page.url)
    return cls(url=page.url, body=page.body, headers={"Content-Type": page.content_type}, request=request)


def listing(url: str) -> WebPage:
    return next(page for page in LISTS if page.url == url)


def requested(results: list[Any]) -> list[str]:
    return [r.url for r in results if isinstance(r, Request)]


def test_list_page_yields_matching_articles_and_list_pages_up_to_the_cap(make_spider):
    spider = make_spider(max_list_pages=1)
    urls = requested(list(spider.parse_list(response_for(listing("http://hb.people.com.cn/GB/192237/index.html")))))
    assert urls == ["http://hb.people.com.cn/n2/2025/0724/c192237-41286531.html",
                    "http://hb.people.com.cn/n2/2025/0723/c192237-41285102.html",
                    "http://hb.people.com.cn/GB/192237/index2.html"]  # index3.html: past max_list_pages
    assert spider.crawler.stats.get_value("topicfeed/list_links") == 2


def test_links_matching_no_article_regex_are_never_requested(make_spider):
    spider = make_spider()
    urls = requested(list(spider.parse_list(response_for(listing("https://www.news.cn/local/")))))
    assert urls == ["https://www.news.cn/local/20250724/3f1c2a9be0d84d6fa1b2c3d4e5f60718/c.html",
                    "https://www.news.cn/local/20250723/88aa77bb66cc55dd44ee33ff22110099/c.html"]


def test_classify_links_for_check():
    args = web_args({"start_urls": ["http://hb.people.com.cn/GB/192237/index.html"],
                     "article_urls": [r"/n2/\d{4}/\d{4}/c\d+-\d+\.html$"],
                     "list_urls": [r"/GB/192237/index\d*\.html$"]})
    page = listing("http://hb.people.com.cn/GB/192237/index.html")
    links = classify_links(page.body, page.url, args)
    assert links.articles == ["http://hb.people.com.cn/n2/2025/0724/c192237-41286531.html",
                              "http://hb.people.com.cn/n2/2025/0723/c192237-41285102.html"]
    assert links.lists == ["http://hb.people.com.cn/GB/192237/index2.html",
                           "http://hb.people.com.cn/GB/192237/index3.html"]
    assert links.other == 3  # the home page, another column, and this page itself


def test_xhtml_and_empty_list_pages():
    args = web_args({"start_urls": ["https://x.cn/"], "article_urls": [r"/a/\d+\.html$"]})
    xhtml = '<?xml version="1.0" encoding="utf-8"?><html><body><a href="/a/1.html">一</a></body></html>'
    assert classify_links(xhtml, "https://x.cn/", args).articles == ["https://x.cn/a/1.html"]
    assert classify_links("<!-- -->", "https://x.cn/", args).articles == []


def test_sitemap_index_and_urlsets_apply_the_age_limit_before_any_fetch(make_spider):
    spider = make_spider()
    (cj,) = list(spider.parse_sitemap(response_for(listing("https://www.chinanews.com.cn/sitemap/index.xml"))))
    assert cj.url == "https://www.chinanews.com.cn/sitemap/cj.xml"
    # one sub-sitemap at a time, the rest travelling with the pass (spiders.weblistings)
    article, news = list(cj.callback(response_for(listing(cj.url)), **cj.cb_kwargs))
    assert article.url == "https://www.chinanews.com.cn/cj/2025/07-24/10453312.shtml"  # 06-30: too old, cj/: no article
    assert news.url == "https://www.chinanews.com.cn/sitemap/news.xml"
    last = requested(list(news.callback(response_for(listing(news.url)), **news.cb_kwargs)))
    assert last == ["https://www.chinanews.com.cn/sh/2025/07-25/10454120.shtml"]  # 07-01 is past max_age_days
    assert spider.crawler.stats.get_value("topicfeed/too_old_listed") == 2


@pytest.mark.parametrize(("url", "expected"), [
    ("https://www.thepaper.cn/rss/channel_25951.xml", ["https://www.thepaper.cn/newsDetail_forward_31254789"]),
    ("https://news.sina.com.cn/rss/china.xml", ["https://news.sina.com.cn/c/2025-07-24/doc-infxkqzm4521783.shtml"]),
])
def test_atom_and_rss_items_are_followed_when_young_enough(make_spider, url: str, expected: list[str]):
    spider = make_spider()
    assert requested(list(spider.parse_feed(response_for(listing(url))))) == expected


def test_article_requests_go_through_the_known_article_check(make_spider):
    spider = make_spider()
    (request,) = list(spider.parse_feed(response_for(listing("https://news.sina.com.cn/rss/china.xml"))))
    assert request.meta[ARTICLE_META] is True


@pytest.mark.parametrize("expected", ARTICLES, ids=lambda e: f"{e.family}-{e.site_id}")
def test_article_pages_become_articles(make_spider, expected):
    spider = make_spider()
    results = list(spider.parse_article(response_for(expected.page)))
    for page in expected.more_pages:
        (follow,) = results
        assert follow.url == page.url
        results = list(follow.callback(response_for(page, follow), **follow.cb_kwargs))
    (article,) = results
    assert isinstance(article, Article)
    assert (article.url, article.site_id, article.title) == (expected.page.url, expected.site_id, expected.title)
    assert article.published.isoformat() == expected.published
    assert (article.outlet, article.editor, article.site_name) == (expected.outlet, expected.editor, expected.site_name)


def test_a_failed_next_page_keeps_the_pages_read(make_spider):
    spider = make_spider()
    (follow,) = list(spider.parse_article(response_for(CHINANEWS_PAGED.page)))

    class Failed:
        request = follow

        @staticmethod
        def check(*_: Any) -> bool:
            return False

        @staticmethod
        def getErrorMessage() -> str:  # noqa: N802 (twisted's name)
            return "HTTP 404"

        value = None
        type = RuntimeError

    (article,) = list(spider.next_page_failed(Failed()))
    assert "傍晚六点" in article.body_html and "夜市带旺了白天的生意" not in article.body_html


def test_a_page_without_an_article_is_recorded_as_not_parsed(make_spider):
    spider = make_spider()
    page = WebPage(SINA.page.url, "people/list2.html")  # a list page where an article was expected
    empty = HtmlResponse(url=page.url, body=b"<html><head><title>x</title></head><body></body></html>",
                         request=Request(page.url))
    assert list(spider.parse_article(empty)) == []
    assert spider.crawler.stats.get_value("topicfeed/article_parse_failed") == 1
    assert spider.known.store.failure(page.url) is not None


@pytest.mark.parametrize(("url", "pattern", "expected"), [
    ("http://hb.people.com.cn/n2/2025/0724/c192237-41286531.html", None, "c192237-41286531"),
    ("https://www.news.cn/local/20250724/3f1c2a9be0d84d6fa1b2c3d4e5f60718/c.html", None,
     "3f1c2a9be0d84d6fa1b2c3d4e5f60718"),
    ("https://www.thepaper.cn/newsDetail_forward_31254789", None, "newsDetail_forward_31254789"),
    ("https://news.example.cn/2025/07/24/article.html", None, "article"),
    ("https://news.example.cn/detail.php?id=8812", None, "detail-8812"),
    ("https://www.thepaper.cn/newsDetail_forward_31254789", r"forward_(\d+)", "31254789"),
    ("https://news.example.cn/a/新闻 1.html", None, "1"),
])
def test_site_id(url: str, pattern: str | None, expected: str):
    import re

    assert site_id(url, re.compile(pattern) if pattern else None) == expected


@pytest.mark.parametrize(("args", "key", "says"), [
    ({"article_urls": ["^https?://x\\.cn/(\\d+\\.html$"]}, "args.article_urls[0]", "not a regular expression"),
    ({"list_urls": ["[a-"]}, "args.list_urls[0]", "not a regular expression"),
    ({"id_pattern": "/\\d+\\.html"}, "args.id_pattern", "has no group"),
    ({"article_urls": None}, "args.article_urls", "missing"),
    ({"start_urls": ["hb.people.com.cn/"]}, "args.start_urls[0]", "not an http(s) URL"),
    ({"max_list_pages": "many"}, "args.max_list_pages", "expected a whole number"),
    ({"start_url": ["http://x.cn/"]}, "args.start_url", "unknown argument"),
])
def test_bad_arguments_are_config_errors_naming_the_key(tmp_path: Path, args: dict[str, Any], key: str, says: str):
    text = config_text(paths(), topic(), web_source(**args))
    with pytest.raises(ConfigError) as error:
        parse_config(text, file=tmp_path / "topicfeed.toml", base_dir=tmp_path,
                     known_spiders={"web": WebSpider.arguments})
    assert error.value.key == f"sources[0].{key}" and says in str(error.value)


def test_crawl_with_a_bad_regex_exits_2_before_crawling(tmp_path: Path):
    config = write_config(tmp_path, config_text(paths(), topic(), web_source(article_urls=["(unclosed"])))
    run = run_topicfeed("crawl", "--config", str(config), "--mirror", "http://127.0.0.1:9", cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    (line,) = run.stderr.strip().splitlines()
    assert "sources[0].args.article_urls" in line and "'(unclosed'" in line and "Traceback" not in run.stderr


def test_near_empty_bodies_raise_the_breakage_alarm():
    assert breakage({"topicfeed/article_parsed": 5, "topicfeed/body_near_empty": 5}).startswith("5 of 5")
    assert breakage({"topicfeed/article_parsed": 5, "topicfeed/body_near_empty": 1}) == ""
    assert breakage({"topicfeed/article_parsed": 1, "topicfeed/body_near_empty": 1}) == ""


def test_a_web_article_dated_1985_goes_by_its_feed_item_date(make_spider):
    spider = make_spider()
    feed = next(page for page in LISTS if page.url == "https://news.sina.com.cn/rss/china.xml")
    (request,) = list(spider.parse_feed(response_for(feed)))
    listed = request.cb_kwargs["listed"]
    assert listed is not None and listed.isoformat().startswith("2025-07-24")
    body = SINA.page.body.replace(b"2025-07-24T08:41", b"1985-07-24T08:41").replace(b"2025-07-24 08:41",
                                                                                   b"1985-07-24 08:41")
    body = body.replace("2025年07月24日".encode(), "1985年07月24日".encode())
    response = HtmlResponse(SINA.page.url, body=body, headers={"Content-Type": SINA.page.content_type},
                            request=request)
    [item] = list(spider.parse_article(response, **request.cb_kwargs))
    assert item.published.year == 1985, "the page's own date, as the page gives it"
    from crawler.text.prepare import normalize

    item = normalize(item)
    assert item.published == listed and "list's time" in item.date_note


def test_article_pages_without_a_body_count_as_not_parsed(make_spider):
    spider = make_spider()
    page = response_for(SINA.page)
    empty = page.replace(body=re.sub(rb"<body.*</body>", b"<body></body>", page.body, flags=re.S))
    for _ in range(3):
        assert list(spider.parse_article(empty)) == []
    stats = spider.crawler.stats.get_stats()
    assert stats["topicfeed/article_parse_failed"] == 3
    assert breakage(stats) == "0 of 3 article pages parsed"
