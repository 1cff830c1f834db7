"""``topicfeed schedule``: one cron job per source, each run a child ``topicfeed crawl`` process.

The Twisted reactor cannot be restarted, so this process never crawls: every run is
``python -m crawler crawl --source NAME`` with a hard timeout (Scrapy's CLOSESPIDER_TIMEOUT,
set a minute shorter, is the inner guard). The crawl command holds the per-source lock, so a
one-off crawl started by hand while the scheduler runs is safe: one of them exits 75.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from crawler.config import Config, ConfigError, Source, default_config_path
from crawler.locks import SourceLock
from crawler.outcomes import ExitStatus, RunOutcome, RunState, RunStats

if TYPE_CHECKING:
    from crawler.store import RunRecord
    from feeds.server import FeedServer

logger = logging.getLogger(__name__)

DEFAULT_GRACE = 30.0
MIN_MAX_AGE = 60
LISTED_RUNS = 5


def source_trigger(source: Source, timezone: str) -> CronTrigger:
    return CronTrigger.from_crontab(source.schedule, timezone=timezone)


def next_fire_times(trigger: CronTrigger, now: datetime, count: int) -> list[datetime]:
    times: list[datetime] = []
    previous: datetime | None = None
    while len(times) < count:
        fire = trigger.get_next_fire_time(previous, previous or now)
        if fire is None:
            break
        times.append(fire)
        previous = fire
    return times


def shortest_interval(config: Config, now: datetime | None = None) -> int:
    """Seconds between the next two runs of the most frequent enabled source (60 at least).

    Served as ``Cache-Control: max-age``: readers that honour it poll about as often as
    the feeds can change.
    """
    now = now or datetime.now(ZoneInfo(config.scheduler.timezone))
    intervals = []
    for source in enabled_sources(config):
        times = next_fire_times(source_trigger(source, config.scheduler.timezone), now, 2)
        if len(times) == 2:
            intervals.append((times[1] - times[0]).total_seconds())
    return max(MIN_MAX_AGE, int(min(intervals, default=3600)))


def enabled_sources(config: Config) -> list[Source]:
    return [source for source in config.sources if source.enabled]


def schedule_lines(config: Config, now: datetime | None = None, count: int = LISTED_RUNS) -> list[str]:
    """What ``topicfeed schedule --list`` prints: each source's next runs."""
    timezone = config.scheduler.timezone
    now = now or datetime.now(ZoneInfo(timezone))
    lines = [f"timezone {timezone}; each run is limited to {config.scheduler.timeout_minutes:g} minutes"]
    for source in config.sources:
        if not source.enabled:
            lines.append(f"{source.name}: disabled")
            continue
        lines.append(f"{source.name}: {source.schedule}")
        for fire in next_fire_times(source_trigger(source, timezone), now, count):
            lines.append(f"  {fire:%Y-%m-%d %H:%M %z}")
    return lines


def crawl_command(config: Config, data_dir: Path | None) -> list[str]:
    """``python -m crawler crawl`` for the same config file and data folder as this process."""
    command = [sys.executable, "-m", "crawler", "crawl"]
    # The packaged default resolves data_dir against the working folder, which children share.
    if config.path is not None and config.path != default_config_path():
        command += ["--config", str(config.path)]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir.resolve())]
    return command


@dataclass(frozen=True)
class RunResult:
    source: str
    outcome: str
    returncode: int | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def line(self) -> str:
        return f"{self.source}: {self.outcome} (exit {self.returncode}, {self.seconds:.1f}s)"


def child_outcome(config: Config, source: str, returncode: int, started: datetime, stderr: str) -> str:
    """What a child crawl of ``source`` did: its run record in the store, never its human summary.

    No record means the crawl never got going (a bad config, killed): its last stderr line says why.
    """
    if returncode == ExitStatus.BUSY:  # it ran nothing; the lock's pid note names who holds it
        holder = SourceLock(config.state_dir, source).holder_pid(wait=0)
        return f"skipped, {RunOutcome(RunState.BUSY, f'pid {holder}')}"
    run = read_run(config, source, started)
    if run is not None and run.outcome.state is not RunState.RUNNING:
        return f"{run.outcome}; {RunStats.from_mapping(run.stats).line()}"
    last_error = next((line for line in reversed(stderr.splitlines()) if line.strip()), "")
    return f"failed (exit {returncode}{': ' + last_error.strip() if last_error else ''})"


