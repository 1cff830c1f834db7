"""The scheduler: cron jobs wired from the config, child crawls with a hard timeout, clean stops."""

from __future__ import annotations

import http.client
import logging
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from crawler.commands.schedule import (
    CrawlRunner,
    build_scheduler,
    child_outcome,
    crawl_command,
    schedule_lines,
    shortest_interval,
)
from crawler.config import Config, Source, load_config
from crawler.locks import SourceLock
from crawler.outcomes import RunOutcome, RunState
from crawler.runtime import MIRROR_ENV
from crawler.snapshot.server import SnapshotServer
from crawler.store import Store
from tests.configs import config_text, paths, source, table, topic
from tests.helpers import child_env, store_url, write_config

SHANGHAI = ZoneInfo("Asia/Shanghai")


def schedule_config(timeout: float, now: str) -> str:
    """Two ifeng sources on different schedules and a disabled one, replaying the sample
    snapshot: no politeness delays, article ages judged at its recording time."""
    return config_text(
        paths(),
        topic(),
        source("ifeng-hb", "ifeng", schedule="*/30 * * * *",
               args={"regions": ["hb"], "search": False}),
        source("ifeng-hn", "ifeng", schedule="0 * * * *",
               args={"regions": ["hn"], "search": False}),
        source("ifeng-off", "ifeng", schedule="* * * * *", enabled=False),
        table("scheduler", timezone="Asia/Shanghai", timeout_minutes=timeout,
              misfire_grace_seconds=120),
        table("crawl.settings", DOWNLOAD_DELAY=0, AUTOTHROTTLE_ENABLED=False,
              CONCURRENT_REQUESTS_PER_DOMAIN=8, TOPICFEED_NOW=now),
    )


@dataclass
class Setup:
    root: Path
    config: Path
    server: SnapshotServer

    @property
    def data(self) -> Path:
        return self.root / "data"

    def last_runs(self) -> dict:
        store = Store.open(store_url(self.data))
        try:
            return store.last_runs()
        finally:
            store.close()


@pytest.fixture
def setup(tmp_path: Path, sample, request) -> Iterator[Setup]:
    timeout = getattr(request, "param", 1.0)
    snapshot = tmp_path / "snapshot"
    shutil.copytree(sample.root, snapshot)
    config = write_config(tmp_path, schedule_config(timeout, sample.recorded_at.isoformat()))
    with SnapshotServer(snapshot) as server:
        yield Setup(tmp_path, config, server)


# -- wiring, without a clock --------------------------------------------------------------


def test_one_cron_job_per_enabled_source(setup):
    config = load_config(setup.config)
    scheduler = build_scheduler(config, print)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert sorted(jobs) == ["crawl:ifeng-hb", "crawl:ifeng-hn"]
    job = jobs["crawl:ifeng-hb"]
    assert job.args == ("ifeng-hb",)
    assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, 120)
    assert isinstance(job.trigger, CronTrigger) and job.trigger.timezone == SHANGHAI
    assert not hasattr(job, "next_run_time")  # first run from the trigger, not at start
    now = datetime(2026, 3, 1, 10, 7, tzinfo=SHANGHAI)
    assert job.trigger.get_next_fire_time(None, now) == datetime(2026, 3, 1, 10, 30, tzinfo=SHANGHAI)


def test_run_now_fires_every_job_at_start(setup):
    config = load_config(setup.config)
    before = datetime.now(SHANGHAI)
    scheduler = build_scheduler(config, print, run_now=True)
    for job in scheduler.get_jobs():
        assert before <= job.next_run_time <= datetime.now(SHANGHAI)


def test_shortest_interval_of_enabled_sources(setup):
    config = load_config(setup.config)
    # ifeng-off runs every minute, but is disabled
    assert shortest_interval(config, datetime(2026, 3, 1, 10, 7, tzinfo=SHANGHAI)) == 1800

    def only(schedule: str) -> Config:
        return Config(path=None, data_dir=setup.data, sources=(Source("x", "ifeng", schedule),))

    # from the next two runs: 09:00 then 18:00, or 18:00 then 09:00 the next day
    assert shortest_interval(only("0 9,18 * * *"), datetime(2026, 3, 1, 8, 0, tzinfo=SHANGHAI)) == 9 * 3600
    assert shortest_interval(only("0 9,18 * * *"), datetime(2026, 3, 1, 10, 0, tzinfo=SHANGHAI)) == 15 * 3600
    assert shortest_interval(only("* * * * *")) == 60


