"""A second crawl of the unchanged synthetic site: what it requests and how long it takes.

Both crawls are ``topicfeed crawl`` child processes on one data dir, against one
SnapshotServer whose ``requests`` list tells what each crawl asked for. Targets for the
second crawl: 0 article pages, ≤ 10% of the first crawl's wall time.

    python -m bench.recrawl [--articles 2000] [--concurrency 16] [--repeat 5] [--importtime]

``--repeat N`` runs the second crawl N times (each finds the site unchanged) and reports the
median and spread: with other work on the machine, one run's wall time is mostly chance.
``--importtime`` adds one more second crawl under ``python -X importtime`` and counts what it
imported.
"""

from __future__ import annotations

import argparse
import shutil
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from bench.common import (
    PYTHON,
    ChildRun,
    fast_settings,
    median,
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


def describe_imports(importtime: str, top: int = 12) -> str:
    """``-X importtime`` output: how many modules, their own time, the biggest packages."""
    own: Counter[str] = Counter()
    modules = 0
    for row in importtime.splitlines():
        if not row.startswith("import time:") or "self [us]" in row:
            continue
        self_us, _, name = row.removeprefix("import time:").split("|")
        own[name.strip().split(".")[0]] += int(self_us)
        modules += 1
    biggest = ", ".join(f"{name} {us / 1000:.0f}" for name, us in own.most_common(top))
    return (f"imports of a second crawl (-X importtime, wall time, inflated by the timing): {modules} modules, "
            f"{sum(own.values()) / 1e6:.2f} s; ms by package: {biggest}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.recrawl", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--articles", type=int, default=SiteParams.articles)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_ROOT / "recrawl")
    parser.add_argument("--repeat", type=int, default=1, help="second crawls to run (median)")
    parser.add_argument("--importtime", action="store_true",
                        help="one more second crawl under -X importtime: modules and time")
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
        seconds = []
        for n in range(args.repeat):
            before = len(server.requests)
            second = run_child(
                "second", argv_, cwd=args.workdir, stats_file=args.workdir / f"second-{n}.json"
            )
            second.check()
            seconds.append((second, server.requests[before:]))
        imported = None
        if args.importtime:
            timed_argv = [PYTHON, "-X", "importtime", *argv_[1:]]
            imported = run_child("imports", timed_argv, cwd=args.workdir,
                                 stats_file=args.workdir / "imports.json")
            imported.check()
    print()
    print(line("first", first, first_requests))
    for second, second_requests in seconds:
        print(line("second", second, second_requests))
    second, second_requests = seconds[len(seconds) // 2]
    print(f"second crawl's stdout: {second.stdout.strip()}")
    articles = max(sum(1 for r in requests if kind_of(r) == "article") for _, requests in seconds)
    skipped = second.stats.get("topicfeed/article_skipped_known", 0)
    walls = [run.wall for run, _ in seconds]
    cpus = [run.cpu for run, _ in seconds]
    share = median(walls) / first.wall
    spread = f" (median of {len(walls)}: {min(walls):.2f}-{max(walls):.2f} s)" if len(walls) > 1 else ""
    print()
    print(
        f"article pages fetched again: {articles} (target 0: {verdict(articles == 0)}); "
        f"{skipped} article requests skipped as known"
    )
    print(
        f"second / first wall time: {median(walls):.2f} / {first.wall:.2f} s = {share:.1%}{spread} "
        f"(target ≤ {TARGET_TIME_SHARE:.0%}: {verdict(share <= TARGET_TIME_SHARE)})"
    )
    print(
        f"second / first CPU time: {median(cpus):.2f} / {first.cpu:.2f} s "
        f"= {median(cpus) / first.cpu:.1%} "
        f"(load average {first.load:.1f} and {second.load:.1f} at their ends)"
    )
    print(
        f"second crawl without process startup: {second.wall - second.startup_seconds:.2f} s "
        f"= {(second.wall - second.startup_seconds) / first.wall:.1%} of the first"
    )
    if imported is not None:
        print(describe_imports(imported.stderr))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
