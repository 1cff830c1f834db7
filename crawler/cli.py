"""The ``topicfeed`` command line (DESIGN §2)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from crawler import __version__
from crawler.config import Config, ConfigError, load_config
from crawler.dates import SITE_TZ
from crawler.runtime import MIRROR_ENV
from crawler.store import Store, StoreError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 75


class UsageError(Exception):
    """Bad command-line input; the message is the one line shown."""


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, metavar="FILE",
                        help="config file (default: ./topicfeed.toml if present, else the packaged default)")
    common.add_argument("--data-dir", type=Path, metavar="DIR", help="override [paths] data_dir")
    common.add_argument("-v", "--verbose", action="store_true", help="show Scrapy's log at INFO level")

    parser = argparse.ArgumentParser(prog="topicfeed", description="Crawl news sources, keep what "
                                     "matches your topics, publish one Atom feed per topic.")
    parser.add_argument("--version", action="version", version=f"topicfeed {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    crawl = commands.add_parser("crawl", parents=[common], help="crawl sources once, then rebuild the feeds")
    crawl.add_argument("--source", action="append", default=[], metavar="NAME",
                       help="crawl only this source (repeatable; default: all enabled sources)")
    crawl.add_argument("--mirror", metavar="URL", default=os.environ.get(MIRROR_ENV, ""),
                       help=f"send every request to URL/HOST/PATH?QUERY (env {MIRROR_ENV})")
    crawl.add_argument("--revisit", action="store_true",
                       help="re-fetch every archived article younger than max_age_days now")
    crawl.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                       help="override a Scrapy setting for this run (like scrapy crawl -s)")
    crawl.set_defaults(handler=cmd_crawl)

    feeds = commands.add_parser("feeds", parents=[common], help="rebuild every feed, index.opml and index.html")
    feeds.set_defaults(handler=cmd_feeds)

    status = commands.add_parser("status", parents=[common], help="last run per source, articles per topic")
    status.set_defaults(handler=cmd_status)

    demo = commands.add_parser("demo", parents=[common], help="the whole pipeline offline on the bundled snapshot")
    demo.add_argument("--no-serve", action="store_true", help="exit after the crawl instead of serving the feeds")
    demo.add_argument("--port", type=int, default=8080, help="port to serve the feeds on (default 8080)")
    demo.set_defaults(handler=cmd_demo)
    return parser


def parse_settings(pairs: Sequence[str]) -> dict[str, str]:
    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set {pair!r}: expected KEY=VALUE, e.g. --set DOWNLOAD_DELAY=0")
        overrides[key.strip()] = value
    return overrides


def load(args: argparse.Namespace) -> Config:
    config = load_config(args.config)
    return config.with_data_dir(args.data_dir.resolve()) if args.data_dir else config


def cmd_crawl(args: argparse.Namespace) -> int:
    from crawler.crawl import run_crawl

    config = load(args)
    sources = [config.source(name) for name in args.source] or [s for s in config.sources if s.enabled]
    overrides = parse_settings(args.set)
    if not args.verbose:
        overrides.setdefault("LOG_LEVEL", "WARNING")
    report = run_crawl(config, sources, mirror=args.mirror.rstrip("/"), revisit=args.revisit,
                       overrides=overrides)
    for result in report.results:
        print(result.line(), file=sys.stderr if not result.ok else sys.stdout)
    print(f"feeds: {len(report.feeds_written)} file(s) changed in {config.feeds_dir}")
    return report.exit_code


def cmd_feeds(args: argparse.Namespace) -> int:
    from feeds.build import build_feeds

    config = load(args)
    store = Store.open(config.store_url)
    try:
        written = build_feeds(config, store)
    finally:
        store.close()
    print(f"{len(written)} file(s) changed in {config.feeds_dir}")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    config = load(args)
    store = Store.open(config.store_url)
    try:
        runs = store.last_runs()
        counts = store.topic_counts()
    finally:
        store.close()
    print("sources:")
    for source in config.sources:
        run = runs.get(source.name)
        if run is None:
            print(f"  {source.name}: never crawled")
            continue
        stats = run.stats
        when = run.started.astimezone(SITE_TZ).strftime("%Y-%m-%d %H:%M")
        print(f"  {source.name}: {when} {run.outcome}; {stats.get('pages', 0)} pages, "
              f"{stats.get('new', 0)} new, {stats.get('updated', 0)} updated, "
              f"{stats.get('duplicates', 0)} duplicates, {stats.get('errors', 0)} errors")
        for line in run.errors[:5]:
            print(f"    ! {line}")
    print("topics:")
    for topic in config.topics:
        count, newest = counts.get(topic.slug, (0, None))
        shown = newest.astimezone(SITE_TZ).strftime("%Y-%m-%d %H:%M") if newest else "-"
        print(f"  {topic.slug} ({topic.title}): {count} articles, newest {shown}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.demo import run_demo

    config = load_config(args.config) if args.config else load_config(None)
    data_dir = (args.data_dir or Path("topicfeed-demo")).resolve()
    return run_demo(config.with_data_dir(data_dir), serve=not args.no_serve, port=args.port)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except (ConfigError, UsageError, StoreError) as error:
        print(f"topicfeed: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
