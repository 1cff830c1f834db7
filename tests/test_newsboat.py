"""A real feed reader (Debian's newsboat) subscribes through index.opml and reads the served feeds."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import feedparser
import pytest

from crawler.snapshot.server import SnapshotServer
from feeds.server import FeedServer
from tests.configs import ifeng_config
from tests.conftest import Workspace
from tests.helpers import write_config

NEWSBOAT = shutil.which("newsboat")

pytestmark = pytest.mark.skipif(
    NEWSBOAT is None, reason="newsboat is not installed (apt-get install newsboat; .ci/run does)")


class Newsboat:
    """newsboat with its own urls, cache and config files, run non-interactively."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.urls = folder / "urls"
        self.cache = folder / "cache.db"
        self.config = folder / "config"
        self.config.write_text("reload-threads 2\ndownload-timeout 20\n", encoding="utf-8")
        self.env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        self.env.update(HOME=str(folder), LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="dumb")

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        files = ["-u", str(self.urls), "-c", str(self.cache), "-C", str(self.config)]
        done = subprocess.run([NEWSBOAT, *args, *files], cwd=self.folder, env=self.env, capture_output=True,
                              text=True, timeout=120, stdin=subprocess.DEVNULL, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    def items(self) -> list[tuple[str, str]]:
        with sqlite3.connect(self.cache) as db:
            return db.execute("SELECT guid, feedurl FROM rss_item WHERE deleted = 0 ORDER BY guid").fetchall()


def entry_ids(feeds_dir: Path) -> dict[str, list[str]]:
    return {path.name: [entry.id for entry in feedparser.parse(path.read_bytes()).entries]
            for path in sorted(feeds_dir.glob("*.atom"))}


def guids(items: list[tuple[str, str]]) -> list[str]:
    return sorted(guid for guid, _ in items)


def test_newsboat_imports_the_opml_and_reads_every_entry(tmp_path, sample):
    snapshot = tmp_path / "snapshot"
    shutil.copytree(sample.root, snapshot)
    reader = tmp_path / "reader"
    reader.mkdir()
    feeds_dir = tmp_path / "data" / "feeds"
    with FeedServer(feeds_dir, port=0, max_age=1800) as server, SnapshotServer(snapshot) as site:
        # the OPML and the feeds' self links must name the address they are served at
        config = write_config(tmp_path, ifeng_config(base_url=server.url))
        ws = Workspace(tmp_path, config, site, sample.recorded_at.isoformat(), snapshot)
        assert ws.crawl().returncode == 0
        ids = entry_ids(feeds_dir)
        assert len(ids) == 2 and all(ids.values())

        newsboat = Newsboat(reader)
        newsboat.run("-i", str(feeds_dir / "index.opml"))
        subscribed = newsboat.urls.read_text(encoding="utf-8").split()
        assert sorted(subscribed) == sorted(f"{server.url}{name}" for name in ids)

        newsboat.run("-x", "reload")
        items = newsboat.items()
        # newsboat keys items by GUID across all feeds: an article in two topic feeds is one item
        every_entry = {entry for entries in ids.values() for entry in entries}
        assert {guid for guid, _ in items} == every_entry
        assert len(items) == len(every_entry)
        fetched = [s for s in server.served if s.path.endswith(".atom")]
        assert sorted(s.status for s in fetched) == [200, 200]

        before = {path.name: path.read_bytes() for path in feeds_dir.glob("*.atom")}
        assert ws.crawl().returncode == 0
        assert {path.name: path.read_bytes() for path in feeds_dir.glob("*.atom")} == before

        newsboat.run("-x", "reload")
        # the same items; an article in two feeds may be filed under either after a reload
        assert guids(newsboat.items()) == guids(items)

        # newsboat 2.21 saves a feed's ETag before the feed's own row on the first reload, so
        # only from the second reload on does it ask conditionally: nothing changed, 304s.
        asked = len(server.served)
        newsboat.run("-x", "reload")
        assert guids(newsboat.items()) == guids(items)
        again = [s for s in list(server.served)[asked:] if s.path.endswith(".atom")]
        assert sorted(s.status for s in again) == [304, 304]
