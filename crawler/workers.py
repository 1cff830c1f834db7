"""A worker process for the crawl's CPU-heavy item work, so Scrapy's one thread keeps crawling.

Preparing an article (sanitising, text, topics, hashes; crawler.prepare) and rendering its
archive files cost several times what Scrapy spends downloading and parsing the page. Both
are pure functions of their input, so they run in a process pool and the reactor thread only
waits for the result. The store stays in the crawl process: one writer, as before.

``TOPICFEED_ITEM_WORKERS`` sets the number of processes; 0 does the work in the crawl process
(the default on a single CPU). The pool starts with the first item, so a crawl that finds
nothing new never pays for it.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeVar

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from crawler.archive import ArchiveWriter
from crawler.items import Article
from crawler.prepare import prepare
from crawler.runtime import config_from_settings
from crawler.store import StoredArticle
from crawler.topics import TopicMatcher

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

T = TypeVar("T")
WORKERS_SETTING = "TOPICFEED_ITEM_WORKERS"
PARENT_CHECK_SECONDS = 1.0


@dataclass(frozen=True)
class WorkContext:
    """What the item work needs besides the item: built once per process."""

    matcher: TopicMatcher
    writer: ArchiveWriter

    def prepare(self, item: Article) -> Article:
        return prepare(item, self.matcher)

    def render(self, article: StoredArticle) -> list[tuple[Path, str]]:
        return self.writer.render(article)


_context: WorkContext | None = None  # in a worker process: set by _start_worker


def _start_worker(context: WorkContext, parent_pid: int) -> None:
    global _context
    _context = context
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()


def _exit_with_parent(parent_pid: int) -> None:
    # A crawl killed with SIGKILL (the scheduler's hard timeout, kill -9) cannot stop its
    # pool; without this its workers would wait for work forever.
    while os.getppid() == parent_pid:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def _prepare_in_worker(item: Article) -> Article:
    assert _context is not None
    return _context.prepare(item)


def _render_in_worker(article: StoredArticle) -> list[tuple[Path, str]]:
    assert _context is not None
    return _context.render(article)


def default_worker_count() -> int:
    return 1 if (os.cpu_count() or 1) > 1 else 0


class ItemWorkers:
    """One per crawl (``from_crawler`` shares it between the pipelines)."""

    def __init__(self, context: WorkContext, processes: int):
        self.context = context
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        existing = getattr(crawler, "_topicfeed_item_workers", None)
        if existing is not None:
            return existing
        config = config_from_settings(crawler.settings)
        setting = crawler.settings.get(WORKERS_SETTING)
        processes = default_worker_count() if setting in (None, "") else int(setting)
        workers = cls(WorkContext(TopicMatcher(config.topics), ArchiveWriter.from_config(config)),
                      max(0, processes))
        crawler._topicfeed_item_workers = workers  # type: ignore[attr-defined]
        crawler.signals.connect(workers.close, signal=signals.spider_closed)
        return workers

    async def prepare(self, item: Article) -> Article:
        return await self._run(_prepare_in_worker, self.context.prepare, item)

    async def render(self, article: StoredArticle) -> list[tuple[Path, str]]:
        return await self._run(_render_in_worker, self.context.render, article)

    async def _run(self, remote: Callable[[Any], T], local: Callable[[Any], T], arg: Any) -> T:
        pool = self._ensure_pool()
        if pool is None:
            return local(arg)
        try:
            return await maybe_deferred_to_future(_deferred(pool.submit(remote, arg)))
        except BrokenProcessPool:
            # A worker died (out of memory, killed): finish the crawl without the pool.
            logger.warning("The item worker process died; doing item work in the crawl process")
            self.processes = 0
            self._pool = None
            return local(arg)

    def _ensure_pool(self) -> ProcessPoolExecutor | None:
        if self._pool is None and self.processes > 0:
            # spawn, not fork: the crawl process runs a reactor and threads
            self._pool = ProcessPoolExecutor(
                self.processes, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker, initargs=(self.context, os.getpid()))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _deferred(future: Future[T]) -> Deferred[T]:
    """A Deferred fired in the reactor thread when ``future`` (another thread's) is done."""
    from twisted.internet import reactor

    deferred: Deferred[T] = Deferred()

    def fire(done: Future[T]) -> None:
        if done.cancelled():  # the pool was shut down
            deferred.errback(Failure(CancelledError()))
            return
        error = done.exception()
        if error is not None:
            deferred.errback(Failure(error))
        else:
            deferred.callback(done.result())

    future.add_done_callback(lambda done: reactor.callFromThread(fire, done))
    return deferred
