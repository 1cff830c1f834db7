"""A web article's item work against an ifeng article's, per article, in one process.

Parses the web test set (tests/sites/web) with the web spider and 200 of the synthetic
ifeng site's pages with the ifeng spider, then times per article: the spider's parse (for
web: charset, fields and body extraction, next pages joined), ``prepare`` (what
``bench.itemwork`` times) and a matched article's note. The target: web ≤ 2× ifeng.

    python -m bench.webitem [--rounds 5]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from bench.common import SOURCE, print_machine, write_config
from bench.itemwork import parsed_articles, per_item_ms, stored_matches
from bench.site import SiteParams, ensure_site
from crawler.archive.note import render_note
from crawler.config import Config, load_config, parse_config
from crawler.extensions.resources import RESOURCES_EXTENSION, CrawlResources
from crawler.items import Article
from crawler.text.prepare import prepare
from crawler.text.topics import TopicMatcher
from spiders.ifeng import IfengSpider
from spiders.web import WebSpider
from tests.configs import config_text, paths, topic, web_source
from tests.sites.web import ARTICLES, RECORDED_AT, Expected, WebPage


def opened(spidercls: type[Spider], config: Config, now: str, **kwargs: str) -> Any:
    """A spider with its crawl resources open (the store), as at spider_opened."""
    crawler = get_crawler(spidercls, {"TOPICFEED_CONFIG": config, "TOPICFEED_ITEM_WORKERS": 0,
                                      "TOPICFEED_NOW": now, "EXTENSIONS": {RESOURCES_EXTENSION: 100}})
    spider = spidercls.from_crawler(crawler, **kwargs)
    crawler.spider = spider
    crawler.signals.send_catch_log(signals.spider_opened, spider=spider)
    return spider


def web_spider(scratch: Path) -> WebSpider:
    text = config_text(paths(), topic(), topic("rural-delivery", "快递进村", ["快递进村"]), web_source())
    config = parse_config(text, file=None, base_dir=scratch, known_spiders=["web"])
    return opened(WebSpider, config, RECORDED_AT.isoformat())


def response(page: WebPage, request: Request | None = None) -> HtmlResponse:
    return HtmlResponse(url=page.url, body=page.body, headers={"Content-Type": page.content_type},
                        request=request or Request(page.url))


def parse_web(spider: WebSpider, expected: Expected) -> Article:
    results = list(spider.parse_article(response(expected.page)))
    for page in expected.more_pages:
        (follow,) = results
        results = list(follow.callback(response(page, follow), **follow.cb_kwargs))
    (article,) = results
    return article


def parse_ifeng(spider: IfengSpider, page: Path) -> Article:
    host, doc_id = page.parts[-3], page.stem
    (article,) = spider.parse_article(HtmlResponse(f"https://{host}/c/{doc_id}", body=page.read_bytes(),
                                                   encoding="utf-8"))
    return article


def alternating(rounds: int, work: dict[str, tuple[Any, list[Any]]]) -> dict[str, float]:
    """Per item ms of each named (function, items), median over ``rounds`` taken in turns."""
    times: dict[str, list[float]] = {name: [] for name in work}
    for _ in range(rounds):
        for name, (function, items) in work.items():
            times[name].append(per_item_ms(function, items, 1))
    return {name: statistics.median(values) for name, values in times.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.webitem", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    print_machine()
    site = ensure_site(SiteParams())
    with tempfile.TemporaryDirectory(prefix="topicfeed-webitem-") as folder:
        scratch = Path(folder)
        config = load_config(write_config(scratch / "ifeng", site))
        ifeng_matcher = TopicMatcher(config.topics)
        ifeng_items = parsed_articles(config, site, 200)
        ifeng = opened(IfengSpider, config, site.recorded_at.isoformat(), source=SOURCE)
        pages = sorted(site.root.glob("*.ifeng.com/c/*.html"))[:200]
        web = web_spider(scratch)
        web_matcher = TopicMatcher(web.topics)
        web_items = [parse_web(web, expected) for expected in ARTICLES]
        # ifeng and web alternate round by round: on a machine other work shares, the load of
        # the moment weighs on both sides of the ratio alike
        timed = alternating(args.rounds, {
            "ifeng parse": (lambda p: parse_ifeng(ifeng, p), pages),
            "web parse": (lambda e: parse_web(web, e), list(ARTICLES)),
            "ifeng prepare": (lambda a: prepare(a, ifeng_matcher), ifeng_items),
            "web prepare": (lambda a: prepare(a, web_matcher), web_items),
        })
        rows = {
            "ifeng": (timed["ifeng parse"], timed["ifeng prepare"],
                      [prepare(copy.deepcopy(a), ifeng_matcher) for a in ifeng_items]),
            "web": (timed["web parse"], timed["web prepare"],
                    [prepare(copy.deepcopy(a), web_matcher) for a in web_items]),
        }
        for spider in (ifeng, web):
            CrawlResources.of(spider.crawler).store.close()
        print(f"{'articles':8} {'parse ms':>9} {'prepare ms':>11} {'note ms (matches)':>18} {'item work ms':>13}")
        notes = {}
        for name, (_, _, prepared) in rows.items():
            (scratch / name).mkdir(exist_ok=True)
            notes[name] = (render_note, stored_matches(prepared, scratch / name))
            render_note(notes[name][1][0])
        notes_ms = alternating(args.rounds, notes)
        totals = {}
        for name, (parse_ms, prepare_ms, _) in rows.items():
            note_ms = notes_ms[name]
            totals[name] = (parse_ms + prepare_ms + note_ms, prepare_ms + note_ms)
            print(f"{name:8} {parse_ms:9.2f} {prepare_ms:11.2f} {note_ms:18.2f} {prepare_ms + note_ms:13.2f}")
    print(f"\nweb / ifeng: item work (prepare + note) {totals['web'][1] / totals['ifeng'][1]:.2f}x; "
          f"with the spider's parse {totals['web'][0] / totals['ifeng'][0]:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
