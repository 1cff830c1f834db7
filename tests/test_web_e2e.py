"""The web source end to end: config → crawl (child process, snapshot server) → archive → feeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.snapshot.server import SnapshotServer
from tests.configs import web_config
from tests.helpers import FAST, check_atom, read_notes, run_topicfeed, write_config
from tests.sites.web import ARTICLES, CHINANEWS, PEOPLE, RECORDED_AT, THEPAPER, write_snapshot


@pytest.fixture
def crawled(tmp_path: Path):
    write_snapshot(tmp_path / "snapshot")
    config = write_config(tmp_path, web_config())
    with SnapshotServer(tmp_path / "snapshot") as server:
        run = run_topicfeed("crawl", "--config", str(config), "--mirror", server.url,
                            "--set", f"TOPICFEED_NOW={RECORDED_AT.isoformat()}", *FAST, cwd=tmp_path)
        yield tmp_path, run, list(server.requests)


MATCHING = (PEOPLE, CHINANEWS, THEPAPER)  # the articles the config's two topics match


def test_matching_articles_are_archived_with_their_fields(crawled):
    root, run, _ = crawled
    assert run.returncode == 0, run.stderr
    notes = read_notes(root / "data" / "archive")
    assert set(notes) == {e.page.url for e in MATCHING}
    for expected in MATCHING:
        meta, body, path = notes[expected.page.url]
        assert meta["title"] == expected.title
        assert meta["published"] == expected.published
        assert (meta["outlet"], meta["editor"], meta["site_name"]) == (expected.outlet, expected.editor,
                                                                       expected.site_name)
        assert path.name == f"{expected.published[:10].replace('-', '')}-{expected.site_id}.md"
        assert path.parts[-4] == "web-set"
        original = body.split("## 原文", 1)[1]
        for line in expected.body:
            assert line in original
        for junk in expected.junk:
            assert junk not in original, f"{junk!r} leaked into {path.name}"


def test_matching_articles_reach_their_topic_feeds(crawled):
    root, run, _ = crawled
    assert run.returncode == 0, run.stderr
    outsourcing = check_atom(root / "data" / "feeds" / "service-outsourcing.atom")
    assert {e.id for e in outsourcing.entries} == {PEOPLE.page.url.replace("http://", "https://"), CHINANEWS.page.url}
    delivery = check_atom(root / "data" / "feeds" / "rural-delivery.atom")
    assert [e.id for e in delivery.entries] == [THEPAPER.page.url]


def test_only_article_links_and_capped_list_pages_are_fetched(crawled):
    _, run, requests = crawled
    assert run.returncode == 0, run.stderr
    for expected in ARTICLES:
        assert expected.page.url.split("://", 1)[1] in requests
    assert "hb.people.com.cn/GB/192237/index2.html" in requests
    for never in ("www.news.cn/photo/", "video.sina.com.cn", "doc-infxold0000001", "10431234", "10432000",
                  "newsDetail_forward_30012345", "hb.people.com.cn/GB/194146/"):
        assert not any(never in r for r in requests), never
    assert "www.chinanews.com.cn/sh/2025/07-25/10454120_2.shtml" in requests
