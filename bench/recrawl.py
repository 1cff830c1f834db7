"""A second crawl of the unchanged synthetic site: what it requests and how long it takes.

Both crawls are ``topicfeed crawl`` child processes on one data dir, against one
SnapshotServer whose ``requests`` list tells what each crawl asked for. Targets for the
second crawl: 0 article pages, ≤ 10% of the first crawl's wall time.

    python -m bench.recrawl [--articles 2000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import shutil
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from bench.common import (
    ChildRun,
    fast_settings,
    print_machine,
    reset_data,
    run_child,
    topicfeed_argv,
    verdict,
    write_config,
)
from bench.crawl import check_full
from bench.site import DEFAULT_ROOT, SiteParams, describe, ensure_site
from crawler.snapshot.server import SnapshotServer

TARGET_TIME_SHARE = 0.10


def kind_of(target: str) -> str:
    """What a mirrored request (``host/path?query``, no scheme) asked for."""
    host, _, path = target.partition("/")
    if host.startswith("shankapi."):
        return "getColumnInfo"
    if path.startswith("c/"):
        return "article"
    if path.startswith("shanklist/"):
        return "column"
    return "home" if path in ("", "/") else "other"


def describe_requests(requests: Sequence[str]) -> str:
    counts = Counter(kind_of(r) for r in requests)
    return ", ".join(
        f"{counts[k]} {k}"
        for k in ("home", "column", "getColumnInfo", "article", "other")
        if counts[k]
    )


def line(label: str, run: ChildRun, requests: Sequence[str]) -> str:
    return (
        f"{label:<7} wall {run.wall:6.2f} s (startup {run.startup_seconds:5.2f}, crawl "
        f"{run.crawl_seconds:6.2f}, after {run.after_seconds:5.2f}), cpu {run.cpu:6.2f} s, "
        f"rss {run.max_rss_mb:6.1f} MB; {len(requests)} requests: {describe_requests(requests)}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.recrawl", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--articles", type=int, default=SiteParams.articles)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_ROOT / "recrawl")
    args = parser.parse_args(argv)

    print_machine()
    site = ensure_site(SiteParams(articles=args.articles))
    print(describe(site))
    shutil.rmtree(args.workdir, ignore_errors=True)
    config = write_config(args.workdir, site)
    reset_data(args.workdir)
    settings = {**fast_settings(args.concurrency), "TOPICFEED_NOW": site.recorded_at.isoformat()}
    argv_ = topicfeed_argv(config, "MIRROR", settings)
    with SnapshotServer(site.root) as server:
        argv_[argv_.index("MIRROR")] = server.url
        first = run_child("first", argv_, cwd=args.workdir, stats_file=args.workdir / "first.json")
        first.check()
        check_full(first, site, args.workdir)
        first_requests = list(server.requests)
        second = run_child(
            "second", argv_, cwd=args.workdir, stats_file=args.workdir / "second.json"
        )
        second.check()
        second_requests = server.requests[len(first_requests) :]
    print()
    print(line("first", first, first_requests))
    print(line("second", second, second_requests))
    print(f"second crawl's stdout: {second.stdout.strip()}")
    articles = sum(1 for r in second_requests if kind_of(r) == "article")
    skipped = second.stats.get("topicfeed/article_skipped_known", 0)
    share = second.wall / first.wall
    print()
    print(
        f"article pages fetched again: {articles} (target 0: {verdict(articles == 0)}); "
        f"{skipped} article requests skipped as known"
    )
    print(
        f"second / first wall time: {second.wall:.2f} / {first.wall:.2f} s = {share:.1%} "
        f"(target ≤ {TARGET_TIME_SHARE:.0%}: {verdict(share <= TARGET_TIME_SHARE)})"
    )
    print(
        f"second / first CPU time: {second.cpu:.2f} / {first.cpu:.2f} s "
        f"= {second.cpu / first.cpu:.1%} "
        f"(load average {first.load:.1f} and {second.load:.1f} at their ends)"
    )
    print(
        f"second crawl without process startup: {second.wall - second.startup_seconds:.2f} s "
        f"= {(second.wall - second.startup_seconds) / first.wall:.1%} of the first"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
