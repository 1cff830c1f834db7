"""Each crawl component built as Scrapy builds it (get_crawler + build_from_crawler), no reactor:
the resources owner, the known-article middleware, the pipelines and the run report."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy import Request, signals
from scrapy.exceptions import DropItem
from scrapy.http import Response
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from crawler import runtime
from crawler.config import Config, parse_config
from crawler.downloadermiddlewares.known import ARTICLE_META, KnownArticleMiddleware, KnownArticleSkipped
from crawler.downloadermiddlewares.retry import BackoffRetryMiddleware
from crawler.extensions.resources import RESOURCES_EXTENSION, CrawlResources, ResourcesNotOpen
from crawler.extensions.runreport import RunReporter
from crawler.items import Article
from crawler.pipelines.items import ArchivePipeline, StorePipeline
from crawler.signals import page_failed, run_error
from crawler.spidermiddlewares.known import KnownArticleFilter
from crawler.store import SaveOutcome
from crawler.text.prepare import prepare
from crawler.text.topics import TopicMatcher
from spiders.ifeng import IfengSpider
from tests.components import close_crawl, component_crawler, open_crawl
from tests.configs import config_text, ifeng_hb_source, paths, topic

NOW = datetime(2025, 7, 26, 2, 0, tzinfo=UTC)
URL = "https://hb.ifeng.com/c/8lE1OVQRmEX"


@pytest.fixture
def config(tmp_path: Path) -> Config:
    text = config_text(paths(), topic(), ifeng_hb_source())
    return parse_config(text, file=None, base_dir=tmp_path, known_spiders=["ifeng"])


@pytest.fixture
def crawler(config):
    crawler = component_crawler(config, IfengSpider, TOPICFEED_NOW=NOW.isoformat())
    yield crawler
    close_crawl(crawler)


def article(text: str = "第二届服务外包博览会在武汉开幕。", url: str = URL, title: str = "服博会开幕") -> Article:
    return Article(url=url, source="ifeng-hb", spider="ifeng", site_name="凤凰网湖北",
                   site_id=url.rsplit("/", 1)[-1], title=title, body_html=f"<p>{text}</p>",
                   published=NOW - timedelta(hours=3), outlet="湖北日报")


def prepared(config: Config, text: str = "第二届服务外包博览会在武汉开幕。", url: str = URL,
             title: str = "服博会开幕") -> Article:
    return prepare(article(text, url, title), TopicMatcher(config.topics))


# --- the resources owner -------------------------------------------------------------------


def test_the_config_file_is_read_once_per_crawl(tmp_path, monkeypatch):
    path = tmp_path / "topicfeed.toml"
    path.write_text(config_text(paths(), topic(), ifeng_hb_source()), encoding="utf-8")
    reads: list[Path | None] = []
    real = runtime.load_config

    def counting(file=None, **kwargs):
        reads.append(file)
        return real(file, **kwargs)

    monkeypatch.setattr(runtime, "load_config", counting)
    # as under `scrapy crawl ifeng -s TOPICFEED_CONFIG=...`: a path, not a Config
    crawler = get_crawler(IfengSpider, {"TOPICFEED_CONFIG": str(path), "TOPICFEED_ITEM_WORKERS": 0,
                                        "EXTENSIONS": {RESOURCES_EXTENSION: 100}})
    spider = IfengSpider.from_crawler(crawler)
    for component in (StorePipeline, ArchivePipeline, KnownArticleMiddleware):
        build_from_crawler(component, crawler)
    open_crawl(crawler, spider)
    assert reads == [path]
    assert CrawlResources.of(crawler).config is crawler.settings["TOPICFEED_CONFIG"]
    close_crawl(crawler)


def test_spider_opened_opens_the_store_and_the_sources_checks(crawler):
    resources = CrawlResources.of(crawler)
    with pytest.raises(ResourcesNotOpen):
        resources.store  # noqa: B018 - nothing is opened before the spider
    spider = crawler.spidercls.from_crawler(crawler)
    open_crawl(crawler, spider)
    assert resources.source == "ifeng-hb"
    assert resources.known is not None and resources.known.policy is spider.revisit_policy
    assert spider.known is resources.known
    assert resources.store.last_runs() == {}


def test_a_page_failure_signal_is_remembered_in_the_store(crawler):
    resources = open_crawl(crawler)
    crawler.signals.send_catch_log(page_failed, url=URL + "?from=list", reason="not parsed: cut page")
    crawler.signals.send_catch_log(page_failed, url=URL, reason="not parsed: cut page")
    failure = resources.store.failure(URL)
    assert failure is not None and failure.attempts == 2 and failure.reason == "not parsed: cut page"


def test_resources_close_after_every_other_spider_closed_handler(crawler):
    resources = CrawlResources.of(crawler)
    seen = []

    def later_handler() -> None:  # connected after the resources were built, as the run report's is
        seen.append(resources.store.last_runs())

    crawler.signals.connect(later_handler, signal=signals.spider_closed)
    open_crawl(crawler)
    asyncio.run(crawler.signals.send_catch_log_async(  # as the engine sends it, on a loop
        signal=signals.spider_closed, spider=crawler.spider, reason="finished"))
    assert seen == [{}], "the store was still open for the later handler"
    with pytest.raises(ResourcesNotOpen):
        resources.store  # noqa: B018 - closed at the end


# --- the known-article middleware ----------------------------------------------------------


def test_known_article_middleware_skips_an_archived_page_and_lets_a_new_one_through(config, crawler):
    middleware = build_from_crawler(KnownArticleMiddleware, crawler)
    resources = open_crawl(crawler)
    item = prepared(config)
    resources.store.save(item, item.content_sha256, datetime.now(UTC))

    assert middleware.process_request(Request("https://hb.ifeng.com/c/other", meta={ARTICLE_META: True})) is None
    with pytest.raises(KnownArticleSkipped):
        middleware.process_request(Request(URL + "?_share=weixin", meta={ARTICLE_META: True}))
    assert crawler.stats.get_value("topicfeed/article_skipped_known") == 1
    assert middleware.process_request(Request(URL)) is None  # a list page: always fetched


def test_known_article_links_are_dropped_as_the_spider_yields_them_and_counted_once(config, crawler):
    article_filter = build_from_crawler(KnownArticleFilter, crawler)
    middleware = build_from_crawler(KnownArticleMiddleware, crawler)
    resources = open_crawl(crawler)
    item = prepared(config)
    resources.store.save(item, item.content_sha256, datetime.now(UTC))
    new_page = Request("https://hb.ifeng.com/c/other", meta={ARTICLE_META: True})
    list_page = Request("https://hb.ifeng.com/shanklist/original/")
    output = [Request(URL + "?_share=weixin", meta={ARTICLE_META: True}), new_page, list_page,
              Request(URL, meta={ARTICLE_META: True}), item]  # the archived page, linked twice

    kept = list(article_filter.process_spider_output(None, output))
    assert kept == [new_page, list_page, item]
    assert crawler.stats.get_value("topicfeed/article_skipped_known") == 1, "one page, however many links"
    assert middleware.process_request(new_page) is None, "decided once: not looked up again"
    assert new_page.meta["topicfeed_decided"] == "fetch"


def test_a_304_to_a_revisit_records_the_fetch_and_drops_the_response(config, crawler):
    middleware = build_from_crawler(KnownArticleMiddleware, crawler)
    resources = open_crawl(crawler)
    item = prepared(config)
    long_ago = datetime.now(UTC) - timedelta(days=1)
    resources.store.save(item, item.content_sha256, long_ago)
    request = Request(URL, meta={ARTICLE_META: True})
    assert middleware.process_request(request) is None
    assert request.meta["topicfeed_decided"] == "revisit"
    with pytest.raises(KnownArticleSkipped):
        middleware.process_response(request, Response(URL, status=304, request=request))
    [state] = resources.store.fetch_states([URL]).values()
    assert state.fetched > long_ago


# --- pipelines -----------------------------------------------------------------------------


def finished(coroutine):
    """A pipeline step's result (or what it raised), for steps that finish without waiting:
    the item work runs in this process here (no worker)."""
    outcome = []
    Deferred.fromCoroutine(coroutine).addBoth(outcome.append)
    [result] = outcome
    if isinstance(result, Failure):
        result.raiseException()
    return result


def test_store_pipeline_drops_a_page_without_an_article(crawler):
    pipeline = build_from_crawler(StorePipeline, crawler)
    open_crawl(crawler)
    empty = article()
    empty.title = ""
    with pytest.raises(DropItem, match="no title"):
        finished(pipeline.process_item(empty))
    assert crawler.stats.get_value("topicfeed/invalid") == 1


def test_store_pipeline_marks_each_item_with_its_save_outcome(crawler):
    pipeline = build_from_crawler(StorePipeline, crawler)
    open_crawl(crawler)
    first = finished(pipeline.process_item(article()))
    assert first.save_outcome is SaveOutcome.NEW and first.stored_id and first.topics
    with pytest.raises(DropItem, match="unchanged"):
        finished(pipeline.process_item(article()))
    unmatched = article("武汉今日晴，气温三十五度。", "https://hb.ifeng.com/c/weather", "武汉天气")
    with pytest.raises(DropItem, match="matches no topic"):
        finished(pipeline.process_item(unmatched))
    stored = CrawlResources.of(crawler).store.get_by_url("https://hb.ifeng.com/c/weather")
    assert stored is not None and "三十五度" in stored.text  # stored, so it is not fetched again
    assert crawler.stats.get_value("topicfeed/unmatched") == 1


# --- the run report ------------------------------------------------------------------------


def test_run_reporter_records_the_run_with_its_counts(config, crawler):
    reporter = build_from_crawler(RunReporter, crawler)
    resources = open_crawl(crawler)  # the reporter's spider_opened runs after the resources'
    new, unchanged = prepared(config), prepared(config)
    new.save_outcome, unchanged.save_outcome = SaveOutcome.NEW, SaveOutcome.UNCHANGED
    reporter.response_received(Response(URL), Request(URL), crawler.spider)
    reporter.item_scraped(new, None, crawler.spider)
    reporter.item_dropped(unchanged, None, DropItem("unchanged"), crawler.spider)
    crawler.signals.send_catch_log(run_error, line=f"{URL}: HTTP 500")
    reporter.spider_closed(crawler.spider, "finished")

    run = resources.store.last_runs()["ifeng-hb"]
    assert str(run.outcome) == "ok"
    assert {k: run.stats[k] for k in ("pages", "new", "updated", "duplicates", "errors")} == {
        "pages": 1, "new": 1, "updated": 0, "duplicates": 1, "errors": 1}
    assert run.errors == [f"{URL}: HTTP 500"]


# --- retries -------------------------------------------------------------------------------


def test_retries_go_through_scrapys_public_retry_helper(config):
    crawler = component_crawler(config, IfengSpider, TOPICFEED_RETRY_BACKOFF=0, RETRY_TIMES=1)
    crawler.spider = crawler.spidercls.from_crawler(crawler)
    middleware = build_from_crawler(BackoffRetryMiddleware, crawler)
    request = Request(URL)
    answers = []
    Deferred.fromCoroutine(middleware.process_exception(request, TimeoutError())).addCallback(answers.append)
    [retry] = answers
    assert retry.meta["retry_times"] == 1 and retry.dont_filter
    Deferred.fromCoroutine(middleware.process_exception(retry, TimeoutError())).addCallback(answers.append)
    assert answers[1] is None  # RETRY_TIMES reached: the request fails
    assert crawler.stats.get_value("retry/count") == 1 and crawler.stats.get_value("retry/max_reached") == 1
