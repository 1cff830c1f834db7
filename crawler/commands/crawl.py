"""One crawl run: lock the sources, run their spiders in one Scrapy process, rebuild the feeds."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.utils.reactor import install_reactor

from crawler.commands.upkeep import catch_up_archive, follow_config, follow_topics_in, prune_unmatched_articles
from crawler.config import Config, Source
from crawler.fsutil import remove_stale_temp_files
from crawler.locks import SourceBusy, SourceLock, feeds_lock
from crawler.outcomes import ExitStatus, RunOutcome, RunState, RunStats
from crawler.runtime import MIRROR_ENV, replay_clock, scrapy_settings
from crawler.startup import import_http_handler
from crawler.store import Store
from crawler.text.dates import shown_time, utcnow
from feeds.build import build_feeds

if TYPE_CHECKING:
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceResult:
    source: str
    outcome: RunOutcome
    stats: RunStats = RunStats()

    @property
    def ok(self) -> bool:
        return self.outcome.succeeded

    @property
    def busy(self) -> bool:
        return self.outcome.state is RunState.BUSY

    def line(self) -> str:
        if self.busy:
            return f"{self.source}: skipped, {self.outcome}"
        return f"{self.source}: {self.outcome}; {self.stats.line()}"


# What a crawl did with the articles its lists gave besides finding them too old.
TAKEN_STATS = ("new", "updated", "unchanged", "alias", "near_duplicate", "prefiltered_out",
               "article_skipped_known", "article_revisited", "article_not_modified")


@dataclass(frozen=True)
class AgeCounts:
    """Articles a crawl skipped for age, and all others it saw: are they all too old?"""

    too_old: int = 0
    others: int = 0
    newest_too_old: datetime | None = None

    @classmethod
    def from_stats(cls, stats: Mapping[str, Any]) -> AgeCounts:
        newest = stats.get("topicfeed/too_old_newest")
        return cls(int(stats.get("topicfeed/too_old", 0)) + int(stats.get("topicfeed/too_old_listed", 0)),
                   sum(int(stats.get(f"topicfeed/{key}", 0)) for key in TAKEN_STATS),
                   datetime.fromtimestamp(newest, UTC) if newest else None)

    def __add__(self, other: AgeCounts) -> AgeCounts:
        newest = max((t for t in (self.newest_too_old, other.newest_too_old) if t), default=None)
        return AgeCounts(self.too_old + other.too_old, self.others + other.others, newest)


@dataclass(frozen=True)
class CrawlReport:
    results: tuple[SourceResult, ...]
    feeds_written: tuple[str, ...]
    ages: AgeCounts = AgeCounts()

    def hints(self) -> list[str]:
        """Lines after the summary for a crawl that looks like a mistake."""
        if not self.ages.too_old or self.ages.others:
            return []
        line = f"every article this crawl saw was older than max_age_days ({self.ages.too_old} skipped for age"
        newest = self.ages.newest_too_old
        if newest is None:
            return [line + "); replaying an old snapshot? add --set TOPICFEED_NOW=<when it was recorded>"]
        return [f"{line}, the newest published {shown_time(newest)}); replaying an old snapshot? "
                f"crawl with its clock: --set TOPICFEED_NOW={replay_clock(newest)}"]

    @property
    def exit_code(self) -> ExitStatus:
        if any(not r.ok and not r.busy for r in self.results):
            return ExitStatus.FAILED
        if any(r.busy for r in self.results):
            return ExitStatus.BUSY
        return ExitStatus.OK


def run_crawl(
    config: Config,
    sources: Sequence[Source],
    *,
    mirror: str = "",
    revisit: bool = False,
    overrides: Mapping[str, Any] | None = None,
    worker_run: str | None = None,
) -> CrawlReport:
    """Crawl ``sources`` once (in this process: call it once per process), then rebuild feeds.

    ``worker_run``: crawl the one source together with the other workers of that run id
    (crawler.scaleout) instead of alone under the per-source lock.
    """
    # the LLM summary step takes what was stored since; whole seconds, as the store keeps times
    started = utcnow()
    if mirror:
        os.environ[MIRROR_ENV] = mirror  # child processes inherit it: nothing escapes the mirror
    Store.open(config.store_url).close()  # a bad store fails here, in one line, not inside Scrapy
    follow_config(config)
    for folder in (config.archive_dir, config.feeds_dir, config.hexo_dir):
        remove_stale_temp_files(folder)
    if worker_run is not None:
        from crawler.scaleout import worker_settings

        overrides = {**worker_settings(config, sources[0], worker_run), **(overrides or {})}
    settings = scrapy_settings(config, mirror=mirror, revisit=revisit, overrides=overrides)
    prune_unmatched_articles(config, sources, settings)
    import_http_handler()  # now, not inside the running reactor, where it costs 65-120 ms more
    results: list[SourceResult] = []
    with contextlib.ExitStack() as held:
        process = CrawlerProcess(settings)
        if settings.getbool("TWISTED_REACTOR_ENABLED") and settings["TWISTED_REACTOR"]:
            # Scrapy installs the reactor while making the first crawler's spider: a first
            # source whose spider cannot be made would leave every other one without a reactor.
            install_reactor(settings["TWISTED_REACTOR"], settings["ASYNCIO_EVENT_LOOP"])
        crawls: list[tuple[Source, Crawler, StartFailures]] = []
        for source in sources:
            if worker_run is None:  # workers coordinate through Redis instead
                lock = SourceLock(config.state_dir, source.name)
                try:
                    lock.acquire()
                except SourceBusy as busy:
                    results.append(SourceResult(source.name, RunOutcome(RunState.BUSY, f"pid {busy.holder_pid}")))
                    continue
                held.callback(lock.release)
            failures = StartFailures(source.name, utcnow())
            crawler = process.create_crawler(process.spider_loader.load(source.spider))
            # One source never stops another: a crawl that fails to start is that source's failed run.
            process.crawl(crawler, source=source.name).addErrback(failures.record)
            crawls.append((source, crawler, failures))
        if crawls:
            process.start()
        ages = AgeCounts()
        for source, crawler, failures in crawls:
            results.append(source_result(config, source, crawler, failures))
            ages += AgeCounts.from_stats(crawl_stats(crawler))
    if worker_run is not None:
        from crawler.scaleout import expire_run

        expire_run(config.cluster.redis_url, sources[0].name, worker_run)
    # Nothing changed if every source was busy: the process crawling them rebuilds the feeds.
    crawled = not results or any(not r.busy for r in results)
    if crawled and config.summary.enabled:
        from crawler.commands.notify import summarise_after_crawl

        summarise_after_crawl(config, started)
    # A worker's archive files are written by the node that renders the cluster's archive.
    written = rebuild_feeds(config, archive=worker_run is None) if crawled else []
    if crawled and config.notify:
        from crawler.commands.notify import deliver_after_crawl

        deliver_after_crawl(config, [r.source for r in results if not r.busy])
    if crawled and config.sync_feishu.enabled:
        from crawler.commands.notify import sync_after_crawl

        sync_after_crawl(config)
    if crawled and config.archive.git:
        from crawler.archive.git import commit_archive  # only archives kept in git

        with feeds_lock(config.state_dir):
            message = commit_archive(config.archive_dir, config.archive.git_remote)
        if message:
            logger.info("Archive commit: %s", message)
    return CrawlReport(tuple(results), tuple(str(p) for p in written), ages)


class StartFailures:
    """Why a source's crawl failed before it could report its run (errback of ``process.crawl``)."""

    def __init__(self, source: str, started: datetime):
        self.source = source
        self.started = started
        self.reason = ""

    def record(self, failure: Failure) -> None:
        error = failure.value
        self.reason = f"{type(error).__name__}: {error}"
        logger.debug("%s did not start", self.source, exc_info=failure.getTracebackObject())


