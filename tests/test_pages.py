"""The pages for people: topic pages, archived articles, the index; parsed, and served."""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import html5lib
import pytest

from crawler.items import Image
from crawler.store import FeedArticle
from crawler.store.imagerefs import ImageReferences
from feeds.html import STYLESHEET_NAME
from feeds.index_page import render_index_html
from feeds.model import SourceStatus
from feeds.notepage import render_archived_html
from feeds.pages import render_topic_html
from feeds.server import FeedServer
from feeds.site import archived_page
from feeds.writer import write_archived_pages, write_feed_files
from tests.factories import BEIJING, make_archived_page, make_entry, make_feed
from tests.helpers import store_url
from tests.pagecheck import external, links, loaded_resources, parse_page

BASE_URL = "https://feeds.example.org/"
HOSTILE = '<script>alert(1)</script>" \' & 标题'


def entries(count: int):
    start = datetime(2025, 7, 24, 20, 0, tzinfo=BEIJING)
    return [make_entry(url=f"https://hb.ifeng.com/c/{n}", title=f"服务外包新闻第{n}条",
                       published=start - timedelta(hours=n), updated=start - timedelta(hours=n),
                       outlet="湖北日报", site_name="凤凰网湖北", page=f"archive/ifeng-hb/2025/07/2025072{n}-{n}.html")
            for n in range(count)]


def text_of(root) -> str:
    return "".join(root.itertext())


def test_topic_page_lists_every_entry_newest_first_with_its_facts():
    feed = make_feed(entries(12), slug="service-outsourcing", title="服务外包")
    root = parse_page(render_topic_html(feed, BASE_URL))

    items = root.findall(".//ol/li")
    assert len(items) == 12
    assert [item.find(".//h2/a").get("href") for item in items] == [e.url for e in feed.entries]
    first = text_of(items[0])
    assert "服务外包新闻第0条" in first and "湖北日报 / 凤凰网湖北" in first
    assert "2025-07-24 20:00 北京时间" in first
    assert "研究团队发布新一代人工智能芯片" in first  # the summary
    hrefs = dict((label, href) for href, label in links(items[0]))
    assert hrefs["阅读原文"] == feed.entries[0].url
    assert hrefs["存档副本"] == feed.entries[0].page
    assert "共 12 条" in text_of(root)
    assert (f"{BASE_URL}service-outsourcing.atom", "Atom 订阅") in links(root)
    assert ("index.html", "← 全部主题") in links(root)


def test_credits_name_outlets_the_same_way_in_feed_page_and_archived_page():
    from feeds.atom import render_atom

    same = (("湖北日报", "https://hb.ifeng.com/c/copy"),)
    near = (("长江日报", "https://www.cjrb.example.cn/a.html"),)
    feed = make_feed([make_entry(same_text_at=same, also_reported_by=near)])
    page = text_of(parse_page(render_topic_html(feed, BASE_URL)))
    archived = text_of(parse_page(render_archived_html(make_archived_page(same_text_at=same,
                                                                            also_reported_by=near))))
    content = feedparser.parse(render_atom(feed, BASE_URL)).entries[0].content[0].value
    atom = text_of(html5lib.parseFragment(content, namespaceHTMLElements=False))
    for shown in (page, archived, atom):
        assert "同时见于：湖北日报" in shown and "同时报道：长江日报" in shown
    assert '<a href="https://hb.ifeng.com/c/copy">湖北日报</a>' in content


def test_index_counts_what_it_lists_and_links_every_page():
    many, few = make_feed(entries(12), slug="many", title="多"), make_feed(entries(3), slug="few", title="少")
    root = parse_page(render_index_html([many, few], BASE_URL))
    sections = root.findall(".//section")

    assert len(sections[0].findall(".//ol/li")) == 10
    assert "下列最新 10 条，主题页共 12 条" in text_of(sections[0])
    assert len(sections[1].findall(".//ol/li")) == 3
    assert "共 3 条" in text_of(sections[1])
    hrefs = [href for href, _ in links(root)]
    for slug in ("many", "few"):
        assert f"{slug}.html" in hrefs and f"{BASE_URL}{slug}.atom" in hrefs
    assert f"{BASE_URL}index.opml" in hrefs
    assert entries(1)[0].page in hrefs  # each listed entry links its archived copy


def test_index_shows_each_sources_last_run_and_health():
    started = datetime(2025, 7, 24, 2, 30, tzinfo=UTC)
    sources = [SourceStatus("ifeng-hb", started, "ok", pages=23, new=6, errors=0),
               SourceStatus("qutoutiao", started, "unhealthy (0 of 5 article pages parsed)", 9, 0, 5),
               SourceStatus("web-news")]
    root = parse_page(render_index_html([make_feed([])], BASE_URL, sources))
    rows = [[text_of(td) for td in tr.findall("td")] for tr in root.findall(".//tbody/tr")]

    assert rows == [
        ["ifeng-hb", "2025-07-24 10:30 北京时间", "ok", "23 / 6 / 0"],
        ["qutoutiao", "2025-07-24 10:30 北京时间", "unhealthy (0 of 5 article pages parsed)", "9 / 0 / 5"],
        ["web-news", "从未抓取", "-", "-"],
    ]


