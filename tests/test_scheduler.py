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
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from crawler.commands.schedule import (
    CrawlRunner,
    build_scheduler,
    crawl_command,
    schedule_lines,
    shortest_interval,
    summarize,
)
from crawler.config import Config, Source, load_config
from crawler.runtime import MIRROR_ENV
from crawler.snapshot.server import SnapshotServer
from crawler.store import Store
from tests.configs import config_text, paths, source, table, topic
from tests.helpers import store_url, write_config

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


def child_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != MIRROR_ENV}


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


def test_summary_line_is_taken_from_the_child():
    ok = "ifeng-hb: ok; 8 pages, 3 new, 0 updated, 0 duplicates, 0 errors\nfeeds: 2 file(s) changed in x\n"
    assert summarize("ifeng-hb", 0, ok, "") == "ok; 8 pages, 3 new, 0 updated, 0 duplicates, 0 errors"
    assert summarize("ifeng-hb", 75, "feeds: 0", "ifeng-hb: skipped, busy (pid 42)\n") == "skipped, busy (pid 42)"
    bad = "topicfeed: error: /x/topicfeed.toml: sources: no source named 'ifeng-hb'; ...\n"
    assert summarize("ifeng-hb", 2, "", bad) == f"failed (exit 2: {bad.strip()})"
    assert summarize("ifeng-hb", -9, "", "") == "failed (exit -9)"


# -- real child crawls --------------------------------------------------------------------


@pytest.mark.parametrize("setup", [0.1], indirect=True)
def test_hung_crawl_is_ended_at_the_timeout_and_the_next_run_happens(setup, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="crawler.commands.schedule")
    monkeypatch.setenv(MIRROR_ENV, setup.server.url)
    config = load_config(setup.config)
    runner = CrawlRunner(config, crawl_command(config, None), grace=1)
    assert runner.timeout == 6

    setup.server.delay = 60  # never answers within the timeout
    started = time.monotonic()
    hung = runner("ifeng-hb")
    assert time.monotonic() - started < runner.timeout + runner.grace + 3
    assert hung is not None and not hung.ok
    assert hung.outcome.startswith(("failed (timeout after 6s, killed)", "timeout after 6s; "))
    assert hung.line() in caplog.text
    if setup.server.requests:  # the crawl got going (on a loaded machine, starting can take 6s)
        assert setup.last_runs()["ifeng-hb"].outcome.startswith("failed (")  # status tells the truth

    setup.server.delay = 0  # the next scheduled run is not blocked by the killed one
    runner.timeout = 120  # a whole crawl in 6s would be a race on a busy machine
    after = runner("ifeng-hb")
    assert after is not None and after.ok, after.line()
    assert after.outcome.startswith("ok; ") and " 0 new," not in after.outcome
    assert setup.last_runs()["ifeng-hb"].outcome == "ok"
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
        started = time.monotonic()
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=10) == 0
        assert time.monotonic() - started < 2
    finally:
        if child.poll() is None:
            child.kill()
    log = lines.rest()
    assert "Traceback" not in log and "scheduler stopped" in log
    assert log.count(": ok; ") == 2  # once each; the next runs are half an hour away
    runs = setup.last_runs()
    assert {name: run.outcome for name, run in runs.items()} == {"ifeng-hb": "ok", "ifeng-hn": "ok"}
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
        started = time.monotonic()
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=10) == 0
        # a grace period to finish, as long to close after SIGTERM, then SIGKILL
        assert time.monotonic() - started < 2 * 1 + 3
    finally:
        if child.poll() is None:
            child.kill()
    log = lines.rest()
    assert "ifeng-hb: failed (stopped at shutdown, killed)" in log or "ifeng-hb: stopped at shutdown; " in log, log
    with pytest.raises(ProcessLookupError):
        os.kill(crawler_pid, 0)
    assert setup.last_runs()["ifeng-hb"].outcome.startswith("failed (")
