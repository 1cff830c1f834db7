"""From the store to the feed folder: one TopicFeed per configured topic."""

from __future__ import annotations

from pathlib import Path

from crawler.config import Config, Topic
from crawler.store import Store, StoredArticle
from crawler.urls import host_of
from feeds.model import FeedEntry, TopicFeed
from feeds.writer import write_feed_files


def feed_entry(article: StoredArticle, topic: str) -> FeedEntry:
    return FeedEntry(
        id=article.canonical_url,
        url=article.url,
        title=article.title,
        published=article.published,
        updated=max(article.updated, article.published),
        author=article.outlet or article.site_name,
        summary=article.summary,
        content_html=article.body_html,
        site_name=article.site_name,
        categories=tuple(article.topics.get(topic, ())),
        also_reported_by=(*article.reported_by, *((host_of(alias), alias) for alias in article.aliases)),
    )


def topic_feed(store: Store, topic: Topic, max_entries: int) -> TopicFeed:
    articles = store.topic_articles(topic.slug, limit=max_entries)
    return TopicFeed(
        slug=topic.slug,
        title=topic.title,
        keywords=topic.keywords,
        entries=tuple(feed_entry(article, topic.slug) for article in articles),
    )


def build_feeds(config: Config, store: Store) -> list[Path]:
    """Rebuild every topic feed, index.opml and index.html; returns the files that changed."""
    feeds = [topic_feed(store, topic, config.feeds.max_entries) for topic in config.topics]
    return write_feed_files(feeds, config.feeds_dir, config.feeds.base_url)