def read_run(config: Config, source: str, started: datetime) -> RunRecord | None:
    from sqlalchemy.exc import SQLAlchemyError

    from crawler.store import Store, StoreError

    try:
        store = Store.open(config.store_url)
        try:
            return store.run_since(source, started)
        finally:
            store.close()
    except (StoreError, SQLAlchemyError) as error:
        logger.warning("%s: could not read the run record from the store: %s", source, error)
        return None


class CrawlRunner:
    """Runs child crawls with a hard timeout; ``stop()`` ends them all for a clean shutdown.

    An instance is the scheduler's job function: ``runner(source_name)``.
    """

    def __init__(self, config: Config, command: Sequence[str], *, grace: float = DEFAULT_GRACE):
        self.config = config
        self.command = list(command)
        self.timeout = config.scheduler.timeout_minutes * 60
        self.grace = grace
        self.hurry = threading.Event()  # a second signal: terminate now instead of waiting
        self._stopping = False
        self._stopped: set[int] = set()
        self._running: dict[str, subprocess.Popen[str]] = {}
        self._changed = threading.Condition()

    def __call__(self, source: str) -> RunResult | None:
        started = time.monotonic()
        with self._changed:
            if self._stopping:
                return None
            # Its own process group: Ctrl-C reaches the scheduler only, which decides the child's end.
            child = subprocess.Popen([*self.command, "--source", source], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, process_group=0)
            self._running[source] = child
        try:
            outcome = self._wait(source, child, datetime.now(UTC))
            result = RunResult(source, outcome, child.returncode, time.monotonic() - started)
            quiet = result.ok or child.returncode == ExitStatus.BUSY
            logger.log(logging.INFO if quiet else logging.WARNING, "%s", result.line())
            return result
        finally:
            with self._changed:
                del self._running[source]
                self._changed.notify_all()

    def _wait(self, source: str, child: subprocess.Popen[str], started: datetime) -> str:
        """The child's outcome, once it has exited on its own, at the timeout or at shutdown."""
        why = ""
        try:
            stdout, stderr = child.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            why = f"timeout after {self.timeout:g}s"
            stdout, stderr = self._end(child)
        with self._changed:
            if child.pid in self._stopped:
                why = "stopped at shutdown"
        if child.returncode == -signal.SIGKILL and why:
            outcome = RunOutcome.failed(f"{why}, killed")
            record_killed_run(self.config, source, started, outcome)
            return str(outcome)
        summary = child_outcome(self.config, source, child.returncode, started, stderr)
        return f"{why}; {summary}" if why else summary

    def _end(self, child: subprocess.Popen[str]) -> tuple[str, str]:
        """SIGTERM (Scrapy closes the spider and records the run), SIGKILL after the grace period."""
        child.terminate()
        try:
            return child.communicate(timeout=self.grace)
        except subprocess.TimeoutExpired:
            child.kill()
            return child.communicate()

    def stop(self) -> None:
        """No new runs; running children get ``grace`` seconds to finish, then are ended."""
        with self._changed:
            self._stopping = True
            if self._running:
                names = ", ".join(sorted(self._running))
                logger.info("waiting up to %gs for running crawls to finish: %s", self.grace, names)
            self._wait_for_children(self.grace, self.hurry)
            for child in self._running.values():
                self._stopped.add(child.pid)
                child.terminate()
            self._wait_for_children(self.grace)
            for child in self._running.values():
                child.kill()
            self._wait_for_children(None)

    def _wait_for_children(self, seconds: float | None, cut_short: threading.Event | None = None) -> None:
        deadline = None if seconds is None else time.monotonic() + seconds
        while self._running and not (cut_short and cut_short.is_set()):
            if deadline is not None and time.monotonic() >= deadline:
                return
            self._changed.wait(0.1)


