"""Item work in child processes, so the crawl process keeps downloading.

The crawl hands the pool typed jobs (``jobs.Prepare``, ``jobs.Render``); each job says what
it returns and how it runs, in a worker process or, without one, in the crawl process.
"""

from crawler.itemwork.jobs import Job, Prepare, Render, WorkContext
from crawler.itemwork.pool import WORKERS_SETTING, ItemWorkers, WorkerDied, worker_count

__all__ = ["WORKERS_SETTING", "ItemWorkers", "Job", "Prepare", "Render", "WorkContext", "WorkerDied",
           "worker_count"]
