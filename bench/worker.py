"""The item worker alone: the site's article pages fed through its pipe as a crawl feeds them.

Parses the synthetic site's article pages from disk as the ifeng spider does (before the clock
starts), then starts ``python -m crawler.itemwork.child`` on a fresh store and sends it what
``StorePipeline`` and ``ArchivePipeline`` send: a ``PrepareAndSave`` per page, up to
``--window`` of them unanswered (a crawl's items in flight), and an ``Archive`` for each
article that matched. No crawl process, no Scrapy: the worker's own cost per page, start-up
and store included, which is what limits a crawl when the worker is the busier process.

    python -m bench.worker [--articles 2000] [--window 16] [--rounds 3]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.common import print_machine, write_config
from bench.itemwork import parsed_articles
from bench.site import SiteParams, describe, ensure_site
from crawler.archive.writer import ArchiveWriter
from crawler.config import Config, load_config
from crawler.items import Article
from crawler.itemwork import Archive, PrepareAndSave, StoreLink, WorkContext
from crawler.itemwork.frames import FrameReader, frame
from crawler.itemwork.pipes import PIPE_BYTES
from crawler.store import SaveOutcome
from crawler.text.topics import TopicMatcher


@dataclass(frozen=True)
class WorkerRun:
    pages: int
    archived: int
    wall: float  # spawn to exit
    first_answer: float  # spawn to the first answer: start-up, imports, the store opened
    cpu: float  # the worker's user + system time

    def line(self, name: str) -> str:
        return (f"{name:8} {self.pages:6} {self.archived:6} {self.wall:7.2f} {self.first_answer:7.2f} "
                f"{self.cpu:7.2f} {self.cpu / self.pages * 1000:8.2f}")


def context_for(config: Config) -> WorkContext:
    """What CrawlResources sends a worker for this config."""
    return WorkContext(TopicMatcher(config.topics), ArchiveWriter.from_config(config),
                       StoreLink(config.store_url), config.archive.near_duplicate_similarity)


def feed(articles: Sequence[Article], context: WorkContext, window: int) -> WorkerRun:
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "crawler.itemwork.child"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert child.stdin is not None and child.stdout is not None
    for pipe in (child.stdin, child.stdout):  # as the crawl widens them (crawler.itemwork.pipes)
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    answers = FrameReader(child.stdout.fileno())
    child.stdin.write(frame(context))
    waiting: deque[str] = deque()  # the kind of each job sent and not answered, in order
    pages = iter(articles)
    first_answer = 0.0
    archived = 0
    sent_all = False
    while not sent_all or waiting:
        while not sent_all and len(waiting) < window:
            item = next(pages, None)
            if item is None:
                sent_all = True
                break
            child.stdin.write(frame(PrepareAndSave(item)))
            waiting.append("save")
        child.stdin.flush()
        for ok, value in answers.arrived():
            if not first_answer:
                first_answer = time.perf_counter() - start
            kind = waiting.popleft()
            if not ok:
                raise SystemExit(f"the worker failed a {kind}: {value!r}")
            if kind == "save" and value.topics and value.save_outcome is SaveOutcome.NEW:
                child.stdin.write(frame(Archive(value.stored_id)))
                waiting.append("archive")
                archived += 1
        child.stdin.flush()
    child.stdin.close()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    return WorkerRun(len(articles), archived, wall, first_answer, usage.ru_utime + usage.ru_stime)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.worker", description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=SiteParams.articles)
    parser.add_argument("--window", type=int, default=16, help="jobs sent and not yet answered")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    print_machine()
    site = ensure_site(SiteParams(articles=args.articles))
    print(describe(site))
    runs = []
    with tempfile.TemporaryDirectory(prefix="topicfeed-worker-") as scratch:
        articles = parsed_articles(load_config(write_config(Path(scratch) / "parse", site)), site,
                                   args.articles)
        print(f"{len(articles)} article pages parsed; window {args.window}\n")
        print(f"{'run':8} {'pages':>6} {'notes':>6} {'wall s':>7} {'first s':>7} {'cpu s':>7} {'ms/page':>8}")
        for n in range(args.rounds):
            config = load_config(write_config(Path(scratch) / f"round-{n}", site))
            run = feed(articles, context_for(config), args.window)
            runs.append(run)
            print(run.line(f"round-{n + 1}"))
    cpu = statistics.median(run.cpu / run.pages * 1000 for run in runs)
    first = statistics.median(run.first_answer for run in runs)
    print(f"\nmedian worker CPU per page {cpu:.2f} ms; spawn to first answer {first:.2f} s; "
          f"peak RSS of the worker {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
