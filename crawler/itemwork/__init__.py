"""Item work in child processes, so the crawl process keeps downloading.

The crawl hands the pool typed jobs (``jobs.PrepareAndSave``, ``jobs.Archive``); each job says what
it returns and how it runs, in a worker process or, without one, in the crawl process.

The pool (``crawler.itemwork.pool``, which needs Scrapy and Twisted) is imported on first
use: a worker process imports this package too, and never needs it.
"""

from typing import Any

from crawler.itemwork.jobs import Archive, Archived, Job, OutputFailed, Prepare, PrepareAndSave, WorkContext
from crawler.itemwork.storelink import StoreLink

_POOL_NAMES = frozenset({"WORKERS_SETTING", "ItemWorkers", "WorkerDied", "worker_count"})

__all__ = ["WORKERS_SETTING", "Archive", "Archived", "ItemWorkers", "Job", "OutputFailed", "Prepare",
           "PrepareAndSave", "StoreLink", "WorkContext", "WorkerDied", "worker_count"]


def __getattr__(name: str) -> Any:
    if name in _POOL_NAMES:
        from crawler.itemwork import pool

        return getattr(pool, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
