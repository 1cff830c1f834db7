"""The store's per-link lookups.

These run on PostgreSQL too when the suite does (TOPICFEED_TEST_STORE=postgres).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from crawler.items import Article
from crawler.known import FetchDecision, KnownArticles, RevisitPolicy
from crawler.store import Store
from tests.helpers import store_url

T0 = datetime(2025, 7, 24, 7, 55, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[1]


def make_article(n: int, topic: str = "so", *, text: str = "",
                 published: datetime | None = None) -> Article:
    url = f"https://hb.ifeng.com/c/a{n}"
    article = Article(url=url, source="ifeng-hb", spider="ifeng", site_name="凤凰网湖北",
                      site_id=f"a{n}", title=f"标题{n}", body_html=f"<p>{text or n}</p>",
                      published=published or T0 + timedelta(hours=n))
    article.canonical_url = url
    article.text = text or f"第{n}篇正文。"
    article.topics = {topic: ["服务外包"]}
    return article


@pytest.fixture
def url(tmp_path):
    return store_url(tmp_path)


@pytest.fixture
def store(url):
    s = Store.open(url)
    yield s
    s.close()


def save(store: Store, article: Article, now: datetime = T0) -> int:
    return store.save(article, f"sha-{article.canonical_url}-{article.text}", now).article_id


# --- lookups --------------------------------------------------------------------------------


def test_one_url_lookup_answers_like_the_batched_one(store):
    save(store, make_article(1))
    alias = make_article(2)
    alias.text = make_article(1).text
    store.save(alias, f"sha-{make_article(1).canonical_url}-{make_article(1).text}", T0)  # an alias
    urls = ["https://hb.ifeng.com/c/a1", "https://hb.ifeng.com/c/a2", "https://nowhere.example/x"]
    batched = store.fetch_states(urls)
    assert set(batched) == set(urls[:2])
    for u in urls:
        assert store.fetch_states([u]) == {k: v for k, v in batched.items() if k == u}
    assert batched[urls[0]].published == T0 + timedelta(hours=1)
    assert batched[urls[0]].published.tzinfo is UTC


def test_url_status_has_the_fetch_state_or_the_failure(store):
    failed = "https://hb.ifeng.com/c/a5"
    assert store.record_failure(failed, "ifeng-hb", "cut page", T0) == 1
    assert store.record_failure(failed, "ifeng-hb", "cut page", T0 + timedelta(hours=1)) == 2
    status = store.url_status(failed)
    assert status.state is None
    assert (status.failure.reason, status.failure.attempts) == ("cut page", 2)
    assert status.failure.last_attempt == T0 + timedelta(hours=1)
    assert store.failure(failed) == status.failure

    save(store, make_article(5))  # the page parses at last: the failure is forgotten
    status = store.url_status(failed)
    assert status.failure is None and store.failure(failed) is None
    assert status.state == store.fetch_states([failed])[failed]
    assert store.url_status("https://nowhere.example/x") == type(status)(None, None)


def test_decide_fetches_new_retries_failures_and_skips_known(store):
    policy = RevisitPolicy(max_age=timedelta(days=7), revisit_after=timedelta(hours=6))
    known = KnownArticles(store, policy, reference_now=datetime.now(UTC))
    save(store, make_article(1, published=datetime.now(UTC) - timedelta(days=30)))
    yesterday = datetime.now(UTC) - timedelta(days=1)
    for _ in range(3):
        store.record_failure("https://hb.ifeng.com/c/a9", "ifeng-hb", "cut", yesterday)

    assert known.decide("https://hb.ifeng.com/c/new")[0] is FetchDecision.FETCH
    decision, state = known.decide("https://hb.ifeng.com/c/a1?utm_source=x")
    assert decision is FetchDecision.SKIP and state is not None
    assert known.decide("https://hb.ifeng.com/c/a9") == (FetchDecision.SKIP, None)


def test_a_lookup_sees_what_another_process_saved_since(store, url):
    target = "https://hb.ifeng.com/c/a7"
    assert store.fetch_states([target]) == {} and store.url_status(target).state is None
    writer = textwrap.dedent(f"""
        from tests.test_store_reads import make_article, save
        from crawler.store import Store
        s = Store.open({url!r})
        save(s, make_article(7))
        s.close()
    """)
    subprocess.run([sys.executable, "-c", writer], cwd=REPO, check=True)
    assert list(store.fetch_states([target])) == [target]
    assert store.url_status(target).state is not None


def test_lookups_leave_no_transaction_open(store):
    save(store, make_article(1))
    store.fetch_states(["https://hb.ifeng.com/c/a1"])
    store.url_status("https://hb.ifeng.com/c/a2")
    store.failure("https://hb.ifeng.com/c/a3")
    other = sa.create_engine(store.engine.url)
    try:
        with other.connect() as conn:
            if other.dialect.name == "sqlite":
                # busy = 0: no reader pins an old snapshot, so the whole log can be checkpointed
                busy, _, _ = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
                assert busy == 0
            else:
                conn.exec_driver_sql("SET lock_timeout = '2s'")
                conn.exec_driver_sql("LOCK TABLE articles, article_urls, page_failures "
                                     "IN ACCESS EXCLUSIVE MODE")
                conn.rollback()
    finally:
        other.dispose()


@pytest.mark.sqlite_only
def test_closing_the_store_closes_the_lookup_connections(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path}/store.sqlite3")
    save(store, make_article(1))
    reader = threading.Thread(target=store.fetch_states, args=(["https://hb.ifeng.com/c/a1"],))
    reader.start()
    reader.join()
    store.fetch_states(["https://hb.ifeng.com/c/a1"])
    store.close()
    # SQLite removes the log when the last connection closes
    assert not (tmp_path / "store.sqlite3-wal").exists()
