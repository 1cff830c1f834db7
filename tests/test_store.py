from datetime import UTC, datetime, timedelta

import pytest

from crawler.items import Article
from crawler.outcomes import RunOutcome
from crawler.store import SaveOutcome, Store, StoreError

T0 = datetime(2025, 7, 24, 7, 55, tzinfo=UTC)


def make_article(url="https://hb.ifeng.com/c/8lE1OVQRmEX", text="服务外包博览会在武汉举行。", **kw):
    article = Article(url=url, source="ifeng-hb", spider="ifeng", site_name="凤凰网湖北",
                      site_id=url.rsplit("/", 1)[-1], title="标题", body_html=f"<p>{text}</p>",
                      published=T0, **kw)
    article.canonical_url = url
    article.text = text
    article.topics = {"service-outsourcing": ["服务外包"]}
    return article


@pytest.fixture
def store(tmp_path):
    s = Store.open(f"sqlite:///{tmp_path}/store.sqlite3")
    yield s
    s.close()


def test_same_url_same_text_is_unchanged(store):
    assert store.save(make_article(), "h1", T0).outcome is SaveOutcome.NEW
    assert store.save(make_article(), "h1", T0 + timedelta(hours=1)).outcome is SaveOutcome.UNCHANGED
    assert len(store.all_articles()) == 1


def test_changed_text_updates_and_keeps_published(store):
    store.save(make_article(), "h1", T0 + timedelta(hours=1))
    later = T0 + timedelta(days=1)
    result = store.save(make_article(text="改过的正文。"), "h2", later)
    assert result.outcome is SaveOutcome.UPDATED
    stored = store.get(result.article_id)
    assert stored.text == "改过的正文。" and stored.published == T0 and stored.updated == later
    assert stored.revision == 2


def test_same_text_under_other_url_becomes_alias(store):
    first = store.save(make_article(), "h1", T0)
    other = make_article(url="https://hn.ifeng.com/c/9xYz")
    result = store.save(other, "h1", T0)
    assert result == type(result)(SaveOutcome.ALIAS, first.article_id)
    assert store.get(first.article_id).aliases == ["https://hn.ifeng.com/c/9xYz"]
    assert store.get_by_url("https://hn.ifeng.com/c/9xYz").id == first.article_id


def test_topic_articles_newest_first_and_fetch_states(store):
    store.save(make_article(), "h1", T0)
    newer = make_article(url="https://hb.ifeng.com/c/newer")
    newer.published = T0 + timedelta(hours=2)
    store.save(newer, "h2", T0)
    assert [a.site_id for a in store.topic_articles("service-outsourcing")] == ["newer", "8lE1OVQRmEX"]
    states = store.fetch_states(["https://hb.ifeng.com/c/newer", "https://nowhere/x"])
    assert list(states) == ["https://hb.ifeng.com/c/newer"]


def test_runs_are_recorded(store):
    run = store.start_run("ifeng-hb", T0)
    store.finish_run(run, T0 + timedelta(minutes=1), RunOutcome.ok(), {"pages": 3}, ["HTTP 500: x"])
    last = store.last_runs()["ifeng-hb"]
    assert last.outcome == RunOutcome.ok() and last.stats == {"pages": 3} and last.errors == ["HTTP 500: x"]


def test_wal_mode_and_integrity(store, tmp_path):
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert store.integrity_ok()


def test_not_a_store_is_a_clear_error(tmp_path):
    bogus = tmp_path / "bogus.sqlite3"
    bogus.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not a usable topicfeed store"):
        Store.open(f"sqlite:///{bogus}")


def test_two_writers_saving_near_duplicates_at_once_make_one_story(tmp_path, monkeypatch):
    """Each source's item worker saves on its own connection: the near-duplicate lookup of one
    must see what the other stored, however their saves interleave."""
    import contextlib
    import threading

    from crawler.store import neardup
    from crawler.text.minhash import signature
    from crawler.text.strings import content_hash

    url = f"sqlite:///{tmp_path}/store.sqlite3"
    stores = [Store.open(url), Store.open(url)]
    story = ("第二十届中国国际服务外包博览会在武汉开幕，来自全球的三百余家企业参展，"
             "展会期间将举办多场数字贸易与服务外包高峰论坛，发布年度产业发展报告。")
    texts = [story + "记者王敏报道。", story + "记者刘洋报道。"]
    both_looking = threading.Barrier(2, timeout=2)
    find = neardup.NearCheck.find

    def find_together(self, conn):
        # without the write lock held, both writers would be here at once, each seeing no story
        with contextlib.suppress(threading.BrokenBarrierError):
            both_looking.wait()
        return find(self, conn)

    monkeypatch.setattr(neardup.NearCheck, "find", find_together)
    outcomes = []

    def save(n: int) -> None:
        article = make_article(url=f"https://hb.ifeng.com/c/8near{n}", text=texts[n])
        outcomes.append(stores[n].save(article, content_hash(texts[n]), T0, fingerprint=signature(texts[n])).outcome)

    writers = [threading.Thread(target=save, args=(n,)) for n in range(2)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    for opened in stores:
        opened.close()
    assert sorted(outcome.value for outcome in outcomes) == sorted(
        [SaveOutcome.NEW.value, SaveOutcome.NEAR_DUPLICATE.value]), "one story, the other joined it"
