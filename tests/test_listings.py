"""Nothing is missed after an interrupted or failed crawl (DESIGN §5): only a completed pass of a
listing lets a later pass stop early at a page of known articles."""

from __future__ import annotations

import pickle
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import TextResponse

from crawler.config import parse_config
from crawler.items import Article
from crawler.snapshot.server import SnapshotServer, SnapshotWriter
from crawler.store import Store
from crawler.store.listings import ListingLog, ListingPass, ListingReach
from crawler.text.strings import content_hash
from spiders.ifeng import IfengSpider
from tests.components import close_crawl, component_crawler, open_crawl
from tests.configs import config_text, ifeng_hb_source, paths, topic
from tests.faultserver import Fault, FaultServer
from tests.helpers import FAST, read_notes, run_topicfeed, store_url
from tests.sites import RECORDED_AT
from tests.sites.ifeng import COL_NEWS, COL_WUHAN, HB, SearchHit, article_page, home_page, search_jsonp, search_url

T0 = datetime(2025, 7, 26, 2, 0, tzinfo=UTC)


def hours_ago(hours: float) -> datetime:
    return T0 - timedelta(hours=hours)


def target(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc + parts.path


def target_with_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}?{parts.query}"


def served(url: str) -> str:
    """A URL as the snapshot server lists the requests it answered."""
    return url.split("://", 1)[1]


def crawl_through(ws, server, *extra: str):
    return run_topicfeed("crawl", "--config", str(ws.config), "--mirror", server.url,
                         "--set", f"TOPICFEED_NOW={ws.recorded_at}", *FAST,
                         "--set", "TOPICFEED_RETRY_BACKOFF=0.05", *extra, cwd=ws.root)


def archived_roles(ws, site) -> set[str]:
    return {site.role_of(url) for url in read_notes(ws.data / "archive")}


def deep_page(ifeng) -> str:
    """hb 资讯's second getColumnInfo page: the only listing of the article "deep"."""
    return ifeng.column_info_urls[1]


# --- the reach of a completed pass ----------------------------------------------------------


def test_a_reach_covers_pages_inside_it_and_pages_it_reached_past():
    reach = ListingReach(newest=hours_ago(1), oldest=hours_ago(30), reached_end=False)
    assert reach.covers(hours_ago(5))
    assert reach.covers(hours_ago(30))
    assert not reach.covers(hours_ago(31)), "older than the pass reached"
    assert not reach.covers(hours_ago(0.5)), "newer than its first page: a gap may lie between"
    assert not reach.covers(None)
    assert ListingReach(hours_ago(1), hours_ago(3), reached_end=True).covers(hours_ago(200))


def test_an_article_still_missing_cuts_the_reach_at_it():
    reach = ListingReach(newest=hours_ago(1), oldest=hours_ago(30), reached_end=True)
    cut = reach.cut_at([hours_ago(12), hours_ago(20)])
    assert cut == ListingReach(hours_ago(1), hours_ago(12), reached_end=False)
    assert reach.cut_at([]) == reach
    assert reach.cut_at([None]) is None, "a missing article of unknown time: no reach at all"


