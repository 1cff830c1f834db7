"""Several workers, one crawl: Scrapy's scheduler and dupefilter on Redis (scrapy-redis).

Workers of one run share a request queue and a set of seen-request fingerprints, keyed by
source and run id, so no page is fetched twice and the work spreads over whoever is running.
A new run id starts a fresh queue and fingerprint set: requests a dead worker had taken are
simply crawled again next run (what was stored is skipped by the store itself).

Workers store; they write no archive files. The cluster's archive lives in the data dir of
the node that runs ``topicfeed feeds``, which writes every source's files that are behind
the shared store, including the notes of stories another worker's near-duplicate joined.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from crawler import settings as default_settings
from crawler.config import Config, ConfigError, Source
from crawler.text.dates import utcnow

ARCHIVE_PIPELINE = "crawler.pipelines.items.ArchivePipeline"
RUN_KEYS_TTL = timedelta(days=2)  # a finished run's queue and fingerprints, kept for inspection


def default_run_id(source: Source, timezone: str, now: datetime | None = None) -> str:
    """The start of the source's current schedule period: the same on every worker cron started."""
    now = now or utcnow()
    trigger = CronTrigger.from_crontab(source.schedule, timezone=ZoneInfo(timezone))
    fire = trigger.get_next_fire_time(None, now - timedelta(days=1))
    latest = fire
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return (latest or now).astimezone(ZoneInfo(timezone)).strftime("%Y%m%dT%H%M")


def run_keys(source: str, run_id: str) -> dict[str, str]:
    prefix = f"topicfeed:{source}:{run_id}"
    return {"queue": f"{prefix}:requests", "dupefilter": f"{prefix}:dupefilter"}


def worker_settings(config: Config, source: Source, run_id: str) -> dict[str, Any]:
    if not config.cluster.redis_url:
        raise ConfigError(config.path, "cluster.redis_url", "crawl --worker needs a Redis server",
                          'set [cluster] redis_url = "redis://host:6379/0"')
    keys = run_keys(source.name, run_id)
    # One node renders the cluster's archive from the shared store (``topicfeed feeds``): a
    # worker writes no archive files, so none is marked written that this node lacks.
    pipelines = {name: order for name, order in default_settings.ITEM_PIPELINES.items() if name != ARCHIVE_PIPELINE}
    return {
        "ITEM_PIPELINES": pipelines,
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,  # other workers may still be using the queue
        "SCHEDULER_QUEUE_KEY": keys["queue"],
        "SCHEDULER_DUPEFILTER_KEY": keys["dupefilter"],
        "REDIS_URL": config.cluster.redis_url,
    }


def expire_run(redis_url: str, source: str, run_id: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        for key in run_keys(source, run_id).values():
            client.expire(key, RUN_KEYS_TTL)
    finally:
        client.close()
