"""ArchivePipeline when the article changes while its files are rendering (no reactor)."""

from __future__ import annotations

from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from twisted.internet.defer import Deferred

from crawler.archive.writer import ArchiveWriter
from crawler.config import Config, parse_config
from crawler.extensions.resources import CrawlResources
from crawler.items import Article
from crawler.pipelines.items import ArchivePipeline, StorePipeline
from crawler.store import SaveOutcome, StoredArticle
from crawler.text.prepare import prepare
from crawler.text.topics import TopicMatcher
from tests.components import close_crawl, component_crawler, open_crawl
from tests.configs import config_text, ifeng_hb_source, paths, topic
from tests.helpers import read_notes
from tests.sites import RECORDED_AT
from tests.sites.ifeng import sample_docs

SEED = sample_docs(RECORDED_AT)["seed"]
# A correction of one figure: same URL, new text, so the second save updates the article.
FIRST_TEXT, CORRECTED_TEXT = "22197亿元", "22198亿元"


class HeldRenders:
    """Stands in for ItemWorkers: each render is done at once, but its answer comes only when
    the test releases it, as a worker process answers some time after it got the article."""

    def __init__(self, writer: ArchiveWriter):
        self.writer = writer
        self._answers: list[tuple[Deferred[list[tuple[Path, str]]], list[tuple[Path, str]]]] = []

    async def render(self, article: StoredArticle) -> list[tuple[Path, str]]:
        answer: Deferred[list[tuple[Path, str]]] = Deferred()
        self._answers.append((answer, self.writer.render(article)))
        return await answer

    def release(self, index: int) -> None:
        answer, files = self._answers[index]
        answer.callback(files)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    text = config_text(paths(), topic(), ifeng_hb_source())
    return parse_config(text, file=None, base_dir=tmp_path, known_spiders=["ifeng"])


@pytest.fixture
def crawler(config: Config) -> Iterator[Crawler]:
    crawler = component_crawler(config)
    open_crawl(crawler)
    yield crawler
    close_crawl(crawler)


def seed_item(config: Config, body_html: str, title: str = SEED.title) -> Article:
    """The sample's seed article as PreparePipeline hands it on."""
    item = Article(
        url=SEED.url,
        source="ifeng-hb",
        spider="ifeng",
        site_name="凤凰网湖北",
        site_id=SEED.doc_id,
        title=title,
        body_html=body_html,
        published=SEED.published,
        outlet=SEED.source,
    )
    return prepare(item, TopicMatcher(config.topics))


def start(coroutine: Coroutine[Any, Any, Any], finished: list[Any]) -> None:
    """Run a pipeline step up to its first wait; what it returns or raises goes to ``finished``."""
    Deferred.fromCoroutine(coroutine).addBoth(finished.append)


def current_text(config: Config) -> str:
    """The archived note's text of the current version (earlier ones follow under 修订记录)."""
    [(_, body, _)] = read_notes(config.archive_dir).values()
    return body.split("## 修订记录")[0]


@pytest.mark.parametrize("release_order", [(0, 1), (1, 0)], ids=["stale-first", "stale-last"])
def test_a_newer_save_during_the_render_wins_whichever_render_ends_first(
    config, crawler, release_order
):
    store_step = StorePipeline.from_crawler(crawler)
    renders = HeldRenders(ArchiveWriter.from_config(config))
    archive_step = ArchivePipeline(crawler, CrawlResources.of(crawler), ArchiveWriter.from_config(config), renders)
    first = store_step.process_item(seed_item(config, SEED.content_html))
    corrected = SEED.content_html.replace(FIRST_TEXT, CORRECTED_TEXT)
    finished: list[Any] = []

    start(archive_step.process_item(first), finished)  # renders version 1, then waits
    second = store_step.process_item(seed_item(config, corrected))  # version 2 meanwhile
    start(archive_step.process_item(second), finished)
    assert (first.save_outcome, second.save_outcome) == (SaveOutcome.NEW, SaveOutcome.UPDATED)
    for index in release_order:
        renders.release(index)

    items = (first, second)
    assert finished == [items[index] for index in release_order]  # both go on, none dropped
    text = current_text(config)
    assert CORRECTED_TEXT in text and FIRST_TEXT not in text
    # the stale render was never written, not even before the newer one
    assert crawler.stats.get_value("topicfeed/archive_files_written") == 1
    assert CrawlResources.of(crawler).store.archive_backlog("ifeng-hb") == []  # nothing left to catch up


def test_a_newer_save_from_elsewhere_is_archived_by_the_next_catch_up(config, crawler):
    """Another worker of a cluster run saved the newer version, and did not get to archive it."""
    store = CrawlResources.of(crawler).store
    renders = HeldRenders(ArchiveWriter.from_config(config))
    archive_step = ArchivePipeline(crawler, CrawlResources.of(crawler), ArchiveWriter.from_config(config), renders)
    first = StorePipeline.from_crawler(crawler).process_item(seed_item(config, SEED.content_html))
    finished: list[Any] = []

    start(archive_step.process_item(first), finished)
    newer = seed_item(config, SEED.content_html.replace(FIRST_TEXT, CORRECTED_TEXT))
    store.save(newer, newer.content_sha256, RECORDED_AT, fingerprint=newer.fingerprint)
    renders.release(0)

    assert finished == [first]
    assert not config.archive_dir.exists(), "the stale version is not written"
    [behind] = store.archive_backlog("ifeng-hb")
    assert behind.version == 2
    # what ArchivePipeline.open_spider does when the next crawl of the source starts
    assert ArchiveWriter.from_config(config).catch_up(store, "ifeng-hb") == 1
    text = current_text(config)
    assert CORRECTED_TEXT in text and FIRST_TEXT not in text
    assert store.archive_backlog("ifeng-hb") == []


def without_topic_keywords(text: str) -> str:
    return text.replace("服务外包", "外包服务").replace("服博会", "博览会")


def test_an_update_that_no_longer_matches_still_rewrites_the_archived_note(config, crawler):
    store = CrawlResources.of(crawler).store
    store_step = StorePipeline.from_crawler(crawler)
    renders = HeldRenders(ArchiveWriter.from_config(config))
    archive_step = ArchivePipeline(crawler, CrawlResources.of(crawler), ArchiveWriter.from_config(config), renders)
    finished: list[Any] = []
    start(archive_step.process_item(store_step.process_item(seed_item(config, SEED.content_html))),
          finished)
    renders.release(0)

    edited = seed_item(config, without_topic_keywords(SEED.content_html),
                       title=without_topic_keywords(SEED.title))
    assert edited.topics == {}
    start(archive_step.process_item(store_step.process_item(edited)), finished)
    renders.release(1)

    assert len(finished) == 2
    [(front, body, _)] = read_notes(config.archive_dir).values()
    assert front["topics"] == [] and front["revision"] == 2
    assert "服博会" not in body.split("## 修订记录")[0]  # the old text only under its history
    assert store.archive_backlog("ifeng-hb") == []