def test_list_shows_next_runs(setup):
    lines = schedule_lines(load_config(setup.config), datetime(2026, 3, 1, 10, 7, tzinfo=SHANGHAI), count=3)
    assert lines[1:] == [
        "ifeng-hb: */30 * * * *", "  2026-03-01 10:30 +0800", "  2026-03-01 11:00 +0800", "  2026-03-01 11:30 +0800",
        "ifeng-hn: 0 * * * *", "  2026-03-01 11:00 +0800", "  2026-03-01 12:00 +0800", "  2026-03-01 13:00 +0800",
        "ifeng-off: disabled",
    ]
    done = subprocess.run([sys.executable, "-m", "crawler", "schedule", "--list", "--config", str(setup.config)],
                          cwd=setup.root, capture_output=True, text=True, timeout=60, check=False, env=child_env())
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n  20") == 10 and "ifeng-off: disabled" in done.stdout


def test_child_command_uses_the_same_config_and_data_dir(setup):
    config = load_config(setup.config)
    assert crawl_command(config, None) == [sys.executable, "-m", "crawler", "crawl", "--config", str(setup.config)]
    assert crawl_command(config, Path("elsewhere"))[-2:] == ["--data-dir", str(Path("elsewhere").resolve())]
    assert "--config" not in crawl_command(load_config(None), None)  # the packaged default: same lookup


def test_the_outcome_is_read_from_the_childs_run_record_not_its_output(setup):
    config = load_config(setup.config)
    started = datetime.now(ZoneInfo("UTC"))
    store = Store.open(config.store_url)
    try:
        run = store.start_run("ifeng-hb", started)
        store.finish_run(run, started, RunOutcome.ok(), {"pages": 8, "new": 3, "skipped_known": 2}, [])
    finally:
        store.close()
    misleading = "ifeng-hb: failed (this line is for people); 0 pages, 0 new, 0 updated, 0 duplicates, 0 errors\n"
    assert child_outcome(config, "ifeng-hb", 0, started, misleading) == (
        "ok; 8 pages, 3 new, 0 updated, 0 duplicates, 0 errors")
    bad = "topicfeed: error: /x/topicfeed.toml: sources: no source named 'ifeng-hn'; ...\n"
    assert child_outcome(config, "ifeng-hn", 2, started, bad) == f"failed (exit 2: {bad.strip()})"
    assert child_outcome(config, "ifeng-hn", -9, started, "") == "failed (exit -9)"
    # an older run of the source is not this child's
    assert child_outcome(config, "ifeng-hb", 1, started + timedelta(seconds=5), "") == "failed (exit 1)"


def test_a_busy_childs_outcome_names_the_lock_holder(setup):
    config = load_config(setup.config)
    with SourceLock(config.state_dir, "ifeng-hb"):
        outcome = child_outcome(config, "ifeng-hb", 75, datetime.now(ZoneInfo("UTC")), "")
    assert outcome == f"skipped, busy (pid {os.getpid()})"


# -- real child crawls --------------------------------------------------------------------


@pytest.mark.parametrize("setup", [0.1], indirect=True)
def test_hung_crawl_is_ended_at_the_timeout_and_the_next_run_happens(setup, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="crawler.commands.schedule")
    monkeypatch.setenv(MIRROR_ENV, setup.server.url)
    config = load_config(setup.config)
    runner = CrawlRunner(config, crawl_command(config, None), grace=1)
    assert runner.timeout == 6

    setup.server.delay = 60  # never answers within the timeout
    hung = runner("ifeng-hb")  # ended by the timeout, not by the server's 60 s delay: its outcome says so
    assert hung is not None and not hung.ok
    assert hung.outcome.startswith(("failed (timeout after 6s, killed)", "timeout after 6s; "))
    assert hung.line() in caplog.text
    if setup.server.requests:  # the crawl got going (on a loaded machine, starting can take 6s)
        assert setup.last_runs()["ifeng-hb"].outcome.state is RunState.FAILED  # status tells the truth

    setup.server.delay = 0  # the next scheduled run is not blocked by the killed one
    runner.timeout = 120  # a whole crawl in 6s would be a race on a busy machine
    after = runner("ifeng-hb")
    assert after is not None and after.ok, after.line()
    assert after.outcome.startswith("ok; ") and " 0 new," not in after.outcome
    assert setup.last_runs()["ifeng-hb"].outcome == RunOutcome.ok()
    assert after.line() in caplog.text


