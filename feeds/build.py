"""From the store to the feed folder: one TopicFeed per configured topic."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from crawler import __version__
from crawler.config import Config, Topic
from crawler.store import FeedArticle, Store, StoredArticle
from crawler.text.aisummary import ai_summary_plain
from crawler.text.credits import credited
from crawler.text.dates import EARLIEST_PUBLISHED, plausible_published, utcnow
from crawler.text.htmlclean import drop_images, replace_image_sources, truncate_html
from crawler.text.urls import web_url
from feeds.model import FeedEntry, TopicFeed
from feeds.rendered import RenderedFeeds
from feeds.site import archived_page_path, archived_pages, source_statuses
from feeds.writer import write_archived_pages, write_feed_files

MAX_ENTRY_CHARS = 200_000  # a feed entry's content; readers choke on megabytes (a 5 MB paragraph)
RENDERED_RECORD = "feeds-rendered.json"  # in the state folder
# Part of every feed's input key: bump it when the same articles would now render differently
# (feed_entry, render_atom), so that a warm rebuild does not keep the old files.
FEED_FORMAT = 2


def shown_time(moment: datetime, fallback: datetime) -> datetime:
    """A stored time as a feed shows it: one outside 1990…tomorrow (9999-12-31) gives way to ``fallback``.

    A date taken at its word would pin the feed's ``updated`` or stop the rendering for good.
    """
    if plausible_published(moment, utcnow()):
        return moment
    return fallback if plausible_published(fallback, utcnow()) else EARLIEST_PUBLISHED


def feed_entry(article: StoredArticle | FeedArticle, topic: str, image_base: str = "") -> FeedEntry:
    """``image_base`` set: images point at our own copies there (hotlink-protected sites)."""
    failed = {image.url for image in article.images if image.failed}
    content = drop_images(truncate_html(article.body_html, MAX_ENTRY_CHARS), failed)
    if image_base:
        content = replace_image_sources(
            content, {image.url: f"{image_base}{image.local}" for image in article.images if image.local})
    published = shown_time(article.published, article.archived or article.updated)
    return FeedEntry(
        id=article.canonical_url,
        url=web_url(article.url) or web_url(article.canonical_url),
        title=article.title,
        published=published,
        updated=max(shown_time(article.updated, published), published),
        author=article.outlet or article.site_name,
        summary=ai_summary_plain(article.ai_summary) if article.ai_summary else article.summary,
        content_html=content,
        site_name=article.site_name,
        categories=tuple(article.topics.get(topic, ())),
        also_reported_by=credited(article.reported_by),
        same_text_at=credited(article.same_text),
        outlet=article.outlet,
        page=archived_page_path(article),
    )


def topic_feed(store: Store, topic: Topic, max_entries: int, image_base: str = "") -> TopicFeed:
    return _topic_feed(topic, store.feed_articles(topic.slug, limit=max_entries), image_base)


def _topic_feed(topic: Topic, articles: Sequence[FeedArticle], image_base: str) -> TopicFeed:
    return TopicFeed(
        slug=topic.slug,
        title=topic.title,
        keywords=topic.keywords,
        entries=tuple(feed_entry(article, topic.slug, image_base) for article in articles),
    )


def feed_input_key(topic: Topic, articles: Sequence[FeedArticle], base_url: str,
                   image_base: str) -> str:
    """Everything a topic's feed file is rendered from, as a digest.

    Articles count by (id, version): the version is bumped by every change an article's
    entry shows (see articles.version), so unchanged versions mean unchanged entries.
    """
    described = [FEED_FORMAT, __version__, base_url, image_base, topic.slug, topic.title,
                 list(topic.keywords),
                 [(a.id, a.version, a.topics.get(topic.slug, [])) for a in articles]]
    return hashlib.sha256(json.dumps(described, ensure_ascii=False).encode("utf-8")).hexdigest()


def build_feeds(config: Config, store: Store) -> list[Path]:
    """Rebuild every topic feed, index.opml and index.html; returns the files that changed.

    A topic whose newest articles and settings are those its feed file was rendered from is
    not rendered again.
    """
    base_url = config.feeds.base_url
    image_base = base_url if config.feeds.local_images else ""
    feeds = []
    inputs = {}
    listed: list[FeedArticle] = []
    for topic in config.topics:
        articles = store.feed_articles(topic.slug, limit=config.feeds.max_entries)
        listed += articles
        feeds.append(_topic_feed(topic, articles, image_base))
        inputs[topic.slug] = feed_input_key(topic, articles, base_url, image_base)
    rendered = RenderedFeeds.load(config.state_dir / RENDERED_RECORD)
    written = write_feed_files(feeds, config.feeds_dir, base_url, inputs=inputs, rendered=rendered,
                               sources=source_statuses(config, store))
    pages = archived_pages(listed, {topic.slug: topic.title for topic in config.topics})
    return written + write_archived_pages(pages, config.feeds_dir, rendered)
