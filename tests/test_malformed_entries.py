"""Malformed entries and pages: the bad entry is skipped, the rest kept, the failure recorded."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response, TextResponse

from crawler.config import parse_config
from crawler.items import Article
from crawler.signals import run_error
from crawler.store import Store
from crawler.text.prepare import normalize
from crawler.text.strings import content_hash
from crawler.text.urls import canonical_url
from spiders.ifeng import IfengSpider
from spiders.qutoutiao import QutoutiaoSpider
from tests.components import close_crawl, component_crawler, open_crawl
from tests.configs import config_text, ifeng_hb_source, paths, qutoutiao_source, topic
from tests.sites import Sample
from tests.sites.ifeng import article_all_data, newsstream_item
from tests.sites.media import placeholder_png

DEEP = "[" * 10_000 + "]" * 10_000


@pytest.fixture
def make_spider(tmp_path: Path, sample: Sample):
    crawlers = []

    def make(cls: type, source: str) -> Any:
        config = parse_config(config_text(paths(), topic(), source), file=None, base_dir=tmp_path,
                              known_spiders=["ifeng", "qutoutiao"])
        crawler = component_crawler(config, cls, TOPICFEED_NOW=sample.recorded_at.isoformat())
        crawlers.append(crawler)
        open_crawl(crawler)
        spider = crawler.spider
        spider.errors = []
        crawler.signals.connect(lambda line: spider.errors.append(line), signal=run_error, weak=False)
        return spider

    yield make
    for crawler in crawlers:
        close_crawl(crawler)


@pytest.fixture
def ifeng(make_spider) -> IfengSpider:
    return make_spider(IfengSpider, ifeng_hb_source())


@pytest.fixture
def qutoutiao(make_spider) -> QutoutiaoSpider:
    return make_spider(QutoutiaoSpider, qutoutiao_source())


def page(url: str, all_data: Any) -> HtmlResponse:
    body = f"<html><head><script>var allData = {json.dumps(all_data, ensure_ascii=False)};</script></head></html>"
    return HtmlResponse(url=url, body=body.encode(), encoding="utf-8", request=Request(url))


def raw_page(url: str, all_data_text: str) -> HtmlResponse:
    body = f"<html><script>var allData = {all_data_text};</script></html>"
    return HtmlResponse(url=url, body=body.encode(), encoding="utf-8", request=Request(url))


def failure_of(spider: Any, url: str) -> str:
    found = spider.resources.store.failure(canonical_url(url))
    return found.reason if found else ""


COLUMN = "https://hb.ifeng.com/shanklist/200-214-216353-/"


@pytest.mark.parametrize("junk", ["junk", 42, None, ["nested"], 3.5])
def test_a_malformed_newsstream_entry_costs_only_itself(ifeng, sample, junk):
    good = [sample.ifeng.docs["seed"], sample.ifeng.docs["lazyload"]]
    stream = [junk, newsstream_item(good[0]), {"url": 5, "newsTime": {"x": 1}}, newsstream_item(good[1])]
    requests = list(ifeng.parse_column(page(COLUMN, {"newsstream": stream}), host="hb.ifeng.com",
                                       column="200-214-216353-"))
    assert [doc.url for doc in good] == [r.url for r in requests if "/c/" in r.url]
    assert f"{COLUMN}: 1 malformed list entry skipped" in ifeng.errors


@pytest.mark.parametrize("stream", ['"junk"', "42", '{"a": 1}'])
def test_a_newsstream_that_is_no_list_is_a_recorded_list_failure(ifeng, stream):
    response = raw_page(COLUMN, '{"newsstream": ' + stream + "}")
    assert list(ifeng.parse_column(response, host="hb.ifeng.com", column="200-214-216353-")) == []
    assert any(line.startswith(f"{COLUMN}: list not parsed") for line in ifeng.errors)


def test_search_hits_that_are_no_objects_are_skipped(ifeng, sample):
    doc = sample.ifeng.docs["seed"]
    hits = ["junk", 42, {"url": doc.protocol_relative_url, "newsTime": doc.news_time, "title": doc.title}]
    body = "getSoFengDataCallback(" + json.dumps({"data": {"items": hits, "totalPage": 1}}) + ")"
    url = "https://d.shankapi.ifeng.com/api/getSoFengData/all/x/1/getSoFengDataCallback?callback=cb"
    response = TextResponse(url=url, body=body.encode(), encoding="utf-8", request=Request(url))
    assert [r.url for r in ifeng.parse_search(response, keyword="x", page=1)] == [doc.url]


@pytest.mark.parametrize(("change", "reason"), [
    ({"contentData": {"contentList": "<p>一段文字</p>"}}, "not parsed: expected a list, got str"),
    ({"contentData": {"contentList": 5}}, "not parsed: expected a list, got int"),
    ({"contentData": "x"}, "not parsed"),
    ({"title": None, "contentData": None}, "not parsed"),
])
def test_wrong_typed_article_fields_are_recorded_page_failures(ifeng, sample, change, reason):
    doc = sample.ifeng.docs["seed"]
    data = article_all_data(doc)
    data["docData"].update(change)
    assert list(ifeng.parse_article(page(doc.url, data))) == []
    assert failure_of(ifeng, doc.url).startswith(reason)
    assert any(line.startswith(f"{doc.url}: article not parsed") for line in ifeng.errors)


MIXED_BLOCKS = ["junk", 42, {"type": "text", "data": "<p>正文</p>"}]


@pytest.mark.parametrize("change", [{"breadCrumbdata": 5}, {"imagesInContent": "x"}, {"breadCrumbdata": ["x", 1]},
                                    {"contentData": {"contentList": MIXED_BLOCKS}}])
def test_wrong_typed_side_fields_leave_the_article(ifeng, sample, change):
    doc = sample.ifeng.docs["seed"]
    data = article_all_data(doc)
    data["docData"].update(change)
    articles = list(ifeng.parse_article(page(doc.url, data)))
    assert len(articles) == 1 and articles[0].title == doc.title


def test_an_image_where_a_page_should_be_is_a_recorded_failure(ifeng, sample):
    doc = sample.ifeng.docs["seed"]
    response = Response(url=doc.url, body=placeholder_png(doc.url), headers={"Content-Type": "image/png"},
                        request=Request(doc.url))
    assert list(ifeng.parse_article(response)) == []
    assert failure_of(ifeng, doc.url) == "not parsed: not a text page (image/png)"
    home = Response(url="https://hb.ifeng.com/", body=b"\x89PNG", headers={"Content-Type": "image/png"},
                    request=Request("https://hb.ifeng.com/"))
    assert list(ifeng.parse_home(home, host="hb.ifeng.com")) == []
    assert "https://hb.ifeng.com/: list not parsed: not a text page (image/png)" in ifeng.errors


def test_deep_json_is_not_parsed_not_an_exception(ifeng, qutoutiao, sample):
    doc = sample.ifeng.docs["seed"]
    assert list(ifeng.parse_article(raw_page(doc.url, '{"docData": ' + DEEP + "}"))) == []
    assert "nested too deep" in failure_of(ifeng, doc.url)
    url = "http://api.1sapp.com/content/outList?cid=255&tn=1&page=1&limit=20"
    response = TextResponse(url=url, body=('{"data": ' + DEEP + "}").encode(), encoding="utf-8", request=Request(url))
    assert list(qutoutiao.parse_list(response, cid=255, page=1, min_time=None)) == []
    assert any("list not parsed" in line and "too deep" in line for line in qutoutiao.errors)


def test_a_qutoutiao_item_with_wrong_types_costs_only_itself(qutoutiao, sample):
    url = sample.qutoutiao.list_urls[255][0]
    index = json.loads((sample.root / "index.json").read_text("utf-8"))
    entry = next(e for e in index["responses"] if e["url"] == url)
    answer = json.loads((sample.root / entry["file"]).read_bytes())
    items = answer["data"]["data"]
    wanted = [r.url for r in qutoutiao.parse_list(TextResponse(url=url, body=json.dumps(answer).encode(),
                                                               encoding="utf-8", request=Request(url)),
                                                  cid=255, page=1, min_time=None) if "/detail/" in r.url]
    assert wanted
    qutoutiao._requested.clear()
    first = next(i for i in items if i.get("id") and i.get("url"))
    items.insert(0, {**first, "id": "999", "cover": 5, "url": first["url"].replace(str(first["id"]), "999")})
    items.insert(1, {**first, "id": "998", "tag": {"x": 1}, "cover": {"a": 1}, "publish_time": [1]})
    items.append("junk")
    items.append(42)
    response = TextResponse(url=url, body=json.dumps(answer).encode(), encoding="utf-8", request=Request(url))
    again = [r.url for r in qutoutiao.parse_list(response, cid=255, page=1, min_time=None) if "/detail/" in r.url]
    assert set(wanted) <= set(again)


def test_lone_surrogates_are_stored_without_them(tmp_path):
    article = Article(url="https://hb.ifeng.com/c/sur", source="ifeng-hb", spider="ifeng", site_name="凤凰网\ud800湖北",
                      site_id="sur\ud800", title="服务外包\ud800标题", summary="摘\udfff要",
                      categories=["分\ud800类", 5],
                      body_html="<p>服务外包\ud800正文。</p>", published=datetime(2025, 7, 24, tzinfo=UTC),
                      keywords=["关\ud800键"])
    normalize(article)
    store = Store.open(f"sqlite:///{tmp_path}/s.sqlite3")
    stored = store.get(store.save(article, content_hash(article.text), datetime(2025, 7, 25, tzinfo=UTC)).article_id)
    store.close()
    assert (stored.title, stored.site_id, stored.summary) == ("服务外包标题", "sur", "摘要")
    assert stored.categories == ["分类", "5"] and "\ud800" not in stored.body_html
