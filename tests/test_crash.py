"""kill -9 at random moments: the store stays consistent, nothing committed is lost or doubled."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
import yaml
from lxml import etree

from crawler.fsutil import TEMP_PREFIX
from tests.helpers import read_notes

KILLS = 20


def crawl_command(ws):
    return [sys.executable, "-m", "crawler", "crawl", "--config", str(ws.config), "--mirror", ws.server.url,
            "--set", f"TOPICFEED_NOW={ws.recorded_at}", "--set", "DOWNLOAD_DELAY=0.02",
            "--set", "AUTOTHROTTLE_ENABLED=False", "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=2"]


def stored(db) -> dict[str, str]:
    if not db.exists():
        return {}
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        try:
            return dict(conn.execute("SELECT canonical_url, content_sha256 FROM articles"))
        except sqlite3.OperationalError:  # killed before the schema was created
            return {}


def finished_files_are_whole(data) -> None:
    for note in (data / "archive").rglob("*.md"):
        if not note.name.startswith(TEMP_PREFIX):
            yaml.safe_load(note.read_text(encoding="utf-8").split("---\n", 2)[1])
    for feed in (data / "feeds").glob("*.atom"):
        etree.parse(str(feed))


@pytest.mark.sqlite_only
def test_kill_9_at_random_moments(ifeng_workspace, sample):
    ws = ifeng_workspace
    db = ws.data / "topicfeed.sqlite3"
    rng = random.Random(20261121)
    committed: dict[str, str] = {}
    for _ in range(KILLS):
        process = subprocess.Popen(crawl_command(ws), cwd=ws.root, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, env={**os.environ})
        time.sleep(rng.uniform(0.2, 2.0))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        now = stored(db)
        assert committed.items() <= now.items(), "a committed article was lost"
        committed = now
        finished_files_are_whole(ws.data)

    final = subprocess.run(crawl_command(ws), cwd=ws.root, capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr
    assert committed.items() <= stored(db).items()
    assert not list(ws.data.rglob(TEMP_PREFIX + "*")), "temporary files left behind"

    reference = ws.root / "reference"
    clean = subprocess.run([*crawl_command(ws), "--data-dir", str(reference)], cwd=ws.root,
                           capture_output=True, text=True, timeout=120)
    assert clean.returncode == 0, clean.stderr
    # which copy of the story on both hb and hn is kept depends on crawl order, killed or not
    pair = {sample.ifeng.docs[role].url for role in sample.ifeng.same_text_pair}
    crashed, clean_notes = set(read_notes(ws.data / "archive")), set(read_notes(reference / "archive"))
    assert crashed - pair == clean_notes - pair
    assert len(crashed & pair) == len(clean_notes & pair) == 1
    with sqlite3.connect(db) as conn:
        matched = conn.execute("SELECT COUNT(DISTINCT article_id) FROM matches").fetchone()[0]
    assert matched == len(read_notes(ws.data / "archive"))
