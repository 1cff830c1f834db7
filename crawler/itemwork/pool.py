"""Worker processes for the crawl's CPU-heavy item work, so Scrapy's one thread keeps crawling.

Preparing an article (sanitising, text, topics, hashes; crawler.text.prepare), storing it and
writing its archive files cost more than Scrapy spends downloading and parsing the page (DESIGN
§13 lets the item work own that whole path). They run in child processes
(``crawler.itemwork.child``), each with its own connection to the store, and the reactor
thread only sends the job and gets the result back: pipes read and written by the reactor
itself, no threads.

``TOPICFEED_ITEM_WORKERS`` sets the number of processes; 0 does the work in the crawl process
(the default on a single CPU). Workers start with the first job, so a crawl that finds
nothing new never pays for them. A worker that dies is not replaced: its work, and the rest
of the crawl's, is done in the crawl process. A worker ends when its input closes, so it
cannot outlive a crawl that was killed.
"""

from __future__ import annotations

import collections
import logging
import os
import sys
from itertools import cycle
from typing import TYPE_CHECKING, Any, TypeVar

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import protocol
from twisted.internet.defer import Deferred

from crawler.itemwork.frames import frame, split_frames
from crawler.itemwork.jobs import Archive, Archived, Job, Prepare, PrepareAndSave, WorkContext
from crawler.itemwork.pipes import widen_pipes

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings
    from twisted.python.failure import Failure

    from crawler.items import Article

logger = logging.getLogger(__name__)

T = TypeVar("T")
WORKERS_SETTING = "TOPICFEED_ITEM_WORKERS"


def worker_count(settings: BaseSettings) -> int:
    """TOPICFEED_ITEM_WORKERS, or by default 1 with 2+ CPUs and 0 (in-process) on one."""
    setting = settings.get(WORKERS_SETTING)
    if setting in (None, ""):
        return 1 if (os.cpu_count() or 1) > 1 else 0
    return max(0, int(setting))


class WorkerDied(RuntimeError):
    """The worker process ended before it answered."""


class WorkerProcess(protocol.ProcessProtocol):
    """One ``crawler.itemwork.child`` child: jobs go out in order, answers come back in order."""

    def __init__(self) -> None:
        self.waiting: collections.deque[Deferred[Any]] = collections.deque()
        self.buffer = bytearray()
        self.alive = True
        self.ended: Deferred[None] = Deferred()

    def send(self, job: Job[T]) -> Deferred[T]:
        answer: Deferred[T] = Deferred()
        self.waiting.append(answer)
        self.transport.write(frame(job))
        return answer

    def outReceived(self, data: bytes) -> None:
        self.buffer += data
        for ok, value in split_frames(self.buffer):
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


class ItemWorkers:
    """The crawl's item workers (owned by crawler.extensions.resources.CrawlResources)."""

    def __init__(self, context: WorkContext, processes: int):
        self.context = context
        self.processes = processes
        self._workers: list[WorkerProcess] = []
        self._next: cycle[WorkerProcess] | None = None

    async def prepare(self, item: Article) -> Article:
        return await self.run(Prepare(item))

    async def save(self, item: Article) -> Article:
        return await self.run(PrepareAndSave(item))

    async def archive(self, article_id: int) -> Archived:
        return await self.run(Archive(article_id))

    async def run(self, job: Job[T]) -> T:
        """The job's result, from a worker process when there is one, else from this process."""
        worker = self._pick()
        if worker is not None:
            try:
                return await maybe_deferred_to_future(worker.send(job))
            except WorkerDied as died:
                self._give_up(str(died))
        return job.run(self.context)

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
        """Close the workers' input and wait for them to end."""
        for worker in self._workers:
            if worker.alive:
                worker.transport.closeStdin()
        for worker in self._workers:
            await maybe_deferred_to_future(worker.ended)
        self._workers = []
