"""Item work in child processes, so the crawl process keeps downloading.

The crawl hands the pool typed jobs (``jobs.PrepareAndSave``, ``jobs.Archive``); each job says what
it returns and how it runs, in a worker process or, without one, in the crawl process.
"""

from crawler.itemwork.jobs import Archive, Archived, Job, OutputFailed, Prepare, PrepareAndSave, WorkContext
from crawler.itemwork.pool import WORKERS_SETTING, ItemWorkers, WorkerDied, worker_count
from crawler.itemwork.storelink import StoreLink

__all__ = ["WORKERS_SETTING", "Archive", "Archived", "ItemWorkers", "Job", "OutputFailed", "Prepare",
           "PrepareAndSave", "StoreLink", "WorkContext", "WorkerDied", "worker_count"]
