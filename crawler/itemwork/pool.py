"""Worker processes for the crawl's CPU-heavy item work, so Scrapy's one thread keeps crawling.

Preparing an article (sanitising, text, topics, hashes; crawler.text.prepare) and rendering its
archive files cost more than Scrapy spends downloading and parsing the page. Both are pure
functions of their input, so they run in child processes (``crawler.itemwork.child``) and the
reactor thread only sends the input and gets the result back: pipes read and written by the
reactor itself, no threads. The store stays in the crawl process: one writer, as before.

``TOPICFEED_ITEM_WORKERS`` sets the number of processes; 0 does the work in the crawl process
(the default on a single CPU). Workers start with the first item, so a crawl that finds
nothing new never pays for them. A worker that dies is not replaced: its work, and the rest
of the crawl's, is done in the crawl process. A worker ends when its input closes, so it
cannot outlive a crawl that was killed.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import logging
import os
import pickle
import sys
import weakref
from dataclasses import dataclass
from itertools import cycle
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeVar

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import main, protocol
from twisted.internet.defer import Deferred

from crawler.archive.writer import ArchiveWriter
from crawler.items import Article
from crawler.itemwork.child import LENGTH, frame
from crawler.runtime import config_from_settings
from crawler.store import StoredArticle
from crawler.text.prepare import prepare
from crawler.text.topics import TopicMatcher

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

T = TypeVar("T")
WORKERS_SETTING = "TOPICFEED_ITEM_WORKERS"


@dataclass(frozen=True)
class WorkContext:
    """What the item work needs besides the item: built once, sent to each worker."""

    matcher: TopicMatcher
    writer: ArchiveWriter

    def prepare(self, item: Article) -> Article:
        return prepare(item, self.matcher)

    def render(self, article: StoredArticle) -> list[tuple[Path, str]]:
        return self.writer.render(article)


class WorkerDied(RuntimeError):
    """The worker process ended before it answered."""


class WorkerProcess(protocol.ProcessProtocol):
    """One ``crawler.itemwork.child`` child: requests go out in order, answers come back in order."""

    def __init__(self) -> None:
        self.waiting: collections.deque[Deferred[Any]] = collections.deque()
        self.buffer = bytearray()
        self.alive = True
        self.ended: Deferred[None] = Deferred()

    def call(self, method: str, argument: Any) -> Deferred[Any]:
        answer: Deferred[Any] = Deferred()
        self.waiting.append(answer)
        self.transport.write(frame((method, argument)))
        return answer

    def outReceived(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= LENGTH.size:
            (size,) = LENGTH.unpack_from(self.buffer)
            if len(self.buffer) < LENGTH.size + size:
                return
            payload = bytes(self.buffer[LENGTH.size : LENGTH.size + size])
            del self.buffer[: LENGTH.size + size]
            ok, value = pickle.loads(payload)
            answer = self.waiting.popleft()
            if ok:
                answer.callback(value)
            else:
                answer.errback(value)

    def processEnded(self, reason: Failure) -> None:
        self.alive = False
        while self.waiting:
            self.waiting.popleft().errback(WorkerDied(str(reason.value)))
        self.ended.callback(None)


PIPE_BYTES = 1 << 20


def widen_pipes(transport: Any) -> None:
    """Let a worker run ahead of the reactor: 1 MB pipes, and its answers read whole.

    Twisted reads a child's output 8 KB per reactor turn, and an answer (an article's HTML
    and text) is 20-60 KB: with 64 KB pipes the worker spent 40% of a crawl blocked on a
    full pipe while the reactor served the downloads.
    """
    with contextlib.suppress(ImportError, AttributeError, OSError):  # Linux only, and capped
        import fcntl  # by /proc/sys/fs/pipe-max-size

        for pipe in transport.pipes.values():
            fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    reader = transport.pipes.get(1)
    if reader is not None:
        reader.doRead = functools.partial(_read_whole, reader)


def _read_whole(reader: Any) -> Any:
    """``ProcessReader.doRead`` reading up to the pipe's size at once (fdesc.readFromFD's rules)."""
    try:
        data = os.read(reader.fileno(), PIPE_BYTES)
    except (BlockingIOError, InterruptedError):
        return None
    except OSError:
        return main.CONNECTION_LOST
    if not data:
        return main.CONNECTION_DONE
    reader.dataReceived(data)
    return None


_per_crawler: weakref.WeakKeyDictionary[Crawler, ItemWorkers] = weakref.WeakKeyDictionary()


def default_worker_count() -> int:
    return 1 if (os.cpu_count() or 1) > 1 else 0


class ItemWorkers:
    """One per crawl (``from_crawler`` shares it between the pipelines)."""

    def __init__(self, context: WorkContext, processes: int):
        self.context = context
        self.processes = processes
        self._workers: list[WorkerProcess] = []
        self._next: cycle[WorkerProcess] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        existing = _per_crawler.get(crawler)
        if existing is not None:
            return existing
        config = config_from_settings(crawler.settings)
        setting = crawler.settings.get(WORKERS_SETTING)
        processes = default_worker_count() if setting in (None, "") else int(setting)
        workers = cls(WorkContext(TopicMatcher(config.topics), ArchiveWriter.from_config(config)),
                      max(0, processes))
        _per_crawler[crawler] = workers
        crawler.signals.connect(workers.close, signal=signals.spider_closed)
        return workers

    async def prepare(self, item: Article) -> Article:
        return await self._run("prepare", item)

    async def render(self, article: StoredArticle) -> list[tuple[Path, str]]:
        return await self._run("render", article)

    async def _run(self, method: str, argument: Any) -> Any:
        worker = self._pick()
        if worker is not None:
            try:
                return await maybe_deferred_to_future(worker.call(method, argument))
            except WorkerDied as died:
                self._give_up(str(died))
        return getattr(self.context, method)(argument)

    def _pick(self) -> WorkerProcess | None:
        if self.processes and not self._workers:
            self._start()
        if not self.processes:
            return None
        assert self._next is not None
        for _ in range(len(self._workers)):
            worker = next(self._next)
            if worker.alive:
                return worker
        self._give_up("it ended")
        return None

    def _give_up(self, why: str) -> None:
        if self.processes:
            logger.warning("An item worker process died (%s); doing item work in the crawl "
                           "process from now on", why)
            self.processes = 0

    def _start(self) -> None:
        from twisted.internet import reactor

        for _ in range(self.processes):
            worker = WorkerProcess()
            # stdin/stdout are the pipes; stderr is the crawl's (a worker's warnings show)
            reactor.spawnProcess(worker, sys.executable, [sys.executable, "-m", "crawler.itemwork.child"],
                                 env=os.environ.copy(), childFDs={0: "w", 1: "r", 2: 2})
            widen_pipes(worker.transport)
            worker.transport.write(frame(self.context))
            self._workers.append(worker)
        self._next = cycle(self._workers)

    async def close(self) -> None:
        """Close the workers' input and wait for them to end (spider_closed)."""
        for worker in self._workers:
            if worker.alive:
                worker.transport.closeStdin()
        for worker in self._workers:
            await maybe_deferred_to_future(worker.ended)
        self._workers = []
