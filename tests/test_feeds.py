from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from feeds.atom import render_atom
from feeds.index_page import render_index_html
from feeds.model import FeedEntry, TopicFeed
from feeds.opml import render_opml
from feeds.writer import write_feed_files
from tests.factories import BEIJING, make_entry, make_feed
from tests.helpers import ATOM_RNG

BASE_URL = "https://feeds.example.org/"
ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE_TITLE = "<script>alert(1)</script> \" ' & : 标题"
XML_ILLEGAL = "\x00\x01\x08\x0b\x0c\x0e\x1f\ufffe\uffff\ud800"


@cache
def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(ATOM_RNG)))


def newest_first(count: int) -> list[FeedEntry]:
    start = datetime(2024, 5, 10, 12, 0, tzinfo=BEIJING)
    entries = []
    for i in range(count):
        published = start - timedelta(hours=i)
        entries.append(
            make_entry(
                url=f"https://news.example.cn/2024/05/{i}.html",
                title=f"第{i}条新闻：大模型进展",
                published=published,
                updated=published + timedelta(minutes=5),
            )
        )
    return entries


def assert_valid_atom(document: bytes) -> feedparser.FeedParserDict:
    schema = atom_schema()
    assert schema.validate(etree.fromstring(document)), schema.error_log
    parsed = feedparser.parse(document)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def sample_feeds() -> list[TopicFeed]:
    return [
        make_feed(newest_first(3)),
        make_feed([], slug="empty", title="空主题"),
        make_feed(
            [
                make_entry(
                    also_reported_by=(("人民网", "https://people.example.cn/a?x=1&y=2"),),
                    categories=("人工智能", "A&B <c>"),
                )
            ],
            slug="chips",
            title="芯片 & 半导体",
        ),
    ]


@pytest.mark.parametrize("feed", sample_feeds(), ids=lambda f: f.slug)
def test_rendered_feed_is_valid_atom(feed: TopicFeed) -> None:
    parsed = assert_valid_atom(render_atom(feed, BASE_URL))

    assert parsed.feed.id == f"{BASE_URL}{feed.slug}.atom"
    assert parsed.feed.title == feed.title
    links = {link.rel: link for link in parsed.feed.links}
    assert links["self"].href == f"{BASE_URL}{feed.slug}.atom"
    assert links["self"].type == "application/atom+xml"
    assert links["alternate"].href == f"{BASE_URL}{feed.slug}.html"  # its page for people
    assert links["alternate"].type == "text/html"
    assert all(k in parsed.feed.subtitle for k in feed.keywords)


def test_entries_keep_given_order_and_feed_updated_is_newest_entry() -> None:
    entries = newest_first(4)
    # The second entry was edited last: the feed's updated must be the max, not the first.
    latest = datetime(2024, 5, 11, 1, 0, tzinfo=UTC)
    entries[1] = make_entry(
        url=entries[1].url, title=entries[1].title, published=entries[1].published, updated=latest
    )

    document = render_atom(make_feed(entries), BASE_URL)
    parsed = assert_valid_atom(document)

    assert [e.id for e in parsed.entries] == [e.id for e in entries]
    root = etree.fromstring(document)
    assert root.findtext(f"{ATOM}updated") == latest.isoformat()
    parsed_updated = datetime(*parsed.feed.updated_parsed[:6], tzinfo=UTC)
    assert parsed_updated == max(e.updated for e in entries)


def test_entry_fields() -> None:
    entry = make_entry(author="", site_name="示例新闻网")
    parsed = assert_valid_atom(render_atom(make_feed([entry]), BASE_URL))
    item = parsed.entries[0]

    assert item.id == entry.id
    assert item.title == entry.title
    assert item.link == entry.url
    assert item.links[0].rel == "alternate"
    assert item.author == "示例新闻网"
    assert item.summary == entry.summary
    assert item.summary_detail.type == "text/plain"
    assert item.content[0].type == "text/html"
    published = datetime(*item.published_parsed[:6], tzinfo=UTC)
    assert published == entry.published


def test_entry_links_are_typed_alternates_in_a_document_stable_under_reparsing() -> None:
    entries = [make_entry(url=f"https://news.example.cn/{i}?a=1&b=2", title=HOSTILE_TITLE + "\r\n",
                          content_html="<p>a\r\nb &amp; <img src='x.jpg'></p>", summary="s\r\n")
               for i in range(3)]
    document = render_atom(make_feed(entries), BASE_URL)

    root = etree.fromstring(document)
    links = root.findall(f"{ATOM}entry/{ATOM}link")
    assert [(link.get("rel"), link.get("type")) for link in links] == [
        ("alternate", "text/html")] * 3
    # Earlier renderers parsed feedgen's output and serialised it again: the bytes are the same.
    assert document == etree.tostring(root, encoding="UTF-8", xml_declaration=True,
                                      pretty_print=True)


