"""``<slug>.html``: a topic's entries as a page for people, newest first."""

from __future__ import annotations

from feeds.atom import feed_url
from feeds.html import link, names_and_links, page, text, time_html
from feeds.model import FeedEntry, TopicFeed

INDEX_NAME = "index.html"


def topic_page_name(slug: str) -> str:
    return f"{slug}.html"


def render_topic_html(feed: TopicFeed, base_url: str) -> bytes:
    """Every entry of the feed: title, outlet, time, summary, who else has it, the links."""
    title = feed.title or feed.slug
    keywords = "、".join(text(k) for k in feed.keywords if k.strip())
    body = [
        f'<nav>{link(INDEX_NAME, "← 全部主题")} · {link(feed_url(base_url, feed.slug), "Atom 订阅")}</nav>',
        f"<h1>{text(title)}</h1>",
        f'<p class="meta">关键词：{keywords or "无"}。共 {len(feed.entries)} 条，最新的在前。</p>',
    ]
    if feed.entries:
        body.append('<ol class="entries">')
        body.extend(_entry(entry) for entry in feed.entries)
        body.append("</ol>")
    else:
        body.append("<p>还没有匹配的文章。</p>")
    return page(f"{title} · topicfeed", body)


def _entry(entry: FeedEntry) -> str:
    credit = " / ".join(text(name) for name in dict.fromkeys((entry.outlet, entry.site_name)) if name)
    parts = [
        "<li><article>",
        f"<h2>{link(entry.url, entry.title or entry.url, external=True)}</h2>",
        f'<p class="meta">{credit or text(entry.author)} · {time_html(entry.published)}</p>',
    ]
    if entry.summary:
        parts.append(f"<p>{text(entry.summary)}</p>")
    if entry.same_text_at:
        parts.append(f'<p class="meta">同时见于：{names_and_links(entry.same_text_at)}</p>')
    if entry.also_reported_by:
        parts.append(f'<p class="meta">同时报道：{names_and_links(entry.also_reported_by)}</p>')
    links = [link(entry.url, "阅读原文", external=True)]
    if entry.page:
        links.append(link(entry.page, "存档副本"))
    parts += [f"<p>{' · '.join(links)}</p>", "</article></li>"]
    return "\n".join(parts)
