"""The config file (DESIGN §3): its typed model and the loader that validates it.

The loader (``crawler.config.load``: TOML, cron expressions, time zones) is imported on first
use: an item worker unpickles topics and archive settings, and never reads a config file.
"""

from typing import Any

from crawler.config.model import (
    ArchiveConfig,
    ClusterConfig,
    Config,
    ConfigError,
    CrawlConfig,
    FeedsConfig,
    SchedulerConfig,
    Source,
    Topic,
)

_LOADER_NAMES = frozenset({"CONFIG_FILENAME", "STORE_URL_ENV", "default_config_path", "load_config",
                           "parse_config"})

__all__ = [
    "CONFIG_FILENAME", "STORE_URL_ENV", "ArchiveConfig", "ClusterConfig", "Config", "ConfigError",
    "CrawlConfig", "FeedsConfig", "SchedulerConfig", "Source", "Topic", "default_config_path",
    "load_config", "parse_config",
]


def __getattr__(name: str) -> Any:
    if name in _LOADER_NAMES:
        from crawler.config import load

        return getattr(load, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
