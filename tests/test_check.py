"""``topicfeed check``: the config valid, each source's plan and next runs, unset secrets, a web source's regexes."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawler.cli import main
from crawler.commands.check import run_check
from crawler.config import load_config
from crawler.snapshot.server import SnapshotServer
from crawler.snapshot.writer import SnapshotWriter
from crawler.store import Store
from crawler.store.listings import ListingLog, ListingReach
from tests.configs import config_text, ifeng_hb_source, notify, paths, qutoutiao_source, source, topic, web_source
from tests.helpers import write_config
from tests.sites import RECORDED_AT
from tests.sites.ifeng import build_ifeng_snapshot
from tests.sites.web import PEOPLE, write_snapshot

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.fromisoformat("2025-07-26T10:10:00+08:00")


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out.splitlines()


def test_check_prints_what_each_source_would_crawl_and_when(tmp_path: Path):
    config = load_config(write_config(tmp_path, config_text(
        paths(), topic(), ifeng_hb_source(schedule="*/30 * * * *"), qutoutiao_source(),
        source("off", "qutoutiao", enabled=False, args={"categories": [7], "prefilter": False}))))
    report = run_check(config, now=NOW)
    assert report.exit_code == 0 and report.problems == []
    lines = report.lines
    ifeng = lines.index("  ifeng-hb (spider ifeng, schedule '*/30 * * * *' in Asia/Shanghai)")
    assert lines[ifeng + 1:ifeng + 6] == [
        "    hosts: hb.ifeng.com (湖北), hn.ifeng.com (河南)",
        "    listings: each host's home page and the /shanklist/<column>/ columns it links, "
        "up to 10 pages of 20 per column",
        "    searches: 服务外包, 服博会 (site search, up to 3 pages each, results kept on the hosts above)",
        "    age limit: 7 days; revisits after 6 hours",
        "    next runs: 2025-07-26 10:30 +08:00, 2025-07-26 11:00 +08:00, 2025-07-26 11:30 +08:00",
    ]
    qutoutiao = lines.index("  qutoutiao (spider qutoutiao, schedule '0 * * * *' in Asia/Shanghai)")
    assert lines[qutoutiao + 2] == "    listings: categories 255 推荐, 1 热点, 10 财经, up to 10 pages of 20 items each"
    assert lines[qutoutiao + 3].startswith("    fetched: list items whose title or introduction holds a topic keyword")
    assert lines[qutoutiao + 5] == ("    next runs: 2025-07-26 11:00 +08:00, 2025-07-26 12:00 +08:00, "
                                    "2025-07-26 13:00 +08:00")
    off = lines.index("  off (spider qutoutiao, schedule '0 * * * *' in Asia/Shanghai; disabled (enabled = false): "
                      "only crawl --source runs it)")
    assert lines[off + 2:off + 4] == ["    listings: categories 7 科技, up to 10 pages of 20 items each",
                                      "    fetched: every young list item (prefilter = false)"]
    assert not any(line.startswith("    next runs") for line in lines[off:off + 6])
    assert lines[-1] == "secrets: no env:NAME references"


def test_unset_secrets_are_listed_and_fail_the_check(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("TEAM_HOOK", raising=False)
    monkeypatch.setenv("TEAM_SIGN", "s3cret-value")
    config = write_config(tmp_path, config_text(paths(), topic(), ifeng_hb_source(),
                                                notify("team", "feishu", url="env:TEAM_HOOK", secret="env:TEAM_SIGN")))
    code, lines = check(capsys, "--config", str(config))
    assert code == 2
    assert "  ! notify[0].url (team): env:TEAM_HOOK is not set; export TEAM_HOOK=… where topicfeed runs" in lines
    assert not any("TEAM_SIGN" in line for line in lines) and not any("s3cret" in line for line in lines)
    assert lines[-1].startswith("check: 1 problem(s)")

    monkeypatch.setenv("TEAM_HOOK", "https://open.feishu.cn/open-apis/bot/v2/hook/x")
    code, lines = check(capsys, "--config", str(config))
    assert code == 0 and lines[-1] == "check: ok"
    assert not (tmp_path / "data").exists()  # check writes nothing


@pytest.fixture
def web_snapshot(tmp_path: Path):
    write_snapshot(tmp_path / "snapshot")
    with SnapshotServer(tmp_path / "snapshot") as server:
        yield server


def test_a_web_source_s_regexes_are_tried_on_its_pages_through_the_mirror(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], web_snapshot: SnapshotServer):
    config = write_config(tmp_path, config_text(paths(), topic(), web_source()))
    code, lines = check(capsys, "--config", str(config), "--mirror", web_snapshot.url)
    assert code == 0, lines
    people = next(i for i, line in enumerate(lines) if line.startswith("    start page http://hb.people.com.cn/"))
    assert lines[people + 1].startswith("      article_urls: ") and PEOPLE.page.url in lines[people + 1]
    assert lines[people + 2].startswith("      list_urls: 2, e.g. http://hb.people.com.cn/GB/192237/index2.html, "
                                     "http://hb.people.com.cn/GB/192237/index3.html")
    gov = next(line for line in lines if line.startswith("    start page http://www.hubei.gov.cn/"))
    assert gov.endswith(" links")
    assert ("    sitemap index https://www.chinanews.com.cn/sitemap/index.xml: 2, e.g. "
            "https://www.chinanews.com.cn/sitemap/cj.xml, https://www.chinanews.com.cn/sitemap/news.xml") in lines
    news = lines.index("    sitemap https://www.chinanews.com.cn/sitemap/news.xml: 2 entries")
    assert lines[news + 1].startswith("      article_urls: ")
    assert any(line.startswith("    feed https://news.sina.com.cn/rss/china.xml: ") for line in lines)
    # The start pages, sitemaps and feeds, nothing else, from the mirror (its log holds every request).
    assert sorted(web_snapshot.requests) == sorted([
        "hb.people.com.cn/GB/192237/index.html", "www.news.cn/local/", "www.hubei.gov.cn/zwgk/hbyw/hbywqb/",
        "www.chinanews.com.cn/sitemap/index.xml", "www.chinanews.com.cn/sitemap/cj.xml",
        "www.chinanews.com.cn/sitemap/news.xml", "www.thepaper.cn/rss/channel_25951.xml",
        "news.sina.com.cn/rss/china.xml"])


def test_unreachable_pages_and_regexes_that_match_nothing_fail_the_check(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], web_snapshot: SnapshotServer):
    config = write_config(tmp_path, config_text(paths(), topic(), web_source(
        start_urls=["http://hb.people.com.cn/GB/192237/index.html", "http://hb.people.com.cn/GB/missing.html"],
        article_urls=[r"^https://nowhere\.example/\d+\.html$"], list_urls=None, sitemaps=None, feeds=None)))
    code, lines = check(capsys, "--config", str(config), "--mirror", web_snapshot.url)
    assert code == 2
    assert ("      ! start page http://hb.people.com.cn/GB/192237/index.html: no link matches article_urls or "
            "list_urls; compare the regexes with the links above") in lines
    assert "    ! http://hb.people.com.cn/GB/missing.html: HTTP 404 from the mirror" in lines

    code, lines = check(capsys, "--config", str(config), "--mirror", "http://127.0.0.1:9")
    assert code == 2
    assert any(line.startswith("    ! http://hb.people.com.cn/GB/192237/index.html: the mirror http://127.0.0.1:9 "
                               "did not answer") for line in lines)


def test_without_a_mirror_nothing_is_fetched(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    config = write_config(tmp_path, config_text(paths(), topic(), web_source()))
    code, lines = check(capsys, "--config", str(config))
    assert code == 0
    assert "    (add --mirror URL to fetch the start pages from a snapshot and see which of their links match " \
           "article_urls and list_urls)" in lines


def test_an_ifeng_source_lists_each_host_s_columns_and_the_listings_completed_before(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    writer = SnapshotWriter(tmp_path / "snapshot", RECORDED_AT)
    sample = build_ifeng_snapshot(writer)
    writer.save()
    config_file = write_config(tmp_path, config_text(paths(), topic(), ifeng_hb_source()))
    config = load_config(config_file)
    store = Store.open(config.store_url)
    log = ListingLog(store.engine)
    newest, oldest = RECORDED_AT - timedelta(hours=1), RECORDED_AT - timedelta(days=3)
    log.complete(log.begin("ifeng-hb", "column:hb.ifeng.com/200-214-216353-"),
                 ListingReach(newest, oldest, reached_end=True))
    log.write_completed(lambda url: False, RECORDED_AT)
    store.close()

    with SnapshotServer(tmp_path / "snapshot") as server:
        code, lines = check(capsys, "--config", str(config_file), "--mirror", server.url)
    assert code == 0, lines
    for host in ("hb.ifeng.com", "hn.ifeng.com"):
        columns = [url.split("/shanklist/")[1].strip("/") for url in sample.column_urls if f"//{host}/" in url]
        assert columns, host
        assert f"    columns on https://{host}/: {len(columns)} ({', '.join(columns)})" in lines
    assert "    completed listings: 1 (a later crawl may stop paging where these passes reached)" in lines
    assert ("      column:hb.ifeng.com/200-214-216353-: completed 2025-07-26 10:00 +08:00; "
            f"entries {newest.astimezone(SHANGHAI):%Y-%m-%d %H:%M} +08:00 back to "
            f"{oldest.astimezone(SHANGHAI):%Y-%m-%d %H:%M} +08:00 (its end)") in lines


def test_a_never_crawled_config_has_no_completed_listings_and_check_creates_no_store(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    config = write_config(tmp_path, config_text(paths(), topic(), ifeng_hb_source()))
    code, lines = check(capsys, "--config", str(config))
    assert code == 0
    assert ("    completed listings: none yet (the next crawl pages each listing to its end or the age limit)"
            in lines)
    assert ("    (add --mirror URL to fetch each host's home page from a snapshot and list the columns it links)"
            in lines)
    assert not (tmp_path / "data").exists()
