"""Full topicfeed crawl vs a bare Scrapy spider over the same synthetic ifeng site.

Both run in child processes against one SnapshotServer in this process, with politeness off
and the same concurrency, alternated (bare, full, bare, full, …) so drift hits both alike.
"full" is ``topicfeed crawl`` itself: spider, normalise, topics, store, archive notes with
tags and summary, then the feed rebuild. Target: full ≥ 0.8 × bare pages/s.

    python -m bench.crawl [--articles 2000] [--rounds 2] [--concurrency 16] [--images on]

Images are off by default (issue 19's first target); ``--images on`` adds the matched
articles' image downloads to both: the full crawl's archive, and Scrapy's FilesPipeline in
the bare spider (the same 200 images), so the ratio says whether images cost topicfeed more
than they cost plain Scrapy.
"""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Sequence
from pathlib import Path

from bench.common import (
    SOURCE,
    ChildRun,
    bare_argv,
    fast_settings,
    median,
    print_machine,
    reset_data,
    run_child,
    topicfeed_argv,
    verdict,
    write_config,
)
from bench.site import DEFAULT_ROOT, BenchSite, SiteParams, describe, ensure_site
from crawler.snapshot.server import SnapshotServer

TARGET_RATIO = 0.8


def run_full(site: BenchSite, workdir: Path, mirror: str, concurrency: int, label: str,
             images: bool = False, workers: int | None = None) -> ChildRun:
    config = write_config(workdir, site, images=images)
    reset_data(workdir)
    settings = {**fast_settings(concurrency), "TOPICFEED_NOW": site.recorded_at.isoformat()}
    if workers is not None:
        settings["TOPICFEED_ITEM_WORKERS"] = str(workers)
    run = run_child(
        label,
        topicfeed_argv(config, mirror, settings),
        cwd=workdir,
        stats_file=workdir / f"{label}.json",
    )
    run.check()
    check_full(run, site, workdir)
    run.site_pages = site.pages
    return run


def check_full(run: ChildRun, site: BenchSite, workdir: Path) -> None:
    """The crawl did the whole job: every article stored, the matching ones archived, a feed."""
    stored = run.stats.get("topicfeed/new", 0)
    notes = sum(1 for _ in (workdir / "data" / "archive").rglob("*.md"))
    feed = workdir / "data" / "feeds" / "service-outsourcing.atom"
    if stored != len(site.article_urls) or notes != len(site.matching_urls) or not feed.is_file():
        raise SystemExit(
            f"{run.label}: stored {stored}/{len(site.article_urls)}, archived {notes}/"
            f"{len(site.matching_urls)}, feed {'ok' if feed.is_file() else 'missing'}\n"
            f"{run.stdout}\n{run.stderr[-3000:]}"
        )


def run_bare(site: BenchSite, workdir: Path, mirror: str, concurrency: int, label: str,
             images: bool = False, workers: int | None = None) -> ChildRun:
    files = workdir / "bare-files"
    shutil.rmtree(files, ignore_errors=True)
    run = run_child(
        label,
        bare_argv(mirror, fast_settings(concurrency), files_store=files if images else None),
        cwd=workdir,
        stats_file=workdir / f"{label}.json",
    )
    run.check()
    items = run.stats.get("item_scraped_count", 0)
    downloaded = run.stats.get("file_count", 0)
    if items != len(site.article_urls) or (images and downloaded != len(site.matching_urls)):
        raise SystemExit(
            f"{label}: {items} items, expected {len(site.article_urls)}; {downloaded} images "
            f"downloaded{f', expected {len(site.matching_urls)}' if images else ''}\n{run.stderr[-3000:]}"
        )
    run.site_pages = site.pages
    return run


def main_cpu_per_page(run: ChildRun) -> float:
    return 1000 * run.crawl_process_cpu / run.pages if run.pages else 0.0


def row(run: ChildRun) -> str:
    cpu_per_page = 1000 * run.cpu / run.pages if run.pages else 0.0
    return (
        f"{run.label:<8} {run.pages:>6} {run.responses:>6} {run.wall:>7.2f} "
        f"{run.pages_per_second:>8.1f} {run.startup_seconds:>7.2f} {run.crawl_seconds:>7.2f} "
        f"{run.crawl_pages_per_second:>8.1f} {run.after_seconds:>6.2f} {run.cpu:>7.2f} "
        f"{cpu_per_page:>7.2f} {main_cpu_per_page(run):>7.2f} {run.server_cpu:>7.2f} "
        f"{run.max_rss_mb:>7.1f} {run.load:>5.1f}"
    )


