"""The store's per-link lookups, its schema upgrade, and the reads behind the feeds.

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

from crawler.config import Config, FeedsConfig, Topic
from crawler.items import Article
from crawler.store import SCHEMA_VERSION, Store
from crawler.store import schema as store_module
from crawler.store.known import FetchDecision, KnownArticles, RevisitPolicy
from feeds.build import build_feeds
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


def test_an_unchanged_refetch_is_recorded_at_once_and_a_changed_one_is_not_unchanged(store):
    first = store.save(make_article(1), "sha-1", T0).article_id
    assert store.save(make_article(2), "sha-1", T0).article_id == first  # a2 has a1's text: an alias
    later = T0 + timedelta(hours=3)
    again = make_article(1)
    again.etag = '"v2"'
    result = store.save(again, "sha-1", later)
    assert (result.outcome.value, result.article_id) == ("unchanged", first)
    other = sa.create_engine(store.engine.url)  # another process's view: committed already
    try:
        with other.connect() as conn:
            fetched, etag = conn.execute(sa.select(store_module.articles.c.fetched, store_module.articles.c.etag)
                                         .where(store_module.articles.c.id == first)).one()
    finally:
        other.dispose()
    assert (etag, fetched.replace(tzinfo=UTC) if fetched.tzinfo is None else fetched) == ('"v2"', later)
    # the alias's page, fetched again, touches the article it is an alias of
    assert store.save(make_article(2), "sha-other", later).outcome.value == "unchanged"
    changed = make_article(1, text="改过的正文。")
    assert store.save(changed, "sha-changed", later).outcome.value == "updated"
    assert store.get(first).text == "改过的正文。"


def test_lookups_leave_no_transaction_open(store):
    save(store, make_article(1))
    save(store, make_article(1), T0 + timedelta(hours=1))  # unchanged: one statement, committed
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


# --- schema upgrade -------------------------------------------------------------------------


def create_version_1_store(url: str, rows_from: Store) -> None:
    """The schema of topicfeed before version 2 (matches without published), holding the rows
    ``rows_from`` holds."""
    v1 = sa.MetaData()
    for table in store_module.metadata.sorted_tables:
        if table.name != "matches":
            table.to_metadata(v1)
    v1_matches = sa.Table(
        "matches", v1,
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), primary_key=True),
        sa.Column("topic", sa.Text, primary_key=True),
        sa.Column("keywords", sa.JSON, nullable=False),
        sa.Index("ix_matches_topic", "topic"),
    )
    engine = sa.create_engine(url)
    with rows_from.engine.connect() as source, engine.begin() as target:
        v1.create_all(target)
        target.execute(v1.tables["schema_version"].insert().values(version=1))
        for name in ("articles", "article_urls"):
            table = store_module.metadata.tables[name]
            rows = [dict(r._mapping) for r in source.execute(sa.select(table))]
            if rows:
                target.execute(v1.tables[name].insert(), rows)
        m = store_module.matches.c
        rows = [dict(r._mapping)
                for r in source.execute(sa.select(m.article_id, m.topic, m.keywords))]
        if rows:
            target.execute(v1_matches.insert(), rows)
        if engine.dialect.name == "postgresql":  # ids were copied: move the sequence past them
            target.exec_driver_sql("SELECT setval(pg_get_serial_sequence('articles', 'id'),"
                                   " (SELECT max(id) FROM articles))")
    engine.dispose()


def feed_files(store: Store, data_dir: Path) -> dict[str, bytes]:
    topics = (Topic("so", "服务外包", ("服务外包",)), Topic("ex", "博览会", ("博览会",)))
    config = Config(path=None, data_dir=data_dir, feeds=FeedsConfig(max_entries=3), topics=topics)
    build_feeds(config, store)
    return {str(p.relative_to(config.feeds_dir)): p.read_bytes()
            for p in sorted(config.feeds_dir.rglob("*")) if p.is_file()}


def test_a_version_1_store_is_upgraded_and_gives_the_same_feeds(tmp_path, url):
    fresh = Store.open(f"sqlite:///{tmp_path}/fresh.sqlite3")
    for n in (3, 1, 4, 5, 2):
        save(fresh, make_article(n, "so" if n % 2 else "ex"))
    create_version_1_store(url, rows_from=fresh)

    upgraded = Store.open(url)
    with upgraded.engine.connect() as conn:
        version = conn.execute(sa.select(store_module.schema_version.c.version)).scalar()
    assert version == SCHEMA_VERSION
    assert feed_files(upgraded, tmp_path / "upgraded") == feed_files(fresh, tmp_path / "fresh")
    assert ([a.id for a in upgraded.topic_articles("so")]
            == [a.id for a in fresh.topic_articles("so")])

    # Articles saved after the upgrade take their place in the topic by publication time.
    save(upgraded, make_article(6, "so", published=T0 + timedelta(hours=4, minutes=30)))
    assert [a.site_id for a in upgraded.topic_articles("so", limit=3)] == ["a5", "a6", "a3"]
    upgraded.close()
    fresh.close()


def test_processes_opening_a_version_1_store_at_once_upgrade_it_once(tmp_path, url):
    fresh = Store.open(f"sqlite:///{tmp_path}/fresh.sqlite3")
    save(fresh, make_article(1))
    create_version_1_store(url, rows_from=fresh)
    opener = f"from crawler.store.database import Store; Store.open({url!r}).close()"
    procs = [subprocess.Popen([sys.executable, "-c", opener], cwd=REPO) for _ in range(3)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0]
    store = Store.open(url)
    assert [a.site_id for a in store.topic_articles("so")] == ["a1"]
    store.close()
    fresh.close()


def test_topic_order_follows_a_changed_publication_time(store):
    for n in (1, 2, 3):
        save(store, make_article(n))
    assert [a.site_id for a in store.topic_articles("so")] == ["a3", "a2", "a1"]
    with store.engine.begin() as conn:  # no code path does this today; the copy must follow anyway
        conn.execute(store_module.articles.update().where(store_module.articles.c.site_id == "a1")
                     .values(published=T0 + timedelta(days=1)))
    assert [a.site_id for a in store.topic_articles("so")] == ["a1", "a3", "a2"]


def test_a_new_store_and_an_upgraded_one_have_the_same_matches_columns(tmp_path, store):
    fresh = Store.open(f"sqlite:///{tmp_path}/fresh.sqlite3")
    old_url = f"sqlite:///{tmp_path}/old.sqlite3"
    create_version_1_store(old_url, rows_from=fresh)
    upgraded = Store.open(old_url)
    for s in (store, upgraded):
        columns = {c["name"]: (type(c["type"]).__name__, c["nullable"])
                   for c in sa.inspect(s.engine).get_columns("matches")}
        indexes = {i["name"]: i["column_names"]
                   for i in sa.inspect(s.engine).get_indexes("matches")}
        assert "published" in columns
        assert indexes["ix_matches_topic_published"] == ["topic", "published", "article_id"]
        assert "ix_matches_topic" not in indexes
    fresh.close()
    upgraded.close()


# --- feeds' reads ---------------------------------------------------------------------------


def test_feed_articles_are_topic_articles_without_text(store):
    for n in (1, 2, 3):
        save(store, make_article(n))
    alias = make_article(9)
    alias.text = make_article(2).text
    store.save(alias, f"sha-{make_article(2).canonical_url}-{make_article(2).text}", T0)
    full = store.topic_articles("so", limit=2)
    light = store.feed_articles("so", limit=2)
    assert [a.id for a in light] == [a.id for a in full]
    for f, a in zip(full, light, strict=True):
        for name in ("version", "canonical_url", "url", "title", "published", "updated",
                     "body_html", "images", "topics", "aliases", "reported_by", "summary",
                     "outlet", "site_name"):
            assert getattr(a, name) == getattr(f, name), name
    assert light[1].aliases == ["https://hb.ifeng.com/c/a9"]
    assert not hasattr(light[0], "text")
