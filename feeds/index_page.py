"""The static HTML page that lists the topic feeds for people."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from crawler.text.strings import xml_safe
from feeds.atom import feed_url, require_aware
from feeds.model import FeedEntry, TopicFeed

PAGE_TITLE = "topicfeed"
NEWEST_SHOWN = 10
OPML_LABEL = "OPML 订阅列表（index.opml）"
# China has had no daylight saving since 1991, so a fixed offset needs no tz database.
BEIJING = timezone(timedelta(hours=8))

_STYLE = (
    "body{font-family:sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.6}section{border-top:1px solid #ccc;margin-top:1.5rem}"
    ".meta{color:#555}time{color:#777;font-size:.9em;margin-left:.5em}"
)


def render_index_html(feeds: Sequence[TopicFeed], base_url: str) -> bytes:
    """Render the topic list as a self-contained UTF-8 HTML5 page without scripts."""
    lines = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_text(PAGE_TITLE)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{_text(PAGE_TITLE)}</h1>",
        f"<p>{_link(base_url + 'index.opml', OPML_LABEL)}：一次导入全部主题。</p>",
    ]
    for feed in feeds:
        lines.extend(_topic_lines(feed, base_url))
    lines += ["</body>", "</html>", ""]
    return "\n".join(lines).encode("utf-8")


def _topic_lines(feed: TopicFeed, base_url: str) -> list[str]:
    keywords = "、".join(_text(k) for k in feed.keywords if xml_safe(k))
    newest = max((require_aware(e.updated) for e in feed.entries), default=None)
    updated = _time(newest) if newest is not None else "暂无"
    lines = [
        "<section>",
        f"<h2>{_text(feed.title or feed.slug)}</h2>",
        f'<p class="meta">关键词：{keywords or "无"}</p>',
        f'<p class="meta">共 {len(feed.entries)} 条，最近更新：{updated}</p>',
        f"<p>{_link(feed_url(base_url, feed.slug), 'Atom 订阅')}</p>",
    ]
    if feed.entries:
        lines.append("<ol>")
        lines.extend(_entry_line(e) for e in feed.entries[:NEWEST_SHOWN])
        lines.append("</ol>")
    lines.append("</section>")
    return lines


def _entry_line(entry: FeedEntry) -> str:
    return f"<li>{_link(entry.url, entry.title or entry.url)}{_time(entry.published)}</li>"


def _time(moment: datetime) -> str:
    local = require_aware(moment).astimezone(BEIJING)
    return f'<time datetime="{_text(moment.isoformat())}">{local:%Y-%m-%d %H:%M}</time>'


def _link(url: str, label: str) -> str:
    href = _safe_href(url)
    if href is None:
        return _text(label)
    return f'<a href="{_text(href)}">{_text(label)}</a>'


def _safe_href(url: str) -> str | None:
    # Only web links (or relative ones) may be followed: never javascript:, data: and the like.
    cleaned = xml_safe(url).strip()
    try:
        scheme = urlsplit(cleaned).scheme
    except ValueError:
        return None
    return cleaned if scheme in ("", "http", "https") else None


def _text(value: str) -> str:
    return html.escape(xml_safe(value), quote=True)
