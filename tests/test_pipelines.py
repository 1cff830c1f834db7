"""StorePipeline and ArchivePipeline when an article changes between its save and its archive
files (no reactor; the item work runs in this process, as it does without a worker)."""

from __future__ import annotations

from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

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


def seed_item(body_html: str, title: str = SEED.title) -> Article:
    """The sample's seed article as the spider yields it."""
    return Article(
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


def finished(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """A pipeline step's result (it does not wait: the item work runs in this process)."""
    outcome: list[Any] = []
    Deferred.fromCoroutine(coroutine).addBoth(outcome.append)
    [result] = outcome
    if isinstance(result, Failure):
        result.raiseException()
    return result


def current_text(config: Config) -> str:
    """The archived note's text of the current version (earlier ones follow under 修订记录)."""
    [(_, body, _)] = read_notes(config.archive_dir).values()
    return body.split("## 修订记录")[0]


def test_two_saves_before_the_first_archive_step_write_the_newer_version_once(config, crawler):
    store_step = StorePipeline.from_crawler(crawler)
    archive_step = ArchivePipeline.from_crawler(crawler)
    first = finished(store_step.process_item(seed_item(SEED.content_html)))
    corrected = SEED.content_html.replace(FIRST_TEXT, CORRECTED_TEXT)
    second = finished(store_step.process_item(seed_item(corrected)))
    assert (first.save_outcome, second.save_outcome) == (SaveOutcome.NEW, SaveOutcome.UPDATED)

    assert finished(archive_step.process_item(first)) is first
    assert finished(archive_step.process_item(second)) is second  # both go on, none dropped
    text = current_text(config)
    assert CORRECTED_TEXT in text and FIRST_TEXT not in text
    # the first version was never written, not even before the newer one
    assert crawler.stats.get_value("topicfeed/archive_files_written") == 1
    assert CrawlResources.of(crawler).store.archive_backlog("ifeng-hb") == []  # nothing left to catch up


def test_a_newer_save_from_elsewhere_during_the_render_is_archived_by_the_next_catch_up(
    config, crawler, monkeypatch
):
    """Another process (a cluster worker, the image downloads) saved a newer version while this
    one rendered the files, and did not get to archive it."""
    store = CrawlResources.of(crawler).store
    writer = CrawlResources.of(crawler).workers.context.writer
    first = finished(StorePipeline.from_crawler(crawler).process_item(seed_item(SEED.content_html)))
    real_render = writer.render

    def render_while_another_process_saves(article: StoredArticle) -> list[tuple[Path, str]]:
        files = real_render(article)
        newer = prepare(seed_item(SEED.content_html.replace(FIRST_TEXT, CORRECTED_TEXT)),
                        TopicMatcher(config.topics))
        store.save(newer, newer.content_sha256, RECORDED_AT, fingerprint=newer.fingerprint)
        return files

    monkeypatch.setattr(writer, "render", render_while_another_process_saves)
    assert finished(ArchivePipeline.from_crawler(crawler).process_item(first)) is first
    assert not config.archive_dir.exists(), "the stale version is not written"
    [behind] = store.archive_backlog("ifeng-hb")
    assert behind.version == 2
    # what ArchivePipeline.spider_opened does when the next crawl of the source starts
    assert ArchiveWriter.from_config(config).catch_up(store, "ifeng-hb") == 1
    text = current_text(config)
    assert CORRECTED_TEXT in text and FIRST_TEXT not in text
    assert store.archive_backlog("ifeng-hb") == []


def without_topic_keywords(text: str) -> str:
    return text.replace("服务外包", "外包服务").replace("服博会", "博览会")


def test_an_update_that_no_longer_matches_still_rewrites_the_archived_note(config, crawler):
    store = CrawlResources.of(crawler).store
    store_step = StorePipeline.from_crawler(crawler)
    archive_step = ArchivePipeline.from_crawler(crawler)
    finished(archive_step.process_item(finished(store_step.process_item(seed_item(SEED.content_html)))))

    edited = seed_item(without_topic_keywords(SEED.content_html), title=without_topic_keywords(SEED.title))
    stored_edit = finished(store_step.process_item(edited))
    assert stored_edit.topics == {} and stored_edit.save_outcome is SaveOutcome.UPDATED
    with pytest.raises(DropItem, match="matches no topic"):
        finished(archive_step.process_item(stored_edit))

    [(front, body, _)] = read_notes(config.archive_dir).values()
    assert front["topics"] == [] and front["revision"] == 2
    assert "服博会" not in body.split("## 修订记录")[0]  # the old text only under its history
    assert store.archive_backlog("ifeng-hb") == []
