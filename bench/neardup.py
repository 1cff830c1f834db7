"""Near-duplicate lookup time with N stored MinHash fingerprints (issue 5: ≤ 1 ms at 1,000,000).

Builds a store whose articles carry random signatures (as many distinct stories would),
indexes them the way Store.save does (16 LSH band keys each), then times the store's own
lookup (crawler.store.neardup.NearCheck.find) for near-copies of stored texts and for new texts.

    python -m bench.neardup [--fingerprints 1000000] [--queries 2000]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from crawler.store import Store
from crawler.store.neardup import NearCheck
from crawler.store.schema import articles, near_bands
from crawler.text.minhash import PERMUTATIONS, band_keys, signature

WORK = Path(os.environ.get("TOPICFEED_BENCH_DIR", "/tmp/topicfeed-bench")) / "neardup"
BATCH = 20_000
T0 = datetime(2025, 7, 24, tzinfo=UTC)
COMMON = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"


def story(n: int) -> str:
    """A distinct ~300-character 'article' (random text: only the timing matters here)."""
    rng = random.Random(n)
    return "".join(rng.choice(COMMON) for _ in range(300)) + "。"


def build(store: Store, count: int, seeded: dict[int, bytes]) -> float:
    rng = np.random.default_rng(7)
    began = time.perf_counter()
    with store.engine.begin() as conn:
        for start in range(0, count, BATCH):
            rows, bands = [], []
            for i in range(start, min(count, start + BATCH)):
                sig = seeded.get(i) or rng.integers(0, 2**32, PERMUTATIONS, dtype=np.uint64).astype("<u4").tobytes()
                rows.append({"id": i + 1, "canonical_url": f"https://example.com/{i}", "url": f"https://example.com/{i}",
                             "source": "bench", "spider": "bench", "site_name": "", "site_id": str(i), "title": "t",
                             "outlet": "", "author": "", "editor": "", "published": T0, "updated": T0, "archived": T0,
                             "fetched": T0, "body_html": "", "text": "", "summary": "", "content_sha256": f"{i:064x}",
                             "images": [], "cover": "", "categories": [], "keywords": [], "etag": "",
                             "last_modified": "", "revision": 1, "version": 1, "archived_version": 1, "minhash": sig})
                bands += [{"band_key": key, "article_id": i + 1} for key in band_keys(sig)]
            conn.execute(articles.insert(), rows)
            conn.execute(near_bands.insert(), bands)
            print(f"\r  {min(count, start + BATCH):,} fingerprints", end="", flush=True)
    print()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fingerprints", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2_000)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"store-{args.fingerprints}.sqlite3"
    store_exists = path.exists()
    store = Store.open(f"sqlite:///{path}")
    rng = random.Random(11)
    near_ids = sorted(rng.sample(range(args.fingerprints), args.queries // 2))
    seeded = {i: signature(story(i)) for i in near_ids}
    if not store_exists:
        print(f"building {args.fingerprints:,} fingerprints in {path} …")
        print(f"  built in {build(store, args.fingerprints, seeded):.1f} s")
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(sa.func.count()).select_from(articles)
                              .where(articles.c.minhash.is_not(None))).scalar()
    # a near-copy: the same story with a sentence added (another outlet's version)
    queries = [(story(i) + "另据了解，本届展会吸引了大量观众。", i + 1) for i in near_ids]
    queries += [(story(10**9 + n), None) for n in range(args.queries - len(queries))]
    t = time.perf_counter()
    prepared = [(NearCheck(signature(text), 0.8), expected) for text, expected in queries]
    signing = (time.perf_counter() - t) / len(queries)
    found_right = 0
    timings = []
    with store.engine.connect() as conn:
        for check, expected in prepared:
            began = time.perf_counter()
            found = check.find(conn)
            timings.append(time.perf_counter() - began)
            found_right += found == expected
    timings.sort()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"stored fingerprints: {stored:,}")
    print(f"queries: {len(timings):,} ({len(near_ids):,} near-copies, {len(timings) - len(near_ids):,} new stories); "
          f"right answers: {found_right:,}")
    print(f"lookup: median {timings[len(timings) // 2] * 1000:.3f} ms, p99 {timings[int(len(timings) * .99)] * 1000:.3f} ms, "
          f"mean {sum(timings) / len(timings) * 1000:.3f} ms  (signature itself: {signing * 1000:.3f} ms)")
    print(f"peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