def test_archived_page_shows_local_images_keeps_their_origin_and_loads_nothing_else():
    body = ('<p>正文<script>alert(1)</script></p>'
            '<p><img src="../../../../images/news.example.cn/0123.jpg" alt="芯片"></p>'
            '<p><img src="https://img.example.cn/not-saved.jpg"></p>')
    root = parse_page(render_archived_html(make_archived_page(body_html=body, title=HOSTILE)))

    assert root.find(".//h1").text == HOSTILE
    assert not list(root.iter("script"))
    assert [img.get("src") for img in root.iter("img")] == ["../../../../images/news.example.cn/0123.jpg"]
    assert ("https://img.example.cn/not-saved.jpg", "[图片：未存档，点击查看原图]") in links(root)
    provenance = root.findall(".//ol/li")
    assert [text_of(li) for li in provenance] == ["存档副本：https://news.example.cn/a.jpg"]
    assert external(loaded_resources(root)) == []
    assert root.find(".//link[@rel='stylesheet']").get("href") == f"../../../../{STYLESHEET_NAME}"


def feed_article(**overrides) -> FeedArticle:
    values = dict(
        id=7, version=3, canonical_url="https://hb.ifeng.com/c/8kx", url="https://hb.ifeng.com/c/8kx",
        title="服博会观察", outlet="湖北日报", site_name="凤凰网湖北", summary="摘要。",
        published=datetime(2025, 7, 24, 12, 10, tzinfo=UTC), updated=datetime(2025, 7, 24, 12, 10, tzinfo=UTC),
        body_html='<p>一</p><p><img src="https://x0.ifengimg.com/a.jpg"></p><p><img src="https://hb.ifeng.com/c/x">二</p>',
        images=[Image("https://x0.ifengimg.com/a.jpg", local="images/x0.ifengimg.com/aa.jpg"),
                Image("https://hb.ifeng.com/c/x", failed=True)],
        source="ifeng-hb", site_id="8kx", archived=datetime(2025, 7, 24, 13, 0, tzinfo=UTC),
        topics={"so": ["服博会"]}, same_text=[("", "https://news.ifeng.com/c/8kx")])
    return FeedArticle(**{**values, **overrides})


def test_archived_page_from_the_store_uses_local_copies_and_drops_failed_downloads():
    page = archived_page(feed_article(), {"so": "服务外包"})

    assert page.path == "archive/ifeng-hb/2025/07/20250724-8kx.html"
    root = parse_page(render_archived_html(page))
    assert [img.get("src") for img in root.iter("img")] == ["../../../../images/x0.ifengimg.com/aa.jpg"]
    assert "c/x" not in page.body_html and "二" in text_of(root)  # the broken image went, its text stays
    assert page.same_text_at == (("news.ifeng.com", "https://news.ifeng.com/c/8kx"),)  # host when no outlet
    assert ("../../../../so.html", "服务外包") in links(root)


def test_every_page_parses_and_is_served_with_validators(tmp_path: Path):
    feeds_dir = tmp_path / "feeds"
    feed = make_feed(entries(2), slug="so", title="服务外包")
    write_feed_files([feed], feeds_dir, BASE_URL, sources=[SourceStatus("ifeng-hb")])
    write_archived_pages([(make_archived_page(path=feed.entries[0].page), "k")], feeds_dir)

    with FeedServer(feeds_dir) as server:
        for path in ("", "so.html", feed.entries[0].page, STYLESHEET_NAME):
            with urllib.request.urlopen(urljoin(server.url, path)) as answer:
                body, etag = answer.read(), answer.headers["ETag"]
                kind = answer.headers["Content-Type"]
            assert etag and answer.headers["Last-Modified"]
            if path != STYLESHEET_NAME:
                assert kind == "text/html; charset=utf-8"
                assert external(loaded_resources(parse_page(body))) == []
            else:
                assert kind.startswith("text/css")
            again = urllib.request.Request(urljoin(server.url, path), headers={"If-None-Match": etag})
            with pytest.raises(urllib.error.HTTPError) as not_modified:
                urllib.request.urlopen(again)
            assert not_modified.value.code == 304


def test_a_crawl_writes_pages_whose_every_link_and_image_is_served(ifeng_workspace):
    ws = ifeng_workspace
    assert ws.crawl().returncode == 0
    feeds_dir = ws.data / "feeds"
    pages = sorted(feeds_dir.rglob("*.html"))
    archived = [p for p in pages if p.relative_to(feeds_dir).parts[0] == "archive"]
    assert (feeds_dir / "service-outsourcing.html") in pages and len(archived) >= 3

    with FeedServer(feeds_dir, images_root=ws.data / "archive" / "images",
                    image_referenced=ImageReferences(store_url(ws.data))) as server:
        local_targets = set()
        for path in pages:
            root = parse_page(path.read_bytes())
            assert external(loaded_resources(root)) == [], path
            page_url = urljoin(server.url, str(path.relative_to(feeds_dir)))
            for ref in [*loaded_resources(root), *(href for href, _ in links(root))]:
                target = urljoin(page_url, ref)
                if target.startswith(server.url):
                    local_targets.add(target)
        assert any("/images/" in t for t in local_targets)
        for target in sorted(local_targets):
            with urllib.request.urlopen(target) as answer:
                assert answer.status == 200, target
    topic = parse_page((feeds_dir / "service-outsourcing.html").read_bytes())
    assert "服博会" in text_of(topic)
