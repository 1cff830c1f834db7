"""A warm feed rebuild renders only the topics whose articles or settings changed."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import UTC, datetime, timedelta

import pytest

import feeds.writer
from crawler.config import Config, FeedsConfig, Topic
from crawler.store import Store
from feeds.build import build_feeds
from tests.helpers import store_url
from tests.test_store_reads import make_article, save

T0 = datetime(2025, 7, 24, 7, 55, tzinfo=UTC)
TOPICS = (Topic("so", "服务外包", ("服务外包",)), Topic("ex", "博览会", ("博览会",)))


@pytest.fixture
def store(tmp_path):
    s = Store.open(store_url(tmp_path))
    for n in range(1, 7):
        save(s, make_article(n, "so" if n % 2 else "ex"))
    yield s
    s.close()


@pytest.fixture
def config(tmp_path):
    return Config(path=None, data_dir=tmp_path / "data", feeds=FeedsConfig(max_entries=2),
                  topics=TOPICS)


@pytest.fixture
def rendered(monkeypatch):
    """The slugs render_atom is asked for."""
    slugs: list[str] = []
    render = feeds.writer.render_atom

    def counting(feed, base_url):
        slugs.append(feed.slug)
        return render(feed, base_url)

    monkeypatch.setattr(feeds.writer, "render_atom", counting)
    return slugs


def cold_build(config: Config, store: Store, tmp_path) -> dict[str, bytes]:
    """The feed folder a first build, without any record of earlier ones, writes."""
    cold = dataclasses.replace(config, data_dir=tmp_path / "cold")
    shutil.rmtree(cold.data_dir, ignore_errors=True)
    build_feeds(cold, store)
    return files(cold)


def files(config: Config) -> dict[str, bytes]:
    """Every file of the feeds folder (the archived articles' pages too), by relative path."""
    return {str(p.relative_to(config.feeds_dir)): p.read_bytes()
            for p in config.feeds_dir.rglob("*") if p.is_file()}


def test_nothing_changed_renders_no_feed_and_writes_nothing(store, config, rendered):
    first = build_feeds(config, store)
    names = {str(p.relative_to(config.feeds_dir)) for p in first}
    assert {"so.atom", "so.html", "ex.atom", "ex.html", "index.opml", "index.html", "style.css"} <= names
    assert len([n for n in names if n.startswith("archive/")]) == 4  # max_entries 2, two topics
    assert rendered == ["so", "ex"]
    assert build_feeds(config, store) == []
    assert rendered == ["so", "ex"]


def test_one_changed_article_rewrites_its_topic_only(store, config, rendered, tmp_path):
    build_feeds(config, store)
    changed = make_article(5, "so", text="第5篇正文，改过了。")
    store.save(changed, "sha-changed", T0 + timedelta(days=1))

    written = build_feeds(config, store)
    assert config.feeds_dir / "so.atom" in written
    assert config.feeds_dir / "ex.atom" not in written
    assert rendered == ["so", "ex", "so"]
    assert "改过了" in (config.feeds_dir / "so.atom").read_text(encoding="utf-8")
    assert files(config) == cold_build(config, store, tmp_path)


def test_a_new_article_in_a_topic_rewrites_it(store, config, rendered, tmp_path):
    build_feeds(config, store)
    save(store, make_article(8, "ex"))
    assert config.feeds_dir / "ex.atom" in build_feeds(config, store)
    assert rendered[2:] == ["ex"]
    warm, cold = files(config), cold_build(config, store, tmp_path)
    assert warm.items() >= cold.items()
    # the page of the article the new one pushed out of the feed stays: links to it keep working
    assert [name for name in warm if name not in cold] == ["archive/ifeng-hb/2025/07/20250724-a4.html"]


def test_a_deleted_or_edited_feed_file_is_written_again(store, config):
    build_feeds(config, store)
    before = files(config)
    (config.feeds_dir / "so.atom").unlink()
    (config.feeds_dir / "ex.atom").write_bytes(b"<feed/>")
    written = build_feeds(config, store)
    assert {config.feeds_dir / "so.atom", config.feeds_dir / "ex.atom"} <= set(written)
    assert files(config) == before


@pytest.mark.parametrize("change", [
    {"topics": (dataclasses.replace(TOPICS[0], title="服务外包动态"), TOPICS[1])},
    {"feeds": FeedsConfig(base_url="https://feeds.example.org/", max_entries=2)},
    {"feeds": FeedsConfig(max_entries=3)},
])
def test_changed_settings_render_the_feeds_again(store, config, rendered, tmp_path, change):
    build_feeds(config, store)
    changed = dataclasses.replace(config, **change)
    build_feeds(changed, store)
    assert "so" in rendered[2:]
    assert files(changed) == cold_build(changed, store, tmp_path)


def test_a_lost_record_means_a_full_render_with_the_same_bytes(store, config, rendered):
    build_feeds(config, store)
    before = files(config)
    (config.state_dir / "feeds-rendered.json").write_text("not json", encoding="utf-8")
    assert build_feeds(config, store) == []
    assert rendered == ["so", "ex", "so", "ex"]
    assert files(config) == before
