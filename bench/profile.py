"""Profile one full ``topicfeed crawl`` of the synthetic site with py-spy, and say where time goes.

py-spy (``pip install py-spy`` into the venv) samples the child crawl process from outside,
idle time included, so blocking I/O shows as well as CPU. The raw collapsed stacks are kept
(feed them to flamegraph.pl or speedscope); this prints, for the main thread:

* time by component: the outermost topicfeed frame of each sample (a pipeline, a spider
  callback, a middleware…), or Scrapy/Twisted itself, idle, startup, the feed rebuild;
* the topicfeed functions with the most inclusive time;
* the functions (any code) with the most self time.

    python -m bench.profile [--articles 2000] [--rate 100]
    python -m bench.profile --cpu             # on-CPU samples only (no --idle): where CPU goes
    python -m bench.profile --report FILE     # only summarise an existing raw profile
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from bench.common import (
    REPO,
    fast_settings,
    print_machine,
    reset_data,
    topicfeed_argv,
    write_config,
)
from bench.site import DEFAULT_ROOT, SiteParams, describe, ensure_site
from crawler.snapshot.server import SnapshotServer

PROJECT_PREFIXES = ("crawler/", "spiders/", "feeds/")
# Frames that only lead to the work: the entry point and the crawl driver.
DRIVER_FRAMES = (
    "<module> (crawler/__main__.py",
    "main (crawler/__main__.py",  # the console entry point (crawler.__main__.main)
    "run (crawler/cli.py",
    "main (crawler/cli.py",
    "cmd_crawl (crawler/cli.py",
    "run_crawl (crawler/crawl.py",
    "run_crawl (crawler/commands/crawl.py",
)
IDLE_LEAVES = ("select (selectors.py", "EpollSelector.select", "poll (selectors.py", "epoll.poll")


def py_spy() -> str:
    found = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if not found:
        raise SystemExit("py-spy not found: /work/venv/bin/pip install py-spy")
    return found


WORKER = "crawler.itemwork.child"


def samples(path: Path, process: str = "crawl") -> Iterator[tuple[list[str], int]]:
    """(frames outermost first, count) for one process's main-thread samples of a raw py-spy
    profile: ``process`` is "crawl" (the crawl process) or "worker" (the item workers).

    With ``--subprocesses`` each stack starts with ``process PID:"command line"`` frames, a
    child's under its parent's.
    """
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        owners = [frame for frame in frames if frame.startswith("process ")]
        frames = frames[len(owners):]
        kind = "worker" if owners and WORKER in owners[-1] else "crawl"
        if kind == process and frames and not frames[0].startswith("Thread._bootstrap"):
            yield frames, int(count)


def function(frame: str) -> str:
    """``name (path:line)`` → ``name (path)``: one entry per function, not per line."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit(':', 1)[0]})" if where else name


def is_project(frame: str) -> bool:
    where = frame.partition(" (")[2]
    return where.startswith(PROJECT_PREFIXES)


def component(frames: list[str]) -> str:
    leaf = frames[-1]
    if any(leaf.startswith(idle) or idle in leaf for idle in IDLE_LEAVES):
        return "idle: reactor waiting for sockets"
    if any(f.startswith("_find_and_load") for f in frames):
        return "startup: imports"
    for frame in frames:
        if frame.startswith("rebuild_feeds"):
            return "feed rebuild after the crawl (rebuild_feeds)"
        if is_project(frame) and not frame.startswith(DRIVER_FRAMES):
            return function(frame)
    if any(f.startswith("CrawlerProcess.start") for f in frames):
        return "Scrapy/Twisted (download, scheduling, HTTP parsing, signals)"
    return "startup: config, crawler setup, other"


def report(path: Path, top: int = 25) -> None:
    total = 0
    components: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for frames, count in samples(path):
        total += count
        components[component(frames)] += count
        for name in {
            function(f) for f in frames if is_project(f) and not f.startswith(DRIVER_FRAMES)
        }:
            inclusive[name] += count
        own[function(frames[-1])] += count
    if not total:
        raise SystemExit(f"{path}: no main-thread samples")

    def table(title: str, counter: Counter[str], limit: int, of: int) -> None:
        print(f"\n{title}")
        for name, count in counter.most_common(limit):
            print(f"  {100 * count / of:5.1f}%  {name}")

    print(f"{path}: {total} main-thread samples of the crawl process")
    table("time by component (outermost topicfeed frame):", components, top, total)
    table("topicfeed functions, inclusive time:", inclusive, top, total)
    table("self time (leaf function, any code):", own, top, total)

    worker_total = 0
    worker_parts: Counter[str] = Counter()
    for frames, count in samples(path, "worker"):
        worker_total += count
        worker_parts[worker_component(frames)] += count
    if worker_total:
        print(f"\n{worker_total} samples of item worker processes "
              f"({100 * worker_total / total:.0f}% of the crawl process's, which include idle)")
        table("item workers, by step (innermost topicfeed frame under the work):",
              worker_parts, top, worker_total)


def worker_component(frames: list[str]) -> str:
    if frames[-1].startswith("serve ("):  # in write()/flush() of the answer pipe
        return "blocked: answer pipe full, the crawl process has not read the last answers"
    if any(frame.startswith("FrameReader.arrived (") for frame in frames):
        return "idle: waiting for the next item (or unpickling it)"
    if any(frame.startswith("_find_and_load") for frame in frames):
        return "startup: imports"
    if any(frame.startswith(("frame (", "encode (")) for frame in frames):
        return "pickling the answer"
    work = [function(frame) for frame in frames if is_project(frame)
            and not frame.startswith(("<module> (", "serve (", "main (", "WorkContext."))]
    # the step one level into the work: prepare → *normalize*, render → *render_note*
    return work[min(1, len(work) - 1)] if work else "other"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--articles", type=int, default=SiteParams.articles)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rate", type=int, default=100, help="samples per second")
    parser.add_argument("--out", type=Path, default=DEFAULT_ROOT / "profile" / "crawl.pyspy.txt")
    parser.add_argument("--report", type=Path, help="summarise this raw py-spy profile and exit")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--cpu", action="store_true",
                        help="sample only threads on a CPU (py-spy without --idle): CPU, not wall time")
    parser.add_argument("--images", choices=("on", "off"), default="off",
                        help="the crawl downloads the matched articles' images (default off)")
    args = parser.parse_args(argv)
    if args.report:
        report(args.report, args.top)
        return 0

    print_machine()
    site = ensure_site(SiteParams(articles=args.articles))
    print(describe(site))
    workdir = args.out.parent
    config = write_config(workdir, site, images=args.images == "on")
    reset_data(workdir)
    settings = {**fast_settings(args.concurrency), "TOPICFEED_NOW": site.recorded_at.isoformat()}
    env = {k: v for k, v in os.environ.items() if k != "TOPICFEED_MIRROR"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    with SnapshotServer(site.root) as server:
        crawl = topicfeed_argv(config, server.url, settings)
        command = [
            py_spy(),
            "record",
            *([] if args.cpu else ["--idle"]),
            "--subprocesses",  # the item workers too
            "-r",
            str(args.rate),
            "-f",
            "raw",
            "-o",
            str(args.out),
            "--",
            *crawl,
        ]
        done = subprocess.run(
            command, cwd=workdir, env=env, capture_output=True, text=True, check=False
        )
    print(done.stdout.strip())
    if done.returncode != 0:
        raise SystemExit(f"py-spy exited {done.returncode}:\n{done.stderr[-3000:]}")
    print(f"raw profile: {args.out} (collapsed stacks; flamegraph.pl or speedscope read it)")
    report(args.out, args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
