"""The store at scale: N synthetic articles (default 1,000,000), dedupe lookups, 50 feed rebuilds.

Phases, each timed:

1. insert: the first ``--api-sample`` articles through ``Store.save()``, exactly as
   StorePipeline calls it (content hash, MinHash fingerprint for matched articles, one
   transaction each); that is the API's insert rate. ``Store.save()`` is the only write API,
   and at that rate a million would take far longer than a benchmark should, so the rest
   is bulk-filled with executemany() on crawler.store.database's own tables (the same rows save()
   writes: articles, canonical article_urls, matches, near_bands). ``--insert api`` uses
   save() for all of them.
2. dedupe lookups on the full store: ``Store.fetch_states`` one URL at a time (as
   KnownArticleMiddleware asks) and 20 at a time (a list page), ``KnownArticles.decide``,
   the content-hash lookup StorePipeline's save() makes, and save() of an unchanged article,
   each as a share of raw sqlite3 lookups; then the near-duplicate query.
3. feeds: ``feeds.build.build_feeds`` for 50 topics, max_entries 50, cold then warm.
4. rematch: ``crawler.store.topicsync.follow_topics`` when a topic is added (every stored
   article's title and text matched again), narrowed (an exclude added: its own articles
   only), removed, and when nothing changed (run last: it bumps a few articles' versions).

Articles are short (~300 bytes of text) so a million fit in ~1.5 GB, except the newest
matched ones, which fill the feeds: those have ~20 KB bodies like real ifeng pages.
Targets (issue 19), against plain sqlite3 primary-key lookups of the same URLs in the same
file, measured alternately in the same run: one-URL ``fetch_states`` and ``decide`` ≥ 0.5× that
rate, an unchanged ``save`` ≥ 0.1×; a near-duplicate query ≤ 1 ms; 50 feeds cold in ≤ 1 s; peak
RSS ≤ 300 MB.

    python -m bench.scale [--articles 1000000] [--reuse] [--rounds 5] [--phase lookups]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.pool import AsyncResult
from pathlib import Path

import sqlalchemy as sa

from bench.common import REPO, median, print_machine, verdict
from bench.site import DEFAULT_ROOT
from bench.text import paragraphs_text
from crawler.config import Config, FeedsConfig, Topic
from crawler.items import Article, Image
from crawler.store import Store, statements
from crawler.store import schema as store_module
from crawler.store.known import KnownArticles, RevisitPolicy
from crawler.store.neardup import NearCheck
from crawler.text.minhash import band_keys, signature
from crawler.text.strings import content_hash
from feeds.build import build_feeds
from tests.sites.ifeng import paragraphs

TOPICS = 50
MATCH_EVERY = 10  # every 10th article matches one topic
FEED_ENTRIES = 50
BIG_TEXT_BYTES = 20_000
NOW = datetime(2025, 7, 26, 2, 0, tzinfo=UTC)
BATCH = 5_000
# Lookups as shares of plain sqlite3's primary-key lookup rate on the same file (issue 19):
# machines differ 3× in absolute rates, the share shows the store's own overhead.
TARGET_ONE_URL_SHARE = 0.5
TARGET_SAVE_SHARE = 0.1
TARGET_NEAR_MS = 1.0
TARGET_FEEDS_SECONDS = 1.0
TARGET_RSS_MB = 300

_PLACES = ("武汉", "宜昌", "襄阳", "荆州", "郑州", "洛阳", "开封", "南阳", "信阳", "十堰")
_WHAT = (
    "城市更新",
    "乡村振兴",
    "营商环境",
    "智慧交通",
    "生态保护",
    "文化旅游",
    "医疗服务",
    "养老托育",
    "就业创业",
    "数字经济",
    "先进制造",
    "现代物流",
)
_DONE = (
    "召开专题会议",
    "发布实施方案",
    "启动试点工作",
    "开展集中整治",
    "举办主题活动",
    "完成升级改造",
)


def topic_slug(n: int) -> str:
    return f"topic-{n:02d}"


def short_text(i: int) -> str:
    """~300 bytes, unique (the number), varied enough that MinHash sees different stories."""
    rng = random.Random(i)
    parts = [
        f"{rng.choice(_PLACES)}{rng.choice(_WHAT)}{rng.choice(_DONE)}，第{i}号通报显示"
        f"相关指标同比增长{rng.uniform(1, 40):.1f}%。"
        for _ in range(3)
    ]
    return "".join(parts)


def make_article(i: int, articles: int) -> Article:
    """Article ``i`` of the synthetic store; 0 is the newest."""
    matched = i % MATCH_EVERY == 0
    topic = topic_slug((i // MATCH_EVERY) % TOPICS)
    in_feeds = matched and i < TOPICS * FEED_ENTRIES * MATCH_EVERY
    if in_feeds:
        texts = paragraphs_text(random.Random(i), BIG_TEXT_BYTES, on_topic=False)
        texts[0] = f"第{i}号。" + texts[0]
    else:
        texts = [short_text(i)]
    url = f"https://hb.ifeng.com/c/sc{i:09d}"
    article = Article(
        url=url,
        source="ifeng-bench",
        spider="ifeng",
        site_name="凤凰网湖北",
        site_id=f"sc{i:09d}",
        title=f"{texts[0][:24]}",
        body_html=paragraphs(*texts),
        published=NOW - timedelta(days=365) * i / articles,
        outlet="湖北日报",
        editor="王敏",
        images=[Image(f"https://x0.ifengimg.com/bench/{i}.jpg", 640, 360)],
        keywords=["本地新闻"],
        categories=["湖北", "资讯"],
    )
    article.canonical_url = url
    article.text = "\n".join(texts)
    article.summary = article.text[:100]
    article.cover = article.images[0].url
    article.topics = {topic: ["关键词"]} if matched else {}
    return article


@dataclass
class Prepared:
    article: Article
    sha: str
    fingerprint: bytes | None


def prepared(start: int, stop: int, articles: int) -> Iterator[Prepared]:
    """What StorePipeline hands Store.save(): the article, its content hash, its MinHash."""
    for i in range(start, stop):
        article = make_article(i, articles)
        fingerprint = signature(article.text) if article.topics else None
        yield Prepared(article, content_hash(article.text), fingerprint)


# --- phase 1: insert ------------------------------------------------------------------------


def insert_api(store: Store, start: int, stop: int, articles: int) -> tuple[float, Counter[str]]:
    """Store.save() per article; returns the seconds spent inside save() and the outcomes."""
    spent = 0.0
    outcomes: Counter[str] = Counter()
    for item in prepared(start, stop, articles):
        began = time.perf_counter()
        result = store.save(item.article, item.sha, NOW, fingerprint=item.fingerprint)
        spent += time.perf_counter() - began
        outcomes[result.outcome.value] += 1
    return spent, outcomes


def bulk_rows(item: Prepared, article_id: int) -> tuple[dict, dict, list[dict], list[dict]]:
    """The rows Store.save() writes for a new article (see Store._save)."""
    article = item.article
    row = {
        **statements.article_values(article, item.sha),
        "id": article_id,
        "canonical_url": article.canonical_url,
        "updated": article.published,
        "archived": NOW,
        "fetched": NOW,
        "revision": 1,
        "version": 1,
        "archived_version": 1,
        "minhash": item.fingerprint,
    }
    url = {
        "url": article.canonical_url,
        "article_id": article_id,
        "source": article.source,
        "kind": "canonical",
        "outlet": "",
        "first_seen": NOW,
    }
    topics = [
        {"article_id": article_id, "topic": slug, "keywords": kws}
        for slug, kws in sorted(article.topics.items())
    ]
    bands = (
        [{"band_key": key, "article_id": article_id} for key in band_keys(item.fingerprint)]
        if item.fingerprint
        else []
    )
    return row, url, topics, bands


def prepared_batch(bounds: tuple[int, int, int]) -> list[Prepared]:
    start, stop, articles = bounds
    return list(prepared(start, stop, articles))


def insert_bulk(store: Store, start: int, stop: int, articles: int) -> float:
    """executemany() in BATCH-article transactions; returns the seconds spent writing.

    A worker process makes the articles (text, content hash, MinHash) while this one writes.
    """
    with store.engine.connect() as conn:
        next_id = (
            conn.execute(sa.select(sa.func.max(store_module.articles.c.id))).scalar() or 0
        ) + 1
    spent = 0.0
    bounds = [(i, min(i + BATCH, stop), articles) for i in range(start, stop, BATCH)]
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        pending: deque[AsyncResult[list[Prepared]]] = deque()
        for bound in bounds:
            pending.append(pool.apply_async(prepared_batch, (bound,)))
            if len(pending) > 2:  # stay at most two batches ahead of the writer
                batch = pending.popleft().get()
                spent += write_batch(store, batch, next_id)
                next_id += len(batch)
        while pending:
            batch = pending.popleft().get()
            spent += write_batch(store, batch, next_id)
            next_id += len(batch)
    return spent


def write_batch(store: Store, batch: Sequence[Prepared], next_id: int) -> float:
    """One transaction of executemany() inserts; returns the seconds it took."""
    rows: list[dict] = []
    urls: list[dict] = []
    topics: list[dict] = []
    bands: list[dict] = []
    for offset, item in enumerate(batch):
        row, url, matched, keyed = bulk_rows(item, next_id + offset)
        rows.append(row)
        urls.append(url)
        topics += matched
        bands += keyed
    began = time.perf_counter()
    with store.engine.begin() as conn:
        conn.execute(store_module.articles.insert(), rows)
        conn.execute(store_module.article_urls.insert(), urls)
        if topics:
            conn.execute(store_module.matches.insert(), topics)
        if bands:
            conn.execute(store_module.near_bands.insert(), bands)
    return time.perf_counter() - began


def count_articles(store: Store) -> int:
    with store.engine.connect() as conn:
        return (
            conn.execute(sa.select(sa.func.count()).select_from(store_module.articles)).scalar()
            or 0
        )


# --- phase 2: dedupe lookups ----------------------------------------------------------------


@dataclass(frozen=True)
class Timed:
    label: str
    calls: int
    per_call: int  # URLs per call (0: CPU only, no rate)
    run: Callable[[], object]
    target: float | None = None  # as a share of the raw sqlite3 lookup rate


def raw_table(workdir: Path, articles: int) -> Path:
    """The reference: a plain sqlite3 file with one table of the store's N article URLs
    (``url TEXT PRIMARY KEY``), made once. Apart from the store, so that the store's own
    schema (its indexes, its row sizes) never moves the yardstick."""
    path = workdir / f"raw-urls-{articles}.sqlite3"
    if not path.exists():
        made = path.with_suffix(".tmp")
        made.unlink(missing_ok=True)
        connection = sqlite3.connect(made)
        connection.execute("CREATE TABLE urls (url TEXT PRIMARY KEY, article_id INTEGER NOT NULL)")
        connection.executemany("INSERT INTO urls VALUES (?, ?)",
                               ((f"https://hb.ifeng.com/c/sc{i:09d}", i + 1) for i in range(articles)))
        connection.commit()
        connection.close()
        made.rename(path)
    return path


def raw_lookups(path: Path, urls: Sequence[str]) -> Callable[[], object]:
    """The machine's own limit: plain sqlite3 primary-key lookups of the same URLs, on one
    connection, each row fetched."""
    connection = sqlite3.connect(path)

    def run() -> None:
        execute = connection.execute
        for url in urls:
            execute("SELECT article_id FROM urls WHERE url = ?", (url,)).fetchone()

    return run


def timed_rounds(steps: Sequence[Timed], rounds: int) -> None:
    """Every step once per round, alternating, so load on the machine hits them alike; each
    step's rate as a share of the raw rate of the same round, median and spread over rounds.

    Rates are per second of this process's CPU time: with other work on the machine, wall
    time mostly measures the waits for a core (the wall-time rate is shown beside it).
    """
    rates: dict[str, list[float]] = {step.label: [] for step in steps}
    walls: dict[str, list[float]] = {step.label: [] for step in steps}
    for _ in range(rounds):
        for step in steps:
            began, cpu = time.perf_counter(), time.process_time()
            step.run()
            wall, cpu = time.perf_counter() - began, time.process_time() - cpu
            urls = step.calls * max(step.per_call, 1)
            rates[step.label].append(urls / max(cpu, 1e-6))
            walls[step.label].append(urls / wall)
    raw = rates[steps[0].label]
    print(f"  {'':<62} {'URLs/s':>10} {'µs/call':>8} {'wall/s':>10}  share of raw (median, min-max of {rounds})")
    for step in steps:
        per_second = median(rates[step.label])
        shares = [r / base for r, base in zip(rates[step.label], raw, strict=True)]
        per_call_us = 1e6 * max(step.per_call, 1) / per_second
        shown = f"{per_second:>10,.0f}" if step.per_call else f"{'':>10}"
        wall = f"{median(walls[step.label]):>10,.0f}" if step.per_call else f"{'':>10}"
        share = (f"  {median(shares):5.2f}× ({min(shares):.2f}-{max(shares):.2f})"
                 if step.per_call and step is not steps[0] else "")
        target = (f"  target ≥ {step.target}×: {verdict(median(shares) >= step.target)}"
                  if step.target is not None else "")
        print(f"  {step.label:<62} {shown} {per_call_us:8.1f} {wall}{share}{target}")


def dedupe_phase(store: Store, workdir: Path, articles: int, lookups: int, rounds: int) -> None:
    rng = random.Random(42)
    stored = [
        f"https://hb.ifeng.com/c/sc{rng.randrange(articles):09d}" for _ in range(lookups // 2)
    ]
    unknown = [f"https://hb.ifeng.com/c/zz{rng.randrange(10**9):09d}" for _ in range(lookups // 2)]
    urls = stored + unknown
    rng.shuffle(urls)
    if len(store.fetch_states(urls[:1000])) != len({u for u in urls[:1000] if "/c/sc" in u}):
        raise SystemExit("stored URLs not found: is the store complete?")
    print(f"dedupe lookups ({lookups:,} URLs, half stored, half unknown, random order; "
          f"unchanged saves: 2,000 articles; {rounds} rounds, alternating):")
    batches = [urls[i : i + 20] for i in range(0, len(urls), 20)]
    policy = RevisitPolicy(max_age=timedelta(days=7), revisit_after=timedelta(hours=6))
    known = KnownArticles(store, policy, NOW)

    shas = [make_article_sha(rng.randrange(articles), articles) for _ in range(lookups // 2)]
    shas += [f"{rng.getrandbits(256):064x}" for _ in range(lookups // 2)]
    rng.shuffle(shas)

    def sha_lookups() -> None:
        # the statement Store._save runs for every new URL, as it runs it: on the driver,
        # inside one transaction
        with store.engine.connect() as conn:
            for sha in shas:
                store._raw(conn, statements.BY_TEXT, {"sha": sha})

    text = make_article(0, articles).text
    # short articles past the feeds' long ones, when the store is big enough to have them
    short = range(MATCH_EVERY * TOPICS * FEED_ENTRIES, articles)
    pool = short if len(short) >= 2000 else range(articles)
    again = [next(prepared(i, i + 1, articles)) for i in rng.sample(pool, min(2000, len(pool)))]
    results: Counter[str] = Counter()

    def resave() -> None:
        for item in again:
            results[
                store.save(item.article, item.sha, NOW, fingerprint=item.fingerprint).outcome.value
            ] += 1

    timed_rounds([
        Timed(f"raw sqlite3: SELECT article_id FROM urls WHERE url = ? ({articles:,} rows)", lookups, 1,
              raw_lookups(raw_table(workdir, articles), urls)),
        Timed("Store.fetch_states([url]), one URL per call", lookups, 1,
              lambda: [store.fetch_states([u]) for u in urls], TARGET_ONE_URL_SHARE),
        Timed("KnownArticles.decide(url) (KnownArticleMiddleware)", lookups, 1,
              lambda: [known.decide(u) for u in urls], TARGET_ONE_URL_SHARE),
        Timed("Store.save() of an unchanged stored article (full dedupe path)", len(again), 1,
              resave, TARGET_SAVE_SHARE),
        Timed("Store.fetch_states(20 URLs), per URL", len(batches), 20,
              lambda: [store.fetch_states(b) for b in batches]),
        Timed("Store.failure(url), one URL per call", lookups, 1,
              lambda: [store.failure(u) for u in urls]),
        Timed("content-hash lookup (Store._save's query), one connection", lookups, 1, sha_lookups),
        Timed(f"content_hash() of a {len(text.encode()) // 1000} KB article text (CPU only)", 200, 0,
              lambda: [content_hash(text) for _ in range(200)]),
    ], rounds)
    print(f"    save outcomes: {dict(results)}")
    near_phase(store, articles, rng)


def near_phase(store: Store, articles: int, rng: random.Random, queries: int = 500) -> None:
    """NearCheck.find (what Store.save asks for a new matched text): near-copies of stored
    matched articles (a sentence added) and new texts, against the store's fingerprints."""
    matched = range(0, articles, MATCH_EVERY)
    copies = [make_article(i, articles).text + "另据报道，相关工作仍在推进。"
              for i in rng.sample(matched, min(queries // 2, len(matched)))]
    fresh = [short_text(articles + n) for n in range(queries // 2)]
    checks = [(NearCheck(signature(t), 0.8), t in copies) for t in copies + fresh]
    rng.shuffle(checks)
    with store.engine.connect() as conn:
        fingerprints = conn.execute(sa.select(sa.func.count()).select_from(store_module.articles)
                                    .where(store_module.articles.c.minhash.is_not(None))).scalar()
        checks[0][0].find(conn)  # numpy and the statement, loaded before the clock starts
        times, found = [], 0
        for check, is_copy in checks:
            began = time.perf_counter()
            cluster = check.find(conn)
            times.append(time.perf_counter() - began)
            found += is_copy and cluster is not None
    times.sort()
    p50, p99 = times[len(times) // 2] * 1e3, times[int(len(times) * 0.99)] * 1e3
    print(f"near-duplicate query (NearCheck.find, {fingerprints:,} fingerprints stored, {len(checks)} "
          f"queries, half near-copies): median {p50:.2f} ms, p99 {p99:.2f} ms "
          f"(target ≤ {TARGET_NEAR_MS} ms: {verdict(p50 <= TARGET_NEAR_MS)}); "
          f"{found} of {len(copies)} near-copies found")


def make_article_sha(i: int, articles: int) -> str:
    return content_hash(make_article(i, articles).text)


# --- phase 3: feeds -------------------------------------------------------------------------


class PagesTimer:
    """Times feeds.build's writing of the archived article pages (one HTML page per feed entry),
    which came after the 50-feed target was set."""

    def __init__(self) -> None:
        import feeds.build

        self.seconds = 0.0
        write = feeds.build.write_archived_pages

        def timed(*args: object, **kwargs: object) -> list[Path]:
            began = time.perf_counter()
            try:
                return write(*args, **kwargs)  # type: ignore[arg-type]
            finally:
                self.seconds += time.perf_counter() - began

        feeds.build.write_archived_pages = timed  # type: ignore[assignment]


def feeds_phase(store: Store, workdir: Path) -> None:
    topics = tuple(
        Topic(slug=topic_slug(n), title=f"话题{n}", keywords=("关键词",)) for n in range(TOPICS)
    )
    config = Config(
        path=None,
        data_dir=workdir / "data",
        feeds=FeedsConfig(max_entries=FEED_ENTRIES),
        topics=topics,
    )
    shutil.rmtree(config.feeds_dir, ignore_errors=True)
    shutil.rmtree(config.state_dir, ignore_errors=True)
    pages = PagesTimer()
    for label in ("cold (every file written)", "warm (nothing changed)"):
        pages.seconds = 0.0
        began, cpu = time.perf_counter(), time.process_time()
        written = build_feeds(config, store)
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
        feeds_only = seconds - pages.seconds
        met = verdict(feeds_only <= TARGET_FEEDS_SECONDS)
        print(
            f"  build_feeds, {TOPICS} topics × {FEED_ENTRIES} entries, {label}: {seconds:6.2f} s "
            f"(cpu {cpu:.2f} s), {len(written)} files written; without the archived pages: "
            f"{feeds_only:.2f} s (target ≤ {TARGET_FEEDS_SECONDS:.0f} s: {met}), the pages {pages.seconds:.2f} s"
        )
    sizes = sorted(p.stat().st_size for p in config.feeds_dir.glob("*.atom"))
    print(f"    feed sizes {sizes[0] / 1e6:.2f}-{sizes[-1] / 1e6:.2f} MB")
    began = time.perf_counter()
    loaded = [len(store.feed_articles(topic.slug, limit=FEED_ENTRIES)) for topic in topics]
    print(
        f"    of which Store.feed_articles() × {TOPICS}: {time.perf_counter() - began:.2f} s "
        f"({min(loaded)}-{max(loaded)} entries each)"
    )
    began = time.perf_counter()
    [store.topic_articles(topic.slug, limit=FEED_ENTRIES) for topic in topics]
    print(
        f"    (Store.topic_articles() × {TOPICS}, with text and revisions: "
        f"{time.perf_counter() - began:.2f} s)"
    )


# --- phase 4: topics follow the config ------------------------------------------------------

# Added topics: one whose keyword no text holds (the database finds no candidate), one whose
# keyword's literal part (第: digits have full-width forms) every text holds (each article's
# text matched in Python); 第1234 is in 第1234号, 第12340-12349号, …: 111 of 1M articles.
ABSENT_KEYWORD = "量子通信"
NEW_KEYWORD = "第1234"


def rematch_phase(store: Store) -> None:
    """follow_topics after a topic is added, narrowed, then removed."""
    from crawler.store.topicsync import follow_topics
    from crawler.text.topics import definition_fingerprint, topic_definition

    topics = [Topic(slug=topic_slug(n), title=f"话题{n}", keywords=("关键词",)) for n in range(TOPICS)]
    # The synthetic matches stand for matches made with these topics: record them as such.
    with store.engine.begin() as conn:
        conn.execute(store_module.topic_definitions.delete())
        conn.execute(store_module.topic_definitions.insert(), [
            {"slug": t.slug, "definition": topic_definition(t),
             "fingerprint": definition_fingerprint(topic_definition(t))} for t in topics])
    absent = Topic(slug="bench-absent", title="量子通信", keywords=(ABSENT_KEYWORD,))
    added = Topic(slug="bench-new", title="新话题", keywords=(NEW_KEYWORD,))
    narrowed = Topic(slug="bench-new", title="新话题", keywords=(NEW_KEYWORD,), exclude=(NEW_KEYWORD + "5",))
    steps = (
        (f"a topic added, {ABSENT_KEYWORD} (no text holds its literal)", [*topics, absent]),
        (f"a topic added, {NEW_KEYWORD} (every text holds its literal 第)", [*topics, absent, added]),
        ("its exclude widened (its own articles read)", [*topics, absent, narrowed]),
        ("both removed (one DELETE)", topics),
    )
    for label, configured in steps:
        began = time.perf_counter()
        result = follow_topics(store, configured)
        seconds = time.perf_counter() - began
        print(f"  follow_topics, {label}: {seconds:6.2f} s; {result.scanned:,} texts matched in Python, "
              f"{result.gained} matches added, {result.lost} removed")
    began = time.perf_counter()
    follow_topics(store, topics)
    print(f"  follow_topics, nothing changed: {(time.perf_counter() - began) * 1000:.1f} ms")


# --- main -----------------------------------------------------------------------------------


def run_phase(phase: str, args: argparse.Namespace) -> float:
    """Run one phase in a child process (its output goes straight through); its peak RSS in MB."""
    argv = [
        sys.executable,
        "-m",
        "bench.scale",
        "--phase",
        phase,
        "--articles",
        str(args.articles),
        "--api-sample",
        str(args.api_sample),
        "--insert",
        args.insert,
        "--lookups",
        str(args.lookups),
        "--rounds",
        str(args.rounds),
        "--workdir",
        str(args.workdir),
    ]
    sys.stdout.flush()
    proc = subprocess.Popen(argv, cwd=REPO)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"phase {phase} failed")
    return usage.ru_maxrss / 1024


def phase_insert(store: Store, args: argparse.Namespace) -> None:
    sample = args.articles if args.insert == "api" else min(args.api_sample, args.articles)
    began = time.perf_counter()
    spent, outcomes = insert_api(store, 0, sample, args.articles)
    print(
        f"insert via Store.save(): {sample:,} articles, {sample / spent:,.0f} /s inside save() "
        f"({sample / (time.perf_counter() - began):,.0f} /s with content hash + MinHash); "
        f"outcomes {dict(outcomes)}; a million at that rate: {1e6 / (sample / spent) / 60:.0f} min"
    )
    if sample < args.articles:
        began = time.perf_counter()
        spent = insert_bulk(store, sample, args.articles, args.articles)
        rest = args.articles - sample
        print(
            f"bulk fill: {rest:,} articles, {rest / spent:,.0f} /s writing, "
            f"{rest / (time.perf_counter() - began):,.0f} /s overall (generation in a worker)"
        )
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument(
        "--api-sample",
        type=int,
        default=10_000,
        help="articles inserted through Store.save() before the bulk fill",
    )
    parser.add_argument("--insert", choices=("bulk", "api"), default="bulk")
    parser.add_argument("--lookups", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5,
                        help="rounds of the lookup timings, alternating with the raw sqlite3 rate")
    parser.add_argument(
        "--workdir", type=Path, default=None, help="default /tmp/topicfeed-bench/scale-N"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep a store of N articles built before"
    )
    parser.add_argument("--only", default="lookups,feeds,rematch", metavar="PHASES",
                        help="the phases to run on the store, comma-separated (default all)")
    parser.add_argument("--phase", choices=("insert", "lookups", "feeds", "rematch"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.workdir = args.workdir or DEFAULT_ROOT / f"scale-{args.articles}"
    db = args.workdir / "store.sqlite3"

    if args.phase:
        store = Store.open(f"sqlite:///{db}")
        {
            "insert": phase_insert,
            "lookups": lambda s, a: dedupe_phase(s, a.workdir, a.articles, a.lookups, a.rounds),
            "feeds": lambda s, a: feeds_phase(s, a.workdir),
            "rematch": lambda s, a: rematch_phase(s),
        }[args.phase](store, args)
        store.close()
        return 0

    print_machine()
    print(
        f"articles: {args.articles:,}; {TOPICS} topics; every {MATCH_EVERY}th article matches one; "
        f"the newest {FEED_ENTRIES} per topic have ~{BIG_TEXT_BYTES // 1000} KB bodies"
    )
    if not args.reuse:
        shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True, exist_ok=True)
    store = Store.open(f"sqlite:///{db}")
    have = count_articles(store)
    store.close()
    if have not in (0, args.articles):
        raise SystemExit(f"{db} holds {have:,} articles, not {args.articles:,}: drop --reuse")
    rss = {}
    if have == 0:
        rss["insert"] = run_phase("insert", args)
    else:
        print(f"reusing {db} ({have:,} articles)")
    print(f"store: {db.stat().st_size / 1e9:.2f} GB")
    headings = {"lookups": "", "feeds": "feeds:", "rematch": "topics follow the config:"}
    for phase in args.only.split(","):
        print()
        if headings[phase]:
            print(headings[phase])
        rss[phase] = run_phase(phase, args)
    print()
    print(
        "peak RSS per phase (each its own process): "
        + ", ".join(f"{phase} {mb:.0f} MB" for phase, mb in rss.items())
    )
    peak = max((mb for phase, mb in rss.items() if phase in ("lookups", "feeds")), default=0)
    print(
        f"peak RSS working on the store (lookups, feeds): {peak:.0f} MB "
        f"(target ≤ {TARGET_RSS_MB} MB: {verdict(peak <= TARGET_RSS_MB)})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
