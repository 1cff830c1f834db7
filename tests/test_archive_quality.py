"""Archive quality: near-duplicates cluster, revisions are kept, summary and tags are stable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from crawler.archive.note import render_note
from crawler.config import Topic
from crawler.items import Article
from crawler.store import SaveOutcome, Store
from crawler.store.schema import near_bands
from crawler.text.minhash import band_keys, signature
from crawler.text.prepare import normalize
from crawler.text.strings import content_hash
from feeds.build import feed_entry, topic_feed
from tests.sites import RECORDED_AT
from tests.sites.ifeng import sample_docs

T0 = datetime(2025, 7, 24, 7, 55, tzinfo=UTC)
DOCS = sample_docs(RECORDED_AT)
EXTRA = "<p>另据了解，本届展会共吸引数百家企业参展，观众人数创历史新高。</p><p>（通讯员 李明 王芳）</p>"


@pytest.fixture
def store(tmp_path):
    s = Store.open(f"sqlite:///{tmp_path}/s.sqlite3")
    yield s
    s.close()


def article(url: str, body: str, outlet: str = "新华社", title: str = "标题") -> Article:
    item = Article(url=url, source="ifeng-hb", spider="ifeng", site_name="凤凰网湖北",
                   site_id=url.rsplit("/", 1)[-1], title=title, body_html=body, published=T0, outlet=outlet)
    item = normalize(item)
    item.topics = {"so": ["服务外包"]}
    return item


def save(store: Store, item: Article, now: datetime = T0):
    return store.save(item, content_hash(item.text), now, fingerprint=signature(item.text), near_similarity=0.8)


def test_near_duplicate_joins_the_first_articles_cluster(store):
    seed = DOCS["seed"]
    first = save(store, article(seed.url, seed.content_html))
    copy_body = seed.content_html.replace("（记者龚联康）", "") + EXTRA
    second = save(store, article("https://www.example-news.cn/2025/0724/a1.html", copy_body, outlet="湖北日报"))
    assert first.outcome is SaveOutcome.NEW
    assert second == type(second)(SaveOutcome.NEAR_DUPLICATE, first.article_id)
    head = store.get(first.article_id)
    assert head.reported_by == [("湖北日报", "https://www.example-news.cn/2025/0724/a1.html")]
    assert "- **同时报道**: 湖北日报 https://www.example-news.cn/2025/0724/a1.html" in render_note(head)
    feed = topic_feed(store, Topic("so", "服务外包", ("服务外包",)), 50)
    assert len(feed.entries) == 1
    assert ("湖北日报", "https://www.example-news.cn/2025/0724/a1.html") in feed.entries[0].also_reported_by


def test_different_stories_on_one_topic_stay_apart(store):
    roles = ("seed", "lazyload", "video", "deep", "search_only", "brace_trap")
    outcomes = [save(store, article(DOCS[r].url, DOCS[r].content_html)).outcome for r in roles]
    assert outcomes == [SaveOutcome.NEW] * len(roles)


def test_lookup_uses_the_band_index_not_a_scan(store):
    save(store, article(DOCS["seed"].url, DOCS["seed"].content_html))
    keys = band_keys(signature("任意文本"))
    query = sa.select(near_bands.c.article_id).where(near_bands.c.band_key.in_(keys))
    with store.engine.connect() as conn:
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + str(query.compile(compile_kwargs={"literal_binds": True}))))
    assert "SEARCH" in plan and "SCAN" not in plan, plan


def test_a_changed_article_keeps_its_previous_version(store):
    seed = DOCS["seed"]
    first = save(store, article(seed.url, seed.content_html))
    entry_before = feed_entry(store.get(first.article_id), "so")
    corrected = seed.content_html.replace("22197亿元", "22198亿元")
    later = T0 + timedelta(days=2)
    assert save(store, article(seed.url, corrected), later).outcome is SaveOutcome.UPDATED
    current = store.get(first.article_id)
    assert current.published == T0 and current.updated == later and current.revision == 2
    assert [r.revision for r in current.revisions] == [1]
    assert "22197亿元" in current.revisions[0].text and "22198亿元" in current.text
    note = render_note(current)
    assert "## 修订记录" in note and "### 第1版：" in note and "> " in note.split("## 修订记录")[1]
    assert "22197亿元" in note.split("## 修订记录")[1]
    entry_after = feed_entry(current, "so")
    assert entry_after.updated == later and entry_after.published == entry_before.published
    before = (entry_before.title, entry_before.id, entry_before.url)
    assert (entry_after.title, entry_after.id, entry_after.url) == before


SUMMARY_AND_TAGS = """
import json, sys
from crawler.text.htmlclean import html_to_text
from crawler.text.keywords import keywords
from tests.sites import RECORDED_AT
from tests.sites.ifeng import sample_docs
from crawler.text.summary import summarize
from crawler.text.minhash import signature
texts = [html_to_text(d.content_html) for d in sample_docs(RECORDED_AT).values()]
print(json.dumps([[summarize(t), keywords(t), signature(t).hex()] for t in texts], ensure_ascii=False))
"""


def test_summary_tags_and_fingerprints_are_identical_across_runs():
    outputs = []
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", SUMMARY_AND_TAGS], capture_output=True, text=True,
                              check=True, env={**os.environ, "PYTHONHASHSEED": seed})
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1]
    for summary, tags, _ in outputs[0]:
        assert len(summary) <= 200 and tags