class Lines:
    """A child's stderr, read line by line in a thread, waited for with a deadline."""

    def __init__(self, stream) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self._queue.put(line)

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        for line in self.seen:
            if text in line:
                return line
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"{text!r} not seen in:\n{''.join(self.seen)}")

    def rest(self) -> str:
        time.sleep(0.2)
        while not self._queue.empty():
            self.seen.append(self._queue.get())
        return "".join(self.seen)


def start_schedule(setup: Setup, *extra: str) -> tuple[subprocess.Popen[str], Lines]:
    child = subprocess.Popen(
        [sys.executable, "-m", "crawler", "schedule", "--config", str(setup.config),
         "--mirror", setup.server.url, *extra],
        cwd=setup.root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=child_env())
    return child, Lines(child.stderr)


@pytest.mark.parametrize("setup", [1.0], indirect=True)
def test_run_now_crawls_every_source_once_then_sigterm_stops_it(setup):
    child, lines = start_schedule(setup, "--run-now", "--grace", "2", "--serve", "--port", "0")
    try:
        port = int(re.search(r" at http://127\.0\.0\.1:(\d+)/", lines.wait_for("serving "))[1])
        done = {lines.wait_for(f"{name}: ok; ").split(f"{name}: ", 1)[1] for name in ("ifeng-hb", "ifeng-hn")}
        assert all(" new, " in line and "(exit 0, " in line for line in done)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/service-outsourcing.atom")
        feed = connection.getresponse()
        assert feed.status == 200 and b"<entry>" in feed.read()  # one process crawls and serves
        connection.close()
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=10) == 0  # a generous bound for a loaded machine, not a measure
    finally:
        if child.poll() is None:
            child.kill()
    log = lines.rest()
    assert "Traceback" not in log and "scheduler stopped" in log
    # nothing was running, so nothing was waited for: it stopped without a grace period
    assert "waiting up to" not in log and log.index("stopping: no new runs") < log.index("scheduler stopped")
    assert log.count(": ok; ") == 2  # once each; the next runs are half an hour away
    runs = setup.last_runs()
    assert {name: str(run.outcome) for name, run in runs.items()} == {"ifeng-hb": "ok", "ifeng-hn": "ok"}
    assert (setup.data / "feeds" / "service-outsourcing.atom").is_file()


@pytest.mark.parametrize("setup", [1.0], indirect=True)
def test_sigterm_during_a_crawl_ends_it_within_the_grace_period(setup):
    setup.server.delay = 30  # the crawl cannot finish on its own
    child, lines = start_schedule(setup, "--run-now", "--grace", "1")
    try:
        pid_note = setup.data / "state" / "ifeng-hb.pid"
        deadline = time.monotonic() + 30
        while not (pid_note.exists() and setup.server.requests):  # locked, and crawling
            assert time.monotonic() < deadline, lines.rest()
            time.sleep(0.05)
        crawler_pid = int(pid_note.read_text())
        child.send_signal(signal.SIGTERM)
        # a grace period to finish, as long to close after SIGTERM, then SIGKILL: 2 s, and 30 s
        # is only a generous bound for a loaded machine (the log below says what happened)
        assert child.wait(timeout=30) == 0
    finally:
        if child.poll() is None:
            child.kill()
    log = lines.rest()
    assert "ifeng-hb: failed (stopped at shutdown, killed)" in log or "ifeng-hb: stopped at shutdown; " in log, log
    with pytest.raises(ProcessLookupError):
        os.kill(crawler_pid, 0)
    assert setup.last_runs()["ifeng-hb"].outcome.state is RunState.FAILED
