"""What a notification says, once for every channel: paragraphs of spans, some of them links.

Each channel renders the same ``Message`` in its own markup (crawler.delivery.render), so a
story reads the same in Feishu, DingTalk, WeCom, Telegram, an email or a webhook's JSON.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from crawler.store import StoredArticle
from crawler.text.aisummary import ai_summary_plain
from crawler.text.credits import credited

SUMMARY_CHARS = 300
DIGEST_SUMMARY_CHARS = 80


@dataclass(frozen=True)
class Span:
    text: str
    href: str = ""


Paragraph = tuple[Span, ...]


@dataclass(frozen=True)
class Story:
    """A stored article as a message shows it; ``id`` is stable across stores (its canonical URL)."""

    id: str
    title: str
    outlet: str
    published: datetime  # in the scheduler's timezone
    summary: str
    url: str
    topics: tuple[str, ...]  # topic titles
    also: tuple[tuple[str, str], ...] = ()  # (outlet, url) of the near copies: "also reported by"

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "outlet": self.outlet, "published": self.published.isoformat(),
                "summary": self.summary, "url": self.url, "topics": list(self.topics),
                "also_reported_by": [{"outlet": outlet, "url": url} for outlet, url in self.also]}


@dataclass(frozen=True)
class Message:
    kind: str  # story | digest | health | test
    key: str  # idempotency key: the same message always has the same key
    title: str
    paragraphs: tuple[Paragraph, ...]
    stories: tuple[Story, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)  # health: source, outcome, state


def story_id(canonical_url: str) -> str:
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:32]


def story(article: StoredArticle, topic_titles: dict[str, str], timezone: str) -> Story:
    """The LLM summary where there is one ([summary]), else the extractive one."""
    summary = ai_summary_plain(article.ai_summary) if article.ai_summary else article.summary
    return Story(
        id=story_id(article.canonical_url), title=article.title,
        outlet=article.outlet or article.site_name, published=article.published.astimezone(ZoneInfo(timezone)),
        summary=(summary or article.text[:200]).strip(), url=article.url,
        topics=tuple(topic_titles.get(slug, slug) for slug in sorted(article.topics)),
        also=credited(article.reported_by),  # named as the note and the feed name them
    )


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


def _also(item: Story) -> tuple[Span, ...]:
    if not item.also:
        return ()
    spans: list[Span] = [Span("同时报道：")]
    for i, (outlet, url) in enumerate(item.also):
        spans += [Span("、")] if i else []
        spans.append(Span(outlet, url))
    return tuple(spans)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def story_message(item: Story) -> Message:
    paragraphs: list[Paragraph] = [
        (Span(f"来源：{item.outlet}　发布时间：{_when(item.published)}"),),
        (Span(f"专题：{'、'.join(item.topics)}"),),
        (Span(_clip(item.summary, SUMMARY_CHARS)),),
    ]
    if item.also:
        paragraphs.append(_also(item))
    paragraphs.append((Span("阅读原文", item.url),))
    return Message("story", f"story:{item.id}", item.title, tuple(paragraphs), (item,))


def digest_message(key: str, items: list[Story], now: datetime) -> Message:
    paragraphs: list[Paragraph] = []
    for number, item in enumerate(items, 1):
        paragraphs.append((Span(f"{number}. "), Span(item.title, item.url)))
        facts = f"{item.outlet} · {_when(item.published)} · {'、'.join(item.topics)}"
        paragraphs.append((Span(facts),))
        if item.summary:
            paragraphs.append((Span(_clip(item.summary, DIGEST_SUMMARY_CHARS)),))
        if item.also:
            paragraphs.append(_also(item))
    title = f"topicfeed 摘要 {_when(now)}：{len(items)} 条新闻"
    return Message("digest", key, title, tuple(paragraphs), tuple(items))


def health_message(key: str, source: str, state: str, outcome: str, when: datetime) -> Message:
    if state == "bad":
        title = f"来源异常：{source}"
        text = f"{source} 在 {_when(when)} 的抓取结果：{outcome}。请检查站点是否改版或无法访问。"
    else:
        title = f"来源恢复：{source}"
        text = f"{source} 在 {_when(when)} 抓取正常（{outcome}）。"
    return Message("health", key, title, ((Span(text),),),
                   details={"source": source, "state": state, "outcome": outcome, "time": when.isoformat()})


def test_message(target: str, now: datetime) -> Message:
    text = f"这是一条来自 topicfeed 的测试消息（目标 {target}，{_when(now)}）。收到即表示配置正确。"
    return Message("test", f"test:{target}:{now.isoformat()}", "topicfeed 测试消息", ((Span(text),),))
