"""The optional LLM summary: the request an OpenAI-compatible endpoint gets, the cache, the fallback."""

from __future__ import annotations

import logging

import pytest

from crawler.archive.note import note_path
from crawler.delivery.dispatch import deliver
from crawler.delivery.llm import DEFAULT_PROMPT, summarise_since
from crawler.runtime import MIRROR_ENV
from crawler.store import Store
from feeds.build import feed_entry
from tests.configs import notify, table
from tests.delivery_fakes import Answer, ServiceServer
from tests.delivery_setup import OTHER_TEXT, STORY_TEXT, T0, article, delivery_config, empty_snapshot, save

LLM_HOST = "llm.example.org"
LLM_KEY = "sk-local-test-key-0042"
AI_SUMMARY = """### 归档笔记：第二十届中国国际服务外包交易博览会

#### 基本信息
- **时间**：2026年12月1日
- **地点**：浙江杭州
- **主题**：数智赋能服务外包

#### 核心内容
1. **展会规模**
   - 三十多个国家和地区的一千余家企业参展，签约金额超过两百亿元。

#### 数据来源
- 新华社（2026年12月1日）

#### 归档标签
#服务外包 #服博会 #杭州"""
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "model": "qwen2.5:7b",
              "choices": [{"index": 0, "message": {"role": "assistant", "content": AI_SUMMARY},
                           "finish_reason": "stop"}]}
STORY_URL = "https://html2.qktoutiao.com/detail/2026/12/01/1001.html"
OTHER_URL = "https://html2.qktoutiao.com/detail/2026/12/01/1002.html"


@pytest.fixture
def services(tmp_path, monkeypatch):
    monkeypatch.setenv("LLM_KEY", LLM_KEY)
    with ServiceServer(empty_snapshot(tmp_path / "snapshot")) as server:
        monkeypatch.setenv(MIRROR_ENV, server.url)
        server.plan(LLM_HOST, Answer(body=COMPLETION))
        yield server


@pytest.fixture
def store(tmp_path):
    opened = Store.open(f"sqlite:///{tmp_path}/store.sqlite3")
    yield opened
    opened.close()


def summary_config(tmp_path, *tables, **keys):
    summary = table("summary", llm_url=f"https://{LLM_HOST}", model="qwen2.5:7b", api_key="env:LLM_KEY", **keys)
    return delivery_config(tmp_path, summary, *tables)


def test_the_endpoint_gets_a_chat_completion_and_the_note_an_ai_summary(tmp_path, services, store):
    config = summary_config(tmp_path)
    save(store, article(STORY_URL, STORY_TEXT))
    assert summarise_since(config, store, T0) == 1
    [request] = services.to(LLM_HOST)
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == f"Bearer {LLM_KEY}"
    body = request.json
    assert body["model"] == "qwen2.5:7b" and body["stream"] is False
    assert body["messages"][0] == {"role": "system", "content": DEFAULT_PROMPT}
    assert body["messages"][1]["role"] == "user"
    head = "标题：第二十届服博会在杭州开幕\n来源：新华社\n发布时间：2026-12-01 09:30"
    assert body["messages"][1]["content"].startswith(head)
    assert STORY_TEXT in body["messages"][1]["content"]

    stored = store.get_by_url(STORY_URL)
    assert stored.ai_summary == AI_SUMMARY
    note = note_path(config.archive_dir, stored).read_text("utf-8")
    assert note.index("## 摘要") < note.index("## AI总结\n\n### 归档笔记：第二十届") < note.index("## 原文")
    assert stored.archived_version == stored.version


def test_the_summary_is_cached_by_the_text_hash(tmp_path, services, store):
    config = summary_config(tmp_path)
    save(store, article(STORY_URL, STORY_TEXT))
    summarise_since(config, store, T0)
    assert summarise_since(config, store, T0) == 0
    assert len(services.to(LLM_HOST)) == 1, "an unchanged text is never summarised twice"


def test_feeds_and_messages_prefer_the_ai_summary(tmp_path, services, store):
    config = summary_config(tmp_path, notify("hook", "webhook", url="https://hooks.example.org/t"))
    save(store, article(STORY_URL, STORY_TEXT))
    summarise_since(config, store, T0)
    entry = feed_entry(store.feed_articles("service-outsourcing")[0], "service-outsourcing")
    assert entry.summary.startswith("归档笔记：第二十届中国国际服务外包交易博览会 基本信息 时间：2026年12月1日")
    assert "#" not in entry.summary.split("归档标签")[0] and "**" not in entry.summary
    deliver(config, store, now=T0)
    [message] = services.to("hooks.example.org")
    assert message.json["story"]["summary"] == entry.summary


@pytest.mark.parametrize("answer", [Answer(status=500, body={"error": "model not loaded"}), Answer(hang=30.0),
                                    Answer(body={"choices": []})], ids=["500", "slow", "empty"])
def test_a_failing_endpoint_changes_nothing_else(tmp_path, services, store, answer, caplog):
    config = summary_config(tmp_path, timeout=0.5)
    services.plan(LLM_HOST, answer)
    save(store, article(STORY_URL, STORY_TEXT))
    save(store, article(OTHER_URL, OTHER_TEXT, title="湖北服务外包执行额增长"))
    with caplog.at_level(logging.INFO):
        assert summarise_since(config, store, T0) == 0
    if answer.hang:  # the 0.5 s timeout ended the wait, not the fake hanging up 30 s later
        assert "timed out" in caplog.text
    assert len(services.to(LLM_HOST, answered=False)) <= 2, "the first failure ends the calls of the run"
    stored = store.get_by_url(STORY_URL)
    assert stored.ai_summary == ""
    assert not note_path(config.archive_dir, stored).exists()
    assert "the extractive summary stays" in caplog.text and LLM_KEY not in caplog.text


def test_max_calls_bounds_a_crawl(tmp_path, services, store):
    config = summary_config(tmp_path, max_calls=1)
    save(store, article(STORY_URL, STORY_TEXT))
    save(store, article(OTHER_URL, OTHER_TEXT, title="湖北服务外包执行额增长"))
    assert summarise_since(config, store, T0) == 1
    assert len(services.to(LLM_HOST)) == 1