def test_passes_are_recorded_only_when_completed(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    log = ListingLog(store.engine)
    walk = log.begin("ifeng-hb", "column:hb.ifeng.com/1")
    assert walk.previous is None
    walk = walk.after_page([hours_ago(1), hours_ago(4)], [("https://hb.ifeng.com/c/a", hours_ago(1))])
    unfinished = log.begin("ifeng-hb", "search:服博会").after_page([hours_ago(2)], [])
    assert unfinished.pages == 1
    log.complete(walk, walk.reach_to_end())
    assert log.write_completed(lambda url: False, T0) == 1
    assert ListingLog(store.engine).reach("ifeng-hb", "search:服博会") is None
    again = ListingLog(store.engine).begin("ifeng-hb", "column:hb.ifeng.com/1")
    assert again.previous == ListingReach(hours_ago(1), hours_ago(4), reached_end=True)
    # a later pass joining it keeps its end; one with an article still missing is cut there
    later = again.after_page([hours_ago(0.5), hours_ago(2)], [("https://hb.ifeng.com/c/b", hours_ago(0.5))])
    log.complete(later, later.reach_joined())
    log.write_completed(lambda url: url.endswith("/b"), T0)
    assert log.reach("ifeng-hb", "column:hb.ifeng.com/1") == ListingReach(hours_ago(0.5), hours_ago(0.5), False)
    store.close()


def test_a_pass_travels_in_requests_as_plain_values():
    walk = ListingPass("qutoutiao", "category:255", ListingReach(hours_ago(1), None, True))
    assert pickle.loads(pickle.dumps(walk)) == walk


# --- end to end -----------------------------------------------------------------------------


def test_a_list_page_failing_for_one_crawl_is_paged_past_by_the_next(ifeng_workspace, sample):
    ws, ifeng = ifeng_workspace, sample.ifeng
    # the sample's cut article would be retried (and so keep every pass short of a record): mend it
    writer = SnapshotWriter(ws.snapshot, RECORDED_AT)
    writer.add(ifeng.docs["broken"].url, article_page(ifeng.docs["broken"]))
    writer.save()
    with FaultServer(ws.snapshot, {target(deep_page(ifeng)): Fault("status", 500)}) as server:
        first = crawl_through(ws, server)
    assert first.returncode == 0, first.stderr
    assert "deep" not in archived_roles(ws, ifeng)

    second = ws.crawl()
    assert second.returncode == 0, second.stderr
    assert "deep" in archived_roles(ws, ifeng), "the page-2 article must not be lost for good"
    assert served(deep_page(ifeng)) in ws.server.requests

    # that pass completed and stored all it listed: a third crawl stops at the column's first page
    ws.server.requests.clear()
    third = ws.crawl()
    assert third.returncode == 0, third.stderr
    assert served(deep_page(ifeng)) not in ws.server.requests
    assert served(ifeng.column_info_urls[0]) not in ws.server.requests


def stored_urls(ws, urls: list[str]) -> set[str]:
    store = Store.open(store_url(ws.data))
    try:
        return set(store.fetch_states(urls))
    finally:
        store.close()


def test_a_crawl_killed_before_page_2_loses_nothing(ifeng_workspace, sample):
    ws, ifeng = ifeng_workspace, sample.ifeng
    page_1 = [ifeng.docs[role].url for role in ("brace_trap", "traffic")]
    # page 2 hangs: the crawl is killed once it asked for it and stored what page 1 listed
    faults = {target(deep_page(ifeng)): Fault("hang", seconds=5)}
    with FaultServer(ws.snapshot, faults) as server:
        process = subprocess.Popen(
            [sys.executable, "-m", "crawler", "crawl", "--config", str(ws.config), "--mirror", server.url,
             "--set", f"TOPICFEED_NOW={ws.recorded_at}", *FAST],
            cwd=ws.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and process.poll() is None:
            if server.hits[target(deep_page(ifeng))] and stored_urls(ws, page_1) == set(page_1):
                break
            time.sleep(0.1)
        assert process.poll() is None, "the crawl ended before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert stored_urls(ws, page_1) == set(page_1)
    assert "deep" not in archived_roles(ws, ifeng)

    after = ws.crawl()
    assert after.returncode == 0, after.stderr
    pair = set(ifeng.same_text_pair)
    assert archived_roles(ws, ifeng) - pair == set(ifeng.expected_archived)


def test_articles_stored_through_another_listing_first_do_not_stop_a_column(ifeng_workspace, sample):
    ws, ifeng = ifeng_workspace, sample.ifeng
    d = ifeng.docs
    usual = [d["seed"], d["lazyload"], d["video"], d["weather"]]
    writer = SnapshotWriter(ws.snapshot, RECORDED_AT)
    # first the home page links the column's page-1 articles itself, and not the column
    writer.add(f"https://{HB}/", home_page(HB, [*usual, d["brace_trap"], d["traffic"]], [(COL_WUHAN, "武汉")]))
    writer.save()
    with SnapshotServer(ws.snapshot) as server:
        first = crawl_through(ws, server)
    assert first.returncode == 0, first.stderr
    assert {"brace_trap"} <= archived_roles(ws, ifeng) and "deep" not in archived_roles(ws, ifeng)

    writer.add(f"https://{HB}/", home_page(HB, usual, [(COL_NEWS, "资讯"), (COL_WUHAN, "武汉")]))
    writer.save()
    with SnapshotServer(ws.snapshot) as server:
        second = crawl_through(ws, server)
    assert second.returncode == 0, second.stderr
    assert "deep" in archived_roles(ws, ifeng)


def test_qutoutiao_pages_past_a_min_time_page_that_failed_last_time(qutoutiao_workspace, sample):
    ws, qtt = qutoutiao_workspace, sample.qutoutiao
    second_page = qtt.list_urls[255][1]  # "seed" and "list_time_only" are listed only here
    with FaultServer(ws.snapshot, {target_with_query(second_page): Fault("status", 500)}) as server:
        first = crawl_through(ws, server)
    assert first.returncode == 0, first.stderr
    assert not {"seed", "list_time_only"} & archived_roles(ws, qtt)

    second = ws.crawl()
    assert second.returncode == 0, second.stderr
    assert {"seed", "list_time_only"} <= archived_roles(ws, qtt)


# --- in the spider: a search listing --------------------------------------------------------


def search_spider(tmp_path):
    text = config_text(paths(), topic(), ifeng_hb_source())
    config = parse_config(text, file=None, base_dir=tmp_path, known_spiders=["ifeng"])
    crawler = component_crawler(config, IfengSpider, TOPICFEED_NOW=RECORDED_AT.isoformat())
    open_crawl(crawler)
    return crawler.spider


def search_page(docs, keyword: str, page: int):
    url = search_url(keyword, page)
    body = search_jsonp([SearchHit.of(doc, keyword) for doc in docs], total_page=3).encode()
    return TextResponse(url=url, body=body, encoding="utf-8", request=Request(url))


def store_docs(spider, docs) -> None:
    for doc in docs:
        item = Article(url=doc.url, source="ifeng-hb", spider="ifeng", site_name="凤凰网湖北", site_id=doc.doc_id,
                       title=doc.title, body_html="<p>x</p>", published=doc.published)
        item.canonical_url, item.text = doc.url, f"{doc.title}。"
        spider.resources.store.save(item, content_hash(item.text), T0)


def test_a_search_stops_at_known_results_only_where_a_completed_pass_reached(tmp_path, sample):
    docs = [sample.ifeng.docs[role] for role in ("seed", "lazyload", "search_only")]
    spider = search_spider(tmp_path)
    store_docs(spider, docs)

    def next_pages(walk=None):
        requests = list(spider.parse_search(search_page(docs, "服务外包", 1), keyword="服务外包", page=1, walk=walk))
        return [r for r in requests if r.callback == spider.parse_search]

    following = next_pages()
    assert len(following) == 1, "no pass ever completed: known results do not stop the search"
    walk = following[0].cb_kwargs["walk"]
    # the pass goes on to the last page and completes there; recorded when the crawl closes
    list(spider.parse_search(search_page([], "服务外包", 3), keyword="服务外包", page=3, walk=walk))
    spider.record_listings()

    assert next_pages() == [], "that pass covered the listing from here on"
    assert spider.crawler.stats.get_value("topicfeed/listing_stopped_early") == 1
    close_crawl(spider.crawler)
