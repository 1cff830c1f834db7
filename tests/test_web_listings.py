"""The web source pages its lists, sitemaps and feeds by the rules of every source (DESIGN §5):
only a completed pass of a listing lets a later pass stop early at a page of stored articles."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.items import Article
from crawler.snapshot.server import SnapshotServer
from crawler.store import Store
from crawler.text.strings import content_hash
from crawler.text.urls import canonical_url
from spiders.web import WebSpider
from spiders.weblistings import list_family
from tests.configs import config_text, feeds, paths, topic, web_source
from tests.faultserver import Fault, FaultServer
from tests.helpers import FAST, run_topicfeed, store_url, write_config
from tests.sites.web import LISTS, RECORDED_AT
from tests.sites.web.paged import ARTICLE_URLS, LIST_URLS, PAGES, list_url, write_paged_snapshot
from tests.test_web_spider import response_for

INDEX_XML = "https://www.chinanews.com.cn/sitemap/index.xml"


def served(url: str) -> str:
    return url.split("://", 1)[1]


def column_config(tmp_path: Path) -> Path:
    source = web_source(start_urls=[list_url(1)], article_urls=list(ARTICLE_URLS), list_urls=list(LIST_URLS),
                        sitemaps=None, feeds=None, max_list_pages=5)
    return write_config(tmp_path, config_text(paths(), feeds(), topic(), source))


def crawl(tmp_path: Path, config: Path, server: SnapshotServer):
    return run_topicfeed("crawl", "--config", str(config), "--mirror", server.url,
                         "--set", f"TOPICFEED_NOW={RECORDED_AT.isoformat()}", *FAST,
                         "--set", "TOPICFEED_RETRY_BACKOFF=0.05", cwd=tmp_path)


def stored(tmp_path: Path, page: int) -> bool:
    urls = [canonical_url(article.url) for article in PAGES[page - 1]]
    store = Store.open(store_url(tmp_path / "data"))
    try:
        return set(store.fetch_states(urls)) == set(urls)
    finally:
        store.close()


def test_list_pages_of_one_list_share_a_listing():
    assert list_family(list_url(1)) == list_family(list_url(3)) == "list:hb.people.com.cn/GB/192237/index.html"
    assert list_family("http://x.cn/news/list_2.shtml") == list_family("http://x.cn/news/list.shtml")
    assert list_family("http://x.cn/news?page=2") == list_family("http://x.cn/news?page=10")
    assert list_family("http://hb.people.com.cn/GB/194146/index.html") != list_family(list_url(1))


def test_a_list_page_failing_for_one_crawl_is_paged_past_by_the_next(tmp_path):
    write_paged_snapshot(tmp_path / "snapshot")
    config = column_config(tmp_path)
    with FaultServer(tmp_path / "snapshot", {served(list_url(2)): Fault("status", 500)}) as server:
        first = crawl(tmp_path, config, server)
    assert first.returncode == 0, first.stderr
    assert stored(tmp_path, 1) and not stored(tmp_path, 2)
    assert stored(tmp_path, 3), "the list's other pages are still read in that crawl"

    with SnapshotServer(tmp_path / "snapshot") as server:
        second = crawl(tmp_path, config, server)
        # page 1 holds only stored articles, but no pass of the list ever completed: it pages on
        assert stored(tmp_path, 2), "the page-2 articles must not be lost for good"
        assert served(list_url(2)) in server.requests
    assert second.returncode == 0, second.stderr

    with SnapshotServer(tmp_path / "snapshot") as server:
        third = crawl(tmp_path, config, server)
        assert served(list_url(1)) in server.requests
        assert served(list_url(2)) not in server.requests, "that pass completed: page 1 stops this one"
        assert served(list_url(3)) not in server.requests
    assert third.returncode == 0, third.stderr


@pytest.fixture
def sitemap_spider(make_web_spider):
    return lambda: make_web_spider(start_urls=None, feeds=None, sitemaps=[INDEX_XML])


def read_sitemaps(spider: WebSpider, fail: str = "") -> list[str]:
    """Walk the sitemap listing as the engine would (``fail``: a sub-sitemap that answers 500);
    returns the sub-sitemaps read."""
    pages = {page.url: page for page in LISTS}
    read = []
    pending = list(spider.parse_sitemap(response_for(pages[INDEX_XML])))
    while pending:
        request = pending.pop(0)
        if request.callback != spider.parse_sitemap:
            continue  # an article
        read.append(request.url)
        if request.url == fail:
            failure = Failure(HttpError(response_for(pages[request.url], request)))
            failure.request = request
            pending += list(request.errback(failure))
        else:
            pending += list(request.callback(response_for(pages[request.url], request), **request.cb_kwargs))
    spider.record_listings()
    return read


def store_listed_articles(spider: WebSpider) -> None:
    for url in ("https://www.chinanews.com.cn/cj/2025/07-24/10453312.shtml",
                "https://www.chinanews.com.cn/sh/2025/07-25/10454120.shtml"):
        item = Article(url=url, source="web-set", spider="web", site_name="中新网", site_id=url[-13:-6],
                       title=url, body_html="<p>x</p>", published=RECORDED_AT)
        item.canonical_url, item.text = url, f"{url}。"
        spider.resources.store.save(item, content_hash(item.text), RECORDED_AT)


def test_sub_sitemaps_unchanged_since_a_completed_pass_are_not_read_again(sitemap_spider):
    subs = ["https://www.chinanews.com.cn/sitemap/cj.xml", "https://www.chinanews.com.cn/sitemap/news.xml"]
    first = sitemap_spider()
    assert read_sitemaps(first, fail=subs[0]) == subs
    store_listed_articles(first)
    assert read_sitemaps(sitemap_spider()) == subs, "a failed sub-sitemap leaves the pass incomplete"
    # that pass completed and stored all it listed: cj.xml last changed before the newest entry it
    # read, news.xml after it (its lastmod is 5 minutes past its newest entry): only news.xml again
    assert read_sitemaps(sitemap_spider()) == subs[1:]
    assert read_sitemaps(sitemap_spider()) == subs[1:], "a pass that relied on the last one records its reach too"