def test_rendering_is_deterministic() -> None:
    feed = sample_feeds()[0]

    first = render_atom(feed, BASE_URL)
    second = render_atom(feed, BASE_URL)

    assert first == second
    generator = etree.fromstring(first).find(f"{ATOM}generator")
    assert generator is not None
    assert (generator.text, generator.get("version")) == ("topicfeed", "0.1.0")
    assert generator.get("uri") is None


def test_empty_feed_is_valid_with_epoch_updated() -> None:
    document = render_atom(make_feed([]), BASE_URL)

    parsed = assert_valid_atom(document)

    assert parsed.entries == []
    assert etree.fromstring(document).findtext(f"{ATOM}updated") == "1970-01-01T00:00:00+00:00"
    assert document == render_atom(make_feed([]), BASE_URL)


def test_xml_illegal_characters_are_removed() -> None:
    entry = make_entry(
        title=f"标题{XML_ILLEGAL}结束",
        summary=f"摘要{XML_ILLEGAL}",
        content_html=f"<p>正文{XML_ILLEGAL}</p>",
        author=f"作者{XML_ILLEGAL}",
        categories=(f"关键词{XML_ILLEGAL}",),
    )
    feed = make_feed([entry], title=f"主题{XML_ILLEGAL}", keywords=(f"词{XML_ILLEGAL}",))

    parsed = assert_valid_atom(render_atom(feed, BASE_URL))

    assert parsed.feed.title == "主题"
    assert parsed.entries[0].title == "标题结束"
    assert parsed.entries[0].summary == "摘要"
    assert parsed.entries[0].tags[0].term == "关键词"


def test_split_surrogate_pair_becomes_one_character() -> None:
    entry = make_entry(title="表情\ud83d\ude00")

    parsed = assert_valid_atom(render_atom(make_feed([entry]), BASE_URL))

    assert parsed.entries[0].title == "表情\U0001f600"


def test_hostile_title_round_trips_as_text() -> None:
    entry = make_entry(title=HOSTILE_TITLE, summary=HOSTILE_TITLE)
    feed = make_feed([entry], title=HOSTILE_TITLE)

    document = render_atom(feed, BASE_URL)
    parsed = assert_valid_atom(document)

    assert b"<script>" not in document
    assert parsed.feed.title == HOSTILE_TITLE
    assert parsed.entries[0].title == HOSTILE_TITLE
    assert parsed.entries[0].summary == HOSTILE_TITLE


def test_one_category_per_keyword() -> None:
    entry = make_entry(categories=("人工智能", "大模型", "A&B"))

    document = render_atom(make_feed([entry]), BASE_URL)

    terms = [c.get("term") for c in etree.fromstring(document).iter(f"{ATOM}category")]
    assert terms == ["人工智能", "大模型", "A&B"]


def test_content_ends_with_escaped_credit() -> None:
    entry = make_entry(
        url="https://news.example.cn/a?id=1&p=2",
        site_name='示例<新闻>"网"',
        also_reported_by=(
            ("人民网", "https://people.example.cn/1"),
            ("央视网", "https://cctv.example.cn/2"),
        ),
    )

    document = render_atom(make_feed([entry]), BASE_URL)

    content = etree.fromstring(document).findtext(f"{ATOM}entry/{ATOM}content")
    assert content.startswith(entry.content_html)
    assert (
        '<p>来源：<a href="https://news.example.cn/a?id=1&amp;p=2">示例&lt;新闻&gt;&quot;网&quot;</a></p>'
        in content
    )
    assert content.endswith(
        '<p>同时报道：<a href="https://people.example.cn/1">人民网</a>、'
        '<a href="https://cctv.example.cn/2">央视网</a></p>'
    )


def test_no_also_reported_paragraph_without_other_sources() -> None:
    document = render_atom(make_feed([make_entry()]), BASE_URL)

    content = etree.fromstring(document).findtext(f"{ATOM}entry/{ATOM}content")
    assert "来源：" in content
    assert "同时报道" not in content


def test_naive_datetime_is_rejected() -> None:
    entry = make_entry(updated=datetime(2024, 5, 1, 9, 0))

    with pytest.raises(ValueError, match="naive"):
        render_atom(make_feed([entry]), BASE_URL)


