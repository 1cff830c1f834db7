"""Small builders for feed model objects, shared by the test modules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

from feeds.model import ArchivedPage, FeedEntry, TopicFeed

BEIJING = timezone(timedelta(hours=8))
DEFAULT_URL = "https://news.example.cn/2024/05/01/ai-chip.html"

_DEFAULT_ENTRY = FeedEntry(
    id=DEFAULT_URL,
    url=DEFAULT_URL,
    title="国产人工智能芯片取得新突破",
    published=datetime(2024, 5, 1, 8, 30, tzinfo=BEIJING),
    updated=datetime(2024, 5, 1, 9, 0, tzinfo=BEIJING),
    author="新华社",
    summary="研究团队发布新一代人工智能芯片，能效比提升三倍。",
    content_html='<p>研究团队发布新一代芯片。</p><p><img src="https://news.example.cn/a.jpg"></p>',
    site_name="示例新闻网",
    categories=("人工智能", "芯片"),
)

_DEFAULT_FEED = TopicFeed(slug="ai", title="人工智能", keywords=("人工智能", "大模型", "芯片"))


def make_entry(**overrides: Any) -> FeedEntry:
    """A FeedEntry with Chinese defaults; an overridden ``url`` also becomes the ``id``."""
    if "url" in overrides and "id" not in overrides:
        overrides["id"] = overrides["url"]
    return replace(_DEFAULT_ENTRY, **overrides)


def make_feed(entries: Iterable[FeedEntry] = (), **overrides: Any) -> TopicFeed:
    """A TopicFeed holding ``entries`` in the given order."""
    return replace(_DEFAULT_FEED, entries=tuple(entries), **overrides)


_DEFAULT_PAGE = ArchivedPage(
    path="archive/xinhua/2024/05/20240501-ai-chip.html",
    title="国产人工智能芯片取得新突破",
    url=DEFAULT_URL,
    site_name="示例新闻网",
    outlet="新华社",
    author="新华社",
    editor="王编辑",
    published=datetime(2024, 5, 1, 8, 30, tzinfo=BEIJING),
    updated=datetime(2024, 5, 1, 9, 0, tzinfo=BEIJING),
    archived=datetime(2024, 5, 1, 9, 5, tzinfo=BEIJING),
    summary="研究团队发布新一代人工智能芯片，能效比提升三倍。",
    body_html=('<p>研究团队发布新一代芯片。</p>'
               '<p><img src="../../../../images/news.example.cn/0123.jpg" alt="芯片"></p>'),
    images=(("https://news.example.cn/a.jpg", "../../../../images/news.example.cn/0123.jpg"),),
    topics=(("ai", "人工智能"),),
)


def make_archived_page(**overrides: Any) -> ArchivedPage:
    """An ArchivedPage with Chinese defaults and one locally saved image."""
    return replace(_DEFAULT_PAGE, **overrides)
