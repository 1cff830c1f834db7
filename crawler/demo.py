"""``topicfeed demo``: the whole pipeline, offline, on the bundled sample snapshot (DESIGN §9)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from crawler.config import Config
from crawler.crawl import run_crawl
from crawler.samples import build_sample_snapshot
from crawler.snapshot import SnapshotServer

# Replaying a local snapshot: no reason to wait between requests.
DEMO_SETTINGS = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "LOG_LEVEL": "WARNING",
                 "CONCURRENT_REQUESTS_PER_DOMAIN": "4"}


def recorded_at(snapshot: Path) -> str:
    return json.loads((snapshot / "index.json").read_text(encoding="utf-8"))["recorded_at"]


def run_demo(config: Config, *, serve: bool, port: int) -> int:
    snapshot = build_sample_snapshot(config.data_dir / "snapshot")
    print(f"sample snapshot: {snapshot}")
    with SnapshotServer(snapshot) as server:
        print(f"snapshot server: {server.url} (mirror convention)")
        report = run_crawl(config, config.sources, mirror=server.url,
                           overrides={**DEMO_SETTINGS, "TOPICFEED_NOW": recorded_at(snapshot)})
    for result in report.results:
        print(result.line())
    print(f"store:   {config.store_url}")
    print(f"archive: {config.archive_dir}")
    print(f"feeds:   {config.feeds_dir}")
    for feed in sorted(config.feeds_dir.glob("*.atom")):
        print(f"  {feed}")
    if serve:
        from feeds.server import serve_feeds

        print(f"subscribe: {config.feeds.base_url.replace('8080', str(port))}index.opml  (Ctrl-C to stop)",
              file=sys.stdout, flush=True)
        serve_feeds(config, host="127.0.0.1", port=port)
    return report.exit_code