HEADER = (
    f"{'run':<8} {'pages':>6} {'resp':>6} {'wall s':>7} {'pages/s':>8} {'start s':>7} "
    f"{'crawl s':>7} {'crawl/s':>8} {'post s':>6} {'cpu s':>7} {'ms/page':>7} {'main ms':>7} "
    f"{'srv cpu':>7} "
    f"{'rss MB':>7} {'load':>5}"
)
LEGEND = """\
pages: the site's HTML/JSONP pages, what pages/s counts; resp: every response (full also fetches
  the matched articles' images); wall: spawn to exit; start: spawn to spider open;
  crawl: spider open to close; post: close to exit (feeds, teardown);
  cpu: the child's user+sys, item worker processes included; ms/page: that per page;
  main ms: the crawl process's own CPU per page while crawling (Scrapy's thread: the limit);
  srv cpu: the snapshot server's CPU meanwhile; rss: the child's peak RSS;
  load: 1-minute load average at exit (above ~2.5 on 2 cores, other work skewed the wall times)"""


def spread(values: Sequence[float], digits: int = 2) -> str:
    return f"{min(values):.{digits}f}-{max(values):.{digits}f}"


def summarize(runs: Sequence[ChildRun]) -> None:
    bare = [r for r in runs if r.label.startswith("bare")]
    full = [r for r in runs if r.label.startswith("full")]
    bare_rate = median([r.pages_per_second for r in bare])
    full_rate = median([r.pages_per_second for r in full])
    bare_crawl = median([r.crawl_pages_per_second for r in bare])
    full_crawl = median([r.crawl_pages_per_second for r in full])
    ratio = full_rate / bare_rate
    print()
    print(
        f"median pages/s (wall)      bare {bare_rate:8.1f}   full {full_rate:8.1f}   "
        f"ratio {ratio:.2f} (target ≥ {TARGET_RATIO}: {verdict(ratio >= TARGET_RATIO)})"
    )
    print(
        f"median pages/s (crawl)     bare {bare_crawl:8.1f}   full {full_crawl:8.1f}   "
        f"ratio {full_crawl / bare_crawl:.2f}"
    )
    bare_cpu = median([1000 * r.cpu / r.pages for r in bare])
    full_cpu = median([1000 * r.cpu / r.pages for r in full])
    print(
        f"median CPU ms/page         bare {bare_cpu:8.2f}   full {full_cpu:8.2f}   "
        f"ratio {bare_cpu / full_cpu:.2f} (pages/s by CPU: robust to other load)"
    )
    bare_mains = [main_cpu_per_page(r) for r in bare]
    full_mains = [main_cpu_per_page(r) for r in full]
    bare_main, full_main = median(bare_mains), median(full_mains)
    print(
        f"median crawl-process CPU   bare {bare_main:8.2f}   full {full_main:8.2f}   "
        f"ratio {bare_main / full_main:.2f} (ms/page without item workers: the ceiling "
        "when a core is free for them)"
    )
    print(
        f"  spread (min-max)         bare {spread(bare_mains):>8}   full {spread(full_mains):>8}   "
        f"per-round ratios {', '.join(f'{b / f:.2f}' for b, f in zip(bare_mains, full_mains, strict=True))}"
    )
    loads = [r.load for r in runs]
    print(f"load average at exit       {spread(loads, 1)} (median {median(loads):.1f})")
    print(
        f"peak RSS MB                bare {max(r.max_rss_mb for r in bare):8.1f}   "
        f"full {max(r.max_rss_mb for r in full):8.1f}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.crawl", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--articles", type=int, default=SiteParams.articles)
    parser.add_argument("--rounds", type=int, default=2, help="bare+full pairs (default 2)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=16,
        help="CONCURRENT_REQUESTS and CONCURRENT_REQUESTS_PER_DOMAIN for both",
    )
    parser.add_argument("--images", choices=("on", "off"), default="off",
                        help="the full crawl downloads the matched articles' images (default off)")
    parser.add_argument("--workers", type=int, default=None,
                        help="TOPICFEED_ITEM_WORKERS for the full crawl (default: topicfeed's own)")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_ROOT / "crawl")
    args = parser.parse_args(argv)

    print_machine()
    site = ensure_site(SiteParams(articles=args.articles))
    print(describe(site))
    print(
        f"concurrency {args.concurrency} (global and per domain), DOWNLOAD_DELAY 0, AUTOTHROTTLE "
        "off, ROBOTSTXT_OBEY off, for both; images " + args.images + "; item workers "
        + ("topicfeed's default" if args.workers is None else str(args.workers))
    )
    shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True)
    runs: list[ChildRun] = []
    print()
    print(HEADER)
    with SnapshotServer(site.root) as server:
        for number in range(1, args.rounds + 1):
            for kind, runner in (("bare", run_bare), ("full", run_full)):
                run = runner(site, args.workdir, server.url, args.concurrency, f"{kind}-{number}",
                             images=args.images == "on", workers=args.workers)
                runs.append(run)
                print(row(run), flush=True)
    print(LEGEND)
    summarize(runs)
    full = runs[-1]
    print(f"\nlast full run: {full.stdout.strip()}  ({SOURCE}; data in {args.workdir / 'data'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
