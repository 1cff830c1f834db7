"""The rest of the hostile cases: redirects off the regions, foreign stores, occupied feed paths,
a locked store at crawl start, megabyte paragraphs."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.extensions import runreport
from crawler.items import Article
from crawler.store import Store, StoreError
from crawler.text.prepare import MAX_BODY_CHARS, normalize
from crawler.text.strings import content_hash
from feeds.build import MAX_ENTRY_CHARS, feed_entry
from feeds.writer import write_feed_files
from tests.factories import make_entry, make_feed
from tests.helpers import store_url
from tests.sites.ifeng import article_all_data
from tests.test_bad_input import one_line
from tests.test_malformed_entries import failure_of, page
from tests.test_malformed_entries import make_spider as make_spider  # a fixture


def test_a_redirect_off_the_configured_hosts_is_not_archived(make_spider, sample):
    from spiders.ifeng import IfengSpider
    from tests.configs import ifeng_hb_source

    spider = make_spider(IfengSpider, ifeng_hb_source())
    doc = sample.ifeng.docs["seed"]
    moved = "https://news.ifeng.com/c/8lE0KzWv3Qa"
    response = page(moved, article_all_data(replace(doc, host="news.ifeng.com")))
    response.request.meta["redirect_urls"] = [doc.url]
    assert list(spider.parse_article(response)) == []
    assert failure_of(spider, doc.url) == f"redirected to {moved}, not a configured host"


@pytest.mark.sqlite_only
def test_another_programs_sqlite_file_is_refused(tmp_path, ifeng_workspace):
    foreign = tmp_path / "app.sqlite3"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO users (name) VALUES ('alice')")
    before = foreign.read_bytes()
    with pytest.raises(StoreError, match="another program's database, tables users"):
        Store.open(f"sqlite:///{foreign}")
    assert foreign.read_bytes() == before
    config = ifeng_workspace.config
    config.write_text(config.read_text("utf-8").replace("[paths]", f'[store]\nurl = "sqlite:///{foreign}"\n\n[paths]'),
                      "utf-8")
    run = ifeng_workspace.run("feeds")
    assert run.returncode == 2 and "not a usable topicfeed store" in one_line(run.stderr)
    assert foreign.read_bytes() == before
    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).close()
    Store.open(f"sqlite:///{empty}").close()  # an empty file is fine: it becomes a store


def test_a_feed_path_taken_by_a_folder_costs_only_that_feed(tmp_path):
    feeds_dir = tmp_path / "feeds"
    (feeds_dir / "blocked.atom").mkdir(parents=True)
    feeds = [make_feed(slug="blocked", entries=(make_entry(),)), make_feed(slug="fine", entries=(make_entry(),))]
    with pytest.raises(OSError, match="every other feed file was written") as raised:
        write_feed_files(feeds, feeds_dir, "http://127.0.0.1:8080/")
    assert raised.value.filename == str(feeds_dir / "blocked.atom")
    for name in ("fine.atom", "index.opml", "index.html", "blocked.html"):
        assert (feeds_dir / name).is_file(), name


class LockedAtStart:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def start_run(self, source: str, started: datetime) -> int:
        self.calls.append("start")
        if self.calls.count("start") == 1:
            raise sa.exc.OperationalError("INSERT INTO runs", {}, Exception("database is locked"))
        return 7

    def finish_run(self, run_id: int, finished: datetime, outcome: str, stats: dict, errors: list) -> None:
        self.calls.append(f"finish {run_id} {outcome}")


def test_a_store_locked_at_crawl_start_still_gets_the_run(monkeypatch, caplog):
    store = LockedAtStart()
    resources = type("Resources", (), {"store": store, "source": "ifeng-hb"})()
    monkeypatch.setattr(runreport.CrawlResources, "of", classmethod(lambda cls, crawler: resources))
    crawler = get_crawler(settings_dict={"TOPICFEED_PROGRESS": False})
    reporter = runreport.RunReporter.from_crawler(crawler)
    spider = type("S", (), {"name": "ifeng", "source_name": "ifeng-hb"})()
    reporter.spider_opened(spider)
    reporter.response_received(None, Request("https://hb.ifeng.com/"), spider)
    reporter.spider_closed(spider, "finished")
    assert store.calls == ["start", "start", "finish 7 ok"]
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "database is locked" in warnings[0].getMessage()
    assert not any(r.exc_info for r in caplog.records)


def test_a_five_megabyte_paragraph_is_capped(tmp_path):
    huge = "服务外包" * (5 * 1024 * 1024 // 12)
    article = Article(url="https://hb.ifeng.com/c/huge", source="ifeng-hb", spider="ifeng", site_name="凤凰网湖北",
                      site_id="huge", title="服务外包", body_html=f"<p>{huge}</p><p>尾段</p>",
                      published=datetime(2025, 7, 24, tzinfo=UTC))
    normalize(article)
    assert len(article.body_html) <= MAX_BODY_CHARS + 100 and len(article.text) <= MAX_BODY_CHARS + 100
    assert len(article.text) > MAX_BODY_CHARS * 0.9, "the paragraph is cut, not dropped"
    assert article.body_html.endswith("以下内容未收录）</p>")
    store = Store.open(f"sqlite:///{tmp_path}/s.sqlite3")
    stored = store.get(store.save(article, content_hash(article.text), datetime(2025, 7, 25, tzinfo=UTC)).article_id)
    store.close()
    old = replace(stored, body_html=f"<p>{huge}</p>")  # stored whole by an older version
    assert len(feed_entry(old, "so").content_html) <= MAX_ENTRY_CHARS + 100


def test_images_the_disk_did_not_take_are_fetched_by_a_later_crawl(ifeng_workspace, sample):
    ws = ifeng_workspace
    blocker = ws.data / "archive" / "images"
    blocker.parent.mkdir(parents=True)
    blocker.write_bytes(b"")  # every image write fails, as on a full disk
    first = ws.crawl()
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    refused = [line for line in first.stderr.splitlines() if "Image not saved" in line]
    assert refused and all("images" in line for line in refused)
    blocker.unlink()

    second = ws.crawl()
    assert second.returncode == 0, second.stderr
    saved = [path for path in blocker.rglob("*") if path.is_file()]
    assert saved and all(path.stat().st_size > 0 for path in saved)
    store = Store.open(store_url(ws.data))
    try:
        seed = store.get_by_url(sample.ifeng.docs["seed"].url)
    finally:
        store.close()
    assert [image.local for image in seed.images if image.local] and not any(i.failed for i in seed.images)


def test_an_image_write_that_fails_leaves_no_file(tmp_path, monkeypatch):
    import errno
    from io import BytesIO

    from crawler import fsutil
    from crawler.pipelines.images import AtomicFilesStore

    files = AtomicFilesStore(str(tmp_path))
    (tmp_path / "images" / "h").mkdir(parents=True)
    (tmp_path / "images" / "h" / "empty.png").write_bytes(b"")
    assert files.stat_file("images/h/empty.png", None) == {}, "a 0-byte file is not up to date"

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fsutil.os, "fsync", full)
    with pytest.raises(OSError, match="No space"):
        files.persist_file("images/h/new.png", BytesIO(b"\x89PNG\r\n\x1a\n" + b"x" * 100), None)
    assert sorted(p.name for p in (tmp_path / "images" / "h").iterdir()) == ["empty.png"]
