"""Where the config file meets Scrapy: the settings of a run, and the values read back from them.

The crawl's resources (store, known-article checks, item work) are owned by the
``crawler.extensions.resources.CrawlResources`` extension, not by this module.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings, Settings

from crawler import settings as default_settings
from crawler.config import Config, load_config
from crawler.text.dates import SITE_TZ, reference_time, utcnow

MIRROR_ENV = "TOPICFEED_MIRROR"
CONFIG_SETTING = "TOPICFEED_CONFIG"


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
    settings.set(CONFIG_SETTING, config, priority="cmdline")
    settings.set("TOPICFEED_REVISIT", revisit, priority="cmdline")
    if mirror:
        settings.set("TOPICFEED_MIRROR", mirror, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def config_from_settings(settings: BaseSettings) -> Config:
    """The run's Config: the setting itself under ``topicfeed crawl``, else the file it names.

    Under ``scrapy crawl`` the file is read once, when the crawler is made
    (``load_config_once``); every component then gets the same Config object.
    """
    value = settings.get(CONFIG_SETTING)
    if isinstance(value, Config):
        return value
    return load_config(Path(value) if value else None)


def load_config_once(settings: BaseSettings) -> None:
    """Replace a config path in the settings by the Config it names (settings not yet frozen)."""
    if not isinstance(settings.get(CONFIG_SETTING), Config):
        priority = settings.getpriority(CONFIG_SETTING) or "project"
        settings.set(CONFIG_SETTING, config_from_settings(settings), priority=priority)


def mirror_from_settings(settings: BaseSettings) -> str:
    return (settings.get("TOPICFEED_MIRROR") or os.environ.get(MIRROR_ENV, "")).rstrip("/")


def reference_now(settings: BaseSettings) -> datetime:
    """The time article ages are judged against: now, or TOPICFEED_NOW when replaying a snapshot."""
    value = settings.get("TOPICFEED_NOW")
    if not value:
        return utcnow()
    try:
        return reference_time(value)
    except ValueError as error:
        raise ValueError(f"TOPICFEED_NOW {value!r}: {error}") from None


def checked_mirror(value: str) -> str:
    """A ``--mirror`` base URL without its trailing slash; ValueError saying why it is not one."""
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        address = url.split("://", 1)[-1] or "127.0.0.1:8099"
        raise ValueError(f"not an http(s) URL; write it with its scheme, e.g. http://{address}")
    if parts.query or parts.fragment:
        raise ValueError(f"a mirror is a base URL without ?query or #fragment, e.g. {parts.scheme}://{parts.netloc}")
    return url


def replay_clock(newest: datetime) -> str:
    """A TOPICFEED_NOW under which an article published at ``newest`` is young: the next full
    hour after it, as the sites' local time (what a snapshot replay of it wants)."""
    clock = (newest.astimezone(SITE_TZ) + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    return clock.isoformat()
