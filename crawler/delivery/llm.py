"""The optional LLM summary ([summary]): any OpenAI-compatible ``/v1/chat/completions`` endpoint.

After a crawl's item work, the matched articles it stored or changed get a summary, cached
by their text's hash, so an unchanged text is never summarised twice. The calls are bounded:
``concurrency`` at a time, ``timeout`` each, ``max_calls`` a crawl, and the first failure
(absent, slow or failing endpoint) ends them for the run. Nothing else depends on them: the
extractive ``## 摘要`` stays, and an article without an AI summary is archived as before.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from threading import Event

from crawler.archive.writer import ArchiveWriter
from crawler.config.model import Config, SummaryConfig
from crawler.delivery.http import DeliveryError, request_json
from crawler.store import Store, StoredArticle
from crawler.store.summaries import save_summary, unsummarised
from crawler.text.aisummary import clean_ai_summary
from crawler.text.dates import SITE_TZ

logger = logging.getLogger(__name__)

BUDGET_SECONDS = 120.0  # no call starts later than this after the first
MAX_INPUT_CHARS = 6000  # a long article's head carries its facts; the rest costs tokens

DEFAULT_PROMPT = """你是新闻归档助手。请阅读用户给出的新闻，用简体中文写一份归档笔记，
严格使用下面的 Markdown 结构，不要输出其他内容：

### 归档笔记：<新闻主题>

#### 基本信息
- **时间**：<事件时间>
- **地点**：<事件地点>
- **主题**：<一句话概括>

#### 核心内容
1. **<要点标题>**
   - <要点，保留关键事实与数据>

（写 3 至 5 个要点）

#### 数据来源
- <发布媒体>（<发布日期>）

#### 归档标签
#<标签> #<标签> #<标签>

要求：只依据原文，不编造、不评论；数字、机构名和人名照录原文；原文没有的信息写“未提及”；全文不超过 400 字。"""


def completions_url(llm_url: str) -> str:
    """``llm_url`` may be the server's base (``http://127.0.0.1:11434``), ``…/v1`` or the full path."""
    if llm_url.endswith("/chat/completions"):
        return llm_url
    return f"{llm_url}/chat/completions" if llm_url.endswith("/v1") else f"{llm_url}/v1/chat/completions"


def user_message(article: StoredArticle) -> str:
    published = article.published.astimezone(SITE_TZ)
    return (f"标题：{article.title}\n来源：{article.outlet or article.site_name}\n"
            f"发布时间：{published:%Y-%m-%d %H:%M}\n\n正文：\n{article.text[:MAX_INPUT_CHARS]}")


def ask(summary: SummaryConfig, article: StoredArticle) -> str:
    """One chat completion; raises DeliveryError."""
    payload = {"model": summary.model, "temperature": 0.2, "stream": False, "messages": [
        {"role": "system", "content": summary.prompt or DEFAULT_PROMPT},
        {"role": "user", "content": user_message(article)}]}
    key = summary.api_key.value()
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    answer = request_json(completions_url(summary.llm_url), payload, timeout=summary.timeout, headers=headers)
    try:
        text = answer["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise DeliveryError("the answer has no choices[0].message.content") from None
    cleaned = clean_ai_summary(text if isinstance(text, str) else "")
    if not cleaned:
        raise DeliveryError("the answer is empty")
    return cleaned


def summarise_since(config: Config, store: Store, since: datetime) -> int:
    """Summarise what was stored or changed since ``since``; rewrite those notes. Returns how many."""
    summary = config.summary
    if not summary.enabled or summary.max_calls == 0:
        return 0
    articles = [a for a in map(store.get, unsummarised(store.engine, since, summary.max_calls)) if a is not None]
    failed = Event()
    deadline = time.monotonic() + BUDGET_SECONDS

    def one(article: StoredArticle) -> tuple[StoredArticle, str]:
        if failed.is_set() or time.monotonic() > deadline:
            return article, ""
        try:
            return article, ask(summary, article)
        except DeliveryError as error:
            if not failed.is_set():
                logger.warning("summary: %s; the extractive summary stays (no more calls this run)", error)
            failed.set()
            return article, ""

    done = 0
    writer = ArchiveWriter.from_config(config)
    with ThreadPoolExecutor(max_workers=summary.concurrency, thread_name_prefix="llm") as pool:
        for article, text in pool.map(one, articles):
            if text and save_summary(store.engine, article.content_sha256, summary.model, text, datetime.now(UTC)):
                done += 1
                _rewrite(store, writer, article.id)
    return done


def _rewrite(store: Store, writer: ArchiveWriter, article_id: int) -> None:
    """The article's archive files, now with ``## AI总结`` (as the archive catch-up would)."""
    stored = store.get(article_id)
    if stored is None:
        return
    for _ in writer.write(stored):
        pass
    store.mark_archived(stored.id, stored.version)
