"""From the store to the feed folder: one TopicFeed per configured topic."""

from __future__ import annotations

from pathlib import Path

from crawler.config import Config, Topic
from crawler.htmlclean import replace_image_sources
from crawler.store import Store, StoredArticle
from crawler.urls import host_of
from feeds.model import FeedEntry, TopicFeed
from feeds.writer import write_feed_files


def feed_entry(article: StoredArticle, topic: str, image_base: str = "") -> FeedEntry:
    """``image_base`` set: images point at our own copies there (hotlink-protected sites)."""
    content = article.body_html
    if image_base:
        content = replace_image_sources(
            content, {image.url: f"{image_base}{image.local}" for image in article.images if image.local})
    return FeedEntry(
        id=article.canonical_url,
        url=article.url,
        title=article.title,
        published=article.published,
        updated=max(article.updated, article.published),
        author=article.outlet or article.site_name,
        summary=article.summary,
        content_html=content,
        site_name=article.site_name,
        categories=tuple(article.topics.get(topic, ())),
        also_reported_by=(*article.reported_by, *((host_of(alias), alias) for alias in article.aliases)),
    )


def topic_feed(store: Store, topic: Topic, max_entries: int, image_base: str = "") -> TopicFeed:
    articles = store.topic_articles(topic.slug, limit=max_entries)
    return TopicFeed(
        slug=topic.slug,
        title=topic.title,
        keywords=topic.keywords,
        entries=tuple(feed_entry(article, topic.slug, image_base) for article in articles),
    )


def build_feeds(config: Config, store: Store) -> list[Path]:
    """Rebuild every topic feed, index.opml and index.html; returns the files that changed."""
    image_base = config.feeds.base_url if config.feeds.local_images else ""
    feeds = [topic_feed(store, topic, config.feeds.max_entries, image_base) for topic in config.topics]
    return write_feed_files(feeds, config.feeds_dir, config.feeds.base_url)
