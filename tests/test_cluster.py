"""Several workers share one crawl through Redis (scrapy-redis); a dead worker loses nothing."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter

import pytest

from crawler.snapshot.server import SnapshotServer
from tests.helpers import FAST, read_notes, run_topicfeed

REDIS_URL = os.environ.get("TOPICFEED_TEST_REDIS_URL", "")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="TOPICFEED_TEST_REDIS_URL is not set (no Redis to test against)")


ONE_AT_A_TIME = ("--set", "CONCURRENT_REQUESTS=1", "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=1")


def worker(ws, server, run_id: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "crawler", "crawl", "--config", str(ws.config), "--source", "ifeng-hb",
         "--worker", "--run-id", run_id, "--mirror", server.url, "--set", f"TOPICFEED_NOW={ws.recorded_at}",
         *FAST, *extra],
        cwd=ws.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ})


def render(ws, data_dir=None):
    """``topicfeed feeds``: the cluster's archive and feeds, rendered from the shared store."""
    extra = ("--data-dir", str(data_dir)) if data_dir else ()
    return run_topicfeed("feeds", "--config", str(ws.config), *extra, cwd=ws.root)


def reference_notes(ws) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", "--config", str(ws.config), "--mirror", ws.server.url,
         "--data-dir", str(ws.root / "reference"), "--set", f"TOPICFEED_NOW={ws.recorded_at}", *FAST],
        cwd=ws.root, capture_output=True, text=True, timeout=120, env={
            k: v for k, v in os.environ.items() if k != "TOPICFEED_STORE_URL"})
    assert done.returncode == 0, done.stderr
    return set(read_notes(ws.root / "reference" / "archive"))


def same_story(notes: set[str], expected: set[str], pair: set[str]) -> bool:
    """Equal but for which copy of the story on both hb and hn was kept (crawl order decides)."""
    return notes - pair == expected - pair and len(notes & pair) == len(expected & pair) == 1


@pytest.fixture
def pair(sample) -> set[str]:
    return {sample.ifeng.docs[role].url for role in sample.ifeng.same_text_pair}


@pytest.fixture
def cluster_workspace(ifeng_workspace):
    ws = ifeng_workspace
    ws.config.write_text(ws.config.read_text(encoding="utf-8") + f'\n[cluster]\nredis_url = "{REDIS_URL}"\n',
                         encoding="utf-8")
    return ws


def test_two_workers_equal_one_process_and_fetch_nothing_twice(cluster_workspace, pair):
    ws = cluster_workspace
    expected = reference_notes(ws)
    run_id = uuid.uuid4().hex
    # Slow enough that both overlap; each worker buffers at most CONCURRENT_REQUESTS requests,
    # the rest wait in Redis for whichever worker is free.
    with SnapshotServer(ws.snapshot, delay=0.1) as server:
        workers = [worker(ws, server, run_id, *ONE_AT_A_TIME) for _ in range(2)]
        outputs = [w.communicate(timeout=120) for w in workers]
        requested = [r for r in server.requests if not r.endswith("robots.txt")]
    for process, (_, err) in zip(workers, outputs, strict=True):
        assert process.returncode == 0, err
    pages = [int(re.search(r"; (\d+) pages", out).group(1)) for out, _ in outputs]
    assert all(count > 0 for count in pages), f"both workers take part: {pages}"
    assert render(ws).returncode == 0
    assert same_story(set(read_notes(ws.data / "archive")), expected, pair)
    twice = [url for url, n in Counter(requested).items() if n > 1]
    assert twice == [], f"fetched more than once: {twice}"


def test_a_killed_worker_loses_nothing(cluster_workspace, pair):
    ws = cluster_workspace
    expected = reference_notes(ws)
    run_id = uuid.uuid4().hex
    with SnapshotServer(ws.snapshot, delay=0.1) as server:
        doomed, survivor = (worker(ws, server, run_id, *ONE_AT_A_TIME) for _ in range(2))
        time.sleep(2.0)
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=30)
        _, err = survivor.communicate(timeout=180)
        assert survivor.returncode == 0, err
    assert render(ws).returncode == 0
    notes_after_kill = set(read_notes(ws.data / "archive"))
    assert notes_after_kill - pair <= expected - pair and len(notes_after_kill & pair) <= 1

    with SnapshotServer(ws.snapshot) as server:
        again = worker(ws, server, uuid.uuid4().hex)
        _, err = again.communicate(timeout=120)
        assert again.returncode == 0, err
    assert render(ws).returncode == 0
    assert same_story(set(read_notes(ws.data / "archive")), expected, pair)


def test_one_node_renders_the_whole_archive_of_workers_on_other_machines(cluster_workspace, sample, pair):
    ws = cluster_workspace
    expected = reference_notes(ws)
    shared = ws.root / "shared.sqlite3"  # TOPICFEED_STORE_URL (PostgreSQL mode) overrides it
    ws.config.write_text(ws.config.read_text(encoding="utf-8") + f'\n[store]\nurl = "sqlite:///{shared}"\n',
                         encoding="utf-8")
    run_id = uuid.uuid4().hex
    machines = [ws.root / "machine-1", ws.root / "machine-2"]
    with SnapshotServer(ws.snapshot, delay=0.1) as server:
        workers = [worker(ws, server, run_id, *ONE_AT_A_TIME, "--data-dir", str(data)) for data in machines]
        outputs = [w.communicate(timeout=120) for w in workers]
    for process, (_, err) in zip(workers, outputs, strict=True):
        assert process.returncode == 0, err
    for data in machines:
        assert not read_notes(data / "archive"), "a worker writes no archive files"

    renderer = ws.root / "renderer"
    done = render(ws, renderer)
    assert done.returncode == 0, done.stderr
    notes = read_notes(renderer / "archive")
    assert same_story(set(notes), expected, pair)
    # the story on two hosts: whichever worker stored the second copy, its note names both
    kept = next(url for url in notes if url in pair)
    assert notes[kept][0]["also_at"] == sorted(pair - {kept})
    assert (renderer / "feeds" / "service-outsourcing.atom").is_file()
    assert render(ws, renderer).stdout.startswith("0 file(s) changed"), "a second render writes nothing"
