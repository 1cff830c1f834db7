"""`topicfeed explain URL`: stored or not, in which feeds and why, or why not, for any form of the URL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from crawler.cli import main
from crawler.commands.explain import Verdict, explain
from crawler.config import parse_config
from crawler.items import Article
from crawler.outcomes import RunOutcome
from crawler.snapshot.server import SnapshotServer
from crawler.store import Store
from crawler.store.skipped import SkippedLink, SkipReason, record_skipped
from crawler.text.minhash import signature
from crawler.text.prepare import normalize
from crawler.text.strings import content_hash
from tests.configs import config_text, ifeng_config, ifeng_hb_source, paths, qutoutiao_source, topic
from tests.helpers import FAST, run_topicfeed, write_config
from tests.sites.ifeng import sample_docs

# The crawled store is made once for the module, in its data dir: the tests reading it are SQLite-only.
on_the_crawled_store = pytest.mark.sqlite_only


@pytest.fixture(scope="module")
def crawled(tmp_path_factory, sample):
    """One crawl of the ifeng sample; every test here only reads its store."""
    root = tmp_path_factory.mktemp("explain")
    config = write_config(root, ifeng_config())
    with SnapshotServer(sample.root) as server:
        run = run_topicfeed("crawl", "--config", str(config), "--mirror", server.url,
                            "--set", f"TOPICFEED_NOW={sample.recorded_at.isoformat()}", *FAST, cwd=root)
    assert run.returncode == 0, run.stderr
    return config


def explained(capsys, config, url: str, *extra: str) -> str:
    code = main(["explain", "--config", str(config), url, *extra])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert len(out.strip().splitlines()) == 1 or "--json" in extra  # one paragraph
    return out.strip()


@on_the_crawled_store
def test_a_stored_article_under_tracking_query_and_proxy_prefix(capsys, crawled, sample):
    seed = sample.ifeng.docs["seed"].url  # https://hb.ifeng.com/c/…
    given = f"https://cors.example.dev/?{seed.replace('https:', 'http:')}?utm_source=wechat#top"
    text = explained(capsys, crawled, given)
    assert f"(that is {seed}) is stored" in text
    assert "It is in 1 feed: service-outsourcing (服务外包) by 服务外包, 服博会" in text
    assert "published 2025-07-24 07:55 +08:00" in text


@on_the_crawled_store
def test_why_not_too_old_no_keyword_failed_duplicate_uncovered_unseen(capsys, crawled, sample):
    docs = sample.ifeng.docs
    too_old = explained(capsys, crawled, docs["too_old"].url)
    assert "is not stored: too old" in too_old and "dated 2025-07-06 10:00 +08:00" in too_old
    assert "older than max_age_days = 7 allows" in too_old and "from 2025-07-19 10:00 +08:00 on" in too_old
    assert "clock at 2025-07-26 10:00 +08:00 (TOPICFEED_NOW)" in too_old

    weather = explained(capsys, crawled, docs["weather"].url)
    assert "is stored" in weather and "It is in no feed: no topic keyword is in its title or text" in weather
    assert "service-outsourcing looks for 服务外包, 服博会" in weather

    broken = explained(capsys, crawled, docs["broken"].url)
    assert "is not stored: its page gave no article (not parsed:" in broken
    assert "1 attempt" in broken and "2 tries left" in broken

    copies = [explained(capsys, crawled, docs[role].url) for role in sample.ifeng.same_text_pair]
    duplicate = next(text for text in copies if "holds the same text as" in text)
    original = next(text for text in copies if text is not duplicate)
    assert "an exact duplicate, so it was not stored again" in duplicate
    assert "That article is in 1 feed: service-outsourcing" in duplicate and "It is in 1 feed" in original

    elsewhere = explained(capsys, crawled, "https://news.ifeng.com/c/8lE0KzWv3Qa")
    assert "no configured source fetches it as an article" in elsewhere and "news.ifeng.com" in elsewhere

    unseen = explained(capsys, crawled, "https://hb.ifeng.com/c/8zzNeverListed")
    assert "never seen" in unseen and "Source ifeng-hb would fetch it" in unseen


@on_the_crawled_store
def test_json_answer(capsys, crawled, sample):
    answer = json.loads(explained(capsys, crawled, sample.ifeng.docs["seed"].url + "?spm=1", "--json"))
    assert answer["verdict"] == "in_feeds" and answer["canonical_url"] == sample.ifeng.docs["seed"].url
    assert answer["feeds"] == {"service-outsourcing": ["服务外包", "服博会"]}
    assert answer["explanation"].startswith(sample.ifeng.docs["seed"].url + "?spm=1 (that is ")


@on_the_crawled_store
def test_no_store_is_one_line_and_creates_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["explain", "https://hb.ifeng.com/c/8lE1OVQRmEX"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"no store at {tmp_path / 'data'}" in err and "--config" in err
    assert not (tmp_path / "data").exists()


# --- reasons a small store shows, in-process -----------------------------------------------

NOW = datetime(2025, 7, 26, 2, 0, tzinfo=UTC)
DOCS = sample_docs(NOW)


def config_with(tmp_path, *topics: str, sources: str = ""):
    return parse_config(config_text(paths(), *topics, sources or ifeng_hb_source()), file=None,
                        base_dir=tmp_path, known_spiders=["ifeng", "qutoutiao", "web"])


def stored_article(store: Store, url: str, body: str, topics: dict[str, list[str]], *, outlet: str = "新华社"):
    item = normalize(Article(url=url, source="ifeng-hb", spider="ifeng", site_name="凤凰网湖北",
                             site_id=url.rsplit("/", 1)[-1], title="标题", body_html=body,
                             published=NOW - timedelta(days=1), outlet=outlet))
    item.topics = topics
    return store.save(item, content_hash(item.text), NOW, fingerprint=signature(item.text))


@pytest.fixture
def store(tmp_path):
    s = Store.open(f"sqlite:///{tmp_path}/s.sqlite3")
    yield s
    s.close()


def test_excluded_by_which_keyword_and_a_config_change_not_yet_applied(tmp_path, store):
    seed = DOCS["seed"]
    stored_article(store, seed.url, seed.content_html, {})
    config = config_with(tmp_path, topic(exclude=["武汉"]))
    answer = explain(config, store, seed.url)
    assert answer.verdict is Verdict.EXCLUDED
    assert "service-outsourcing (服务外包) finds 服务外包, 服博会 but excludes 武汉" in answer.text

    required = explain(config_with(tmp_path, topic(require=["视频"])), store, seed.url)
    assert "but requires 视频, which it lacks" in required.text
    assert "the next topicfeed feeds (or crawl) puts it in" not in required.text

    unapplied = explain(config_with(tmp_path, topic()), store, seed.url)
    assert "The config's topics changed since it was matched: the next topicfeed feeds (or crawl) puts it in " \
           "service-outsourcing" in unapplied.text


def test_near_duplicate_names_the_story_it_joined(tmp_path, store):
    seed = DOCS["seed"]
    stored_article(store, seed.url, seed.content_html, {"service-outsourcing": ["服务外包"]})
    copy = "https://www.example-news.cn/2025/0724/a1.html"
    body = seed.content_html.replace("（记者龚联康）", "") + "<p>另据了解，本届展会共吸引数百家企业参展。</p>"
    stored_article(store, copy, body, {"service-outsourcing": ["服务外包"]}, outlet="湖北日报")
    answer = explain(config_with(tmp_path, topic()), store, copy + "?utm_medium=feed")
    assert answer.verdict is Verdict.NEAR_DUPLICATE
    assert f"holds nearly the same text as {seed.url}" in answer.text and "joined that story" in answer.text
    assert "That article is in 1 feed: service-outsourcing" in answer.text


def test_listed_without_keyword_and_failed_without_tries_left(tmp_path, store):
    listed = "https://html2.qktoutiao.com/detail/2025/07/25/1815866021.html"
    record_skipped(store.engine, [SkippedLink(listed, "qutoutiao", SkipReason.NO_KEYWORD, NOW, None, NOW)])
    config = config_with(tmp_path, topic(), sources=qutoutiao_source())
    answer = explain(config, store, listed + "?key=abc&pv_id=1")
    assert answer.verdict is Verdict.LISTED_WITHOUT_KEYWORD
    assert "its list entry (title and introduction) holds no topic keyword (服务外包, 服博会)" in answer.text
    assert "prefilter = false" in answer.text

    gone = "https://html2.qktoutiao.com/detail/2025/07/23/1815455802.html"
    for attempt in range(3):
        store.record_failure(gone, "qutoutiao", "deleted (NoSuchKey)", NOW + timedelta(hours=attempt))
    answer = explain(config, store, gone)
    assert answer.verdict is Verdict.FAILED and answer.as_json()["tries_left"] == 0
    assert "(deleted (NoSuchKey)), 3 attempts" in answer.text and "no tries left" in answer.text


def test_a_download_that_failed_names_the_run_and_its_reason(tmp_path, store):
    listed = DOCS["weather"].url
    started = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    run_id = store.start_run("ifeng-hb", started)
    store.finish_run(run_id, started, RunOutcome.ok(), {"errors": 2},
                     ["https://hb.ifeng.com/shanklist/3-35191-/: HTTP 500", f"{listed}?from=home: timed out"])
    answer = explain(config_with(tmp_path, topic()), store, listed)
    assert answer.verdict is Verdict.FAILED
    assert "its download failed (timed out) in the run of source ifeng-hb started" in answer.text
    assert "tried again by the next crawl that lists it" in answer.text
