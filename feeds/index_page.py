"""The static HTML page that lists the topic feeds for people, and how each source is doing."""

from __future__ import annotations

from collections.abc import Sequence

from feeds.atom import feed_url, require_aware
from feeds.html import link, page, text, time_html
from feeds.model import FeedEntry, SourceStatus, TopicFeed
from feeds.pages import topic_page_name

PAGE_TITLE = "topicfeed"
NEWEST_SHOWN = 10
OPML_LABEL = "OPML 订阅列表（index.opml）"


def render_index_html(feeds: Sequence[TopicFeed], base_url: str,
                      sources: Sequence[SourceStatus] = ()) -> bytes:
    """Render the topic list (and the sources' last runs) as a self-contained UTF-8 HTML5 page."""
    body = [
        f"<h1>{text(PAGE_TITLE)}</h1>",
        f"<p>{link(base_url + 'index.opml', OPML_LABEL)}：一次导入全部主题。</p>",
    ]
    for feed in feeds:
        body.extend(_topic_lines(feed, base_url))
    body.extend(source_lines(sources))
    return page(PAGE_TITLE, body)


def _topic_lines(feed: TopicFeed, base_url: str) -> list[str]:
    keywords = "、".join(text(k) for k in feed.keywords if k.strip())
    newest = max((require_aware(e.updated) for e in feed.entries), default=None)
    updated = time_html(newest) if newest is not None else "暂无"
    shown = feed.entries[:NEWEST_SHOWN]
    lines = [
        "<section>",
        f"<h2>{link(topic_page_name(feed.slug), feed.title or feed.slug)}</h2>",
        f'<p class="meta">关键词：{keywords or "无"}</p>',
        f'<p class="meta">{_count_line(len(shown), len(feed.entries))}，最近更新：{updated}</p>',
        f"<p>{link(topic_page_name(feed.slug), '主题页')} · {link(feed_url(base_url, feed.slug), 'Atom 订阅')}</p>",
    ]
    if shown:
        lines.append("<ol>")
        lines.extend(_entry_line(e) for e in shown)
        lines.append("</ol>")
    lines.append("</section>")
    return lines


def _count_line(shown: int, total: int) -> str:
    if shown == total:
        return f"共 {total} 条"
    return f"下列最新 {shown} 条，主题页共 {total} 条"


def _entry_line(entry: FeedEntry) -> str:
    credit = entry.outlet or entry.author or entry.site_name
    links = [link(entry.url, entry.title or entry.url, external=True)]
    if entry.page:
        links.append(link(entry.page, "存档"))
    return f'<li>{" · ".join(links)} <span class="meta">{text(credit)}</span> {time_html(entry.published)}</li>'


def source_lines(sources: Sequence[SourceStatus]) -> list[str]:
    """来源: each source's last run, its outcome (health) and what it found."""
    if not sources:
        return []
    lines = ["<section>", "<h2>来源</h2>", "<table>",
             "<thead><tr><th>来源</th><th>上次抓取</th><th>状态</th><th>页面 / 新文章 / 错误</th></tr></thead>",
             "<tbody>"]
    for source in sources:
        if source.started is None:
            lines.append(f"<tr><td>{text(source.name)}</td><td>从未抓取</td><td>-</td><td>-</td></tr>")
            continue
        health = "ok" if source.outcome == "ok" else "" if source.outcome == "running" else "bad"
        lines.append(f"<tr><td>{text(source.name)}</td><td>{time_html(source.started)}</td>"
                     f'<td class="{health}">{text(source.outcome)}</td>'
                     f"<td>{source.pages} / {source.new} / {source.errors}</td></tr>")
    lines += ["</tbody>", "</table>",
              '<p class="meta">状态：ok 正常；unhealthy 页面可能改版；failed 抓取失败；running 正在抓取。</p>',
              "</section>"]
    return lines