def crawl_stats(crawler: Crawler) -> dict[str, Any]:
    try:
        return crawler.stats.get_stats()
    except RuntimeError:  # the crawl failed before Scrapy made its stats
        return {}


def source_result(config: Config, source: Source, crawler: Crawler, failures: StartFailures) -> SourceResult:
    stats = crawl_stats(crawler)
    outcome = stats.get("topicfeed/outcome")
    run = RunStats.from_mapping({k.removeprefix("topicfeed/run/"): v for k, v in stats.items()
                                 if k.startswith("topicfeed/run/")})
    if isinstance(outcome, RunOutcome):
        return SourceResult(source.name, outcome, run)
    # The run report never ran: record the failed run here, so status shows why.
    why = f"could not start: {failures.reason}" if failures.reason else "spider did not start"
    outcome = RunOutcome.failed(why)
    store = Store.open(config.store_url)
    try:
        run_id = store.start_run(source.name, failures.started)
        store.finish_run(run_id, utcnow(), outcome, dataclasses.asdict(run), [why])
    finally:
        store.close()
    return SourceResult(source.name, outcome, run)


def rebuild_feeds(config: Config, *, archive: bool = True) -> list[Path]:
    """Build every feed from the store, one process at a time; with ``archive``, first write
    every source's archive files that are behind the store (``topicfeed feeds`` renders a
    cluster's whole archive this way).

    Two crawls of different sources may finish together; under the lock, the one that writes
    last is also the one that read the store last, so the feeds never go back in time.
    """
    with feeds_lock(config.state_dir):
        store = Store.open(config.store_url)
        try:
            follow_topics_in(config, store)
            if archive:
                catch_up_archive(config, store)
            return build_feeds(config, store)
        finally:
            store.close()
