"""Topics follow the config (DESIGN §6): stored articles are matched again when the topics change."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

import feedparser

from crawler.config import Topic
from crawler.items import Article
from crawler.store import Store
from crawler.store.topicsync import follow_topics, prune_unmatched
from crawler.text.strings import content_hash, fold
from crawler.text.topics import only_narrows, topic_definition
from tests.configs import config_text, feeds, ifeng_hb_source, paths, topic
from tests.helpers import read_notes, store_url

HEAT = topic("heat", "高温天气", ["高温"])
EXPO = topic("expo-video", "博览会视频", ["博览会"], require=["视频"])


def configure(ws, *topics: str) -> None:
    ws.config.write_text(config_text(paths(), feeds(max_entries=50), *topics,
                                     ifeng_hb_source(schedule="*/30 * * * *")), encoding="utf-8")


def entries(ws, slug: str) -> dict[str, feedparser.FeedParserDict]:
    return {entry.id: entry for entry in feedparser.parse((ws.data / "feeds" / f"{slug}.atom").read_bytes()).entries}


def note_topics(ws, url: str) -> list[str]:
    return read_notes(ws.data / "archive")[url][0]["topics"]


def test_a_new_topic_finds_stored_articles_and_a_removed_one_leaves(ifeng_workspace, sample):
    ws, weather, traffic = ifeng_workspace, sample.ifeng.docs["weather"], sample.ifeng.docs["traffic"]
    first = ws.crawl()
    assert first.returncode == 0, first.stderr
    assert weather.url not in read_notes(ws.data / "archive"), "stored unmatched: no note"

    configure(ws, topic(), EXPO, HEAT)
    assert ws.run("feeds").returncode == 0
    heat = entries(ws, "heat")
    assert list(heat) == [weather.url, traffic.url], "both texts mention 高温; newest first"
    assert datetime.fromisoformat(heat[weather.url].published) == weather.published
    assert note_topics(ws, weather.url) == ["heat"]
    assert "heat.atom" in (ws.data / "feeds" / "index.opml").read_text(encoding="utf-8")

    configure(ws, topic(), EXPO)
    ws.server.requests.clear()
    again = ws.crawl()  # a crawl re-matches too, and fetches no article page for it
    assert again.returncode == 0, again.stderr
    assert not any(weather.doc_id in r for r in ws.server.requests)
    assert note_topics(ws, weather.url) == []
    opml = (ws.data / "feeds" / "index.opml").read_text(encoding="utf-8")
    index = (ws.data / "feeds" / "index.html").read_text(encoding="utf-8")
    assert "heat.atom" not in opml and "heat.atom" not in index
    assert list(entries(ws, "heat")) == [weather.url, traffic.url], "the removed topic's feed is kept as it was"


def test_a_new_exclude_removes_articles_from_feed_and_note(ifeng_workspace, sample):
    ws, seed = ifeng_workspace, sample.ifeng.docs["seed"]
    assert ws.crawl().returncode == 0
    assert seed.url in entries(ws, "service-outsourcing")
    assert note_topics(ws, seed.url)

    configure(ws, topic(exclude=["数智技术"]), EXPO)
    assert ws.run("feeds").returncode == 0
    remaining = entries(ws, "service-outsourcing")
    assert seed.url not in remaining and remaining
    assert "service-outsourcing" not in note_topics(ws, seed.url)


# --- in the store ---------------------------------------------------------------------------

NOW = datetime(2025, 7, 26, 2, 0, tzinfo=UTC)


def article(n: int, title: str, text: str, *, days_old: float = 1, source: str = "ifeng-hb") -> Article:
    item = Article(url=f"https://hb.ifeng.com/c/t{n}", source=source, spider="ifeng", site_name="凤凰网湖北",
                   site_id=f"t{n}", title=title, body_html=f"<p>{text}</p>", published=NOW - timedelta(days=days_old))
    item.canonical_url = item.url
    item.text = text
    return item


def stored(store: Store, topics: list[Topic], *items: Article) -> None:
    from crawler.text.topics import TopicMatcher

    matcher = TopicMatcher(topics)
    for item in items:
        item.topics = matcher.match(item.title, item.text)
        store.save(item, content_hash(item.text), NOW)


def test_only_changed_topics_are_matched_again_and_narrowing_reads_only_their_articles(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    outsourcing = Topic("service-outsourcing", "服务外包", ("服务外包",))
    stored(store, [outsourcing],
           article(1, "服务外包产业园签约", "服务外包企业签约二十三个项目。"),
           article(2, "高温天气持续", "湖北今明两天持续高温，局地最高气温超40℃。"),
           article(3, "服务外包人才培训", "服务外包人才培训基地揭牌，首批学员来自高校。"))
    first = follow_topics(store, [outsourcing])  # a store without definitions: matched once
    assert first.changed_topics == ("service-outsourcing",) and first.gained == first.lost == 0
    assert follow_topics(store, [outsourcing]).nothing

    heat = Topic("heat", "高温", ("高温",))
    added = follow_topics(store, [outsourcing, heat])
    assert added.changed_topics == ("heat",) and added.gained == 1
    assert added.scanned == 1, "the database reads only the texts holding 温"
    assert store.get_by_url("https://hb.ifeng.com/c/t2").summary, "a first match gets its summary"

    narrowed = Topic("service-outsourcing", "服务外包", ("服务外包",), exclude=("人才",))
    result = follow_topics(store, [narrowed, heat])
    assert result.scanned == 2, "only the topic's own articles are read"
    assert result.lost == 1
    assert set(store.get_by_url("https://hb.ifeng.com/c/t3").topics) == set()

    removed = follow_topics(store, [narrowed])
    assert removed.removed_topics == ("heat",) and removed.scanned == 0 and removed.lost == 1
    assert store.topic_articles("heat") == []
    store.close()


def test_narrowing_is_fewer_keywords_or_more_required_or_excluded():
    base = topic_definition(Topic("t", "t", ("服务外包", "服博会")))
    assert only_narrows(base, topic_definition(Topic("t", "t", ("服务外包",))))
    assert only_narrows(base, topic_definition(Topic("t", "t", ("服务外包", "服博会"), exclude=("广告",))))
    assert only_narrows(base, topic_definition(Topic("t", "t", ("服务外包", "服博会"), require=("湖北",))))
    assert not only_narrows(base, topic_definition(Topic("t", "t", ("服务外包", "外包"))))
    with_exclude = topic_definition(Topic("t", "t", ("服务外包",), exclude=("广告",)))
    assert not only_narrows(with_exclude, topic_definition(Topic("t", "t", ("服务外包",))))


def test_unmatched_articles_are_kept_for_max_age_then_pruned(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    outsourcing = Topic("service-outsourcing", "服务外包", ("服务外包",))
    stored(store, [outsourcing],
           article(1, "服务外包产业园签约", "服务外包企业签约二十三个项目。", days_old=30),
           article(2, "高温天气持续", "湖北今明两天持续高温。", days_old=30),
           article(3, "地铁贯通在即", "武汉地铁12号线全线贯通在即。", days_old=2),
           article(4, "高温预警", "河南发布高温预警。", days_old=30, source="other"))
    assert prune_unmatched(store, "ifeng-hb", NOW - timedelta(days=7)) == 1
    assert store.get_by_url("https://hb.ifeng.com/c/t2") is None
    kept = {a.canonical_url for a in store.all_articles()}
    assert kept == {f"https://hb.ifeng.com/c/t{n}" for n in (1, 3, 4)}
    store.close()


def test_the_definitions_live_in_the_store(ifeng_workspace):
    ws = ifeng_workspace
    Store.open(store_url(ws.data)).close()  # `feeds` reads an existing store only
    assert ws.run("feeds").returncode == 0
    store = Store.open(store_url(ws.data))
    try:
        assert follow_topics(store, [Topic("service-outsourcing", "服务外包", ("服务外包", "服博会")),
                                     Topic("expo-video", "博览会视频", ("博览会",), require=("视频",))]).nothing
    finally:
        store.close()


def test_literals_never_drop_a_match():
    from crawler.text.literal import HANGUL_SYLLABLES, SCANNED, literal_run

    scanned = [range(low, high) for low, high in SCANNED]
    for code in range(0x110000):
        if 0xD800 <= code < 0xE000 or code in HANGUL_SYLLABLES or any(code in r for r in scanned):
            continue
        char = chr(code)
        assert fold(char) == char and not unicodedata.decomposition(char), f"U+{code:04X} folds: scan it"
    assert literal_run(fold("服务外包")) == "服务外"
    assert literal_run(fold("AI")) == "", "full-width and upper-case forms fold into it"
    assert "平" not in literal_run(fold("平成")), "㍻ folds into 平成"


def test_full_width_and_case_variants_are_found_by_a_new_topic(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    stored(store, [], article(1, "国产ＡＩ芯片发布", "研究团队发布新一代芯片。"),
           article(2, "芯片展会开幕", "展会上的国产芯片。"))
    chips = Topic("ai-chips", "AI芯片", ("ai芯片",))
    result = follow_topics(store, [chips])
    assert result.gained == 1
    assert [a.canonical_url for a in store.topic_articles("ai-chips")] == ["https://hb.ifeng.com/c/t1"]
    store.close()
