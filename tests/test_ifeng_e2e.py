"""ifeng end to end: config → crawl (child process, snapshot server) → store → archive → feeds."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from crawler.pipelines.images import image_path
from crawler.snapshot.writer import SnapshotWriter
from tests.helpers import check_atom, read_notes
from tests.sites.ifeng import article_page
from tests.sites.media import placeholder_png

NAVIGATION_JUNK = ("注册", "登录", "频道推荐", "图片新闻", "凤凰新媒体介绍", "京ICP证", "推荐58406",
                   "Phoenix New Media")


def article_requests(requests: list[str]) -> list[str]:
    return [r for r in requests if "/c/" in r and "shankapi" not in r]


@pytest.fixture
def crawled(ifeng_workspace):
    run = ifeng_workspace.crawl()
    assert run.returncode == 0, run.stderr
    return ifeng_workspace


def test_first_crawl_archives_exactly_the_expected_articles(crawled, sample):
    ifeng = sample.ifeng
    notes = read_notes(crawled.data / "archive")
    roles = {ifeng.role_of(url) for url in notes}
    pair = set(ifeng.same_text_pair)
    assert roles - pair == set(ifeng.expected_archived)
    assert len(roles & pair) == 1, "the same story on hb and hn is stored once"

    for url, (meta, body, path) in notes.items():
        doc = ifeng.docs[ifeng.role_of(url)]
        assert meta["title"] == doc.title
        assert datetime.fromisoformat(meta["published"]).isoformat(sep=" ").startswith(doc.news_time)
        assert meta["published"].endswith("+08:00")
        assert meta["outlet"] == doc.source
        assert meta["editor"] == doc.editor
        assert path.name == f"{doc.news_time[:10].replace('-', '')}-{doc.doc_id}.md"
        assert path.parent.parent.parent.name == "ifeng-hb"
        for image in doc.images:
            local = path.parent / f"../../../{image_path(image.url)}"
            # the copy, with the original URL as its title (provenance)
            assert f'](../../../{image_path(image.url)} "{image.url}")' in body, f"{image.url} missing from {path.name}"
            assert local.resolve().read_bytes() == placeholder_png(image.url)
        assert "base64" not in body
        for junk in NAVIGATION_JUNK:
            assert junk not in body, f"navigation text {junk!r} leaked into {path.name}"


def test_seed_article_as_published(crawled, sample):
    notes = read_notes(crawled.data / "archive")
    meta, body, _ = notes["https://hb.ifeng.com/c/8lE1OVQRmEX"]
    assert meta["title"] == "这场博览会在武汉举行：数智技术赋能我国服务外包提质转型"
    assert meta["published"] == "2025-07-24T07:55:17+08:00"
    assert meta["outlet"] == "新华社" and meta["site_name"] == "凤凰网湖北"
    assert meta["topics"] == ["service-outsourcing"]
    assert "服务外包" in meta["tags"]
    paragraphs = [p for p in body.split("## 原文", 1)[1].split("\n\n") if p.strip()]
    assert paragraphs[0].strip() == "原标题：数智技术赋能我国服务外包提质转型"
    assert any(p.strip().endswith("（记者龚联康）") for p in paragraphs)
    assert "第十四届中国国际服务外包交易博览会开幕式现场。主办方供图" in body
    summary = body.split("## 摘要", 1)[1].split("## 原文", 1)[0].strip()
    assert 0 < len(summary) <= 200 and summary.endswith("。")


def test_traps_video_and_ignored_links(crawled, sample):
    ifeng = sample.ifeng
    notes = read_notes(crawled.data / "archive")
    by_role = {ifeng.role_of(url): body for url, (_, body, _) in notes.items()}
    assert ifeng.brace_trap_tail in by_role["brace_trap"]
    xss = by_role["xss_trap"]
    for bad in ("<script", "onerror", "javascript:", "<iframe", "alert(1)", "style="):
        assert bad not in xss
    video = ifeng.docs["video"].video
    assert f"]({video.play_url})" in by_role["video"] and image_path(video.poster_url) in by_role["video"]
    requested = crawled.server.requests
    assert len(requested) == len(set(requested)), "every page is fetched from the mirror once"
    assert "hb.ifeng.com/robots.txt" in requested, "robots.txt is read through the mirror too"
    assert not any("/c/special/" in r for r in requested)
    assert not any(r.startswith("news.ifeng.com") for r in requested)
    for ignored in ifeng.ignored_urls:
        assert ignored.split("://", 1)[-1] not in requested


def test_feeds_are_valid_and_hold_exactly_their_articles_newest_first(crawled, sample):
    notes = read_notes(crawled.data / "archive")
    feeds_dir = crawled.data / "feeds"
    for slug in ("service-outsourcing", "expo-video"):
        parsed = check_atom(feeds_dir / f"{slug}.atom")
        expected = {url for url, (meta, _, _) in notes.items() if slug in meta["topics"]}
        ids = [entry.id for entry in parsed.entries]
        assert set(ids) == expected and len(ids) == len(expected)
        published = [entry.published_parsed for entry in parsed.entries]
        assert published == sorted(published, reverse=True)
    video_feed = check_atom(feeds_dir / "expo-video.atom")
    assert [e.id for e in video_feed.entries] == [sample.ifeng.docs["video"].url]
    assert (feeds_dir / "index.opml").read_text(encoding="utf-8").count("xmlUrl=") == 2
    assert "服务外包" in (feeds_dir / "index.html").read_text(encoding="utf-8")


def published_files(feeds_dir):
    """Every file of the feeds folder but index.html, whose sources table shows each run."""
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in feeds_dir.rglob("*")
            if p.is_file() and p.name != "index.html"}


def test_recrawl_fetches_no_article_and_changes_nothing(crawled):
    feeds = published_files(crawled.data / "feeds")
    notes = {p: p.read_bytes() for p in (crawled.data / "archive").rglob("*.md")}
    before = len(crawled.server.requests)
    run = crawled.crawl()
    assert run.returncode == 0, run.stderr
    assert article_requests(crawled.server.requests[before:]) == []
    assert "0 new, 0 updated" in run.stdout
    assert published_files(crawled.data / "feeds") == feeds
    assert {p: p.read_bytes() for p in (crawled.data / "archive").rglob("*.md")} == notes


def test_revisit_updates_only_the_changed_article(crawled, sample):
    doc = sample.ifeng.docs["lazyload"]
    writer = SnapshotWriter(crawled.snapshot, sample.recorded_at)
    revised = doc.content_html.replace("</p>", "</p><p>更正：本文数据已于7月26日更新。</p>", 1)
    writer.add(doc.url, article_page(replace(doc, content_html=revised)))
    writer.save()
    crawled.server.reload()
    atom = crawled.data / "feeds" / "service-outsourcing.atom"
    old_entries = {e.id: e for e in check_atom(atom).entries}
    notes_before = {p: p.read_bytes() for p in (crawled.data / "archive").rglob("*.md")}

    before = len(crawled.server.requests)
    run = crawled.crawl("--revisit")
    assert run.returncode == 0, run.stderr
    assert "1 updated" in run.stdout
    assert not [r for r in crawled.server.requests[before:] if "ifengimg.com" in r], "images downloaded twice"

    changed = [p for p, data in notes_before.items() if p.read_bytes() != data]
    assert [p.name for p in changed] == [f"20250725-{doc.doc_id}.md"]
    assert "更正：本文数据已于7月26日更新。" in changed[0].read_text(encoding="utf-8")
    new_entries = {e.id: e for e in check_atom(atom).entries}
    assert new_entries.keys() == old_entries.keys()
    for entry_id, entry in new_entries.items():
        assert entry.published == old_entries[entry_id].published
        if entry_id == doc.url:
            assert entry.updated_parsed > old_entries[entry_id].updated_parsed
        else:
            assert entry.updated == old_entries[entry_id].updated


def test_same_text_on_two_hosts_is_stored_once_with_alias(crawled, sample):
    first, second = (sample.ifeng.docs[r].url for r in sample.ifeng.same_text_pair)
    notes = read_notes(crawled.data / "archive")
    kept = first if first in notes else second
    other = second if kept == first else first
    assert other not in notes
    assert notes[kept][0]["also_at"] == [other]
    other_outlet = next(d.source for d in sample.ifeng.docs.values() if d.url == other)
    assert f"- **同时见于**: {other_outlet} {other}\n" in notes[kept][1]
