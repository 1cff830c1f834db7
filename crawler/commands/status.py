"""``topicfeed status``: where it read from, each source's last and next run, each topic's articles.

``status_report`` is also the ``--json`` shape (README documents it; keep it stable):
``{"config", "packaged_default", "data_dir", "store", "timezone", "sources": [...], "topics": [...]}``.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from crawler.config import Config, default_config_path
from crawler.outcomes import RunStats
from crawler.store import RunRecord, Store
from crawler.text.dates import shown_time

MAX_ERRORS_SHOWN = 10


def config_origin(config: Config) -> str:
    if config.path is None or config.path == default_config_path():
        return "the packaged default config (no ./topicfeed.toml in this folder)"
    return str(config.path)


def open_to_read(config: Config) -> Store:
    """The store of a command that only reads it: missing is an error saying where it looked."""
    fix = (f"config: {config_origin(config)}; run topicfeed crawl first, or point at your setup "
           "with --config FILE (or --data-dir DIR, or run in the folder holding topicfeed.toml)")
    return Store.open_existing(config.store_url, fix=fix)


def shown_store_url(url: str) -> str:
    """The store URL without its password (status output ends up in logs and tickets)."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def status_report(config: Config, store: Store, now: datetime | None = None) -> dict[str, Any]:
    from crawler.commands.schedule import next_fire_times, source_trigger

    zone = config.scheduler.timezone
    now = now or datetime.now(ZoneInfo(zone))
    runs = store.last_runs()
    counts = store.topic_counts()
    sources = []
    for source in config.sources:
        upcoming = next_fire_times(source_trigger(source, zone), now, 1) if source.enabled else []
        run = runs.get(source.name)
        sources.append({
            "name": source.name, "spider": source.spider, "enabled": source.enabled,
            "schedule": source.schedule, "next_run": upcoming[0].isoformat() if upcoming else None,
            "last_run": _run_json(run, ZoneInfo(zone)) if run else None,
        })
    topics = []
    for topic in config.topics:
        count, newest = counts.get(topic.slug, (0, None))
        topics.append({"slug": topic.slug, "title": topic.title, "articles": count,
                       "newest": newest.astimezone(ZoneInfo(zone)).isoformat() if newest else None,
                       "feed": str(config.feeds_dir / f"{topic.slug}.atom")})
    return {
        "config": str(config.path) if config.path else None,
        "packaged_default": config.path is None or config.path == default_config_path(),
        "data_dir": str(config.data_dir), "store": shown_store_url(config.store_url),
        "timezone": zone, "sources": sources, "topics": topics,
    }


def _run_json(run: RunRecord, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "started": run.started.astimezone(zone).isoformat(),
        "finished": run.finished.astimezone(zone).isoformat() if run.finished else None,
        "outcome": str(run.outcome), "state": run.outcome.state.value, "reason": run.outcome.reason,
        **dataclasses.asdict(RunStats.from_mapping(run.stats)), "error_lines": list(run.errors),
    }


def status_lines(config: Config, report: dict[str, Any]) -> list[str]:
    """The report for people: times with their zone, the newest error lines of each run."""
    zone = ZoneInfo(report["timezone"])

    def when(iso: str) -> str:
        return shown_time(datetime.fromisoformat(iso), zone)

    lines = [f"config: {config_origin(config)}; data: {report['data_dir']}; store: {report['store']}",
             "sources:"]
    for source in report["sources"]:
        upcoming = (f"    next run {when(source['next_run'])} ({source['schedule']})" if source["next_run"]
                    else "    disabled: no next run")
        run = source["last_run"]
        if run is None:
            lines.extend([f"  {source['name']}: never crawled", upcoming])
            continue
        stats = RunStats.from_mapping(run)
        lines.extend([f"  {source['name']}: {when(run['started'])} {run['outcome']}; {stats.line()}", upcoming])
        errors = run["error_lines"]
        lines.extend(f"    ! {line}" for line in errors[:MAX_ERRORS_SHOWN])
        if len(errors) > MAX_ERRORS_SHOWN:
            lines.append(f"    … {len(errors) - MAX_ERRORS_SHOWN} more errors")
    lines.append("topics:")
    for topic in report["topics"]:
        newest = when(topic["newest"]) if topic["newest"] else "-"
        lines.append(f"  {topic['slug']} ({topic['title']}): {topic['articles']} articles, newest {newest}")
    return lines
