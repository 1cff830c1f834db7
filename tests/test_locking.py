"""Per-source locks with real processes: one crawl of a source at a time, dead holders don't block."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import feedparser
import pytest

from crawler.commands.schedule import CrawlRunner, crawl_command
from crawler.config import load_config
from crawler.locks import SourceBusy, SourceLock
from crawler.snapshot.server import SnapshotServer
from crawler.store import Store
from tests.configs import ifeng_config
from tests.conftest import Workspace
from tests.helpers import FAST, STAMP, child_env, read_notes, store_url, summary_lines, write_config
from tests.sites import RECORDED_AT
from tests.sites.ifeng import sample_docs

HOLD = """
import sys, time
from pathlib import Path
from crawler.locks import SourceLock
lock = SourceLock(Path(sys.argv[1]), sys.argv[2])
lock.acquire()
print("locked", flush=True)
time.sleep(60)
"""


def crawl_argv(ws: Workspace) -> list[str]:
    return [sys.executable, "-m", "crawler", "crawl", "--config", str(ws.config), "--mirror", ws.server.url,
            "--set", f"TOPICFEED_NOW={ws.recorded_at}", *FAST]


def start_crawl(ws: Workspace) -> subprocess.Popen[str]:
    return subprocess.Popen(crawl_argv(ws), cwd=ws.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=child_env())


def hold_lock(state_dir: Path, source: str) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(state_dir), source], stdout=subprocess.PIPE,
                              text=True, env=child_env())
    assert holder.stdout.readline().strip() == "locked"
    return holder


# The same story is on hb and hn: which copy is kept depends on crawl order, not on locking.
_DOCS = sample_docs(RECORDED_AT)
SAME_STORY = {_DOCS[role].url for role in ("hb_copy", "hn_copy")}


def outcome_of(data: Path) -> dict[str, object]:
    """What a crawl leaves behind, minus the times it ran at and which copy of SAME_STORY won."""
    notes = {}
    kept_copies = 0
    for url, (_, _, path) in read_notes(data / "archive").items():
        if url in SAME_STORY:
            kept_copies += 1
            continue
        text = path.read_text(encoding="utf-8")
        kept = [line for line in text.splitlines() if not line.startswith(("archived:", "- **归档时间**"))]
        notes[str(path.relative_to(data / "archive"))] = (url, kept)
    store = Store.open(store_url(data))
    try:
        assert store.integrity_ok()  # PRAGMA integrity_check on SQLite
        with store.engine.connect() as db:
            articles = [row for row in db.exec_driver_sql(
                "SELECT canonical_url, content_sha256, title FROM articles ORDER BY 1").all()
                if row[0] not in SAME_STORY]
            matches = db.exec_driver_sql("SELECT count(*) FROM matches").scalar()
    finally:
        store.close()
    feeds = {path.name: [(e.id, e.title) for e in feedparser.parse(path.read_bytes()).entries
                         if e.id not in SAME_STORY]
             for path in sorted((data / "feeds").glob("*.atom"))}
    leftovers = [p.name for p in data.rglob(".tmp-topicfeed-*")]
    return {"notes": notes, "articles": [tuple(row) for row in articles], "matches": matches, "feeds": feeds,
            "temp": leftovers, "kept_copies": kept_copies}


@pytest.fixture(scope="module")
def single_crawl(tmp_path_factory: pytest.TempPathFactory, sample) -> dict[str, object]:
    """The reference: one undisturbed crawl of the sample."""
    root = tmp_path_factory.mktemp("reference")
    snapshot = root / "snapshot"
    shutil.copytree(sample.root, snapshot)
    config = write_config(root, ifeng_config())
    with SnapshotServer(snapshot) as server:
        ws = Workspace(root, config, server, sample.recorded_at.isoformat(), snapshot)
        assert ws.crawl().returncode == 0
    return outcome_of(ws.data)


def test_busy_lock_names_the_live_holder(tmp_path):
    holder = hold_lock(tmp_path, "ifeng-hb")
    try:
        with pytest.raises(SourceBusy) as busy:
            SourceLock(tmp_path, "ifeng-hb").acquire()
        assert busy.value.holder_pid == str(holder.pid)
        SourceLock(tmp_path, "other-source").acquire()  # locks are per source
    finally:
        holder.kill()
        holder.wait()


def test_lock_of_a_killed_holder_does_not_block(tmp_path):
    holder = hold_lock(tmp_path, "ifeng-hb")
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert (tmp_path / "ifeng-hb.pid").read_text() == str(holder.pid)  # the note outlives it
    lock = SourceLock(tmp_path, "ifeng-hb")
    lock.acquire()
    assert (tmp_path / "ifeng-hb.pid").read_text() == str(os.getpid())
    lock.release()
    assert not (tmp_path / "ifeng-hb.pid").exists()


def test_crawl_of_a_locked_source_exits_75_naming_the_holder(ifeng_workspace):
    holder = hold_lock(ifeng_workspace.data / "state", "ifeng-hb")
    try:
        run = ifeng_workspace.crawl()
    finally:
        holder.kill()
        holder.wait()
    assert run.returncode == 75
    assert f"ifeng-hb: skipped, busy (pid {holder.pid})" in summary_lines(run.stderr)
    assert "Traceback" not in run.stderr
    assert ifeng_workspace.server.requests == []
    assert not (ifeng_workspace.data / "feeds").exists()  # nothing crawled, nothing rebuilt


def test_scheduled_run_reports_a_busy_source(ifeng_workspace, monkeypatch):
    monkeypatch.setenv("TOPICFEED_MIRROR", ifeng_workspace.server.url)
    config = load_config(ifeng_workspace.config)
    holder = hold_lock(config.state_dir, "ifeng-hb")
    try:
        result = CrawlRunner(config, crawl_command(config, None), grace=1)("ifeng-hb")
    finally:
        holder.kill()
        holder.wait()
    assert result is not None and result.returncode == 75
    assert result.outcome == f"skipped, busy (pid {holder.pid})"


def test_two_concurrent_crawls_one_exits_75_and_the_result_is_one_crawl(ifeng_workspace, single_crawl):
    ws = ifeng_workspace
    # The site answers nothing until one crawl has ended: whichever took the lock holds it for
    # as long as the other needs to start, however slow the machine.
    gate = threading.Event()
    ws.server.transform = lambda url, body: body if gate.wait(120) else b""
    first, second = start_crawl(ws), start_crawl(ws)
    deadline = time.monotonic() + 120
    while first.poll() is None and second.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    gate.set()
    outputs = {child.pid: child.communicate(timeout=120) for child in (first, second)}
    codes = sorted((first.returncode, second.returncode))
    assert codes == [0, 75], outputs
    loser, winner = (first, second) if first.returncode == 75 else (second, first)
    stderr = outputs[loser.pid][1]
    assert re.search(rf"^{STAMP} ifeng-hb: skipped, busy \(pid {winner.pid}\)$", stderr, re.MULTILINE), stderr
    assert "ifeng-hb: ok; " in outputs[winner.pid][0]
    assert outcome_of(ws.data) == single_crawl
    assert not (ws.data / "state" / "ifeng-hb.pid").exists()


def test_crawl_killed_mid_way_leaves_nothing_that_blocks_or_breaks(ifeng_workspace, single_crawl):
    ws = ifeng_workspace
    ws.server.delay = 0.3
    victim = start_crawl(ws)
    deadline = time.monotonic() + 60
    while len([r for r in ws.server.requests if "/c/" in r]) < 3:  # some articles under way
        assert time.monotonic() < deadline and victim.poll() is None
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.communicate()
    assert (ws.data / "state" / "ifeng-hb.pid").read_text() == str(victim.pid)

    ws.server.delay = 0
    run = ws.crawl()
    assert run.returncode == 0, run.stderr
    assert outcome_of(ws.data) == single_crawl
