"""``topicfeed demo``: the whole pipeline, offline, on the bundled sample snapshot (DESIGN §9)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING

from crawler.commands.crawl import run_crawl
from crawler.config import Config
from crawler.snapshot import DEMO_SNAPSHOT
from crawler.snapshot.server import SnapshotServer

if TYPE_CHECKING:
    from feeds.server import FeedServer

# Replaying a local snapshot: no reason to wait between requests.
DEMO_SETTINGS = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "LOG_LEVEL": "WARNING",
                 "CONCURRENT_REQUESTS_PER_DOMAIN": "4"}


def recorded_at(snapshot: Path) -> str:
    return json.loads((snapshot / "index.json").read_text(encoding="utf-8"))["recorded_at"]


def run_demo(config: Config, *, server: FeedServer | None = None) -> int:
    """Crawl the sample snapshot, build the feeds, then serve them on ``server`` until Ctrl-C."""
    if server is not None:
        # Feed ids, self links and the OPML point where the feeds are actually served.
        config = dataclasses.replace(config, feeds=dataclasses.replace(config.feeds, base_url=server.url))
    print(f"sample snapshot: {DEMO_SNAPSHOT}")
    with SnapshotServer(DEMO_SNAPSHOT) as snapshot_server:
        print(f"snapshot server: {snapshot_server.url} (mirror convention)")
        report = run_crawl(config, config.sources, mirror=snapshot_server.url,
                           overrides={**DEMO_SETTINGS, "TOPICFEED_NOW": recorded_at(DEMO_SNAPSHOT)})
    for result in report.results:
        print(result.line())
    print(f"store:   {config.store_url}")
    print(f"archive: {config.archive_dir}")
    print(f"feeds:   {config.feeds_dir}")
    for feed in sorted(config.feeds_dir.glob("*.atom")):
        print(f"  {feed}")
    if server is not None:
        from feeds.server import serve_until_stopped

        serve_until_stopped(server)
    return report.exit_code
