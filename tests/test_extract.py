"""crawler.extract on the Chinese test set: every field and body line of six publisher families."""

from __future__ import annotations

import json

import lxml.html
import pytest

from crawler.extract import extract_page
from crawler.extract.body import body_lines, junk_share, strip_junk
from crawler.extract.charset import declared_charset, decode_page
from crawler.extract.fields import editor_in, parse_published, split_title, url_date
from crawler.extract.pages import next_page, page_of
from tests.sites.web import ARTICLES, CHINANEWS, CHINANEWS_PAGED, GOV, THEPAPER, Expected

IDS = [f"{e.family}-{e.site_id}" for e in ARTICLES]


def extracted_body(expected: Expected) -> tuple[list[str], str]:
    first = extract_page(expected.page.body, expected.page.url, expected.page.content_type)
    html = first.body_html
    for page in expected.more_pages:
        html += extract_page(page.body, page.url, page.content_type, first_url=expected.page.url).body_html
    return body_lines(html), html


@pytest.mark.parametrize("expected", ARTICLES, ids=IDS)
def test_fields(expected: Expected):
    page = extract_page(expected.page.body, expected.page.url, expected.page.content_type)
    got = {"title": page.title, "published": page.published.isoformat() if page.published else "",
           "outlet": page.outlet, "editor": page.editor, "site_name": page.site_name}
    assert got == expected.fields


@pytest.mark.parametrize("expected", ARTICLES, ids=IDS)
def test_body_is_the_article_text_and_nothing_else(expected: Expected):
    lines, html = extracted_body(expected)
    assert lines == list(expected.body)
    for junk in expected.junk:
        assert junk not in html, f"{junk!r} leaked into the body"


@pytest.mark.parametrize("expected", [e for e in ARTICLES if e.images], ids=lambda e: e.family)
def test_images_are_absolute_and_lazy_ones_resolved(expected: Expected):
    _, html = extracted_body(expected)
    sources = [img.get("src") for img in lxml.html.fragment_fromstring(html, create_parent="div").iter("img")]
    assert sources == list(expected.images)


def test_gbk_bytes_decode_with_characters_gb2312_lacks():
    body = CHINANEWS.page.body
    assert "镕".encode("gbk") in body  # 镕 is in GBK, not in the GB2312 the page declares
    assert "朱镕基" in decode_page(body, "text/html")
    assert "朱镕基" in decode_page(body, "text/html; charset=gb2312")


@pytest.mark.parametrize(("content_type", "meta", "expected"), [
    ("text/html; charset=GBK", b"", "gb18030"),
    ("text/html", b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "gb18030"),
    ("text/html", b'<meta charset="utf-8">', "utf-8"),
    ("text/html; charset=utf-8", b'<meta charset="gbk">', "utf-8"),  # the header wins
    ("", b"", None),
])
def test_declared_charset(content_type: str, meta: bytes, expected: str | None):
    assert declared_charset(b"<html><head>" + meta + b"</head>", content_type) == expected


def test_undeclared_gbk_is_sniffed_and_mislabelled_utf8_falls_back():
    text = "<p>一条老街的夜市复苏记</p>"
    assert decode_page(text.encode("gbk")) == text
    assert decode_page(text.encode("gbk"), "text/html; charset=utf-8") == text
    assert decode_page(text.encode("utf-8")) == text


def test_embedded_json_body_where_the_html_body_is_empty():
    page = extract_page(THEPAPER.page.body, THEPAPER.page.url)
    assert page.method == "embedded"
    assert page.author == "澎湃新闻记者 许南枝"


def test_json_ld_article_body_and_fields():
    ld = {"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "某市融媒"}, {
        "@type": "NewsArticle", "headline": "城市绿道串起十二个公园",
        "datePublished": "2025-07-23T18:30:00+08:00", "author": [{"@type": "Person", "name": "林小禾"}],
        "publisher": {"@type": "Organization", "name": "某市日报"},
        "articleBody": "城市绿道全长六十公里，串起十二个公园，沿途经过三条河流和两处湿地。\n"
                       "沿线新设了二十处驿站，提供饮水、休息座椅和共享单车停放点，方便市民骑行和步行。\n"
                       "园林部门表示，明年还将把绿道向城市东部的新区延伸十五公里。"}]}
    html = (f'<html><head><script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
            '</head><body><div id="app"></div></body></html>')
    page = extract_page(html.encode(), "https://news.example.cn/a/123.html")
    assert page.title == "城市绿道串起十二个公园"
    assert page.published.isoformat() == "2025-07-23T18:30:00+08:00"
    assert (page.author, page.outlet) == ("林小禾", "某市日报")
    assert page.method == "embedded"
    assert body_lines(page.body_html) == ld["@graph"][1]["articleBody"].split("\n")


