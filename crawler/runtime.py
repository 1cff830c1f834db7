"""Where the config file meets Scrapy: settings for a run and shared per-crawler resources."""

from __future__ import annotations

import os
import weakref
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.settings import Settings

from crawler import settings as default_settings
from crawler.config import Config, load_config
from crawler.store import Store
from crawler.text.dates import utcnow

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

MIRROR_ENV = "TOPICFEED_MIRROR"

_stores: weakref.WeakKeyDictionary[Crawler, Store] = weakref.WeakKeyDictionary()


def scrapy_settings(
    config: Config,
    *,
    mirror: str = "",
    revisit: bool = False,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """The one place where a Config and the command line become Scrapy settings."""
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("USER_AGENT", config.crawl.user_agent, priority="project")
    settings.set("CLOSESPIDER_TIMEOUT", max(60, int(config.scheduler.timeout_minutes * 60) - 60),
                 priority="project")
    settings.update(dict(config.crawl.settings), priority="project")
    settings.set("TOPICFEED_CONFIG", config, priority="cmdline")
    settings.set("TOPICFEED_REVISIT", revisit, priority="cmdline")
    if mirror:
        settings.set("TOPICFEED_MIRROR", mirror, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def config_from_settings(settings: Settings) -> Config:
    value = settings.get("TOPICFEED_CONFIG")
    if isinstance(value, Config):
        return value
    return load_config(Path(value) if value else None)


def mirror_from_settings(settings: Settings) -> str:
    return (settings.get("TOPICFEED_MIRROR") or os.environ.get(MIRROR_ENV, "")).rstrip("/")


def reference_now(settings: Settings) -> datetime:
    """The time article ages are judged against: now, or TOPICFEED_NOW when replaying a snapshot."""
    value = settings.get("TOPICFEED_NOW")
    if not value:
        return utcnow()
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        raise ValueError(f"TOPICFEED_NOW needs a UTC offset, got {value!r}")
    return parsed


def shared_store(crawler: Crawler) -> Store:
    """One Store per crawler, opened on first use by whichever component needs it."""
    store = _stores.get(crawler)
    if store is None:
        store = Store.open(config_from_settings(crawler.settings).store_url)
        _stores[crawler] = store
    return store