def test_opml_lists_every_feed() -> None:
    feeds = [*sample_feeds(), make_feed([], slug="hostile", title=HOSTILE_TITLE)]

    document = render_opml(feeds, BASE_URL)
    root = etree.fromstring(document)

    assert root.tag == "opml"
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == "topicfeed"
    outlines = root.findall("body/outline")
    assert [o.get("xmlUrl") for o in outlines] == [f"{BASE_URL}{f.slug}.atom" for f in feeds]
    assert [o.get("text") for o in outlines] == [f.title for f in feeds]
    assert all(o.get("type") == "rss" for o in outlines)
    assert [o.get("htmlUrl") for o in outlines] == [f"{BASE_URL}{f.slug}.html" for f in feeds]
    assert document == render_opml(feeds, BASE_URL)


def test_index_page_escapes_everything() -> None:
    hostile_entry = make_entry(url="javascript:alert(1)", title=HOSTILE_TITLE)
    feeds = [
        *sample_feeds(),
        make_feed([hostile_entry], slug="hostile", title=HOSTILE_TITLE, keywords=(HOSTILE_TITLE,)),
    ]

    page = render_index_html(feeds, BASE_URL)
    text = page.decode("utf-8")

    assert "<script" not in text.lower()
    assert "javascript:" not in text.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert text.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in text
    assert f'href="{BASE_URL}index.opml"' in text
    for feed in feeds:
        assert f'href="{BASE_URL}{feed.slug}.atom"' in text
    assert page == render_index_html(feeds, BASE_URL)


def test_index_page_shows_ten_newest_entries() -> None:
    entries = newest_first(12)

    text = render_index_html([make_feed(entries)], BASE_URL).decode("utf-8")

    assert "下列最新 10 条，主题页共 12 条" in text  # the count says what the list holds
    assert "共 12 条" not in text.replace("主题页共 12 条", "")
    assert "2024-05-10 12:05 北京时间" in text
    shown = [e for e in entries if f'href="{e.url}"' in text]
    assert shown == entries[:10]


def written_mtimes(feeds_dir: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in sorted(feeds_dir.iterdir())}


def test_writer_writes_only_what_changed(tmp_path: Path) -> None:
    feeds_dir = tmp_path / "feeds"
    feeds = [make_feed(newest_first(2)), make_feed(newest_first(1), slug="chips", title="芯片")]

    first = write_feed_files(feeds, feeds_dir, BASE_URL)

    names = ["ai.atom", "ai.html", "chips.atom", "chips.html", "index.opml", "index.html", "style.css"]
    assert first == [feeds_dir / n for n in names]
    assert (feeds_dir / "ai.atom").read_bytes() == render_atom(feeds[0], BASE_URL)
    past = 1_000_000_000
    for path in first:
        os.utime(path, ns=(past, past))
    before = written_mtimes(feeds_dir)

    assert write_feed_files(feeds, feeds_dir, BASE_URL) == []
    assert written_mtimes(feeds_dir) == before

    changed = [make_feed(newest_first(3)), feeds[1]]
    rewritten = write_feed_files(changed, feeds_dir, BASE_URL)

    assert rewritten == [feeds_dir / "ai.atom", feeds_dir / "ai.html", feeds_dir / "index.html"]
    after = written_mtimes(feeds_dir)
    assert after["chips.atom"] == before["chips.atom"]
    assert after["index.opml"] == before["index.opml"]


def test_writer_keeps_feeds_of_removed_topics(tmp_path: Path) -> None:
    write_feed_files([make_feed([]), make_feed([], slug="old")], tmp_path, BASE_URL)

    write_feed_files([make_feed([])], tmp_path, BASE_URL)

    assert (tmp_path / "old.atom").exists()


@pytest.mark.parametrize("slug", ["", "..", "a/b", "../escape"])
def test_writer_rejects_slugs_that_are_not_file_names(tmp_path: Path, slug: str) -> None:
    with pytest.raises(ValueError, match="slug"):
        write_feed_files([make_feed([], slug=slug)], tmp_path, BASE_URL)


def test_writer_rejects_duplicate_slugs(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="twice"):
        write_feed_files([make_feed([]), make_feed([])], tmp_path, BASE_URL)


def test_times_are_written_in_utc() -> None:
    odd_offset = timezone(timedelta(hours=8, minutes=5, seconds=43))
    entry = make_entry(
        published=datetime(2024, 5, 1, 8, 0, tzinfo=odd_offset),
        updated=datetime(2024, 5, 1, 9, 0, tzinfo=odd_offset),
    )

    document = render_atom(make_feed([entry]), BASE_URL)
    assert_valid_atom(document)

    published = etree.fromstring(document).findtext(f"{ATOM}entry/{ATOM}published")
    assert published == "2024-04-30T23:54:17+00:00"
