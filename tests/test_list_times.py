"""A page dated outside any sane window goes by its listing's time for it, not by the fetch time,
and is not judged too old by that date either (the web spider's and Qutoutiao's: in their tests)."""

from __future__ import annotations

from dataclasses import replace

from scrapy.http import HtmlResponse

from crawler.text.prepare import normalize
from tests.sites.ifeng import article_page
from tests.test_listings import search_page, search_spider


def test_an_ifeng_article_dated_1985_goes_by_its_search_hit_time(tmp_path, sample):
    spider = search_spider(tmp_path)
    doc = sample.ifeng.docs["seed"]
    [request] = [r for r in spider.parse_search(search_page([doc], "服务外包", 1), keyword="服务外包", page=1)
                 if r.callback == spider.parse_article]
    assert request.cb_kwargs["listed"] == doc.published
    page = article_page(replace(doc, news_time="1985-07-24 08:00:00")).encode()
    [item] = spider.parse_article(HtmlResponse(doc.url, body=page, encoding="utf-8", request=request),
                                  **request.cb_kwargs)
    item = normalize(item)
    assert item.published == doc.published and "1985-07-24" in item.date_note and "list's time" in item.date_note
