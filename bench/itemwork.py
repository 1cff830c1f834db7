"""The item work per article, in one process: what the item worker spends on each page.

Reads the synthetic site's article pages from disk (no crawl, no server), parses them as the
ifeng spider does, then times, per article:

* ``prepare``: sanitise, text, topics, content hash; summary and MinHash for matches;
* ``render``: a matched article's note (TF-IDF tags, front matter, Markdown), read back
  from a scratch store as ArchivePipeline reads it;

and the steps inside both, so a change to one step shows in its own line.

    python -m bench.itemwork [--articles 2000] [--sample 500] [--rounds 5]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from bench.common import SOURCE, print_machine, write_config
from bench.site import BenchSite, SiteParams, describe, ensure_site
from crawler.archive.frontmatter import article_tags, dump_yaml
from crawler.archive.note import front_matter, render_note
from crawler.config import Config, load_config
from crawler.extensions.resources import RESOURCES_EXTENSION, CrawlResources
from crawler.items import Article
from crawler.store import Store, StoredArticle
from crawler.text.htmlclean import clean_body, html_to_markdown_text
from crawler.text.minhash import signature
from crawler.text.prepare import prepare
from crawler.text.strings import content_hash
from crawler.text.summary import summarize
from crawler.text.topics import TopicMatcher
from spiders.ifeng import IfengSpider


def parsed_articles(config: Config, site: BenchSite, sample: int) -> list[Article]:
    """``sample`` article pages from all over the site, as the ifeng spider yields them."""
    crawler = get_crawler(IfengSpider, {"TOPICFEED_CONFIG": config, "TOPICFEED_ITEM_WORKERS": 0,
                                        "TOPICFEED_NOW": site.recorded_at.isoformat(),
                                        "EXTENSIONS": {RESOURCES_EXTENSION: 100}})
    spider = IfengSpider.from_crawler(crawler, source=SOURCE)
    crawler.signals.send_catch_log(signals.spider_opened, spider=spider)  # opens the store
    articles = []
    pages = sorted(site.root.glob("*.ifeng.com/c/*.html"))
    for page in pages[:: max(1, len(pages) // sample)][:sample]:  # spread over the site
        host, doc_id = page.parts[-3], page.stem
        response = HtmlResponse(f"https://{host}/c/{doc_id}", body=page.read_bytes(),
                                encoding="utf-8")
        articles += list(spider.parse_article(response))
    CrawlResources.of(crawler).store.close()
    return articles


def per_item_ms(function: Callable[[Any], Any], items: Sequence[Any], rounds: int) -> float:
    """Median over ``rounds`` of the mean time per item (each round on fresh copies)."""
    times = []
    for _ in range(rounds):
        fresh = [copy.deepcopy(item) for item in items]
        start = time.perf_counter()
        for item in fresh:
            function(item)
        times.append((time.perf_counter() - start) / len(fresh) * 1000)
    return statistics.median(times)


def stored_matches(prepared: list[Article], scratch: Path) -> list[StoredArticle]:
    store = Store.open(f"sqlite:///{scratch / 'itemwork.sqlite3'}")
    now = datetime.now(UTC)
    ids = [store.save(item, item.content_sha256, now, fingerprint=item.fingerprint).article_id
           for item in prepared if item.topics]
    matched = [store.get(article_id) for article_id in ids]
    store.close()
    return [article for article in matched if article is not None]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.itemwork", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--articles", type=int, default=SiteParams.articles)
    parser.add_argument("--sample", type=int, default=500, help="article pages to time")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    print_machine()
    site = ensure_site(SiteParams(articles=args.articles))
    print(describe(site))
    with tempfile.TemporaryDirectory(prefix="topicfeed-itemwork-") as scratch:
        config = load_config(write_config(Path(scratch), site))
        matcher = TopicMatcher(config.topics)
        articles = parsed_articles(config, site, args.sample)
        prepared = [prepare(copy.deepcopy(item), matcher) for item in articles]
        matched = [item for item in prepared if item.topics]
        stored = stored_matches(prepared, Path(scratch))
        render_note(stored[0])  # loads rjieba's dictionary and the IDF table once
        texts = [item.text for item in prepared]
        matched_texts = [item.text for item in matched]
        share = len(matched) / len(prepared)
        print(f"{len(prepared)} articles ({len(matched)} match a topic), "
              f"text {statistics.mean(map(len, texts)):,.0f} characters on average; "
              f"median of {args.rounds} rounds\n")

        rows = [
            ("prepare (all of it)", per_item_ms(lambda a: prepare(a, matcher), articles,
                                                args.rounds), 1.0),
            ("  clean_body", per_item_ms(lambda a: clean_body(a.body_html, a.url,
                                                               a.image_fallbacks),
                                         articles, args.rounds), 1.0),
            ("  topics", per_item_ms(lambda t: matcher.match("", t), texts, args.rounds), 1.0),
            ("  content_hash", per_item_ms(content_hash, texts, args.rounds), 1.0),
            ("  summary (matches)", per_item_ms(summarize, matched_texts, args.rounds), share),
            ("  MinHash (matches)", per_item_ms(signature, matched_texts, args.rounds), share),
            ("render a note (matches)", per_item_ms(render_note, stored, args.rounds), share),
            ("  tags", per_item_ms(article_tags, stored, args.rounds), share),
            ("  front matter YAML", per_item_ms(lambda a: dump_yaml(front_matter(a, [])),
                                                stored, args.rounds), share),
            ("  Markdown", per_item_ms(lambda a: html_to_markdown_text(a.body_html), stored,
                                       args.rounds), share),
        ]
    print(f"{'step':28} {'ms per article':>15} {'ms per page of the site':>24}")
    for name, ms, per_page in rows:
        print(f"{name:28} {ms:15.3f} {ms * per_page:24.3f}")
    per_page = rows[0][1] + rows[6][1] * share
    print(f"\nitem work per page of the site: {per_page:.2f} ms "
          f"(prepare every page, render the {share:.0%} that match)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