def record_killed_run(config: Config, source: str, started: datetime, outcome: RunOutcome) -> None:
    """A killed crawl could not record its end: record it, so ``topicfeed status`` tells the truth."""
    from sqlalchemy.exc import SQLAlchemyError

    from crawler.store import Store, StoreError

    try:
        store = Store.open(config.store_url)
        try:
            run = store.run_since(source, started)
            if run is not None and run.outcome.state is RunState.RUNNING:
                store.finish_run(run.id, datetime.now(UTC), outcome, run.stats, run.errors)
        finally:
            store.close()
    except (StoreError, SQLAlchemyError) as error:
        logger.warning("%s: could not record the killed run in the store: %s", source, error)


def build_scheduler(config: Config, job: Callable[[str], object], *, run_now: bool = False
                    ) -> BlockingScheduler:
    timezone = ZoneInfo(config.scheduler.timezone)
    scheduler = BlockingScheduler(timezone=timezone)
    for source in enabled_sources(config):
        first_run = {"next_run_time": datetime.now(timezone)} if run_now else {}
        scheduler.add_job(job, source_trigger(source, config.scheduler.timezone), args=[source.name],
                          id=f"crawl:{source.name}", name=f"crawl {source.name}", max_instances=1,
                          coalesce=True, misfire_grace_time=config.scheduler.misfire_grace_seconds,
                          replace_existing=True, **first_run)
    for target in config.notify:
        if target.mode == "digest":
            scheduler.add_job(digest_job, CronTrigger.from_crontab(target.digest, timezone=config.scheduler.timezone),
                              args=[config, target.name], id=f"digest:{target.name}", name=f"digest {target.name}",
                              max_instances=1, coalesce=True, replace_existing=True,
                              misfire_grace_time=config.scheduler.misfire_grace_seconds)
    return scheduler


def digest_job(config: Config, name: str) -> None:
    """A digest target's time: its stories since the last digest, in one message."""
    from crawler.commands.notify import run_digest

    try:
        logger.info("digest %s: %s", name, run_digest(config, name).line())
    except Exception as error:  # noqa: BLE001 - the scheduler goes on; the outbox keeps the stories
        logger.warning("digest %s: not sent: %s", name, error)


class _StopSignals:
    """SIGINT/SIGTERM: the first ends the scheduler loop, a second one hurries the shutdown."""

    def __init__(self, hurry: threading.Event):
        self.hurry = hurry
        self.received = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.received:
            self.hurry.set()
            return
        self.received = True
        raise KeyboardInterrupt  # BlockingScheduler.start() blocks the main thread: leave it


def run_schedule(config: Config, command: Sequence[str], *, run_now: bool = False,
                 grace: float = DEFAULT_GRACE, server: FeedServer | None = None) -> int:
    """Run the scheduler in the foreground until SIGINT/SIGTERM; returns the exit status."""
    runner = CrawlRunner(config, command, grace=grace)
    scheduler = build_scheduler(config, runner, run_now=run_now)
    if not scheduler.get_jobs():
        raise ConfigError(config.path, "sources", "no source is enabled",
                          "set enabled = true on at least one [[sources]] table")
    handler = _StopSignals(runner.hurry)
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        if server is not None:
            server.start()
            logger.info("serving %s at %s (subscribe: %sindex.opml)", server.root, server.url, server.url)
        for source in enabled_sources(config):
            upcoming = next_fire_times(source_trigger(source, config.scheduler.timezone),
                                       datetime.now(UTC), 1)
            first = "now" if run_now else (upcoming or ["never"])[0]
            logger.info("crawl:%s scheduled (%s), first run %s", source.name, source.schedule, first)
        scheduler.start()
    except KeyboardInterrupt:
        logger.info("stopping: no new runs")
    finally:
        with contextlib.suppress(SchedulerNotRunningError):
            scheduler.shutdown(wait=False)
        runner.stop()
        if server is not None:
            server.stop()
        for sig, old in previous.items():
            signal.signal(sig, old)
    logger.info("scheduler stopped")
    return 0
