"""kill -9 at random moments of a ``topicfeed crawl`` of the synthetic site, then one crawl to the end:
nothing is lost for good (issue 19's "held" requirement).

Each killed crawl gets SIGKILL after a random time; odd rounds kill the crawl process alone
(its item worker sees its input close), even rounds the whole process group at once (crawl and
worker together, as a machine reset would). Then one crawl runs to its end, and the data dir
must hold what one uninterrupted crawl gives: every article stored once, every matched one
with its note, no archive file ahead of the store, no temporary file left, an intact store.

    python -m bench.killloop [--articles 2000] [--kills 6] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from bench.common import REPO, fast_settings, print_machine, reset_data, topicfeed_argv, write_config
from bench.site import DEFAULT_ROOT, SiteParams, describe, ensure_site
from crawler.config import load_config
from crawler.fsutil import TEMP_PREFIX
from crawler.snapshot.server import SnapshotServer
from crawler.store import Store
from tests.helpers import read_notes


def check(config_path: Path, site_articles: int, site_matching: int) -> list[str]:
    """What is wrong with the data dir after the last crawl (empty: nothing)."""
    config = load_config(config_path)
    problems = []
    store = Store.open(config.store_url)
    try:
        articles = store.all_articles()
        matched = [a for a in articles if a.topics]
        if len(articles) != site_articles:
            problems.append(f"{len(articles)} articles stored, expected {site_articles}")
        if len(matched) != site_matching:
            problems.append(f"{len(matched)} matched articles, expected {site_matching}")
        behind = [a for a in matched if a.archived_version != a.version]
        if behind:
            problems.append(f"{len(behind)} matched articles not archived at their version")
        notes = read_notes(config.archive_dir)
        stored_urls = {a.canonical_url for a in matched}
        if set(notes) - stored_urls:
            problems.append(f"{len(set(notes) - stored_urls)} notes of articles not stored as matched")
        if stored_urls - set(notes):
            problems.append(f"{len(stored_urls - set(notes))} matched articles without a note")
        if not store.integrity_ok():
            problems.append("store integrity check failed")
    finally:
        store.close()
    leftovers = list(config.data_dir.rglob(TEMP_PREFIX + "*"))
    if leftovers:
        problems.append(f"{len(leftovers)} temporary files left")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.killloop", description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=SiteParams.articles)
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-seconds", type=float, default=10.0, help="kill within this long of the start")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_ROOT / "killloop")
    args = parser.parse_args(argv)

    print_machine()
    site = ensure_site(SiteParams(articles=args.articles))
    print(describe(site))
    config = write_config(args.workdir, site, images=False)
    reset_data(args.workdir)
    chance = random.Random(args.seed)
    settings = {**fast_settings(16), "TOPICFEED_NOW": site.recorded_at.isoformat()}
    settings.pop("STATS_CLASS")
    env = {k: v for k, v in os.environ.items() if k != "TOPICFEED_MIRROR"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    with SnapshotServer(site.root) as server:
        argv_crawl = topicfeed_argv(config, server.url, settings)
        for number in range(1, args.kills + 1):
            delay = chance.uniform(0.5, args.max_seconds)
            crawl = subprocess.Popen(argv_crawl, cwd=args.workdir, env=env, start_new_session=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            whole_group = number % 2 == 0
            if crawl.poll() is None:
                if whole_group:
                    os.killpg(crawl.pid, signal.SIGKILL)
                else:
                    os.kill(crawl.pid, signal.SIGKILL)
            crawl.wait()
            print(f"kill {number}: after {delay:.1f} s, {'process group' if whole_group else 'crawl process'}"
                  f" (exit {crawl.returncode})", flush=True)
        time.sleep(1)  # a worker whose crawl was killed alone ends when its input closes
        final = subprocess.run(argv_crawl, cwd=args.workdir, env=env, capture_output=True, text=True,
                               check=False)
    print(f"final crawl: exit {final.returncode}; {final.stdout.strip()}")
    problems = check(config, len(site.article_urls), len(site.matching_urls))
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("nothing lost" if not problems and final.returncode == 0 else "LOST OR BROKEN")
    return 0 if not problems and final.returncode == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