@pytest.mark.parametrize(("value", "iso", "has_time"), [
    ("2025年07月24日 07:55", "2025-07-24T07:55:00+08:00", True),
    ("2025年07月24日07:55", "2025-07-24T07:55:00+08:00", True),
    ("2025 07/24 10:32:08", "2025-07-24T10:32:08+08:00", True),
    ("2025-07-24 16:03", "2025-07-24T16:03:00+08:00", True),
    ("2025-07-24T08:41:00+08:00", "2025-07-24T08:41:00+08:00", True),
    ("2025-07-24T00:41:00Z", "2025-07-24T00:41:00+00:00", True),
    ("2025-07-24", "2025-07-24T00:00:00+08:00", False),
])
def test_published_forms_default_to_shanghai(value: str, iso: str, has_time: bool):
    dated = parse_published(value)
    assert dated is not None and dated.value.isoformat() == iso and dated.has_time is has_time


@pytest.mark.parametrize(("url", "day"), [
    ("http://hb.people.com.cn/n2/2025/0724/c192237-41286531.html", "2025-07-24"),
    ("https://www.news.cn/local/20250724/3f1c2a9be0d84d6fa1b2c3d4e5f60718/c.html", "2025-07-24"),
    ("https://news.sina.com.cn/c/2025-07-24/doc-infxkqzm4521783.shtml", "2025-07-24"),
    ("https://www.chinanews.com.cn/cj/2025/07-24/10453312.shtml", "2025-07-24"),
    ("http://www.hubei.gov.cn/zwgk/hbyw/hbywqb/202507/t20250724_5712208.shtml", "2025-07-24"),
    ("https://www.thepaper.cn/newsDetail_forward_31254789", None),
])
def test_url_date_is_the_last_resort(url: str, day: str | None):
    dated = url_date(url)
    assert (dated.value.date().isoformat() if dated else None) == day


def test_published_falls_back_to_the_url_date():
    html = "<html><head><title>无时间的页面</title></head><body><h1>无时间的页面</h1><p>正文。</p></body></html>"
    page = extract_page(html.encode(), "http://www.example.gov.cn/art/2025/7/24/art_1_123.html")
    assert page.published is None  # /2025/7/24/: one-digit parts are no URL date
    page = extract_page(html.encode(), "http://www.example.gov.cn/202507/t20250724_123.html")
    assert page.published.isoformat() == "2025-07-24T00:00:00+08:00"


def test_title_suffix_and_editor_lines():
    assert split_title("全省推进会在宜昌召开_湖北要闻_湖北省人民政府门户网站") == (
        "全省推进会在宜昌召开", "湖北省人民政府门户网站")
    assert editor_in("正文。(责编：刘一帆、陈静)") == "刘一帆、陈静"
    assert editor_in("正文。【责任编辑:姚晓岚】") == "姚晓岚"
    assert editor_in("正文。责任编辑：张晓川 ") == "张晓川"
    assert editor_in("正文，没有编辑行。") == ""


def test_junk_lines_are_stripped_and_scored():
    body = "<p>正文第一段，讲了一件事。</p><p>责任编辑：某某</p><p>分享到：微信 微博</p><p>Copyright © 2025</p>"
    assert junk_share(body) > 0.5
    assert body_lines(strip_junk(body)) == ["正文第一段，讲了一件事。"]


def test_next_page_of_a_split_article():
    first = CHINANEWS_PAGED.page
    tree = lxml.html.document_fromstring(first.body.decode("gbk"))
    assert next_page(tree, first.url, first.url) == CHINANEWS_PAGED.more_pages[0].url
    last = CHINANEWS_PAGED.more_pages[0]
    tree = lxml.html.document_fromstring(last.body.decode("gbk"))
    assert next_page(tree, last.url, first.url) is None
    assert page_of("https://x.cn/a/c1-41286531-2.html", "https://x.cn/a/c1-41286531.html") == 2
    assert page_of("https://x.cn/a/10454121.shtml", "https://x.cn/a/10454120.shtml") is None


def test_a_related_article_numbered_like_a_page_is_not_a_next_page():
    html = '<html><body><p>正文。</p><a href="news_12.html">另一篇文章</a></body></html>'
    tree = lxml.html.document_fromstring(html)
    assert next_page(tree, "https://x.cn/news_11.html", "https://x.cn/news_11.html") is None


def test_government_meta_tags():
    page = extract_page(GOV.page.body, GOV.page.url, GOV.page.content_type)
    assert page.keywords == ("县域商业", "推进会")
